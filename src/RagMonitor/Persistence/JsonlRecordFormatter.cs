using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RagMonitor;

/// <summary>
/// Serializes a finished request (a monitor's <see cref="CompletedRequest"/> or a <see cref="RequestSummary"/>) as one
/// JSONL line in the DESIGN.md shape, writing UTF-8 bytes straight into the chunk: field names with their punctuation are
/// pre-encoded, names are encoded once and cached. Not thread-safe: the sink's single writer thread owns one instance.
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
/// Printable ASCII strings are copied as they are; any other string is escaped as <see cref="Utf8JsonWriter"/> escapes it
/// (<see cref="JsonEncodedText"/>: quotes, backslashes, control characters), so the bytes are those the earlier
/// <see cref="Utf8JsonWriter"/>-based formatter wrote (tests: FormatterEquivalenceTests); lone UTF-16 surrogates, which
/// it rejects, are replaced with U+FFFD first. Non-ASCII text stays readable UTF-8
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

    /// <summary>The characters a JSON string may hold as they are (printable ASCII but the quote and the backslash).</summary>
    private static readonly SearchValues<char> s_plainAscii = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    // The fixed parts of a line, field names with their punctuation, pre-encoded (see JsonlFieldNames).
    /// <summary>"00" to "99" as the 16-bit value whose little-endian bytes are the two ASCII digits (first digit in the low byte).</summary>
    private static readonly ushort[] s_digitPairs = CreateDigitPairs();

    private static readonly byte[] s_startTime = Utf8("{\"" + JsonlFieldNames.StartTime + "\":");
    private static readonly byte[] s_totalTime = Utf8(",\"" + JsonlFieldNames.TotalTime + "\":");
    private static readonly byte[] s_timestamp = Utf8(",\"" + JsonlFieldNames.Timestamp + "\":");
    private static readonly byte[] s_stages = Utf8(",\"" + JsonlFieldNames.Stages + "\":{");
    private static readonly byte[] s_duration = Utf8(":{\"" + JsonlFieldNames.Duration + "\":");
    private static readonly byte[] s_metadata = Utf8(",\"" + JsonlFieldNames.Metadata + "\":{");
    private static readonly byte[] s_calls = Utf8("},\"" + JsonlFieldNames.Calls + "\":");
    private static readonly byte[] s_share = Utf8(",\"" + JsonlFieldNames.Share + "\":");
    private static readonly byte[] s_status = Utf8(",\"" + JsonlFieldNames.Status + "\":");
    private static readonly byte[] s_errorType = Utf8(",\"" + JsonlFieldNames.ErrorType + "\":");
    private static readonly byte[] s_request = Utf8("},\"" + JsonlFieldNames.Request + "\":");
    private static readonly byte[] s_requestId = Utf8(",\"" + JsonlFieldNames.RequestId + "\":");
    private static readonly byte[] s_bottlenecks = Utf8(",\"" + JsonlFieldNames.Bottlenecks + "\":[");
    private static readonly byte[] s_bottleneckStage = Utf8("{\"" + JsonlFieldNames.Stage + "\":");
    private static readonly byte[] s_rule = Utf8(",\"" + JsonlFieldNames.Rule + "\":");
    private static readonly byte[] s_allocatedBytes = Utf8(",\"" + JsonlFieldNames.AllocatedBytes + "\":");
    private static readonly byte[] s_gcCollections = Utf8(",\"" + JsonlFieldNames.GcCollections + "\":");
    private static readonly byte[] s_success = Utf8("\"success\"");
    private static readonly byte[] s_failure = Utf8("\"failure\"");
    private static readonly byte[] s_cancelled = Utf8("\"cancelled\"");
    private static readonly byte[] s_ruleShare = Utf8("\"share\"");
    private static readonly byte[] s_ruleAbsolute = Utf8("\"absolute_threshold\"");
    private static readonly byte[] s_ruleAdaptive = Utf8("\"adaptive\"");

    private const int IdentityCacheSize = 256;

    /// <summary>Writes metadata numbers of type <see cref="double"/> (shortest round-trip form, as JSON has always had them here).</summary>
    private readonly Utf8JsonWriter _numberWriter;
    private readonly ChunkBuffer _numberBuffer = new(64);
    private readonly Dictionary<string, byte[]> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stageKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _metadataKeys = new(StringComparer.Ordinal);

    // Stage names and metadata keys are usually string literals (the same instance every time): a small cache by
    // reference identity answers most lookups without hashing the text.
    private readonly string?[] _identityKeys = new string?[IdentityCacheSize];
    private readonly byte[][] _identityValues = new byte[IdentityCacheSize][];
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
        _numberWriter = new Utf8JsonWriter(_numberBuffer, new JsonWriterOptions { Encoder = s_encoder, SkipValidation = true, Indented = false });
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
        output.Append(s_startTime);
        AppendFixed6(output, TicksToMicros(view.StartTime.UtcTicks - UnixEpochTicks));
        output.Append(s_totalTime);
        AppendFixed6(output, TicksToMicros(view.TotalTime.Ticks));
        output.Append(s_timestamp);
        output.Advance(FormatTimestamp(ToCalendar(view.StartTime + view.TotalTime), output.GetSpan(48), ref _datePrefixDay, _datePrefix));

        output.Append(s_stages);
        var stageCount = view.StageCount;
        var checkKeys = view.MayRepeatNames;
        if (checkKeys)
        {
            _stageKeys.Clear();
        }

        for (var i = 0; i < stageCount; i++)
        {
            view.GetStage(i, out var name, out var duration, out var calls, out var share, out var status, out var stageError, out var metadata);
            if (i > 0)
            {
                output.Append((byte)',');
            }

            output.Append(checkKeys ? UniqueName(name, _stageKeys) : Name(name));
            output.Append(s_duration);
            AppendFixed6(output, TicksToMicros(duration.Ticks));
            output.Append(s_metadata);
            if (!metadata.IsEmpty)
            {
                AppendMetadata(output, metadata, checkKeys);
            }

            output.Append(s_calls);
            AppendInteger(output, calls);
            output.Append(s_share);
            AppendFixed6(output, ShareToMicros(share));
            output.Append(s_status);
            output.Append(StatusText(status));
            if (stageError is not null)
            {
                output.Append(s_errorType);
                output.Append(Name(stageError));
            }

            output.Append((byte)'}');
        }

        output.Append(s_request);
        output.Append(Name(view.RequestName));
        output.Append(s_requestId);
        if (view.TryGetGeneratedId(out var generatedId))
        {
            // A generated id is formatted straight into the line: no string per record.
            var destination = output.GetSpan(PerformanceMonitor.GeneratedIdLength + 2);
            destination[0] = (byte)'"';
            PerformanceMonitor.FormatGeneratedId(generatedId, destination.Slice(1));
            destination[PerformanceMonitor.GeneratedIdLength + 1] = (byte)'"';
            output.Advance(PerformanceMonitor.GeneratedIdLength + 2);
        }
        else
        {
            AppendString(output, view.RequestId);
        }
        output.Append(s_status);
        output.Append(StatusText(view.Status));
        if (view.ErrorType is { } errorType)
        {
            output.Append(s_errorType);
            output.Append(Name(errorType));
        }

        output.Append(s_bottlenecks);
        var cursor = 0;
        var first = true;
        while (view.NextBottleneck(ref cursor, out var stageName, out var bottleneckShare, out var rule))
        {
            if (!first)
            {
                output.Append((byte)',');
            }

            first = false;
            output.Append(s_bottleneckStage);
            output.Append(Name(stageName));
            output.Append(s_share);
            AppendFixed6(output, ShareToMicros(bottleneckShare));
            output.Append(s_rule);
            output.Append(RuleText(rule));
            output.Append((byte)'}');
        }

        output.Append((byte)']');
        if (view.AllocatedBytes is { } allocated)
        {
            output.Append(s_allocatedBytes);
            AppendInteger(output, allocated);
        }

        if (view.GcCollections is { } collections)
        {
            output.Append(s_gcCollections);
            AppendInteger(output, collections);
        }

        output.Append("}\n"u8);
    }

    private void AppendMetadata(ChunkBuffer output, ReadOnlySpan<KeyValuePair<string, MetadataValue>> metadata, bool checkKeys)
    {
        if (checkKeys)
        {
            _metadataKeys.Clear();
        }

        for (var j = 0; j < metadata.Length; j++)
        {
            ref readonly var pair = ref metadata[j];
            AppendMetadataPair(output, j, pair.Key, pair.Value, checkKeys);
        }
    }

    private void AppendMetadataPair(ChunkBuffer output, int index, string key, MetadataValue value, bool checkKeys)
    {
        if (index > 0)
        {
            output.Append((byte)',');
        }

        output.Append(checkKeys ? UniqueName(key, _metadataKeys) : Name(key));
        output.Append((byte)':');
        switch (value.Kind)
        {
            case MetadataValueKind.String:
                AppendString(output, value.StringValue!);
                break;
            case MetadataValueKind.Integer:
                AppendInteger(output, value.IntegerValue);
                break;
            case MetadataValueKind.Number:
                var number = value.NumberValue;
                if (double.IsFinite(number))
                {
                    _numberBuffer.Clear(64);
                    _numberWriter.Reset(_numberBuffer);
                    _numberWriter.WriteNumberValue(number);
                    _numberWriter.Flush();
                    output.Append(_numberBuffer.WrittenSpan);
                }
                else
                {
                    output.Append(double.IsNaN(number) ? "\"NaN\""u8 : (number > 0 ? "\"Infinity\""u8 : "\"-Infinity\""u8));
                }

                break;
            case MetadataValueKind.Boolean:
                output.Append(value.BooleanValue ? "true"u8 : "false"u8);
                break;
            default:
                output.Append("null"u8);
                break;
        }
    }

    /// <summary>Appends a JSON string: printable ASCII as it is, anything else escaped as <see cref="Utf8JsonWriter"/> would (lone surrogates replaced first).</summary>
    private static void AppendString(ChunkBuffer output, string value)
    {
        var text = value.AsSpan();
        if (!text.ContainsAnyExcept(s_plainAscii))
        {
            var destination = output.GetSpan(text.Length + 2);
            destination[0] = (byte)'"';
            for (var i = 0; i < text.Length; i++)
            {
                destination[i + 1] = (byte)text[i];
            }

            destination[text.Length + 1] = (byte)'"';
            output.Advance(text.Length + 2);
            return;
        }

        output.Append((byte)'"');
        output.Append(JsonEncodedText.Encode(Clean(value), s_encoder).EncodedUtf8Bytes);
        output.Append((byte)'"');
    }

    private static void AppendInteger(ChunkBuffer output, long value)
    {
        var destination = output.GetSpan(24);
        if (value >= 0)
        {
            // Calls, counts, token numbers: digit pairs from the table.
            output.Advance(WriteDecimal((ulong)value, destination));
            return;
        }

        value.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    /// <summary>Writes <paramref name="value"/> in decimal, two digits at a time from the end; returns the number of bytes written (at most 20).</summary>
    private static int WriteDecimal(ulong value, Span<byte> destination)
    {
        if (value < 100)
        {
            // Most counts: one pair or one digit, no digit count to find.
            if (value < 10)
            {
                destination[0] = (byte)('0' + (int)value);
                return 1;
            }

            WriteTwoDigits((uint)value, destination);
            return 2;
        }

        var digitCount = 3;
        for (var limit = 1_000UL; digitCount < 20 && value >= limit; limit *= 10)
        {
            digitCount++;
        }

        var end = digitCount;
        while (value >= 100)
        {
            var next = value / 100;
            end -= 2;
            WriteTwoDigits((uint)(value - (next * 100)), destination.Slice(end));
            value = next;
        }

        if (value >= 10)
        {
            WriteTwoDigits((uint)value, destination);
        }
        else
        {
            destination[0] = (byte)('0' + (int)value);
        }

        return digitCount;
    }

    private static void AppendFixed6(ChunkBuffer output, long micros) => output.Advance(FormatFixed6(micros, output.GetSpan(32)));

    /// <summary>
    /// Writes <paramref name="micros"/> millionths as a decimal number: the integer part, a point and one to six
    /// fractional digits (trailing zeros trimmed). Returns the number of bytes written (at most 28).
    /// </summary>
    internal static int FormatFixed6(long micros, Span<byte> destination)
    {
        if ((ulong)micros < 10_000_000 && destination.Length >= 8 && BitConverter.IsLittleEndian)
        {
            return FormatFixed6OneDigit((uint)micros, destination);
        }

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
        var fraction = (uint)(magnitude - (whole * 1_000_000));
        pos += WriteDecimal(whole, destination.Slice(pos));
        destination[pos++] = (byte)'.';

        // Six fraction digits, then trailing zeros trimmed (at least one digit stays).
        WriteSixDigits(fraction, destination.Slice(pos));
        var digits = 6;
        while (digits > 1 && destination[pos + digits - 1] == (byte)'0')
        {
            digits--;
        }

        return pos + digits;
    }

    /// <summary>
    /// <see cref="FormatFixed6"/> for durations and shares (below 10 s, one integer digit; little-endian, 8 bytes of room):
    /// the digit, the point and six fraction digits are one 8-byte store, and the trailing zeros are cut off by length.
    /// </summary>
    private static int FormatFixed6OneDigit(uint micros, Span<byte> destination)
    {
        var whole = micros / 1_000_000;
        var fraction = micros - (whole * 1_000_000);
        var high = fraction / 10_000;
        var rest = fraction - (high * 10_000);
        var middle = rest / 100;
        var fractionDigits = s_digitPairs[high] | ((ulong)s_digitPairs[middle] << 16) | ((ulong)s_digitPairs[rest - (middle * 100)] << 32);
        Unsafe.WriteUnaligned(ref MemoryMarshal.GetReference(destination), ('0' + whole) | ('.' << 8) | (fractionDigits << 16));

        // Digit values with the first fraction digit in the lowest byte: the highest non-zero byte is the last digit kept
        // (at least one stays).
        var significant = fractionDigits - 0x3030_3030_3030UL;
        return significant == 0 ? 3 : 10 - (BitOperations.LeadingZeroCount(significant) >> 3);
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
        destination = destination.Slice(0, 34);
        destination[0] = (byte)'"';
        datePrefix.CopyTo(destination.Slice(1));
        var minutes = seconds / 60;
        WriteTwoDigits((uint)(minutes / 60), destination.Slice(12));
        destination[14] = (byte)':';
        WriteTwoDigits((uint)(minutes % 60), destination.Slice(15));
        destination[17] = (byte)':';
        WriteTwoDigits((uint)(seconds % 60), destination.Slice(18));
        destination[20] = (byte)'.';
        WriteSixDigits((uint)micros, destination.Slice(21));
        var offsetMinutes = (int)(value.Offset.Ticks / TimeSpan.TicksPerMinute);
        destination[27] = offsetMinutes < 0 ? (byte)'-' : (byte)'+';
        offsetMinutes = Math.Abs(offsetMinutes);
        WriteTwoDigits((uint)(offsetMinutes / 60), destination.Slice(28));
        destination[30] = (byte)':';
        WriteTwoDigits((uint)(offsetMinutes % 60), destination.Slice(31));
        destination[33] = (byte)'"';
        return 34;
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

    /// <summary>
    /// The key for <paramref name="name"/> that no earlier key of the same object (<paramref name="seen"/>) has: names
    /// that are equal once cleaned (lone surrogates) get <c>"#2"</c>, <c>"#3"</c>, … appended. For summaries built outside
    /// a monitor; a monitor merges such names when they are recorded.
    /// </summary>
    private byte[] UniqueName(string name, HashSet<string> seen)
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
                return Quoted(candidate);
            }
        }
    }

    /// <summary>A name as a quoted, escaped JSON string (cached by reference identity, then by text).</summary>
    private byte[] Name(string name)
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

    private byte[] NameByText(string name)
    {
        if (_names.TryGetValue(name, out var encoded))
        {
            return encoded;
        }

        if (_names.Count >= MaxCachedNames)
        {
            _names.Clear();
        }

        encoded = Quoted(Clean(name));
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

    private static byte[] StatusText(OperationStatus status) => status switch
    {
        OperationStatus.Failure => s_failure,
        OperationStatus.Cancelled => s_cancelled,
        _ => s_success,
    };

    private static byte[] RuleText(BottleneckRule rule) => rule switch
    {
        BottleneckRule.AbsoluteThreshold => s_ruleAbsolute,
        BottleneckRule.Adaptive => s_ruleAdaptive,
        _ => s_ruleShare,
    };

    private static long TicksToMicros(long ticks) => ticks >= 0 ? (ticks + 5) / 10 : (ticks - 5) / 10;

    private static long ShareToMicros(double share) => double.IsFinite(share) ? (long)Math.Round(share * 1_000_000) : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteTwoDigits(uint value, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian && destination.Length >= 2)
        {
            Unsafe.WriteUnaligned(ref MemoryMarshal.GetReference(destination), s_digitPairs[value]);
            return;
        }

        var pair = s_digitPairs[value];
        destination[1] = (byte)(pair >> 8);
        destination[0] = (byte)pair;
    }

    /// <summary>Writes <paramref name="value"/> (below 1,000,000) as six decimal digits, leading zeros included.</summary>
    private static void WriteSixDigits(uint value, Span<byte> destination)
    {
        var high = value / 10_000;
        var rest = value - (high * 10_000);
        var middle = rest / 100;
        WriteTwoDigits(high, destination);
        WriteTwoDigits(middle, destination.Slice(2));
        WriteTwoDigits(rest - (middle * 100), destination.Slice(4));
    }

    private static int Digits(int value, int width, Span<byte> destination)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        return width;
    }

    /// <summary><paramref name="text"/> (lone surrogates already replaced) as a quoted JSON string, escaped as <see cref="Utf8JsonWriter"/> escapes it.</summary>
    private static byte[] Quoted(string text)
    {
        var encoded = JsonEncodedText.Encode(text, s_encoder).EncodedUtf8Bytes;
        var quoted = new byte[encoded.Length + 2];
        quoted[0] = (byte)'"';
        encoded.CopyTo(quoted.AsSpan(1));
        quoted[^1] = (byte)'"';
        return quoted;
    }

    private static ushort[] CreateDigitPairs()
    {
        var table = new ushort[100];
        for (var i = 0; i < 100; i++)
        {
            table[i] = (ushort)('0' + (i / 10) | (('0' + (i % 10)) << 8));
        }

        return table;
    }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
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

    /// <summary>Whether the request id is a generated one not formatted yet (<paramref name="value"/>: its counter value).</summary>
    bool TryGetGeneratedId(out ulong value);

    OperationStatus Status { get; }

    string? ErrorType { get; }

    long? AllocatedBytes { get; }

    int? GcCollections { get; }

    int StageCount { get; }

    void GetStage(int index, out string name, out TimeSpan duration, out int calls, out double share, out OperationStatus status, out string? errorType, out ReadOnlySpan<KeyValuePair<string, MetadataValue>> metadata);

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

    public bool TryGetGeneratedId(out ulong value)
    {
        value = 0;
        return false;
    }

    public OperationStatus Status => _summary.Status;

    public string? ErrorType => _summary.ErrorType;

    public long? AllocatedBytes => _summary.AllocatedBytes;

    public int? GcCollections => _summary.GcCollections;

    public int StageCount => _summary.Stages.Count;

    public void GetStage(int index, out string name, out TimeSpan duration, out int calls, out double share, out OperationStatus status, out string? errorType, out ReadOnlySpan<KeyValuePair<string, MetadataValue>> metadata)
    {
        var stage = _summary.Stages[index];
        name = stage.Name;
        duration = stage.Duration;
        calls = stage.Calls;
        share = stage.Share;
        status = stage.Status;
        errorType = stage.ErrorType;
        metadata = stage.Metadata switch
        {
            null => default,
            KeyValuePair<string, MetadataValue>[] array => array,
            List<KeyValuePair<string, MetadataValue>> list => CollectionsMarshal.AsSpan(list),
            var other => CopyOf(other),
        };
    }

    private static KeyValuePair<string, MetadataValue>[] CopyOf(IReadOnlyList<KeyValuePair<string, MetadataValue>> metadata)
    {
        var copy = new KeyValuePair<string, MetadataValue>[metadata.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = metadata[i];
        }

        return copy;
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

    public bool TryGetGeneratedId(out ulong value)
    {
        value = _record.GeneratedId;
        return _record.RequestId is null;
    }

    public OperationStatus Status => _record.Status;

    public string? ErrorType => _record.ErrorType;

    public long? AllocatedBytes => _record.AllocatedBytes;

    public int? GcCollections => _record.GcCollections;

    public int StageCount => _record.StageCount;

    public void GetStage(int index, out string name, out TimeSpan duration, out int calls, out double share, out OperationStatus status, out string? errorType, out ReadOnlySpan<KeyValuePair<string, MetadataValue>> metadata)
    {
        ref readonly var stage = ref _record.Stages[index];
        name = stage.Name;
        duration = stage.Duration;
        calls = stage.Calls;
        share = stage.Share;
        status = stage.Status;
        errorType = stage.ErrorType;
        metadata = _record.MetadataOf(in stage);
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
