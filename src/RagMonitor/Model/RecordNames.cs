using System;

namespace RagMonitor;

/// <summary>
/// Brings names, keys and ids to the form a log line holds: at most a documented length
/// (<see cref="PerformanceMonitorOptions.MaxNameLength"/>, <see cref="PerformanceMonitorOptions.MaxRequestIdLength"/>) and
/// no lone UTF-16 surrogate (replaced with U+FFFD, as UTF-8 cannot hold one). Two names that differ only in what this
/// changes become one name, so the JSON keys of a record stay unique.
/// </summary>
internal static class RecordNames
{
    /// <summary>The text that ends a value that was cut.</summary>
    internal const string TruncationMarker = "…[truncated]";

    /// <summary>Returns <paramref name="value"/> itself when it is already in form (no allocation), else the cut and cleaned copy.</summary>
    internal static string Limit(string value, int maxLength)
    {
        if (value.Length <= maxLength && value.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return value;
        }

        return JsonlRecordFormatter.Clean(value.Length > maxLength ? Truncate(value, maxLength) : value);
    }

    /// <summary>Cuts <paramref name="value"/> to <paramref name="max"/> characters, the last ones being <see cref="TruncationMarker"/> (never splitting a surrogate pair).</summary>
    internal static string Truncate(string value, int max)
    {
        var keep = Math.Max(0, max - TruncationMarker.Length);
        if (keep > 0 && char.IsHighSurrogate(value[keep - 1]))
        {
            keep--;
        }

        return string.Concat(value.AsSpan(0, keep), TruncationMarker);
    }
}
