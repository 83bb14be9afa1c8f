using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RagMonitor.Tests.Persistence;

/// <summary>
/// The JSONL formatter as it was before it wrote bytes directly (session 7): every value through
/// <see cref="Utf8JsonWriter"/>. Kept as the reference the current formatter must match byte for byte
/// (<see cref="FormatterEquivalenceTests"/>).
/// </summary>
internal sealed class ReferenceJsonlFormatter
{
    private const int MaxCachedNames = 4096;
    private const long UnixEpochTicks = 621_355_968_000_000_000;
    private const int IdentityCacheSize = 256;

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

    private readonly Utf8JsonWriter _writer = new(new ChunkBuffer(16), new JsonWriterOptions { Encoder = s_encoder, SkipValidation = true, Indented = false });
    private readonly Dictionary<string, JsonEncodedText> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stageKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _metadataKeys = new(StringComparer.Ordinal);
    private readonly string?[] _identityKeys = new string?[IdentityCacheSize];
    private readonly JsonEncodedText[] _identityValues = new JsonEncodedText[IdentityCacheSize];

    /// <summary>UTC timestamps, as the sink's default.</summary>
    private static DateTimeOffset ToCalendar(DateTimeOffset instant) => instant.Offset == TimeSpan.Zero ? instant : instant.ToUniversalTime();

    public void WriteLine<TView>(TView view, ChunkBuffer output)
        where TView : struct, IRecordView
    {
        var w = _writer;
        w.Reset(output);
        Span<byte> number = stackalloc byte[48];

        w.WriteStartObject();
        w.WritePropertyName(s_startTime);
        w.WriteRawValue(number.Slice(0, JsonlRecordFormatter.FormatFixed6(TicksToMicros(view.StartTime.UtcTicks - UnixEpochTicks), number)), skipInputValidation: true);
        w.WritePropertyName(s_totalTime);
        w.WriteRawValue(number.Slice(0, JsonlRecordFormatter.FormatFixed6(TicksToMicros(view.TotalTime.Ticks), number)), skipInputValidation: true);
        w.WritePropertyName(s_timestamp);
        w.WriteRawValue(number.Slice(0, JsonlRecordFormatter.FormatTimestamp(ToCalendar(view.StartTime + view.TotalTime), number)), skipInputValidation: true);

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
            w.WriteRawValue(number.Slice(0, JsonlRecordFormatter.FormatFixed6(TicksToMicros(duration.Ticks), number)), skipInputValidation: true);
            w.WriteStartObject(s_metadata);
            if (!metadata.IsEmpty)
            {
                if (checkKeys)
                {
                    _metadataKeys.Clear();
                }

                for (var j = 0; j < metadata.Length; j++)
                {
                    ref readonly var pair = ref metadata[j];
                    w.WritePropertyName(checkKeys ? UniqueName(pair.Key, _metadataKeys) : Name(pair.Key));
                    WriteValue(w, in pair);
                }
            }

            w.WriteEndObject();
            w.WriteNumber(s_calls, calls);
            w.WritePropertyName(s_share);
            w.WriteRawValue(number.Slice(0, JsonlRecordFormatter.FormatFixed6(ShareToMicros(share), number)), skipInputValidation: true);
            w.WriteString(s_status, StatusText(status));
            if (stageError is not null)
            {
                w.WriteString(s_errorType, Name(stageError));
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteString(s_request, Name(view.RequestName));
        w.WriteString(s_requestId, JsonlRecordFormatter.Clean(view.RequestId));
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
            w.WriteRawValue(number.Slice(0, JsonlRecordFormatter.FormatFixed6(ShareToMicros(bottleneckShare), number)), skipInputValidation: true);
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

    private static void WriteValue(Utf8JsonWriter w, in KeyValuePair<string, MetadataValue> pair)
    {
        var value = pair.Value;
        switch (value.Kind)
        {
            case MetadataValueKind.String:
                w.WriteStringValue(JsonlRecordFormatter.Clean(value.StringValue!));
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
        var key = JsonlRecordFormatter.Clean(name);
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

        encoded = Encode(JsonlRecordFormatter.Clean(name));
        _names[name] = encoded;
        return encoded;
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

    private static JsonEncodedText Encode(string text) => JsonEncodedText.Encode(text, s_encoder);
}
