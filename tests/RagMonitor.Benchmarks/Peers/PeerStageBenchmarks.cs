using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using BenchmarkDotNet.Attributes;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace RagMonitor.Benchmarks.Peers;

/// <summary>
/// Issue 16, "per call": timing one synchronous call, side by side in one run. The floor is two
/// <see cref="Stopwatch.GetTimestamp"/> reads around the call; RagMonitor's generated <c>[Stage]</c> wrapper and
/// <see cref="PerformanceMonitor.BeginStage(string)"/> run inside an active request; AspectInjector's around-advice
/// times the call into static counters (it has no request context); OpenTelemetry starts a child
/// <see cref="Activity"/> under a parent with the SDK listening and a batch exporter whose export does nothing.
/// Run: dotnet run -c Release --project tests/RagMonitor.Benchmarks -- --filter '*PeerStageBenchmarks*'
/// (on a busy machine compare the Min column: the least disturbed iteration of each method).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
[WarmupCount(3)]
[IterationCount(10)]
public partial class PeerStageBenchmarks
{
    private PerformanceMonitor _monitor = null!;
    private RequestScope _request;
    private ActivitySource _source = null!;
    private TracerProvider _tracerProvider = null!;
    private Activity? _parentActivity;
    private readonly TimedByAspect _aspectTarget = new();
    private long _elapsed;
    private readonly int _value = 7;

    [GlobalSetup]
    public void Setup()
    {
        _monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, MeasureResources = false });
        _request = _monitor.BeginRequest("bench");
        _source = new ActivitySource("RagMonitor.Benchmarks.Peers.Stage");
        _tracerProvider = Sdk.CreateTracerProviderBuilder()
            .AddSource(_source.Name)
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new BatchActivityExportProcessor(new DiscardingActivityExporter()))
            .Build();
        _parentActivity = _source.StartActivity("request");
        MinimalAmbientStage.EnterRequest();
    }

    /// <summary>Like <see cref="Cleanup"/>, and proves that RagMonitor's benchmarks measured recorded stages, not the path outside a request.</summary>
    [GlobalCleanup(Targets = new[] { nameof(RagMonitorGeneratedStage), nameof(RagMonitorBeginStage) })]
    public void CleanupRecordedStages()
    {
        var recorded = _request.GetSummary()?.Stages.Sum(static s => (long)s.Calls) ?? 0;
        Cleanup();
        Console.WriteLine($"// RagMonitor recorded {recorded} stage calls");
        if (recorded == 0)
        {
            throw new InvalidOperationException("No stage call was recorded: the benchmark measured the path outside a request.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _parentActivity?.Dispose();
        _tracerProvider.Dispose();
        _source.Dispose();
        _request.Dispose();
        _monitor.Dispose();
        Console.WriteLine($"// aspect timed {TimingAspect.Calls} calls");
    }

    /// <summary>Like <see cref="Cleanup"/>, and proves that the yardstick measured its timed path.</summary>
    [GlobalCleanup(Targets = new[] { nameof(MinimalAmbientStageYardstick) })]
    public void CleanupYardstick()
    {
        Cleanup();
        MinimalAmbientStage.ReportCalls();
    }

    /// <summary>The floor: two timestamps around the call.</summary>
    [Benchmark(Baseline = true)]
    public int TwoTimestamps()
    {
        var start = Stopwatch.GetTimestamp();
        var result = Work(_value);
        _elapsed += Stopwatch.GetTimestamp() - start;
        return result;
    }

    /// <summary>RagMonitor: the generated wrapper of a synchronous <c>[Stage]</c> method inside a request.</summary>
    [Benchmark]
    public int RagMonitorGeneratedStage() => Retrieve(_value);

    /// <summary>RagMonitor: <see cref="PerformanceMonitor.BeginStage(string)"/> around the call inside a request.</summary>
    [Benchmark]
    public int RagMonitorBeginStage()
    {
        using var stage = _monitor.BeginStage("retrieval");
        return Work(_value);
    }

    /// <summary>AspectInjector 2.7.3: around-advice timing the call into static counters (no request context).</summary>
    [Benchmark]
    public int AspectInjectorAround() => _aspectTarget.Retrieve(_value);

    /// <summary>
    /// Not a peer: the least any ambient stage does (<see cref="MinimalAmbientStage"/>: the flow's request from
    /// <see cref="ExecutionContext.Capture"/> and a thread-local, two timestamps, thread-local totals).
    /// </summary>
    [Benchmark]
    public int MinimalAmbientStageYardstick() => MinimalAmbientStage.Retrieve(_value);

    /// <summary>OpenTelemetry 1.20.1: a child activity with the SDK listening and a batch exporter (no-op export).</summary>
    [Benchmark]
    public int OpenTelemetryChildActivity()
    {
        using var activity = _source.StartActivity("retrieval");
        return Work(_value);
    }

    [Stage("retrieval")]
    private partial int Retrieve(int value);

    private int RetrieveCore(int value) => Work(value);

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static int Work(int value) => value + 1;
}
