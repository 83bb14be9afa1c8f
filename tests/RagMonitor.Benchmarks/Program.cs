using System;
using System.Collections.Generic;

// Stopwatch modes (first argument) for a busy machine or for finding where time goes; anything else goes to
// BenchmarkDotNet. docs/benchmarks.md lists which suite each belongs to.
var modes = new Dictionary<string, Action<string[]>>(StringComparer.Ordinal)
{
    ["request-parts"] = static _ => RagMonitor.Benchmarks.RequestPartsStopwatch.Run(),
    ["sink-backlog"] = static args => RagMonitor.Benchmarks.SinkBacklogStopwatch.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 4),
    ["analyzers-stopwatch"] = static _ => RagMonitor.Benchmarks.AnalyzerStopwatch.Run(),
    ["peer-stage-stopwatch"] = RagMonitor.Benchmarks.Peers.PeerStageStopwatch.Run,
    ["peer-sink-stopwatch"] = RagMonitor.Benchmarks.Peers.PeerSinkStopwatch.Run,
    ["generator-profile"] = static _ => RagMonitor.Benchmarks.GeneratorEditStopwatch.Profile(),
    ["generator-edit"] = static _ => RagMonitor.Benchmarks.GeneratorEditStopwatch.Run(),
};

if (args.Length > 0 && modes.TryGetValue(args[0], out var mode))
{
    mode(args);
    return;
}

BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
