using System;
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

    internal static RequestState? CurrentRequest => s_frame.Value?.Request;

    internal static void EnterThreadStage(RequestState request, string name, out RequestState? previousRequest, out string? previousName)
    {
        var stage = s_threadStage ??= new ThreadStage();
        previousRequest = stage.Request;
        previousName = stage.Name;
        stage.Request = request;
        stage.Name = name;
    }

    internal static void LeaveThreadStage(RequestState request, string name, RequestState? previousRequest, string? previousName)
    {
        // Only undo our own entry: a scope disposed on another thread (after an await) must not
        // disturb what that thread is doing.
        var stage = s_threadStage;
        if (stage is not null && ReferenceEquals(stage.Request, request) && ReferenceEquals(stage.Name, name))
        {
            stage.Request = previousRequest;
            stage.Name = previousName;
        }
    }

    /// <summary>Finds the stage that metadata added from user code belongs to.</summary>
    internal static bool TryGetCurrentStage(out RequestState request, out string stageName)
    {
        var frame = s_frame.Value;
        var threadStage = s_threadStage;
        var threadRequest = threadStage?.Request;
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

/// <summary>A thread's current synchronous stage (mutable, one instance per thread).</summary>
internal sealed class ThreadStage
{
    internal RequestState? Request;
    internal string? Name;
}
