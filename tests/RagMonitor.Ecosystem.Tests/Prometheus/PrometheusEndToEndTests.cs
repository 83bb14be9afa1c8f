using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using RagMonitor.OpenTelemetry;
using Xunit.Abstractions;

namespace RagMonitor.Ecosystem.Tests.Prometheus;

/// <summary>
/// A monitored pipeline serves /metrics on loopback; a real Prometheus server scrapes it; the test asks
/// Prometheus's HTTP API for the stage duration series. Everything started here is stopped here.
/// </summary>
public sealed class PrometheusEndToEndTests
{
    private readonly ITestOutputHelper _output;

    public PrometheusEndToEndTests(ITestOutputHelper output) => _output = output;

    [PrometheusFact]
    public async Task Prometheus_scrapes_the_stage_duration_histogram_of_a_monitored_pipeline()
    {
        var prometheus = ExternalToolFactAttribute.RequireTool(PrometheusFactAttribute.Tool, PrometheusFactAttribute.InstallHint);
        var directory = Directory.CreateTempSubdirectory("ragmonitor-prometheus-");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        Process? server = null;
        var log = new StringBuilder();
        try
        {
            using var monitor = TestMonitors.Create();
            var requestName = TestMonitors.UniqueName("prom");
            var metricsPort = FreePort();
            using var endpoint = RagMonitorPrometheusEndpoint.Start(metricsPort);
            var pipeline = new TestPipeline(monitor, requestName) { GenerationDelayMilliseconds = 5 };
            for (var i = 0; i < 3; i++)
            {
                await pipeline.AskAsync("question " + i);
            }

            // The exposition itself, as Prometheus will read it.
            var text = await http.GetStringAsync(endpoint.Url);
            Assert.Contains("ragmonitor_stage_duration_seconds_bucket{", text);
            Assert.Contains($"request=\"{requestName}\"", text);

            var prometheusPort = FreePort();
            var config = Path.Combine(directory.FullName, "prometheus.yml");
            File.WriteAllText(config, string.Join('\n',
                "global:",
                "  scrape_interval: 1s",
                "  evaluation_interval: 1s",
                "scrape_configs:",
                "  - job_name: ragmonitor-test",
                "    static_configs:",
                $"      - targets: ['127.0.0.1:{metricsPort}']",
                string.Empty));

            var start = new ProcessStartInfo(prometheus)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory.FullName,
            };
            start.ArgumentList.Add("--config.file=" + config);
            start.ArgumentList.Add("--storage.tsdb.path=" + Path.Combine(directory.FullName, "data"));
            start.ArgumentList.Add("--web.listen-address=127.0.0.1:" + prometheusPort.ToString(CultureInfo.InvariantCulture));
            server = new Process { StartInfo = start };
            server.OutputDataReceived += (_, e) => Append(log, e.Data);
            server.ErrorDataReceived += (_, e) => Append(log, e.Data);
            Assert.True(server.Start(), "prometheus did not start");
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();

            var query = $"ragmonitor_stage_duration_seconds_count{{request=\"{requestName}\"}}";
            var url = $"http://127.0.0.1:{prometheusPort}/api/v1/query?query={Uri.EscapeDataString(query)}";
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            JsonElement[] series = Array.Empty<JsonElement>();
            string? lastAnswer = null;
            while (DateTime.UtcNow < deadline && series.Length < 3)
            {
                Assert.False(server.HasExited, "prometheus exited early:\n" + Snapshot(log));
                await Task.Delay(500);
                try
                {
                    lastAnswer = await http.GetStringAsync(url);
                }
                catch (HttpRequestException)
                {
                    continue; // not listening yet
                }

                using var document = JsonDocument.Parse(lastAnswer);
                Assert.Equal("success", document.RootElement.GetProperty("status").GetString());
                series = document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(e => e.Clone()).ToArray();
            }

            _output.WriteLine(lastAnswer ?? "(no answer)");
            Assert.True(series.Length == 3, $"Prometheus returned no complete stage series for {query} within 60 s. Last answer: {lastAnswer}\nPrometheus log:\n{Snapshot(log)}");
            var stages = series.Select(s => s.GetProperty("metric").GetProperty("stage").GetString()).OrderBy(s => s).ToArray();
            Assert.Equal(new[] { "embedding", "generation", "retrieval" }, stages);
            foreach (var s in series)
            {
                var metric = s.GetProperty("metric");
                Assert.Equal("success", metric.GetProperty("status").GetString());
                Assert.Equal("ragmonitor-test", metric.GetProperty("job").GetString());
                var value = s.GetProperty("value")[1].GetString();
                Assert.Equal(3d, double.Parse(value!, CultureInfo.InvariantCulture));
            }
        }
        finally
        {
            if (server is not null)
            {
                try
                {
                    if (!server.HasExited)
                    {
                        server.Kill(entireProcessTree: true);
                        server.WaitForExit(10_000);
                    }
                }
                finally
                {
                    server.Dispose();
                }
            }

            try
            {
                directory.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A file still being closed by the exiting server: the temp folder is left behind.
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }
}
