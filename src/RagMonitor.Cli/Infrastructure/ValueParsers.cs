using System;
using System.Globalization;

namespace RagMonitor.Cli;

/// <summary>Parsing of the tool's time, span and duration arguments.</summary>
internal static class ValueParsers
{
    /// <summary>
    /// Parses a span such as <c>90s</c>, <c>15m</c>, <c>24h</c>, <c>7d</c>, <c>2w</c>, <c>500ms</c> or a
    /// combination (<c>1h30m</c>). Returns false for anything else.
    /// </summary>
    internal static bool TryParseSpan(string text, out TimeSpan span)
    {
        span = TimeSpan.Zero;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }

        int i = 0;
        double totalSeconds = 0;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (i == start || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
            {
                return false;
            }

            int unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            double unitSeconds = text.Substring(unitStart, i - unitStart).ToLowerInvariant() switch
            {
                "ms" => 0.001,
                "s" or "sec" => 1,
                "m" or "min" => 60,
                "h" => 3600,
                "d" => 86400,
                "w" => 7 * 86400,
                _ => double.NaN,
            };
            if (double.IsNaN(unitSeconds))
            {
                return false;
            }

            totalSeconds += number * unitSeconds;
        }

        if (totalSeconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        span = TimeSpan.FromSeconds(totalSeconds);
        return true;
    }

    /// <summary>
    /// Parses a duration for budgets and thresholds: a span (<c>2s</c>, <c>250ms</c>, <c>1.5m</c>) or a bare number
    /// of seconds (<c>2.5</c>).
    /// </summary>
    internal static bool TryParseDuration(string text, out double seconds)
    {
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out seconds))
        {
            return seconds >= 0;
        }

        if (TryParseSpan(text, out TimeSpan span))
        {
            seconds = span.TotalSeconds;
            return true;
        }

        return false;
    }

    /// <summary>Parses a fraction: <c>5%</c> or <c>0.05</c>.</summary>
    internal static bool TryParseFraction(string text, out double fraction)
    {
        text = text.Trim();
        bool percent = text.EndsWith('%');
        if (percent)
        {
            text = text[..^1];
        }

        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out fraction) || fraction < 0)
        {
            return false;
        }

        if (percent)
        {
            fraction /= 100;
        }

        return true;
    }

    /// <summary>
    /// Parses a <c>--since</c>/<c>--until</c> value: a span before now (<c>24h</c>, <c>7d</c>), <c>now</c>,
    /// <c>today</c>, <c>yesterday</c>, a date (<c>2026-11-29</c> or <c>20261129</c>, UTC) or a date and time (ISO 8601;
    /// UTC when it has no offset). For an upper bound a bare date means the end of that day.
    /// </summary>
    internal static bool TryParseTimeBound(string text, DateTimeOffset now, bool isUpperBound, out DateTimeOffset value)
    {
        value = default;
        text = text.Trim();
        DateTimeOffset today = new(now.UtcDateTime.Date, TimeSpan.Zero);
        switch (text.ToLowerInvariant())
        {
            case "now":
                value = now;
                return true;
            case "today":
                value = isUpperBound ? today.AddDays(1) : today;
                return true;
            case "yesterday":
                value = isUpperBound ? today : today.AddDays(-1);
                return true;
        }

        if (TryParseSpan(text, out TimeSpan span))
        {
            value = now - span;
            return true;
        }

        if (DateOnly.TryParseExact(text, new[] { "yyyy-MM-dd", "yyyyMMdd" }, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date))
        {
            value = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            if (isUpperBound)
            {
                value = value.AddDays(1);
            }

            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }
}
