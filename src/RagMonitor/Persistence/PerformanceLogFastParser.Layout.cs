using System;
using System.Buffers;
using System.Runtime.CompilerServices;

namespace RagMonitor;

/// <summary>
/// The expected-layout lane: the line exactly as <see cref="JsonlRecordFormatter"/> writes it (fixed key order, no
/// whitespace, printable ASCII without escapes), matched as runs of literal bytes.
/// </summary>
/// <remarks>
/// One vectorised scan first proves that every byte of the line is printable ASCII (0x20–0x7E) and that there is no
/// backslash: then every string in the line is a valid JSON string that ends at the next <c>"</c>, so strings need
/// no per-byte loop. The rest is matched piece by piece (literal key runs, numbers by the JSON grammar); the lane
/// accepts a line only when it has consumed all of it, so what it accepts is valid JSON with the fields interpreted
/// exactly as the general scanner does. Any deviation returns <see langword="false"/> and the general scanner
/// (and after it the reference parser) decides.
/// </remarks>
internal sealed partial class PerformanceLogFastParser
{
    /// <summary>The bytes a line may hold for the lane: printable ASCII except the backslash.</summary>
    private static readonly SearchValues<byte> s_layoutBytes = SearchValues.Create(LayoutBytes());

    private static byte[] LayoutBytes()
    {
        var bytes = new byte[0x7E - 0x20];
        int n = 0;
        for (int b = 0x20; b <= 0x7E; b++)
        {
            if (b != '\\')
            {
                bytes[n++] = (byte)b;
            }
        }

        return bytes;
    }

    /// <summary>
    /// Reads a line in the writer's layout. Returns <see langword="false"/> (with <paramref name="entry"/> partly
    /// filled: the caller clears it) when the line deviates in any way.
    /// </summary>
    internal bool TryParseLayout(ReadOnlySpan<byte> s, PerformanceLogEntry entry)
    {
        if (!s.StartsWith("{\"start_time\":"u8) || s.IndexOfAnyExcept(s_layoutBytes) >= 0)
        {
            return false;
        }

        int i = 14;
        if (!LayoutNumber(s, ref i, out double start) || !Expect(s, ref i, ",\"total_time\":"u8))
        {
            return false;
        }

        entry.SetStartTime(start);
        if (!LayoutNumber(s, ref i, out double total) || total < 0 || !Expect(s, ref i, ",\"timestamp\":\""u8))
        {
            return false;
        }

        entry.TotalTimeSeconds = total;
        int end = s.Slice(i).IndexOf((byte)'"');
        if (end < 0 || !PerformanceLogNumbers.TryParseTimestamp(s.Slice(i, end), _unqualifiedIsUtc, out DateTimeOffset timestamp))
        {
            return false;
        }

        entry.Timestamp = timestamp;
        i += end + 1;
        if (!Expect(s, ref i, ",\"stages\":{"u8))
        {
            return false;
        }

        if (At(s, i, (byte)'}'))
        {
            i++;
        }
        else if (!LayoutStages(s, ref i, entry))
        {
            return false;
        }

        if (!Expect(s, ref i, ",\"request\":"u8) || !At(s, i, (byte)'"') || !QuotedName(s, ref i, 0, out string? request))
        {
            return false;
        }

        entry.RequestName = request;
        if (!Expect(s, ref i, ",\"request_id\":\""u8))
        {
            return false;
        }

        end = s.Slice(i).IndexOf((byte)'"');
        if (end < 0)
        {
            return false;
        }

        entry.SetRequestIdToken(i - 1, end + 2);
        i += end + 1;
        if (!Expect(s, ref i, ",\"status\":"u8) || !LayoutStatus(s, ref i, out OperationStatus? status))
        {
            return false;
        }

        entry.Status = status;
        if (Expect(s, ref i, ",\"error_type\":"u8))
        {
            if (!At(s, i, (byte)'"') || !QuotedName(s, ref i, 1, out string? errorType))
            {
                return false;
            }

            entry.ErrorType = errorType;
        }

        if (!Expect(s, ref i, ",\"bottlenecks\":["u8))
        {
            return false;
        }

        if (At(s, i, (byte)']'))
        {
            i++;
        }
        else if (!LayoutBottlenecks(s, ref i, entry))
        {
            return false;
        }

        if (Expect(s, ref i, ",\"allocated_bytes\":"u8))
        {
            if (!LayoutInteger(s, ref i, out long allocated))
            {
                return false;
            }

            entry.AllocatedBytes = allocated;
        }

        if (Expect(s, ref i, ",\"gc_collections\":"u8))
        {
            if (!LayoutInteger(s, ref i, out long collections))
            {
                return false;
            }

            entry.GcCollections = collections;
        }

        return i == s.Length - 1 && s[i] == (byte)'}';
    }

    /// <summary><c>"name":{"duration":…,"metadata":{…},"calls":N,"share":…,"status":"…"[,"error_type":"…"]}</c>, comma separated, then the closing <c>}</c>.</summary>
    private bool LayoutStages(ReadOnlySpan<byte> s, ref int i, PerformanceLogEntry entry)
    {
        int index = 0;
        while (true)
        {
            if (!At(s, i, (byte)'"') || !QuotedName(s, ref i, 2 + Math.Min(index++, 7), out string? name)
                || !Expect(s, ref i, ":{\"duration\":"u8) || !LayoutNumber(s, ref i, out double duration) || duration < 0
                || !Expect(s, ref i, ",\"metadata\":"u8) || !At(s, i, (byte)'{'))
            {
                return false;
            }

            int metadataStart = i;
            if (Expect(s, ref i, "{}"u8))
            {
            }
            else if (!SkipValue(s, ref i, 3))
            {
                return false;
            }

            int metadataLength = i - metadataStart;
            if (!Expect(s, ref i, ",\"calls\":"u8) || !LayoutCalls(s, ref i, out int? calls)
                || !Expect(s, ref i, ",\"share\":"u8) || !LayoutNumber(s, ref i, out double share)
                || !Expect(s, ref i, ",\"status\":"u8) || !LayoutStatus(s, ref i, out OperationStatus? status))
            {
                return false;
            }

            string? errorType = null;
            if (Expect(s, ref i, ",\"error_type\":"u8) && (!At(s, i, (byte)'"') || !QuotedName(s, ref i, -1, out errorType)))
            {
                return false;
            }

            if (!At(s, i, (byte)'}'))
            {
                return false;
            }

            entry.AddStage(new LogStageEntry(name!, duration, calls, share, status, errorType, metadataStart, metadataLength));
            i++;
            if (At(s, i, (byte)','))
            {
                i++;
                continue;
            }

            if (At(s, i, (byte)'}'))
            {
                i++;
                return true;
            }

            return false;
        }
    }

    /// <summary><c>{"stage":"…","share":…,"rule":"…"}</c>, comma separated, then the closing <c>]</c>.</summary>
    private bool LayoutBottlenecks(ReadOnlySpan<byte> s, ref int i, PerformanceLogEntry entry)
    {
        int index = 0;
        while (true)
        {
            if (!Expect(s, ref i, "{\"stage\":\""u8))
            {
                return false;
            }

            // QuotedName wants the opening quote.
            i--;
            if (!QuotedName(s, ref i, 10 + Math.Min(index, 3), out string? stage)
                || !Expect(s, ref i, ",\"share\":"u8) || !LayoutNumber(s, ref i, out double share)
                || !Expect(s, ref i, ",\"rule\":"u8) || !At(s, i, (byte)'"') || !QuotedName(s, ref i, 14, out string? rule)
                || !At(s, i, (byte)'}'))
            {
                return false;
            }

            entry.AddBottleneck(new LogBottleneckEntry(stage!, share, rule));
            index++;
            i++;
            if (At(s, i, (byte)','))
            {
                i++;
                continue;
            }

            if (At(s, i, (byte)']'))
            {
                i++;
                return true;
            }

            return false;
        }
    }

    /// <summary>A status string (the common <c>"success"</c> in one comparison); <see cref="Status"/> for the others.</summary>
    private static bool LayoutStatus(ReadOnlySpan<byte> s, ref int i, out OperationStatus? status)
    {
        if (Expect(s, ref i, "\"success\""u8))
        {
            status = OperationStatus.Success;
            return true;
        }

        status = null;
        return At(s, i, (byte)'"') && Status(s, ref i, out status);
    }

    /// <summary><c>calls</c>: a plain integer of up to nine digits here; anything else by the general number rule.</summary>
    private static bool LayoutCalls(ReadOnlySpan<byte> s, ref int i, out int? calls)
    {
        int p = i;
        int value = 0;
        while (p < s.Length && p - i < 9)
        {
            uint digit = (uint)(s[p] - '0');
            if (digit > 9)
            {
                break;
            }

            value = (value * 10) + (int)digit;
            p++;
        }

        // One digit, or several without a leading zero, followed by something that cannot continue a number.
        if (p > i && (p - i == 1 || s[i] != (byte)'0') && p < s.Length && s[p] is (byte)',' or (byte)'}')
        {
            calls = value;
            i = p;
            return true;
        }

        calls = null;
        if (!Number(s, ref i, out double c, out bool integral))
        {
            return false;
        }

        calls = integral && c >= int.MinValue && c <= int.MaxValue ? (int)c : null;
        return true;
    }

    private static bool LayoutInteger(ReadOnlySpan<byte> s, ref int i, out long value)
    {
        value = 0;
        if (!At(s, i, (byte)'-') && !(i < s.Length && (uint)(s[i] - '0') <= 9))
        {
            return false;
        }

        if (!OptionalInteger(s, ref i, out long? parsed) || parsed is not long integer)
        {
            return false;
        }

        value = integer;
        return true;
    }

    /// <summary>
    /// A JSON number without an exponent and with at most 15 digits — exactly the value <see cref="Number(ReadOnlySpan{byte}, ref int, out double, out bool)"/>
    /// computes (mantissa over a power of ten; 15 digits stay below 2^53) — or, for any other number, that method.
    /// </summary>
    private static bool LayoutNumber(ReadOnlySpan<byte> s, ref int i, out double value)
    {
        int p = i;
        bool negative = false;
        if (p < s.Length && s[p] == (byte)'-')
        {
            negative = true;
            p++;
        }

        int digitsStart = p;
        ulong mantissa = 0;
        uint digit;
        if (p >= s.Length)
        {
            value = 0;
            return false;
        }

        digit = (uint)(s[p] - '0');
        if (digit == 0)
        {
            p++;
        }
        else if (digit <= 9)
        {
            do
            {
                mantissa = (mantissa * 10) + digit;
                p++;
            }
            while (p < s.Length && (digit = (uint)(s[p] - '0')) <= 9);
        }
        else
        {
            value = 0;
            return false;
        }

        int digits = p - digitsStart;
        int fractionDigits = 0;
        if (p < s.Length && s[p] == (byte)'.')
        {
            p++;
            int fractionStart = p;
            while (p < s.Length && (digit = (uint)(s[p] - '0')) <= 9)
            {
                mantissa = (mantissa * 10) + digit;
                p++;
            }

            fractionDigits = p - fractionStart;
            if (fractionDigits == 0)
            {
                value = 0;
                return false;
            }

            digits += fractionDigits;
        }

        if (digits > 15 || (p < s.Length && (s[p] | 0x20) == (byte)'e'))
        {
            return Number(s, ref i, out value, out _);
        }

        double result = mantissa / s_powersOfTen[fractionDigits];
        value = negative ? -result : result;
        i = p;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool At(ReadOnlySpan<byte> s, int i, byte b) => (uint)i < (uint)s.Length && s[i] == b;

    /// <summary>Consumes <paramref name="literal"/> when the text at <paramref name="i"/> starts with it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Expect(ReadOnlySpan<byte> s, ref int i, ReadOnlySpan<byte> literal)
    {
        if ((uint)i <= (uint)s.Length && s.Slice(i).StartsWith(literal))
        {
            i += literal.Length;
            return true;
        }

        return false;
    }
}
