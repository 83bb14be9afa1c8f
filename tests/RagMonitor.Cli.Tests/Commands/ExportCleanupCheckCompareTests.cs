using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using RagMonitor.Cli.Commands;
using RagMonitor.Cli.Tests.Infrastructure;

namespace RagMonitor.Cli.Tests.Commands;

public sealed class ExportCleanupCheckCompareTests : IClassFixture<SampleLogsFixture>
{
    private readonly SampleLogsFixture _logs;

    public ExportCleanupCheckCompareTests(SampleLogsFixture logs) => _logs = logs;

    [Fact]
    public void Prometheus_export_uses_the_buckets_the_live_duration_histograms_advise_by_default()
    {
        // The live histograms are created when RagMonitor's metrics class initializes; read the buckets they advise.
        var live = new Dictionary<string, IReadOnlyList<double>>();
        using (var listener = new System.Diagnostics.Metrics.MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == RagMonitorTelemetry.MeterName && instrument is System.Diagnostics.Metrics.Instrument<double> { Advice.HistogramBucketBoundaries: { } bounds })
                {
                    live[instrument.Name] = bounds;
                }
            };
            System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(RagMonitorTelemetry).Assembly.GetType("RagMonitor.MonitorMetrics", throwOnError: true)!.TypeHandle);
            listener.Start();
        }

        CliResult result = CliRun.Expect(0, "export", "prometheus", "--log-dir", _logs.Directory);
        string[] lines = result.Output.Split('\n');
        foreach (string instrument in new[] { RagMonitorTelemetry.RequestDurationInstrument, RagMonitorTelemetry.StageDurationInstrument })
        {
            string metric = instrument.Replace('.', '_') + "_seconds_bucket{";
            string first = lines.First(l => l.StartsWith(metric, StringComparison.Ordinal));
            string series = first[..first.IndexOf(",le=", StringComparison.Ordinal)];
            var exported = lines.Where(l => l.StartsWith(series + ",le=", StringComparison.Ordinal))
                .Select(l => Regex.Match(l, "le=\"([^\"]+)\"").Groups[1].Value)
                .ToArray();
            var advised = live[instrument].Select(b => b.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("+Inf").ToArray();
            Assert.Equal(advised, exported);
        }
    }

    [Fact]
    public void Prometheus_export_has_cumulative_histograms_and_counters()
    {
        CliResult result = CliRun.Expect(0, "export", "prometheus", "--log-dir", _logs.Directory, "--buckets", "0.1,0.5,1,2.5,10");
        string text = result.Output;
        Assert.Contains("# TYPE ragmonitor_request_duration_seconds histogram", text);
        Assert.Contains("# TYPE ragmonitor_stage_duration_seconds histogram", text);
        Assert.Contains("# TYPE ragmonitor_bottlenecks_total counter", text);
        Assert.Contains("# TYPE ragmonitor_request_failures_total counter", text);
        Assert.DoesNotContain("request_id", text);
        Assert.DoesNotMatch("[0-9a-f]{32}", text);

        string[] lines = text.Split('\n');
        var buckets = lines.Where(l => l.StartsWith("ragmonitor_request_duration_seconds_bucket{request=\"ask\",status=\"success\"", StringComparison.Ordinal)).ToArray();
        Assert.Equal(new[] { "0.1", "0.5", "1", "2.5", "10", "+Inf" }, buckets.Select(b => Regex.Match(b, "le=\"([^\"]+)\"").Groups[1].Value));
        long[] counts = buckets.Select(b => long.Parse(b.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(counts.OrderBy(c => c), counts);
        long count = long.Parse(lines.Single(l => l.StartsWith("ragmonitor_request_duration_seconds_count{request=\"ask\",status=\"success\"}", StringComparison.Ordinal)).Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(count, counts[^1]);
        long allRequests = lines.Where(l => l.StartsWith("ragmonitor_request_duration_seconds_count{", StringComparison.Ordinal))
            .Sum(l => long.Parse(l.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(SampleLogsFixture.Requests, allRequests);
        Assert.Contains("ragmonitor_log_lines_skipped_total 1", text);
        Assert.Matches("ragmonitor_request_failures_total\\{request=\"ask\",status=\"failure\",error_type=\"TimeoutException\"\\} [1-9]", text);
    }

    [Fact]
    public void Label_values_are_escaped()
    {
        Assert.Equal("a\\\\b\\\"c\\nd", RagMonitor.Cli.Analysis.PrometheusExport.EscapeLabelValue("a\\b\"c\nd"));
        Assert.Equal("plain", RagMonitor.Cli.Analysis.PrometheusExport.EscapeLabelValue("plain"));
    }

    [PromtoolFact]
    public void Promtool_accepts_the_export_including_hostile_stage_names()
    {
        using var temp = new TempDirectory();
        string logs = temp.Sub("logs");
        File.Copy(Directory.GetFiles(_logs.Directory, "20261129_*").Single(), Path.Combine(logs, "20261129_performance.jsonl"));
        var t = new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);
        string[] hostile = { "quote\"stage", "back\\slash", "new\nline", "brace}{=,", "# not a comment", "ünïcödé ✓", "tab\tstage", "cr\rstage", "le=\"0.1\"", " " };
        LogLines.Write(logs, "20261128_performance.jsonl", hostile.Select((name, i) =>
            LogLines.RagMonitor(i % 2 == 0 ? "ask" : "weird \"request\"\n", "id" + i, t.AddSeconds(i), 1.0, new[] { (name, 0.6), ("generation", 0.3) }, i % 3 == 0 ? "failure" : "success", i % 3 == 0 ? "Bad\"Type\\" : null)));
        string output = temp.Combine("metrics.prom");
        CliResult result = CliRun.Expect(0, "export", "prometheus", "--log-dir", logs, "--out", output);
        Assert.Contains("wrote", result.Error);
        string text = File.ReadAllText(output);
        Assert.Contains("stage=\"quote\\\"stage\"", text);
        Assert.Contains("stage=\"new\\nline\"", text);
        Assert.Contains("stage=\"back\\\\slash\"", text);

        string promtool = ExternalTools.Require("promtool");
        ExternalTools.ProcessResult check = ExternalTools.Run(promtool, new[] { "check", "metrics" }, text);
        Assert.True(check.ExitCode == 0, $"promtool check metrics exited {check.ExitCode}:\n{check.Output}\n{check.Error}");
    }

    [PromtoolFact]
    public void Promtool_rejects_a_broken_exposition()
    {
        // Negative control for the promtool check above.
        string promtool = ExternalTools.Require("promtool");
        ExternalTools.ProcessResult check = ExternalTools.Run(promtool, new[] { "check", "metrics" }, "# TYPE x counter\nx{a=\"unterminated} 1\n");
        Assert.NotEqual(0, check.ExitCode);
    }

    [Fact]
    public void Cleanup_dry_run_lists_files_and_changes_nothing_then_deletes_and_archives()
    {
        using var temp = new TempDirectory();
        string logs = temp.Sub("logs");
        foreach (string day in new[] { "20261101", "20261120", "20261126", "20261129" })
        {
            File.WriteAllText(Path.Combine(logs, day + "_performance.jsonl"), "{}\n");
        }

        File.WriteAllText(Path.Combine(logs, "notes.txt"), "keep");
        string[] before = Directory.GetFiles(logs).OrderBy(f => f).ToArray();
        CliResult dry = CliRun.Expect(0, "cleanup", "--log-dir", logs, "--retention-days", "14", "--archive-after", "2", "--dry-run");
        Assert.Contains("would delete 20261101_performance.jsonl", dry.Output);
        Assert.Contains("would archive 20261120_performance.jsonl", dry.Output);
        Assert.Contains("would archive 20261126_performance.jsonl", dry.Output);
        Assert.DoesNotContain("20261129", dry.Output);
        Assert.Equal(before, Directory.GetFiles(logs).OrderBy(f => f).ToArray());

        CliResult real = CliRun.Expect(0, "cleanup", "--log-dir", logs, "--retention-days", "14", "--archive-after", "2");
        Assert.Contains("deleted 20261101_performance.jsonl", real.Output);
        string[] after = Directory.GetFiles(logs).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToArray()!;
        Assert.Equal(new[] { "20261120_performance.jsonl.gz", "20261126_performance.jsonl.gz", "20261129_performance.jsonl", "notes.txt" }, after);
        using var gz = new GZipStream(File.OpenRead(Path.Combine(logs, "20261120_performance.jsonl.gz")), CompressionMode.Decompress);
        Assert.Equal("{}\n", new StreamReader(gz).ReadToEnd());
    }

    [Fact]
    public void Check_exits_1_and_prints_each_exceeded_budget()
    {
        CliResult pass = CliRun.Expect(0, "check", "--log-dir", _logs.Directory, "--budget", "retrieval.p95=5s", "--budget", "total.p95=60s", "--budget", "ask/generation.mean=10s");
        Assert.Equal(3, pass.Output.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
        Assert.Contains("all 3 budget(s) with data hold", pass.Output);

        CliResult fail = CliRun.Expect(1, "check", "--log-dir", _logs.Directory, "--budget", "retrieval.p95=10ms", "--budget", "total.p95=60s", "--budget", "summarize/total.p50=100ms", "--budget", "total.failure_rate=0.1%");
        string[] failed = fail.Output.Split('\n').Where(l => l.StartsWith("FAIL", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, failed.Length);
        Assert.Contains(failed, l => l.Contains("retrieval.p95=10ms", StringComparison.Ordinal) && l.Contains("> 10.0 ms", StringComparison.Ordinal));
        Assert.Contains(failed, l => l.Contains("summarize/total.p50", StringComparison.Ordinal) && l.Contains("(summarize,", StringComparison.Ordinal));
        Assert.Contains("3 of 4 budget(s) exceeded", fail.Output);
    }

    [Fact]
    public void Check_reads_a_budget_file_and_handles_missing_data()
    {
        using var temp = new TempDirectory();
        string file = temp.Combine("budgets.txt");
        File.WriteAllText(file, "# CI gate\nretrieval.p95 = 5s\n\nrerank.p95=1s   # not there\n");
        CliResult result = CliRun.Expect(0, "check", "--log-dir", _logs.Directory, "--budget-file", file);
        Assert.Contains("NO DATA", result.Output);
        CliRun.Expect(1, "check", "--log-dir", _logs.Directory, "--budget-file", file, "--fail-on-missing");
        Assert.Contains("does not exist", CliRun.Single(CliRun.Expect(2, "check", "--log-dir", _logs.Directory, "--budget-file", temp.Combine("none.txt")).Error));
    }

    [Fact]
    public void Compare_finds_a_slower_stage_and_fails_on_regression_when_asked()
    {
        using var temp = new TempDirectory();
        string baseline = temp.Sub("baseline");
        string current = temp.Sub("current");
        SampleLogGenerator.Write(baseline, new SampleLogOptions { Requests = 3000, Days = 2, Seed = 1 });
        SampleLogGenerator.Write(current, new SampleLogOptions { Requests = 3000, Days = 2, Seed = 2, RetrievalFactor = 1.5 });

        CliResult same = CliRun.Expect(0, "compare", baseline, baseline, "--fail-on-regression");
        Assert.DoesNotContain("slower", same.Output);

        CliResult json = CliRun.Expect(0, "compare", baseline, current, "--format", "json");
        JsonElement[] rows = JsonDocument.Parse(json.Output).RootElement.GetProperty("comparisons").EnumerateArray().ToArray();
        string Verdict(string request, string stage) => rows.Single(r => r.GetProperty("request").GetString() == request && r.GetProperty("stage").GetString() == stage).GetProperty("verdict").GetString()!;
        Assert.Equal("slower", Verdict("ask", "retrieval"));
        Assert.Equal("same", Verdict("ask", "embedding"));
        Assert.Equal("same", Verdict("ask", "generation"));
        JsonElement retrieval = rows.Single(r => r.GetProperty("request").GetString() == "ask" && r.GetProperty("stage").GetString() == "retrieval");
        Assert.InRange(retrieval.GetProperty("p50_change").GetDouble(), 0.3, 0.7);
        Assert.True(retrieval.GetProperty("p_value").GetDouble() < 1e-6);

        CliResult gate = CliRun.Expect(1, "compare", baseline, current, "--fail-on-regression");
        Assert.Contains("slower", gate.Output);
        Assert.Contains("Mann-Whitney", gate.Output);

        CliResult faster = CliRun.Expect(0, "compare", current, baseline, "--format", "markdown", "--fail-on-regression");
        Assert.Contains("| ask | retrieval |", faster.Output);
        Assert.Contains("faster", faster.Output);
    }

    [Fact]
    public void Compare_needs_enough_samples_and_a_large_enough_effect()
    {
        using var temp = new TempDirectory();
        string a = temp.Sub("a");
        string b = temp.Sub("b");
        var t = new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
        LogLines.Write(a, "20261129_performance.jsonl", Enumerable.Range(0, 3).Select(i => LogLines.RagMonitor("ask", "a" + i, t.AddSeconds(i), 1 + (i * 0.01), new[] { ("retrieval", 0.5) })));
        LogLines.Write(b, "20261129_performance.jsonl", Enumerable.Range(0, 3).Select(i => LogLines.RagMonitor("ask", "b" + i, t.AddSeconds(i), 5 + (i * 0.01), new[] { ("retrieval", 0.5) })));
        CliResult result = CliRun.Expect(0, "compare", a, b, "--format", "json", "--fail-on-regression");
        Assert.All(JsonDocument.Parse(result.Output).RootElement.GetProperty("comparisons").EnumerateArray(), r => Assert.Equal("too few", r.GetProperty("verdict").GetString()));

        // Many samples, a tiny shift (2 %): "same" by default; with a 1 % minimum effect and a lenient alpha it counts as slower.
        var rows = new List<string>();
        var rowsB = new List<string>();
        for (int i = 0; i < 400; i++)
        {
            double v = 1 + (i / 400.0);
            rows.Add(LogLines.RagMonitor("ask", "a" + i, t.AddSeconds(i), v, new[] { ("retrieval", v / 2) }));
            rowsB.Add(LogLines.RagMonitor("ask", "b" + i, t.AddSeconds(i), v * 1.02, new[] { ("retrieval", v / 2) }));
        }

        LogLines.Write(a, "20261129_performance.jsonl", rows);
        LogLines.Write(b, "20261129_performance.jsonl", rowsB);
        JsonElement total = JsonDocument.Parse(CliRun.Expect(0, "compare", a, b, "--format", "json").Output).RootElement.GetProperty("comparisons")[0];
        Assert.Equal("same", total.GetProperty("verdict").GetString());
        JsonElement strict = JsonDocument.Parse(CliRun.Expect(0, "compare", a, b, "--format", "json", "--min-effect", "1%", "--alpha", "0.5").Output).RootElement.GetProperty("comparisons")[0];
        Assert.Equal("slower", strict.GetProperty("verdict").GetString());
    }
}
