using System;
using System.Globalization;

namespace RagMonitor.Cli;

/// <summary>Human-readable numbers for tables and reports.</summary>
internal static class DisplayFormat
{
    /// <summary>
    /// A duration in seconds with a unit chosen for its size, three significant digits: <c>1.23 s</c>, <c>56.7 ms</c>,
    /// <c>890 µs</c>, <c>2.08 min</c>; <c>–</c> for no value. The core's formatter (the live statistics' text uses the
    /// same), so that a duration reads the same wherever RagMonitor shows it.
    /// </summary>
    internal static string Duration(double seconds)
    {
        if (!double.IsFinite(seconds))
        {
            return "–";
        }

        double ticks = Math.Round(seconds * TimeSpan.TicksPerSecond);
        TimeSpan span = ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : ticks <= TimeSpan.MinValue.Ticks ? TimeSpan.MinValue : TimeSpan.FromTicks((long)ticks);
        return StatisticsFormat.Duration(span);
    }

    /// <summary>A fraction as a percentage with one decimal.</summary>
    internal static string Percent(double fraction) => double.IsNaN(fraction) ? "–" : string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0.0}%");

    /// <summary>A signed relative change: <c>+12.3%</c>.</summary>
    internal static string Change(double fraction) => double.IsNaN(fraction) || double.IsInfinity(fraction) ? "–" : string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:+0.0;-0.0;0.0}%");

    internal static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A UTC timestamp: <c>2026-11-29 08:00:04Z</c>.</summary>
    internal static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A span for labels: <c>1h</c>, <c>15m</c>, <c>1d</c>.</summary>
    internal static string Span(TimeSpan span)
    {
        if (span.TotalDays >= 1 && span.Ticks % TimeSpan.TicksPerDay == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalDays}d");
        }

        if (span.TotalHours >= 1 && span.Ticks % TimeSpan.TicksPerHour == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalHours}h");
        }

        if (span.TotalMinutes >= 1 && span.Ticks % TimeSpan.TicksPerMinute == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalMinutes}m");
        }

        if (span < TimeSpan.FromSeconds(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0.###}ms");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.###}s");
    }

    /// <summary>A number of seconds for machine formats (JSON, CSV): round-trip, invariant; NaN gives an empty string.</summary>
    internal static string Seconds(double seconds) => double.IsNaN(seconds) ? string.Empty : Math.Round(seconds, 9).ToString("R", CultureInfo.InvariantCulture);
}
