using System;
using System.Linq;
using RagMonitor.Cli.Analysis;

namespace RagMonitor.Cli.Tests.Analysis;

public sealed class DurationSketchTests
{
    [Fact]
    public void Exact_quantiles_interpolate_between_closest_ranks()
    {
        var sketch = new DurationSketch();
        foreach (double v in new[] { 4.0, 1, 3, 2 })
        {
            sketch.Add(v);
        }

        Assert.True(sketch.IsExact);
        Assert.Equal(2.5, sketch.Quantile(0.5), 12);
        Assert.Equal(1, sketch.Quantile(0));
        Assert.Equal(4, sketch.Quantile(1));
        Assert.Equal(3.85, sketch.Quantile(0.95), 12);
        Assert.Equal(2.5, sketch.Mean, 12);
    }

    [Fact]
    public void Past_the_exact_limit_quantiles_stay_within_half_a_percent()
    {
        var random = new Random(7);
        double[] values = Enumerable.Range(0, 200_000).Select(_ => Math.Exp((random.NextDouble() * 8) - 6)).ToArray();
        var sketch = new DurationSketch(exactLimit: 1000);
        foreach (double v in values)
        {
            sketch.Add(v);
        }

        Assert.False(sketch.IsExact);
        Array.Sort(values);
        foreach (double q in new[] { 0.01, 0.5, 0.9, 0.95, 0.99, 0.999 })
        {
            double exact = values[(int)Math.Floor(q * (values.Length - 1))];
            Assert.InRange(sketch.Quantile(q), exact * 0.995, exact * 1.005);
        }

        Assert.Equal(values[^1], sketch.Max);
        Assert.Equal(values.Sum(), sketch.Sum, 6);
    }

    [Fact]
    public void Merge_keeps_counts_and_switches_to_the_histogram_when_needed()
    {
        var a = new DurationSketch(exactLimit: 10);
        var b = new DurationSketch(exactLimit: 10);
        for (int i = 1; i <= 8; i++)
        {
            a.Add(i);
            b.Add(i + 100);
        }

        a.Merge(b);
        Assert.Equal(16, a.Count);
        Assert.False(a.IsExact);
        Assert.Equal(108, a.Max);
        Assert.InRange(a.Quantile(0.75), 100, 109);
    }

    [Theory]
    [InlineData(0.0000005)]
    [InlineData(0.000127)]
    [InlineData(0.5)]
    [InlineData(3.75)]
    [InlineData(86400)]
    public void Bucket_midpoints_are_close_to_the_value(double seconds)
    {
        double midpoint = DurationSketch.BucketMidpoint(DurationSketch.BucketIndex(seconds));
        Assert.InRange(midpoint, (seconds * 0.992) - 1e-6, (seconds * 1.008) + 1e-6);
    }
}

public sealed class MannWhitneyTests
{
    [Fact]
    public void Identical_samples_are_not_different()
    {
        var a = new DurationSketch();
        var b = new DurationSketch();
        for (int i = 0; i < 50; i++)
        {
            a.Add(i);
            b.Add(i);
        }

        MannWhitney.Result result = MannWhitney.Test(a, b);
        Assert.Equal(1250, result.U, 9);
        Assert.Equal(1, result.PValue, 9);
        Assert.Equal(0.5, result.ProbabilityCurrentGreater, 9);
    }

    [Fact]
    public void Matches_a_hand_computed_example()
    {
        // baseline 1,2,3,4,5 ; current 3,6,7,8,9,10 → ranks of current: 3.5,7,8,9,10,11 = 48.5; U = 48.5 - 21 = 27.5.
        var a = new DurationSketch();
        var b = new DurationSketch();
        foreach (double v in new double[] { 1, 2, 3, 4, 5 })
        {
            a.Add(v);
        }

        foreach (double v in new double[] { 3, 6, 7, 8, 9, 10 })
        {
            b.Add(v);
        }

        MannWhitney.Result result = MannWhitney.Test(a, b);
        Assert.Equal(27.5, result.U, 9);
        // mean 15, variance 5·6/12·(12 − 6/110) = 29.8636…; z = (27.5 − 15 − 0.5)/√var = 2.1959…
        Assert.Equal(2.19587, result.Z, 4);
        Assert.Equal(0.0281, result.PValue, 3);
        Assert.Equal(27.5 / 30, result.ProbabilityCurrentGreater, 9);
    }

    [Fact]
    public void The_histogram_path_agrees_with_the_exact_path()
    {
        var random = new Random(3);
        var exactA = new DurationSketch();
        var exactB = new DurationSketch();
        var binnedA = new DurationSketch(exactLimit: 0);
        var binnedB = new DurationSketch(exactLimit: 0);
        for (int i = 0; i < 3000; i++)
        {
            double x = Math.Exp(random.NextDouble());
            double y = Math.Exp(random.NextDouble()) * 1.03;
            exactA.Add(x);
            binnedA.Add(x);
            exactB.Add(y);
            binnedB.Add(y);
        }

        MannWhitney.Result exact = MannWhitney.Test(exactA, exactB);
        MannWhitney.Result binned = MannWhitney.Test(binnedA, binnedB);
        Assert.InRange(binned.Z, exact.Z - 0.1, exact.Z + 0.1);
        Assert.InRange(binned.ProbabilityCurrentGreater, exact.ProbabilityCurrentGreater - 0.005, exact.ProbabilityCurrentGreater + 0.005);
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1.959964, 0.025)]
    [InlineData(3, 0.0013499)]
    public void Normal_tail_is_accurate(double z, double expected)
        => Assert.Equal(expected, MannWhitney.NormalUpperTail(z), 6);
}

public sealed class ValueParserTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 29, 12, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("24h", 86400)]
    [InlineData("7d", 604800)]
    [InlineData("90m", 5400)]
    [InlineData("1h30m", 5400)]
    [InlineData("500ms", 0.5)]
    [InlineData("2w", 1209600)]
    [InlineData("1.5s", 1.5)]
    public void Spans(string text, double seconds)
    {
        Assert.True(ValueParsers.TryParseSpan(text, out TimeSpan span));
        Assert.Equal(seconds, span.TotalSeconds, 9);
    }

    [Theory]
    [InlineData("")]
    [InlineData("h")]
    [InlineData("5y")]
    [InlineData("-5h")]
    [InlineData("soon")]
    public void Bad_spans(string text) => Assert.False(ValueParsers.TryParseSpan(text, out _));

    [Fact]
    public void Time_bounds()
    {
        Assert.True(ValueParsers.TryParseTimeBound("24h", s_now, false, out DateTimeOffset v));
        Assert.Equal(s_now.AddDays(-1), v);
        Assert.True(ValueParsers.TryParseTimeBound("2026-11-28", s_now, false, out v));
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero), v);
        Assert.True(ValueParsers.TryParseTimeBound("2026-11-28", s_now, true, out v));
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero), v);
        Assert.True(ValueParsers.TryParseTimeBound("today", s_now, false, out v));
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero), v);
        Assert.True(ValueParsers.TryParseTimeBound("2026-11-28T10:00:00+02:00", s_now, false, out v));
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero), v.ToUniversalTime());
        Assert.True(ValueParsers.TryParseTimeBound("2026-11-28T10:00:00", s_now, false, out v));
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero), v);
        Assert.False(ValueParsers.TryParseTimeBound("last tuesday", s_now, false, out _));
    }

    [Theory]
    [InlineData("2s", 2)]
    [InlineData("250ms", 0.25)]
    [InlineData("1.5", 1.5)]
    [InlineData("2m", 120)]
    public void Durations(string text, double seconds)
    {
        Assert.True(ValueParsers.TryParseDuration(text, out double value));
        Assert.Equal(seconds, value, 9);
    }

    [Theory]
    [InlineData("5%", 0.05)]
    [InlineData("0.05", 0.05)]
    [InlineData("12.5%", 0.125)]
    public void Fractions(string text, double fraction)
    {
        Assert.True(ValueParsers.TryParseFraction(text, out double value));
        Assert.Equal(fraction, value, 9);
    }

    [Fact]
    public void Budgets()
    {
        var budget = RagMonitor.Cli.Commands.Budget.Parse("ask/re.rank.p95 <= 2.5s");
        Assert.Equal("ask", budget.Request);
        Assert.Equal("re.rank", budget.Stage);
        Assert.Equal("p95", budget.Metric);
        Assert.Equal(2.5, budget.Limit);
        var rate = RagMonitor.Cli.Commands.Budget.Parse("total.failure_rate=2%");
        Assert.Null(rate.Request);
        Assert.Equal(0.02, rate.Limit, 9);
        Assert.Throws<CliException>(() => RagMonitor.Cli.Commands.Budget.Parse("p95=2s"));
    }
}
