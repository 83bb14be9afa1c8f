using System;
using System.Diagnostics;

namespace RagMonitor.Benchmarks;

/// <summary>
/// Parts of a request timed alone, round after round (begin and end; with three stages; with the sample metadata of
/// <see cref="Peers.PeerSinkBenchmarks"/>), each with and without resource measurement and the adaptive rule, with the
/// bytes allocated per request. For finding where a request's time goes; not a peer comparison.
/// Run: dotnet run -c Release --project tests/RagMonitor.Benchmarks -- request-parts
/// </summary>
internal static class RequestPartsStopwatch
{
    public static void Run()
    {
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false });
        using var monitorNoRes = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, MeasureResources = false, AdaptiveBottlenecks = false });
        var cases = new (string, Action<int>)[]
        {
            ("begin/end", i => { using var r = monitor.BeginRequest("ask"); }),
            ("begin/end no resources/adaptive", i => { using var r = monitorNoRes.BeginRequest("ask"); }),
            ("begin/3 stages/end", i => { using var r = monitor.BeginRequest("ask"); using (monitor.BeginStage("retrieval")) { } using (monitor.BeginStage("grading")) { } using (monitor.BeginStage("generation")) { } }),
            ("begin/3 stages/end no res", i => { using var r = monitorNoRes.BeginRequest("ask"); using (monitorNoRes.BeginStage("retrieval")) { } using (monitorNoRes.BeginStage("grading")) { } using (monitorNoRes.BeginStage("generation")) { } }),
            ("full", i => Peers.PeerSinkBenchmarks.RunRequest(monitor, i)),
            ("full no res", i => Peers.PeerSinkBenchmarks.RunRequest(monitorNoRes, i)),
        };
        for (var round = 0; round < 6; round++)
        {
            foreach (var (name, action) in cases)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < 300_000; i++)
                {
                    action(i);
                }

                var ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / 300_000;
                if (round > 0)
                {
                    Console.WriteLine($"{name,-35} {ns,8:F0} ns {(GC.GetAllocatedBytesForCurrentThread() - before) / 300_000.0,6:F0} B");
                }
            }
        }
    }
}
