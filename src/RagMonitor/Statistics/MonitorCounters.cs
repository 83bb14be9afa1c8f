namespace RagMonitor;

/// <summary>Counters of a <see cref="PerformanceMonitor"/> since it was created.</summary>
/// <param name="RequestsInFlight">Requests started and not yet ended nor abandoned.</param>
/// <param name="RequestsCompleted">Requests ended.</param>
/// <param name="StagesOutsideRequests">Stages begun with no active request (not recorded).</param>
/// <param name="CallbackFailures">Exceptions thrown by event handlers (contained).</param>
/// <param name="InternalErrors">Unexpected errors inside the monitor (contained).</param>
/// <param name="LogRecordsWritten">JSONL records written.</param>
/// <param name="LogRecordsDropped">JSONL records not written: the queue was full, the sink was closed, a write failed for
/// good, or the sink gave up at close (see <see cref="LogRecordsGivenUpAtClose"/>). After a flush or dispose,
/// <c>LogRecordsWritten + LogRecordsDropped + LogRecordsPending = RequestsCompleted</c> for a monitor that writes logs.</param>
/// <param name="LogWriteFailures">Failed write attempts (the records are retried).</param>
/// <param name="LogRecordsPending">Records queued and not yet written.</param>
public sealed record MonitorCounters(
    long RequestsInFlight,
    long RequestsCompleted,
    long StagesOutsideRequests,
    long CallbackFailures,
    long InternalErrors,
    long LogRecordsWritten,
    long LogRecordsDropped,
    long LogWriteFailures,
    long LogRecordsPending)
{
    /// <summary>
    /// Metadata values and request ids whose conversion to text threw, process-wide (recorded as the placeholder
    /// <c>"&lt;error: ExceptionType&gt;"</c>; the user's code ran regardless).
    /// </summary>
    public long MetadataConversionFailures { get; init; }

    /// <summary>
    /// Requests of the explicit API that were never ended and were forgotten because
    /// <see cref="PerformanceMonitorOptions.MaxRequestsInFlight"/> was reached (the oldest goes first). They are not
    /// written and not counted in <see cref="MonitorCounters.RequestsCompleted"/> nor in <see cref="MonitorCounters.RequestsInFlight"/>.
    /// </summary>
    public long RequestsAbandoned { get; init; }

    /// <summary>
    /// Of <see cref="MonitorCounters.LogRecordsDropped"/>: records still queued or being written when a dispose (or the
    /// flush at process exit) ran out of time. A record whose write was in progress may still reach the file.
    /// </summary>
    public long LogRecordsGivenUpAtClose { get; init; }

    /// <summary>
    /// Times the writer refused to open a log file because it was a symbolic link or not a regular file (the records
    /// stay queued and are retried, like any other write failure; logged once).
    /// </summary>
    public long LogFilesRefused { get; init; }
}
