namespace RagMonitor;

/// <summary>Counters of a <see cref="PerformanceMonitor"/> since it was created.</summary>
/// <param name="RequestsInFlight">Requests started and not yet ended.</param>
/// <param name="RequestsCompleted">Requests ended.</param>
/// <param name="StagesOutsideRequests">Stages begun with no active request (not recorded).</param>
/// <param name="CallbackFailures">Exceptions thrown by event handlers (contained).</param>
/// <param name="InternalErrors">Unexpected errors inside the monitor (contained).</param>
/// <param name="LogRecordsWritten">JSONL records written.</param>
/// <param name="LogRecordsDropped">JSONL records dropped because the queue was full.</param>
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
}
