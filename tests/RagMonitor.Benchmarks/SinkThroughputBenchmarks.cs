using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace RagMonitor.Benchmarks;

/// <summary>
/// Throughput of the JSONL sink: how many finished requests (three stages each, realistic metadata, ~500 bytes a
/// line) per second it writes to disk. Each invocation writes <see cref="Records"/> records into a fresh
/// directory, waits until all are on disk, and fails if any was dropped. Reported time is per record, so
/// records/s = 1e9 / Mean(ns).
/// </summary>
/// <remarks>
/// <c>SinkOnly</c>: summaries are built before the run; the caller enqueues them as fast as it can and the single
/// writer thread serializes and appends them (queue capacity = <see cref="Records"/>, so none may be dropped).
/// <c>MonitorEndToEnd</c>: the same through <see cref="PerformanceMonitor"/> (BeginRequest + three BeginStage with
/// metadata) on one caller thread while the writer runs on the other core.
/// <c>SerializeOnly</c>: the formatter alone into a reused buffer (no queue, no disk).
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10, invocationCount: 1)]
public class SinkThroughputBenchmarks
{
    /// <summary>Records per invocation.</summary>
    public const int Records = 200_000;

    /// <summary>Records per second offered by <see cref="Sustained300kPerSecond"/>.</summary>
    public const int SustainedRate = 300_000;

    private RequestSummary[] _summaries = Array.Empty<RequestSummary>();
    private string _root = string.Empty;
    private string _directory = string.Empty;
    private int _iteration;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "ragmon-sink-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        _summaries = BuildSummaries(Records);

        // Steady state: let tiered compilation finish optimizing the writer's code before anything is measured
        // (the first second of a fresh process runs partly unoptimized code and would count as the sink's rate).
        for (var round = 0; round < 3; round++)
        {
            var warmDirectory = Path.Combine(_root, "warm-up");
            var sink = new JsonlSink(new PerformanceMonitorOptions { LogDirectory = warmDirectory, QueueCapacity = Records });
            foreach (var summary in _summaries)
            {
                sink.TryEnqueue(summary);
            }

            sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Directory.Delete(warmDirectory, recursive: true);
            Thread.Sleep(200);
        }
    }

    [IterationSetup]
    public void IterationSetup()
    {
        _directory = Path.Combine(_root, (_iteration++).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(_directory);
    }

    [IterationCleanup]
    public void IterationCleanup() => Directory.Delete(_directory, recursive: true);

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark(OperationsPerInvoke = Records)]
    public async Task SinkOnly()
    {
        // Process CPU time is printed too: on a machine shared with other work the wall-clock figure depends on
        // how much of a core the writer thread gets; CPU time per record says what it needs.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sink = new JsonlSink(new PerformanceMonitorOptions { LogDirectory = _directory, QueueCapacity = Records });
        var summaries = _summaries;
        for (var i = 0; i < summaries.Length; i++)
        {
            sink.TryEnqueue(summaries[i]);
        }

        await sink.DisposeAsync();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine($"// SinkOnly process CPU per record: {cpu.TotalMilliseconds * 1e6 / Records:F0} ns (=> {Records / cpu.TotalSeconds:F0} records/s per fully used core)");
        Check(sink.RecordsWritten, sink.RecordsDropped);
    }

    /// <summary>
    /// Offers <see cref="SustainedRate"/> records per second for one second (paced by the clock, in bursts every
    /// millisecond) to a sink with the default queue capacity (65,536) and flush interval (10 ms), then drains it.
    /// Throws if a single record was dropped. The mean stays near 1e9 / <see cref="SustainedRate"/> ns when the writer keeps up.
    /// </summary>
    [Benchmark(OperationsPerInvoke = SustainedRate)]
    public async Task Sustained300kPerSecond()
    {
        var sink = new JsonlSink(new PerformanceMonitorOptions { LogDirectory = _directory });
        var summaries = _summaries;
        var start = Stopwatch.GetTimestamp();
        var sent = 0;
        while (sent < SustainedRate)
        {
            var due = (int)Math.Min(SustainedRate, Stopwatch.GetElapsedTime(start).TotalSeconds * SustainedRate);
            for (; sent < due; sent++)
            {
                sink.TryEnqueue(summaries[sent % summaries.Length]);
            }

            Thread.Sleep(1);
        }

        await sink.DisposeAsync();
        if (sink.RecordsWritten != SustainedRate || sink.RecordsDropped != 0)
        {
            throw new InvalidOperationException($"sustained {SustainedRate}/s: written {sink.RecordsWritten}, dropped {sink.RecordsDropped}.");
        }
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public async Task MonitorEndToEnd()
    {
        var monitor = new PerformanceMonitor(new PerformanceMonitorOptions
        {
            LogDirectory = _directory,
            QueueCapacity = Records,
            AdaptiveBottlenecks = false,
            AlertOnBottlenecks = false,
        });
        for (var i = 0; i < Records; i++)
        {
            using var request = monitor.BeginRequest("ask");
            using (var stage = monitor.BeginStage("retrieval"))
            {
                stage.AddMetadata("documents_retrieved", 40 + (i % 20));
                stage.AddMetadata("top_k", 50);
                stage.AddMetadata("index", "docs-v3");
            }

            using (var stage = monitor.BeginStage("grading"))
            {
                stage.AddMetadata("relevant", 5 + (i % 7));
                stage.AddMetadata("threshold", 0.7);
            }

            using (var stage = monitor.BeginStage("generation"))
            {
                stage.AddMetadata("model", "gpt-4o-mini");
                stage.AddMetadata("prompt_tokens", 1800 + (i % 300));
                stage.AddMetadata("completion_tokens", 200 + (i % 150));
                stage.AddMetadata("streamed", true);
            }
        }

        await monitor.DisposeAsync();
        var counters = monitor.GetStatistics().Counters;
        Check(counters.LogRecordsWritten, counters.LogRecordsDropped);
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public int SerializeOnly()
    {
        var formatter = new JsonlRecordFormatter(useUtc: true, TimeZoneInfo.Utc);
        var buffer = new ChunkBuffer(JsonlSink.ChunkSize + 8192);
        var total = 0;
        foreach (var summary in _summaries)
        {
            formatter.WriteLine(summary, buffer);
            if (buffer.Length >= JsonlSink.ChunkSize)
            {
                total += buffer.Length;
                buffer.Clear(JsonlSink.ChunkSize + 8192);
            }
        }

        return total + buffer.Length;
    }

    private static void Check(long written, long dropped)
    {
        if (written != Records || dropped != 0)
        {
            throw new InvalidOperationException($"written {written}, dropped {dropped}: expected {Records} written and none dropped.");
        }
    }

    /// <summary>Distinct summaries shaped like the sample's: retrieval, grading, generation, with typical metadata.</summary>
    internal static RequestSummary[] BuildSummaries(int count)
    {
        var random = new Random(42);
        var start = new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
        var summaries = new RequestSummary[count];
        for (var i = 0; i < count; i++)
        {
            var retrieval = TimeSpan.FromTicks(random.Next(2_000_000, 15_000_000));
            var grading = TimeSpan.FromTicks(random.Next(500_000, 4_000_000));
            var generation = TimeSpan.FromTicks(random.Next(8_000_000, 40_000_000));
            var total = retrieval + grading + generation + TimeSpan.FromTicks(random.Next(1000, 50_000));
            double Share(TimeSpan t) => t.Ticks / (double)total.Ticks;
            var stages = new[]
            {
                new StageSummary("retrieval", retrieval, 1, Share(retrieval), OperationStatus.Success, null, new KeyValuePair<string, MetadataValue>[]
                {
                    new("documents_retrieved", random.Next(10, 60)), new("top_k", 50), new("index", "docs-v3"),
                }),
                new StageSummary("grading", grading, 1, Share(grading), OperationStatus.Success, null, new KeyValuePair<string, MetadataValue>[]
                {
                    new("relevant", random.Next(0, 12)), new("threshold", 0.7),
                }),
                new StageSummary("generation", generation, 1, Share(generation), OperationStatus.Success, null, new KeyValuePair<string, MetadataValue>[]
                {
                    new("model", "gpt-4o-mini"), new("prompt_tokens", random.Next(800, 3000)), new("completion_tokens", random.Next(50, 600)), new("streamed", true),
                }),
            };
            var bottlenecks = Share(generation) > 0.3
                ? new[] { new Bottleneck("generation", Share(generation), BottleneckRule.Share, "over 30%") }
                : Array.Empty<Bottleneck>();
            summaries[i] = new RequestSummary("ask", "5f1c2a9e3b7d-" + i.ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
                start.AddMilliseconds(i * 3), total, OperationStatus.Success, null, stages, bottlenecks, isCompleted: true,
                allocatedBytes: random.Next(2_000, 90_000), gcCollections: 0);
        }

        return summaries;
    }
}
