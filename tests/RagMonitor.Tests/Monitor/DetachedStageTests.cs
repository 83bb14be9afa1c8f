using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Monitor;

/// <summary><see cref="PerformanceMonitor.BeginDetachedStage(string)"/>: a stage bound to the ambient request that changes nothing ambient.</summary>
public sealed class DetachedStageTests
{
    private static PerformanceMonitor NewMonitor(out List<RequestSummary> completed)
    {
        var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false });
        var list = new List<RequestSummary>();
        monitor.RequestCompleted += (_, s) => { lock (list) { list.Add(s); } };
        completed = list;
        return monitor;
    }

    [Fact]
    public async Task A_detached_stage_leaves_the_callers_ambient_state_alone_and_ends_on_another_thread()
    {
        using var monitor = NewMonitor(out var completed);
        using (monitor.BeginRequest("ask", "r1"))
        {
            StageScope detached;
            using (monitor.BeginStage("outer"))
            {
                var frame = AmbientContext.Frame;
                detached = monitor.BeginDetachedStage("generation");
                Assert.True(detached.IsRecording);
                Assert.Equal("generation", detached.Name);
                Assert.Same(frame, AmbientContext.Frame);
                Assert.Equal("outer", StageContext.CurrentStageName);
                detached.AddMetadata("model", "m1");
                detached.AddToMetadata("tokens", 2);
            }

            // The caller's flow goes on without the stage; a later asynchronous stage still claims the request's frame.
            Assert.Null(StageContext.CurrentStageName);
            Assert.False(AmbientContext.Frame!.Detached);
            await Task.Delay(5);
            await Task.Run(() =>
            {
                detached.AddToMetadata("tokens", 3);
                detached.Dispose();
            });
        }

        var summary = Assert.Single(completed);
        var stage = Assert.Single(summary.Stages, s => s.Name == "generation");
        Assert.Equal(1, stage.Calls);
        Assert.Equal(OperationStatus.Success, stage.Status);
        Assert.True(stage.Duration >= TimeSpan.FromMilliseconds(4));
        Assert.Equal("m1", stage.Metadata.Single(m => m.Key == "model").Value.StringValue);
        Assert.Equal(5, stage.Metadata.Single(m => m.Key == "tokens").Value.IntegerValue);
    }

    [Fact]
    public void Parallel_detached_stages_of_one_name_each_count_a_call_and_a_failure_marks_the_stage()
    {
        using var monitor = NewMonitor(out var completed);
        var failure = new TimeoutException("slow model");
        using (monitor.BeginRequest("ask"))
        {
            var first = monitor.BeginDetachedStage("generation");
            var second = monitor.BeginDetachedStage("generation");
            var cancelled = monitor.BeginDetachedStage("rerank");
            Assert.False(first.Fail(failure));
            cancelled.Fail(new OperationCanceledException());
            second.Dispose();
            first.Dispose();
            cancelled.Dispose();
        }

        var summary = Assert.Single(completed);
        var generation = Assert.Single(summary.Stages, s => s.Name == "generation");
        Assert.Equal(2, generation.Calls);
        Assert.Equal(OperationStatus.Failure, generation.Status);
        Assert.Equal(nameof(TimeoutException), generation.ErrorType);
        Assert.Equal(OperationStatus.Cancelled, Assert.Single(summary.Stages, s => s.Name == "rerank").Status);
    }

    [Fact]
    public void Outside_a_request_a_detached_stage_records_nothing_and_is_counted()
    {
        using var monitor = NewMonitor(out var completed);
        var before = monitor.GetStatistics().Counters.StagesOutsideRequests;
        var stage = monitor.BeginDetachedStage("generation");
        Assert.False(stage.IsRecording);
        Assert.Null(stage.Name);
        Assert.Null(stage.Activity);
        stage.AddMetadata("model", "m1");
        stage.Dispose();
        Assert.Equal(before + 1, monitor.GetStatistics().Counters.StagesOutsideRequests);
        Assert.Empty(completed);
        Assert.Throws<ArgumentException>(() => monitor.BeginDetachedStage(" "));
    }

    [Fact]
    public void A_detached_stage_has_a_span_under_the_request_span_that_is_not_made_current()
    {
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RagMonitorTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (stopped) { stopped.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);
        using var monitor = NewMonitor(out _);
        var requestName = "ask_" + Guid.NewGuid().ToString("N");
        Activity? span;
        using (monitor.BeginRequest(requestName))
        {
            var requestSpan = Activity.Current;
            Assert.NotNull(requestSpan);
            var stage = monitor.BeginDetachedStage("generation");
            span = stage.Activity;
            Assert.NotNull(span);
            Assert.Same(requestSpan, Activity.Current);
            Assert.Equal(requestSpan!.SpanId, span!.ParentSpanId);
            Assert.False(span.IsStopped);
            stage.Fail(new InvalidOperationException("overloaded"));
            stage.Dispose();
            Assert.True(span.IsStopped);
            Assert.Same(requestSpan, Activity.Current);
        }

        Assert.Equal(ActivityStatusCode.Error, span.Status);
        lock (stopped)
        {
            Assert.Contains(span, stopped);
        }
    }

    [Fact]
    public void A_detached_stage_allocates_nothing()
    {
        using var monitor = NewMonitor(out _);
        using var request = monitor.BeginRequest("ask");
        for (var i = 0; i < 100; i++)
        {
            using var warm = monitor.BeginDetachedStage("generation");
        }

        Assert.Equal(0, AllocationCheck.LeastBytes(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                using var stage = monitor.BeginDetachedStage("generation");
            }
        }));
    }
}
