namespace RagMonitor;

/// <summary>A snapshot of a monitor's live statistics.</summary>
public sealed class MonitorStatistics
{
    internal MonitorStatistics(MonitorCounters counters)
    {
        Counters = counters;
    }

    /// <summary>The monitor's counters.</summary>
    public MonitorCounters Counters { get; }
}
