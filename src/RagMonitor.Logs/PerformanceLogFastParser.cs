using System;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace RagMonitor;

/// <summary>
/// A fast path for the usual log line: a small validating JSON scanner that reads the fields RagMonitor and the
/// Python module write, straight from the UTF-8 bytes. It accepts a line only when the line is well-formed JSON
/// and every field it interprets has the expected type and no escape sequence; anything else (invalid or torn
/// JSON, escaped names, unusual types) is handed back as <see cref="Result.Fallback"/> to the
/// <see cref="System.Text.Json.Utf8JsonReader"/>-based parser, which is the reference and produces the messages.
/// </summary>
internal sealed partial class PerformanceLogFastParser
{
    internal enum Result
    {
        /// <summary>The entry is filled.</summary>
        Parsed,

        /// <summary>Let the reference parser decide (invalid, torn or unusual line).</summary>
        Fallback,
    }

    private const int MaxDepth = 56;

    private readonly PerformanceLogStringCache _names;
    private readonly bool _unqualifiedIsUtc;
    private readonly byte[]?[] _hintBytes = new byte[16][];
    private readonly string?[] _hintValues = new string?[16];

    internal PerformanceLogFastParser(PerformanceLogStringCache names, bool unqualifiedTimestampsAreUtc)
    {
        _names = names;
        _unqualifiedIsUtc = unqualifiedTimestampsAreUtc;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal Result Parse(ReadOnlySpan<byte> s, PerformanceLogEntry entry)
        => TryParseLayout(s, entry) ? Result.Parsed : ParseGeneral(s, entry);

    /// <summary>
    /// The general scanner, for lines the layout lane declines. A method of its own so that it is compiled only when
    /// such a line turns up (a warm-up of the writer's layout does not pay for it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private Result ParseGeneral(ReadOnlySpan<byte> s, PerformanceLogEntry entry)
    {
        entry.ClearParsed();
        int i = 0;
        SkipWhitespace(s, ref i);
        if (i >= s.Length || s[i] != (byte)'{')
        {
            return Result.Fallback;
        }

        i++;
        bool hasTotal = false;
        bool hasTimestamp = false;
        SkipWhitespace(s, ref i);
        if (i < s.Length && s[i] == (byte)'}')
        {
            return Result.Fallback;
        }

        int expected = 0;
        while (true)
        {
            int k = MatchKey(s, ref i, s_topKeys, expected);
            if (k == -2 || i >= s.Length)
            {
                return Result.Fallback;
            }

            if (k >= 0)
            {
                expected = k + 1;
            }

            byte first = s[i];
            switch (k)
            {
                case 0: // start_time
                    if (first == (byte)'n')
                    {
                        if (!Literal(s, ref i, "null"u8))
                        {
                            return Result.Fallback;
                        }
                    }
                    else if (!Number(s, ref i, out double start))
                    {
                        return Result.Fallback;
                    }
                    else
                    {
                        entry.SetStartTime(start);
                    }

                    break;
                case 1: // total_time
                    if (!Number(s, ref i, out double total) || total < 0)
                    {
                        return Result.Fallback;
                    }

                    entry.TotalTimeSeconds = total;
                    hasTotal = true;
                    break;
                case 2: // timestamp
                    if (!PlainString(s, ref i, out int tsStart, out int tsEnd)
                        || !PerformanceLogNumbers.TryParseTimestamp(s.Slice(tsStart, tsEnd - tsStart), _unqualifiedIsUtc, out DateTimeOffset timestamp))
                    {
                        return Result.Fallback;
                    }

                    entry.Timestamp = timestamp;
                    hasTimestamp = true;
                    break;
                case 3: // stages
                    if (first == (byte)'n')
                    {
                        if (!Literal(s, ref i, "null"u8))
                        {
                            return Result.Fallback;
                        }
                    }
                    else if (!Stages(s, ref i, entry))
                    {
                        return Result.Fallback;
                    }

                    break;
                case 4: // request
                    if (!OptionalName(s, ref i, 0, out string? request))
                    {
                        return Result.Fallback;
                    }

                    entry.RequestName = request;
                    break;
                case 5: // request_id
                    if (first == (byte)'"')
                    {
                        int tokenStart = i;
                        if (!String(s, ref i, out _, out _, out _))
                        {
                            return Result.Fallback;
                        }

                        entry.SetRequestIdToken(tokenStart, i - tokenStart);
                    }
                    else if (!SkipValue(s, ref i, 1))
                    {
                        return Result.Fallback;
                    }

                    break;
                case 6: // status
                    if (!Status(s, ref i, out OperationStatus? status))
                    {
                        return Result.Fallback;
                    }

                    entry.Status = status;
                    break;
                case 7: // error_type
                    if (!OptionalName(s, ref i, 1, out string? errorType))
                    {
                        return Result.Fallback;
                    }

                    entry.ErrorType = errorType;
                    break;
                case 8: // bottlenecks
                    if (!Bottlenecks(s, ref i, entry))
                    {
                        return Result.Fallback;
                    }

                    break;
                case 9: // allocated_bytes
                    if (!OptionalInteger(s, ref i, out long? allocated))
                    {
                        return Result.Fallback;
                    }

                    entry.AllocatedBytes = allocated;
                    break;
                case 10: // gc_collections
                    if (!OptionalInteger(s, ref i, out long? collections))
                    {
                        return Result.Fallback;
                    }

                    entry.GcCollections = collections;
                    break;
                default:
                    if (!SkipValue(s, ref i, 1))
                    {
                        return Result.Fallback;
                    }

                    break;
            }

            if (!NextMember(s, ref i, out bool end))
            {
                return Result.Fallback;
            }

            if (end)
            {
                break;
            }
        }

        SkipWhitespace(s, ref i);
        if (i != s.Length || !hasTotal)
        {
            return Result.Fallback;
        }

        if (!hasTimestamp)
        {
            if (entry.StartTimeSeconds is not double startTime)
            {
                return Result.Fallback;
            }

            entry.Timestamp = PerformanceLogNumbers.FromUnixSeconds(startTime + entry.TotalTimeSeconds);
        }

        return Result.Parsed;
    }

    private bool Stages(ReadOnlySpan<byte> s, ref int i, PerformanceLogEntry entry)
    {
        if (s[i] != (byte)'{')
        {
            return false;
        }

        i++;
        SkipWhitespace(s, ref i);
        if (i < s.Length && s[i] == (byte)'}')
        {
            i++;
            return true;
        }

        int index = 0;
        while (true)
        {
            if (!NameKey(s, ref i, 2 + Math.Min(index++, 7), out string? name) || i >= s.Length)
            {
                return false;
            }

            if (s[i] != (byte)'{')
            {
                return false;
            }

            i++;
            double duration = 0;
            bool hasDuration = false;
            int? calls = null;
            double? share = null;
            OperationStatus? status = null;
            string? errorType = null;
            int metadataStart = 0;
            int metadataLength = 0;
            SkipWhitespace(s, ref i);
            if (i < s.Length && s[i] == (byte)'}')
            {
                return false;
            }

            int expectedKey = 0;
            while (true)
            {
                int k = MatchKey(s, ref i, s_stageKeys, expectedKey);
                if (k == -2 || i >= s.Length)
                {
                    return false;
                }

                if (k >= 0)
                {
                    expectedKey = k + 1;
                }

                if (k == 0)
                {
                    if (!Number(s, ref i, out duration) || duration < 0)
                    {
                        return false;
                    }

                    hasDuration = true;
                }
                else if (k == 1)
                {
                    int start = i;
                    if (!SkipValue(s, ref i, 3))
                    {
                        return false;
                    }

                    if (s[start] == (byte)'{')
                    {
                        metadataStart = start;
                        metadataLength = i - start;
                    }
                }
                else if (k == 2)
                {
                    if (!Number(s, ref i, out double c, out bool integral))
                    {
                        return false;
                    }

                    calls = integral && c >= int.MinValue && c <= int.MaxValue ? (int)c : null;
                }
                else if (k == 3)
                {
                    if (s[i] == (byte)'"' || s[i] == (byte)'{' || s[i] == (byte)'[' || s[i] == (byte)'n' || s[i] == (byte)'t' || s[i] == (byte)'f')
                    {
                        if (!SkipValue(s, ref i, 3))
                        {
                            return false;
                        }
                    }
                    else if (!Number(s, ref i, out double sh))
                    {
                        return false;
                    }
                    else
                    {
                        share = sh;
                    }
                }
                else if (k == 4)
                {
                    if (!Status(s, ref i, out status))
                    {
                        return false;
                    }
                }
                else if (k == 5)
                {
                    if (!OptionalName(s, ref i, -1, out errorType))
                    {
                        return false;
                    }
                }
                else if (!SkipValue(s, ref i, 3))
                {
                    return false;
                }

                if (!NextMember(s, ref i, out bool stageEnd))
                {
                    return false;
                }

                if (stageEnd)
                {
                    break;
                }
            }

            if (!hasDuration)
            {
                return false;
            }

            entry.AddStage(new LogStageEntry(name!, duration, calls, share, status, errorType, metadataStart, metadataLength));
            if (!NextMember(s, ref i, out bool end))
            {
                return false;
            }

            if (end)
            {
                return true;
            }
        }
    }

    private bool Bottlenecks(ReadOnlySpan<byte> s, ref int i, PerformanceLogEntry entry)
    {
        if (s[i] != (byte)'[')
        {
            return SkipValue(s, ref i, 1);
        }

        i++;
        SkipWhitespace(s, ref i);
        if (i < s.Length && s[i] == (byte)']')
        {
            i++;
            return true;
        }

        int index = 0;
        while (true)
        {
            if (i >= s.Length || s[i] != (byte)'{')
            {
                // The reference text form "retrieval (45.0%)" and other shapes: the reference parser handles them.
                return false;
            }

            i++;
            string? stage = null;
            double? share = null;
            string? rule = null;
            SkipWhitespace(s, ref i);
            if (i < s.Length && s[i] == (byte)'}')
            {
                i++;
            }
            else
            {
                int expectedKey = 0;
                while (true)
                {
                    int k = MatchKey(s, ref i, s_bottleneckKeys, expectedKey);
                    if (k == -2 || i >= s.Length)
                    {
                        return false;
                    }

                    if (k >= 0)
                    {
                        expectedKey = k + 1;
                    }

                    if (k == 0)
                    {
                        if (!OptionalName(s, ref i, 10 + Math.Min(index, 3), out stage))
                        {
                            return false;
                        }
                    }
                    else if (k == 1 && s[i] != (byte)'"' && s[i] != (byte)'n' && s[i] != (byte)'{' && s[i] != (byte)'[' && s[i] != (byte)'t' && s[i] != (byte)'f')
                    {
                        if (!Number(s, ref i, out double value))
                        {
                            return false;
                        }

                        share = value;
                    }
                    else if (k == 2)
                    {
                        if (!OptionalName(s, ref i, 14, out rule))
                        {
                            return false;
                        }
                    }
                    else if (!SkipValue(s, ref i, 3))
                    {
                        return false;
                    }

                    if (!NextMember(s, ref i, out bool objectEnd))
                    {
                        return false;
                    }

                    if (objectEnd)
                    {
                        break;
                    }
                }
            }

            if (stage is not null)
            {
                entry.AddBottleneck(new LogBottleneckEntry(stage, share, rule));
                index++;
            }

            if (!NextElement(s, ref i, out bool end))
            {
                return false;
            }

            if (end)
            {
                return true;
            }
        }
    }

    private static readonly byte[][] s_topKeys = Keys(JsonlFieldNames.StartTime, JsonlFieldNames.TotalTime, JsonlFieldNames.Timestamp, JsonlFieldNames.Stages, JsonlFieldNames.Request, JsonlFieldNames.RequestId, JsonlFieldNames.Status, JsonlFieldNames.ErrorType, JsonlFieldNames.Bottlenecks, JsonlFieldNames.AllocatedBytes, JsonlFieldNames.GcCollections);
    private static readonly byte[][] s_stageKeys = Keys(JsonlFieldNames.Duration, JsonlFieldNames.Metadata, JsonlFieldNames.Calls, JsonlFieldNames.Share, JsonlFieldNames.Status, JsonlFieldNames.ErrorType);
    private static readonly byte[][] s_bottleneckKeys = Keys(JsonlFieldNames.Stage, JsonlFieldNames.Share, JsonlFieldNames.Rule);

    private static byte[][] Keys(params string[] names)
    {
        var keys = new byte[names.Length][];
        for (int k = 0; k < names.Length; k++)
        {
            keys[k] = System.Text.Encoding.ASCII.GetBytes("\"" + names[k] + "\":");
        }

        return keys;
    }

    /// <summary>
    /// Reads a member's key and colon. Returns the index of a known key (tried literally from <paramref name="expected"/>
    /// on, the order writers use, before a general read), -1 for another key, -2 when the text is not a key.
    /// </summary>
    private static int MatchKey(ReadOnlySpan<byte> s, ref int i, byte[][] keys, int expected)
    {
        ReadOnlySpan<byte> rest = s.Slice(i);
        for (int k = expected; k < keys.Length; k++)
        {
            if (rest.StartsWith(keys[k]))
            {
                i += keys[k].Length;
                SkipWhitespace(s, ref i);
                return k;
            }
        }

        if (!ReadKey(s, ref i, out ReadOnlySpan<byte> key))
        {
            return -2;
        }

        for (int k = 0; k < keys.Length; k++)
        {
            if (key.SequenceEqual(keys[k].AsSpan(1, keys[k].Length - 3)))
            {
                return k;
            }
        }

        return -1;
    }

    /// <summary>Reads <c>"key"</c>, whitespace, <c>:</c>, whitespace; the key must have no escapes.</summary>
    private static bool ReadKey(ReadOnlySpan<byte> s, ref int i, out ReadOnlySpan<byte> key)
    {
        key = default;
        if (!PlainString(s, ref i, out int start, out int end))
        {
            return false;
        }

        key = s.Slice(start, end - start);
        return Colon(s, ref i);
    }

    /// <summary>Whether the string at <paramref name="i"/> (its opening quote) is the name last seen in <paramref name="slot"/>, matched with its quotes in one comparison; consumes it when it is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool MatchesHint(ReadOnlySpan<byte> s, ref int i, int slot, out string? name)
    {
        if ((uint)slot < (uint)_hintBytes.Length && _hintBytes[slot] is byte[] hint && s.Slice(i).StartsWith(hint))
        {
            i += hint.Length;
            name = _hintValues[slot];
            return true;
        }

        name = null;
        return false;
    }

    private bool NameKey(ReadOnlySpan<byte> s, ref int i, int slot, out string? name)
        => QuotedName(s, ref i, slot, out name) && Colon(s, ref i);

    /// <summary>A string without escapes as a shared name; the name last seen in <paramref name="slot"/> is matched with its quotes in one comparison.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool QuotedName(ReadOnlySpan<byte> s, ref int i, int slot, out string? name)
    {
        if (MatchesHint(s, ref i, slot, out name))
        {
            return true;
        }

        name = null;
        if (!PlainString(s, ref i, out int start, out int end))
        {
            return false;
        }

        name = Intern(s.Slice(start, end - start), slot);
        return true;
    }

    private static bool Colon(ReadOnlySpan<byte> s, ref int i)
    {
        SkipWhitespace(s, ref i);
        if (i >= s.Length || s[i] != (byte)':')
        {
            return false;
        }

        i++;
        SkipWhitespace(s, ref i);
        return true;
    }

    /// <summary>After a member's value: <c>,</c> (then whitespace and the next member's opening quote) or the closing <c>}</c>.</summary>
    private static bool NextMember(ReadOnlySpan<byte> s, ref int i, out bool end) =>
        Next(s, ref i, (byte)'}', out end) && (end || (i < s.Length && s[i] == (byte)'"'));

    /// <summary>After an array element: <c>,</c> (then whitespace) or the closing <c>]</c>.</summary>
    private static bool NextElement(ReadOnlySpan<byte> s, ref int i, out bool end) => Next(s, ref i, (byte)']', out end);

    /// <summary>After a value in an object or array: <c>,</c> (then whitespace), or <paramref name="closing"/> (<paramref name="end"/>).</summary>
    private static bool Next(ReadOnlySpan<byte> s, ref int i, byte closing, out bool end)
    {
        SkipWhitespace(s, ref i);
        end = false;
        if (i >= s.Length)
        {
            return false;
        }

        if (s[i] == (byte)',')
        {
            i++;
            SkipWhitespace(s, ref i);
            return true;
        }

        if (s[i] == closing)
        {
            i++;
            end = true;
            return true;
        }

        return false;
    }

    private bool OptionalName(ReadOnlySpan<byte> s, ref int i, int slot, out string? name)
    {
        name = null;
        if (s[i] == (byte)'"')
        {
            return QuotedName(s, ref i, slot, out name);
        }

        return s[i] == (byte)'n' && Literal(s, ref i, "null"u8);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Status(ReadOnlySpan<byte> s, ref int i, out OperationStatus? status)
    {
        status = null;
        if (s.Slice(i).StartsWith("\"success\""u8))
        {
            i += 9;
            status = OperationStatus.Success;
            return true;
        }

        if (s[i] != (byte)'"')
        {
            return s[i] == (byte)'n' && Literal(s, ref i, "null"u8);
        }

        if (!PlainString(s, ref i, out int start, out int end))
        {
            return false;
        }

        ReadOnlySpan<byte> text = s.Slice(start, end - start);
        if (text.SequenceEqual("success"u8))
        {
            status = OperationStatus.Success;
        }
        else if (text.SequenceEqual("failure"u8) || text.SequenceEqual("error"u8) || text.SequenceEqual("failed"u8))
        {
            status = OperationStatus.Failure;
        }
        else if (text.SequenceEqual("cancelled"u8) || text.SequenceEqual("canceled"u8))
        {
            status = OperationStatus.Cancelled;
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool OptionalInteger(ReadOnlySpan<byte> s, ref int i, out long? value)
    {
        value = null;
        if (s[i] == (byte)'n')
        {
            return Literal(s, ref i, "null"u8);
        }

        if (s[i] != (byte)'-' && (uint)(s[i] - '0') > 9)
        {
            return false;
        }

        int start = i;
        if (!SkipNumber(s, ref i))
        {
            return false;
        }

        if (System.Buffers.Text.Utf8Parser.TryParse(s.Slice(start, i - start), out long integer, out int consumed) && consumed == i - start)
        {
            value = integer;
            return true;
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string Intern(ReadOnlySpan<byte> bytes, int slot)
    {
        if ((uint)slot >= (uint)_hintBytes.Length)
        {
            return _names.Get(bytes);
        }

        string value = _names.Get(bytes);
        if (bytes.Length <= 64)
        {
            // Kept with its quotes, so that a later match also proves where the string ends.
            var quoted = new byte[bytes.Length + 2];
            quoted[0] = (byte)'"';
            bytes.CopyTo(quoted.AsSpan(1));
            quoted[^1] = (byte)'"';
            _hintBytes[slot] = quoted;
            _hintValues[slot] = value;
        }

        return value;
    }

    private static bool Number(ReadOnlySpan<byte> s, ref int i, out double value) => Number(s, ref i, out value, out _);

    /// <summary>A JSON number (validated by the grammar), computed exactly: plain decimals in one pass, others by <see cref="PerformanceLogNumbers.TryParseDouble"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Number(ReadOnlySpan<byte> s, ref int i, out double value, out bool integral)
    {
        value = 0;
        integral = true;
        int start = i;
        bool negative = false;
        if (i < s.Length && s[i] == (byte)'-')
        {
            negative = true;
            i++;
        }

        if (i >= s.Length)
        {
            return false;
        }

        long mantissa = 0;
        bool exact = true;
        int fractionDigits = 0;
        if (s[i] == (byte)'0')
        {
            i++;
        }
        else if ((uint)(s[i] - '1') <= 8)
        {
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                if (mantissa >= MaxExactMantissa / 10)
                {
                    exact = false;
                }
                else
                {
                    mantissa = (mantissa * 10) + (s[i] - '0');
                }

                i++;
            }
        }
        else
        {
            return false;
        }

        if (i < s.Length && s[i] == (byte)'.')
        {
            integral = false;
            i++;
            int digits = i;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                if (mantissa >= MaxExactMantissa / 10)
                {
                    exact = false;
                }
                else
                {
                    mantissa = (mantissa * 10) + (s[i] - '0');
                    fractionDigits++;
                }

                i++;
            }

            if (i == digits)
            {
                return false;
            }
        }

        if (i < s.Length && (s[i] == (byte)'e' || s[i] == (byte)'E'))
        {
            integral = false;
            exact = false;
            i++;
            if (i < s.Length && (s[i] == (byte)'+' || s[i] == (byte)'-'))
            {
                i++;
            }

            int digits = i;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                i++;
            }

            if (i == digits)
            {
                return false;
            }
        }

        if (i < s.Length && s[i] is not ((byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            return false;
        }

        if (exact && fractionDigits < PerformanceLogNumbers.PowersOfTen.Length)
        {
            double result = mantissa / PerformanceLogNumbers.PowersOfTen[fractionDigits];
            value = negative ? -result : result;
            return true;
        }

        return PerformanceLogNumbers.TryParseDouble(s.Slice(start, i - start), out value);
    }

    private const long MaxExactMantissa = 1L << 53;

    private static bool SkipNumber(ReadOnlySpan<byte> s, ref int i) => SkipNumber(s, ref i, out _);

    /// <summary>JSON number grammar: <c>-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool SkipNumber(ReadOnlySpan<byte> s, ref int i, out bool integral)
    {
        integral = true;
        if (i < s.Length && s[i] == (byte)'-')
        {
            i++;
        }

        if (i >= s.Length)
        {
            return false;
        }

        if (s[i] == (byte)'0')
        {
            i++;
        }
        else if ((uint)(s[i] - '1') <= 8)
        {
            i++;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                i++;
            }
        }
        else
        {
            return false;
        }

        if (i < s.Length && s[i] == (byte)'.')
        {
            integral = false;
            i++;
            int digits = i;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                i++;
            }

            if (i == digits)
            {
                return false;
            }
        }

        if (i < s.Length && (s[i] == (byte)'e' || s[i] == (byte)'E'))
        {
            integral = false;
            i++;
            if (i < s.Length && (s[i] == (byte)'+' || s[i] == (byte)'-'))
            {
                i++;
            }

            int digits = i;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                i++;
            }

            if (i == digits)
            {
                return false;
            }
        }

        // A number must be followed by a delimiter (or the end, which the caller rejects where it matters).
        return i >= s.Length || s[i] is (byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
    }

    /// <summary>A string without escape sequences; returns the content range. Strings with escapes fall back.</summary>
    private static bool PlainString(ReadOnlySpan<byte> s, ref int i, out int start, out int end)
        => String(s, ref i, out start, out end, out bool escaped) && !escaped;

    /// <summary>A JSON string: validates escapes and rejects control characters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool String(ReadOnlySpan<byte> s, ref int i, out int start, out int end, out bool escaped)
    {
        start = end = 0;
        escaped = false;
        if (i >= s.Length || s[i] != (byte)'"')
        {
            return false;
        }

        i++;
        start = i;
        while (true)
        {
            i = IndexOfStringSpecial(s, i);
            if (i < 0)
            {
                return false;
            }
            byte b = s[i];
            if (b == (byte)'"')
            {
                end = i;
                i++;
                return true;
            }

            if (b != (byte)'\\')
            {
                return false;
            }

            escaped = true;
            if (i + 1 >= s.Length)
            {
                return false;
            }

            byte e = s[i + 1];
            if (e == (byte)'u')
            {
                if (i + 5 >= s.Length || !IsHex(s[i + 2]) || !IsHex(s[i + 3]) || !IsHex(s[i + 4]) || !IsHex(s[i + 5]))
                {
                    return false;
                }

                i += 6;
            }
            else if (e is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t')
            {
                i += 2;
            }
            else
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The index of the first <c>"</c>, <c>\</c> or control character at or after <paramref name="i"/>, or -1: eight
    /// bytes at a time with the "has zero byte" / "has byte less than" bit tricks (the lowest flagged byte is always a
    /// true match), which beats a vectorised search for the short strings of a log line.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int IndexOfStringSpecial(ReadOnlySpan<byte> s, int i)
    {
        const ulong Ones = 0x0101010101010101UL;
        const ulong High = 0x8080808080808080UL;
        while (i + 8 <= s.Length)
        {
            ulong x = BinaryPrimitives.ReadUInt64LittleEndian(s.Slice(i, 8));
            ulong quote = x ^ 0x2222222222222222UL;
            ulong backslash = x ^ 0x5C5C5C5C5C5C5C5CUL;
            ulong mask = (((quote - Ones) & ~quote) | ((backslash - Ones) & ~backslash) | ((x - (0x20 * Ones)) & ~x)) & High;
            if (mask != 0)
            {
                return i + (BitOperations.TrailingZeroCount(mask) >> 3);
            }

            i += 8;
        }

        for (; i < s.Length; i++)
        {
            byte b = s[i];
            if (b == (byte)'"' || b == (byte)'\\' || b < 0x20)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsHex(byte b) => (uint)(b - '0') <= 9 || (uint)((b | 0x20) - 'a') <= 5;

    private static bool Literal(ReadOnlySpan<byte> s, ref int i, ReadOnlySpan<byte> literal)
    {
        if (!s.Slice(i).StartsWith(literal))
        {
            return false;
        }

        i += literal.Length;
        return i >= s.Length || s[i] is (byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
    }

    /// <summary>Skips any JSON value, validating it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool SkipValue(ReadOnlySpan<byte> s, ref int i, int depth)
    {
        if (i >= s.Length || depth > MaxDepth)
        {
            return false;
        }

        switch (s[i])
        {
            case (byte)'"':
                return String(s, ref i, out _, out _, out _);
            case (byte)'{':
                i++;
                SkipWhitespace(s, ref i);
                if (i < s.Length && s[i] == (byte)'}')
                {
                    i++;
                    return true;
                }

                while (true)
                {
                    if (!String(s, ref i, out _, out _, out _) || !Colon(s, ref i) || !SkipValue(s, ref i, depth + 1) || !NextMember(s, ref i, out bool end))
                    {
                        return false;
                    }

                    if (end)
                    {
                        return true;
                    }
                }

            case (byte)'[':
                i++;
                SkipWhitespace(s, ref i);
                if (i < s.Length && s[i] == (byte)']')
                {
                    i++;
                    return true;
                }

                while (true)
                {
                    if (!SkipValue(s, ref i, depth + 1))
                    {
                        return false;
                    }

                    if (!NextElement(s, ref i, out bool end))
                    {
                        return false;
                    }

                    if (end)
                    {
                        return true;
                    }
                }

            case (byte)'t':
                return Literal(s, ref i, "true"u8);
            case (byte)'f':
                return Literal(s, ref i, "false"u8);
            case (byte)'n':
                return Literal(s, ref i, "null"u8);
            default:
                return SkipNumber(s, ref i);
        }
    }

    private static void SkipWhitespace(ReadOnlySpan<byte> s, ref int i)
    {
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }
    }
}
