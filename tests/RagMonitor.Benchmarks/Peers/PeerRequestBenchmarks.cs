using System;
using System.Diagnostics;
using System.IO;
using BenchmarkDotNet.Attributes;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace RagMonitor.Benchmarks.Peers;

/// <summary>
/// Issue 16, "whole request": begin, three synchronous stages, end, on the caller's thread, with the producer running
/// flat out, side by side in one run. RagMonitor persists every request to JSONL through its sink (queue capacity
/// 1,048,576; the cleanup prints how many records were written and dropped); OpenTelemetry records four activities
/// (request + three stages) with the SDK listening and a batch exporter whose export does nothing.
/// Run (with the sink peers, one run): dotnet run -c Release --project tests/RagMonitor.Benchmarks -- --filter '*PeerRequestBenchmarks*' '*PeerSinkBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[InProcess]
[WarmupCount(3)]
[IterationCount(10)]
public class PeerRequestBenchmarks
{
    private PerformanceMonitor _monitor = null!;
    private string _logDirectory = null!;
    private ActivitySource _source = null!;
    private TracerProvider _tracerProvider = null!;
    private readonly int _value = 7;

    [GlobalSetup]
    public void Setup()
    {
        _logDirectory = Path.Combine(Path.GetTempPath(), "ragmon-peer-request-" + Guid.NewGuid().ToString("N"));
        _monitor = new PerformanceMonitor(new PerformanceMonitorOptions
        {
            LogDirectory = _logDirectory,
            QueueCapacity = 1 << 20,
        });
        _source = new ActivitySource("RagMonitor.Benchmarks.Peers.Request");
        _tracerProvider = Sdk.CreateTracerProviderBuilder()
            .AddSource(_source.Name)
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new BatchActivityExportProcessor(new DiscardingActivityExporter()))
            .Build();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _monitor.Flush(TimeSpan.FromMinutes(2));
        var counters = _monitor.GetStatistics().Counters;
        Console.WriteLine($"// RagMonitor persisted requests: {counters.RequestsCompleted} ended, {counters.LogRecordsWritten} written, {counters.LogRecordsDropped} dropped");
        _monitor.Dispose();
        _tracerProvider.Dispose();
        _source.Dispose();
        try
        {
            Directory.Delete(_logDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>RagMonitor: a whole three-stage request persisted to JSONL.</summary>
    [Benchmark(Baseline = true)]
    public int RagMonitorPersistedRequest()
    {
        using var request = _monitor.BeginRequest("ask");
        var result = 0;
        using (_monitor.BeginStage("retrieval"))
        {
            result += PeerStageBenchmarks.Work(_value);
        }

        using (_monitor.BeginStage("grading"))
        {
            result += PeerStageBenchmarks.Work(_value);
        }

        using (_monitor.BeginStage("generation"))
        {
            result += PeerStageBenchmarks.Work(_value);
        }

        return result;
    }

    /// <summary>OpenTelemetry: four activities (the request and three stages) exported by a batch processor.</summary>
    [Benchmark]
    public int OpenTelemetryFourActivities()
    {
        using var request = _source.StartActivity("ask");
        var result = 0;
        using (_source.StartActivity("retrieval"))
        {
            result += PeerStageBenchmarks.Work(_value);
        }

        using (_source.StartActivity("grading"))
        {
            result += PeerStageBenchmarks.Work(_value);
        }

        using (_source.StartActivity("generation"))
        {
            result += PeerStageBenchmarks.Work(_value);
        }

        return result;
    }
}
