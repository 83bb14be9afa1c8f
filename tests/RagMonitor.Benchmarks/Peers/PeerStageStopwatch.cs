using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace RagMonitor.Benchmarks.Peers;

/// <summary>
/// The cases of <see cref="PeerStageBenchmarks"/>, timed interleaved in short chunks for a machine too busy for
/// BenchmarkDotNet's long iterations: every round times 20,000 calls of each case in turn, and the low percentiles
/// over the rounds (the least disturbed chunks) are compared with the two-timestamp floor of the same rounds.
/// Run: dotnet run -c Release --project tests/RagMonitor.Benchmarks -- peer-stage-stopwatch [rounds]
/// </summary>
internal static class PeerStageStopwatch
{
    private const int CallsPerChunk = 20_000;
    private const int WarmupRounds = 50;

    public static void Run(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1500;
        var benchmarks = new PeerStageBenchmarks();
        benchmarks.Setup();
        var cases = new (string Name, Func<int> Call)[]
        {
            (nameof(PeerStageBenchmarks.TwoTimestamps), benchmarks.TwoTimestamps),
            (nameof(PeerStageBenchmarks.RagMonitorGeneratedStage), benchmarks.RagMonitorGeneratedStage),
            (nameof(PeerStageBenchmarks.RagMonitorBeginStage), benchmarks.RagMonitorBeginStage),
            (nameof(PeerStageBenchmarks.AspectInjectorAround), benchmarks.AspectInjectorAround),
            (nameof(PeerStageBenchmarks.MinimalAmbientStageYardstick), benchmarks.MinimalAmbientStageYardstick),
            (nameof(PeerStageBenchmarks.OpenTelemetryChildActivity), benchmarks.OpenTelemetryChildActivity),
        };

        var samples = cases.Select(static _ => new List<double>()).ToArray();
        var sink = 0;
        for (var round = 0; round < WarmupRounds + rounds; round++)
        {
            for (var i = 0; i < cases.Length; i++)
            {
                var call = cases[i].Call;
                var start = Stopwatch.GetTimestamp();
                for (var n = 0; n < CallsPerChunk; n++)
                {
                    sink += call();
                }

                if (round >= WarmupRounds)
                {
                    samples[i].Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / CallsPerChunk);
                }
            }
        }

        var allocated = cases.Select(static c =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var n = 0; n < CallsPerChunk; n++)
            {
                c.Call();
            }

            return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)CallsPerChunk;
        }).ToArray();

        MinimalAmbientStage.ReportCalls();
        benchmarks.CleanupRecordedStages();
        Console.WriteLine($"{rounds} rounds of {CallsPerChunk:N0} calls per case, interleaved; ns per call (checksum {sink})");
        Console.WriteLine("| case | min | p1 | p5 | median | p1 / floor p1 | allocated |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        var floor = Percentile(samples[0], 0.01);
        for (var i = 0; i < cases.Length; i++)
        {
            var p1 = Percentile(samples[i], 0.01);
            Console.WriteLine($"| {cases[i].Name} | {Percentile(samples[i], 0):F1} | {p1:F1} | {Percentile(samples[i], 0.05):F1} | {Percentile(samples[i], 0.5):F1} | {p1 / floor:F2} | {allocated[i]:F0} B |");
        }
    }

    private static double Percentile(List<double> values, double fraction)
    {
        var sorted = values.OrderBy(static v => v).ToList();
        return sorted[(int)(fraction * (sorted.Count - 1))];
    }
}
