using System;
using System.Threading.Tasks;

namespace RagMonitor.AI;

/// <summary>
/// Starts a call inside a running asynchronous stage the way the generated wrappers do: a call that throws before
/// returning its task fails and ends the stage (the same exception propagates), otherwise the stage lasts until the task
/// completes. The state argument and a static delegate keep the call free of closures.
/// </summary>
internal static class StageCall
{
    internal static Task<TResult> Track<TState, TResult>(in StageScope stage, TState state, Func<TState, Task<TResult>> start)
    {
        Task<TResult> task;
        var started = false;
        try
        {
            task = start(state);
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

        return stage.Track(task);
    }
}
