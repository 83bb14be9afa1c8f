using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace RagMonitor.Cli.Output;

/// <summary>
/// The one unit a chart's durations are shown in (s, ms or µs), chosen from the largest value, so that the axis label,
/// the tick labels and the terminal table of one trend all say the same unit.
/// </summary>
internal sealed record DurationUnit(string Symbol, double SecondsPerUnit)
{
    internal static readonly DurationUnit Seconds = new("s", 1);

    internal static readonly DurationUnit Milliseconds = new("ms", 1e-3);

    internal static readonly DurationUnit Microseconds = new("µs", 1e-6);

    /// <summary>Seconds when the largest value is 1 s or more, else milliseconds from 1 ms, else microseconds.</summary>
    internal static DurationUnit For(double maxSeconds)
        => maxSeconds >= 1 || double.IsNaN(maxSeconds) || double.IsInfinity(maxSeconds) ? Seconds : maxSeconds >= 1e-3 ? Milliseconds : Microseconds;

    /// <summary>The unit for the largest finite value of <paramref name="seconds"/>.</summary>
    internal static DurationUnit For(IEnumerable<double> seconds)
        => For(seconds.Where(double.IsFinite).DefaultIfEmpty(0).Max());

    /// <summary>A value in seconds converted to this unit.</summary>
    internal double From(double seconds) => seconds / SecondsPerUnit;

    /// <summary>A value in seconds as a number in this unit, without the symbol (for ticks and table cells under a labelled header).</summary>
    internal string Number(double seconds)
    {
        double value = From(seconds);
        string format = Math.Abs(value) >= 100 ? "0" : Math.Abs(value) >= 10 ? "0.#" : "0.##";
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>An axis title with the unit, for example <c>Duration (ms)</c>.</summary>
    internal string Label(string quantity) => $"{quantity} ({Symbol})";
}
