using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace RagMonitor;

/// <summary>
/// One running stage, returned by <see cref="PerformanceMonitor.BeginStage(string)"/> and
/// <see cref="PerformanceMonitor.BeginAsyncStage(string)"/>. Dispose it exactly once to end the stage
/// (or hand an asynchronous result to one of the <c>Track</c> methods instead). Allocation-free; when no
/// request is active or the monitor is disabled it records nothing.
/// </summary>
/// <remarks>
/// Typical explicit use:
/// <code>
/// using var stage = monitor.BeginStage("retrieval");
/// stage.AddMetadata("top_k", 5);
/// </code>
/// To record a failure, call <see cref="Fail(Exception)"/> from an exception filter
/// (<c>catch (Exception ex) when (stage.Fail(ex)) { throw; }</c>); it never catches.
/// </remarks>
public readonly partial struct StageScope : IDisposable
{
    private const byte ModeThreadOnly = 0;
    private const byte ModeClaimedFrame = 1;
    private const byte ModePushedFrame = 2;
    private const byte ModeDetached = 3;

    private readonly RequestState? _request;
    private readonly string _name;
    private readonly long _startTimestamp;
    private readonly RequestState? _previousThreadRequest;
    private readonly string? _previousThreadStage;
    private readonly AmbientFrame? _frame;
    private readonly AmbientFrame? _previousFrame;
    private readonly string? _previousFrameStage;
    private readonly byte _mode;
    private readonly Activity? _activity;

    /// <summary>For a synchronous stage, the stage state of the thread that began it (see <see cref="AmbientContext.IsThisThreads"/>).</summary>
    private readonly ThreadStage? _thread;

    /// <summary>A synchronous stage (<see cref="PerformanceMonitor.BeginStage(string)"/>): this thread's current stage until disposed.</summary>
    /// <param name="request">The stage's request.</param>
    /// <param name="name">The stage name.</param>
    /// <param name="thread">This thread's stage state when the caller has it (from <see cref="AmbientContext.GetCurrentRequest"/>), else null.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal StageScope(RequestState request, string name, ThreadStage? thread)
    {
        _request = request;
        _name = name;
        _frame = null;
        _previousFrame = null;
        _previousFrameStage = null;
        _mode = ModeThreadOnly;
        AmbientContext.EnterThreadStage(request, name, thread, out _previousThreadRequest, out _previousThreadStage, out _thread);
        _activity = MonitorTracing.IsObserved ? MonitorTracing.StartStage(request, name) : null;
        _startTimestamp = request.GetTimestamp();
    }

    /// <summary>
    /// A stage whose body may go on asynchronously (<see cref="PerformanceMonitor.BeginAsyncStage(string)"/>; it also names the
    /// flow's frame), or with <paramref name="detached"/> one that changes nothing ambient (<see cref="PerformanceMonitor.BeginDetachedStage(string)"/>).
    /// </summary>
    internal StageScope(RequestState request, string name, bool detached)
    {
        _request = request;
        _name = name;
        _previousFrame = null;
        _previousFrameStage = null;
        _frame = null;
        _thread = null;
        if (detached)
        {
            // Nothing ambient is changed (no frame, no thread stage, the span is not made current).
            _previousThreadRequest = null;
            _previousThreadStage = null;
            _mode = ModeDetached;
            _activity = null;
            if (MonitorTracing.IsObserved && MonitorTracing.StartStage(request, name) is { } activity)
            {
                // StartActivity made the span current; the caller's flow goes back to the span it had.
                MonitorTracing.Leave(activity);
                _activity = activity;
            }

            _startTimestamp = request.GetTimestamp();
            return;
        }

        var frame = AmbientContext.Frame;
        if (frame is not null && ReferenceEquals(frame.Request, request) && AmbientContext.TryClaim(frame))
        {
            _frame = frame;
            _previousFrameStage = frame.StageName;
            frame.StageName = name;
            _mode = ModeClaimedFrame;
        }
        else
        {
            // Another flow holds the frame, or a running asynchronous stage owns it: give this
            // stage's flow a frame of its own (the only allocating path).
            var own = new AmbientFrame(request, name);
            _previousFrame = frame;
            _frame = own;
            AmbientContext.Frame = own;
            _mode = ModePushedFrame;
        }

        AmbientContext.EnterThreadStage(request, name, null, out _previousThreadRequest, out _previousThreadStage, out _);
        _activity = MonitorTracing.IsObserved ? MonitorTracing.StartStage(request, name) : null;
        _startTimestamp = request.GetTimestamp();
    }

    /// <summary><see langword="true"/> when this stage is being recorded (an active request and an enabled monitor).</summary>
    public bool IsRecording => _request is not null;

    /// <summary>The stage name, or <see langword="null"/> for a scope that records nothing.</summary>
    public string? Name => _request is null ? null : _name;

    /// <summary>
    /// The stage's span (an <see cref="System.Diagnostics.Activity"/> of <see cref="RagMonitorTelemetry.ActivitySourceName"/>)
    /// while tracing listens; <see langword="null"/> otherwise. For a stage from
    /// <see cref="PerformanceMonitor.BeginDetachedStage(string)"/>, code that does the stage's work in another flow can
    /// make it <see cref="System.Diagnostics.Activity.Current"/> around that work, so that spans it starts become children.
    /// </summary>
    public Activity? Activity => _activity;

    /// <summary>Attaches metadata to this stage (a later value for the same key replaces the earlier one).</summary>
    /// <param name="key">The metadata key; <see langword="null"/> or empty keys are ignored.</param>
    /// <param name="value">The value: a string, integer, number, boolean or <see cref="MetadataValue.Null"/>.</param>
    public void AddMetadata(string key, MetadataValue value)
    {
        if (_request is null || string.IsNullOrEmpty(key))
        {
            return;
        }

        _request.Monitor.AddStageMetadata(_request, _name, _startTimestamp, key, value, accumulate: false);
    }

    /// <summary>
    /// Adds <paramref name="amount"/> to this stage's integer metadata under <paramref name="key"/> (set when absent
    /// or not an integer), so that a count such as tokens sums over the stage's calls in one request.
    /// </summary>
    /// <param name="key">The metadata key; <see langword="null"/> or empty keys are ignored.</param>
    /// <param name="amount">The amount to add.</param>
    public void AddToMetadata(string key, long amount)
    {
        if (_request is null || string.IsNullOrEmpty(key))
        {
            return;
        }

        _request.Monitor.AddStageMetadata(_request, _name, _startTimestamp, key, MetadataValue.FromInteger(amount), accumulate: true);
    }

    /// <summary>
    /// Marks the stage failed (or cancelled, for <see cref="OperationCanceledException"/>) and returns
    /// <see langword="false"/>, so that it can be used as an exception filter that never catches. The stage
    /// still ends when it is disposed.
    /// </summary>
    public bool Fail(Exception exception)
    {
        if (_request is not null && exception is not null)
        {
            _request.Monitor.MarkStage(_request, _name, exception);
            if (_activity is not null)
            {
                MonitorTracing.RecordException(_activity, exception);
            }
        }

        return false;
    }

    /// <summary>
    /// Ends the stage: records its duration and one call (status success unless <see cref="Fail(Exception)"/> was called).
    /// A stage from <see cref="PerformanceMonitor.BeginDetachedStage(string)"/> may be disposed on any thread or flow.
    /// </summary>
    public void Dispose()
    {
        var request = _request;
        if (request is null)
        {
            return;
        }

        var end = request.GetTimestamp();
        if (IsUntracedSynchronous)
        {
            // A synchronous stage nobody traces (the generated wrapper's usual case), kept small enough to inline.
            var thread = _thread!;
            if (AmbientContext.IsThisThreads(thread))
            {
                AmbientContext.LeaveThreadStage(thread, request, _name, _previousThreadRequest, _previousThreadStage);
                request.RecordCall(thread, _name, _startTimestamp, end - _startTimestamp);
                return;
            }
        }

        DisposeOther(request, end);
    }

    /// <summary>A synchronous stage nobody traces: it changed only its thread's current stage (the generated wrapper's usual case).</summary>
    private bool IsUntracedSynchronous => _mode == ModeThreadOnly && _activity is null;

    /// <summary>Ends a stage that changed the flow's frame, is detached or has a span, or a synchronous one disposed on another thread.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void DisposeOther(RequestState request, long end)
    {
        if (IsUntracedSynchronous)
        {
            // Disposed on another thread than the one that began it: that thread's state is not touched.
            var thread = AmbientContext.LeaveThreadStage(request, _name, _previousThreadRequest, _previousThreadStage);
            request.RecordCall(thread, _name, _startTimestamp, end - _startTimestamp);
            return;
        }

        LeaveSynchronousPart(completedSynchronously: true);
        Record(request, end);
    }

    /// <summary>Ends the stage from a continuation, after the synchronous part was left.</summary>
    internal void Finish(Exception? exception)
    {
        if (_request is null)
        {
            return;
        }

        var end = _request.GetTimestamp();
        if (exception is not null)
        {
            Fail(exception);
        }

        Record(_request, end);
    }

    /// <summary>Records the call's duration (status comes from <see cref="Fail(Exception)"/> marks) and stops its span.</summary>
    private void Record(RequestState request, long endTimestamp)
    {
        request.RecordStage(_name, _startTimestamp, endTimestamp - _startTimestamp, OperationStatus.Success, null);
        if (_activity is not null)
        {
            MonitorTracing.StopStage(_activity, request, _name);
        }
    }

    /// <summary>
    /// Undoes the ambient changes made when the stage began. When the stage's work is still running
    /// asynchronously, its body keeps the frame that names this stage and the caller gets a fresh one.
    /// </summary>
    internal void LeaveSynchronousPart(bool completedSynchronously)
    {
        var request = _request!;
        if (_mode == ModeDetached)
        {
            // Nothing ambient was changed when the stage began.
            return;
        }

        if (_activity is not null)
        {
            MonitorTracing.Leave(_activity);
        }

        AmbientContext.LeaveThreadStage(request, _name, _previousThreadRequest, _previousThreadStage);
        if (_mode == ModeThreadOnly)
        {
            return;
        }

        var frame = _frame!;
        var current = AmbientContext.Frame;

        // The flow's frame is this request's unless the request ended (its scope cleared the frame) or the flow went on
        // to another request: a scope that outlived its request must leave that flow as it is.
        var flowIsThisRequest = current is not null && ReferenceEquals(current.Request, request);
        if (_mode == ModeClaimedFrame)
        {
            if (completedSynchronously && ReferenceEquals(current, frame) && !frame.Detached)
            {
                frame.StageName = _previousFrameStage;
                AmbientContext.Release(frame);
                return;
            }

            // The body (or a nested asynchronous stage) still runs with the frame it captured.
            frame.Detached = true;
            AmbientContext.Release(frame);
            if (flowIsThisRequest)
            {
                current!.Detached = true;
                AmbientContext.Frame = new AmbientFrame(request, _previousFrameStage);
            }

            return;
        }

        // Pushed frame: the body keeps its own frame; the caller returns to the frame it had.
        frame.Detached = true;
        if (flowIsThisRequest)
        {
            AmbientContext.Frame = _previousFrame;
        }
    }
}
