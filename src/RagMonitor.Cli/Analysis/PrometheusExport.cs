using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace RagMonitor.Cli.Analysis;

/// <summary>
/// Aggregates records into Prometheus histograms and counters and writes them in the text exposition format
/// (version 0.0.4). Labels are request, stage and status (and rule / error type for counters); request ids are never
/// labels. Label values are escaped (backslash, double quote, line feed).
/// </summary>
internal sealed class PrometheusExport
{
    /// <summary>Default buckets in seconds: the monitor's own (<see cref="RagMonitorTelemetry.DurationBucketBoundaries"/>), so that an export and the live histograms line up.</summary>
    internal static readonly double[] DefaultBuckets = RagMonitorTelemetry.DurationBucketBoundaries.ToArray();

    private readonly double[] _bounds;
    private readonly Dictionary<(string Request, string Status), Histogram> _requests = new();
    private readonly Dictionary<(string Request, string Stage, string Status), Histogram> _stages = new();
    private readonly Dictionary<(string Request, string Stage, string Rule), long> _bottlenecks = new();
    private readonly Dictionary<(string Request, string Status, string ErrorType), long> _requestFailures = new();
    private readonly Dictionary<(string Request, string Stage, string Status, string ErrorType), long> _stageFailures = new();
    private readonly Dictionary<(string Request, string Stage), long> _inputTokens = new();
    private readonly Dictionary<(string Request, string Stage), long> _outputTokens = new();
    private DateTimeOffset? _lastTimestamp;

    internal PrometheusExport(IReadOnlyList<double> bounds)
    {
        if (bounds.Count == 0)
        {
            throw new CliException("at least one histogram bucket is needed");
        }

        var sorted = new List<double>(bounds);
        sorted.Sort();
        for (int i = 0; i < sorted.Count; i++)
        {
            if (!double.IsFinite(sorted[i]) || sorted[i] <= 0 || (i > 0 && sorted[i] == sorted[i - 1]))
            {
                throw new CliException("histogram buckets must be distinct positive numbers of seconds");
            }
        }

        _bounds = sorted.ToArray();
    }

    internal long SkippedLines { get; set; }

    internal long Records { get; private set; }

    internal void Add(PerformanceLogEntry entry)
    {
        Records++;
        if (_lastTimestamp is not DateTimeOffset last || entry.Timestamp > last)
        {
            _lastTimestamp = entry.Timestamp;
        }

        string request = entry.RequestName ?? LogAnalysis.UnnamedRequest;
        string status = entry.EffectiveStatus.ToLogText();
        Observe(_requests, (request, status), entry.TotalTimeSeconds);
        if (entry.EffectiveStatus != OperationStatus.Success)
        {
            Increment(_requestFailures, (request, status, entry.ErrorType ?? string.Empty));
        }

        int stageIndex = 0;
        foreach (ref readonly LogStageEntry stage in entry.Stages)
        {
            string stageStatus = stage.EffectiveStatus.ToLogText();
            Observe(_stages, (request, stage.Name, stageStatus), stage.DurationSeconds);
            if (stage.EffectiveStatus != OperationStatus.Success)
            {
                Increment(_stageFailures, (request, stage.Name, stageStatus, stage.ErrorType ?? string.Empty));
            }

            if (stage.HasMetadata)
            {
                AddTokens(_inputTokens, entry, stageIndex, "input_tokens"u8, (request, stage.Name));
                AddTokens(_outputTokens, entry, stageIndex, "output_tokens"u8, (request, stage.Name));
            }

            stageIndex++;
        }

        foreach (ref readonly LogBottleneckEntry bottleneck in entry.Bottlenecks)
        {
            Increment(_bottlenecks, (request, bottleneck.Stage, bottleneck.Rule ?? "share"));
        }
    }

    /// <summary>Adds another export (of a later chunk of the logs, same buckets) to this one.</summary>
    internal void Merge(PrometheusExport other)
    {
        Records += other.Records;
        if (other._lastTimestamp is DateTimeOffset last && (_lastTimestamp is not DateTimeOffset mine || last > mine))
        {
            _lastTimestamp = last;
        }

        MergeHistograms(_requests, other._requests);
        MergeHistograms(_stages, other._stages);
        MergeCounters(_bottlenecks, other._bottlenecks);
        MergeCounters(_requestFailures, other._requestFailures);
        MergeCounters(_stageFailures, other._stageFailures);
        MergeCounters(_inputTokens, other._inputTokens);
        MergeCounters(_outputTokens, other._outputTokens);
    }

    /// <summary>Adds a stage's token count (metadata written by RagMonitor.AI or by the user) to its counter.</summary>
    private static void AddTokens(Dictionary<(string Request, string Stage), long> counters, PerformanceLogEntry entry, int stageIndex, ReadOnlySpan<byte> key, (string Request, string Stage) series)
    {
        if (entry.TryGetStageMetadataNumber(stageIndex, key, out double tokens) && tokens >= 0 && tokens <= long.MaxValue)
        {
            counters[series] = (counters.TryGetValue(series, out long sum) ? sum : 0) + (long)tokens;
        }
    }

    private void MergeHistograms<TKey>(Dictionary<TKey, Histogram> target, Dictionary<TKey, Histogram> source)
        where TKey : notnull
    {
        foreach (KeyValuePair<TKey, Histogram> pair in source)
        {
            if (!target.TryGetValue(pair.Key, out Histogram? histogram))
            {
                histogram = new Histogram(_bounds.Length);
                target.Add(pair.Key, histogram);
            }

            for (int i = 0; i < histogram.Counts.Length; i++)
            {
                histogram.Counts[i] += pair.Value.Counts[i];
            }

            histogram.Sum += pair.Value.Sum;
            histogram.Count += pair.Value.Count;
        }
    }

    private static void MergeCounters<TKey>(Dictionary<TKey, long> target, Dictionary<TKey, long> source)
        where TKey : notnull
    {
        foreach (KeyValuePair<TKey, long> pair in source)
        {
            target[pair.Key] = target.TryGetValue(pair.Key, out long count) ? count + pair.Value : pair.Value;
        }
    }

    internal IReadOnlyList<double> Bounds => _bounds;

    internal void Write(TextWriter writer)
    {
        WriteHistogram(writer, "ragmonitor_request_duration_seconds", "Total time of monitored requests read from RagMonitor logs, in seconds.",
            _requests, static k => new[] { ("request", k.Request), ("status", k.Status) });
        WriteHistogram(writer, "ragmonitor_stage_duration_seconds", "Time spent in each stage of monitored requests read from RagMonitor logs, in seconds (summed over the calls of the stage in one request).",
            _stages, static k => new[] { ("request", k.Request), ("stage", k.Stage), ("status", k.Status) });
        WriteCounter(writer, "ragmonitor_bottlenecks_total", "Requests in which the stage was flagged as a bottleneck.",
            _bottlenecks, static k => new[] { ("request", k.Request), ("stage", k.Stage), ("rule", k.Rule) });
        WriteCounter(writer, "ragmonitor_request_failures_total", "Requests that ended with a failure or were cancelled, by exception type.",
            _requestFailures, static k => new[] { ("request", k.Request), ("status", k.Status), ("error_type", k.ErrorType) });
        WriteCounter(writer, "ragmonitor_stage_failures_total", "Stages that ended with a failure or were cancelled, by exception type.",
            _stageFailures, static k => new[] { ("request", k.Request), ("stage", k.Stage), ("status", k.Status), ("error_type", k.ErrorType) });

        if (_inputTokens.Count > 0 || _outputTokens.Count > 0)
        {
            // Model-call stages only (their logs carry token counts): no empty families otherwise.
            WriteCounter(writer, "ragmonitor_stage_input_tokens_total", "Input (prompt) tokens reported by model calls, summed per stage.",
                _inputTokens, static k => new[] { ("request", k.Request), ("stage", k.Stage) });
            WriteCounter(writer, "ragmonitor_stage_output_tokens_total", "Output (completion) tokens reported by model calls, summed per stage.",
                _outputTokens, static k => new[] { ("request", k.Request), ("stage", k.Stage) });
        }

        writer.Write("# HELP ragmonitor_log_lines_skipped_total Log lines that could not be read (torn or invalid JSON) during this export.\n");
        writer.Write("# TYPE ragmonitor_log_lines_skipped_total counter\n");
        writer.Write("ragmonitor_log_lines_skipped_total ");
        writer.Write(SkippedLines.ToString(CultureInfo.InvariantCulture));
        writer.Write('\n');
        if (_lastTimestamp is DateTimeOffset lastTimestamp)
        {
            writer.Write("# HELP ragmonitor_log_last_timestamp_seconds Timestamp of the newest exported record, in seconds since the Unix epoch.\n");
            writer.Write("# TYPE ragmonitor_log_last_timestamp_seconds gauge\n");
            writer.Write("ragmonitor_log_last_timestamp_seconds ");
            writer.Write(Format(lastTimestamp.ToUnixTimeMilliseconds() / 1000.0));
            writer.Write('\n');
        }
    }

    /// <summary>Escapes a label value: backslash, double quote and line feed.</summary>
    internal static string EscapeLabelValue(string value)
    {
        if (value.AsSpan().IndexOfAny('\\', '"', '\n') < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString();
    }

    internal static string Format(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    private void Observe<TKey>(Dictionary<TKey, Histogram> series, TKey key, double value)
        where TKey : notnull
    {
        if (!series.TryGetValue(key, out Histogram? histogram))
        {
            histogram = new Histogram(_bounds.Length);
            series.Add(key, histogram);
        }

        int index = Array.BinarySearch(_bounds, value);
        if (index < 0)
        {
            index = ~index;
        }

        histogram.Counts[index]++;
        histogram.Sum += value;
        histogram.Count++;
    }

    private static void Increment<TKey>(Dictionary<TKey, long> counters, TKey key)
        where TKey : notnull
        => counters[key] = counters.TryGetValue(key, out long count) ? count + 1 : 1;

    private void WriteHistogram<TKey>(TextWriter writer, string name, string help, Dictionary<TKey, Histogram> series, Func<TKey, (string Name, string Value)[]> labels)
        where TKey : notnull
    {
        writer.Write($"# HELP {name} {help}\n# TYPE {name} histogram\n");
        foreach ((string labelText, Histogram histogram) in Sorted(series, labels))
        {
            long cumulative = 0;
            for (int i = 0; i <= _bounds.Length; i++)
            {
                cumulative += histogram.Counts[i];
                string le = i < _bounds.Length ? Format(_bounds[i]) : "+Inf";
                writer.Write($"{name}_bucket{{{labelText},le=\"{le}\"}} {cumulative.ToString(CultureInfo.InvariantCulture)}\n");
            }

            writer.Write($"{name}_sum{{{labelText}}} {Format(Math.Round(histogram.Sum, 9))}\n");
            writer.Write($"{name}_count{{{labelText}}} {histogram.Count.ToString(CultureInfo.InvariantCulture)}\n");
        }
    }

    private static void WriteCounter<TKey>(TextWriter writer, string name, string help, Dictionary<TKey, long> counters, Func<TKey, (string Name, string Value)[]> labels)
        where TKey : notnull
    {
        writer.Write($"# HELP {name} {help}\n# TYPE {name} counter\n");
        foreach ((string labelText, long value) in Sorted(counters, labels))
        {
            writer.Write($"{name}{{{labelText}}} {value.ToString(CultureInfo.InvariantCulture)}\n");
        }
    }

    private static List<(string Labels, TValue Value)> Sorted<TKey, TValue>(Dictionary<TKey, TValue> series, Func<TKey, (string Name, string Value)[]> labels)
        where TKey : notnull
    {
        var list = new List<(string Labels, TValue Value)>(series.Count);
        foreach (KeyValuePair<TKey, TValue> pair in series)
        {
            var text = new StringBuilder();
            foreach ((string labelName, string labelValue) in labels(pair.Key))
            {
                if (text.Length > 0)
                {
                    text.Append(',');
                }

                text.Append(labelName).Append("=\"").Append(EscapeLabelValue(labelValue)).Append('"');
            }

            list.Add((text.ToString(), pair.Value));
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Labels, b.Labels));
        return list;
    }

    private sealed class Histogram
    {
        internal Histogram(int bounds) => Counts = new long[bounds + 1];

        internal long[] Counts { get; }

        internal double Sum { get; set; }

        internal long Count { get; set; }
    }
}
