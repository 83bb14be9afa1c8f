using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace RagMonitor;

/// <summary>What <see cref="PerformanceLog"/> reads and how.</summary>
public sealed class PerformanceLogReadOptions
{
    /// <summary>Records with a <c>timestamp</c> before this are left out (inclusive lower bound). Files are chosen by the date in their name with one day of margin on each side, so that files named by local or UTC date both qualify.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Records with a <c>timestamp</c> at or after this are left out (exclusive upper bound).</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Only records whose <c>request</c> equals this (ordinal). Lines without a request name never match a filter.</summary>
    public string? RequestName { get; init; }

    /// <summary>Whether records carry stage metadata (<see cref="LogStageRecord.Metadata"/>). Default <see langword="true"/>.</summary>
    public bool IncludeMetadata { get; init; } = true;

    /// <summary>
    /// How to read a <c>timestamp</c> without an offset (the Python module writes <c>datetime.now().isoformat()</c>,
    /// which is local time): <see langword="false"/> (default) reads it as the local time of this machine,
    /// <see langword="true"/> as UTC.
    /// </summary>
    public bool TimestampsWithoutOffsetAreUtc { get; init; }

    /// <summary>
    /// For lines in the Python module's format — no <c>bottlenecks</c> and no per-stage <c>share</c> — the reader flags
    /// as a bottleneck (rule <c>share</c>) every stage whose <c>duration</c> is strictly more than this fraction of
    /// <c>total_time</c>, as the Python module did when the request ended. Lines that carry either field are read as
    /// written. Default 0.30, the reference threshold.
    /// </summary>
    public double BottleneckShareThreshold { get; init; } = 0.30;

    /// <summary>Lines longer than this many bytes are skipped (and counted). Default 16 MiB.</summary>
    public int MaxLineLength { get; init; } = 16 * 1024 * 1024;

    /// <summary>How many skipped lines <see cref="PerformanceLogReadStatistics.SkippedLines"/> keeps (all are counted). Default 100.</summary>
    public int MaxSkippedLinesKept { get; init; } = 100;

    /// <summary>Called for every skipped line.</summary>
    public Action<SkippedLogLine>? LineSkipped { get; init; }

    /// <summary>Called after each block read with the total number of file bytes (compressed bytes for <c>.gz</c>) consumed so far in this read.</summary>
    public Action<long>? Progress { get; init; }

    internal static PerformanceLogReadOptions Default { get; } = new();

    internal DateOnly? FirstFileDate => From is DateTimeOffset f ? DateOnly.FromDateTime(f.UtcDateTime).AddDays(-1) : null;

    internal DateOnly? LastFileDate => To is DateTimeOffset t ? DateOnly.FromDateTime(t.UtcDateTime).AddDays(1) : null;
}

/// <summary>A line the reader could not use.</summary>
/// <param name="Path">The file.</param>
/// <param name="LineNumber">The 1-based line number.</param>
/// <param name="Reason">Why it was skipped (for example <c>"invalid JSON (torn line?) at byte 37"</c>).</param>
public sealed record SkippedLogLine(string Path, long LineNumber, string Reason)
{
    /// <summary><c>path:line: reason</c>.</summary>
    public override string ToString() => $"{Path}:{LineNumber}: {Reason}";
}

/// <summary>Counts of one read: files, bytes, lines, records and skipped lines.</summary>
public sealed class PerformanceLogReadStatistics
{
    private readonly List<SkippedLogLine> _skipped = new();

    /// <summary>Files opened.</summary>
    public int FilesRead { get; internal set; }

    /// <summary>File bytes consumed (compressed bytes for <c>.gz</c>).</summary>
    public long BytesRead { get; internal set; }

    /// <summary>Uncompressed bytes of the lines.</summary>
    public long UncompressedBytesRead { get; internal set; }

    /// <summary>Non-blank lines seen.</summary>
    public long LinesRead { get; internal set; }

    /// <summary>Lines that parsed as records (before the time and request filters).</summary>
    public long RecordsRead { get; internal set; }

    /// <summary>Records that passed the filters and were returned.</summary>
    public long RecordsMatched { get; internal set; }

    /// <summary>Lines that could not be used (invalid or torn JSON, missing <c>total_time</c>, too long…).</summary>
    public long LinesSkipped { get; internal set; }

    /// <summary>The first skipped lines (up to <see cref="PerformanceLogReadOptions.MaxSkippedLinesKept"/>).</summary>
    public IReadOnlyList<SkippedLogLine> SkippedLines => _skipped;

    /// <summary>The earliest <c>timestamp</c> of a matched record.</summary>
    public DateTimeOffset? FirstTimestamp { get; internal set; }

    /// <summary>The latest <c>timestamp</c> of a matched record.</summary>
    public DateTimeOffset? LastTimestamp { get; internal set; }

    internal void AddSkipped(SkippedLogLine line, PerformanceLogReadOptions options)
    {
        LinesSkipped++;
        if (_skipped.Count < options.MaxSkippedLinesKept)
        {
            _skipped.Add(line);
        }

        options.LineSkipped?.Invoke(line);
    }

    /// <summary>Adds the counts of a chunk whose line numbers start after <paramref name="lineOffset"/> lines.</summary>
    internal void Add(PerformanceLogReadStatistics chunk, long lineOffset, PerformanceLogReadOptions options)
    {
        BytesRead += chunk.BytesRead;
        UncompressedBytesRead += chunk.UncompressedBytesRead;
        LinesRead += chunk.LinesRead;
        RecordsRead += chunk.RecordsRead;
        RecordsMatched += chunk.RecordsMatched;
        foreach (SkippedLogLine line in chunk.SkippedLines)
        {
            SkippedLogLine absolute = line with { LineNumber = line.LineNumber + lineOffset };
            if (_skipped.Count < options.MaxSkippedLinesKept)
            {
                _skipped.Add(absolute);
            }

            options.LineSkipped?.Invoke(absolute);
        }

        LinesSkipped += chunk.LinesSkipped;
        if (chunk.FirstTimestamp is DateTimeOffset first && (FirstTimestamp is not DateTimeOffset current || first < current))
        {
            FirstTimestamp = first;
        }

        if (chunk.LastTimestamp is DateTimeOffset last && (LastTimestamp is not DateTimeOffset currentLast || last > currentLast))
        {
            LastTimestamp = last;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AddMatched(DateTimeOffset timestamp)
    {
        RecordsMatched++;
        if (FirstTimestamp is not DateTimeOffset first || timestamp < first)
        {
            FirstTimestamp = timestamp;
        }

        if (LastTimestamp is not DateTimeOffset last || timestamp > last)
        {
            LastTimestamp = timestamp;
        }
    }
}
