if (args.Length > 0 && args[0] == "sink-backlog")
{
    RagMonitor.Benchmarks.SinkBacklogStopwatch.Run();
    return;
}

if (args.Length > 0 && args[0] == "request-parts")
{
    RagMonitor.Benchmarks.RequestPartsStopwatch.Run();
    return;
}

if (args.Length > 0 && args[0] == "analyzers-stopwatch")
{
    RagMonitor.Benchmarks.AnalyzerStopwatch.Run();
    return;
}

if (args.Length > 0 && args[0] == "peer-stage-stopwatch")
{
    RagMonitor.Benchmarks.Peers.PeerStageStopwatch.Run(args);
    return;
}

if (args.Length > 0 && args[0] == "peer-sink-stopwatch")
{
    RagMonitor.Benchmarks.Peers.PeerSinkStopwatch.Run(args);
    return;
}

if (args.Length > 0 && args[0] == "generator-profile")
{
    RagMonitor.Benchmarks.GeneratorEditStopwatch.Profile();
    return;
}

if (args.Length > 0 && args[0] == "generator-edit")
{
    RagMonitor.Benchmarks.GeneratorEditStopwatch.Run();
    return;
}

BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
