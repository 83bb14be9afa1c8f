if (args.Length > 0 && args[0] == "analyzers-stopwatch")
{
    RagMonitor.Benchmarks.AnalyzerStopwatch.Run();
    return;
}

BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
