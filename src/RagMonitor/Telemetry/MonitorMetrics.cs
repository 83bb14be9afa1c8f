using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RagMonitor;

/// <summary>
/// RagMonitor's instruments on <see cref="RagMonitorTelemetry.Meter"/>. Recorded from each finished
/// <see cref="RequestSummary"/> (never on a stage's hot path); the observable instruments sum the monitors
/// alive in the process.
/// </summary>
internal static class MonitorMetrics
{
    private static readonly Histogram<double> s_requestDuration = CreateDurationHistogram(
        RagMonitorTelemetry.RequestDurationInstrument, "Duration of monitored requests.");

    private static readonly Histogram<double> s_stageDuration = CreateDurationHistogram(
        RagMonitorTelemetry.StageDurationInstrument, "Duration of a stage within a monitored request (all calls of the stage in the request summed).");

    private static readonly Counter<long> s_bottlenecks = RagMonitorTelemetry.Meter.CreateCounter<long>(
        RagMonitorTelemetry.BottlenecksInstrument, "{bottleneck}", "Stages flagged as bottlenecks.");

    private static readonly Counter<long> s_requestFailures = RagMonitorTelemetry.Meter.CreateCounter<long>(
        RagMonitorTelemetry.RequestFailuresInstrument, "{request}", "Requests that ended with a failure or a cancellation.");

    private static readonly Counter<long> s_stageFailures = RagMonitorTelemetry.Meter.CreateCounter<long>(
        RagMonitorTelemetry.StageFailuresInstrument, "{stage}", "Stages that ended with a failure or a cancellation.");

    private static readonly object s_gate = new();
    private static readonly List<WeakReference<PerformanceMonitor>> s_monitors = new();
    private static long s_retiredDropped;
    private static int s_pruneAt = 64;

    static MonitorMetrics()
    {
        RagMonitorTelemetry.Meter.CreateObservableCounter(
            RagMonitorTelemetry.LogRecordsDroppedInstrument, ObserveDropped, "{record}", "JSONL records dropped because the sink's queue was full.");
        RagMonitorTelemetry.Meter.CreateObservableUpDownCounter(
            RagMonitorTelemetry.RequestsInFlightInstrument, ObserveInFlight, "{request}", "Requests started and not yet ended.");
    }

    /// <summary>Adds a monitor to those the observable instruments read.</summary>
    internal static void Register(PerformanceMonitor monitor)
    {
        lock (s_gate)
        {
            if (s_monitors.Count >= s_pruneAt)
            {
                s_monitors.RemoveAll(static w => !w.TryGetTarget(out _));
                s_pruneAt = Math.Max(64, s_monitors.Count * 2);
            }

            s_monitors.Add(new WeakReference<PerformanceMonitor>(monitor));
        }
    }

    /// <summary>Removes a disposed monitor, keeping its final dropped count so that the counter never goes down.</summary>
    internal static void Unregister(PerformanceMonitor monitor)
    {
        lock (s_gate)
        {
            var index = s_monitors.FindIndex(w => w.TryGetTarget(out var m) && ReferenceEquals(m, monitor));
            if (index >= 0)
            {
                s_monitors.RemoveAt(index);
                s_retiredDropped += monitor.LogRecordsDropped;
            }
        }
    }

    /// <summary>Records the duration, failure and bottleneck instruments for one finished request. Does nothing when nothing listens.</summary>
    /// <summary>Whether a <see cref="System.Diagnostics.Metrics.MeterListener"/> listens to any per-request instrument.</summary>
    internal static bool IsListened
        => s_requestDuration.Enabled || s_stageDuration.Enabled || s_bottlenecks.Enabled || s_requestFailures.Enabled || s_stageFailures.Enabled;

    internal static void Record(RequestSummary summary, PerformanceMonitor monitor)
    {
        if (!IsListened)
        {
            return;
        }

        try
        {
            RecordCore(summary);
        }
        catch (Exception ex)
        {
            // A MeterListener's callback threw: contained, the request's other consumers still run.
            monitor.CountInternalError(ex);
        }
    }

    private static void RecordCore(RequestSummary summary)
    {

        var request = new KeyValuePair<string, object?>("request", summary.RequestName);
        var requestStatus = new KeyValuePair<string, object?>("status", summary.Status.ToLogText());
        s_requestDuration.Record(summary.TotalTime.TotalSeconds, request, requestStatus);
        if (summary.Status != OperationStatus.Success)
        {
            s_requestFailures.Add(1, request, requestStatus, new KeyValuePair<string, object?>("error.type", summary.ErrorType ?? "unknown"));
        }

        foreach (var stage in summary.Stages)
        {
            var stageName = new KeyValuePair<string, object?>("stage", stage.Name);
            var stageStatus = new KeyValuePair<string, object?>("status", stage.Status.ToLogText());
            s_stageDuration.Record(stage.Duration.TotalSeconds, request, stageName, stageStatus);
            if (stage.Status != OperationStatus.Success)
            {
                var tags = new TagList { request, stageName, stageStatus, { "error.type", stage.ErrorType ?? "unknown" } };
                s_stageFailures.Add(1, in tags);
            }
        }

        foreach (var bottleneck in summary.Bottlenecks)
        {
            s_bottlenecks.Add(1, request, new KeyValuePair<string, object?>("stage", bottleneck.Stage), new KeyValuePair<string, object?>("rule", RuleText(bottleneck.Rule)));
        }
    }

    internal static string RuleText(BottleneckRule rule) => rule switch
    {
        BottleneckRule.AbsoluteThreshold => "absolute_threshold",
        BottleneckRule.Adaptive => "adaptive",
        _ => "share",
    };

    private static Histogram<double> CreateDurationHistogram(string name, string description)
    {
#if NET9_0_OR_GREATER
        return RagMonitorTelemetry.Meter.CreateHistogram<double>(name, "s", description, tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RagMonitorTelemetry.DurationBucketBoundaries });
#else
        return RagMonitorTelemetry.Meter.CreateHistogram<double>(name, "s", description);
#endif
    }

    private static long ObserveDropped() => Sum(static m => m.LogRecordsDropped, includeRetired: true);

    private static long ObserveInFlight() => Sum(static m => m.RequestsInFlight, includeRetired: false);

    private static long Sum(Func<PerformanceMonitor, long> read, bool includeRetired)
    {
        lock (s_gate)
        {
            var total = includeRetired ? s_retiredDropped : 0;
            foreach (var weak in s_monitors)
            {
                if (weak.TryGetTarget(out var monitor))
                {
                    total += read(monitor);
                }
            }

            return total;
        }
    }
}
