using System;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace RagMonitor.OpenTelemetry;

/// <summary>Subscribes OpenTelemetry providers to RagMonitor's <c>ActivitySource</c> and <c>Meter</c> (both named <c>"RagMonitor"</c>).</summary>
public static class RagMonitorProviderBuilderExtensions
{
    /// <summary>Adds RagMonitor's request and stage spans (the <c>"RagMonitor"</c> activity source).</summary>
    public static TracerProviderBuilder AddRagMonitorInstrumentation(this TracerProviderBuilder builder)
    {
        if (builder is null)
        {
            throw new ArgumentNullException(nameof(builder));
        }

        return builder.AddSource(RagMonitorTelemetry.ActivitySourceName);
    }

    /// <summary>
    /// Adds RagMonitor's instruments (the <c>"RagMonitor"</c> meter) and, for the two duration histograms,
    /// second-based buckets from 5 ms to 60 s (needed on .NET 8, where the runtime cannot advise buckets).
    /// </summary>
    public static MeterProviderBuilder AddRagMonitorInstrumentation(this MeterProviderBuilder builder)
    {
        if (builder is null)
        {
            throw new ArgumentNullException(nameof(builder));
        }

        var buckets = new double[] { 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60 };
        return builder
            .AddMeter(RagMonitorTelemetry.MeterName)
            .AddView(RagMonitorTelemetry.RequestDurationInstrument, new ExplicitBucketHistogramConfiguration { Boundaries = buckets })
            .AddView(RagMonitorTelemetry.StageDurationInstrument, new ExplicitBucketHistogramConfiguration { Boundaries = buckets });
    }
}
