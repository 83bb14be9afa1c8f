using System;
using System.Collections.Generic;
using System.Linq;
using RagMonitor.Tests.Statistics;

namespace RagMonitor.Tests.Monitor;

/// <summary>The Python module's scenarios, through the explicit API, without its faults.</summary>
public sealed class ReferenceBehaviourTests
{
    private static (PerformanceMonitor Monitor, ManualTimeProvider Clock) Create(Action<PerformanceMonitorOptions>? configure = null)
    {
        var options = new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false };
        configure?.Invoke(options);
        var clock = new ManualTimeProvider();
        return (new PerformanceMonitor(options, null, clock), clock);
    }

    [Fact]
    public void Three_stages_give_total_shares_and_one_bottleneck()
    {
        var (monitor, clock) = Create();
        Assert.True(monitor.StartRequest("q1", "ask"));
        monitor.LogStage("q1", "retrieval", TimeSpan.FromSeconds(1.5), new Dictionary<string, object?> { ["documents_retrieved"] = 50 });
        monitor.LogStage("q1", "grading", TimeSpan.FromSeconds(0.5));
        monitor.LogStage("q1", "generation", TimeSpan.FromSeconds(2.0));
        clock.Advance(TimeSpan.FromSeconds(4));
        var summary = monitor.EndRequest("q1")!;

        Assert.Equal(TimeSpan.FromSeconds(4), summary.TotalTime);
        Assert.Equal(new[] { "retrieval", "grading", "generation" }, summary.Stages.Select(s => s.Name));
        Assert.Equal(0.375, summary.FindStage("retrieval")!.Share, 6);
        Assert.Equal(0.5, summary.FindStage("generation")!.Share, 6);
        Assert.Equal(new[] { "retrieval (37.5%)", "generation (50.0%)" }, summary.BottleneckTexts);
        Assert.Equal(50L, summary.FindStage("retrieval")!.Metadata.Single().Value.IntegerValue);
        Assert.Equal(OperationStatus.Success, summary.Status);
        Assert.Equal("ask", summary.RequestName);
        Assert.Equal("q1", summary.RequestId);
    }

    [Fact]
    public void A_stage_at_exactly_thirty_percent_is_not_a_bottleneck()
    {
        var (monitor, clock) = Create();
        monitor.StartRequest("q");
        monitor.LogStage("q", "retrieval", TimeSpan.FromSeconds(3));
        monitor.LogStage("q", "grading", TimeSpan.FromSeconds(3));
        monitor.LogStage("q", "generation", TimeSpan.FromSeconds(4));
        clock.Advance(TimeSpan.FromSeconds(10));
        var summary = monitor.EndRequest("q")!;
        Assert.Equal(new[] { "generation (40.0%)" }, summary.BottleneckTexts);
    }

    [Fact]
    public void A_seventy_thirty_split_flags_one_stage()
    {
        var (monitor, clock) = Create();
        monitor.StartRequest("q");
        monitor.LogStage("q", "retrieval", TimeSpan.FromSeconds(7));
        monitor.LogStage("q", "generation", TimeSpan.FromSeconds(3));
        clock.Advance(TimeSpan.FromSeconds(10));
        var summary = monitor.EndRequest("q")!;
        var bottleneck = Assert.Single(summary.Bottlenecks);
        Assert.Equal("retrieval", bottleneck.Stage);
        Assert.Equal(BottleneckRule.Share, bottleneck.Rule);
        Assert.Equal("retrieval (70.0%)", bottleneck.ToString());
    }

    [Fact]
    public void The_share_threshold_is_configurable()
    {
        var (monitor, clock) = Create(o => o.BottleneckShareThreshold = 0.8);
        monitor.StartRequest("q");
        monitor.LogStage("q", "retrieval", TimeSpan.FromSeconds(7));
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(monitor.EndRequest("q")!.Bottlenecks);
    }

    [Fact]
    public void Absolute_stage_thresholds_flag_slow_stages_even_with_a_small_share()
    {
        var (monitor, clock) = Create(o => o.StageDurationThresholds["grading"] = TimeSpan.FromMilliseconds(500));
        monitor.StartRequest("q");
        monitor.LogStage("q", "grading", TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(10));
        var bottleneck = Assert.Single(monitor.EndRequest("q")!.Bottlenecks);
        Assert.Equal(BottleneckRule.AbsoluteThreshold, bottleneck.Rule);
        Assert.Contains("500.0 ms", bottleneck.Reason);
    }

    [Fact]
    public void Logging_a_stage_twice_sums_durations_and_counts_calls()
    {
        var (monitor, clock) = Create();
        monitor.StartRequest("q");
        monitor.LogStage("q", "retrieval", TimeSpan.FromSeconds(1));
        monitor.LogStage("q", "retrieval", TimeSpan.FromSeconds(2));
        clock.Advance(TimeSpan.FromSeconds(4));
        var stage = Assert.Single(monitor.EndRequest("q")!.Stages);
        Assert.Equal(TimeSpan.FromSeconds(3), stage.Duration);
        Assert.Equal(2, stage.Calls);
    }

    [Fact]
    public void GetSummary_of_an_in_flight_request_works_without_time_passing()
    {
        var (monitor, _) = Create();
        monitor.StartRequest("q");
        monitor.LogStage("q", "retrieval", TimeSpan.Zero);
        var summary = monitor.GetSummary("q")!;
        Assert.False(summary.IsCompleted);
        Assert.Equal(TimeSpan.Zero, summary.TotalTime);
        Assert.Equal(0, summary.Stages.Single().Share);
        Assert.Empty(summary.Bottlenecks);
    }

    [Fact]
    public void GetSummary_after_the_end_returns_the_final_summary_and_unknown_ids_return_null()
    {
        var (monitor, clock) = Create();
        monitor.StartRequest("q");
        clock.Advance(TimeSpan.FromSeconds(1));
        var ended = monitor.EndRequest("q");
        Assert.Same(ended, monitor.GetSummary("q"));
        Assert.True(ended!.IsCompleted);
        Assert.Null(monitor.GetSummary("nope"));
        Assert.Null(monitor.EndRequest("nope"));
        Assert.Null(monitor.EndRequest("q"));
        Assert.False(monitor.LogStage("nope", "retrieval", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Finished_requests_are_freed()
    {
        var (monitor, clock) = Create(o => o.CompletedSummaryRetention = TimeSpan.FromSeconds(5));
        for (var i = 0; i < 5000; i++)
        {
            var id = "r" + i;
            monitor.StartRequest(id);
            monitor.EndRequest(id);
        }

        Assert.Equal(0, monitor.GetStatistics().Counters.RequestsInFlight);
        Assert.Null(monitor.GetSummary("r0"));
        Assert.NotNull(monitor.GetSummary("r4999"));
        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Null(monitor.GetSummary("r4999"));
    }

    [Fact]
    public void A_duplicate_start_is_refused_and_keeps_the_running_request()
    {
        var (monitor, _) = Create();
        Assert.True(monitor.StartRequest("q"));
        monitor.LogStage("q", "retrieval", TimeSpan.FromSeconds(1));
        Assert.False(monitor.StartRequest("q"));
        Assert.Single(monitor.GetSummary("q")!.Stages);
    }

    [Fact]
    public void Request_and_stage_status_are_recorded()
    {
        var (monitor, clock) = Create();
        monitor.StartRequest("q");
        monitor.LogStage("q", "generation", TimeSpan.FromSeconds(1));
        monitor.MarkStageStatus("q", "generation", OperationStatus.Failure, "TimeoutException");
        clock.Advance(TimeSpan.FromSeconds(1));
        var summary = monitor.EndRequest("q", OperationStatus.Failure, "TimeoutException")!;
        Assert.Equal(OperationStatus.Failure, summary.Status);
        Assert.Equal("TimeoutException", summary.ErrorType);
        Assert.Equal(OperationStatus.Failure, summary.Stages.Single().Status);
        Assert.Equal("TimeoutException", summary.Stages.Single().ErrorType);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void Blank_names_and_ids_are_rejected(string? name)
    {
        var (monitor, _) = Create();
        monitor.StartRequest("q");
        Assert.Throws<ArgumentException>(() => monitor.LogStage("q", name!, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentException>(() => monitor.BeginStage(name!));
        Assert.Throws<ArgumentException>(() => monitor.BeginAsyncStage(name!));
        Assert.Throws<ArgumentException>(() => monitor.BeginRequest(name!));
        Assert.Throws<ArgumentException>(() => monitor.StartRequest(name!));
        Assert.Throws<ArgumentException>(() => monitor.GetSummary(name!));
    }

    [Fact]
    public void Negative_durations_are_rejected()
    {
        var (monitor, _) = Create();
        monitor.StartRequest("q");
        Assert.Throws<ArgumentOutOfRangeException>(() => monitor.LogStage("q", "retrieval", TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void Long_metadata_values_are_truncated_and_marked()
    {
        var (monitor, clock) = Create(o => o.MaxMetadataValueLength = 32);
        monitor.StartRequest("q");
        monitor.LogStage("q", "generation", TimeSpan.FromSeconds(1), new Dictionary<string, object?>
        {
            ["prompt"] = new string('x', 1000),
            ["temperature"] = 0.2,
            ["stream"] = true,
            ["model"] = null,
            ["when"] = new DateTime(2026, 11, 29, 0, 0, 0, DateTimeKind.Utc),
        });
        clock.Advance(TimeSpan.FromSeconds(1));
        var metadata = monitor.EndRequest("q")!.Stages.Single().Metadata.ToDictionary(m => m.Key, m => m.Value);
        Assert.Equal(32, metadata["prompt"].StringValue!.Length);
        Assert.EndsWith("…[truncated]", metadata["prompt"].StringValue);
        Assert.Equal(MetadataValueKind.Number, metadata["temperature"].Kind);
        Assert.True(metadata["stream"].BooleanValue);
        Assert.Equal(MetadataValueKind.Null, metadata["model"].Kind);
        Assert.Equal(MetadataValueKind.String, metadata["when"].Kind);
    }

    [Fact]
    public void Invalid_options_are_rejected_with_a_clear_message()
    {
        var error = Assert.Throws<ArgumentException>(() => new PerformanceMonitor(new PerformanceMonitorOptions { BottleneckShareThreshold = 1.5 }));
        Assert.Contains("BottleneckShareThreshold", error.Message);
        Assert.Throws<ArgumentException>(() => new PerformanceMonitor(new PerformanceMonitorOptions { QueueCapacity = 0 }));
        Assert.Throws<ArgumentException>(() => new PerformanceMonitor(new PerformanceMonitorOptions { LogDirectory = " " }));
    }
}
