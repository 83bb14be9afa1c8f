using System;
using System.IO;

namespace RagMonitor;

/// <summary>
/// One JSONL performance log file: <c>&lt;yyyyMMdd&gt;_…performance.jsonl</c> or the same name with <c>.gz</c>.
/// The date is the text of the file name before the first <c>_</c>.
/// </summary>
/// <param name="Path">The full path of the file.</param>
/// <param name="Date">The date in the file name (the calendar the writer used, UTC for RagMonitor, local time for the Python module).</param>
/// <param name="IsCompressed"><see langword="true"/> for a gzip file (<c>.jsonl.gz</c>).</param>
/// <param name="Length">The size of the file on disk in bytes when it was listed.</param>
public sealed record PerformanceLogFile(string Path, DateOnly Date, bool IsCompressed, long Length)
{
    /// <summary>The plain log file name suffix, <c>performance.jsonl</c>.</summary>
    public const string JsonlSuffix = LogFileNames.JsonlSuffix;

    /// <summary>The compressed log file name suffix, <c>performance.jsonl.gz</c>.</summary>
    public const string GzipSuffix = LogFileNames.GzipSuffix;

    /// <summary>
    /// Reads the date and compression from a log file name such as <c>20261129_performance.jsonl</c> or
    /// <c>20261129_api_performance.jsonl.gz</c>; other names give <see langword="false"/>.
    /// </summary>
    /// <param name="fileName">A file name (a path is accepted; only its last segment is used).</param>
    /// <param name="date">The date before the first <c>_</c>.</param>
    /// <param name="isCompressed">Whether the name ends with <c>.gz</c>.</param>
    public static bool TryParseFileName(string fileName, out DateOnly date, out bool isCompressed)
    {
        if (string.IsNullOrEmpty(fileName))
        {
            date = default;
            isCompressed = false;
            return false;
        }

        return LogFileNames.TryParse(fileName, out date, out isCompressed);
    }

    /// <summary>Describes the file at <paramref name="path"/> when its name has the log file form.</summary>
    /// <param name="path">The path of an existing file.</param>
    /// <param name="file">The description.</param>
    public static bool TryCreate(string path, out PerformanceLogFile? file)
    {
        file = null;
        if (!TryParseFileName(path, out DateOnly date, out bool compressed))
        {
            return false;
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return false;
        }

        file = new PerformanceLogFile(info.FullName, date, compressed, info.Length);
        return true;
    }
}
