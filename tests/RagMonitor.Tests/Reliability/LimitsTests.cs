using System;
using System.Linq;
using System.Threading.Tasks;
using RagMonitor.Tests.Persistence;

namespace RagMonitor.Tests.Reliability;

/// <summary>Names and ids are cut to documented lengths, keys stay unique, share is 0–1, Options is a copy.</summary>
public sealed class LimitsTests
{
    [Fact]
    public async Task Huge_names_ids_and_keys_are_cut_to_the_documented_lengths_so_a_line_stays_small()
    {
        using var dir = new TempDirectory();
        var huge = new string('n', 10_000_000);
        await using (var monitor = JsonlFormatTests.NewMonitor(dir.Path))
        {
            monitor.StartRequest(huge, huge);
            monitor.LogStage(huge, huge, TimeSpan.FromMilliseconds(1), new System.Collections.Generic.Dictionary<string, object?> { [huge] = 1 });
            monitor.MarkStageStatus(huge, huge, OperationStatus.Failure, huge);
            var summary = monitor.EndRequest(huge, OperationStatus.Failure, huge);
            Assert.NotNull(summary);
            Assert.Null(monitor.GetSummary(huge + "x"));
            Assert.Same(summary, monitor.GetSummary(huge)); // the caller's id still finds it

            using (monitor.BeginRequest(huge, huge))
            {
                using var stage = monitor.BeginStage(huge);
                stage.AddMetadata(huge, "v");
            }
        }

        var lines = LogFiles.ReadLines(dir.Path);
        Assert.Equal(2, lines.Count);
        foreach (var line in lines)
        {
            Assert.True(line.Length < 4_000, $"line of {line.Length} characters");
            var record = JsonChecks.ParseWithUniqueKeys(line);
            var cut = new string('n', PerformanceMonitorOptions.MaxNameLength - "…[truncated]".Length) + "…[truncated]";
            Assert.Equal(cut, record.GetProperty("request").GetString());
            Assert.Equal(cut, record.GetProperty("request_id").GetString());
            var stage = Assert.Single(record.GetProperty("stages").EnumerateObject());
            Assert.Equal(cut, stage.Name);
            var key = Assert.Single(stage.Value.GetProperty("metadata").EnumerateObject());
            Assert.Equal(cut, key.Name);
        }
    }

    [Fact]
    public async Task Names_that_become_equal_once_lone_surrogates_are_replaced_are_one_stage_and_one_key()
    {
        using var dir = new TempDirectory();
        await using (var monitor = JsonlFormatTests.NewMonitor(dir.Path))
        {
            using (monitor.BeginRequest("ask", "id\ud800"))
            {
                using (var stage = monitor.BeginStage("x\ud800"))
                {
                    stage.AddMetadata("k\ud800", 1);
                    stage.AddMetadata("k\udc00", 2);
                }

                using (monitor.BeginStage("x\udc00"))
                {
                }
            }

            monitor.StartRequest("e");
            monitor.LogStage("e", "x\ud800", TimeSpan.FromMilliseconds(1));
            monitor.LogStage("e", "x\udc00", TimeSpan.FromMilliseconds(1));
            var summary = monitor.EndRequest("e");
            Assert.Equal(2, Assert.Single(summary!.Stages).Calls);
        }

        foreach (var line in LogFiles.ReadLines(dir.Path))
        {
            var record = JsonChecks.ParseWithUniqueKeys(line);
            var stage = Assert.Single(record.GetProperty("stages").EnumerateObject());
            Assert.Equal("x\uFFFD", stage.Name);
            Assert.Equal(2, stage.Value.GetProperty("calls").GetInt32());
        }

        var ambient = JsonChecks.ParseWithUniqueKeys(LogFiles.ReadLines(dir.Path).First(l => l.Contains("\"k", StringComparison.Ordinal)));
        var metadata = Assert.Single(ambient.GetProperty("stages").GetProperty("x\uFFFD").GetProperty("metadata").EnumerateObject());
        Assert.Equal(2, metadata.Value.GetInt32()); // the later value for the same key wins
        Assert.Equal("id\uFFFD", ambient.GetProperty("request_id").GetString());
    }

    [Fact]
    public void A_summary_built_outside_a_monitor_with_repeated_names_is_written_with_unique_keys()
    {
        using var dir = new TempDirectory();
        var metadata = new[] { new System.Collections.Generic.KeyValuePair<string, MetadataValue>("k\ud800", 1), new("k\udc00", 2) };
        var stages = new[]
        {
            new StageSummary("x\ud800", TimeSpan.FromMilliseconds(1), 1, 0.1, OperationStatus.Success, null, metadata),
            new StageSummary("x\udc00", TimeSpan.FromMilliseconds(1), 1, 0.1, OperationStatus.Success, null, metadata),
        };
        var summary = new RequestSummary("ask", "id", DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(10), OperationStatus.Success, null, stages, Array.Empty<Bottleneck>(), true, null, null);
        using (var sink = new JsonlSink(new PerformanceMonitorOptions { LogDirectory = dir.Path }))
        {
            Assert.True(sink.TryEnqueue(summary));
        }

        var record = JsonChecks.ParseWithUniqueKeys(Assert.Single(LogFiles.ReadLines(dir.Path)));
        Assert.Equal(new[] { "x\uFFFD", "x\uFFFD#2" }, record.GetProperty("stages").EnumerateObject().Select(p => p.Name));
        Assert.Equal(new[] { "k\uFFFD", "k\uFFFD#2" }, record.GetProperty("stages").GetProperty("x\uFFFD").GetProperty("metadata").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Share_stays_within_0_and_1_when_logged_durations_exceed_the_request_time()
    {
        using var dir = new TempDirectory();
        await using (var monitor = JsonlFormatTests.NewMonitor(dir.Path))
        {
            monitor.StartRequest("r");
            monitor.LogStage("r", "long", TimeSpan.FromSeconds(500));
            monitor.LogStage("r", "zero", TimeSpan.Zero);
            var summary = monitor.EndRequest("r")!;
            Assert.Equal(1.0, summary.FindStage("long")!.Share);
            Assert.Equal(0.0, summary.FindStage("zero")!.Share);
            Assert.Contains("long (100.0%)", summary.BottleneckTexts);
        }

        var record = JsonChecks.ParseWithUniqueKeys(Assert.Single(LogFiles.ReadLines(dir.Path)));
        Assert.Equal(1.0, record.GetProperty("stages").GetProperty("long").GetProperty("share").GetDouble());
        Assert.Equal(1.0, record.GetProperty("bottlenecks")[0].GetProperty("share").GetDouble());
    }

    [Fact]
    public void Options_is_a_copy_that_cannot_change_the_monitor()
    {
        var options = new PerformanceMonitorOptions { WriteLogs = false, BottleneckShareThreshold = 0.5, AdaptiveBottlenecks = false };
        using var monitor = new PerformanceMonitor(options);
        options.BottleneckShareThreshold = 0.01; // the caller's object was copied too
        var view = monitor.Options;
        view.BottleneckShareThreshold = 0.01;
        view.StageDurationThresholds["s"] = TimeSpan.Zero;
        Assert.NotSame(view, monitor.Options);
        Assert.Equal(0.5, monitor.Options.BottleneckShareThreshold);
        Assert.Empty(monitor.Options.StageDurationThresholds);

        monitor.StartRequest("r");
        monitor.LogStage("r", "s", TimeSpan.FromTicks(1));
        Assert.Empty(monitor.EndRequest("r")!.Bottlenecks);
    }
}
