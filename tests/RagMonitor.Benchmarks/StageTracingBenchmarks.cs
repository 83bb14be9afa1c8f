using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using RagMonitor;

/// <summary>
/// The cost of a synchronous stage inside an active request, with and without a listener on the
/// "RagMonitor" ActivitySource (issue 6: no listener, no allocation, no extra cost).
/// Run: dotnet run -c Release --project tests/RagMonitor.Benchmarks -- --filter '*StageTracing*'
/// </summary>
[MemoryDiagnoser]
public class StageTracingBenchmarks
{
    private PerformanceMonitor _monitor = null!;
    private RequestScope _request;
    private ActivityListener? _listener;

    /// <summary>Whether an ActivityListener samples RagMonitor's spans (AllDataAndRecorded, nothing exported).</summary>
    [Params(false, true)]
    public bool Listener { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Listener)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "RagMonitor",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        _monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, MeasureResources = false, AdaptiveBottlenecks = false });
        _request = _monitor.BeginRequest("bench");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _request.Dispose();
        _monitor.Dispose();
        _listener?.Dispose();
    }

    /// <summary>Two timestamps: the floor for timing anything.</summary>
    [Benchmark(Baseline = true)]
    public long TwoTimestamps()
    {
        var start = Stopwatch.GetTimestamp();
        return Stopwatch.GetTimestamp() - start;
    }

    /// <summary><c>using (monitor.BeginStage("x")) { }</c> inside an active request.</summary>
    [Benchmark]
    public void SyncStage()
    {
        using (_monitor.BeginStage("x"))
        {
        }
    }
}
