using System;

namespace RagMonitor;

/// <summary>Which period a figure covers.</summary>
public enum StatisticsPeriod
{
    /// <summary>Since the monitor was created.</summary>
    Lifetime = 0,

    /// <summary>
    /// The sliding window (<see cref="PerformanceMonitorOptions.StatisticsWindow"/>, default 5 minutes). It is kept
    /// as ten sub-windows, so a value leaves it between 0.9 and 1 window length after its request ended.
    /// </summary>
    Window = 1,
}

/// <summary>
/// Timing figures of one request name or one stage over one period: counts, outcome counts, mean, percentiles,
/// maximum, share of request time and bottleneck count. Percentiles come from a <see cref="DurationHistogram"/>
/// (nearest rank, within <see cref="DurationHistogram.MaxRelativeError"/>); count, mean, minimum and maximum are exact.
/// </summary>
public sealed class TimingStatistics
{
    internal TimingStatistics(DurationHistogram histogram, in StatisticsCounters counters, TimingKind kind)
    {
        var isStage = kind == TimingKind.Stage;
        Histogram = histogram;
        Count = histogram.Count;
        Failures = counters.Failures;
        Cancelled = counters.Cancelled;
        Calls = isStage ? Count + counters.ExtraCalls : Count;
        BottleneckCount = counters.Bottlenecks;
        Total = histogram.Total;
        Mean = histogram.Mean;
        Min = histogram.Min;
        Max = histogram.Max;
        P50 = histogram.GetPercentile(50);
        P90 = histogram.GetPercentile(90);
        P95 = histogram.GetPercentile(95);
        P99 = histogram.GetPercentile(99);
        if (isStage)
        {
            RequestTime = TimeSpan.FromTicks(counters.RequestTicks);
            Share = counters.RequestTicks > 0 ? Math.Min(1d, (double)Total.Ticks / counters.RequestTicks) : 0d;
        }
        else
        {
            RequestTime = Total;
            Share = Count > 0 ? 1d : 0d;
            if (kind == TimingKind.RequestWithResources)
            {
                AllocatedBytes = counters.AllocatedBytes;
                MeanAllocatedBytes = Count > 0 ? counters.AllocatedBytes / Count : 0;
                GcCollections = counters.GcCollections;
            }
        }
    }

    /// <summary>
    /// For a request name: how many requests ended. For a stage: in how many requests it ran (a stage called
    /// several times in one request counts once here, with its durations summed; see <see cref="Calls"/>).
    /// </summary>
    public long Count { get; }

    /// <summary>How many of them ended with <see cref="OperationStatus.Failure"/>.</summary>
    public long Failures { get; }

    /// <summary>How many of them ended with <see cref="OperationStatus.Cancelled"/>.</summary>
    public long Cancelled { get; }

    /// <summary>How many of them succeeded (<see cref="Count"/> − <see cref="Failures"/> − <see cref="Cancelled"/>).</summary>
    public long Successes => Math.Max(0, Count - Failures - Cancelled);

    /// <summary>The fraction (0–1) that failed; 0 when <see cref="Count"/> is 0.</summary>
    public double FailureRate => Count == 0 ? 0d : (double)Failures / Count;

    /// <summary>For a stage, the total number of calls (at least <see cref="Count"/>); for a request name, equal to <see cref="Count"/>.</summary>
    public long Calls { get; }

    /// <summary>
    /// For a stage: how often it was flagged as a bottleneck (by any rule). For a request name: how many of its
    /// requests had at least one bottleneck.
    /// </summary>
    public long BottleneckCount { get; }

    /// <summary>The summed duration.</summary>
    public TimeSpan Total { get; }

    /// <summary>The mean duration.</summary>
    public TimeSpan Mean { get; }

    /// <summary>The shortest duration (exact).</summary>
    public TimeSpan Min { get; }

    /// <summary>The median duration.</summary>
    public TimeSpan P50 { get; }

    /// <summary>The 90th percentile duration.</summary>
    public TimeSpan P90 { get; }

    /// <summary>The 95th percentile duration.</summary>
    public TimeSpan P95 { get; }

    /// <summary>The 99th percentile duration.</summary>
    public TimeSpan P99 { get; }

    /// <summary>The longest duration (exact).</summary>
    public TimeSpan Max { get; }

    /// <summary>
    /// For a stage: <see cref="Total"/> divided by the summed total time of the same requests (<see cref="RequestTime"/>),
    /// 0–1 (stages that run in parallel can together exceed 1; one stage is capped at 1). For a request name: 1 (0 when empty).
    /// </summary>
    public double Share { get; }

    /// <summary>The summed total time of the requests counted here (the denominator of <see cref="Share"/>).</summary>
    public TimeSpan RequestTime { get; }

    /// <summary>
    /// For a request name, the managed bytes allocated in the process while its requests ran, summed
    /// (<see cref="RequestSummary.AllocatedBytes"/>); <see langword="null"/> for stages and when the monitor does
    /// not measure resources (<see cref="PerformanceMonitorOptions.MeasureResources"/>). The figure is process-wide:
    /// while requests overlap, each one's figure includes the others' allocations, so the sum counts them more than
    /// once. It is exact for requests that run one at a time.
    /// </summary>
    public long? AllocatedBytes { get; }

    /// <summary><see cref="AllocatedBytes"/> divided by <see cref="Count"/> (same caveat under concurrency).</summary>
    public long? MeanAllocatedBytes { get; }

    /// <summary>
    /// For a request name, the GC collections (all generations) in the process while its requests ran, summed
    /// (<see cref="RequestSummary.GcCollections"/>); <see langword="null"/> as for <see cref="AllocatedBytes"/>.
    /// </summary>
    public long? GcCollections { get; }

    /// <summary>
    /// The histogram these figures were computed from: a copy owned by this snapshot, for other percentiles
    /// (<see cref="DurationHistogram.GetPercentile(double)"/>) or merging.
    /// </summary>
    public DurationHistogram Histogram { get; }

    /// <summary>One line: count, failures, mean, p50, p95, p99, max, share, bottlenecks.</summary>
    public override string ToString() =>
        $"count {Count}, failures {Failures}, cancelled {Cancelled}, mean {StatisticsFormat.Duration(Mean)}, p50 {StatisticsFormat.Duration(P50)}, " +
        $"p95 {StatisticsFormat.Duration(P95)}, p99 {StatisticsFormat.Duration(P99)}, max {StatisticsFormat.Duration(Max)}, " +
        $"share {StatisticsFormat.Share(Share)}, bottlenecks {BottleneckCount}";
}

/// <summary>What a <see cref="TimingStatistics"/> describes.</summary>
internal enum TimingKind
{
    Request,
    RequestWithResources,
    Stage,
}

/// <summary>Outcome and share counters kept beside a histogram.</summary>
internal struct StatisticsCounters
{
    public long Failures;
    public long Cancelled;
    public long Bottlenecks;
    public long ExtraCalls;
    public long RequestTicks;
    public long AllocatedBytes;
    public long GcCollections;

    public void Add(in StatisticsCounters other)
    {
        Failures += other.Failures;
        Cancelled += other.Cancelled;
        Bottlenecks += other.Bottlenecks;
        ExtraCalls += other.ExtraCalls;
        RequestTicks += other.RequestTicks;
        AllocatedBytes += other.AllocatedBytes;
        GcCollections += other.GcCollections;
    }
}
