using System;
using System.Globalization;

namespace RagMonitor;

/// <summary>Compact, invariant text forms for durations, shares and byte counts used by the statistics' text output.</summary>
internal static class StatisticsFormat
{
    /// <summary>"0", "850 ns", "12.3 µs", "4.56 ms", "1.23 s", "2.5 min", "1.50 h" (three significant digits).</summary>
    internal static string Duration(TimeSpan value)
    {
        var ticks = value.Ticks;
        if (ticks == 0)
        {
            return "0";
        }

        var seconds = value.TotalSeconds;
        var abs = Math.Abs(seconds);
        if (abs < 1e-6)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e9:0} ns");
        }

        if (abs < 1e-3)
        {
            return Scaled(seconds * 1e6, "µs");
        }

        if (abs < 1)
        {
            return Scaled(seconds * 1e3, "ms");
        }

        if (abs < 120)
        {
            return Scaled(seconds, "s");
        }

        if (abs < 7200)
        {
            return Scaled(seconds / 60, "min");
        }

        return Scaled(seconds / 3600, "h");
    }

    /// <summary>"45.0%".</summary>
    internal static string Share(double share) => string.Create(CultureInfo.InvariantCulture, $"{share * 100:F1}%");

    /// <summary>"512 B", "12.3 KiB", "85.2 MiB", "1.20 GiB".</summary>
    internal static string Bytes(long bytes)
    {
        if (bytes < 1024)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{bytes} B");
        }

        double value = bytes;
        string[] units = { "KiB", "MiB", "GiB", "TiB" };
        var unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return Scaled(value, units[unit]);
    }

    private static string Scaled(double value, string unit)
    {
        var abs = Math.Abs(value);
        var format = abs >= 100 ? "0" : abs >= 10 ? "0.0" : "0.00";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + unit;
    }
}
