using System;
using System.Threading.Tasks;

namespace RagMonitor;

/// <summary>
/// One running request, returned by <see cref="PerformanceMonitor.BeginRequest(string, string?)"/>.
/// While it is the ambient request, stages started in the same flow (across awaits and threads,
/// including parallel <c>Task.WhenAll</c> branches) belong to it. Disposing it ends the request:
/// summary, bottlenecks, statistics, alerts and the JSONL line.
/// </summary>
public readonly struct RequestScope : IDisposable
{
    private readonly RequestState? _state;
    private readonly AmbientFrame? _previousFrame;

    internal RequestScope(RequestState state)
    {
        _state = state;
        _previousFrame = AmbientContext.Frame;
        AmbientContext.EnterRequestBody(state); // the request is its body's frame
        state.Activity = MonitorTracing.IsObserved ? MonitorTracing.StartRequest(state) : null;
    }

    /// <summary><see langword="true"/> when this request is being recorded (the monitor is enabled).</summary>
    public bool IsRecording => _state is not null;

    /// <summary>The request id, or <see langword="null"/> when nothing is recorded.</summary>
    public string? RequestId => _state?.Id;

    /// <summary>The request name, or <see langword="null"/> when nothing is recorded.</summary>
    public string? RequestName => _state?.Name;

    /// <summary>
    /// Marks the request failed (or cancelled, for <see cref="OperationCanceledException"/>) and returns
    /// <see langword="false"/>, for use as an exception filter that never catches.
    /// </summary>
    public bool Fail(Exception exception)
    {
        if (_state is not null && exception is not null)
        {
            _state.SetOutcome(PerformanceMonitor.StatusOf(exception), exception.GetType().Name);
            if (_state.Activity is { } activity)
            {
                MonitorTracing.RecordException(activity, exception);
            }
        }

        return false;
    }

    /// <summary>
    /// The summary of the request so far (stages recorded until now), or <see langword="null"/> when nothing is recorded or
    /// the request has already ended (the finished summary goes to <see cref="PerformanceMonitor.RequestCompleted"/>
    /// handlers; the finished request's record has gone to the log).
    /// </summary>
    public RequestSummary? GetSummary() => _state?.Monitor.Snapshot(_state);

    /// <summary>Ends the request (once; later calls do nothing) and restores the previous ambient request.</summary>
    public void Dispose()
    {
        if (_state is null)
        {
            return;
        }

        LeaveAmbient();
        _state.Monitor.Complete(_state);
    }

    /// <summary>Restores the ambient request that was current before this one began, and ends the request when <paramref name="task"/> completes.</summary>
    public Task Track(Task task)
    {
        if (_state is null || task is null)
        {
            return task!;
        }

        LeaveAmbient();
        if (task.IsCompleted)
        {
            Finish(TaskOutcome.ExceptionOf(task));
            return task;
        }

        return TrackSlow(task, this);
    }

    /// <summary>Like <see cref="Track(Task)"/>, for a task with a result.</summary>
    public Task<T> Track<T>(Task<T> task)
    {
        if (_state is null || task is null)
        {
            return task!;
        }

        LeaveAmbient();
        if (task.IsCompleted)
        {
            Finish(TaskOutcome.ExceptionOf(task));
            return task;
        }

        return TrackSlow(task, this);
    }

    /// <summary>Like <see cref="Track(Task)"/>, for a <see cref="ValueTask"/>.</summary>
    public ValueTask Track(ValueTask task)
    {
        if (_state is null)
        {
            return task;
        }

        if (task.IsCompletedSuccessfully)
        {
            LeaveAmbient();
            Finish(null);
            return task;
        }

        return new ValueTask(Track(task.AsTask()));
    }

    /// <summary>Like <see cref="Track(Task)"/>, for a <see cref="ValueTask{TResult}"/>.</summary>
    public ValueTask<T> Track<T>(ValueTask<T> task)
    {
        if (_state is null)
        {
            return task;
        }

        if (task.IsCompletedSuccessfully)
        {
            LeaveAmbient();
            Finish(null);
            return task;
        }

        return new ValueTask<T>(Track(task.AsTask()));
    }

    /// <summary>Restores the ambient request that was current before this one began (once the request's synchronous part is over).</summary>
    public void LeaveAmbient()
    {
        if (_state is not null && ReferenceEquals(AmbientContext.Frame?.Request, _state))
        {
            AmbientContext.Frame = _previousFrame;
        }

        if (_state?.Activity is { } activity)
        {
            MonitorTracing.Leave(activity);
        }
    }

    internal bool FinishFilter(Exception exception)
    {
        Finish(exception);
        return false;
    }

    internal void Finish(Exception? exception)
    {
        if (_state is null)
        {
            return;
        }

        if (exception is not null)
        {
            _state.SetOutcome(PerformanceMonitor.StatusOf(exception), exception.GetType().Name);
            if (_state.Activity is { } activity)
            {
                MonitorTracing.RecordException(activity, exception);
            }
        }

        _state.Monitor.Complete(_state);
    }

    private static async Task TrackSlow(Task task, RequestScope scope)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (scope.FinishFilter(ex))
        {
            throw;
        }

        scope.Finish(null);
    }

    private static async Task<T> TrackSlow<T>(Task<T> task, RequestScope scope)
    {
        T result;
        try
        {
            result = await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (scope.FinishFilter(ex))
        {
            throw;
        }

        scope.Finish(null);
        return result;
    }
}
