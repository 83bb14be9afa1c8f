using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace RagMonitor;

/// <summary>Called once per matching record by <see cref="PerformanceLog.Read(string, PerformanceLogReadOptions?, PerformanceLogEntryHandler, System.Threading.CancellationToken)"/>.</summary>
/// <param name="entry">The record; valid only during the call (the reader reuses it). Call <see cref="PerformanceLogEntry.ToRecord"/> to keep it.</param>
public delegate void PerformanceLogEntryHandler(PerformanceLogEntry entry);

/// <summary>
/// A parsed log line handed to a <see cref="PerformanceLogEntryHandler"/>: the fast, allocation-light view the
/// reader reuses for every line. Names (request, stage, status, error type) are shared strings; the request id
/// and stage metadata are decoded only when asked for. Valid only during the handler call.
/// </summary>
public sealed class PerformanceLogEntry
{
    private LogStageEntry[] _stages = new LogStageEntry[8];
    private LogBottleneckEntry[] _bottlenecks = new LogBottleneckEntry[4];
    private int _stageCount;
    private int _bottleneckCount;
    private byte[] _line = Array.Empty<byte>();
    private int _lineOffset;
    private int _lineLength;
    private int _requestIdStart = -1;
    private int _requestIdLength;
    private double _startTime;
    private bool _hasStartTime;
    private bool _includeMetadata = true;

    internal PerformanceLogEntry()
    {
        FilePath = string.Empty;
    }

    /// <summary>The file the line was read from.</summary>
    public string FilePath { get; internal set; }

    /// <summary>The 1-based line number.</summary>
    public long LineNumber { get; internal set; }

    /// <summary><c>start_time</c> in seconds since the Unix epoch, when present.</summary>
    public double? StartTimeSeconds => _hasStartTime ? _startTime : null;

    /// <summary><c>total_time</c> in seconds.</summary>
    public double TotalTimeSeconds { get; internal set; }

    /// <summary><c>timestamp</c> (see <see cref="PerformanceLogRecord.Timestamp"/> for timestamps without offset).</summary>
    public DateTimeOffset Timestamp { get; internal set; }

    /// <summary><c>request</c>, or <see langword="null"/> (Python module lines).</summary>
    public string? RequestName { get; internal set; }

    /// <summary><c>status</c>, or <see langword="null"/> when absent.</summary>
    public OperationStatus? Status { get; internal set; }

    /// <summary><c>status</c> with an absent status read as success.</summary>
    public OperationStatus EffectiveStatus => Status ?? OperationStatus.Success;

    /// <summary><c>error_type</c>, or <see langword="null"/>.</summary>
    public string? ErrorType { get; internal set; }

    /// <summary><c>allocated_bytes</c>, when present.</summary>
    public long? AllocatedBytes { get; internal set; }

    /// <summary><c>gc_collections</c>, when present.</summary>
    public long? GcCollections { get; internal set; }

    /// <summary>The stages in line order.</summary>
    public ReadOnlySpan<LogStageEntry> Stages => new(_stages, 0, _stageCount);

    /// <summary>The bottlenecks in line order (for a Python-module line, computed: see <see cref="PerformanceLogReadOptions.BottleneckShareThreshold"/>).</summary>
    public ReadOnlySpan<LogBottleneckEntry> Bottlenecks => new(_bottlenecks, 0, _bottleneckCount);

    /// <summary>The raw UTF-8 bytes of the line (without the line break).</summary>
    public ReadOnlySpan<byte> RawLine => new(_line, _lineOffset, _lineLength);

    /// <summary>Whether the line has a <c>request_id</c>.</summary>
    public bool HasRequestId => _requestIdStart >= 0;

    /// <summary>Decodes <c>request_id</c> (allocates a string), or <see langword="null"/> when absent.</summary>
    public string? GetRequestId()
    {
        if (_requestIdStart < 0)
        {
            return null;
        }

        var reader = new Utf8JsonReader(new ReadOnlySpan<byte>(_line, _lineOffset + _requestIdStart, _requestIdLength));
        try
        {
            reader.Read();
        }
        catch (JsonException)
        {
            return null;
        }

        return reader.TokenType == JsonTokenType.String ? PerformanceLogLineParser.LenientString(ref reader) : null;
    }

    /// <summary>Decodes the metadata of the stage at <paramref name="stageIndex"/> (see <see cref="LogStageRecord.Metadata"/>).</summary>
    public IReadOnlyList<KeyValuePair<string, MetadataValue>> GetStageMetadata(int stageIndex)
    {
        if ((uint)stageIndex >= (uint)_stageCount)
        {
            throw new ArgumentOutOfRangeException(nameof(stageIndex));
        }

        ref readonly LogStageEntry stage = ref _stages[stageIndex];
        if (!_includeMetadata || stage.MetadataLength == 0)
        {
            return Array.Empty<KeyValuePair<string, MetadataValue>>();
        }

        return PerformanceLogLineParser.ParseMetadata(new ReadOnlySpan<byte>(_line, _lineOffset + stage.MetadataStart, stage.MetadataLength));
    }

    /// <summary>
    /// Reads one number from the metadata of the stage at <paramref name="stageIndex"/> without decoding the rest and
    /// without allocating (for readers that aggregate a few well-known keys, such as <c>input_tokens</c>). Works
    /// whether or not <see cref="PerformanceLogReadOptions.IncludeMetadata"/> was set.
    /// </summary>
    /// <param name="stageIndex">The stage's position in <see cref="Stages"/>.</param>
    /// <param name="utf8Key">The metadata key, UTF-8 encoded (for example <c>"input_tokens"u8</c>).</param>
    /// <param name="value">The number, when the key is present with a JSON number.</param>
    /// <returns><see langword="false"/> when the stage has no such key or its value is not a number.</returns>
    public bool TryGetStageMetadataNumber(int stageIndex, ReadOnlySpan<byte> utf8Key, out double value)
    {
        if ((uint)stageIndex >= (uint)_stageCount)
        {
            throw new ArgumentOutOfRangeException(nameof(stageIndex));
        }

        value = 0;
        ref readonly LogStageEntry stage = ref _stages[stageIndex];
        var metadata = new ReadOnlySpan<byte>(_line, _lineOffset + stage.MetadataStart, stage.MetadataLength);
        if (stage.MetadataLength <= 2 || metadata.IndexOf(utf8Key) < 0)
        {
            // The quick test: most stages do not carry the key at all.
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(metadata);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var matches = reader.ValueTextEquals(utf8Key);
                if (!reader.Read())
                {
                    return false;
                }

                if (matches)
                {
                    return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out value);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Metadata that the line parser accepted but that is not an object of values: no number.
        }

        return false;
    }

    /// <summary>Copies the entry into an immutable <see cref="PerformanceLogRecord"/>.</summary>
    public PerformanceLogRecord ToRecord()
    {
        var stages = new LogStageRecord[_stageCount];
        for (int i = 0; i < _stageCount; i++)
        {
            ref readonly LogStageEntry s = ref _stages[i];
            stages[i] = new LogStageRecord(s.Name, s.DurationSeconds, GetStageMetadata(i), s.Calls, s.Share, s.Status, s.ErrorType);
        }

        LogBottleneckRecord[] bottlenecks = _bottleneckCount == 0 ? Array.Empty<LogBottleneckRecord>() : new LogBottleneckRecord[_bottleneckCount];
        for (int i = 0; i < _bottleneckCount; i++)
        {
            ref readonly LogBottleneckEntry b = ref _bottlenecks[i];
            bottlenecks[i] = new LogBottleneckRecord(b.Stage, b.Share, b.Rule);
        }

        return new PerformanceLogRecord(
            StartTimeSeconds, TotalTimeSeconds, Timestamp, stages, RequestName, GetRequestId(), Status, ErrorType,
            bottlenecks, AllocatedBytes, GcCollections, FilePath, LineNumber);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Reset(byte[] line, int offset, int length, bool includeMetadata)
    {
        _line = line;
        _lineOffset = offset;
        _lineLength = length;
        _includeMetadata = includeMetadata;
        ClearParsed();
    }

    /// <summary>Clears what a parser filled in, keeping the line.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void ClearParsed()
    {
        _stageCount = 0;
        _bottleneckCount = 0;
        _requestIdStart = -1;
        _requestIdLength = 0;
        _hasStartTime = false;
        _startTime = 0;
        TotalTimeSeconds = 0;
        Timestamp = default;
        RequestName = null;
        Status = null;
        ErrorType = null;
        AllocatedBytes = null;
        GcCollections = null;
    }

    internal void SetStartTime(double seconds)
    {
        _startTime = seconds;
        _hasStartTime = true;
    }

    internal void SetRequestIdToken(int start, int length)
    {
        _requestIdStart = start;
        _requestIdLength = length;
    }

    /// <summary>Adds a stage, built in its slot (the layout lane's path: no copy through a temporary).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AddStage(string name, double durationSeconds, int? calls, double? share, OperationStatus? status, string? errorType, int metadataStart, int metadataLength)
        => NextStageSlot() = new LogStageEntry(name, durationSeconds, calls, share, status, errorType, metadataStart, metadataLength);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void AddStage(in LogStageEntry stage) => NextStageSlot() = stage;

    /// <summary>The slot of the next stage (the array grows when full); the stage count already includes it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref LogStageEntry NextStageSlot()
    {
        if (_stageCount == _stages.Length)
        {
            Array.Resize(ref _stages, _stages.Length * 2);
        }

        return ref _stages[_stageCount++];
    }

    /// <summary>
    /// For a line in the Python module's format (no bottlenecks and no stage shares written): flags each stage whose
    /// duration is strictly more than <paramref name="threshold"/> of the total time, with rule <c>share</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AddShareBottlenecksWhenNoneWritten(double threshold)
    {
        if (_bottleneckCount != 0 || _stageCount == 0 || _stages[0].Share.HasValue)
        {
            return;
        }

        AddShareBottlenecks(threshold);
    }

    private void AddShareBottlenecks(double threshold)
    {
        double total = TotalTimeSeconds;
        if (!(total > 0) || double.IsInfinity(total) || double.IsNaN(threshold))
        {
            return;
        }

        for (int i = 0; i < _stageCount; i++)
        {
            if (_stages[i].Share.HasValue)
            {
                return;
            }
        }

        for (int i = 0; i < _stageCount; i++)
        {
            ref readonly LogStageEntry stage = ref _stages[i];
            double share = stage.DurationSeconds / total;
            if (share > threshold)
            {
                AddBottleneck(new LogBottleneckEntry(stage.Name, share, "share"));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void AddBottleneck(in LogBottleneckEntry bottleneck)
    {
        if (_bottleneckCount == _bottlenecks.Length)
        {
            Array.Resize(ref _bottlenecks, _bottlenecks.Length * 2);
        }

        _bottlenecks[_bottleneckCount++] = bottleneck;
    }
}

/// <summary>One stage of a <see cref="PerformanceLogEntry"/>.</summary>
public readonly struct LogStageEntry
{
    internal LogStageEntry(string name, double durationSeconds, int? calls, double? share, OperationStatus? status, string? errorType, int metadataStart, int metadataLength)
    {
        Name = name;
        DurationSeconds = durationSeconds;
        Calls = calls;
        Share = share;
        Status = status;
        ErrorType = errorType;
        MetadataStart = metadataStart;
        MetadataLength = metadataLength;
    }

    /// <summary>The stage name.</summary>
    public string Name { get; }

    /// <summary><c>duration</c> in seconds.</summary>
    public double DurationSeconds { get; }

    /// <summary><c>calls</c>, when present.</summary>
    public int? Calls { get; }

    /// <summary><c>share</c> (0–1) as written, when present.</summary>
    public double? Share { get; }

    /// <summary><c>status</c>, when present.</summary>
    public OperationStatus? Status { get; }

    /// <summary><c>status</c> with an absent status read as success.</summary>
    public OperationStatus EffectiveStatus => Status ?? OperationStatus.Success;

    /// <summary><c>error_type</c>, when present.</summary>
    public string? ErrorType { get; }

    /// <summary>Whether the stage has a non-empty <c>metadata</c> object.</summary>
    public bool HasMetadata => MetadataLength > 2;

    internal int MetadataStart { get; }

    internal int MetadataLength { get; }
}

/// <summary>One bottleneck of a <see cref="PerformanceLogEntry"/>.</summary>
public readonly struct LogBottleneckEntry
{
    internal LogBottleneckEntry(string stage, double? share, string? rule)
    {
        Stage = stage;
        Share = share;
        Rule = rule;
    }

    /// <summary>The stage name.</summary>
    public string Stage { get; }

    /// <summary>The share (0–1), when present.</summary>
    public double? Share { get; }

    /// <summary>The rule text, when present.</summary>
    public string? Rule { get; }
}
