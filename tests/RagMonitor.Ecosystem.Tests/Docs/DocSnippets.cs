using System;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RagMonitor.Hosting;
using RagMonitor.OpenTelemetry;

namespace RagMonitor.Ecosystem.Tests.Docs;

/// <summary>
/// The code shown in docs/opentelemetry.md and docs/hosting.md. Each region between
/// <c>// snippet: NAME</c> and <c>// end snippet</c> must appear verbatim (de-indented) in a doc under
/// <c>&lt;!-- snippet: NAME --&gt;</c>; <see cref="DocSnippetTests"/> checks it, the compiler checks the code.
/// </summary>
internal static class DocSnippets
{
    internal static (TracerProvider Tracing, MeterProvider Metrics) OpenTelemetrySdk()
    {
        // snippet: otel-sdk
        var tracing = Sdk.CreateTracerProviderBuilder()
            .AddRagMonitorInstrumentation()            // = .AddSource("RagMonitor")
            .AddOtlpExporter()                         // or any exporter
            .Build();
        var metrics = Sdk.CreateMeterProviderBuilder()
            .AddRagMonitorInstrumentation()            // = .AddMeter("RagMonitor") + second-based buckets
            .AddOtlpExporter()
            .Build();
        // end snippet
        return (tracing!, metrics!);
    }

    internal static void OpenTelemetryHosting(string[] args)
    {
        // snippet: otel-hosting
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddRagMonitor(builder.Configuration.GetSection("RagMonitor"));
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddRagMonitorInstrumentation().AddOtlpExporter())
            .WithMetrics(metrics => metrics.AddRagMonitorInstrumentation().AddOtlpExporter());
        // end snippet
        _ = builder;
    }

    internal static RagMonitorPrometheusEndpoint Prometheus(int port)
    {
        // snippet: prometheus-endpoint
        var metricsEndpoint = RagMonitorPrometheusEndpoint.Start(port);   // http://127.0.0.1:<port>/metrics
        // ... run the pipeline; dispose the endpoint when the application stops
        // end snippet
        return metricsEndpoint;
    }

    internal static MeterProvider PrometheusOnOwnProvider()
    {
        // snippet: prometheus-provider
        var meterProvider = Sdk.CreateMeterProviderBuilder()
            .AddRagMonitorInstrumentation()
            .AddMeter("MyApp")
            .AddPrometheusHttpListener(o => { o.Host = "127.0.0.1"; o.Port = 9464; })
            .Build();
        // end snippet
        return meterProvider!;
    }

    internal static async Task Hosting(string[] args)
    {
        // snippet: hosting
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddRagMonitor(builder.Configuration.GetSection("RagMonitor"));
        builder.Services.AddSingleton<AnswerService>();   // takes PerformanceMonitor in its constructor
        using var host = builder.Build();
        await host.RunAsync();                              // the JSONL sink is flushed when the host stops
        // end snippet
    }

    internal static void HostingInCode(IServiceCollection services)
    {
        // snippet: hosting-code
        services.AddRagMonitor(options =>
        {
            options.LogDirectory = "/var/log/myapp/performance";
            options.StageDurationThresholds["generation"] = TimeSpan.FromSeconds(5);
            options.MeasureResources = false;
        });
        // end snippet
    }

    // snippet: hosting-service
    public sealed class AnswerService
    {
        private readonly PerformanceMonitor _monitor;   // the generated wrappers use this monitor

        public AnswerService(PerformanceMonitor monitor) => _monitor = monitor;

        public string Answer(string question)
        {
            using var request = _monitor.BeginRequest("ask");
            using (_monitor.BeginStage("retrieval"))
            {
                StageContext.AddMetadata("documents_retrieved", 5);
            }

            return "…";
        }
    }
    // end snippet
}
