using System;
using System.Buffers.Text;
using System.Globalization;

namespace RagMonitor;

/// <summary>Fast parsing of the numbers and timestamps of log lines, with exact fallbacks.</summary>
internal static class PerformanceLogNumbers
{
    /// <summary>The powers of ten that are exact doubles, 10^0 to 10^22 (constant data: no static initialisation to check on the per-line paths).</summary>
    internal static ReadOnlySpan<double> PowersOfTen =>
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    private const long MaxExactMantissa = 1L << 53;

    internal static DateTimeOffset FromUnixSeconds(double seconds)
    {
        double ticks = seconds * TimeSpan.TicksPerSecond;
        long unixEpochTicks = DateTimeOffset.UnixEpoch.Ticks;
        if (double.IsNaN(ticks) || ticks < -unixEpochTicks || ticks > DateTimeOffset.MaxValue.Ticks - unixEpochTicks)
        {
            return DateTimeOffset.UnixEpoch;
        }

        return new DateTimeOffset(unixEpochTicks + (long)ticks, TimeSpan.Zero);
    }

    internal static TimeSpan ToTimeSpan(double seconds)
    {
        double ticks = Math.Round(seconds * TimeSpan.TicksPerSecond);
        if (double.IsNaN(ticks))
        {
            return TimeSpan.Zero;
        }

        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : ticks <= TimeSpan.MinValue.Ticks ? TimeSpan.MinValue : new TimeSpan((long)ticks);
    }

    /// <summary>
    /// Parses a JSON number. Plain decimals with at most 15–16 significant digits and no exponent (what RagMonitor and
    /// Python write for durations) are computed exactly as mantissa / 10^k, which IEEE division rounds correctly;
    /// everything else goes to <see cref="Utf8Parser"/>.
    /// </summary>
    internal static bool TryParseDouble(ReadOnlySpan<byte> text, out double value)
    {
        int i = 0;
        bool negative = false;
        if (text.Length > 0 && text[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }

        long mantissa = 0;
        int fractionDigits = 0;
        bool seenDot = false;
        bool anyDigit = false;
        for (; i < text.Length; i++)
        {
            uint d = (uint)(text[i] - '0');
            if (d <= 9)
            {
                if (mantissa >= MaxExactMantissa / 10)
                {
                    return Slow(text, out value);
                }

                mantissa = (mantissa * 10) + d;
                anyDigit = true;
                if (seenDot)
                {
                    fractionDigits++;
                }
            }
            else if (text[i] == (byte)'.' && !seenDot)
            {
                seenDot = true;
            }
            else
            {
                return Slow(text, out value);
            }
        }

        if (!anyDigit || fractionDigits >= PowersOfTen.Length)
        {
            return Slow(text, out value);
        }

        double result = mantissa / PowersOfTen[fractionDigits];
        value = negative ? -result : result;
        return true;
    }

    private static bool Slow(ReadOnlySpan<byte> text, out double value)
        => Utf8Parser.TryParse(text, out value, out int consumed) && consumed == text.Length && double.IsFinite(value);

    /// <summary>
    /// Parses an ISO 8601 timestamp <c>yyyy-MM-ddTHH:mm:ss[.fffffff…][Z|±HH:MM|±HHMM]</c> (a space instead of
    /// <c>T</c> is accepted). A timestamp without an offset is read as UTC or as local time.
    /// </summary>
    internal static bool TryParseTimestamp(ReadOnlySpan<byte> s, bool unqualifiedIsUtc, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 19 || s[4] != (byte)'-' || s[7] != (byte)'-' || (s[10] != (byte)'T' && s[10] != (byte)' ' && s[10] != (byte)'t')
            || s[13] != (byte)':' || s[16] != (byte)':')
        {
            return Fallback(s, unqualifiedIsUtc, out value);
        }

        if (!Digits(s, 0, 4, out int year) || !Digits(s, 5, 2, out int month) || !Digits(s, 8, 2, out int day)
            || !Digits(s, 11, 2, out int hour) || !Digits(s, 14, 2, out int minute) || !Digits(s, 17, 2, out int second))
        {
            return false;
        }

        if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        int i = 19;
        long fractionTicks = 0;
        if (i < s.Length && s[i] == (byte)'.')
        {
            i++;
            int start = i;
            long scale = TimeSpan.TicksPerSecond / 10;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                fractionTicks += (s[i] - '0') * scale;
                scale /= 10;
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        long ticks = (DaysFromCivil(year, month, day) * TimeSpan.TicksPerDay) + (hour * TimeSpan.TicksPerHour)
            + (minute * TimeSpan.TicksPerMinute) + (second * TimeSpan.TicksPerSecond) + fractionTicks;
        if (i == s.Length)
        {
            if (unqualifiedIsUtc)
            {
                value = new DateTimeOffset(ticks, TimeSpan.Zero);
                return true;
            }

            var local = new DateTime(ticks, DateTimeKind.Unspecified);
            value = new DateTimeOffset(local, TimeZoneInfo.Local.GetUtcOffset(local));
            return true;
        }

        TimeSpan offset;
        if ((s[i] == (byte)'Z' || s[i] == (byte)'z') && i + 1 == s.Length)
        {
            offset = TimeSpan.Zero;
        }
        else if (s[i] == (byte)'+' || s[i] == (byte)'-')
        {
            int rest = s.Length - i - 1;
            int offHour, offMinute;
            if (rest == 5 && s[i + 3] == (byte)':' && Digits(s, i + 1, 2, out offHour) && Digits(s, i + 4, 2, out offMinute))
            {
            }
            else if (rest == 4 && Digits(s, i + 1, 2, out offHour) && Digits(s, i + 3, 2, out offMinute))
            {
            }
            else if (rest == 2 && Digits(s, i + 1, 2, out offHour))
            {
                offMinute = 0;
            }
            else
            {
                return false;
            }

            // DateTimeOffset allows at most ±14:00.
            if (offHour > 14 || offMinute > 59 || (offHour == 14 && offMinute > 0))
            {
                return false;
            }

            offset = new TimeSpan(offHour, offMinute, 0);
            if (s[i] == (byte)'-')
            {
                offset = -offset;
            }
        }
        else
        {
            return false;
        }

        long utcTicks = ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTimeOffset(ticks, offset);
        return true;
    }

    /// <summary>Days from 0001-01-01 to the given proleptic Gregorian date (the day count of <see cref="DateTime.Ticks"/>).</summary>
    private static long DaysFromCivil(int year, int month, int day)
    {
        int y = year - 1;
        int dayOfYear = day - 1 + (month > 2 && DateTime.IsLeapYear(year) ? 1 : 0) + s_daysBeforeMonth[month - 1];
        return (365L * y) + (y / 4) - (y / 100) + (y / 400) + dayOfYear;
    }

    private static readonly int[] s_daysBeforeMonth = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };

    private static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        for (int i = start; i < start + count; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d > 9)
            {
                return false;
            }

            value = (value * 10) + (int)d;
        }

        return true;
    }

    private static bool Fallback(ReadOnlySpan<byte> s, bool unqualifiedIsUtc, out DateTimeOffset value)
    {
        value = default;
        if (s.Length > 64)
        {
            return false;
        }

        Span<char> chars = stackalloc char[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] > 127)
            {
                return false;
            }

            chars[i] = (char)s[i];
        }

        DateTimeStyles styles = (unqualifiedIsUtc ? DateTimeStyles.AssumeUniversal : DateTimeStyles.AssumeLocal) | DateTimeStyles.AllowWhiteSpaces;
        return DateTimeOffset.TryParse(chars, CultureInfo.InvariantCulture, styles, out value);
    }
}
