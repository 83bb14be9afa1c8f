using System;
using System.Linq;
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

        var buckets = RagMonitorTelemetry.DurationBucketBoundaries.ToArray();
        return builder
            .AddMeter(RagMonitorTelemetry.MeterName)
            .AddView(RagMonitorTelemetry.RequestDurationInstrument, new ExplicitBucketHistogramConfiguration { Boundaries = buckets })
            .AddView(RagMonitorTelemetry.StageDurationInstrument, new ExplicitBucketHistogramConfiguration { Boundaries = buckets });
    }
}
