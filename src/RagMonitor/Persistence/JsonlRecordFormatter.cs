using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RagMonitor;

/// <summary>
/// Serializes a <see cref="RequestSummary"/> as one JSONL line in the DESIGN.md shape. Not thread-safe: the
/// sink's single writer thread owns one instance and reuses its <see cref="Utf8JsonWriter"/>.
/// </summary>
/// <remarks>
/// <para>
/// Shape: <c>{"start_time":…,"total_time":…,"timestamp":"…","stages":{"name":{"duration":…,"metadata":{…},"calls":N,
/// "share":…,"status":"…"[,"error_type":"…"]}},"request":"…","request_id":"…","status":"…"[,"error_type":"…"],
/// "bottlenecks":[{"stage":"…","share":…,"rule":"…"}][,"allocated_bytes":N,"gc_collections":N]}</c>.
/// </para>
/// <para>
/// Seconds (<c>start_time</c>, <c>total_time</c>, <c>duration</c>) and shares are written as fixed-point decimals
/// with at most six fractional digits (microsecond precision), formatted from integers because general
/// <see cref="double"/> formatting is several times slower; trailing zeros are trimmed but one fractional digit is
/// always kept (<c>2.0</c>), so Python reads them as <c>float</c> like the seed's values.
/// <c>timestamp</c> is the request's end time as <c>yyyy-MM-ddTHH:mm:ss.ffffff+HH:MM</c> (always six fractional digits
/// and an explicit offset, which every ISO 8601 parser including Python 3.7+'s <c>datetime.fromisoformat</c>
/// accepts), in the same calendar as the file name: UTC (<c>+00:00</c>) by default, local time with its offset
/// when <see cref="PerformanceMonitorOptions.UseUtcFileDates"/> is <see langword="false"/>.
/// </para>
/// <para>
/// Strings are escaped by <see cref="Utf8JsonWriter"/> (quotes, backslashes, control characters); lone UTF-16
/// surrogates, which it rejects, are replaced with U+FFFD first. Non-ASCII text stays readable UTF-8
/// (<see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>: valid JSON, not meant for embedding in HTML).
/// A metadata number that is NaN or infinite is written as the string <c>"NaN"</c>, <c>"Infinity"</c> or
/// <c>"-Infinity"</c> (JSON has no such numbers).
/// </para>
/// </remarks>
internal sealed class JsonlRecordFormatter
{
    private const int MaxCachedNames = 4096;
    private const long UnixEpochTicks = 621_355_968_000_000_000;

    private static readonly JavaScriptEncoder s_encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    private static readonly JsonEncodedText s_startTime = Encode(JsonlFieldNames.StartTime);
    private static readonly JsonEncodedText s_totalTime = Encode(JsonlFieldNames.TotalTime);
    private static readonly JsonEncodedText s_timestamp = Encode(JsonlFieldNames.Timestamp);
    private static readonly JsonEncodedText s_stages = Encode(JsonlFieldNames.Stages);
    private static readonly JsonEncodedText s_duration = Encode(JsonlFieldNames.Duration);
    private static readonly JsonEncodedText s_metadata = Encode(JsonlFieldNames.Metadata);
    private static readonly JsonEncodedText s_calls = Encode(JsonlFieldNames.Calls);
    private static readonly JsonEncodedText s_share = Encode(JsonlFieldNames.Share);
    private static readonly JsonEncodedText s_status = Encode(JsonlFieldNames.Status);
    private static readonly JsonEncodedText s_errorType = Encode(JsonlFieldNames.ErrorType);
    private static readonly JsonEncodedText s_request = Encode(JsonlFieldNames.Request);
    private static readonly JsonEncodedText s_requestId = Encode(JsonlFieldNames.RequestId);
    private static readonly JsonEncodedText s_bottlenecks = Encode(JsonlFieldNames.Bottlenecks);
    private static readonly JsonEncodedText s_stage = Encode(JsonlFieldNames.Stage);
    private static readonly JsonEncodedText s_rule = Encode(JsonlFieldNames.Rule);
    private static readonly JsonEncodedText s_allocatedBytes = Encode(JsonlFieldNames.AllocatedBytes);
    private static readonly JsonEncodedText s_gcCollections = Encode(JsonlFieldNames.GcCollections);
    private static readonly JsonEncodedText s_success = Encode("success");
    private static readonly JsonEncodedText s_failure = Encode("failure");
    private static readonly JsonEncodedText s_cancelled = Encode("cancelled");
    private static readonly JsonEncodedText s_ruleShare = Encode("share");
    private static readonly JsonEncodedText s_ruleAbsolute = Encode("absolute_threshold");
    private static readonly JsonEncodedText s_ruleAdaptive = Encode("adaptive");

    private const int IdentityCacheSize = 256;

    private readonly Utf8JsonWriter _writer;
    private readonly Dictionary<string, JsonEncodedText> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stageKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _metadataKeys = new(StringComparer.Ordinal);

    // Stage names and metadata keys are usually string literals (the same instance every time): a small cache by
    // reference identity answers most lookups without hashing the text.
    private readonly string?[] _identityKeys = new string?[IdentityCacheSize];
    private readonly JsonEncodedText[] _identityValues = new JsonEncodedText[IdentityCacheSize];
    private readonly byte[] _datePrefix = new byte[11];
    private long _datePrefixDay = -1;
    private readonly bool _useUtc;
    private readonly TimeZoneInfo _localZone;

    /// <summary>Creates a formatter.</summary>
    /// <param name="useUtc">Whether timestamps and file dates use UTC (else <paramref name="localZone"/>).</param>
    /// <param name="localZone">The local time zone (from the monitor's <see cref="TimeProvider"/>).</param>
    internal JsonlRecordFormatter(bool useUtc, TimeZoneInfo localZone)
    {
        _useUtc = useUtc;
        _localZone = localZone;
        _writer = new Utf8JsonWriter(new ChunkBuffer(16), new JsonWriterOptions { Encoder = s_encoder, SkipValidation = true, Indented = false });
    }

    /// <summary>The date of the file a request belongs to: the date of its end in the configured calendar.</summary>
    internal DateOnly FileDate(RequestSummary summary) => DateOnly.FromDateTime(ToCalendar(summary.EndTime).DateTime);

    /// <summary>The date of <paramref name="instant"/> in the configured calendar.</summary>
    internal DateOnly FileDate(DateTimeOffset instant) => DateOnly.FromDateTime(ToCalendar(instant).DateTime);

    /// <summary>The date of the file a queued record belongs to.</summary>
    internal DateOnly FileDate(CompletedRequest record) => record.Summary is { } summary
        ? FileDate(summary)
        : DateOnly.FromDateTime(ToCalendar(record.StartTime + record.TotalTime).DateTime);

    /// <summary>Appends one line (the JSON object and <c>\n</c>) for <paramref name="summary"/> to <paramref name="output"/>.</summary>
    internal void WriteLine(RequestSummary summary, ChunkBuffer output) => WriteLine(new SummaryView(summary), output);

    /// <summary>Appends one line for a queued record: a monitor's record (the same bytes as for its summary), or the summary it carries.</summary>
    internal void WriteLine(CompletedRequest record, ChunkBuffer output)
    {
        if (record.Summary is { } summary)
        {
            WriteLine(new SummaryView(summary), output);
        }
        else
        {
            WriteLine(new CompletedRequestView(record), output);
        }
    }

    private void WriteLine<TView>(TView view, ChunkBuffer output)
        where TView : struct, IRecordView
    {
        var w = _writer;
        w.Reset(output);
        Span<byte> number = stackalloc byte[48];

        w.WriteStartObject();
        w.WritePropertyName(s_startTime);
        w.WriteRawValue(number.Slice(0, FormatFixed6(TicksToMicros(view.StartTime.UtcTicks - UnixEpochTicks), number)), skipInputValidation: true);
        w.WritePropertyName(s_totalTime);
        w.WriteRawValue(number.Slice(0, FormatFixed6(TicksToMicros(view.TotalTime.Ticks), number)), skipInputValidation: true);
        w.WritePropertyName(s_timestamp);
        w.WriteRawValue(number.Slice(0, FormatTimestamp(ToCalendar(view.StartTime + view.TotalTime), number, ref _datePrefixDay, _datePrefix)), skipInputValidation: true);

        w.WriteStartObject(s_stages);
        var stageCount = view.StageCount;
        var checkKeys = view.MayRepeatNames;
        if (checkKeys)
        {
            _stageKeys.Clear();
        }

        for (var i = 0; i < stageCount; i++)
        {
            view.GetStage(i, out var name, out var duration, out var calls, out var share, out var status, out var stageError, out var metadata);
            w.WriteStartObject(checkKeys ? UniqueName(name, _stageKeys) : Name(name));
            w.WritePropertyName(s_duration);
            w.WriteRawValue(number.Slice(0, FormatFixed6(TicksToMicros(duration.Ticks), number)), skipInputValidation: true);
            w.WriteStartObject(s_metadata);
            if (metadata is not null)
            {
                var span = metadata switch
                {
                    List<KeyValuePair<string, MetadataValue>> list => CollectionsMarshal.AsSpan(list),
                    KeyValuePair<string, MetadataValue>[] array => array,
                    _ => default,
                };
                if (checkKeys)
                {
                    _metadataKeys.Clear();
                    for (var j = 0; j < metadata.Count; j++)
                    {
                        var pair = metadata[j];
                        w.WritePropertyName(UniqueName(pair.Key, _metadataKeys));
                        WriteValue(w, in pair);
                    }
                }
                else if (span.Length == metadata.Count)
                {
                    for (var j = 0; j < span.Length; j++)
                    {
                        ref readonly var pair = ref span[j];
                        w.WritePropertyName(Name(pair.Key));
                        WriteValue(w, in pair);
                    }
                }
                else
                {
                    for (var j = 0; j < metadata.Count; j++)
                    {
                        var pair = metadata[j];
                        w.WritePropertyName(Name(pair.Key));
                        WriteValue(w, in pair);
                    }
                }
            }

            w.WriteEndObject();
            w.WriteNumber(s_calls, calls);
            w.WritePropertyName(s_share);
            w.WriteRawValue(number.Slice(0, FormatFixed6(ShareToMicros(share), number)), skipInputValidation: true);
            w.WriteString(s_status, StatusText(status));
            if (stageError is not null)
            {
                w.WriteString(s_errorType, Name(stageError));
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteString(s_request, Name(view.RequestName));
        w.WriteString(s_requestId, Clean(view.RequestId));
        w.WriteString(s_status, StatusText(view.Status));
        if (view.ErrorType is { } errorType)
        {
            w.WriteString(s_errorType, Name(errorType));
        }

        w.WriteStartArray(s_bottlenecks);
        var cursor = 0;
        while (view.NextBottleneck(ref cursor, out var stageName, out var bottleneckShare, out var rule))
        {
            w.WriteStartObject();
            w.WriteString(s_stage, Name(stageName));
            w.WritePropertyName(s_share);
            w.WriteRawValue(number.Slice(0, FormatFixed6(ShareToMicros(bottleneckShare), number)), skipInputValidation: true);
            w.WriteString(s_rule, RuleText(rule));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (view.AllocatedBytes is { } allocated)
        {
            w.WriteNumber(s_allocatedBytes, allocated);
        }

        if (view.GcCollections is { } collections)
        {
            w.WriteNumber(s_gcCollections, collections);
        }

        w.WriteEndObject();
        w.Flush();
        output.Append((byte)'\n');
    }

    /// <summary>
    /// Writes <paramref name="micros"/> millionths as a decimal number: the integer part, a point and one to six
    /// fractional digits (trailing zeros trimmed). Returns the number of bytes written (at most 28).
    /// </summary>
    internal static int FormatFixed6(long micros, Span<byte> destination)
    {
        var pos = 0;
        ulong magnitude;
        if (micros < 0)
        {
            destination[pos++] = (byte)'-';
            magnitude = (ulong)(-(micros + 1)) + 1;
        }
        else
        {
            magnitude = (ulong)micros;
        }

        var whole = magnitude / 1_000_000;
        var fraction = (uint)(magnitude % 1_000_000);
        whole.TryFormat(destination.Slice(pos), out var written, default, CultureInfo.InvariantCulture);
        pos += written;
        destination[pos++] = (byte)'.';
        var digits = 6;
        while (digits > 1 && fraction % 10 == 0)
        {
            fraction /= 10;
            digits--;
        }

        for (var i = digits - 1; i >= 0; i--)
        {
            destination[pos + i] = (byte)('0' + (fraction % 10));
            fraction /= 10;
        }

        return pos + digits;
    }

    /// <summary>Writes <c>"yyyy-MM-ddTHH:mm:ss.ffffff+HH:MM"</c> (with the quotes). Returns the number of bytes written (34).</summary>
    internal static int FormatTimestamp(DateTimeOffset value, Span<byte> destination)
    {
        var day = -1L;
        return FormatTimestamp(value, destination, ref day, new byte[11]);
    }

    /// <summary>
    /// Writes the timestamp, reusing <paramref name="datePrefix"/> (<c>yyyy-MM-ddT</c>) while the day number stays
    /// <paramref name="prefixDay"/>: the time of day is plain integer arithmetic on the ticks.
    /// </summary>
    private static int FormatTimestamp(DateTimeOffset value, Span<byte> destination, ref long prefixDay, byte[] datePrefix)
    {
        var ticks = value.Ticks; // the clock time in the value's offset
        var day = ticks / TimeSpan.TicksPerDay;
        if (day != prefixDay)
        {
            var date = value.DateTime;
            Digits(date.Year, 4, datePrefix);
            datePrefix[4] = (byte)'-';
            Digits(date.Month, 2, datePrefix.AsSpan(5));
            datePrefix[7] = (byte)'-';
            Digits(date.Day, 2, datePrefix.AsSpan(8));
            datePrefix[10] = (byte)'T';
            prefixDay = day;
        }

        var timeOfDay = ticks - (day * TimeSpan.TicksPerDay);
        var seconds = (int)(timeOfDay / TimeSpan.TicksPerSecond);
        var micros = (int)(timeOfDay % TimeSpan.TicksPerSecond / 10);
        destination[0] = (byte)'"';
        datePrefix.CopyTo(destination.Slice(1));
        var pos = 12;
        pos += Digits(seconds / 3600, 2, destination.Slice(pos));
        destination[pos++] = (byte)':';
        pos += Digits(seconds / 60 % 60, 2, destination.Slice(pos));
        destination[pos++] = (byte)':';
        pos += Digits(seconds % 60, 2, destination.Slice(pos));
        destination[pos++] = (byte)'.';
        pos += Digits(micros, 6, destination.Slice(pos));
        var offsetMinutes = (int)(value.Offset.Ticks / TimeSpan.TicksPerMinute);
        destination[pos++] = offsetMinutes < 0 ? (byte)'-' : (byte)'+';
        offsetMinutes = Math.Abs(offsetMinutes);
        pos += Digits(offsetMinutes / 60, 2, destination.Slice(pos));
        destination[pos++] = (byte)':';
        pos += Digits(offsetMinutes % 60, 2, destination.Slice(pos));
        destination[pos++] = (byte)'"';
        return pos;
    }

    /// <summary>Replaces lone UTF-16 surrogates (which cannot be encoded as UTF-8) with U+FFFD.</summary>
    internal static string Clean(string value)
    {
        var span = value.AsSpan();
        var first = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0)
        {
            return value;
        }

        char[]? copy = null;
        for (var i = first; i < span.Length; i++)
        {
            var c = span[i];
            if (!char.IsSurrogate(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
                continue;
            }

            copy ??= value.ToCharArray();
            copy[i] = '\uFFFD';
        }

        return copy is null ? value : new string(copy);
    }

    private static void WriteValue(Utf8JsonWriter w, in KeyValuePair<string, MetadataValue> pair)
    {
        var value = pair.Value;
        switch (value.Kind)
        {
            case MetadataValueKind.String:
                w.WriteStringValue(Clean(value.StringValue!));
                break;
            case MetadataValueKind.Integer:
                w.WriteNumberValue(value.IntegerValue);
                break;
            case MetadataValueKind.Number:
                var number = value.NumberValue;
                if (double.IsFinite(number))
                {
                    w.WriteNumberValue(number);
                }
                else
                {
                    w.WriteStringValue(double.IsNaN(number) ? "NaN" : (number > 0 ? "Infinity" : "-Infinity"));
                }

                break;
            case MetadataValueKind.Boolean:
                w.WriteBooleanValue(value.BooleanValue);
                break;
            default:
                w.WriteNullValue();
                break;
        }
    }

    /// <summary>
    /// The key for <paramref name="name"/> that no earlier key of the same object (<paramref name="seen"/>) has: names
    /// that are equal once cleaned (lone surrogates) get <c>"#2"</c>, <c>"#3"</c>, … appended. For summaries built outside
    /// a monitor; a monitor merges such names when they are recorded.
    /// </summary>
    private JsonEncodedText UniqueName(string name, HashSet<string> seen)
    {
        var key = Clean(name);
        if (seen.Add(key))
        {
            return Name(name);
        }

        for (var n = 2; ; n++)
        {
            var candidate = key + "#" + n.ToString(CultureInfo.InvariantCulture);
            if (seen.Add(candidate))
            {
                return Encode(candidate);
            }
        }
    }

    private JsonEncodedText Name(string name)
    {
        var slot = RuntimeHelpers.GetHashCode(name) & (IdentityCacheSize - 1);
        if (ReferenceEquals(_identityKeys[slot], name))
        {
            return _identityValues[slot];
        }

        var encoded = NameByText(name);
        _identityKeys[slot] = name;
        _identityValues[slot] = encoded;
        return encoded;
    }

    private JsonEncodedText NameByText(string name)
    {
        if (_names.TryGetValue(name, out var encoded))
        {
            return encoded;
        }

        if (_names.Count >= MaxCachedNames)
        {
            _names.Clear();
        }

        encoded = Encode(Clean(name));
        _names[name] = encoded;
        return encoded;
    }

    private DateTimeOffset ToCalendar(DateTimeOffset instant)
    {
        if (_useUtc)
        {
            return instant.Offset == TimeSpan.Zero ? instant : instant.ToUniversalTime();
        }

        return TimeZoneInfo.ConvertTime(instant, _localZone);
    }

    private static JsonEncodedText StatusText(OperationStatus status) => status switch
    {
        OperationStatus.Failure => s_failure,
        OperationStatus.Cancelled => s_cancelled,
        _ => s_success,
    };

    private static JsonEncodedText RuleText(BottleneckRule rule) => rule switch
    {
        BottleneckRule.AbsoluteThreshold => s_ruleAbsolute,
        BottleneckRule.Adaptive => s_ruleAdaptive,
        _ => s_ruleShare,
    };

    private static long TicksToMicros(long ticks) => ticks >= 0 ? (ticks + 5) / 10 : (ticks - 5) / 10;

    private static long ShareToMicros(double share) => double.IsFinite(share) ? (long)Math.Round(share * 1_000_000) : 0;

    private static int Digits(int value, int width, Span<byte> destination)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        return width;
    }

    private static JsonEncodedText Encode(string text) => JsonEncodedText.Encode(text, s_encoder);
}

/// <summary>What <see cref="JsonlRecordFormatter"/> reads from a finished request (a summary or a pooled record).</summary>
internal interface IRecordView
{
    /// <summary>Whether two stage names (or two metadata keys of a stage) may be equal once cleaned: the formatter then makes the keys unique.</summary>
    bool MayRepeatNames { get; }

    DateTimeOffset StartTime { get; }

    TimeSpan TotalTime { get; }

    string RequestName { get; }

    string RequestId { get; }

    OperationStatus Status { get; }

    string? ErrorType { get; }

    long? AllocatedBytes { get; }

    int? GcCollections { get; }

    int StageCount { get; }

    void GetStage(int index, out string name, out TimeSpan duration, out int calls, out double share, out OperationStatus status, out string? errorType, out IReadOnlyList<KeyValuePair<string, MetadataValue>>? metadata);

    /// <summary>The bottleneck at or after <paramref name="cursor"/>, advancing it; <see langword="false"/> at the end.</summary>
    bool NextBottleneck(ref int cursor, out string stage, out double share, out BottleneckRule rule);
}

/// <summary>A <see cref="RequestSummary"/> as an <see cref="IRecordView"/>.</summary>
internal readonly struct SummaryView : IRecordView
{
    private readonly RequestSummary _summary;

    internal SummaryView(RequestSummary summary) => _summary = summary;

    /// <summary>A summary may come from anywhere (the public sink API): its names are checked.</summary>
    public bool MayRepeatNames => true;

    public DateTimeOffset StartTime => _summary.StartTime;

    public TimeSpan TotalTime => _summary.TotalTime;

    public string RequestName => _summary.RequestName;

    public string RequestId => _summary.RequestId;

    public OperationStatus Status => _summary.Status;

    public string? ErrorType => _summary.ErrorType;

    public long? AllocatedBytes => _summary.AllocatedBytes;

    public int? GcCollections => _summary.GcCollections;

    public int StageCount => _summary.Stages.Count;

    public void GetStage(int index, out string name, out TimeSpan duration, out int calls, out double share, out OperationStatus status, out string? errorType, out IReadOnlyList<KeyValuePair<string, MetadataValue>>? metadata)
    {
        var stage = _summary.Stages[index];
        name = stage.Name;
        duration = stage.Duration;
        calls = stage.Calls;
        share = stage.Share;
        status = stage.Status;
        errorType = stage.ErrorType;
        metadata = stage.Metadata;
    }

    public bool NextBottleneck(ref int cursor, out string stage, out double share, out BottleneckRule rule)
    {
        var bottlenecks = _summary.Bottlenecks;
        if (cursor >= bottlenecks.Count)
        {
            stage = string.Empty;
            share = 0;
            rule = default;
            return false;
        }

        var bottleneck = bottlenecks[cursor++];
        stage = bottleneck.Stage;
        share = bottleneck.Share;
        rule = bottleneck.Rule;
        return true;
    }
}

/// <summary>A pooled <see cref="CompletedRequest"/> as an <see cref="IRecordView"/> (no summary objects built).</summary>
internal readonly struct CompletedRequestView : IRecordView
{
    private readonly CompletedRequest _record;

    internal CompletedRequestView(CompletedRequest record) => _record = record;

    /// <summary>A monitor's record: names were brought to their logged form and merged when recorded (<see cref="RecordNames"/>).</summary>
    public bool MayRepeatNames => false;

    public DateTimeOffset StartTime => _record.StartTime;

    public TimeSpan TotalTime => _record.TotalTime;

    public string RequestName => _record.RequestName;

    public string RequestId => _record.GetRequestId();

    public OperationStatus Status => _record.Status;

    public string? ErrorType => _record.ErrorType;

    public long? AllocatedBytes => _record.AllocatedBytes;

    public int? GcCollections => _record.GcCollections;

    public int StageCount => _record.StageCount;

    public void GetStage(int index, out string name, out TimeSpan duration, out int calls, out double share, out OperationStatus status, out string? errorType, out IReadOnlyList<KeyValuePair<string, MetadataValue>>? metadata)
    {
        ref readonly var stage = ref _record.Stages[index];
        name = stage.Name;
        duration = stage.Duration;
        calls = stage.Calls;
        share = stage.Share;
        status = stage.Status;
        errorType = stage.ErrorType;
        metadata = stage.Metadata;
    }

    public bool NextBottleneck(ref int cursor, out string stage, out double share, out BottleneckRule rule)
    {
        var stages = _record.Stages;
        while (cursor < stages.Length)
        {
            ref readonly var candidate = ref stages[cursor++];
            if (candidate.IsBottleneck)
            {
                stage = candidate.Name;
                share = candidate.Share;
                rule = candidate.BottleneckRule;
                return true;
            }
        }

        stage = string.Empty;
        share = 0;
        rule = default;
        return false;
    }
}
