using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace RagMonitor.Benchmarks;

/// <summary>
/// The cost of the generated <c>[Stage]</c> wrappers, inside an active request, against the runtime's own
/// <c>using (monitor.BeginStage(...))</c> and against calling the Core method directly (no monitoring).
/// Run: <c>dotnet run -c Release --project tests/RagMonitor.Benchmarks -- --filter '*Generated*'</c>.
/// </summary>
[InProcess]
[MemoryDiagnoser]
public partial class GeneratedWrapperBenchmarks
{
    private static readonly Task<int> s_completed = Task.FromResult(42);

    // The single PerformanceMonitor member: the generated wrappers use it.
    private PerformanceMonitor _monitor = null!;
    private RequestScope _request;
    private readonly int _value = 1;

    [GlobalSetup]
    public void Setup()
    {
        _monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false, MeasureResources = false });

        // The request stays ambient on this thread for the whole run (set outside any async method).
        _request = _monitor.BeginRequest("benchmark");
        if (StageContext.CurrentRequestId is null)
        {
            throw new InvalidOperationException("No ambient request: the benchmarks would measure the not-recording path.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Prove that the measured stages were really recorded in the request.
        var summary = _request.GetSummary() ?? throw new InvalidOperationException("The request was not recorded.");
        var recorded = summary.Stages.Sum(static s => (long)s.Calls);
        _request.Dispose();
        _monitor.Dispose();
        if (recorded == 0)
        {
            throw new InvalidOperationException("No stage call was recorded: the benchmarks measured the not-recording path.");
        }
    }

    // ------------------------------------------------------------------ synchronous stage

    [Benchmark(Description = "Core method called directly (no monitoring)")]
    public int Sync_Direct() => SyncWorkCore(_value);

    [Benchmark(Baseline = true, Description = "runtime: using (monitor.BeginStage(\"sync\"))")]
    public int Sync_RuntimeUsing()
    {
        using (_monitor.BeginStage("sync_runtime"))
        {
            return SyncWorkCore(_value);
        }
    }

    [Benchmark(Description = "generated [Stage] wrapper, synchronous")]
    public int Sync_Generated() => SyncWork(_value);

    // ------------------------------------------------------------------ asynchronous stage completing synchronously

    [Benchmark(Description = "runtime: BeginAsyncStage + Track(Task<int>), completed")]
    public Task<int> AsyncCompleted_Runtime()
    {
        var scope = _monitor.BeginAsyncStage("completed_runtime");
        Task<int> task;
        var ok = false;
        try
        {
            task = CompletedTaskCore();
            ok = true;
        }
        catch (Exception ex) when (scope.Fail(ex))
        {
            throw;
        }
        finally
        {
            if (!ok)
            {
                scope.Dispose();
            }
        }

        return scope.Track(task);
    }

    [Benchmark(Description = "generated [Stage] wrapper, Task<int> completed synchronously")]
    public Task<int> AsyncCompleted_GeneratedTask() => CompletedTask();

    [Benchmark(Description = "generated [Stage] wrapper, ValueTask<int> completed synchronously")]
    public ValueTask<int> AsyncCompleted_GeneratedValueTask() => CompletedValueTask();

    // ------------------------------------------------------------------ truly asynchronous stage

    [Benchmark(Description = "truly async Core called directly (no monitoring)")]
    public Task<int> TrulyAsync_Direct() => YieldingCore();

    [Benchmark(Description = "generated [Stage] wrapper, truly async Task<int>")]
    public Task<int> TrulyAsync_Generated() => Yielding();

    // ------------------------------------------------------------------ the monitored methods

    [Stage("sync")]
    private partial int SyncWork(int value);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int SyncWorkCore(int value) => value + 1;

    [Stage("completed_task")]
    private partial Task<int> CompletedTask();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Task<int> CompletedTaskCore() => s_completed;

    [Stage("completed_value_task")]
    private partial ValueTask<int> CompletedValueTask();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<int> CompletedValueTaskCore() => new(_value);

    [Stage("truly_async")]
    private partial Task<int> Yielding();

    private async Task<int> YieldingCore()
    {
        await Task.Yield();
        return _value;
    }
}
