using System;
using System.Collections.Concurrent;
using System.Threading;

namespace RagMonitor;

/// <summary>
/// The hand-off between the threads that end requests and a sink's writer: an unbounded queue (the bound is
/// <see cref="SinkCounters.TryAccept"/>'s) that never blocks, and the writer's wake-up policy. The writer wakes on its
/// own schedule, never per record (waking a parked thread costs the producer microseconds); only a writer that went idle
/// (<see cref="TryGoIdle"/>) is woken, once, by the next record.
/// </summary>
internal sealed class SinkQueue : IDisposable
{
    private readonly ConcurrentQueue<CompletedRequest> _items = new();
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 1);
    private int _idle;
    private int _closed;

    /// <summary>Whether the queue takes no more records (the sink is closing, or its writer stopped).</summary>
    internal bool IsClosed => Volatile.Read(ref _closed) != 0;

    internal bool IsEmpty => _items.IsEmpty;

    /// <summary>Closes the queue; returns <see langword="true"/> for the call that closed it.</summary>
    internal bool Close() => Interlocked.Exchange(ref _closed, 1) == 0;

    /// <summary>Adds an accepted record; wakes the writer only when it went idle.</summary>
    internal void Add(CompletedRequest record)
    {
        _items.Enqueue(record);
        if (Volatile.Read(ref _idle) != 0 && Interlocked.Exchange(ref _idle, 0) != 0)
        {
            _wake.Set();
        }
    }

    internal bool TryTake(out CompletedRequest record) => _items.TryDequeue(out record!);

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
    /// a record arrived meanwhile or <paramref name="flushWaiting"/>.
    /// </summary>
    internal bool TryGoIdle(bool flushWaiting)
    {
        Interlocked.Exchange(ref _idle, 1);
        if (!_items.IsEmpty || flushWaiting)
        {
            // A record arrived between the last drain and going idle (Add may not have seen the flag).
            Volatile.Write(ref _idle, 0);
            return false;
        }

        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _wake.Dispose();
}
