using System;

namespace RagMonitor;

/// <summary>Live statistics of a monitor. (Being implemented: histograms, window, process figures.)</summary>
internal sealed class LiveStatistics
{
    internal LiveStatistics(TimeSpan window, TimeProvider timeProvider)
    {
        _ = window;
        _ = timeProvider;
    }

    internal void Record(RequestSummary summary) => _ = summary;

    internal bool TryGetRecentP95(string stageName, int minimumCount, out TimeSpan p95)
    {
        _ = stageName;
        _ = minimumCount;
        p95 = default;
        return false;
    }

    internal MonitorStatistics Snapshot(MonitorCounters counters) => new(counters);
}
