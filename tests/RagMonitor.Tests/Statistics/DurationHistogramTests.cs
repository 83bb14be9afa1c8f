using System;
using System.Linq;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Statistics;

public sealed class DurationHistogramTests
{
    private static readonly double[] s_percentiles = { 0, 0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100 };

    public static TheoryData<string> Distributions => new() { "uniform", "lognormal", "bimodal", "constant", "log-uniform", "small-exact", "heavy-tail" };

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Percentiles_are_within_one_percent_of_the_exact_sorted_percentiles(string distribution)
    {
        var values = Generate(distribution, 20_000, seed: distribution.Length * 7919);
        var histogram = new DurationHistogram();
        foreach (var ticks in values)
        {
            histogram.Record(TimeSpan.FromTicks(ticks));
        }

        var sorted = values.OrderBy(v => v).ToArray();
        foreach (var p in s_percentiles)
        {
            var exact = ExactPercentile(sorted, p);
            var reported = histogram.GetPercentile(p).Ticks;
            var error = RelativeError(reported, exact);
            Assert.True(error <= 0.01, $"{distribution} p{p}: reported {reported} ticks, exact {exact} ticks, relative error {error:P3}");
            Assert.True(error <= DurationHistogram.MaxRelativeError + 1e-12, $"{distribution} p{p}: error {error:P4} exceeds the documented bound");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(12_345)]
    public void Percentiles_hold_for_every_sample_size(int n)
    {
        var values = Generate("lognormal", n, seed: n);
        var histogram = new DurationHistogram();
        foreach (var ticks in values)
        {
            histogram.Record(TimeSpan.FromTicks(ticks));
        }

        var sorted = values.OrderBy(v => v).ToArray();
        foreach (var p in s_percentiles)
        {
            var exact = ExactPercentile(sorted, p);
            Assert.True(RelativeError(histogram.GetPercentile(p).Ticks, exact) <= 0.01, $"n={n} p{p}");
        }
    }

    [Fact]
    public void Count_total_mean_min_and_max_are_exact()
    {
        var values = Generate("lognormal", 5000, seed: 3);
        var histogram = new DurationHistogram();
        foreach (var ticks in values)
        {
            histogram.Record(TimeSpan.FromTicks(ticks));
        }

        Assert.Equal(values.Length, histogram.Count);
        Assert.Equal(values.Sum(), histogram.Total.Ticks);
        Assert.Equal((long)Math.Round(values.Average()), histogram.Mean.Ticks);
        Assert.Equal(values.Min(), histogram.Min.Ticks);
        Assert.Equal(values.Max(), histogram.Max.Ticks);
        Assert.Equal(values.Max(), histogram.GetPercentile(100).Ticks);
        Assert.Equal(values.Min(), histogram.GetPercentile(0).Ticks);
    }

    [Fact]
    public void Durations_below_12_8_microseconds_are_exact()
    {
        var histogram = new DurationHistogram();
        for (var ticks = 0; ticks < 128; ticks++)
        {
            histogram.Record(TimeSpan.FromTicks(ticks));
        }

        for (var rank = 1; rank <= 128; rank++)
        {
            // Percentile exactly at rank / 128: the value of that rank, exactly.
            Assert.Equal(rank - 1, histogram.GetPercentile(rank * 100.0 / 128).Ticks);
        }

        Assert.Equal(TimeSpan.FromMicroseconds(1), SingleValue(TimeSpan.FromMicroseconds(1)).GetPercentile(50));
    }

    [Fact]
    public void An_empty_histogram_reports_zeros()
    {
        var histogram = new DurationHistogram();
        Assert.Equal(0, histogram.Count);
        Assert.Equal(TimeSpan.Zero, histogram.GetPercentile(99));
        Assert.Equal(TimeSpan.Zero, histogram.Mean);
        Assert.Equal(TimeSpan.Zero, histogram.Min);
        Assert.Equal(TimeSpan.Zero, histogram.Max);
        Assert.Empty(histogram.GetBuckets());
        Assert.Equal(0, histogram.GetCountAtOrBelow(TimeSpan.MaxValue));
    }

    [Fact]
    public void Bad_percentiles_are_rejected()
    {
        var histogram = SingleValue(TimeSpan.FromMilliseconds(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.GetPercentile(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.GetPercentile(100.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.GetPercentile(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.Record(TimeSpan.FromSeconds(1), -1));
        Assert.Throws<ArgumentNullException>(() => histogram.Merge(null!));
    }

    [Fact]
    public void Negative_durations_count_as_zero()
    {
        var histogram = SingleValue(TimeSpan.FromTicks(-5));
        Assert.Equal(1, histogram.Count);
        Assert.Equal(TimeSpan.Zero, histogram.Max);
        Assert.Equal(TimeSpan.Zero, histogram.GetPercentile(50));
    }

    [Fact]
    public void Durations_beyond_the_range_go_to_the_overflow_bucket()
    {
        var histogram = new DurationHistogram();
        for (var i = 0; i < 98; i++)
        {
            histogram.Record(TimeSpan.FromSeconds(1));
        }

        histogram.Record(TimeSpan.FromHours(10));
        histogram.Record(TimeSpan.FromHours(20));

        Assert.Equal(2, histogram.OverflowCount);
        Assert.Equal(100, histogram.Count);
        Assert.Equal(TimeSpan.FromHours(20), histogram.Max);
        Assert.Equal(TimeSpan.FromSeconds(98) + TimeSpan.FromHours(30), histogram.Total);
        Assert.Equal(TimeSpan.FromSeconds(1).Ticks, histogram.GetPercentile(98).Ticks, 0.01 * TimeSpan.TicksPerSecond);
        Assert.Equal(TimeSpan.FromHours(20), histogram.GetPercentile(99));
        Assert.Equal(TimeSpan.MaxValue, histogram.GetBuckets()[^1].UpperBound);
        Assert.Equal(2, histogram.GetBuckets()[^1].Count);
        Assert.True(DurationHistogram.HighestTrackableValue > TimeSpan.FromHours(1));
    }

    [Fact]
    public void Merge_gives_the_same_figures_as_recording_everything_in_one()
    {
        var a = Generate("bimodal", 3000, seed: 11);
        var b = Generate("log-uniform", 3000, seed: 12);
        var left = new DurationHistogram();
        var right = new DurationHistogram();
        var all = new DurationHistogram();
        foreach (var ticks in a)
        {
            left.Record(TimeSpan.FromTicks(ticks));
            all.Record(TimeSpan.FromTicks(ticks));
        }

        foreach (var ticks in b)
        {
            right.Record(TimeSpan.FromTicks(ticks));
            all.Record(TimeSpan.FromTicks(ticks));
        }

        left.Merge(right);
        Assert.Equal(all.Count, left.Count);
        Assert.Equal(all.Total, left.Total);
        Assert.Equal(all.Min, left.Min);
        Assert.Equal(all.Max, left.Max);
        Assert.Equal(all.GetBuckets(), left.GetBuckets());
        foreach (var p in s_percentiles)
        {
            Assert.Equal(all.GetPercentile(p), left.GetPercentile(p));
        }

        // The merged-from histogram is unchanged; a clone is equal and independent.
        Assert.Equal(b.Length, right.Count);
        var clone = left.Clone();
        Assert.Equal(left.GetBuckets(), clone.GetBuckets());
        clone.Record(TimeSpan.FromSeconds(1));
        Assert.Equal(left.Count + 1, clone.Count);
    }

    [Fact]
    public void Merging_an_empty_histogram_changes_nothing()
    {
        var histogram = SingleValue(TimeSpan.FromMilliseconds(3));
        histogram.Merge(new DurationHistogram());
        Assert.Equal(1, histogram.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(3), histogram.Min);
    }

    [Fact]
    public void Reset_empties_the_histogram_and_it_records_again()
    {
        var histogram = new DurationHistogram();
        foreach (var ticks in Generate("uniform", 1000, seed: 5))
        {
            histogram.Record(TimeSpan.FromTicks(ticks));
        }

        histogram.Reset();
        Assert.Equal(0, histogram.Count);
        Assert.Equal(TimeSpan.Zero, histogram.Total);
        Assert.Equal(TimeSpan.Zero, histogram.Max);
        Assert.Empty(histogram.GetBuckets());

        histogram.Record(TimeSpan.FromMilliseconds(7));
        Assert.Equal(TimeSpan.FromMilliseconds(7), histogram.GetPercentile(50));
        Assert.Equal(TimeSpan.FromMilliseconds(7), histogram.Min);
    }

    [Fact]
    public void Weighted_records_equal_repeated_records()
    {
        var weighted = new DurationHistogram();
        var repeated = new DurationHistogram();
        weighted.Record(TimeSpan.FromMilliseconds(2), 5);
        weighted.Record(TimeSpan.FromMilliseconds(9), 0);
        for (var i = 0; i < 5; i++)
        {
            repeated.Record(TimeSpan.FromMilliseconds(2));
        }

        Assert.Equal(repeated.GetBuckets(), weighted.GetBuckets());
        Assert.Equal(repeated.Total, weighted.Total);
        Assert.Equal(5, weighted.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(2), weighted.Max);
    }

    [Fact]
    public void Buckets_are_ordered_disjoint_and_narrow()
    {
        var histogram = new DurationHistogram();
        foreach (var ticks in Generate("log-uniform", 20_000, seed: 9))
        {
            histogram.Record(TimeSpan.FromTicks(ticks));
        }

        var buckets = histogram.GetBuckets();
        Assert.Equal(histogram.Count, buckets.Sum(b => b.Count));
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            Assert.True(bucket.UpperBound > bucket.LowerBound);
            if (bucket.LowerBound.Ticks >= 128)
            {
                Assert.True((bucket.UpperBound - bucket.LowerBound).Ticks * 64 <= bucket.LowerBound.Ticks, bucket.ToString());
            }
            else
            {
                Assert.Equal(1, (bucket.UpperBound - bucket.LowerBound).Ticks);
            }

            if (i > 0)
            {
                Assert.True(bucket.LowerBound >= buckets[i - 1].UpperBound);
            }
        }
    }

    [Fact]
    public void Count_at_or_below_is_cumulative_and_agrees_with_the_values()
    {
        var values = Generate("bimodal", 10_000, seed: 21);
        var histogram = new DurationHistogram();
        foreach (var ticks in values)
        {
            histogram.Record(TimeSpan.FromTicks(ticks));
        }

        long previous = 0;
        foreach (var boundMs in new[] { 0.001, 1, 2, 4, 5, 6, 10, 100, 500, 800, 1000, 5000 })
        {
            var bound = TimeSpan.FromMilliseconds(boundMs);
            var counted = histogram.GetCountAtOrBelow(bound);
            Assert.True(counted >= previous);
            previous = counted;

            // Every value well below the bound is counted, none well above it is.
            var surelyBelow = values.Count(v => v <= bound.Ticks * (1 - 2 * DurationHistogram.MaxRelativeError));
            var possiblyBelow = values.Count(v => v <= bound.Ticks * (1 + 2 * DurationHistogram.MaxRelativeError));
            Assert.InRange(counted, surelyBelow, possiblyBelow);
        }

        Assert.Equal(values.Length, histogram.GetCountAtOrBelow(TimeSpan.MaxValue));
        Assert.Equal(0, histogram.GetCountAtOrBelow(TimeSpan.FromTicks(-1)));
    }

    [Fact]
    public void Memory_is_bounded_whatever_the_number_of_values()
    {
        var histogram = new DurationHistogram();
        var random = new Random(1);

        // Touch every power of two once, from 0 to beyond the trackable range.
        for (var bit = 0; bit < 63; bit++)
        {
            histogram.Record(TimeSpan.FromTicks(1L << bit));
        }

        var allocatedBuckets = histogram.AllocatedBucketCount;
        Assert.True(allocatedBuckets <= DurationHistogram.BucketCount, $"{allocatedBuckets} buckets");

        // An allocation per value would show in every run (a million values).
        var runs = 0;
        Assert.Equal(0, AllocationCheck.LeastBytes(() =>
        {
            runs++;
            for (var i = 0; i < 1_000_000; i++)
            {
                histogram.Record(TimeSpan.FromTicks(random.NextInt64(0, long.MaxValue >> random.Next(0, 40))));
            }
        }));

        Assert.Equal(allocatedBuckets, histogram.AllocatedBucketCount);
        Assert.Equal(63 + (runs * 1_000_000L), histogram.Count);
    }

    [Fact]
    public void A_histogram_of_a_narrow_range_allocates_only_the_ranges_it_uses()
    {
        var histogram = new DurationHistogram();
        for (var i = 0; i < 10_000; i++)
        {
            histogram.Record(TimeSpan.FromMilliseconds(100 + (i % 50)));
        }

        // 100–150 ms spans one power of two: one chunk of 64 buckets plus the overflow counter.
        Assert.True(histogram.AllocatedBucketCount <= 2 * 64 + 1, histogram.AllocatedBucketCount.ToString());
    }

    [Fact]
    public void Parallel_records_lose_nothing()
    {
        var histogram = new DurationHistogram();
        const int threads = 8;
        const int perThread = 100_000;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var i = 0; i < perThread; i++)
            {
                histogram.Record(TimeSpan.FromTicks(1 + ((i * 7919L + t) % 5_000_000)));
            }
        });

        long expectedTotal = 0;
        long expectedMax = 0;
        for (var t = 0; t < threads; t++)
        {
            for (var i = 0; i < perThread; i++)
            {
                var v = 1 + ((i * 7919L + t) % 5_000_000);
                expectedTotal += v;
                expectedMax = Math.Max(expectedMax, v);
            }
        }

        Assert.Equal(threads * perThread, histogram.Count);
        Assert.Equal(threads * perThread, histogram.GetBuckets().Sum(b => b.Count));
        Assert.Equal(expectedTotal, histogram.Total.Ticks);
        Assert.Equal(expectedMax, histogram.Max.Ticks);
        Assert.Equal(1, histogram.Min.Ticks);
    }

    [Fact]
    public async Task Merges_and_reads_while_recording_stay_consistent()
    {
        var source = new DurationHistogram();
        var target = new DurationHistogram();
        var stop = false;
        var reader = Task.Run(() =>
        {
            while (!System.Threading.Volatile.Read(ref stop))
            {
                var p = source.GetPercentile(99);
                Assert.True(p >= TimeSpan.Zero && p <= TimeSpan.FromMilliseconds(10));
                Assert.True(source.GetCountAtOrBelow(TimeSpan.FromSeconds(1)) <= source.Count + 1_000_000);
            }
        });

        Parallel.For(0, 4, t =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                source.Record(TimeSpan.FromTicks(1 + (i % 100_000)));
            }
        });
        System.Threading.Volatile.Write(ref stop, true);
        await reader;

        target.Merge(source);
        Assert.Equal(200_000, target.Count);
        Assert.Equal(source.GetBuckets(), target.GetBuckets());
    }

    [Fact]
    public void Move_transfers_everything_and_empties_the_source()
    {
        var source = new DurationHistogram();
        var target = SingleValue(TimeSpan.FromSeconds(2));
        foreach (var ticks in Generate("lognormal", 1000, seed: 4))
        {
            source.Record(TimeSpan.FromTicks(ticks));
        }

        var expected = source.Clone();
        expected.Record(TimeSpan.FromSeconds(2));
        source.MoveTo(target);

        Assert.Equal(0, source.Count);
        Assert.Empty(source.GetBuckets());
        Assert.Equal(expected.GetBuckets(), target.GetBuckets());
        Assert.Equal(expected.Total, target.Total);
        Assert.Equal(expected.Min, target.Min);
        Assert.Equal(expected.Max, target.Max);
    }

    [Fact]
    public void Text_forms_are_readable()
    {
        var histogram = SingleValue(TimeSpan.FromMilliseconds(12.5));
        Assert.Contains("count 1", histogram.ToString(), StringComparison.Ordinal);
        Assert.Contains("12.5 ms", histogram.ToString(), StringComparison.Ordinal);
        Assert.Contains("ms", histogram.GetBuckets()[0].ToString(), StringComparison.Ordinal);
    }

    internal static long ExactPercentile(long[] sorted, double percentile)
    {
        var rank = (long)Math.Ceiling((decimal)percentile * sorted.Length / 100m);
        rank = Math.Clamp(rank, 1, sorted.Length);
        return sorted[rank - 1];
    }

    internal static double RelativeError(long reported, long exact) =>
        exact == 0 ? (reported == 0 ? 0 : double.PositiveInfinity) : Math.Abs(reported - exact) / (double)exact;

    internal static long[] Generate(string distribution, int n, int seed)
    {
        var random = new Random(seed);
        var values = new long[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = distribution switch
            {
                // 1 ms to 2 s, evenly.
                "uniform" => random.NextInt64(TimeSpan.TicksPerMillisecond, 2 * TimeSpan.TicksPerSecond),

                // Median 200 ms, sigma 1: a typical latency shape with a long right tail.
                "lognormal" => (long)(200 * TimeSpan.TicksPerMillisecond * Math.Exp(Normal(random))),

                // 70 % fast cache hits around 5 ms, 30 % slow calls around 800 ms.
                "bimodal" => random.NextDouble() < 0.7
                    ? (long)Math.Max(1, TimeSpan.TicksPerMillisecond * (5 + 0.5 * Normal(random)))
                    : (long)Math.Max(1, TimeSpan.TicksPerMillisecond * (800 + 60 * Normal(random))),

                "constant" => 42 * TimeSpan.TicksPerMillisecond,

                // Evenly spread over the logarithm from 1 µs to 1 hour: every range of the histogram.
                "log-uniform" => (long)(10 * Math.Pow(TimeSpan.TicksPerHour / 10.0, random.NextDouble())),

                // Sub-microsecond to tens of microseconds, where buckets are exact.
                "small-exact" => random.NextInt64(0, 300),

                // Pareto (alpha 1.2) from 1 ms: rare, very slow outliers.
                "heavy-tail" => (long)Math.Min(TimeSpan.TicksPerHour, TimeSpan.TicksPerMillisecond / Math.Pow(1 - random.NextDouble(), 1 / 1.2)),

                _ => throw new ArgumentException(distribution),
            };
        }

        return values;
    }

    private static double Normal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static DurationHistogram SingleValue(TimeSpan value)
    {
        var histogram = new DurationHistogram();
        histogram.Record(value);
        return histogram;
    }
}
