using System;
using System.Collections.Generic;

namespace RagMonitor;

/// <summary>
/// One request as read back from a JSONL performance log: the Python module's fields (<c>start_time</c>,
/// <c>total_time</c>, <c>timestamp</c>, <c>stages.*.duration</c>/<c>metadata</c>) and, for lines RagMonitor wrote,
/// the request name, id, status, per-stage calls/share/status and bottlenecks. Fields a line does not have are
/// <see langword="null"/>.
/// </summary>
public sealed class PerformanceLogRecord
{
    /// <summary>Creates a record.</summary>
    public PerformanceLogRecord(
        double? startTimeSeconds,
        double totalTimeSeconds,
        DateTimeOffset timestamp,
        IReadOnlyList<LogStageRecord> stages,
        string? requestName = null,
        string? requestId = null,
        OperationStatus? status = null,
        string? errorType = null,
        IReadOnlyList<LogBottleneckRecord>? bottlenecks = null,
        long? allocatedBytes = null,
        long? gcCollections = null,
        string? sourcePath = null,
        long lineNumber = 0)
    {
        StartTimeSeconds = startTimeSeconds;
        TotalTimeSeconds = totalTimeSeconds;
        Timestamp = timestamp;
        Stages = stages ?? Array.Empty<LogStageRecord>();
        RequestName = requestName;
        RequestId = requestId;
        Status = status;
        ErrorType = errorType;
        Bottlenecks = bottlenecks ?? Array.Empty<LogBottleneckRecord>();
        AllocatedBytes = allocatedBytes;
        GcCollections = gcCollections;
        SourcePath = sourcePath;
        LineNumber = lineNumber;
    }

    /// <summary><c>start_time</c>: when the request started, in seconds since the Unix epoch.</summary>
    public double? StartTimeSeconds { get; }

    /// <summary><see cref="StartTimeSeconds"/> as a UTC time.</summary>
    public DateTimeOffset? StartTime => StartTimeSeconds is double s ? PerformanceLogNumbers.FromUnixSeconds(s) : null;

    /// <summary><c>total_time</c>: the request's total time in seconds.</summary>
    public double TotalTimeSeconds { get; }

    /// <summary><see cref="TotalTimeSeconds"/> as a <see cref="TimeSpan"/>.</summary>
    public TimeSpan TotalTime => PerformanceLogNumbers.ToTimeSpan(TotalTimeSeconds);

    /// <summary>
    /// <c>timestamp</c>: when the request ended. A timestamp written without an offset (the Python module's
    /// <c>datetime.now().isoformat()</c>) is read as local time unless
    /// <see cref="PerformanceLogReadOptions.TimestampsWithoutOffsetAreUtc"/> is set.
    /// </summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The stages in the order they appear in the line.</summary>
    public IReadOnlyList<LogStageRecord> Stages { get; }

    /// <summary><c>request</c>: the request name; <see langword="null"/> for lines of the Python module.</summary>
    public string? RequestName { get; }

    /// <summary><c>request_id</c>; <see langword="null"/> when the line has none.</summary>
    public string? RequestId { get; }

    /// <summary><c>status</c>; <see langword="null"/> when the line has none (readers treat that as success).</summary>
    public OperationStatus? Status { get; }

    /// <summary><c>error_type</c>: the exception type name of a failed or cancelled request.</summary>
    public string? ErrorType { get; }

    /// <summary><c>bottlenecks</c>: the stages flagged when the request ended; for a Python-module line (which writes none) the stages over <see cref="PerformanceLogReadOptions.BottleneckShareThreshold"/> of <c>total_time</c>.</summary>
    public IReadOnlyList<LogBottleneckRecord> Bottlenecks { get; }

    /// <summary><c>allocated_bytes</c>, when allocation tracking was on.</summary>
    public long? AllocatedBytes { get; }

    /// <summary><c>gc_collections</c>, when allocation tracking was on.</summary>
    public long? GcCollections { get; }

    /// <summary>The file the record was read from, if any.</summary>
    public string? SourcePath { get; }

    /// <summary>The 1-based line number in <see cref="SourcePath"/>, or 0.</summary>
    public long LineNumber { get; }

    /// <summary>Finds a stage by name (ordinal comparison).</summary>
    public LogStageRecord? FindStage(string name)
    {
        foreach (LogStageRecord stage in Stages)
        {
            if (string.Equals(stage.Name, name, StringComparison.Ordinal))
            {
                return stage;
            }
        }

        return null;
    }
}

/// <summary>One entry of a log line's <c>stages</c> object.</summary>
public sealed class LogStageRecord
{
    /// <summary>Creates a stage record.</summary>
    public LogStageRecord(
        string name,
        double durationSeconds,
        IReadOnlyList<KeyValuePair<string, MetadataValue>>? metadata = null,
        int? calls = null,
        double? share = null,
        OperationStatus? status = null,
        string? errorType = null)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        DurationSeconds = durationSeconds;
        Metadata = metadata ?? Array.Empty<KeyValuePair<string, MetadataValue>>();
        Calls = calls;
        Share = share;
        Status = status;
        ErrorType = errorType;
    }

    /// <summary>The stage name (the key in <c>stages</c>).</summary>
    public string Name { get; }

    /// <summary><c>duration</c> in seconds (the sum over all calls of the stage in the request).</summary>
    public double DurationSeconds { get; }

    /// <summary><see cref="DurationSeconds"/> as a <see cref="TimeSpan"/>.</summary>
    public TimeSpan Duration => PerformanceLogNumbers.ToTimeSpan(DurationSeconds);

    /// <summary>
    /// <c>metadata</c>, in file order. Strings, integers, numbers, booleans and nulls keep their kind; a nested
    /// object or array is kept as its JSON text (a string value). Empty when the reader was asked to skip metadata.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, MetadataValue>> Metadata { get; }

    /// <summary><c>calls</c>: how many times the stage ran in the request.</summary>
    public int? Calls { get; }

    /// <summary><c>share</c>: the stage's fraction (0–1) of the request's total time as written.</summary>
    public double? Share { get; }

    /// <summary><c>status</c> of the stage.</summary>
    public OperationStatus? Status { get; }

    /// <summary><c>error_type</c> of a failed stage.</summary>
    public string? ErrorType { get; }
}

/// <summary>One entry of a log line's <c>bottlenecks</c> array.</summary>
public sealed class LogBottleneckRecord
{
    /// <summary>Creates a bottleneck record.</summary>
    public LogBottleneckRecord(string stage, double? share = null, string? rule = null)
    {
        Stage = stage ?? throw new ArgumentNullException(nameof(stage));
        Share = share;
        Rule = rule;
    }

    /// <summary>The stage name.</summary>
    public string Stage { get; }

    /// <summary>The stage's share (0–1) of the request's total time.</summary>
    public double? Share { get; }

    /// <summary>The rule that flagged it as written (for example <c>"share"</c>).</summary>
    public string? Rule { get; }
}
