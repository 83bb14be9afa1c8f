using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using RagMonitor.Cli.Tests.Infrastructure;

namespace RagMonitor.Cli.Tests.Commands;

public sealed class TrendAndReportTests : IClassFixture<SampleLogsFixture>
{
    private readonly SampleLogsFixture _logs;

    public TrendAndReportTests(SampleLogsFixture logs) => _logs = logs;

    [Fact]
    public void Trend_writes_a_png_and_an_svg_with_labels_and_legend()
    {
        using var temp = new TempDirectory();
        string png = temp.Combine("trend.png");
        CliRun.Expect(0, "trend", "--log-dir", _logs.Directory, "--out", png, "--bucket", "6h");
        byte[] bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 10_000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes.Take(4).ToArray());

        string svgPath = temp.Combine("trend.svg");
        CliResult result = CliRun.Expect(0, "trend", "--log-dir", _logs.Directory, "--out", svgPath, "--stage", "retrieval", "--stage", "total");
        string svg = File.ReadAllText(svgPath);
        Assert.Contains("<svg", svg);
        Assert.Contains("Duration (s)", svg);
        Assert.Contains("Time (UTC)", svg);
        Assert.Contains("retrieval p50", svg);
        Assert.Contains("retrieval p95", svg);
        Assert.Contains("total p95", svg);
        Assert.DoesNotContain("generation p50", svg);
        Assert.Contains("wrote " + svgPath, result.Error);
    }

    [Fact]
    public void Trend_to_stdout_prints_a_sparkline_per_series_and_statistic()
    {
        CliResult result = CliRun.Expect(0, "trend", "--log-dir", _logs.Directory, "--out", "-", "--bucket", "1d");
        string[] lines = result.Output.TrimEnd('\n').Split('\n');
        Assert.Contains("per 1d bucket", lines[0]);
        Assert.Contains("7 bucket(s)", lines[0]);
        string[] rows = lines.Skip(2).ToArray();
        Assert.Equal(8, rows.Length);
        Assert.All(rows, r => Assert.Matches("[▁▂▃▄▅▆▇█]{7}$", r));
        Assert.Contains(rows, r => Regex.IsMatch(r, @"^retrieval\s+p95"));
    }

    [Fact]
    public void Report_is_one_self_contained_html_file_with_every_section()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("report.html");
        CliRun.Expect(0, "report", "--log-dir", _logs.Directory, "--out", path, "--top", "5");
        string html = File.ReadAllText(path);
        Assert.StartsWith("<!DOCTYPE html>", html);
        foreach (string id in new[] { "summary", "trend", "breakdown", "bottlenecks", "slowest" })
        {
            Assert.Contains($"<section id=\"{id}\">", html);
        }

        Assert.Contains("2026-11-23", html);
        Assert.Contains("2026-11-29", html);
        Assert.Equal(5, Regex.Matches(html, "class=\"chart waterfall\"").Count);
        Assert.Contains("Content-Security-Policy", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"(src|href)\s*=", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
    }

    [Fact]
    public void Report_escapes_names()
    {
        using var temp = new TempDirectory();
        string logs = temp.Sub("logs");
        var t = new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
        LogLines.Write(logs, "20261129_performance.jsonl", new[] { LogLines.RagMonitor("<script>alert(1)</script>", "\"><img>", t, 1, new[] { ("<b>stage</b>", 0.5) }) });
        string path = temp.Combine("r.html");
        CliRun.Expect(0, "report", "--log-dir", logs, "--out", path);
        string html = File.ReadAllText(path);
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<b>stage</b>", html);
        Assert.Contains("&lt;b&gt;stage&lt;/b&gt;", html);
    }

    [ChromiumFact]
    public void Report_renders_in_headless_chromium_without_console_errors()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("report.html");
        CliRun.Expect(0, "report", "--log-dir", _logs.Directory, "--out", path);
        (string dom, string[] console, string stderr) = Chromium.DumpDom(path, temp.Sub("chromium-profile"));
        Assert.True(console.Length == 0, "console messages:\n" + string.Join("\n", console));
        Assert.Contains("RagMonitor performance report", dom);
        Assert.Contains("<section id=\"slowest\">", dom);
        Assert.Contains("<svg", dom);
        _ = stderr;

        string screenshot = temp.Combine("report.png");
        Chromium.Screenshot(path, screenshot, temp.Sub("chromium-profile-2"), 1100, 1600);
        Assert.True(new FileInfo(screenshot).Length > 20_000);

        string target = Environment.GetEnvironmentVariable("RAGMON_REPORT_SCREENSHOT") ?? string.Empty;
        if (target.Length > 0)
        {
            File.Copy(screenshot, target, overwrite: true);
        }
    }

    [ChromiumFact]
    public void The_console_check_catches_a_page_that_makes_a_request()
    {
        // Negative control: the detector must see the CSP violation of an external image.
        using var temp = new TempDirectory();
        string path = temp.Combine("bad.html");
        File.WriteAllText(path, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"><title>bad</title></head><body><img src=\"http://127.0.0.1:9/x.png\" alt=\"x\"></body></html>");
        (_, string[] console, _) = Chromium.DumpDom(path, temp.Sub("profile"));
        Assert.NotEmpty(console);
    }
}
