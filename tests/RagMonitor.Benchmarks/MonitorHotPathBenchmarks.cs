using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace RagMonitor.Benchmarks;

/// <summary>
/// The runtime's hot path (issue 2): a synchronous stage inside an active request against the floor of
/// two <see cref="Stopwatch.GetTimestamp"/> reads, an async stage that completes synchronously, and a
/// whole three-stage request persisted through the JSONL sink (cost on the caller's thread).
/// </summary>
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(8)]
public class MonitorHotPathBenchmarks
{
    private PerformanceMonitor _monitor = null!;
    private PerformanceMonitor _persistingMonitor = null!;
    private RequestScope _request;
    private string _logDirectory = null!;
    private long _sink;

    [GlobalSetup]
    public void Setup()
    {
        _monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, MeasureResources = false });
        _logDirectory = Path.Combine(Path.GetTempPath(), "ragmon-bench-" + Guid.NewGuid().ToString("N"));
        _persistingMonitor = new PerformanceMonitor(new PerformanceMonitorOptions
        {
            LogDirectory = _logDirectory,
            QueueCapacity = 1 << 20,
            AdaptiveBottlenecks = true,
        });
        _request = _monitor.BeginRequest("bench");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _request.Dispose();
        _monitor.Dispose();
        _persistingMonitor.Dispose();
        try
        {
            Directory.Delete(_logDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The floor: two timestamps around a call.</summary>
    [Benchmark(Baseline = true)]
    public long TwoTimestamps()
    {
        var start = Stopwatch.GetTimestamp();
        Work();
        var end = Stopwatch.GetTimestamp();
        _sink += end - start;
        return _sink;
    }

    /// <summary>A synchronous stage inside an active request.</summary>
    [Benchmark]
    public void SyncStage()
    {
        using var stage = _monitor.BeginStage("retrieval");
        Work();
    }

    /// <summary>An async-shaped stage whose work completed synchronously.</summary>
    [Benchmark]
    public ValueTask<int> AsyncStageCompletedSynchronously()
    {
        var stage = _monitor.BeginAsyncStage("retrieval");
        return stage.Track(new ValueTask<int>(42));
    }

    /// <summary>The same request with no sink: the monitor's own work (summary, bottlenecks, statistics).</summary>
    [Benchmark]
    public void WholeRequestThreeStagesNotPersisted() => ThreeStageRequest(_monitor);

    /// <summary>A whole request: begin, three stages, end (summary, bottlenecks, statistics, queued to the JSONL sink).</summary>
    [Benchmark]
    public void WholeRequestThreeStagesPersisted() => ThreeStageRequest(_persistingMonitor);

    /// <summary>The request every whole-request benchmark runs: begin, three empty synchronous stages, end.</summary>
    internal static void ThreeStageRequest(PerformanceMonitor monitor)
    {
        using var request = monitor.BeginRequest("ask");
        using (monitor.BeginStage("retrieval"))
        {
            Work();
        }

        using (monitor.BeginStage("grading"))
        {
            Work();
        }

        using (monitor.BeginStage("generation"))
        {
            Work();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Work()
    {
    }
}
