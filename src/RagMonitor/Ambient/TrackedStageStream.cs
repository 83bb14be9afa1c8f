using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor;

/// <summary>
/// Times the enumeration of an <see cref="IAsyncEnumerable{T}"/> as one stage. The source's code runs
/// with the stage as the current stage of its flow, so metadata added inside it lands on this stage.
/// </summary>
internal sealed class TrackedStageStream<T> : IAsyncEnumerable<T>
{
    private readonly RequestState _request;
    private readonly string _stageName;
    private readonly IAsyncEnumerable<T> _source;

    internal TrackedStageStream(RequestState request, string stageName, IAsyncEnumerable<T> source)
    {
        _request = request;
        _stageName = stageName;
        _source = source;
    }

    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        new Enumerator(this, cancellationToken);

    private sealed class Enumerator : IAsyncEnumerator<T>
    {
        private readonly TrackedStageStream<T> _owner;
        private readonly AmbientFrame _frame;
        private readonly long _start;
        private readonly IAsyncEnumerator<T> _inner;
        private readonly Activity? _activity;
        private long _items;
        private int _ended;

        internal Enumerator(TrackedStageStream<T> owner, CancellationToken cancellationToken)
        {
            _owner = owner;
            _frame = new AmbientFrame(owner._request, owner._stageName) { Detached = true };
            if (MonitorTracing.IsObserved && MonitorTracing.StartStage(owner._request, owner._stageName) is { } activity)
            {
                // The span is current only while the source's code runs (see Enter).
                MonitorTracing.Leave(activity);
                _activity = activity;
            }

            _start = owner._request.GetTimestamp();
            var previous = Enter();
            try
            {
                _inner = owner._source.GetAsyncEnumerator(cancellationToken);
            }
            catch (Exception ex) when (End(ex))
            {
                throw;
            }
            finally
            {
                Leave(previous);
            }
        }

        public T Current => _inner.Current;

        public ValueTask<bool> MoveNextAsync()
        {
            var previous = Enter();
            ValueTask<bool> next;
            try
            {
                next = _inner.MoveNextAsync();
            }
            catch (Exception ex) when (End(ex))
            {
                throw;
            }
            finally
            {
                Leave(previous);
            }

            if (next.IsCompletedSuccessfully)
            {
                OnResult(next.Result);
                return next;
            }

            return AwaitNext(next);
        }

        public async ValueTask DisposeAsync()
        {
            if (Volatile.Read(ref _ended) == 0)
            {
                _owner._request.Monitor.AddStageMetadata(_owner._request, _owner._stageName, "abandoned", true);
                End(null);
            }

            await _inner.DisposeAsync().ConfigureAwait(false);
        }

        private async ValueTask<bool> AwaitNext(ValueTask<bool> next)
        {
            bool hasItem;
            try
            {
                hasItem = await next.ConfigureAwait(false);
            }
            catch (Exception ex) when (End(ex))
            {
                throw;
            }

            OnResult(hasItem);
            return hasItem;
        }

        private void OnResult(bool hasItem)
        {
            if (!hasItem)
            {
                End(null);
                return;
            }

            if (++_items == 1)
            {
                var monitor = _owner._request.Monitor;
                var elapsed = monitor.ToDuration(monitor.GetTimestamp() - _start);
                monitor.AddStageMetadata(_owner._request, _owner._stageName, "time_to_first_item_ms", Math.Round(elapsed.TotalMilliseconds, 3));
            }
        }

        private (AmbientFrame? Frame, Activity? Activity, bool ActivitySet) Enter()
        {
            var previous = AmbientContext.Frame;
            AmbientContext.Frame = _frame;
            if (_activity is null || _activity.IsStopped)
            {
                return (previous, null, false);
            }

            var previousActivity = Activity.Current;
            Activity.Current = _activity;
            return (previous, previousActivity, true);
        }

        private static void Leave((AmbientFrame? Frame, Activity? Activity, bool ActivitySet) previous)
        {
            AmbientContext.Frame = previous.Frame;
            if (previous.ActivitySet && !ReferenceEquals(Activity.Current, previous.Activity) && previous.Activity is not { IsStopped: true })
            {
                Activity.Current = previous.Activity;
            }
        }

        /// <summary>Ends the stage once; returns false so that it can serve as an exception filter.</summary>
        private bool End(Exception? exception)
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return false;
            }

            var request = _owner._request;
            var monitor = request.Monitor;
            var end = monitor.GetTimestamp();
            if (exception is not null)
            {
                monitor.MarkStage(request, _owner._stageName, exception);
                if (_activity is not null)
                {
                    MonitorTracing.RecordException(_activity, exception);
                }
            }

            monitor.AddStageMetadata(request, _owner._stageName, "items", _items);
            request.RecordStage(_owner._stageName, _start, end - _start, OperationStatus.Success, null);
            if (_activity is not null)
            {
                MonitorTracing.StopStage(_activity, request, _owner._stageName);
            }
            return false;
        }
    }
}
