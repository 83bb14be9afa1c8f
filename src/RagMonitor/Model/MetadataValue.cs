using System;
using System.Globalization;
using System.Threading;

namespace RagMonitor;

/// <summary>The kind of value held by a <see cref="MetadataValue"/>.</summary>
public enum MetadataValueKind
{
    /// <summary>A JSON <c>null</c>.</summary>
    Null = 0,

    /// <summary>A string.</summary>
    String = 1,

    /// <summary>A 64-bit integer.</summary>
    Integer = 2,

    /// <summary>A double-precision number.</summary>
    Number = 3,

    /// <summary>A boolean.</summary>
    Boolean = 4,
}

/// <summary>
/// One stage metadata value: a string, integer, number or boolean, held without boxing.
/// Implicit conversions let callers write <c>stage.AddMetadata("top_k", 5)</c>.
/// </summary>
public readonly struct MetadataValue : IEquatable<MetadataValue>
{
    private readonly long _integer;
    private readonly double _number;

    private MetadataValue(MetadataValueKind kind, string? text, long integer, double number)
    {
        Kind = kind;
        StringValue = text;
        _integer = integer;
        _number = number;
    }

    /// <summary>The kind of value.</summary>
    public MetadataValueKind Kind { get; }

    /// <summary>The string value when <see cref="Kind"/> is <see cref="MetadataValueKind.String"/>.</summary>
    public string? StringValue { get; }

    /// <summary>The integer value when <see cref="Kind"/> is <see cref="MetadataValueKind.Integer"/>.</summary>
    public long IntegerValue => _integer;

    /// <summary>The number value when <see cref="Kind"/> is <see cref="MetadataValueKind.Number"/>.</summary>
    public double NumberValue => _number;

    /// <summary>The boolean value when <see cref="Kind"/> is <see cref="MetadataValueKind.Boolean"/>.</summary>
    public bool BooleanValue => _integer != 0;

    /// <summary>The null value.</summary>
    public static MetadataValue Null => default;

    /// <summary>Creates a string value (<see langword="null"/> gives <see cref="Null"/>).</summary>
    public static MetadataValue FromString(string? value) => value is null ? default : new(MetadataValueKind.String, value, 0, 0);

    /// <summary>Creates an integer value.</summary>
    public static MetadataValue FromInteger(long value) => new(MetadataValueKind.Integer, null, value, 0);

    /// <summary>Creates a number value.</summary>
    public static MetadataValue FromNumber(double value) => new(MetadataValueKind.Number, null, 0, value);

    /// <summary>Creates a boolean value.</summary>
    public static MetadataValue FromBoolean(bool value) => new(MetadataValueKind.Boolean, null, value ? 1 : 0, 0);

    /// <summary>
    /// Converts any object: strings, integers, floating-point numbers, decimals and booleans keep their
    /// kind; <see langword="null"/> is <see cref="Null"/>; an unsigned integer above <see cref="long.MaxValue"/>
    /// is recorded as its exact decimal text (a double would round it); anything else is recorded as its
    /// invariant text. Never throws: when the value's <c>ToString</c> throws, the value is the placeholder
    /// <c>"&lt;error: ExceptionType&gt;"</c> and the failure is counted
    /// (<see cref="MonitorCounters.MetadataConversionFailures"/>).
    /// </summary>
    public static MetadataValue FromObject(object? value) => value switch
    {
        null => default,
        MetadataValue m => m,
        string s => FromString(s),
        bool b => FromBoolean(b),
        int i => FromInteger(i),
        long l => FromInteger(l),
        short s16 => FromInteger(s16),
        byte u8 => FromInteger(u8),
        sbyte s8 => FromInteger(s8),
        ushort u16 => FromInteger(u16),
        uint u32 => FromInteger(u32),
        ulong u64 => FromUnsigned(u64),
        float f => FromNumber(f),
        double d => FromNumber(d),
        decimal m => FromNumber((double)m),
        _ => FromString(ToText(value)),
    };

    /// <summary>
    /// Creates an integer value, or for a value above <see cref="long.MaxValue"/> its exact decimal text
    /// (a double would round it).
    /// </summary>
    public static MetadataValue FromUnsigned(ulong value) => value <= long.MaxValue
        ? FromInteger((long)value)
        : FromString(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// The invariant text of any value (<see cref="IFormattable"/> with the invariant culture, else
    /// <c>ToString()</c>), or <see langword="null"/> for <see langword="null"/>. Never throws: when the
    /// value's conversion throws, returns <c>"&lt;error: ExceptionType&gt;"</c> and counts the failure
    /// (<see cref="MonitorCounters.MetadataConversionFailures"/>). Generated wrappers use it for request ids
    /// and metadata of user types.
    /// </summary>
    /// <typeparam name="T">The value's type (a generic parameter, so value types are not boxed).</typeparam>
    /// <param name="value">The value to convert.</param>
    public static string? ToText<T>(T value)
    {
        if (value is null)
        {
            return null;
        }

        try
        {
            return value is IFormattable formattable
                ? formattable.ToString(null, CultureInfo.InvariantCulture)
                : value.ToString();
        }
        catch (Exception exception)
        {
            return ConversionFailed(exception);
        }
    }

    /// <summary>Process-wide count of metadata and request-id conversions that threw (see <see cref="ToText{T}(T)"/>).</summary>
    internal static long ConversionFailureCount => Interlocked.Read(ref s_conversionFailures);

    private static long s_conversionFailures;

    private static string ConversionFailed(Exception exception)
    {
        Interlocked.Increment(ref s_conversionFailures);
        return "<error: " + exception.GetType().Name + ">";
    }

    /// <summary>Converts a string.</summary>
    public static implicit operator MetadataValue(string? value) => FromString(value);

    /// <summary>Converts an integer.</summary>
    public static implicit operator MetadataValue(int value) => FromInteger(value);

    /// <summary>Converts an integer.</summary>
    public static implicit operator MetadataValue(long value) => FromInteger(value);

    /// <summary>Converts a number.</summary>
    public static implicit operator MetadataValue(double value) => FromNumber(value);

    /// <summary>Converts a boolean.</summary>
    public static implicit operator MetadataValue(bool value) => FromBoolean(value);

    /// <summary>The value as a plain object (<see cref="string"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/> or <see langword="null"/>).</summary>
    public object? ToObject() => Kind switch
    {
        MetadataValueKind.String => StringValue,
        MetadataValueKind.Integer => _integer,
        MetadataValueKind.Number => _number,
        MetadataValueKind.Boolean => BooleanValue,
        _ => null,
    };

    /// <inheritdoc />
    public bool Equals(MetadataValue other) => Kind == other.Kind && _integer == other._integer
        && _number.Equals(other._number) && string.Equals(StringValue, other.StringValue, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MetadataValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, _integer, _number, StringValue);

    /// <summary>Invariant text of the value (<c>"null"</c> for <see cref="Null"/>).</summary>
    public override string ToString() => Kind switch
    {
        MetadataValueKind.String => StringValue!,
        MetadataValueKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        MetadataValueKind.Number => _number.ToString("R", CultureInfo.InvariantCulture),
        MetadataValueKind.Boolean => BooleanValue ? "true" : "false",
        _ => "null",
    };

    /// <summary>Equality.</summary>
    public static bool operator ==(MetadataValue left, MetadataValue right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(MetadataValue left, MetadataValue right) => !left.Equals(right);
}
