using System;

namespace RagMonitor;

public sealed partial class PerformanceMonitor
{
    /// <summary>
    /// Creates the sink for finished requests: a <see cref="JsonlSink"/> built from this monitor's options, logger and
    /// clock, whose writer records the live statistics of the records this monitor queues without them.
    /// </summary>
    private IRequestSink? CreateSink() => new JsonlSink(Options, Logger, TimeProvider, RecordDeferredStatistics);

    /// <summary>Records a queued record's live statistics (on the sink's writer thread). Never throws.</summary>
    private void RecordDeferredStatistics(CompletedRequest record)
    {
        try
        {
            _statistics.Record(record);
        }
        catch (Exception ex)
        {
            CountInternalError(ex);
        }
    }
}
