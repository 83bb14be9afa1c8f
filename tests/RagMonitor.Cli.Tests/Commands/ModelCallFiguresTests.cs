using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using RagMonitor.Cli.Tests.Infrastructure;

namespace RagMonitor.Cli.Tests.Commands;

/// <summary>
/// Logs whose stages carry the model-call metadata that RagMonitor.AI writes (input_tokens, output_tokens,
/// time_to_first_token_ms, output_tokens_per_second): summary (every format), report, compare and the Prometheus
/// export show the token figures and time to first token.
/// </summary>
public sealed class ModelCallFiguresTests
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;
    private static readonly DateTimeOffset s_start = new(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Writes <paramref name="count"/> "ask" requests: "retrieval" without tokens, "generation" with input 100+i,
    /// output 20+i, time to first token <paramref name="firstTokenMs"/>+i ms and 50 tokens/s; every fifth request's
    /// generation reports no usage (a failure).
    /// </summary>
    private static void WriteLogs(string directory, int count, double firstTokenMs)
    {
        var lines = new List<string>();
        for (int i = 0; i < count; i++)
        {
            bool usage = i % 5 != 4;
            string metadata = usage
                ? $"{{\"operation\":\"chat\",\"model_id\":\"m\",\"time_to_first_token_ms\":{(firstTokenMs + i).ToString("R", s_invariant)},\"input_tokens\":{100 + i},\"output_tokens\":{20 + i},\"finish_reason\":\"stop\",\"output_tokens_per_second\":50.0}}"
                : "{\"operation\":\"chat\",\"model_id\":\"m\",\"prompt\":\"x, \\\"input_tokens\\\": 999999\"}";
            string status = usage ? "success" : "failure";
            DateTimeOffset t = s_start.AddSeconds(i);
            lines.Add($"{{\"start_time\":{(t.ToUnixTimeMilliseconds() / 1000.0 - 1).ToString("0.000", s_invariant)},\"total_time\":1.0,\"timestamp\":\"{t.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.ffffff}+00:00\",\"stages\":{{\"retrieval\":{{\"duration\":0.2,\"metadata\":{{\"top_k\":5}},\"calls\":1,\"status\":\"success\"}},\"generation\":{{\"duration\":0.7,\"metadata\":{metadata},\"calls\":1,\"status\":\"{status}\"}}}},\"request\":\"ask\",\"request_id\":\"q{i}\",\"status\":\"{status}\"}}");
        }

        LogLines.Write(directory, "20261129_performance.jsonl", lines);
    }

    [Fact]
    public void Summary_json_has_token_sums_and_per_request_means_and_time_to_first_token_per_stage()
    {
        using var temp = new TempDirectory();
        string logs = temp.Sub("logs");
        WriteLogs(logs, 10, 200);

        CliResult result = CliRun.Expect(0, "summary", "--log-dir", logs, "--format", "json");

        using JsonDocument json = JsonDocument.Parse(result.Output);
        JsonElement stages = json.RootElement.GetProperty("requests")[0].GetProperty("stages");
        JsonElement generation = stages.EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "generation");
        // Records 0-3 and 5-8 report usage: input 100+i, output 20+i (4 and 9 have "input_tokens" only inside a prompt text, which is not a key).
        int[] withUsage = { 0, 1, 2, 3, 5, 6, 7, 8 };
        Assert.Equal(withUsage.Sum(i => 100 + i), generation.GetProperty("input_tokens").GetProperty("sum").GetInt64());
        Assert.Equal(withUsage.Average(i => 100 + i), generation.GetProperty("input_tokens").GetProperty("mean").GetDouble(), 6);
        Assert.Equal(8, generation.GetProperty("input_tokens").GetProperty("requests").GetInt64());
        Assert.Equal(withUsage.Sum(i => 20 + i), generation.GetProperty("output_tokens").GetProperty("sum").GetInt64());
        Assert.Equal(withUsage.Average(i => 20 + i), generation.GetProperty("output_tokens").GetProperty("mean").GetDouble(), 6);
        JsonElement firstToken = generation.GetProperty("time_to_first_token");
        Assert.Equal(8, firstToken.GetProperty("count").GetInt64());
        Assert.Equal(0.204, firstToken.GetProperty("p50").GetDouble(), 6);
        Assert.Equal(50.0, generation.GetProperty("output_tokens_per_second_mean").GetDouble(), 6);

        JsonElement retrieval = stages.EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "retrieval");
        Assert.False(retrieval.TryGetProperty("input_tokens", out _));
        Assert.False(retrieval.TryGetProperty("time_to_first_token", out _));
    }

    [Fact]
    public void Summary_table_markdown_and_csv_show_the_model_calls()
    {
        using var temp = new TempDirectory();
        string logs = temp.Sub("logs");
        WriteLogs(logs, 10, 200);

        string table = CliRun.Expect(0, "summary", "--log-dir", logs).Output;
        Assert.Contains("Model calls", table);
        string generationRow = table.Split('\n').Single(l => l.Contains("generation") && l.Contains("832"));
        Assert.Contains("104.0", generationRow);       // input tokens per request: 832 / 8
        Assert.Contains("204 ms", generationRow);    // time to first token p50 (200-208 ms without 204)

        string markdown = CliRun.Expect(0, "summary", "--log-dir", logs, "--format", "markdown").Output;
        Assert.Contains("## Model calls", markdown);
        Assert.Contains("| ask | generation | 832 | 104.0 | 192 | 24.0 | 204 ms |", markdown);

        string[] csv = CliRun.Expect(0, "summary", "--log-dir", logs, "--format", "csv").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] header = csv[0].Split(',');
        string[] generation = csv.Single(l => l.StartsWith("ask,generation,", StringComparison.Ordinal)).Split(',');
        Assert.Equal("832", generation[Array.IndexOf(header, "input_tokens_sum")]);
        Assert.Equal("104", generation[Array.IndexOf(header, "input_tokens_mean")]);
        Assert.Equal("192", generation[Array.IndexOf(header, "output_tokens_sum")]);
        Assert.Equal("0.204", generation[Array.IndexOf(header, "time_to_first_token_p50_s")]);
        string[] retrieval = csv.Single(l => l.StartsWith("ask,retrieval,", StringComparison.Ordinal)).Split(',');
        Assert.Equal(string.Empty, retrieval[Array.IndexOf(header, "input_tokens_sum")]);
    }

    [Fact]
    public void Logs_without_model_calls_show_no_model_call_section()
    {
        using var temp = new TempDirectory();
        string logs = temp.Sub("logs");
        LogLines.Write(logs, "20261129_performance.jsonl", Enumerable.Range(0, 5).Select(i =>
            LogLines.RagMonitor("ask", "q" + i, s_start.AddSeconds(i), 1.0, new[] { ("retrieval", 0.4), ("generation", 0.5) })));

        Assert.DoesNotContain("Model calls", CliRun.Expect(0, "summary", "--log-dir", logs).Output);
        Assert.DoesNotContain("input_tokens", CliRun.Expect(0, "summary", "--log-dir", logs, "--format", "json").Output);
        Assert.DoesNotContain("tokens", CliRun.Expect(0, "summary", "--log-dir", logs, "--format", "csv").Output);
        Assert.DoesNotContain("tokens_total", CliRun.Expect(0, "export", "prometheus", "--log-dir", logs).Output);
    }

    [Fact]
    public void Report_has_a_model_calls_section()
    {
        using var temp = new TempDirectory();
        string logs = temp.Sub("logs");
        WriteLogs(logs, 10, 200);
        string path = temp.Combine("report.html");

        CliRun.Expect(0, "report", "--log-dir", logs, "--out", path);

        string html = File.ReadAllText(path);
        Assert.Contains("<section id=\"model-calls\">", html);
        Assert.Contains("<td>generation</td><td>832</td><td>104.0</td><td>192</td><td>24.0</td><td>204 ms</td>", html);
    }

    [Fact]
    public void Compare_shows_time_to_first_token_as_a_row_and_the_token_means()
    {
        using var temp = new TempDirectory();
        string baseline = temp.Sub("baseline");
        string current = temp.Sub("current");
        WriteLogs(baseline, 20, 200);
        WriteLogs(current, 20, 400);

        using JsonDocument json = JsonDocument.Parse(CliRun.Expect(0, "compare", baseline, current, "--format", "json").Output);
        JsonElement[] rows = json.RootElement.GetProperty("comparisons").EnumerateArray().ToArray();
        JsonElement firstToken = rows.Single(r => r.GetProperty("stage").GetString() == "generation (time to first token)");
        Assert.Equal("slower", firstToken.GetProperty("verdict").GetString());
        Assert.Equal(16, firstToken.GetProperty("current_count").GetInt64());
        JsonElement generation = rows.Single(r => r.GetProperty("stage").GetString() == "generation");
        Assert.Equal(generation.GetProperty("input_tokens_mean").GetProperty("baseline").GetDouble(), generation.GetProperty("input_tokens_mean").GetProperty("current").GetDouble());

        string table = CliRun.Expect(0, "compare", baseline, current).Output;
        Assert.Contains("generation (time to first token)", table);
        Assert.Contains("ask / generation tokens per request: in 109.0 → 109.0 (0.0%)", table);
    }

    [Fact]
    public void Prometheus_export_counts_tokens_per_stage()
    {
        using var temp = new TempDirectory();
        string logs = temp.Sub("logs");
        WriteLogs(logs, 10, 200);

        string text = CliRun.Expect(0, "export", "prometheus", "--log-dir", logs).Output;

        Assert.Contains("# TYPE ragmonitor_stage_input_tokens_total counter", text);
        Assert.Contains("ragmonitor_stage_input_tokens_total{request=\"ask\",stage=\"generation\"} 832\n", text);
        Assert.Contains("ragmonitor_stage_output_tokens_total{request=\"ask\",stage=\"generation\"} 192\n", text);
        Assert.DoesNotContain(text.Split('\n'), l => l.Contains("tokens_total{", StringComparison.Ordinal) && l.Contains("stage=\"retrieval\"", StringComparison.Ordinal));
    }

    [PromtoolFact]
    public void Promtool_accepts_the_export_with_token_counters()
    {
        using var temp = new TempDirectory();
        string logs = temp.Sub("logs");
        WriteLogs(logs, 10, 200);
        string text = CliRun.Expect(0, "export", "prometheus", "--log-dir", logs).Output;
        Assert.Contains("ragmonitor_stage_input_tokens_total", text);

        string promtool = ExternalTools.Require("promtool");
        ExternalTools.ProcessResult check = ExternalTools.Run(promtool, new[] { "check", "metrics" }, text);
        Assert.True(check.ExitCode == 0, $"promtool check metrics exited {check.ExitCode}:\n{check.Output}\n{check.Error}");
    }
}
