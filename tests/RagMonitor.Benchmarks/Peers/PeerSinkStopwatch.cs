using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace RagMonitor.Benchmarks.Peers;

/// <summary>
/// The cases of <see cref="PeerSinkBenchmarks"/> timed alternately, round after round, with what each round cost the
/// collector (collections per generation, pause time), and two parts of the RagMonitor case on their own: the
/// producer without a sink (<see cref="PerformanceMonitorOptions.WriteLogs"/> off) and the writer's formatting of
/// sealed records. For a busy machine (alternation spreads the disturbance over all cases) and for finding where the
/// time goes. Run: dotnet run -c Release --project tests/RagMonitor.Benchmarks -- peer-sink-stopwatch [rounds] [case name part]
/// </summary>
internal static class PeerSinkStopwatch
{
    public static void Run(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var benchmarks = new PeerSinkBenchmarks();
        benchmarks.Setup();
        var cases = new (string Name, Action Run)[]
        {
            ("RagMonitor end to end", () => benchmarks.RagMonitorEndToEnd().GetAwaiter().GetResult()),
            ("plain channel writer", () => benchmarks.PlainChannelWriter().GetAwaiter().GetResult()),
            ("RagMonitor producer, no sink", ProducerOnly),
            ("RagMonitor formatter only", FormatterOnly),
        };

        if (args.Length > 2)
        {
            // Only the cases whose names contain the third argument (for a profiler).
            cases = cases.Where(c => c.Name.Contains(args[2], StringComparison.OrdinalIgnoreCase)).ToArray();
        }

        var results = cases.Select(static _ => new List<(double Seconds, int Gen0, int Gen1, int Gen2, double PauseMs, double Bytes, double CpuNs)>()).ToArray();
        for (var round = 0; round < rounds + 1; round++)
        {
            for (var i = 0; i < cases.Length; i++)
            {
                benchmarks.IterationSetup();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var gen0 = GC.CollectionCount(0);
                var gen1 = GC.CollectionCount(1);
                var gen2 = GC.CollectionCount(2);
                var pause = GC.GetTotalPauseDuration();
                var bytes = GC.GetTotalAllocatedBytes(true);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var start = Stopwatch.GetTimestamp();
                cases[i].Run();
                var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                var sample = (seconds, GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2,
                    (GC.GetTotalPauseDuration() - pause).TotalMilliseconds, (GC.GetTotalAllocatedBytes(true) - bytes) / (double)PeerSinkBenchmarks.Requests,
                    (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalNanoseconds / PeerSinkBenchmarks.Requests);
                benchmarks.IterationCleanup();
                if (i == 0)
                {
                    Console.WriteLine($"round {round}: {cases[i].Name} {PeerSinkBenchmarks.Requests / seconds:N0}/s, records created {PeerSinkBenchmarks.RecordsCreated:N0}");
                }

                if (round > 0)
                {
                    results[i].Add(sample);
                }
            }
        }

        benchmarks.Cleanup();
        Console.WriteLine($"{rounds} rounds of {PeerSinkBenchmarks.Requests:N0} requests per case, alternating (first round dropped as warm-up); load {LoadAverage()}");
        Console.WriteLine("| case | best requests/s | median requests/s | gen0/gen1/gen2 per round (median) | GC pause per round (median) | allocated per request | process CPU per request (median) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        for (var i = 0; i < cases.Length; i++)
        {
            var r = results[i];
            var best = r.Min(static s => s.Seconds);
            var median = r.Select(static s => s.Seconds).OrderBy(static s => s).ElementAt(r.Count / 2);
            var typical = r.OrderBy(static s => s.Seconds).ElementAt(r.Count / 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {cases[i].Name} | {PeerSinkBenchmarks.Requests / best:N0} | {PeerSinkBenchmarks.Requests / median:N0} | {typical.Gen0}/{typical.Gen1}/{typical.Gen2} | {typical.PauseMs:F0} ms | {typical.Bytes:F0} B | {r.Select(static s => s.CpuNs).OrderBy(static c => c).ElementAt(r.Count / 2):F0} ns |"));
        }
    }

    /// <summary>The RagMonitor case's requests with no sink: what the producer's thread pays.</summary>
    private static void ProducerOnly()
    {
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false });
        for (var i = 0; i < PeerSinkBenchmarks.Requests; i++)
        {
            PeerSinkBenchmarks.RunRequest(monitor, i);
        }
    }

    /// <summary>The writer's formatting of the RagMonitor case's records (sealed once, formatted a million times).</summary>
    private static void FormatterOnly()
    {
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false });
        var state = new RequestState(monitor, "ask", null, 1, monitor.GetTimestamp(), DateTimeOffset.UtcNow);
        var start = monitor.GetTimestamp();
        state.RecordStage("retrieval", start, 1_000, OperationStatus.Success, null);
        monitor.AddStageMetadata(state, "retrieval", "documents_retrieved", 47);
        monitor.AddStageMetadata(state, "retrieval", "top_k", 50);
        state.RecordStage("grading", start + 1_000, 2_000, OperationStatus.Success, null);
        monitor.AddStageMetadata(state, "grading", "relevant", 9);
        state.RecordStage("generation", start + 3_000, 5_000, OperationStatus.Success, null);
        monitor.AddStageMetadata(state, "generation", "model", "gpt-4o-mini");
        monitor.AddStageMetadata(state, "generation", "output_tokens", 321);
        var record = state.SealRecord(start + 9_000, 1_200, 0)!;
        var formatter = new JsonlRecordFormatter(useUtc: true, TimeZoneInfo.Utc);
        var output = new ChunkBuffer(64 * 1024 + 4096);
        for (var i = 0; i < PeerSinkBenchmarks.Requests; i++)
        {
            formatter.WriteLine(record, output);
            if (output.Length >= 64 * 1024)
            {
                output.Clear(64 * 1024 + 4096);
            }
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
