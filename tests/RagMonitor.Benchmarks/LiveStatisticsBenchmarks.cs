using System;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace RagMonitor.Benchmarks;

/// <summary>
/// The cost of the live statistics on the request's thread: one <see cref="DurationHistogram"/> record, and
/// <c>LiveStatistics.Record</c> for a finished request with three stages (what <c>PerformanceMonitor</c> calls
/// once per request), plus the adaptive rule's p95 look-up and a full snapshot for scale.
/// Run: <c>dotnet run -c Release --project tests/RagMonitor.Benchmarks -- --filter '*Statistic*'</c>.
/// </summary>
[MemoryDiagnoser]
public class LiveStatisticsBenchmarks
{
    private const int ValueCount = 1024;
    private readonly TimeSpan[] _durations = new TimeSpan[ValueCount];
    private DurationHistogram _histogram = null!;
    private LiveStatistics _statistics = null!;
    // What PerformanceMonitor hands to the statistics when a request ends.
    private CompletedRequest _record = null!;
    private CompletedRequest _recordWithBottleneck = null!;
    private MonitorCounters _counters = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        for (var i = 0; i < ValueCount; i++)
        {
            // Log-normal around 200 ms: realistic stage durations spread over several histogram ranges.
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            _durations[i] = TimeSpan.FromMilliseconds(200 * Math.Exp(normal));
        }

        _histogram = new DurationHistogram();
        foreach (var duration in _durations)
        {
            _histogram.Record(duration);
        }

        _statistics = new LiveStatistics(TimeSpan.FromMinutes(5), TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        _record = Record(now, bottleneck: false);
        _recordWithBottleneck = Record(now, bottleneck: true);
        for (var i = 0; i < 1000; i++)
        {
            _statistics.Record(_record);
            _statistics.Record(_recordWithBottleneck);
        }

        _counters = new MonitorCounters(0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /// <summary>The floor of timing anything: two timestamps (for comparison).</summary>
    [Benchmark]
    public long TwoTimestamps()
    {
        var start = Stopwatch.GetTimestamp();
        return Stopwatch.GetTimestamp() - start;
    }

    /// <summary>One value into a histogram (values vary over several ranges).</summary>
    [Benchmark]
    public void HistogramRecord()
    {
        _histogram.Record(_durations[_next++ & (ValueCount - 1)]);
    }

    /// <summary>A finished request with three stages into the live statistics (no bottleneck).</summary>
    [Benchmark]
    public void StatisticsRecordThreeStages() => _statistics.Record(_record);

    /// <summary>The same with one stage flagged as a bottleneck.</summary>
    [Benchmark]
    public void StatisticsRecordThreeStagesWithBottleneck() => _statistics.Record(_recordWithBottleneck);

    /// <summary>The adaptive rule's look-up for one stage (cached p95), as done per stage when a request ends.</summary>
    [Benchmark]
    public bool StatisticsRecentP95() => _statistics.TryGetRecentP95("retrieval", 50, out _);

    /// <summary>p95 of a histogram holding 1,024 log-normal values.</summary>
    [Benchmark]
    public TimeSpan HistogramPercentile() => _histogram.GetPercentile(95);

    /// <summary>A full snapshot (GetStatistics) of one request name with three stages; on demand, not per request.</summary>
    [Benchmark]
    public MonitorStatistics StatisticsSnapshot() => _statistics.Snapshot(_counters);

    private static CompletedRequest Record(DateTimeOffset now, bool bottleneck)
    {
        var total = TimeSpan.FromMilliseconds(1000);
        var record = new CompletedRequest(new CompletedRequestPool(1))
        {
            RequestName = "ask",
            RequestId = "r1",
            StartTime = now - total,
            TotalTime = total,
            BottleneckCount = bottleneck ? 1 : 0,
        };
        var stages = record.ResizeStages(3);
        stages[0] = new CompletedStage { Name = "retrieval", Duration = TimeSpan.FromMilliseconds(200), Calls = 1, Share = 0.2 };
        stages[1] = new CompletedStage { Name = "grading", Duration = TimeSpan.FromMilliseconds(150), Calls = 1, Share = 0.15 };
        stages[2] = new CompletedStage
        {
            Name = "generation",
            Duration = TimeSpan.FromMilliseconds(bottleneck ? 600 : 250),
            Calls = 1,
            Share = bottleneck ? 0.6 : 0.25,
            IsBottleneck = bottleneck,
        };
        return record;
    }
}
