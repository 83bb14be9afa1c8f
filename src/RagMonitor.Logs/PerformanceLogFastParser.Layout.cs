using System;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RagMonitor;

/// <summary>
/// The expected-layout lane: the line exactly as the core package's line formatter (JsonlRecordFormatter) writes it (fixed key order, no
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
    /// <summary>
    /// Reads a line in the writer's layout. Returns <see langword="false"/> (with <paramref name="entry"/> partly
    /// filled: the caller clears it) when the line deviates in any way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal bool TryParseLayout(ReadOnlySpan<byte> s, PerformanceLogEntry entry)
    {
        if (!s.StartsWith("{\"start_time\":"u8) || !IsPrintableAsciiWithoutBackslash(s))
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
        int end = NextQuote(s, i);
        if (end < 0 || !LayoutTimestamp(s.Slice(i, end), out DateTimeOffset timestamp))
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

        if (!Expect(s, ref i, ",\"request\":"u8) || !At(s, i, (byte)'"') || !LayoutName(s, ref i, 0, out string? request))
        {
            return false;
        }

        entry.RequestName = request;
        if (!Expect(s, ref i, ",\"request_id\":\""u8))
        {
            return false;
        }

        end = NextQuote(s, i);
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
            if (!At(s, i, (byte)'"') || !LayoutName(s, ref i, 1, out string? errorType))
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

    /// <summary>Whether every byte is printable ASCII (0x20–0x7E) and none is a backslash: one pass, 32 (or 16) bytes at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool IsPrintableAsciiWithoutBackslash(ReadOnlySpan<byte> s)
    {
        if (!Vector256.IsHardwareAccelerated || s.Length < Vector256<byte>.Count)
        {
            // Native AOT code for the x86-64 baseline has no 256-bit vectors: one 16-byte pass is still about twice as
            // fast as the two library searches.
            return Vector128.IsHardwareAccelerated && s.Length >= Vector128<byte>.Count
                ? IsPrintableAsciiWithoutBackslash128(s)
                : s.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) < 0 && !s.Contains((byte)'\\');
        }

        ref byte start = ref MemoryMarshal.GetReference(s);
        Vector256<byte> space = Vector256.Create((byte)0x20);
        Vector256<byte> range = Vector256.Create((byte)(0x7E - 0x20));
        Vector256<byte> backslash = Vector256.Create((byte)'\\');
        Vector256<byte> bad = Vector256<byte>.Zero;
        nuint last = (nuint)(s.Length - Vector256<byte>.Count);
        for (nuint i = 0; i < last; i += (nuint)Vector256<byte>.Count)
        {
            Vector256<byte> v = Vector256.LoadUnsafe(ref start, i);
            bad |= Vector256.GreaterThan(v - space, range) | Vector256.Equals(v, backslash);
        }

        // The last (possibly overlapping) block.
        Vector256<byte> tail = Vector256.LoadUnsafe(ref start, last);
        bad |= Vector256.GreaterThan(tail - space, range) | Vector256.Equals(tail, backslash);
        return bad == Vector256<byte>.Zero;
    }

    /// <summary><see cref="IsPrintableAsciiWithoutBackslash"/> 16 bytes at a time (<paramref name="s"/> is at least 16 bytes long).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool IsPrintableAsciiWithoutBackslash128(ReadOnlySpan<byte> s)
    {
        ref byte start = ref MemoryMarshal.GetReference(s);
        Vector128<byte> space = Vector128.Create((byte)0x20);
        Vector128<byte> range = Vector128.Create((byte)(0x7E - 0x20));
        Vector128<byte> backslash = Vector128.Create((byte)'\\');
        Vector128<byte> bad = Vector128<byte>.Zero;
        nuint last = (nuint)(s.Length - Vector128<byte>.Count);
        for (nuint i = 0; i < last; i += (nuint)Vector128<byte>.Count)
        {
            Vector128<byte> v = Vector128.LoadUnsafe(ref start, i);
            bad |= Vector128.GreaterThan(v - space, range) | Vector128.Equals(v, backslash);
        }

        Vector128<byte> tail = Vector128.LoadUnsafe(ref start, last);
        bad |= Vector128.GreaterThan(tail - space, range) | Vector128.Equals(tail, backslash);
        return bad == Vector128<byte>.Zero;
    }

    /// <summary><c>"name":{"duration":…,"metadata":{…},"calls":N,"share":…,"status":"…"[,"error_type":"…"]}</c>, comma separated, then the closing <c>}</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool LayoutStages(ReadOnlySpan<byte> s, ref int i, PerformanceLogEntry entry)
    {
        int index = 0;
        while (true)
        {
            if (!At(s, i, (byte)'"') || !LayoutName(s, ref i, 2 + Math.Min(index++, 7), out string? name)
                || !Expect(s, ref i, ":{\"duration\":"u8) || !LayoutNumber(s, ref i, out double duration) || duration < 0
                || !Expect(s, ref i, ",\"metadata\":"u8) || !At(s, i, (byte)'{'))
            {
                return false;
            }

            int metadataStart = i;
            if (!LayoutSkipMetadata(s, ref i))
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
            if (Expect(s, ref i, ",\"error_type\":"u8) && (!At(s, i, (byte)'"') || !LayoutName(s, ref i, -1, out errorType)))
            {
                return false;
            }

            if (!At(s, i, (byte)'}'))
            {
                return false;
            }

            entry.AddStage(name!, duration, calls, share, status, errorType, metadataStart, metadataLength);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
            if (!LayoutName(s, ref i, 10 + Math.Min(index, 3), out string? stage)
                || !Expect(s, ref i, ",\"share\":"u8) || !LayoutNumber(s, ref i, out double share)
                || !Expect(s, ref i, ",\"rule\":"u8) || !At(s, i, (byte)'"') || !LayoutName(s, ref i, 14, out string? rule)
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

    /// <summary>
    /// A string (at its opening quote) as a shared name. The lane knows where it ends (the next quote), so the name
    /// is matched against the last name of <paramref name="slot"/> and then of every other slot before the cache is
    /// asked: names alternate between slots (the first bottleneck is one stage on one line, another on the next).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool LayoutName(ReadOnlySpan<byte> s, ref int i, int slot, out string? name)
    {
        // The usual case, inlined: the slot's last name, matched with its quotes (which also proves where the string ends).
        return MatchesHint(s, ref i, slot, out name) || LayoutNewName(s, ref i, slot, out name);
    }

    /// <summary><see cref="LayoutName"/> when the slot's last name does not match: the other slots, then the cache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private bool LayoutNewName(ReadOnlySpan<byte> s, ref int i, int slot, out string? name)
    {
        int length = NextQuote(s, i + 1);
        if (length < 0)
        {
            name = null;
            return false;
        }

        ReadOnlySpan<byte> text = s.Slice(i + 1, length);
        i += length + 2;
        if ((uint)slot < (uint)_hintBytes.Length)
        {
            for (int other = 0; other < _hintBytes.Length; other++)
            {
                if (_hintBytes[other] is byte[] candidate && candidate.Length == length + 2 && text.SequenceEqual(candidate.AsSpan(1, length)))
                {
                    _hintBytes[slot] = candidate;
                    _hintValues[slot] = _hintValues[other];
                    name = _hintValues[other];
                    return true;
                }
            }
        }

        name = Intern(text, slot);
        return true;
    }

    /// <summary>
    /// The offset of the next <c>"</c> from <paramref name="start"/>, relative to it, or -1. In a line that passed the
    /// lane's check (no backslash, no control byte) this is where a string that starts there ends.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NextQuote(ReadOnlySpan<byte> s, int start)
    {
        int at = IndexOfStringSpecial(s, start);
        return at < 0 ? -1 : at - start;
    }

    /// <summary>
    /// Skips a stage's metadata object (at its <c>{</c>): flat objects of strings, numbers, <c>true</c>,
    /// <c>false</c> and <c>null</c> are validated here; anything nested goes to <see cref="SkipValue"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool LayoutSkipMetadata(ReadOnlySpan<byte> s, ref int i)
    {
        // An empty object, inlined; any other to the loop.
        if (At(s, i + 1, (byte)'}'))
        {
            i += 2;
            return true;
        }

        return LayoutSkipMetadataMembers(s, ref i);
    }

    /// <summary><see cref="LayoutSkipMetadata"/> for an object with members.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static bool LayoutSkipMetadataMembers(ReadOnlySpan<byte> s, ref int i)
    {
        int p = i + 1;
        while (true)
        {
            if (!At(s, p, (byte)'"'))
            {
                return SkipValue(s, ref i, 3);
            }

            int key = NextQuote(s, p + 1);
            if (key < 0)
            {
                return false;
            }

            p += key + 2;
            if (!At(s, p, (byte)':') || p + 1 >= s.Length)
            {
                return SkipValue(s, ref i, 3);
            }

            p++;
            byte first = s[p];
            if (first == (byte)'"')
            {
                int value = NextQuote(s, p + 1);
                if (value < 0)
                {
                    return false;
                }

                p += value + 2;
            }
            else if (first == (byte)'-' || (uint)(first - '0') <= 9)
            {
                if (!SkipNumber(s, ref p))
                {
                    return false;
                }
            }
            else if (!(first == (byte)'t' && Literal(s, ref p, "true"u8)) && !(first == (byte)'f' && Literal(s, ref p, "false"u8)) && !(first == (byte)'n' && Literal(s, ref p, "null"u8)))
            {
                return SkipValue(s, ref i, 3);
            }

            if (At(s, p, (byte)','))
            {
                p++;
                continue;
            }

            if (At(s, p, (byte)'}'))
            {
                i = p + 1;
                return true;
            }

            return SkipValue(s, ref i, 3);
        }
    }

    /// <summary>A status string (the common <c>"success"</c> in one comparison); <see cref="Status"/> for the others.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool LayoutCalls(ReadOnlySpan<byte> s, ref int i, out int? calls)
    {
        // One digit 1–9 followed by the end of the member, inlined; anything else below.
        if ((uint)(i + 1) < (uint)s.Length && (uint)(s[i] - '1') <= 8 && s[i + 1] is (byte)',' or (byte)'}')
        {
            calls = s[i] - '0';
            i++;
            return true;
        }

        return LayoutCallsOther(s, ref i, out calls);
    }

    /// <summary><see cref="LayoutCalls"/> for every value its inlined part does not take.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static bool LayoutCallsOther(ReadOnlySpan<byte> s, ref int i, out int? calls)
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
    /// A JSON number without an exponent whose digits, as one integer, stay within what <see cref="Number(ReadOnlySpan{byte}, ref int, out double, out bool)"/>
    /// computes exactly (mantissa over a power of ten, the mantissa below 2^53) — exactly that method's value — or, for any other number, that method.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool LayoutNumber(ReadOnlySpan<byte> s, ref int i, out double value)
    {
        // Inlined into the lane: the usual number (non-negative, within eight bytes) without a call; the rest below.
        if (WindowNumber(s, i, out value, out int length))
        {
            i += length;
            return true;
        }

        return LayoutNumberOther(s, ref i, out value);
    }

    /// <summary>
    /// A non-negative number at <paramref name="p"/> that fits in eight bytes ("0.029251", "1.5", "20"): classify the
    /// eight bytes at once, find where the digits stop and, for a decimal point, where the fraction's digits stop,
    /// then squeeze the point out and convert all digits in one step. <see langword="false"/> for anything else.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool WindowNumber(ReadOnlySpan<byte> s, int p, out double value, out int length)
    {
        if (p + 8 <= s.Length)
        {
            ulong t = BinaryPrimitives.ReadUInt64LittleEndian(s.Slice(p, 8)) ^ 0x3030303030303030UL;
            ulong nonDigits = ((t + 0x0606060606060606UL) | t) & 0xF0F0F0F0F0F0F0F0UL;
            int whole = BitOperations.TrailingZeroCount(nonDigits) >> 3;

            // At least one digit, no leading zero before another digit, and the number not running past the window.
            if (whole is >= 1 and < 8 && (whole == 1 || (byte)t != 0))
            {
                byte stop = (byte)(t >> (8 * whole));
                if (stop == ((byte)'.' ^ 0x30))
                {
                    // The fraction ends inside the window, or exactly at its end ("0.029251" is eight bytes) when the
                    // byte after the window is no digit either.
                    int end = whole < 7 ? BitOperations.TrailingZeroCount(nonDigits & (ulong.MaxValue << (8 * (whole + 1)))) >> 3 : 8;
                    if (end > whole + 1 && p + end < s.Length && (uint)(s[p + end] - '0') > 9 && (s[p + end] | 0x20) != (byte)'e')
                    {
                        int count = end - 1;
                        ulong squeezed = (t & ((1UL << (8 * whole)) - 1)) | ((t >> 8) & (ulong.MaxValue << (8 * whole)));
                        value = EightDigits(squeezed << (8 * (8 - count))) / PerformanceLogNumbers.PowersOfTen[end - whole - 1];
                        length = end;
                        return true;
                    }
                }
                else if (((stop ^ 0x30) | 0x20) != (byte)'e')
                {
                    value = EightDigits(t << (8 * (8 - whole)));
                    length = whole;
                    return true;
                }
            }
        }

        value = 0;
        length = 0;
        return false;
    }

    /// <summary><see cref="LayoutNumber"/> for every number its inlined part does not take: a sign, or more than eight bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static bool LayoutNumberOther(ReadOnlySpan<byte> s, ref int i, out double value)
    {
        int p = i;
        bool negative = false;
        if (p < s.Length && s[p] == (byte)'-')
        {
            negative = true;
            p++;
        }

        // A non-negative number that fits the window was taken by LayoutNumber already.
        if (negative && WindowNumber(s, p, out double windowed, out int length))
        {
            value = -windowed;
            i = p + length;
            return true;
        }

        value = 0;
        if (p >= s.Length)
        {
            return false;
        }

        ulong mantissa = 0;
        int digits;
        uint first = (uint)(s[p] - '0');
        if (first == 0)
        {
            p++;
            digits = 1;
        }
        else if (first <= 9)
        {
            digits = Digits(s, ref p, ref mantissa);
        }
        else
        {
            return false;
        }

        int fractionDigits = 0;
        if (p < s.Length && s[p] == (byte)'.')
        {
            p++;
            fractionDigits = Digits(s, ref p, ref mantissa);
            if (fractionDigits == 0)
            {
                return false;
            }

            digits += fractionDigits;
        }

        // Number accumulates digits while the mantissa stays below 2^53 / 10 and is exact (mantissa over a power of
        // ten) when every digit fitted: up to 15 digits always do; 16 to 19 digits (a start_time with microseconds)
        // do when the mantissa without its last digit is below that bound — the same test, on the same value.
        if ((p < s.Length && (s[p] | 0x20) == (byte)'e') || digits > 19 || (digits > 15 && mantissa / 10 >= (ulong)(MaxExactMantissa / 10)))
        {
            return Number(s, ref i, out value, out _);
        }

        double result = mantissa / PerformanceLogNumbers.PowersOfTen[fractionDigits];
        value = negative ? -result : result;
        i = p;
        return true;
    }

    private static ReadOnlySpan<ulong> s_integerPowersOfTen => [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

    /// <summary>
    /// Reads a run of decimal digits at <paramref name="p"/> into <paramref name="mantissa"/> (which wraps when the
    /// run is long: callers treat more than 15 digits another way) and returns its length. Eight bytes at a time: the
    /// line is known to be printable ASCII, so a byte is a digit exactly when <c>b ^ '0'</c> has a zero high nibble
    /// and a low nibble below ten, which <c>(t + 6) | t</c> tests for all eight bytes without carries between them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Digits(ReadOnlySpan<byte> s, ref int p, ref ulong mantissa)
    {
        int start = p;
        while (p + 8 <= s.Length)
        {
            ulong t = BinaryPrimitives.ReadUInt64LittleEndian(s.Slice(p, 8)) ^ 0x3030303030303030UL;
            ulong nonDigits = ((t + 0x0606060606060606UL) | t) & 0xF0F0F0F0F0F0F0F0UL;
            if (nonDigits == 0)
            {
                mantissa = (mantissa * 100_000_000) + EightDigits(t);
                p += 8;
                continue;
            }

            int n = BitOperations.TrailingZeroCount(nonDigits) >> 3;
            if (n > 0)
            {
                // Shift the n digits to the top bytes: the bytes below become leading zeros.
                mantissa = (mantissa * s_integerPowersOfTen[n]) + EightDigits(t << (8 * (8 - n)));
                p += n;
            }

            return p - start;
        }

        while (p < s.Length)
        {
            uint digit = (uint)(s[p] - '0');
            if (digit > 9)
            {
                break;
            }

            mantissa = (mantissa * 10) + digit;
            p++;
        }

        return p - start;
    }

    /// <summary>The value of eight digits given as byte values 0–9, the first (most significant) in the lowest byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EightDigits(ulong t)
    {
        // Neighbouring bytes into two-digit values (in the even bytes), then those into four-digit values (in the
        // low half of each 32-bit half), then the two halves into one.
        ulong pairs = ((t * 10) + (t >> 8)) & 0x00FF00FF00FF00FFUL;
        ulong quads = ((pairs * 100) + (pairs >> 16)) & 0x0000FFFF0000FFFFUL;
        return ((quads & 0xFFFFFFFFUL) * 10_000) + (quads >> 32);
    }

    /// <summary>
    /// The writer's timestamp, <c>yyyy-MM-ddTHH:mm:ss.ffffff+HH:MM</c>: while the date and the offset are those of the
    /// last timestamp read, only the time of day is parsed; otherwise <see cref="PerformanceLogNumbers.TryParseTimestamp"/>
    /// reads it (and a timestamp of this shape becomes the one remembered).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool LayoutTimestamp(ReadOnlySpan<byte> t, out DateTimeOffset value)
    {
        if (t.Length == 32 && _timestampDayTicks >= 0 && t[13] == (byte)':' && t[16] == (byte)':' && t[19] == (byte)'.'
            && t.Slice(0, 11).SequenceEqual(_timestampDate) && t.Slice(26).SequenceEqual(_timestampOffsetText))
        {
            uint h1 = (uint)(t[11] - '0'), h2 = (uint)(t[12] - '0'), m1 = (uint)(t[14] - '0'), m2 = (uint)(t[15] - '0');
            uint s1 = (uint)(t[17] - '0'), s2 = (uint)(t[18] - '0');
            ulong fraction = BinaryPrimitives.ReadUInt64LittleEndian(t.Slice(20, 8)) ^ 0x3030303030303030UL;
            uint hour = (h1 * 10) + h2, minute = (m1 * 10) + m2, second = (s1 * 10) + s2;

            // The eight bytes from 20 are the six fraction digits and the first two bytes of the offset (ignored here).
            if ((((fraction + 0x0606060606060606UL) | fraction) & 0x0000F0F0F0F0F0F0UL) == 0
                && h1 <= 9 && h2 <= 9 && m1 <= 9 && m2 <= 9 && s1 <= 9 && s2 <= 9 && hour <= 23 && minute <= 59 && second <= 59)
            {
                long micros = (long)EightDigits(fraction << 16);
                long ticks = _timestampDayTicks + (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute) + (second * TimeSpan.TicksPerSecond) + (micros * 10);
                long utcTicks = ticks - _timestampOffset.Ticks;
                if (utcTicks >= DateTime.MinValue.Ticks && utcTicks <= DateTime.MaxValue.Ticks && ticks <= DateTime.MaxValue.Ticks)
                {
                    value = new DateTimeOffset(ticks, _timestampOffset);
                    return true;
                }
            }
        }

        if (!PerformanceLogNumbers.TryParseTimestamp(t, _unqualifiedIsUtc, out value))
        {
            return false;
        }

        if (t.Length == 32 && t[10] == (byte)'T' && t[19] == (byte)'.' && (t[26] == (byte)'+' || t[26] == (byte)'-') && t[29] == (byte)':')
        {
            t.Slice(0, 11).CopyTo(_timestampDate);
            t.Slice(26).CopyTo(_timestampOffsetText);
            _timestampOffset = value.Offset;
            _timestampDayTicks = value.Ticks - (value.Ticks % TimeSpan.TicksPerDay);
        }

        return true;
    }

    private readonly byte[] _timestampDate = new byte[11];
    private readonly byte[] _timestampOffsetText = new byte[6];
    private TimeSpan _timestampOffset;
    private long _timestampDayTicks = -1;

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
