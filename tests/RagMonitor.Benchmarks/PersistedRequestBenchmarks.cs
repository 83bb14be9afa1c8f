using System;
using System.IO;
using BenchmarkDotNet.Attributes;

namespace RagMonitor.Benchmarks;

/// <summary>
/// A whole three-stage request persisted to JSONL, measured on the caller's thread at a rate the writer sustains:
/// each iteration runs 20,000 requests back to back and the queue is drained between iterations (untimed), as in a
/// service whose request rate is below the writer's capacity; every record is written (the cleanup prints the
/// counts). <see cref="Writer"/>: <c>concurrent</c> — the writer drains every 10 ms (the default) on the other core
/// while the requests run; <c>between-iterations</c> — the writer sleeps during the iteration (flush interval 10 min)
/// and writes everything in the untimed drain, which isolates the caller's own work from the other core's activity.
/// <see cref="MonitorHotPathBenchmarks.WholeRequestThreeStagesPersisted"/> measures the overload case instead
/// (requests faster than the writer, the backlog grows for the whole run).
/// Run: dotnet run -c Release --project tests/RagMonitor.Benchmarks -- --filter *PersistedRequest*
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
[WarmupCount(3)]
[IterationCount(20)]
[InvocationCount(20_000)]
public class PersistedRequestBenchmarks
{
    private PerformanceMonitor _monitor = null!;
    private string _logDirectory = null!;

    /// <summary>When the writer runs: <c>concurrent</c> or <c>between-iterations</c>.</summary>
    [Params("concurrent", "between-iterations")]
    public string Writer { get; set; } = "concurrent";

    [GlobalSetup]
    public void Setup()
    {
        _logDirectory = Path.Combine(Path.GetTempPath(), "ragmon-bench-" + Guid.NewGuid().ToString("N"));
        _monitor = new PerformanceMonitor(new PerformanceMonitorOptions
        {
            LogDirectory = _logDirectory,
            QueueCapacity = 1 << 20,
            AdaptiveBottlenecks = true,
            FlushInterval = Writer == "concurrent" ? TimeSpan.FromMilliseconds(10) : TimeSpan.FromMinutes(10),
        });
    }

    [IterationSetup]
    public void DrainQueue()
    {
        if (!_monitor.Flush(TimeSpan.FromSeconds(60)))
        {
            throw new InvalidOperationException("The writer did not drain the queue within 60 s.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _monitor.Flush(TimeSpan.FromSeconds(60));
        var counters = _monitor.GetStatistics().Counters;
        Console.WriteLine($"// persisted requests: {counters.RequestsCompleted} completed, {counters.LogRecordsWritten} written, {counters.LogRecordsDropped} dropped");
        _monitor.Dispose();
        try
        {
            Directory.Delete(_logDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Begin, three stages, end: statistics, bottleneck rules, queued to the JSONL writer.</summary>
    [Benchmark]
    public void WholeRequestThreeStagesPersisted() => MonitorHotPathBenchmarks.ThreeStageRequest(_monitor);
}
