using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace RagMonitor;

/// <summary>
/// Parses one JSONL line into a <see cref="PerformanceLogEntry"/> with <see cref="Utf8JsonReader"/>, straight from the
/// read buffer: no per-line string or DOM. Unknown fields are skipped, so newer writers stay readable.
/// </summary>
internal sealed class PerformanceLogLineParser
{
    private readonly PerformanceLogStringCache _names = new();
    private readonly NameHint[] _hints = new NameHint[16];
    private readonly byte[] _scratch = new byte[1024];
    private readonly bool _unqualifiedIsUtc;
    private byte[]? _repairBuffer;

    private readonly PerformanceLogFastParser? _fast;

    internal PerformanceLogLineParser(bool unqualifiedTimestampsAreUtc, bool useFastPath = true)
    {
        _unqualifiedIsUtc = unqualifiedTimestampsAreUtc;
        _fast = useFastPath ? new PerformanceLogFastParser(_names, unqualifiedTimestampsAreUtc) : null;
    }

    /// <summary>
    /// Set by <see cref="Parse"/> when the line held a torn record followed by a whole one: the whole one was read
    /// and this says what was lost (the caller counts it as a skipped line).
    /// </summary>
    internal string? DroppedPrefix { get; private set; }

    /// <summary>Parses a line; returns <see langword="null"/> on success, else why the line cannot be used.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal string? Parse(byte[] buffer, int offset, int length, PerformanceLogEntry entry, bool includeMetadata)
    {
        DroppedPrefix = null;
        entry.Reset(buffer, offset, length, includeMetadata);
        if (_fast is not null)
        {
            if (_fast.Parse(new ReadOnlySpan<byte>(buffer, offset, length), entry) == PerformanceLogFastParser.Result.Parsed)
            {
                return null;
            }

            entry.Reset(buffer, offset, length, includeMetadata);
        }

        string? error;
        try
        {
            error = ParseCore(new ReadOnlySpan<byte>(buffer, offset, length), entry);
        }
        catch (JsonException ex)
        {
            error = DescribeJsonError(ex, length);
        }
        catch (InvalidOperationException ex)
        {
            error = "invalid value: " + ex.Message;
        }

        if (error is not null)
        {
            string? repaired = TryRepair(buffer, offset, length, entry, includeMetadata);
            if (repaired is null)
            {
                return null;
            }
        }

        return error;
    }

    /// <summary>
    /// Second chances for lines that are not JSON: Python's <c>json.dumps</c> writes bare <c>NaN</c>/<c>Infinity</c>
    /// (read as null), and a torn line followed by a whole record on the same line (a crash mid-write, then more
    /// appends) keeps the whole record.
    /// </summary>
    private string? TryRepair(byte[] buffer, int offset, int length, PerformanceLogEntry entry, bool includeMetadata)
    {
        var line = new ReadOnlySpan<byte>(buffer, offset, length);
        if (line.IndexOf("NaN"u8) >= 0 || line.IndexOf("Infinity"u8) >= 0)
        {
            if (_repairBuffer is null || _repairBuffer.Length < length)
            {
                _repairBuffer = new byte[Math.Max((length * 2) + 16, 4096)];
            }

            int repairedLength = ReplaceNonFiniteLiterals(line, _repairBuffer);
            if (repairedLength > 0)
            {
                entry.Reset(_repairBuffer, 0, repairedLength, includeMetadata);
                try
                {
                    if (ParseCore(new ReadOnlySpan<byte>(_repairBuffer, 0, repairedLength), entry) is null)
                    {
                        return null;
                    }
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException)
                {
                }
            }
        }

        int restart = line.Slice(1).LastIndexOf("{\"start_time\""u8);
        if (restart >= 0)
        {
            restart++;
            entry.Reset(buffer, offset + restart, length - restart, includeMetadata);
            try
            {
                if (ParseCore(line.Slice(restart), entry) is null)
                {
                    DroppedPrefix = string.Create(CultureInfo.InvariantCulture, $"torn record in the first {restart} bytes (a whole record follows on the same line)");
                    return null;
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
            }
        }

        return "unrepairable";
    }

    /// <summary>Copies <paramref name="line"/> with bare NaN, Infinity and -Infinity outside strings replaced by null; 0 when nothing was replaced.</summary>
    private static int ReplaceNonFiniteLiterals(ReadOnlySpan<byte> line, byte[] destination)
    {
        int written = 0;
        bool inString = false;
        bool replaced = false;
        for (int i = 0; i < line.Length; i++)
        {
            byte b = line[i];
            if (inString)
            {
                destination[written++] = b;
                if (b == (byte)'\\' && i + 1 < line.Length)
                {
                    destination[written++] = line[++i];
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }

                continue;
            }

            if (b == (byte)'"')
            {
                inString = true;
                destination[written++] = b;
            }
            else if (line.Slice(i).StartsWith("NaN"u8))
            {
                "null"u8.CopyTo(destination.AsSpan(written));
                written += 4;
                i += 2;
                replaced = true;
            }
            else if (line.Slice(i).StartsWith("-Infinity"u8))
            {
                "null"u8.CopyTo(destination.AsSpan(written));
                written += 4;
                i += 8;
                replaced = true;
            }
            else if (line.Slice(i).StartsWith("Infinity"u8))
            {
                "null"u8.CopyTo(destination.AsSpan(written));
                written += 4;
                i += 7;
                replaced = true;
            }
            else
            {
                destination[written++] = b;
            }
        }

        return replaced ? written : 0;
    }

    private static string DescribeJsonError(JsonException ex, int length)
    {
        long position = ex.BytePositionInLine ?? -1;
        if (position >= length - 1 || ex.Message.Contains("end of data", StringComparison.OrdinalIgnoreCase)
            || ex.Message.Contains("incomplete", StringComparison.OrdinalIgnoreCase))
        {
            return "invalid JSON: the line ends early (torn line?)";
        }

        return position >= 0
            ? string.Create(CultureInfo.InvariantCulture, $"invalid JSON at byte {position}")
            : "invalid JSON";
    }

    private string? ParseCore(ReadOnlySpan<byte> line, PerformanceLogEntry entry)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return "invalid JSON: not an object";
        }

        bool hasTotal = false;
        bool hasTimestamp = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadOnlySpan<byte> name = PropertyName(ref reader);
            reader.Read();
            if (name.SequenceEqual(JsonlFieldNames.Utf8.StartTime))
            {
                if (reader.TokenType == JsonTokenType.Number)
                {
                    entry.SetStartTime(Number(ref reader));
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    return "start_time is not a number";
                }
            }
            else if (name.SequenceEqual(JsonlFieldNames.Utf8.TotalTime))
            {
                if (reader.TokenType != JsonTokenType.Number)
                {
                    return reader.TokenType == JsonTokenType.Null ? "total_time is null" : "total_time is not a number";
                }

                double total = Number(ref reader);
                if (total < 0)
                {
                    return "total_time is negative";
                }

                entry.TotalTimeSeconds = total;
                hasTotal = true;
            }
            else if (name.SequenceEqual(JsonlFieldNames.Utf8.Timestamp))
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    return "timestamp is not a string";
                }

                if (!PerformanceLogNumbers.TryParseTimestamp(StringBytes(ref reader), _unqualifiedIsUtc, out DateTimeOffset timestamp))
                {
                    return "timestamp is not an ISO 8601 date and time";
                }

                entry.Timestamp = timestamp;
                hasTimestamp = true;
            }
            else if (name.SequenceEqual(JsonlFieldNames.Utf8.Stages))
            {
                string? error = ParseStages(ref reader, entry);
                if (error is not null)
                {
                    return error;
                }
            }
            else if (name.SequenceEqual(JsonlFieldNames.Utf8.Request))
            {
                entry.RequestName = OptionalName(ref reader, 0);
            }
            else if (name.SequenceEqual(JsonlFieldNames.Utf8.RequestId))
            {
                if (reader.TokenType == JsonTokenType.String)
                {
                    entry.SetRequestIdToken((int)reader.TokenStartIndex, (int)(reader.BytesConsumed - reader.TokenStartIndex));
                }
                else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
            else if (name.SequenceEqual(JsonlFieldNames.Utf8.Status))
            {
                entry.Status = Status(ref reader);
            }
            else if (name.SequenceEqual(JsonlFieldNames.Utf8.ErrorType))
            {
                entry.ErrorType = OptionalName(ref reader, 1);
            }
            else if (name.SequenceEqual(JsonlFieldNames.Utf8.Bottlenecks))
            {
                ParseBottlenecks(ref reader, entry);
            }
            else if (name.SequenceEqual(JsonlFieldNames.Utf8.AllocatedBytes))
            {
                entry.AllocatedBytes = OptionalInt64(ref reader);
            }
            else if (name.SequenceEqual(JsonlFieldNames.Utf8.GcCollections))
            {
                entry.GcCollections = OptionalInt64(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            return "invalid JSON: the line ends early (torn line?)";
        }

        if (reader.Read())
        {
            return "invalid JSON: more than one value on the line";
        }

        if (!hasTotal)
        {
            return "no total_time";
        }

        if (!hasTimestamp)
        {
            if (entry.StartTimeSeconds is not double start)
            {
                return "no timestamp";
            }

            entry.Timestamp = PerformanceLogNumbers.FromUnixSeconds(start + entry.TotalTimeSeconds);
        }

        return null;
    }

    private string? ParseStages(ref Utf8JsonReader reader, PerformanceLogEntry entry)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return "stages is not an object";
        }

        int stageIndex = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string stageName = Name(ref reader, 2 + Math.Min(stageIndex++, 7));
            reader.Read();
            if (reader.TokenType == JsonTokenType.Number)
            {
                // A bare number: the duration alone.
                double bare = Number(ref reader);
                if (bare < 0)
                {
                    return "stage '" + stageName + "' has a negative duration";
                }

                entry.AddStage(new LogStageEntry(stageName, bare, null, null, null, null, 0, 0));
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return "stage '" + stageName + "' is not an object";
            }

            double duration = 0;
            bool hasDuration = false;
            int? calls = null;
            double? share = null;
            OperationStatus? status = null;
            string? errorType = null;
            int metadataStart = 0;
            int metadataLength = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ReadOnlySpan<byte> name = PropertyName(ref reader);
                reader.Read();
                if (name.SequenceEqual(JsonlFieldNames.Utf8.Duration))
                {
                    if (reader.TokenType != JsonTokenType.Number)
                    {
                        return "stage '" + stageName + "' has no numeric duration";
                    }

                    duration = Number(ref reader);
                    if (duration < 0)
                    {
                        return "stage '" + stageName + "' has a negative duration";
                    }

                    hasDuration = true;
                }
                else if (name.SequenceEqual(JsonlFieldNames.Utf8.Metadata))
                {
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        metadataStart = (int)reader.TokenStartIndex;
                        reader.Skip();
                        metadataLength = (int)reader.BytesConsumed - metadataStart;
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (name.SequenceEqual(JsonlFieldNames.Utf8.Calls))
                {
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int c))
                    {
                        calls = c;
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (name.SequenceEqual(JsonlFieldNames.Utf8.Share))
                {
                    if (reader.TokenType == JsonTokenType.Number)
                    {
                        share = Number(ref reader);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (name.SequenceEqual(JsonlFieldNames.Utf8.Status))
                {
                    status = Status(ref reader);
                }
                else if (name.SequenceEqual(JsonlFieldNames.Utf8.ErrorType))
                {
                    errorType = OptionalName(ref reader, -1);
                }
                else
                {
                    reader.Skip();
                }
            }

            if (!hasDuration)
            {
                return "stage '" + stageName + "' has no duration";
            }

            entry.AddStage(new LogStageEntry(stageName, duration, calls, share, status, errorType, metadataStart, metadataLength));
        }

        return null;
    }

    private void ParseBottlenecks(ref Utf8JsonReader reader, PerformanceLogEntry entry)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        int bottleneckIndex = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                // The reference text form: "retrieval (45.0%)".
                string text = reader.GetString()!;
                int open = text.LastIndexOf(" (", StringComparison.Ordinal);
                if (open > 0 && text.EndsWith("%)", StringComparison.Ordinal)
                    && double.TryParse(text.AsSpan(open + 2, text.Length - open - 4), NumberStyles.Float, CultureInfo.InvariantCulture, out double percent))
                {
                    entry.AddBottleneck(new LogBottleneckEntry(_names.Get(Encoding.UTF8.GetBytes(text.Substring(0, open))), percent / 100, null));
                }
                else
                {
                    entry.AddBottleneck(new LogBottleneckEntry(text, null, null));
                }

                continue;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            string? stage = null;
            double? share = null;
            string? rule = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ReadOnlySpan<byte> name = PropertyName(ref reader);
                reader.Read();
                if (name.SequenceEqual(JsonlFieldNames.Utf8.Stage))
                {
                    stage = OptionalName(ref reader, 10 + Math.Min(bottleneckIndex, 3));
                }
                else if (name.SequenceEqual(JsonlFieldNames.Utf8.Share))
                {
                    if (reader.TokenType == JsonTokenType.Number)
                    {
                        share = Number(ref reader);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (name.SequenceEqual(JsonlFieldNames.Utf8.Rule))
                {
                    rule = OptionalName(ref reader, 14);
                }
                else
                {
                    reader.Skip();
                }
            }

            if (stage is not null)
            {
                entry.AddBottleneck(new LogBottleneckEntry(stage, share, rule));
                bottleneckIndex++;
            }
        }
    }

    private static double Number(ref Utf8JsonReader reader)
    {
        if (PerformanceLogNumbers.TryParseDouble(reader.ValueSpan, out double value))
        {
            return value;
        }

        throw new InvalidOperationException("a number is out of range");
    }

    private static long? OptionalInt64(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetInt64(out long value))
            {
                return value;
            }

            double d = Number(ref reader);
            return d is >= long.MinValue and <= long.MaxValue ? (long)d : null;
        }

        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
        }

        return null;
    }

    private static OperationStatus? Status(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }

            return null;
        }

        if (reader.ValueTextEquals("success"u8))
        {
            return OperationStatus.Success;
        }

        if (reader.ValueTextEquals("failure"u8))
        {
            return OperationStatus.Failure;
        }

        if (reader.ValueTextEquals("cancelled"u8))
        {
            return OperationStatus.Cancelled;
        }

        // Other spellings seen in hand-written logs.
        if (reader.ValueTextEquals("error"u8) || reader.ValueTextEquals("failed"u8))
        {
            return OperationStatus.Failure;
        }

        return reader.ValueTextEquals("canceled"u8) ? OperationStatus.Cancelled : null;
    }

    private string? OptionalName(ref Utf8JsonReader reader, int slot)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return Name(ref reader, slot);
        }

        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
        }

        return null;
    }

    /// <summary>
    /// The current string token as a shared string; <paramref name="slot"/> remembers the last name seen at the same
    /// place of the line (the n-th stage, the request name…), which is almost always the same as this one.
    /// </summary>
    private string Name(ref Utf8JsonReader reader, int slot)
    {
        if (!reader.ValueIsEscaped)
        {
            ReadOnlySpan<byte> bytes = reader.ValueSpan;
            if ((uint)slot < (uint)_hints.Length)
            {
                ref NameHint hint = ref _hints[slot];
                if (hint.Bytes is not null && bytes.SequenceEqual(hint.Bytes))
                {
                    return hint.Value!;
                }

                string value = _names.Get(bytes);
                if (bytes.Length <= 64)
                {
                    hint.Bytes = bytes.ToArray();
                    hint.Value = value;
                }

                return value;
            }

            return _names.Get(bytes);
        }

        if (reader.ValueSpan.Length <= _scratch.Length)
        {
            int written = reader.CopyString(_scratch);
            return _names.Get(new ReadOnlySpan<byte>(_scratch, 0, written));
        }

        return reader.GetString()!;
    }

    private struct NameHint
    {
        public byte[]? Bytes;
        public string? Value;
    }

    /// <summary>The current property name or string, unescaped when short enough (long escaped names match nothing we look for).</summary>
    private ReadOnlySpan<byte> PropertyName(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped || reader.ValueSpan.Length > _scratch.Length)
        {
            return reader.ValueSpan;
        }

        int written = reader.CopyString(_scratch);
        return new ReadOnlySpan<byte>(_scratch, 0, written);
    }

    private ReadOnlySpan<byte> StringBytes(ref Utf8JsonReader reader) => PropertyName(ref reader);

    /// <summary>
    /// The current string token; a string that is not valid UTF-8 (which the line check lets through, since it does not
    /// decode strings) is decoded with U+FFFD for the bad bytes instead of throwing.
    /// </summary>
    internal static string LenientString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            return Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan);
        }
    }

    /// <summary>
    /// Parses a stage's <c>metadata</c> object (the bytes from <c>{</c> to <c>}</c>). Never throws: invalid UTF-8 in a
    /// string becomes U+FFFD, and what follows a part that is not JSON is left out.
    /// </summary>
    internal static IReadOnlyList<KeyValuePair<string, MetadataValue>> ParseMetadata(ReadOnlySpan<byte> json)
    {
        var result = new List<KeyValuePair<string, MetadataValue>>();
        try
        {
            ParseMetadata(json, result);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            // Keep the pairs read before the damage.
        }

        return result;
    }

    private static void ParseMetadata(ReadOnlySpan<byte> json, List<KeyValuePair<string, MetadataValue>> result)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = LenientString(ref reader);
            reader.Read();
            MetadataValue value;
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    value = MetadataValue.FromString(LenientString(ref reader));
                    break;
                case JsonTokenType.Number:
                    value = reader.TryGetInt64(out long l) ? MetadataValue.FromInteger(l) : MetadataValue.FromNumber(reader.GetDouble());
                    break;
                case JsonTokenType.True:
                    value = MetadataValue.FromBoolean(true);
                    break;
                case JsonTokenType.False:
                    value = MetadataValue.FromBoolean(false);
                    break;
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    int start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    value = MetadataValue.FromString(Encoding.UTF8.GetString(json.Slice(start, (int)reader.BytesConsumed - start)));
                    break;
                default:
                    value = MetadataValue.Null;
                    break;
            }

            result.Add(new KeyValuePair<string, MetadataValue>(key, value));
        }
    }
}
