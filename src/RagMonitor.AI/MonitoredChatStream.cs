using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using Microsoft.Extensions.AI;

namespace RagMonitor.AI;

/// <summary>
/// A streamed chat call of <see cref="MonitoredChatClient"/>. Each enumeration is one call of the inner client and
/// one call of the stage: the stage begins when enumeration begins (in the caller's flow, so it belongs to the
/// ambient request) and ends when the stream ends, fails or is left early.
/// </summary>
internal sealed class MonitoredChatStream : IAsyncEnumerable<ChatResponseUpdate>
{
    private readonly MonitoredChatClient _owner;
    private readonly IEnumerable<ChatMessage> _messages;
    private readonly ChatOptions? _options;
    private readonly CancellationToken _cancellationToken;

    internal MonitoredChatStream(MonitoredChatClient owner, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        _owner = owner;
        _messages = messages;
        _options = options;
        _cancellationToken = cancellationToken;
    }

    public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        var stage = _owner.Monitor.BeginAsyncStage(_owner.StageName);
        if (!stage.IsRecording)
        {
            // Outside a request: counted by BeginAsyncStage, the inner stream is handed back as it is.
            return _owner.InnerStream(_messages, _options, _cancellationToken).GetAsyncEnumerator(cancellationToken);
        }

        return new StreamedCall(_owner, stage, _messages, _options, _cancellationToken, cancellationToken);
    }

    /// <summary>
    /// One enumeration. The stage is ended through the <see cref="IValueTaskSource"/> it is tracked with, so the
    /// caller's flow leaves the stage right away and nothing ambient is switched per update; the stage's span is
    /// made current around the inner client's code only while tracing listens.
    /// </summary>
    private sealed class StreamedCall : IAsyncEnumerator<ChatResponseUpdate>, IValueTaskSource
    {
        private readonly MonitoredChatClient _owner;
        private readonly StageScope _stage;
        private readonly ChatOptions? _options;
        private readonly Activity? _span;
        private readonly TimeProvider _time;
        private readonly long _start;
        private readonly IAsyncEnumerator<ChatResponseUpdate> _inner;
        private readonly StringBuilder? _completion;
        private ManualResetValueTaskSourceCore<bool> _end;
        private long _firstContent;
        private UsageDetails? _usage;
        private ChatFinishReason? _finishReason;
        private string? _responseModel;
        private int _ended;

        internal StreamedCall(MonitoredChatClient owner, StageScope stage, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken callToken, CancellationToken enumerationToken)
        {
            _owner = owner;
            _stage = stage;
            _options = options;
            _time = owner.Monitor.TimeProvider;
            _start = _time.GetTimestamp();
            _span = Activity.Current is { } current && current.Source.Name == RagMonitorTelemetry.ActivitySourceName && current.DisplayName == owner.StageName ? current : null;
            _completion = owner.EnableSensitiveData ? new StringBuilder() : null;
            owner.RecordRequest(stage, messages, options);
            var started = false;
            try
            {
                _inner = owner.InnerStream(messages, options, callToken).GetAsyncEnumerator(enumerationToken);
                started = true;
            }
            catch (Exception ex) when (stage.Fail(ex))
            {
                throw;
            }
            finally
            {
                if (!started)
                {
                    stage.Dispose();
                }
            }

            // Leaves the stage's synchronous part now; the stage ends when End completes this source.
            _ = stage.Track(new ValueTask(this, 0));
        }

        public ChatResponseUpdate Current => _inner.Current;

        public ValueTask<bool> MoveNextAsync()
        {
            var previous = Activity.Current;
            var swap = _span is not null && !_span.IsStopped && !ReferenceEquals(previous, _span);
            if (swap)
            {
                Activity.Current = _span;
            }

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
                if (swap)
                {
                    Activity.Current = previous;
                }
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
                _stage.AddMetadata(AiStageMetadata.Abandoned, true);
                End(null);
            }

            await _inner.DisposeAsync().ConfigureAwait(false);
        }

        void IValueTaskSource.GetResult(short token) => _end.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _end.GetStatus(token);

        void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _end.OnCompleted(continuation, state, token, flags);

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

            try
            {
                if (Observe(_inner.Current) && _firstContent == 0)
                {
                    _firstContent = _time.GetTimestamp();
                    _stage.AddMetadata(AiStageMetadata.TimeToFirstTokenMs, Math.Round(_time.GetElapsedTime(_start, _firstContent).TotalMilliseconds, 3));
                }
            }
            catch (Exception)
            {
                // First law: recording never throws into the stream.
            }
        }

        /// <summary>Takes usage, finish reason and model from the update; true when it carries content other than usage.</summary>
        private bool Observe(ChatResponseUpdate update)
        {
            _finishReason = update.FinishReason ?? _finishReason;
            _responseModel ??= update.ModelId;
            var hasContent = false;
            foreach (var content in update.Contents)
            {
                if (content is UsageContent usage)
                {
                    // Usually one usage update per stream; a second one is added to a copy, never to the caller's object.
                    if (_usage is null)
                    {
                        _usage = usage.Details;
                    }
                    else
                    {
                        var sum = new UsageDetails();
                        sum.Add(_usage);
                        sum.Add(usage.Details);
                        _usage = sum;
                    }
                }
                else if (content is not TextContent { Text.Length: 0 })
                {
                    hasContent = true;
                }
            }

            if (_completion is not null && hasContent)
            {
                _completion.Append(update.Text);
            }

            return hasContent;
        }

        /// <summary>Ends the stage once: records what the stream carried, then completes the source the stage is tracked with. Returns false (an exception filter).</summary>
        private bool End(Exception? exception)
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return false;
            }

            var end = _time.GetTimestamp();
            if (exception is not null)
            {
                _stage.Fail(exception);
            }

            RecordEnd(end);
            _end.SetResult(true);
            return false;
        }

        private void RecordEnd(long end)
        {
            try
            {
                if (_owner.RequestedModel(_options) is null && _responseModel is not null)
                {
                    _stage.AddMetadata(AiStageMetadata.ModelId, _responseModel);
                }

                if (_usage?.InputTokenCount is { } input)
                {
                    _stage.AddToMetadata(AiStageMetadata.InputTokens, input);
                }

                if (_usage?.OutputTokenCount is { } output)
                {
                    _stage.AddToMetadata(AiStageMetadata.OutputTokens, output);
                    if (output > 0 && _firstContent != 0)
                    {
                        var generating = _time.GetElapsedTime(_firstContent, end);
                        if (generating <= TimeSpan.Zero)
                        {
                            // Everything arrived in one update: the whole stream is the generation time.
                            generating = _time.GetElapsedTime(_start, end);
                        }

                        if (generating > TimeSpan.Zero)
                        {
                            _stage.AddMetadata(AiStageMetadata.OutputTokensPerSecond, Math.Round(output / generating.TotalSeconds, 3));
                        }
                    }
                }

                if (_finishReason is { } reason)
                {
                    _stage.AddMetadata(AiStageMetadata.FinishReason, reason.Value);
                }

                if (_completion is not null)
                {
                    _stage.AddMetadata(AiStageMetadata.Completion, _completion.ToString());
                }
            }
            catch (Exception)
            {
                // First law: recording never throws into the stream.
            }
        }
    }
}
