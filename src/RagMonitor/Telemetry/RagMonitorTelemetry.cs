using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace RagMonitor;

/// <summary>
/// The names under which RagMonitor publishes OpenTelemetry data through the BCL's
/// <see cref="ActivitySource"/> and <see cref="Meter"/> (no OpenTelemetry SDK dependency). Subscribe with
/// <c>AddSource(RagMonitorTelemetry.ActivitySourceName)</c> and <c>AddMeter(RagMonitorTelemetry.MeterName)</c>.
/// </summary>
/// <remarks>
/// Traces: one span per request (named after the request) and one child span per stage call (named after
/// the stage), started when the request or stage begins, so spans created inside a stage nest under it.
/// Metrics: the histograms <see cref="RequestDurationInstrument"/> and <see cref="StageDurationInstrument"/>
/// (seconds, tags <c>request</c>, <c>stage</c>, <c>status</c>) and the counters listed on this class.
/// When nothing listens, nothing is allocated.
/// </remarks>
public static class RagMonitorTelemetry
{
    private static readonly double[] s_durationBucketBoundaries = { 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60 };

    /// <summary>
    /// The bucket boundaries, in seconds (5 ms to 60 s), of RagMonitor's duration histograms. The instruments advise them,
    /// <c>AddRagMonitorInstrumentation</c> (RagMonitor.OpenTelemetry) configures them, and <c>ragmon export</c> uses them by
    /// default, so live and offline Prometheus histograms have the same buckets.
    /// </summary>
    public static IReadOnlyList<double> DurationBucketBoundaries { get; } = Array.AsReadOnly(s_durationBucketBoundaries);

    /// <summary>The name of RagMonitor's <see cref="ActivitySource"/>: <c>"RagMonitor"</c>.</summary>
    public const string ActivitySourceName = "RagMonitor";

    /// <summary>The name of RagMonitor's <see cref="Meter"/>: <c>"RagMonitor"</c>.</summary>
    public const string MeterName = "RagMonitor";

    /// <summary>Histogram of request durations in seconds (tags <c>request</c>, <c>status</c>).</summary>
    public const string RequestDurationInstrument = "ragmonitor.request.duration";

    /// <summary>Histogram of stage durations in seconds, one point per stage of a finished request (tags <c>request</c>, <c>stage</c>, <c>status</c>).</summary>
    public const string StageDurationInstrument = "ragmonitor.stage.duration";

    /// <summary>Counter of stages flagged as bottlenecks (tags <c>request</c>, <c>stage</c>, <c>rule</c>).</summary>
    public const string BottlenecksInstrument = "ragmonitor.bottlenecks";

    /// <summary>Counter of requests that ended with a failure or cancellation (tags <c>request</c>, <c>status</c>, <c>error.type</c>).</summary>
    public const string RequestFailuresInstrument = "ragmonitor.request.failures";

    /// <summary>Counter of stages that ended with a failure or cancellation (tags <c>request</c>, <c>stage</c>, <c>status</c>, <c>error.type</c>).</summary>
    public const string StageFailuresInstrument = "ragmonitor.stage.failures";

    /// <summary>Observable counter of JSONL records dropped because a sink's queue was full, summed over the monitors of the process.</summary>
    public const string LogRecordsDroppedInstrument = "ragmonitor.log.records.dropped";

    /// <summary>Observable up-down counter of requests started and not yet ended, summed over the monitors of the process.</summary>
    public const string RequestsInFlightInstrument = "ragmonitor.requests.in_flight";

    private static readonly string? s_version = typeof(RagMonitorTelemetry).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    /// <summary>The activity source every monitor uses.</summary>
    internal static readonly ActivitySource Source = new(ActivitySourceName, s_version);

    /// <summary>The meter every monitor records into.</summary>
    internal static readonly Meter Meter = new(MeterName, s_version);
}
