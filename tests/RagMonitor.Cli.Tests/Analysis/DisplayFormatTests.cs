using System;

namespace RagMonitor.Cli.Tests.Analysis;

/// <summary>
/// ragmon shows durations with the core's formatter (issue 16: one duration formatter): three significant digits and a
/// unit chosen for the size, the same text the live statistics give.
/// </summary>
public sealed class DisplayFormatTests
{
    [Theory]
    [InlineData(1.234, "1.23 s")]
    [InlineData(12.345, "12.3 s")]
    [InlineData(0.0567, "56.7 ms")]
    [InlineData(0.204, "204 ms")]
    [InlineData(0.00089, "890 µs")]
    [InlineData(125, "2.08 min")]
    [InlineData(0, "0")]
    [InlineData(double.NaN, "–")]
    [InlineData(double.PositiveInfinity, "–")]
    public void Durations_read_as_in_the_core(double seconds, string expected)
        => Assert.Equal(expected, DisplayFormat.Duration(seconds));

    [Fact]
    public void A_duration_reads_the_same_in_ragmon_and_in_the_live_statistics()
    {
        var histogram = new DurationHistogram();
        histogram.Record(TimeSpan.FromMilliseconds(1500));
        Assert.Contains("mean " + DisplayFormat.Duration(1.5) + ",", histogram.ToString(), StringComparison.Ordinal);
        Assert.Contains("mean 1.50 s,", histogram.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_duration_beyond_what_a_TimeSpan_holds_is_still_shown()
        => Assert.EndsWith(" h", DisplayFormat.Duration(1e300), StringComparison.Ordinal);
}
