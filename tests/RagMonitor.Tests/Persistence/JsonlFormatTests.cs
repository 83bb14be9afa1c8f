using System;
using CsCheck;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Persistence;

public sealed class JsonlFormatTests
{
    private static readonly Regex s_timestampShape = new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}[+-]\d{2}:\d{2}$", RegexOptions.CultureInvariant);

    /// <summary>
    /// The writer rounds seconds and shares to six decimals (half away from zero): a written figure is within half a
    /// millionth of the exact one. Comparing both sides rounded to six places fails when the exact value ends in 5.
    /// </summary>
    private const double MicrosecondRounding = 0.5e-6 + 1e-12;

    internal static PerformanceMonitor NewMonitor(string directory, TimeProvider? clock = null, Action<PerformanceMonitorOptions>? configure = null)
    {
        var options = new PerformanceMonitorOptions { LogDirectory = directory, AdaptiveBottlenecks = false, SlowRequestThreshold = null };
        configure?.Invoke(options);
        return new PerformanceMonitor(options, null, clock);
    }

    [Fact]
    public async Task Every_line_keeps_the_seed_fields_and_the_file_name_starts_with_a_date()
    {
        using var dir = new TempDirectory();
        await using (var monitor = NewMonitor(dir.Path))
        {
            for (var i = 0; i < 20; i++)
            {
                var id = "req-" + i;
                monitor.StartRequest(id, "ask");
                monitor.LogStage(id, "retrieval", TimeSpan.FromMilliseconds(1500), new Dictionary<string, object?> { ["documents_retrieved"] = 50 });
                monitor.LogStage(id, "grading", TimeSpan.FromMilliseconds(300));
                monitor.LogStage(id, "generation", TimeSpan.FromMilliseconds(2767), new Dictionary<string, object?> { ["model"] = "gpt", ["temperature"] = 0.2, ["streamed"] = true });
                monitor.EndRequest(id);
            }

            await monitor.FlushAsync();
        }

        var files = LogFiles.JsonlFiles(dir.Path);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            Assert.EndsWith("_performance.jsonl", name);
            var datePart = name.Substring(0, name.IndexOf('_'));
            Assert.True(DateOnly.TryParseExact(datePart, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _), name);
        }

        var lines = LogFiles.ReadLines(dir.Path);
        Assert.Equal(20, lines.Count);
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var names = root.EnumerateObject().Select(p => p.Name).ToArray();
            Assert.Equal(new[] { "start_time", "total_time", "timestamp", "stages" }, names.Take(4));
            Assert.Equal(JsonValueKind.Number, root.GetProperty("start_time").ValueKind);
            Assert.Equal(JsonValueKind.Number, root.GetProperty("total_time").ValueKind);
            Assert.True(root.GetProperty("total_time").GetDouble() >= 0);

            var timestamp = root.GetProperty("timestamp").GetString()!;
            Assert.Matches(s_timestampShape, timestamp);
            var parsed = DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture);
            Assert.Equal(TimeSpan.Zero, parsed.Offset);
            var start = DateTimeOffset.FromUnixTimeMilliseconds((long)(root.GetProperty("start_time").GetDouble() * 1000));
            Assert.InRange(parsed - start, TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(10));
            Assert.StartsWith(parsed.ToString("yyyyMMdd", CultureInfo.InvariantCulture), Path.GetFileName(files[0]));

            var stages = root.GetProperty("stages");
            Assert.Equal(new[] { "generation", "grading", "retrieval" }, stages.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            foreach (var stage in stages.EnumerateObject())
            {
                Assert.Equal(JsonValueKind.Number, stage.Value.GetProperty("duration").ValueKind);
                Assert.Equal(JsonValueKind.Object, stage.Value.GetProperty("metadata").ValueKind);
                Assert.Equal(1, stage.Value.GetProperty("calls").GetInt32());
                Assert.Equal("success", stage.Value.GetProperty("status").GetString());
            }

            Assert.Equal(1.5, stages.GetProperty("retrieval").GetProperty("duration").GetDouble());
            Assert.Equal(50, stages.GetProperty("retrieval").GetProperty("metadata").GetProperty("documents_retrieved").GetInt64());
            var generation = stages.GetProperty("generation").GetProperty("metadata");
            Assert.Equal("gpt", generation.GetProperty("model").GetString());
            Assert.Equal(0.2, generation.GetProperty("temperature").GetDouble());
            Assert.True(generation.GetProperty("streamed").GetBoolean());

            Assert.Equal("ask", root.GetProperty("request").GetString());
            Assert.StartsWith("req-", root.GetProperty("request_id").GetString());
            Assert.Equal("success", root.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Array, root.GetProperty("bottlenecks").ValueKind);
        }
    }

    [Fact]
    public async Task Shares_bottlenecks_calls_and_failures_are_written()
    {
        using var dir = new TempDirectory();
        RequestSummary? summary;
        await using (var monitor = NewMonitor(dir.Path))
        {
            monitor.StartRequest("r1", "ask");
            monitor.LogStage("r1", "retrieval", TimeSpan.FromMilliseconds(700));
            monitor.LogStage("r1", "generation", TimeSpan.FromMilliseconds(100));
            monitor.LogStage("r1", "generation", TimeSpan.FromMilliseconds(100));
            monitor.MarkStageStatus("r1", "generation", OperationStatus.Failure, "TimeoutException");
            summary = monitor.EndRequest("r1", OperationStatus.Failure, "TimeoutException");
        }

        Assert.NotNull(summary);

        var record = Assert.Single(LogFiles.ReadRecords(dir.Path));
        Assert.Equal("failure", record.GetProperty("status").GetString());
        Assert.Equal("TimeoutException", record.GetProperty("error_type").GetString());
        var generation = record.GetProperty("stages").GetProperty("generation");
        Assert.Equal(2, generation.GetProperty("calls").GetInt32());
        Assert.Equal(0.2, generation.GetProperty("duration").GetDouble());
        Assert.Equal("failure", generation.GetProperty("status").GetString());
        Assert.Equal("TimeoutException", generation.GetProperty("error_type").GetString());
        Assert.Equal(summary!.TotalTime.TotalSeconds, record.GetProperty("total_time").GetDouble(), MicrosecondRounding);
        foreach (var stage in summary.Stages)
        {
            var written = record.GetProperty("stages").GetProperty(stage.Name);
            Assert.Equal(stage.Share, written.GetProperty("share").GetDouble(), MicrosecondRounding);
            Assert.Equal(stage.Duration.TotalSeconds, written.GetProperty("duration").GetDouble(), MicrosecondRounding);
        }

        var bottlenecks = record.GetProperty("bottlenecks").EnumerateArray().ToArray();
        Assert.Equal(summary.Bottlenecks.Count, bottlenecks.Length);
        Assert.NotEmpty(bottlenecks);
        for (var i = 0; i < bottlenecks.Length; i++)
        {
            Assert.Equal(summary.Bottlenecks[i].Stage, bottlenecks[i].GetProperty("stage").GetString());
            Assert.Equal("share", bottlenecks[i].GetProperty("rule").GetString());
            Assert.Equal(summary.Bottlenecks[i].Share, bottlenecks[i].GetProperty("share").GetDouble(), MicrosecondRounding);
        }
    }

    [Theory]
    [InlineData(0L, "0.0")]
    [InlineData(1L, "0.000001")]
    [InlineData(1_500_000L, "1.5")]
    [InlineData(2_000_000L, "2.0")]
    [InlineData(4_567_000L, "4.567")]
    [InlineData(1_764_403_200_123_456L, "1764403200.123456")]
    [InlineData(-1_500_000L, "-1.5")]
    [InlineData(long.MinValue, "-9223372036854.775808")]
    [InlineData(long.MaxValue, "9223372036854.775807")]
    public void Fixed_point_seconds_are_valid_json_numbers(long micros, string expected)
    {
        Span<byte> buffer = stackalloc byte[48];
        var length = JsonlRecordFormatter.FormatFixed6(micros, buffer);
        var text = Encoding.ASCII.GetString(buffer.Slice(0, length));
        Assert.Equal(expected, text);
        Assert.Equal(JsonValueKind.Number, JsonDocument.Parse(text).RootElement.ValueKind);
        Assert.Equal(micros / 1e6, double.Parse(text, CultureInfo.InvariantCulture), 6);
    }

    [Fact]
    public void Fixed_point_seconds_are_the_exact_decimal_value_for_any_count_of_microseconds()
    {
        Gen.Long.Sample(micros =>
        {
            Span<byte> buffer = stackalloc byte[48];
            var text = Encoding.ASCII.GetString(buffer.Slice(0, JsonlRecordFormatter.FormatFixed6(micros, buffer)));
            Assert.Equal(micros / 1_000_000m, decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture));
            Assert.Matches("^-?(0|[1-9][0-9]*)\\.[0-9]{1,6}$", text);
            Assert.True(text.EndsWith(".0", StringComparison.Ordinal) || !text.EndsWith('0'), text);
        }, iter: 20_000);
    }

    [Fact]
    public void Fixed_point_seconds_below_ten_seconds_are_the_exact_decimal_value()
    {
        // The one-integer-digit range (durations and shares) has a path of its own; its edges, then random values in it.
        var edges = new long[] { 0, 1, 9, 10, 99, 100, 999, 1_000, 9_999, 10_000, 99_999, 100_000, 100_001, 500_000, 999_999, 1_000_000, 1_000_001, 1_100_000, 9_999_999, 10_000_000 };
        Span<byte> buffer = stackalloc byte[48];
        foreach (var micros in edges)
        {
            Assert.Equal(Reference(micros), Encoding.ASCII.GetString(buffer.Slice(0, JsonlRecordFormatter.FormatFixed6(micros, buffer))));
        }

        Gen.Long[0, 10_000_000].Sample(micros =>
        {
            Span<byte> room = stackalloc byte[48];
            Assert.Equal(Reference(micros), Encoding.ASCII.GetString(room.Slice(0, JsonlRecordFormatter.FormatFixed6(micros, room))));
        }, iter: 50_000);

        // The decimal value with six places, trailing zeros cut (one fraction digit at least).
        static string Reference(long micros)
        {
            var text = (micros / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture).TrimEnd('0');
            return text.EndsWith('.') ? text + "0" : text;
        }
    }

    [Fact]
    public async Task Integer_metadata_and_call_counts_are_written_exactly_around_every_digit_count()
    {
        var values = new long[] { 0, 1, 9, 10, 11, 99, 100, 101, 999, 1_000, 1_001, 9_999, 10_000, 10_001, 123_456_789, long.MaxValue, -1, -9, -10, -9_999, -10_000, long.MinValue };
        using var dir = new TempDirectory();
        await using (var monitor = NewMonitor(dir.Path))
        {
            using (monitor.BeginRequest("ask"))
            {
                using (var stage = monitor.BeginStage("retrieval"))
                {
                    for (var i = 0; i < values.Length; i++)
                    {
                        stage.AddMetadata("v" + i.ToString(CultureInfo.InvariantCulture), values[i]);
                    }
                }

                for (var call = 1; call < 12; call++)
                {
                    using (monitor.BeginStage("grading"))
                    {
                    }
                }
            }
        }

        var record = Assert.Single(LogFiles.ReadRecords(dir.Path));
        var stages = record.GetProperty("stages");
        var metadata = stages.GetProperty("retrieval").GetProperty("metadata");
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i], metadata.GetProperty("v" + i.ToString(CultureInfo.InvariantCulture)).GetInt64());
        }

        Assert.Equal(11, stages.GetProperty("grading").GetProperty("calls").GetInt32());
        Assert.Contains("\"calls\":11,", File.ReadAllText(LogFiles.JsonlFiles(dir.Path).Single()), StringComparison.Ordinal);
    }

    [Fact]
    public void Timestamps_have_six_fraction_digits_and_an_explicit_offset()
    {
        Span<byte> buffer = stackalloc byte[48];
        var value = new DateTimeOffset(2026, 11, 29, 8, 0, 4, TimeSpan.Zero).AddTicks(6_901_234);
        var text = Encoding.ASCII.GetString(buffer.Slice(0, JsonlRecordFormatter.FormatTimestamp(value, buffer)));
        Assert.Equal("\"2026-11-29T08:00:04.690123+00:00\"", text);

        var india = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromMinutes(330));
        text = Encoding.ASCII.GetString(buffer.Slice(0, JsonlRecordFormatter.FormatTimestamp(india, buffer)));
        Assert.Equal("\"2026-01-02T03:04:05.000000+05:30\"", text);

        var west = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(-8));
        text = Encoding.ASCII.GetString(buffer.Slice(0, JsonlRecordFormatter.FormatTimestamp(west, buffer)));
        Assert.Equal("\"2026-01-02T03:04:05.000000-08:00\"", text);
        Assert.Equal(west, DateTimeOffset.Parse(JsonSerializer.Deserialize<string>(text)!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task File_date_is_the_request_end_in_utc_by_default_and_local_when_configured()
    {
        // 23:30 UTC on Jan 1 is 05:00 on Jan 2 in UTC+05:30.
        var zone = TimeZoneInfo.CreateCustomTimeZone("Test+0530", TimeSpan.FromMinutes(330), "Test+0530", "Test+0530");
        var clock = new ManualWallClock(new DateTimeOffset(2026, 1, 1, 23, 30, 0, TimeSpan.Zero), zone);

        using var utcDir = new TempDirectory();
        await using (var monitor = NewMonitor(utcDir.Path, clock))
        {
            monitor.StartRequest("a");
            monitor.LogStage("a", "retrieval", TimeSpan.FromMilliseconds(1));
            monitor.EndRequest("a");
        }

        Assert.Equal("20260101_performance.jsonl", Path.GetFileName(Assert.Single(LogFiles.JsonlFiles(utcDir.Path))));
        Assert.EndsWith("+00:00", Assert.Single(LogFiles.ReadRecords(utcDir.Path)).GetProperty("timestamp").GetString());

        using var localDir = new TempDirectory();
        await using (var monitor = NewMonitor(localDir.Path, clock, o => o.UseUtcFileDates = false))
        {
            monitor.StartRequest("b");
            monitor.LogStage("b", "retrieval", TimeSpan.FromMilliseconds(1));
            monitor.EndRequest("b");
        }

        Assert.Equal("20260102_performance.jsonl", Path.GetFileName(Assert.Single(LogFiles.JsonlFiles(localDir.Path))));
        var timestamp = Assert.Single(LogFiles.ReadRecords(localDir.Path)).GetProperty("timestamp").GetString()!;
        Assert.StartsWith("2026-01-02T05:00:", timestamp);
        Assert.EndsWith("+05:30", timestamp);
    }

    [Fact]
    public async Task Records_go_to_the_file_of_the_day_their_request_ended()
    {
        var clock = new ManualWallClock(new DateTimeOffset(2026, 3, 9, 23, 59, 0, TimeSpan.Zero));
        using var dir = new TempDirectory();
        await using (var monitor = NewMonitor(dir.Path, clock))
        {
            monitor.StartRequest("before");
            monitor.EndRequest("before");
            clock.Now = clock.Now.AddMinutes(2);
            monitor.StartRequest("after");
            monitor.EndRequest("after");
        }

        var files = LogFiles.JsonlFiles(dir.Path).Select(Path.GetFileName).ToArray();
        Assert.Equal(new[] { "20260309_performance.jsonl", "20260310_performance.jsonl" }, files);
        Assert.Contains("\"before\"", File.ReadAllText(Path.Combine(dir.Path, files[0]!)));
        Assert.Contains("\"after\"", File.ReadAllText(Path.Combine(dir.Path, files[1]!)));
    }

    [Fact]
    public async Task The_log_directory_is_created_when_missing()
    {
        using var dir = new TempDirectory();
        var nested = dir.Combine("a", "b", "logs");
        await using (var monitor = NewMonitor(nested))
        {
            monitor.StartRequest("x");
            monitor.EndRequest("x");
            await monitor.FlushAsync();
            Assert.Equal(1, monitor.GetStatistics().Counters.LogRecordsWritten);
        }

        Assert.Single(LogFiles.ReadLines(nested));
    }
}
