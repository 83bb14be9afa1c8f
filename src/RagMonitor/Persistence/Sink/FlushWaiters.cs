using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor;

/// <summary>The callers of <see cref="JsonlSink.FlushAsync"/> waiting for the records accepted before their call to be finished.</summary>
internal sealed class FlushWaiters
{
    private readonly object _gate = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _waiters = new();
    private int _count;

    /// <summary>Whether anyone waits (a cheap read for the writer's loop).</summary>
    internal bool Any => Volatile.Read(ref _count) != 0;

    /// <summary>A task that completes once <see cref="Release"/> sees <paramref name="target"/> records finished.</summary>
    internal Task Add(long target)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((target, done));
            Volatile.Write(ref _count, _waiters.Count);
        }

        return done.Task;
    }

    /// <summary>Lets go the waiters whose records are all finished (<paramref name="finished"/>), or every waiter when <paramref name="all"/>.</summary>
    internal void Release(long finished, bool all)
    {
        List<TaskCompletionSource>? ready = null;
        lock (_gate)
        {
            if (_waiters.Count == 0)
            {
                return;
            }

            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (all || _waiters[i].Target <= finished)
                {
                    (ready ??= new List<TaskCompletionSource>()).Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }

            Volatile.Write(ref _count, _waiters.Count);
        }

        if (ready is not null)
        {
            foreach (var done in ready)
            {
                done.TrySetResult();
            }
        }
    }
}
