using System;

namespace RagMonitor;

public sealed partial class PerformanceMonitor
{
    /// <summary>
    /// Creates the sink for finished requests: a <see cref="JsonlSink"/> built from this monitor's options, logger and
    /// clock, whose writer records the live statistics of the records this monitor queues without them, and builds the
    /// records of the sealed requests it queues (<see cref="BuildQueuedRecord"/>).
    /// </summary>
    /// <remarks>
    /// The sink holds this monitor only weakly (a queued sealed request holds it strongly through its state until the
    /// writer takes it): a monitor that is dropped without <see cref="Dispose"/> can be collected; its writer then writes
    /// what is left and stops.
    /// </remarks>
    private IRequestSink? CreateSink()
    {
        var self = new WeakReference<object>(this);
        return new JsonlSink(
            _options,
            _logger,
            _timeProvider,
            record =>
            {
                if (self.TryGetTarget(out var owner))
                {
                    ((PerformanceMonitor)owner).RecordDeferredStatistics(record);
                }
            },
            static state => state.Monitor.BuildQueuedRecord(state),
            self);
    }

    /// <summary>
    /// Builds the record of a request queued sealed (see <see cref="Complete"/>), on the sink's writer thread (or on
    /// any thread when the sink closes, or on the request's thread when the queue refused it): copies its figures,
    /// applies the bottleneck rules and records its live statistics. Never throws.
    /// </summary>
    private CompletedRequest BuildQueuedRecord(RequestState state)
    {
        var record = _records.Rent();
        try
        {
            state.CopySealedInto(record);
            MarkBottlenecks(record, completed: true);
            _statistics.Record(record);
        }
        catch (Exception ex)
        {
            CountInternalError(ex);
        }

        return record;
    }

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
