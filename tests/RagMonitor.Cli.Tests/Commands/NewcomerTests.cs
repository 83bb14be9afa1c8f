using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RagMonitor.Cli.Analysis;
using RagMonitor.Cli.Tests.Infrastructure;

namespace RagMonitor.Cli.Tests.Commands;

/// <summary>What a newcomer met on a fresh machine (issue 13): typos, corrupt files, a file as --log-dir, Python logs, buckets.</summary>
public sealed class NewcomerTests
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("sumary", "unknown command 'sumary'; did you mean 'summary'?")]
    [InlineData("reprot", "unknown command 'reprot'; did you mean 'report'?")]
    [InlineData("chek", "unknown command 'chek'; did you mean 'check'?")]
    [InlineData("Trend", "unknown command 'Trend'; did you mean 'trend'?")]
    public void An_unknown_command_names_itself_and_suggests_the_nearest(string typo, string expected)
    {
        CliResult result = CliRun.Expect(2, typo, "--log-dir", "x");
        Assert.Equal("ragmon: " + expected + " (see 'ragmon --help')", CliRun.Single(result.Error));
        Assert.Equal(string.Empty, result.Output);
    }

    [Fact]
    public void An_unknown_subcommand_names_itself_and_lists_the_choices()
    {
        CliResult graphite = CliRun.Expect(2, "export", "graphite");
        Assert.Equal("ragmon: unknown 'ragmon export' command 'graphite'; the commands are prometheus (see 'ragmon export --help')", CliRun.Single(graphite.Error));
        CliResult typo = CliRun.Expect(2, "export", "promethues");
        Assert.Contains("did you mean 'prometheus'?", CliRun.Single(typo.Error));
        CliResult nothingClose = CliRun.Expect(2, "frobnicate");
        Assert.Contains("unknown command 'frobnicate'; the commands are summary, trend, report, export, cleanup, check, compare", CliRun.Single(nothingClose.Error));
    }

    [Fact]
    public void A_file_given_as_log_dir_is_called_a_file()
    {
        using var temp = new TempDirectory();
        string file = temp.Combine("README.md");
        File.WriteAllText(file, "# not logs\n");
        foreach (string[] args in new[]
        {
            new[] { "summary", "--log-dir", file },
            new[] { "trend", "--out", "-", "--log-dir", file },
            new[] { "cleanup", "--retention-days", "3", "--log-dir", file },
            new[] { "compare", file, temp.Path },
        })
        {
            string line = CliRun.Single(CliRun.Expect(2, args).Error);
            Assert.Contains($"'{file}' is a file, not a directory", line);
        }
    }

    [Fact]
    public void A_corrupt_gz_file_is_named_skipped_and_counted_and_the_others_are_read()
    {
        using var temp = new TempDirectory();
        LogLines.Write(temp.Path, "20261129_performance.jsonl", Enumerable.Range(0, 5).Select(i => Line(i)));
        // Not gzip at all: a text file renamed .gz.
        File.WriteAllText(temp.Combine("20261127_performance.jsonl.gz"), Line(10) + "\n");
        // A gzip file cut in the middle (a copy that did not finish): its whole lines are read, the cut one is skipped.
        byte[] good = Gzip(string.Join("\n", Enumerable.Range(20, 400).Select(i => Line(i))) + "\n");
        byte[] broken = good.Take(good.Length / 2).ToArray();
        File.WriteAllBytes(temp.Combine("20261128_performance.jsonl.gz"), broken);

        CliResult result = CliRun.Expect(0, "summary", "--log-dir", temp.Path, "--format", "json");
        JsonElement root = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal(3, root.GetProperty("files").GetInt32());
        Assert.Equal(2, root.GetProperty("lines_skipped").GetInt64());
        long records = root.GetProperty("records").GetInt64();
        Assert.InRange(records, 5, 5 + 399);
        Assert.Contains("skipped 2 unreadable line(s)", result.Error);
        Assert.Contains(temp.Combine("20261127_performance.jsonl.gz") + ":1: cannot read the file", result.Error);
        Assert.Contains(temp.Combine("20261128_performance.jsonl.gz") + ":", result.Error);
        Assert.Contains("the rest of this file is skipped", result.Error);
    }

    [Fact]
    public void Python_module_lines_get_bottleneck_rates_from_their_durations()
    {
        using var temp = new TempDirectory();
        // retrieval 79.5 %, generation 20 %; a second request where generation is exactly 30 % (not over the threshold).
        LogLines.Write(temp.Path, "20261129_performance.jsonl", new[]
        {
            LogLines.Python(s_start, 2.0, new[] { ("retrieval", 1.59), ("generation", 0.4) }),
            LogLines.Python(s_start.AddMinutes(1), 1.0, new[] { ("retrieval", 0.7), ("generation", 0.3) }),
        });
        JsonElement stages = Summary(temp.Path).GetProperty("requests")[0].GetProperty("stages");
        JsonElement retrieval = stages.EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "retrieval");
        JsonElement generation = stages.EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "generation");
        Assert.Equal(1.0, retrieval.GetProperty("bottleneck_rate").GetDouble(), 9);
        Assert.Equal(0.0, generation.GetProperty("bottleneck_rate").GetDouble(), 9);

        JsonElement strict = Summary(temp.Path, "--bottleneck-threshold", "0.75").GetProperty("requests")[0].GetProperty("stages");
        Assert.Equal(0.5, strict.EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "retrieval").GetProperty("bottleneck_rate").GetDouble(), 9);
        Assert.Contains("--bottleneck-threshold", CliRun.Single(CliRun.Expect(2, "summary", "--log-dir", temp.Path, "--bottleneck-threshold", "1.5").Error));
    }

    [Fact]
    public void RagMonitor_lines_keep_the_bottlenecks_they_wrote()
    {
        using var temp = new TempDirectory();
        // The writer flagged nothing (an empty list), although the stage's share is 0.8: the line is read as written.
        string line = LogLines.RagMonitor("ask", "a", s_start, 1.0, new[] { ("retrieval", 0.8) }).Replace("\"bottlenecks\":[{\"stage\":\"retrieval\",\"share\":0.8,\"rule\":\"share\"}]", "\"bottlenecks\":[]", StringComparison.Ordinal);
        Assert.Contains("\"bottlenecks\":[]", line);
        LogLines.Write(temp.Path, "20261129_performance.jsonl", new[] { line });
        JsonElement retrieval = Summary(temp.Path).GetProperty("requests")[0].GetProperty("stages")[0];
        Assert.Equal(0.0, retrieval.GetProperty("bottleneck_rate").GetDouble(), 9);
    }

    [Fact]
    public void Generate_never_writes_a_timestamp_later_than_now()
    {
        using var temp = new TempDirectory();
        CliRun.Expect(0, "generate", "--out", temp.Path, "--requests", "5000", "--days", "7");
        var timestamps = new List<DateTimeOffset>();
        foreach (string file in Directory.GetFiles(temp.Path))
        {
            foreach (string line in File.ReadLines(file))
            {
                using JsonDocument json = JsonDocument.Parse(line);
                timestamps.Add(DateTimeOffset.Parse(json.RootElement.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture));
            }
        }

        Assert.Equal(5000, timestamps.Count);
        Assert.All(timestamps, t => Assert.True(t <= CliRun.Now, $"{t:O} is after now ({CliRun.Now:O})"));
        Assert.True(timestamps.Max() > CliRun.Now.AddHours(-1), "the last requests end shortly before now");
        Assert.Contains("in the future", CliRun.Single(CliRun.Expect(2, "generate", "--out", temp.Path, "--end", "2026-11-30").Error));
    }

    [Fact]
    public void Fifty_requests_over_four_seconds_get_one_bucket_per_group_in_every_output()
    {
        using var temp = new TempDirectory();
        LogLines.Write(temp.Path, "20261129_performance.jsonl", Enumerable.Range(0, 50).Select(i =>
            LogLines.RagMonitor("ask", "id-" + i, s_start.AddMilliseconds(80 * i), 0.2 + (i % 5 * 0.01), new[] { ("retrieval", 0.05), ("generation", 0.12) })));
        Buckets buckets = AllOutputs(temp);
        Assert.Equal("100ms", buckets.Size);
        Assert.InRange(buckets.Count, 25, 50);
        Assert.Equal("ms", buckets.Unit);
    }

    [Fact]
    public void A_week_of_requests_gets_60_to_120_buckets_in_every_output()
    {
        using var temp = new TempDirectory();
        RagMonitor.Cli.Commands.SampleLogGenerator.Write(temp.Path, new RagMonitor.Cli.Commands.SampleLogOptions { Requests = 3000, Days = 7, LastDay = new DateOnly(2026, 11, 29) });
        Buckets buckets = AllOutputs(temp);
        Assert.InRange(buckets.Count, TrendAnalysis.MinAutoBuckets, TrendAnalysis.MaxAutoBuckets);
        Assert.Equal("s", buckets.Unit);
    }

    [Fact]
    public void Fifty_requests_spread_over_half_a_day_count_the_empty_buckets_alike_everywhere()
    {
        using var temp = new TempDirectory();
        // Requests every ~14 minutes in 5-minute buckets: most buckets are empty, every output counts the same span.
        LogLines.Write(temp.Path, "20261129_performance.jsonl", Enumerable.Range(0, 50).Select(i =>
            LogLines.RagMonitor("ask", "id-" + i, s_start.AddMinutes(-10 * 60).AddSeconds(i * 853), 1.2, new[] { ("retrieval", 0.5) })));
        Buckets buckets = AllOutputs(temp);
        Assert.InRange(buckets.Count, 25, 50);
    }

    [Fact]
    public void Four_hours_of_records_in_a_week_of_file_names_are_bucketed_by_the_records()
    {
        using var temp = new TempDirectory();
        // Files named over seven days (one day apart), but every record is within four hours of the last day.
        for (int day = 0; day < 7; day++)
        {
            string name = new DateOnly(2026, 11, 23).AddDays(day).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "_performance.jsonl";
            LogLines.Write(temp.Path, name, Enumerable.Range(0, 40).Select(i =>
                LogLines.RagMonitor("ask", $"{day}-{i}", s_start.AddSeconds((day * 40 + i) * 51), 1.5, new[] { ("retrieval", 0.5) })));
        }

        Buckets buckets = AllOutputs(temp);
        Assert.InRange(buckets.Count, TrendAnalysis.MinAutoBuckets, TrendAnalysis.MaxAutoBuckets);
        Assert.Equal("2m", buckets.Size);
    }

    [Theory]
    [InlineData(0.2, 1000)]
    [InlineData(4, 100)]
    [InlineData(61, 100)]
    [InlineData(3600, 100)]
    [InlineData(86400 * 7, 10_000)]
    [InlineData(86400 * 400, 10_000)]
    public void The_automatic_bucket_gives_60_to_120_buckets_for_any_span_with_enough_records(double spanSeconds, long records)
    {
        DateTimeOffset first = s_start.AddTicks(1234567);
        DateTimeOffset last = first.AddSeconds(spanSeconds);
        TimeSpan size = TrendAnalysis.ChooseAutoBucket(first, last, records);
        long count = TrendAnalysis.BucketsBetween(first, last, size);
        Assert.InRange(count, TrendAnalysis.MinAutoBuckets, TrendAnalysis.MaxAutoBuckets);
        Assert.True(TrendAnalysis.FitsAutoBucket(size, first, last, records));
    }

    [Fact]
    public void The_automatic_bucket_sizes_grow_by_at_most_twice()
    {
        TimeSpan[] sizes = TrendAnalysis.AutoBucketSizes;
        for (int i = 1; i < sizes.Length; i++)
        {
            Assert.True(sizes[i] > sizes[i - 1] && sizes[i].Ticks <= 2 * sizes[i - 1].Ticks, $"{sizes[i - 1]} → {sizes[i]}");
        }
    }

    private sealed record Buckets(string Size, int Count, string Unit);

    /// <summary>Runs trend (PNG, SVG, terminal) and report on the logs and checks that they agree on bucket and unit.</summary>
    private static Buckets AllOutputs(TempDirectory temp)
    {
        string png = temp.Combine("out.png");
        string svg = temp.Combine("out.svg");
        string html = temp.Combine("out.html");
        string pngMessage = CliRun.Expect(0, "trend", "--log-dir", temp.Path, "--out", png).Error;
        string svgMessage = CliRun.Expect(0, "trend", "--log-dir", temp.Path, "--out", svg).Error;
        string terminal = CliRun.Expect(0, "trend", "--log-dir", temp.Path, "--out", "-").Output;
        CliRun.Expect(0, "report", "--log-dir", temp.Path, "--out", html);
        Match written = Regex.Match(pngMessage, @"\((\d+) bucket\(s\) of (\S+),");
        Assert.True(written.Success, pngMessage);
        Assert.Contains(written.Value, svgMessage);
        string size = written.Groups[2].Value;
        int count = int.Parse(written.Groups[1].Value, CultureInfo.InvariantCulture);

        Match header = Regex.Match(terminal, @"^p50 / p95 per (\S+) bucket, .*, (\d+) bucket\(s\); durations in (\S+);");
        Assert.True(header.Success, terminal);
        Assert.Equal(size, header.Groups[1].Value);
        Assert.Equal(count, int.Parse(header.Groups[2].Value, CultureInfo.InvariantCulture));
        string unit = header.Groups[3].Value;

        string svgText = File.ReadAllText(svg);
        Assert.Contains($"Duration ({unit})", svgText);
        Assert.Contains($"per {size} bucket", svgText);

        string report = File.ReadAllText(html);
        string trend = report[report.IndexOf("<section id=\"trend\">", StringComparison.Ordinal)..];
        trend = trend[..trend.IndexOf("</section>", StringComparison.Ordinal)];
        Assert.Contains($"per {size} bucket", trend);
        Assert.Contains($">Duration ({unit})</text>", trend);
        // Tick labels are plain numbers in the axis's unit (no "200 ms" under a seconds label).
        MatchCollection ticks = Regex.Matches(trend, "class=\"tick\">([^<]*)</text>");
        Assert.NotEmpty(ticks);
        Assert.All(ticks.Where(t => !t.Groups[1].Value.Contains(':', StringComparison.Ordinal) && !t.Groups[1].Value.Contains('-', StringComparison.Ordinal)),
            t => Assert.Matches(@"^[0-9.]+$", t.Groups[1].Value));
        // One circle per non-empty bucket and line at most.
        return new Buckets(size, count, unit);
    }

    private static JsonElement Summary(string directory, params string[] extra)
        => JsonDocument.Parse(CliRun.Expect(0, new[] { "summary", "--log-dir", directory, "--format", "json" }.Concat(extra).ToArray()).Output).RootElement;

    private static string Line(int i)
        => LogLines.RagMonitor("ask", "id-" + i, s_start.AddSeconds(i), 1.0, new[] { ("retrieval", 0.4), ("generation", 0.5) });

    private static byte[] Gzip(string text)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true))
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            gzip.Write(bytes, 0, bytes.Length);
        }

        return memory.ToArray();
    }
}
