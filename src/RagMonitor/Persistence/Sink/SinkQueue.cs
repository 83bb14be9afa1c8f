using System;
using System.Collections.Generic;
using System.Threading;

namespace RagMonitor;

/// <summary>
/// The hand-off between the threads that end requests and a sink's writer, and the writer's wake-up policy.
/// </summary>
/// <remarks>
/// <para>
/// Two lists swap places: request threads append to the filling list under a lock held for one <see cref="List{T}.Add"/>;
/// the writer takes the whole filling list at once (<see cref="TakeAll"/>), leaving its emptied previous batch in its place,
/// and formats the batch without the lock. Both lists keep their capacity, so after warm-up the hand-off allocates
/// nothing (a growing concurrent queue allocates new segments, large ones on the large-object heap, which costs the
/// request threads collections). The bound is <see cref="SinkCounters.TryAccept"/>'s.
/// </para>
/// <para>
/// The writer wakes on its own schedule, never per record (waking a parked thread costs the producer microseconds); only
/// a writer that went idle (<see cref="TryGoIdle"/>) is woken, once, by the next record. Both decisions are taken under
/// the lock, so a record can never slip in unnoticed between the writer's last look and its going idle.
/// </para>
/// </remarks>
internal sealed class SinkQueue : IDisposable
{
    private readonly object _gate = new();
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 1);
    private List<CompletedRequest> _filling = new();
    private bool _idle;
    private int _closed;

    /// <summary>Whether the queue takes no more records (the sink is closing, or its writer stopped).</summary>
    internal bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Whether no record waits in the filling list.</summary>
    internal bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _filling.Count == 0;
            }
        }
    }

    /// <summary>Closes the queue; returns <see langword="true"/> for the call that closed it.</summary>
    internal bool Close() => Interlocked.Exchange(ref _closed, 1) == 0;

    /// <summary>Adds an accepted record; wakes the writer only when it went idle.</summary>
    internal void Add(CompletedRequest record)
    {
        bool wake;
        lock (_gate)
        {
            _filling.Add(record);
            wake = _idle;
            _idle = false;
        }

        if (wake)
        {
            _wake.Set();
        }
    }

    /// <summary>
    /// Takes every record queued so far, in order: returns the filling list and puts <paramref name="emptied"/> (an empty
    /// list, the previous batch) in its place.
    /// </summary>
    internal List<CompletedRequest> TakeAll(List<CompletedRequest> emptied)
    {
        lock (_gate)
        {
            var taken = _filling;
            _filling = emptied;
            return taken;
        }
    }

    /// <summary>Removes every queued record (the writer has stopped; any thread) and returns how many there were.</summary>
    internal int DiscardAll()
    {
        lock (_gate)
        {
            var count = _filling.Count;
            _filling.Clear();
            return count;
        }
    }

    /// <summary>Wakes the writer now (a flush, or a close).</summary>
    internal void Wake() => _wake.Set();

    /// <summary>The writer waits until woken or <paramref name="timeout"/> has passed.</summary>
    internal void Wait(TimeSpan timeout)
    {
        _wake.Wait(timeout);
        _wake.Reset();
    }

    /// <summary>
    /// The writer goes idle: the next <see cref="Add"/> wakes it. Returns <see langword="false"/> (and stays awake) when
    /// a record is queued or <paramref name="flushWaiting"/>.
    /// </summary>
    internal bool TryGoIdle(bool flushWaiting)
    {
        lock (_gate)
        {
            if (_filling.Count != 0 || flushWaiting)
            {
                return false;
            }

            _idle = true;
            return true;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _wake.Dispose();
}
