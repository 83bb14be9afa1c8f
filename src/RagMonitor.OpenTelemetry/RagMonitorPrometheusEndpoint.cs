using System;
using System.Globalization;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace RagMonitor.OpenTelemetry;

/// <summary>
/// A Prometheus scrape endpoint for RagMonitor's metrics in one call, served by OpenTelemetry's
/// stand-alone <c>HttpListener</c> exporter: <c>http://127.0.0.1:&lt;port&gt;/metrics</c>.
/// </summary>
/// <remarks>
/// <code>
/// using var metrics = RagMonitorPrometheusEndpoint.Start(9464);
/// // ... run the application; Prometheus scrapes http://127.0.0.1:9464/metrics
/// </code>
/// Applications that already build a <see cref="MeterProvider"/> add
/// <c>.AddRagMonitorInstrumentation().AddPrometheusHttpListener(...)</c> to it instead.
/// </remarks>
public sealed class RagMonitorPrometheusEndpoint : IDisposable
{
    private readonly MeterProvider _provider;

    private RagMonitorPrometheusEndpoint(MeterProvider provider, Uri url)
    {
        _provider = provider;
        Url = url;
    }

    /// <summary>The scrape URL, e.g. <c>http://127.0.0.1:9464/metrics</c>.</summary>
    public Uri Url { get; }

    /// <summary>Starts serving RagMonitor's metrics on <c>http://{host}:{port}/metrics</c>.</summary>
    /// <param name="port">The TCP port (1–65535).</param>
    /// <param name="host">The address to listen on; loopback by default.</param>
    /// <param name="configure">Optional further configuration of the meter provider (other meters, views).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is out of range.</exception>
    public static RagMonitorPrometheusEndpoint Start(int port, string host = "127.0.0.1", Action<MeterProviderBuilder>? configure = null)
    {
        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "The port must be between 1 and 65535.");
        }

        if (string.IsNullOrWhiteSpace(host))
        {
            throw new ArgumentException("The host must not be empty.", nameof(host));
        }

        var builder = Sdk.CreateMeterProviderBuilder()
            .AddRagMonitorInstrumentation()
            .AddPrometheusHttpListener(options =>
            {
                options.Host = host;
                options.Port = port;
                options.ScrapeEndpointPath = "/metrics";
            });
        configure?.Invoke(builder);
        var provider = builder.Build();
        return new RagMonitorPrometheusEndpoint(provider, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}/metrics")));
    }

    /// <summary>Stops the listener and the meter provider.</summary>
    public void Dispose() => _provider.Dispose();
}
