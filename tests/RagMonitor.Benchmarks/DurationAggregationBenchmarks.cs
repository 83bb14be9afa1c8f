using System;
using BenchmarkDotNet.Attributes;
using RagMonitor.Cli.Analysis;

namespace RagMonitor.Benchmarks;

/// <summary>
/// The two duration aggregators side by side, one thread, 1,000,000 stage durations (log-normal around 0.5 s) then
/// p50/p95/p99: ragmon's <c>DurationSketch</c> (single-threaded, exact values up to 65,536 then a log-linear histogram;
/// compiled in from src/RagMonitor.Cli) and the core's <see cref="DurationHistogram"/> (lock-free, for live statistics
/// recorded from many threads). Issue 16 asks for one histogram unless a measured reason says two: this is the measure
/// for ragmon's scan, where every stage duration of every line is added.
/// Run: dotnet run -c Release --project tests/RagMonitor.Benchmarks -- --filter *DurationAggregation*
/// </summary>
[MemoryDiagnoser]
[InProcess]
public class DurationAggregationBenchmarks
{
    private const int Values = 1_000_000;
    private readonly double[] _seconds = new double[Values];
    private readonly TimeSpan[] _spans = new TimeSpan[Values];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < Values; i++)
        {
            double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            _seconds[i] = 0.5 * Math.Exp(0.6 * normal);
            _spans[i] = TimeSpan.FromTicks((long)Math.Round(_seconds[i] * TimeSpan.TicksPerSecond));
        }
    }

    [Benchmark(Baseline = true, Description = "ragmon DurationSketch (exact up to 65,536, then histogram)")]
    public double Sketch()
    {
        var sketch = new DurationSketch();
        foreach (double value in _seconds)
        {
            sketch.Add(value);
        }

        return sketch.Quantile(0.5) + sketch.Quantile(0.95) + sketch.Quantile(0.99);
    }

    [Benchmark(Description = "ragmon DurationSketch, histogram only (exact limit 0)")]
    public double SketchHistogramOnly()
    {
        var sketch = new DurationSketch(exactLimit: 0);
        foreach (double value in _seconds)
        {
            sketch.Add(value);
        }

        return sketch.Quantile(0.5) + sketch.Quantile(0.95) + sketch.Quantile(0.99);
    }

    [Benchmark(Description = "core DurationHistogram.Record (lock-free)")]
    public double Histogram()
    {
        var histogram = new DurationHistogram();
        foreach (TimeSpan value in _spans)
        {
            histogram.Record(value);
        }

        return (histogram.GetPercentile(50) + histogram.GetPercentile(95) + histogram.GetPercentile(99)).TotalSeconds;
    }
}
