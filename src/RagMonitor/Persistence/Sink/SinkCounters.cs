using System;
using System.Threading;

namespace RagMonitor;

/// <summary>
/// The counts of a <see cref="JsonlSink"/>: accepted records, and how each one ended (written, or dropped). Pending is
/// accepted minus finished, so written + dropped + pending = accepted, at every moment. Once a close gave up on what was
/// left (<see cref="GiveUpPending"/>), the counts are final: a write still in progress changes them no more.
/// </summary>
internal sealed class SinkCounters
{
    private readonly object _gate = new();
    private long _accepted;
    private long _finished;
    private long _written;
    private long _dropped;
    private long _writeFailures;
    private long _givenUpAtClose;
    private long _filesRefused;
    private int _givenUp;

    internal long Accepted => Interlocked.Read(ref _accepted);

    internal long Finished => Interlocked.Read(ref _finished);

    internal long Written => Interlocked.Read(ref _written);

    internal long Dropped => Interlocked.Read(ref _dropped);

    internal long WriteFailures => Interlocked.Read(ref _writeFailures);

    internal long GivenUpAtClose => Interlocked.Read(ref _givenUpAtClose);

    internal long FilesRefused => Interlocked.Read(ref _filesRefused);

    internal long Pending => Math.Max(0, Interlocked.Read(ref _accepted) - Interlocked.Read(ref _finished));

    /// <summary>Whether a close gave up on the records left (the counts are final).</summary>
    internal bool GivenUp => Volatile.Read(ref _givenUp) != 0;

    /// <summary>
    /// Accepts one record unless <paramref name="capacity"/> records are already pending (then counts a drop). The check
    /// and the increment are not one atomic step: under contention the pending count may exceed the capacity by at most
    /// the number of threads accepting at that instant. It stays bounded.
    /// </summary>
    internal bool TryAccept(int capacity)
    {
        if (Volatile.Read(ref _accepted) - Volatile.Read(ref _finished) >= capacity)
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }

        Interlocked.Increment(ref _accepted);
        return true;
    }

    /// <summary>Counts a record dropped before it was accepted (the queue was full or closed, or the monitor failed first).</summary>
    internal void CountRefused() => Interlocked.Increment(ref _dropped);

    internal void CountWriteFailure() => Interlocked.Increment(ref _writeFailures);

    internal void CountFileRefused() => Interlocked.Increment(ref _filesRefused);

    /// <summary>Counts accepted records written and dropped by the writer (or at close); nothing once the counts are final.</summary>
    internal void Settle(long written, long dropped)
    {
        if (written == 0 && dropped == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_givenUp != 0)
            {
                return;
            }

            if (written != 0)
            {
                Interlocked.Add(ref _written, written);
            }

            if (dropped != 0)
            {
                Interlocked.Add(ref _dropped, dropped);
            }

            Interlocked.Add(ref _finished, written + dropped);
        }
    }

    /// <summary>
    /// Counts every accepted record not yet written as dropped and given up at close, once, and makes the counts final.
    /// Returns how many were given up (0 when it already ran).
    /// </summary>
    internal long GiveUpPending()
    {
        lock (_gate)
        {
            if (_givenUp != 0)
            {
                return 0;
            }

            Volatile.Write(ref _givenUp, 1);
            var pending = Math.Max(0, Interlocked.Read(ref _accepted) - Interlocked.Read(ref _finished));
            Interlocked.Add(ref _dropped, pending);
            Interlocked.Add(ref _givenUpAtClose, pending);
            Interlocked.Add(ref _finished, pending);
            return pending;
        }
    }
}
