using System;
using System.Globalization;
using System.IO;

namespace RagMonitor;

/// <summary>
/// The log file name rule, defined once for the writer, retention, the log reader (RagMonitor.Logs) and ragmon. The
/// writer names a day's file <c>yyyyMMdd_performance.jsonl</c> (the Python module's name); a log file is any name that
/// starts with the date and <c>_</c> and ends with <c>performance.jsonl</c>, or <c>performance.jsonl.gz</c> once archived.
/// </summary>
internal static class LogFileNames
{
    /// <summary>The plain log file name suffix.</summary>
    internal const string JsonlSuffix = "performance.jsonl";

    /// <summary>The archived (gzip) log file name suffix.</summary>
    internal const string GzipSuffix = JsonlSuffix + ".gz";

    private const string DateFormat = "yyyyMMdd";

    /// <summary>The name of the file the writer appends the lines of <paramref name="date"/> to.</summary>
    internal static string For(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture) + "_" + JsonlSuffix;

    /// <summary>Reads the date and compression from a log file name; other names give <see langword="false"/>.</summary>
    /// <param name="fileName">A file name (a path is accepted; only its last segment is used).</param>
    /// <param name="date">The date before the first <c>_</c>.</param>
    /// <param name="isCompressed">Whether the name ends with <see cref="GzipSuffix"/>.</param>
    internal static bool TryParse(string fileName, out DateOnly date, out bool isCompressed)
    {
        date = default;
        var name = Path.GetFileName(fileName);
        isCompressed = name.EndsWith(GzipSuffix, StringComparison.Ordinal);
        if (!isCompressed && !name.EndsWith(JsonlSuffix, StringComparison.Ordinal))
        {
            return false;
        }

        return name.IndexOf('_') == DateFormat.Length
            && DateOnly.TryParseExact(name.AsSpan(0, DateFormat.Length), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }
}
