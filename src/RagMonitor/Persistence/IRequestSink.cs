using System;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor;

/// <summary>Where a monitor hands finished requests. Implementations never block the caller and never throw from <c>TryEnqueue</c>.</summary>
internal interface IRequestSink : IAsyncDisposable
{
    /// <summary>
    /// Queues a monitor's pooled record of a finished request; the sink's writer formats it and hands it back to its pool.
    /// Returns <see langword="false"/> (and counts a drop) when the queue is full or the sink is closed; the caller then
    /// keeps the record.
    /// </summary>
    bool TryEnqueue(CompletedRequest record);

    /// <summary>Counts one finished request as dropped that never reached <c>TryEnqueue</c> (the monitor failed before; contained).</summary>
    void CountDropped();

    /// <summary>Completes when everything queued before the call is written (or cancellation).</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>Records written to disk so far.</summary>
    long RecordsWritten { get; }

    /// <summary>Records dropped because the queue was full or the sink was closed.</summary>
    long RecordsDropped { get; }

    /// <summary>Failed attempts to write (for example an unwritable directory); the records stay queued and are retried.</summary>
    long WriteFailures { get; }

    /// <summary>Records queued and not yet written.</summary>
    long RecordsPending { get; }

    /// <summary>Of <see cref="RecordsDropped"/>: records given up because closing ran out of time.</summary>
    long RecordsGivenUpAtClose { get; }

    /// <summary>Times a log file was refused (a symbolic link or not a regular file).</summary>
    long FilesRefused { get; }

    /// <summary>
    /// Stops accepting records and waits at most <paramref name="timeout"/> for what is queued to be written; on time-out
    /// what is left is counted as dropped. Returns <see langword="false"/> on time-out. Never throws.
    /// </summary>
    bool Close(TimeSpan timeout);
}
