using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using RagMonitor.Cli.Tests.Infrastructure;

namespace RagMonitor.Cli.Tests.Commands;

public sealed class SummaryCommandTests : IClassFixture<SampleLogsFixture>
{
    private readonly SampleLogsFixture _logs;

    public SummaryCommandTests(SampleLogsFixture logs) => _logs = logs;

    [Fact]
    public void Json_counts_every_request_in_plain_and_gz_files_and_reports_the_torn_line()
    {
        Assert.Contains(Directory.GetFiles(_logs.Directory), f => f.EndsWith(".jsonl.gz", StringComparison.Ordinal));
        CliResult result = CliRun.Expect(0, "summary", "--log-dir", _logs.Directory, "--format", "json");
        using JsonDocument json = JsonDocument.Parse(result.Output);
        JsonElement root = json.RootElement;
        Assert.Equal(SampleLogsFixture.Requests, root.GetProperty("records").GetInt64());
        Assert.Equal(7, root.GetProperty("files").GetInt32());
        Assert.Equal(1, root.GetProperty("lines_skipped").GetInt64());
        Assert.Contains("skipped 1 unreadable line", result.Error);
        Assert.Contains("20261129_performance.jsonl:", result.Error);
        long sum = root.GetProperty("requests").EnumerateArray().Sum(r => r.GetProperty("count").GetInt64());
        Assert.Equal(SampleLogsFixture.Requests, sum);
        JsonElement ask = root.GetProperty("requests").EnumerateArray().Single(r => r.GetProperty("request").GetString() == "ask");
        string[] stages = ask.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("stage").GetString()!).ToArray();
        Assert.Equal(new[] { "embedding", "retrieval", "generation" }, stages);
        JsonElement total = ask.GetProperty("total");
        Assert.True(total.GetProperty("p50").GetDouble() <= total.GetProperty("p95").GetDouble());
        Assert.True(total.GetProperty("p95").GetDouble() <= total.GetProperty("p99").GetDouble());
        Assert.True(total.GetProperty("p99").GetDouble() <= total.GetProperty("max").GetDouble());
        double shares = ask.GetProperty("stages").EnumerateArray().Sum(s => s.GetProperty("share").GetDouble());
        Assert.InRange(shares, 0.95, 1.0);
        JsonElement[] slowest = root.GetProperty("slowest").EnumerateArray().ToArray();
        Assert.Equal(10, slowest.Length);
        Assert.All(slowest, s => Assert.Matches("^[0-9a-f]{32}$", s.GetProperty("request_id").GetString()!));
        double[] totals = slowest.Select(s => s.GetProperty("total").GetDouble()).ToArray();
        Assert.Equal(totals.OrderByDescending(t => t), totals);
        Assert.True(totals[^1] >= total.GetProperty("p99").GetDouble());
    }

    [Fact]
    public void Percentiles_are_exact_for_small_inputs()
    {
        using var temp = new TempDirectory();
        var start = new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
        // Totals 1..10 s; retrieval is 0.1 × total.
        LogLines.Write(temp.Path, "20261129_performance.jsonl", Enumerable.Range(1, 10).Select(i =>
            LogLines.RagMonitor("ask", "id-" + i, start.AddMinutes(i), i, new[] { ("retrieval", i / 10.0), ("generation", i * 0.8) })));
        CliResult result = CliRun.Expect(0, "summary", "--log-dir", temp.Path, "--format", "json");
        JsonElement ask = JsonDocument.Parse(result.Output).RootElement.GetProperty("requests")[0];
        JsonElement total = ask.GetProperty("total");
        Assert.Equal(5.5, total.GetProperty("p50").GetDouble(), 9);
        Assert.Equal(9.1, total.GetProperty("p90").GetDouble(), 9);
        Assert.Equal(9.55, total.GetProperty("p95").GetDouble(), 9);
        Assert.Equal(9.91, total.GetProperty("p99").GetDouble(), 9);
        Assert.Equal(10, total.GetProperty("max").GetDouble(), 9);
        Assert.Equal(5.5, total.GetProperty("mean").GetDouble(), 9);
        Assert.True(total.GetProperty("exact").GetBoolean());
        JsonElement retrieval = ask.GetProperty("stages")[0];
        Assert.Equal(0.55, retrieval.GetProperty("p50").GetDouble(), 9);
        Assert.Equal(0.1, retrieval.GetProperty("share").GetDouble(), 6);
        JsonElement generation = ask.GetProperty("stages")[1];
        Assert.Equal(10, generation.GetProperty("bottleneck_count").GetInt64());
        Assert.Equal(1.0, generation.GetProperty("bottleneck_rate").GetDouble(), 9);
        Assert.Equal(0, retrieval.GetProperty("bottleneck_count").GetInt64());
        Assert.Equal("id-10", JsonDocument.Parse(result.Output).RootElement.GetProperty("slowest")[0].GetProperty("request_id").GetString());
    }

    [Fact]
    public void Failures_and_the_python_module_lines_are_counted()
    {
        using var temp = new TempDirectory();
        var t = new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
        LogLines.Write(temp.Path, "20261129_performance.jsonl", new[]
        {
            LogLines.RagMonitor("ask", "a", t, 2, new[] { ("retrieval", 1.0) }),
            LogLines.RagMonitor("ask", "b", t.AddSeconds(1), 3, new[] { ("retrieval", 1.0) }, "failure", "TimeoutException"),
            LogLines.RagMonitor("ask", "c", t.AddSeconds(2), 4, new[] { ("retrieval", 1.0) }, "cancelled", "TaskCanceledException"),
            LogLines.Python(t.AddSeconds(3), 1.5, new[] { ("retrieval", 0.5), ("generation", 0.9) }),
        });
        CliResult result = CliRun.Expect(0, "summary", "--log-dir", temp.Path, "--format", "json");
        JsonElement[] requests = JsonDocument.Parse(result.Output).RootElement.GetProperty("requests").EnumerateArray().ToArray();
        JsonElement ask = requests.Single(r => r.GetProperty("request").GetString() == "ask");
        Assert.Equal(3, ask.GetProperty("count").GetInt64());
        Assert.Equal(1, ask.GetProperty("failures").GetInt64());
        Assert.Equal(1, ask.GetProperty("cancelled").GetInt64());
        Assert.Equal(1.0 / 3, ask.GetProperty("success_rate").GetDouble(), 9);
        JsonElement unnamed = requests.Single(r => r.GetProperty("request").GetString() == "(unnamed)");
        Assert.Equal(1, unnamed.GetProperty("count").GetInt64());
        Assert.Equal(1.0, unnamed.GetProperty("success_rate").GetDouble());
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void Since_until_and_request_filter_records()
    {
        CliResult all = CliRun.Expect(0, "summary", "--log-dir", _logs.Directory, "--format", "json", "--request", "summarize");
        JsonElement root = JsonDocument.Parse(all.Output).RootElement;
        Assert.Single(root.GetProperty("requests").EnumerateArray());
        long summarize = root.GetProperty("records").GetInt64();
        Assert.InRange(summarize, 2000, 4000);

        CliResult day = CliRun.Expect(0, "summary", "--log-dir", _logs.Directory, "--format", "json", "--since", "2026-11-27", "--until", "2026-11-27");
        JsonElement dayRoot = JsonDocument.Parse(day.Output).RootElement;
        long records = dayRoot.GetProperty("records").GetInt64();
        Assert.InRange(records, SampleLogsFixture.Requests / 7 - 2, SampleLogsFixture.Requests / 7 + 2);
        Assert.StartsWith("2026-11-27T", dayRoot.GetProperty("period").GetProperty("first").GetString());
        Assert.StartsWith("2026-11-27T", dayRoot.GetProperty("period").GetProperty("last").GetString());

        // Relative: the last 12 hours before the fixed now (2026-11-29 12:00 UTC).
        CliResult recent = CliRun.Expect(0, "summary", "--log-dir", _logs.Directory, "--format", "json", "--since", "12h");
        JsonElement recentRoot = JsonDocument.Parse(recent.Output).RootElement;
        Assert.True(DateTimeOffset.Parse(recentRoot.GetProperty("period").GetProperty("first").GetString()!, CultureInfo.InvariantCulture) >= CliRun.Now.AddHours(-12));
        Assert.InRange(recentRoot.GetProperty("records").GetInt64(), SampleLogsFixture.Requests / 7 - 10, SampleLogsFixture.Requests / 7 + 10);

        CliResult none = CliRun.Expect(0, "summary", "--log-dir", _logs.Directory, "--request", "nope");
        Assert.Contains("no records match", none.Error);
    }

    [Fact]
    public void Table_markdown_and_csv_show_the_same_rows()
    {
        CliResult table = CliRun.Expect(0, "summary", "--log-dir", _logs.Directory);
        Assert.Contains("ask:", table.Output);
        Assert.Contains("Slowest requests", table.Output);
        Assert.Contains("generation", table.Output);
        Assert.DoesNotContain("\u001b[", table.Output);

        CliResult markdown = CliRun.Expect(0, "summary", "--log-dir", _logs.Directory, "--format", "markdown", "--top", "3");
        Assert.Contains("## ask", markdown.Output);
        Assert.Contains("| stage | count | failed |", markdown.Output);
        Assert.Equal(3, markdown.Output.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\| [123] \|")));

        CliResult csv = CliRun.Expect(0, "summary", "--log-dir", _logs.Directory, "--format", "csv");
        string[] lines = csv.Output.TrimEnd('\n').Split('\n');
        Assert.StartsWith("request,stage,count,failures,cancelled,success_rate,mean_s,p50_s", lines[0]);
        Assert.Equal(1 + (2 * 4), lines.Length);
        Assert.All(lines, l => Assert.Equal(15, l.Split(',').Length));
        long totalCount = lines.Skip(1).Where(l => l.Split(',')[1] == "total").Sum(l => long.Parse(l.Split(',')[2], CultureInfo.InvariantCulture));
        Assert.Equal(SampleLogsFixture.Requests, totalCount);
    }

    [Fact]
    public void Hostile_names_are_quoted_in_csv_and_escaped_in_markdown()
    {
        using var temp = new TempDirectory();
        var t = new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
        LogLines.Write(temp.Path, "20261129_performance.jsonl", new[]
        {
            LogLines.RagMonitor("a,b\"c", "x", t, 1, new[] { ("st|age\nx", 0.5) }),
        });
        string csv = CliRun.Expect(0, "summary", "--log-dir", temp.Path, "--format", "csv").Output;
        Assert.Contains("\"a,b\"\"c\",total,", csv);
        Assert.Contains("\"a,b\"\"c\",\"st|age\nx\",", csv);
        string markdown = CliRun.Expect(0, "summary", "--log-dir", temp.Path, "--format", "markdown").Output;
        Assert.Contains("| st\\|age x |", markdown);
    }
}
