using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace RagMonitor;

/// <summary>
/// One flow's view of the ambient request: the request and, inside an asynchronous stage's body, that
/// stage's name. Held in an <see cref="AsyncLocal{T}"/> so it follows awaits and thread hops.
/// </summary>
/// <remarks>
/// The request's own body starts with the <see cref="RequestState"/> itself as its frame (it derives from this
/// class), which saves an object per request; stages that need a frame of their own create one.
/// </remarks>
internal class AmbientFrame
{
    internal AmbientFrame(RequestState request, string? stageName)
    {
        Request = request;
        StageName = stageName;
    }

    /// <summary>The frame of a request's own body: the request state itself.</summary>
    private protected AmbientFrame()
    {
        Request = (RequestState)this;
    }

    internal RequestState Request { get; }

    /// <summary>The stage whose body this flow is (null: the request's own body). Changed only by the claiming thread.</summary>
    internal string? StageName;

    /// <summary>Managed thread id of the thread running an asynchronous stage's synchronous part with this frame; 0 when free.</summary>
    internal int ClaimedBy;

    /// <summary>How deeply the claiming thread has nested claims.</summary>
    internal int ClaimDepth;

    /// <summary>Set once a truly asynchronous stage's body owns this frame: it is never claimed again.</summary>
    internal volatile bool Detached;
}

/// <summary>The ambient request and stage: an async-local frame plus a thread-static stage for synchronous code.</summary>
internal static class AmbientContext
{
    private static readonly AsyncLocal<AmbientFrame?> s_frame = new();

    /// <summary>The stage whose synchronous part this thread is running (one thread-static lookup per access).</summary>
    [ThreadStatic]
    private static ThreadStage? s_threadStage;

    internal static AmbientFrame? Frame
    {
        get => s_frame.Value;
        set => s_frame.Value = value;
    }

    /// <summary>The ambient request of this flow.</summary>
    /// <remarks>
    /// On the hot path of every stage. An execution context is immutable (setting an async-local makes a new one), so
    /// while this thread runs in the same context object as at its last lookup the answer is the same: the thread keeps
    /// that pair and a lookup is then two thread-local reads and a comparison instead of the async-local map lookup.
    /// </remarks>
    internal static RequestState? CurrentRequest => GetCurrentRequest(out _);

    /// <summary>The ambient request of this flow (<see cref="CurrentRequest"/>), and this thread's stage state as the lookup found it (null when it had none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static RequestState? GetCurrentRequest(out ThreadStage? thread)
    {
        var context = ExecutionContext.Capture(); // null while the flow is suppressed: not cached
        var stage = s_threadStage;
        thread = stage;
        if (context is not null && stage is not null && ReferenceEquals(stage.LookupContext, context))
        {
            return stage.LookupRequest;
        }

        return LookUpCurrentRequest(context, stage);
    }

    /// <summary>
    /// Makes <paramref name="request"/> (as its own body's frame) this flow's frame, and this thread's remembered answer
    /// for <see cref="CurrentRequest"/> in the new context, so that the request's stages find it without a lookup.
    /// </summary>
    internal static void EnterRequestBody(RequestState request)
    {
        s_frame.Value = request;
        RememberLookup(ExecutionContext.Capture(), s_threadStage, request);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static RequestState? LookUpCurrentRequest(ExecutionContext? context, ThreadStage? stage)
    {
        var request = s_frame.Value?.Request;
        RememberLookup(context, stage, request);
        return request;
    }

    /// <summary>Keeps (<paramref name="context"/>, <paramref name="request"/>) as this thread's answer for <see cref="CurrentRequest"/>; a suppressed flow's null context is not kept.</summary>
    private static void RememberLookup(ExecutionContext? context, ThreadStage? stage, RequestState? request)
    {
        if (context is null)
        {
            return;
        }

        stage ??= CreateThreadStage();
        stage.LookupRequest = request;
        stage.LookupContext = context;
    }

    /// <summary>This thread's stage state, or <see langword="null"/> when it never ran a stage.</summary>
    internal static ThreadStage? CurrentThreadStage => s_threadStage;

    /// <summary>
    /// Makes (<paramref name="request"/>, <paramref name="name"/>) this thread's current synchronous stage, returns the one
    /// it replaces in <paramref name="previousRequest"/> and <paramref name="previousName"/>, and this thread's stage state
    /// in <paramref name="thread"/> (for <see cref="LeaveThreadStage(ThreadStage, RequestState, string, RequestState?, string?)"/>).
    /// <paramref name="known"/> is this thread's stage state when the caller has it already (it saves a thread-local read).
    /// </summary>
    /// <remarks>
    /// On the hot path of every stage: at most one thread-static read, and reference stores that need no GC write barrier
    /// in the usual case (the request is stored only when it changes; the name of a generated stage is a literal, which
    /// needs none once inlined).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void EnterThreadStage(RequestState request, string name, ThreadStage? known, out RequestState? previousRequest, out string? previousName, out ThreadStage thread)
    {
        var stage = known ?? s_threadStage ?? CreateThreadStage();
        thread = stage;
        var currentName = stage.Name;
        previousName = currentName;
        previousRequest = currentName is null ? null : stage.Request;
        if (!ReferenceEquals(stage.Request, request))
        {
            stage.Request = request;
        }

        stage.Name = name;
    }

    /// <summary>Undoes <see cref="EnterThreadStage"/> when this thread's current stage is still that one; returns this thread's stage state (null when it has none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ThreadStage? LeaveThreadStage(RequestState request, string name, RequestState? previousRequest, string? previousName)
    {
        // Only undo our own entry: a scope disposed on another thread (after an await) must not
        // disturb what that thread is doing.
        var stage = s_threadStage;
        if (stage is not null)
        {
            LeaveThreadStage(stage, request, name, previousRequest, previousName);
        }

        return stage;
    }

    /// <summary>
    /// Undoes <see cref="EnterThreadStage"/> on
    /// <paramref name="stage"/>, which must be this thread's stage state, when its current stage is still that one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LeaveThreadStage(ThreadStage stage, RequestState request, string name, RequestState? previousRequest, string? previousName)
    {
        if (!ReferenceEquals(stage.Name, name) || !ReferenceEquals(stage.Request, request))
        {
            return;
        }

        if (previousName is null)
        {
            // The outermost stage (the usual case): no current stage. The request stays behind (not current without a
            // name) so that the next stage of the same request stores nothing; a null needs no GC write barrier.
            stage.Name = null;
            return;
        }

        if (!ReferenceEquals(previousRequest, request))
        {
            stage.Request = previousRequest;
        }

        stage.Name = previousName;
    }

    /// <summary>Whether <paramref name="stage"/> is this thread's stage state.</summary>
    /// <remarks>
    /// A stage's end reads its thread's state from the scope and checks it with this one thread-local read: the
    /// processor reads the state's fields while the check is under way, instead of after a thread-local lookup.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsThisThreads(ThreadStage stage) => ReferenceEquals(s_threadStage, stage);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ThreadStage CreateThreadStage() => s_threadStage = new ThreadStage();

    /// <summary>Finds the stage that metadata added from user code belongs to.</summary>
    internal static bool TryGetCurrentStage(out RequestState request, out string stageName)
    {
        var frame = s_frame.Value;
        var threadStage = s_threadStage;
        var threadRequest = threadStage?.Name is null ? null : threadStage.Request;
        if (threadRequest is not null && (frame is null || ReferenceEquals(frame.Request, threadRequest)) && !threadRequest.IsEnded)
        {
            request = threadRequest;
            stageName = threadStage!.Name!;
            return true;
        }

        if (frame is not null && frame.StageName is { } name && !frame.Request.IsEnded)
        {
            request = frame.Request;
            stageName = name;
            return true;
        }

        request = null!;
        stageName = null!;
        return false;
    }

    /// <summary>Claims <paramref name="frame"/> for an asynchronous stage's synchronous part, or returns false if another thread holds it or it is detached.</summary>
    internal static bool TryClaim(AmbientFrame frame)
    {
        if (frame.Detached)
        {
            return false;
        }

        var thread = Environment.CurrentManagedThreadId;
        if (Volatile.Read(ref frame.ClaimedBy) == thread)
        {
            frame.ClaimDepth++;
            return true;
        }

        if (Interlocked.CompareExchange(ref frame.ClaimedBy, thread, 0) == 0)
        {
            frame.ClaimDepth = 1;
            return true;
        }

        return false;
    }

    internal static void Release(AmbientFrame frame)
    {
        if (--frame.ClaimDepth == 0)
        {
            Volatile.Write(ref frame.ClaimedBy, 0);
        }
    }
}

/// <summary>
/// A thread's current synchronous stage, and the synchronous stage calls it ended and has not yet added to their
/// request (one instance per thread).
/// </summary>
/// <remarks>
/// Ending a synchronous stage is the hottest path of the library. Adding the call to the request under the request's
/// lock costs an interlocked operation per call; instead a thread keeps the calls it ends for one request in
/// <see cref="PendingCalls"/>, written by this thread alone without any interlocked operation, and the request adds
/// them to its stages whenever it reads them (a summary, a snapshot, its end: <see cref="RequestState"/>) or when the
/// thread moves on to another request. Readers hold the request's lock; against this thread's own updates they use
/// <see cref="PendingVersion"/> as a sequence lock (odd while an update is under way; a reader retries). A thread
/// keeps its last request reachable until the request ends on this thread or the thread records for another one.
/// </remarks>
internal sealed class ThreadStage
{
    /// <summary>How many stage names a thread keeps pending for its request; further names take the request's lock.</summary>
    internal const int PendingCapacity = 4;

    /// <summary>The request of the current stage; only meaningful while <see cref="Name"/> is set (afterwards the last one, kept to save stores).</summary>
    internal RequestState? Request;

    /// <summary>The current synchronous stage's name; <see langword="null"/> when this thread runs none.</summary>
    internal string? Name;

    /// <summary>The request whose calls <see cref="PendingCalls"/> holds (changed only under that request's lock).</summary>
    internal RequestState? PendingRequest;

    /// <summary>The pending calls, one entry per stage name instance; entries below <see cref="PendingCount"/> are in use.</summary>
    internal readonly PendingStageCalls[] PendingCalls = new PendingStageCalls[PendingCapacity];

    /// <summary>Entries in use (published after the entry is written).</summary>
    internal int PendingCount;

    /// <summary>Sequence lock of the entries: odd while this thread updates one.</summary>
    internal int PendingVersion;

    /// <summary>The execution context of this thread's last <see cref="AmbientContext.CurrentRequest"/> lookup.</summary>
    internal ExecutionContext? LookupContext;

    /// <summary>What that lookup found (the ambient request in <see cref="LookupContext"/>).</summary>
    internal RequestState? LookupRequest;
}

/// <summary>The calls of one stage that a thread ended and has not yet added to their request.</summary>
internal struct PendingStageCalls
{
    internal string Name;
    internal long FirstStartTimestamp;
    internal long ElapsedStopwatchTicks;
    internal int Calls;
}
