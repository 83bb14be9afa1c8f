using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Statistics;

/// <summary>Statistics through a real <see cref="PerformanceMonitor"/> driven by a manual clock.</summary>
public sealed class MonitorStatisticsTests
{
    [Fact]
    public void GetStatistics_counts_requests_stages_failures_and_bottlenecks()
    {
        var clock = new ManualTimeProvider();
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false }, null, clock);

        for (var i = 0; i < 20; i++)
        {
            var fail = i % 5 == 0;
            var cancel = i % 5 == 1;
            RunRequest(monitor, clock, "ask", new("retrieval", 20), new("grading", 10), new("generation", 70, fail, cancel));
        }

        for (var i = 0; i < 4; i++)
        {
            RunRequest(monitor, clock, "index", new("retrieval", 50), new("embedding", 50));
        }

        var statistics = monitor.GetStatistics();
        Assert.Equal(24, statistics.Counters.RequestsCompleted);
        Assert.Equal(new[] { "ask", "index" }, statistics.Requests.Select(r => r.Name));

        var ask = statistics.FindRequest("ask")!;
        Assert.Equal(20, ask.Lifetime.Count);
        Assert.Equal(4, ask.Lifetime.Failures);
        Assert.Equal(4, ask.Lifetime.Cancelled);
        Assert.Equal(20, ask.Lifetime.BottleneckCount);
        Assert.Equal(TimeSpan.FromMilliseconds(100), ask.Lifetime.P50);
        Assert.Equal(TimeSpan.FromMilliseconds(100), ask.Window.Max);
        Assert.Equal(new[] { "retrieval", "grading", "generation" }, ask.Stages.Select(s => s.Name));

        var generation = ask.FindStage("generation")!;
        Assert.Equal(20, generation.Lifetime.Count);
        Assert.Equal(4, generation.Lifetime.Failures);
        Assert.Equal(4, generation.Lifetime.Cancelled);
        Assert.Equal(20, generation.Lifetime.BottleneckCount);
        Assert.Equal(0.7, generation.Lifetime.Share, 9);
        Assert.Equal(TimeSpan.FromMilliseconds(70), generation.Window.P95);
        Assert.Equal(0, ask.FindStage("retrieval")!.Lifetime.BottleneckCount);
        Assert.Equal(0.1, ask.FindStage("grading")!.Window.Share, 9);

        // Both "index" stages take exactly half: 50 % > 30 %, both flagged.
        var index = statistics.FindRequest("index")!;
        Assert.Equal(4, index.FindStage("embedding")!.Lifetime.BottleneckCount);
        Assert.Equal(4, index.FindStage("retrieval")!.Lifetime.BottleneckCount);

        var allRetrieval = statistics.FindStage("retrieval")!;
        Assert.Equal(24, allRetrieval.Lifetime.Count);
        Assert.Equal(4, allRetrieval.Lifetime.BottleneckCount);
        Assert.Equal((20 * 20 + 4 * 50) / (20 * 100.0 + 4 * 100), allRetrieval.Lifetime.Share, 9);
        Assert.Equal(new[] { "retrieval", "grading", "generation", "embedding" }, statistics.Stages.Select(s => s.Name));
    }

    [Fact]
    public void Explicit_api_requests_are_counted_with_their_status()
    {
        var clock = new ManualTimeProvider();
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false }, null, clock);
        monitor.StartRequest("q1", "ask");
        monitor.LogStage("q1", "retrieval", TimeSpan.FromMilliseconds(300));
        monitor.LogStage("q1", "retrieval", TimeSpan.FromMilliseconds(200));
        clock.Advance(TimeSpan.FromSeconds(1));
        monitor.EndRequest("q1", OperationStatus.Failure, "TimeoutException");

        var ask = monitor.GetStatistics().FindRequest("ask")!;
        Assert.Equal(1, ask.Lifetime.Failures);
        var retrieval = ask.FindStage("retrieval")!;
        Assert.Equal(1, retrieval.Lifetime.Count);
        Assert.Equal(2, retrieval.Lifetime.Calls);
        Assert.Equal(TimeSpan.FromMilliseconds(500), retrieval.Lifetime.Max);
        Assert.Equal(0.5, retrieval.Lifetime.Share, 9);
        Assert.Equal(1, retrieval.Lifetime.BottleneckCount);
    }

    [Fact]
    public void The_adaptive_rule_flags_a_stage_slower_than_its_recent_p95_after_the_warm_up()
    {
        var clock = new ManualTimeProvider();
        var options = new PerformanceMonitorOptions
        {
            WriteLogs = false,
            AdaptiveBottlenecks = true,
            AdaptiveWarmupCount = 20,
            BottleneckShareThreshold = 1.0, // keep the share rule out of the way
        };
        using var monitor = new PerformanceMonitor(options, null, clock);
        var summaries = new List<RequestSummary>();
        monitor.RequestCompleted += (_, s) => summaries.Add(s);

        // During the warm-up even a slow retrieval is not flagged: there is no p95 to compare with yet.
        for (var i = 0; i < 19; i++)
        {
            RunRequest(monitor, clock, "ask", new("retrieval", 10 + (i % 5)), new("generation", 40));
        }

        RunRequest(monitor, clock, "ask", new("retrieval", 500), new("generation", 40));
        Assert.All(summaries, s => Assert.Empty(s.Bottlenecks));

        // 20 observations now (the 500 ms one included): p95 of retrieval is 14 ms, of generation 40 ms.
        RunRequest(monitor, clock, "ask", new("retrieval", 13), new("generation", 40));
        Assert.Empty(summaries[^1].Bottlenecks);

        RunRequest(monitor, clock, "ask", new("retrieval", 90), new("generation", 40));
        var bottleneck = Assert.Single(summaries[^1].Bottlenecks);
        Assert.Equal("retrieval", bottleneck.Stage);
        Assert.Equal(BottleneckRule.Adaptive, bottleneck.Rule);
        Assert.Contains("p95", bottleneck.Reason, StringComparison.Ordinal);
        Assert.Contains("90.0 ms", bottleneck.Reason, StringComparison.Ordinal);
        Assert.Contains("14.0 ms", bottleneck.Reason, StringComparison.Ordinal);

        var retrieval = monitor.GetStatistics().FindRequest("ask")!.FindStage("retrieval")!;
        Assert.Equal(1, retrieval.Lifetime.BottleneckCount);
        Assert.Equal(0, monitor.GetStatistics().FindStage("generation")!.Lifetime.BottleneckCount);

        // A window later the old observations have expired: the rule warms up again before it flags anything.
        clock.Advance(options.StatisticsWindow);
        RunRequest(monitor, clock, "ask", new("retrieval", 900), new("generation", 40));
        Assert.Empty(summaries[^1].Bottlenecks);
    }

    [Fact]
    public async Task Parallel_requests_through_the_monitor_are_all_counted()
    {
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false });
        const int workers = 8;
        const int perWorker = 2000;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < perWorker; i++)
            {
                using var request = monitor.BeginRequest(w % 2 == 0 ? "ask" : "chat");
                using (monitor.BeginStage("retrieval"))
                {
                }

                using (monitor.BeginStage("generation"))
                {
                }
            }
        })));

        var statistics = monitor.GetStatistics();
        Assert.Equal(workers * perWorker, statistics.Counters.RequestsCompleted);
        Assert.Equal(workers * perWorker, statistics.Requests.Sum(r => r.Lifetime.Count));
        Assert.Equal(workers * perWorker, statistics.FindStage("retrieval")!.Lifetime.Count);
        Assert.Equal(workers * perWorker, statistics.FindStage("generation")!.Window.Count);
        Assert.Equal(workers / 2 * perWorker, statistics.FindRequest("chat")!.FindStage("generation")!.Lifetime.Count);
    }

    [Fact]
    public void Requests_report_the_bytes_allocated_while_they_ran()
    {
        using var measuring = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false });
        using var notMeasuring = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, MeasureResources = false });
        byte[]? keep = null;
        foreach (var monitor in new[] { measuring, notMeasuring })
        {
            for (var i = 0; i < 3; i++)
            {
                using (monitor.BeginRequest("ask"))
                {
                    using (monitor.BeginStage("generation"))
                    {
                        keep = new byte[1 << 20];
                    }
                }
            }
        }

        GC.KeepAlive(keep);

        // Process-wide figures: other tests running at the same time can only add to them. The monitor reads the
        // allocation counter without flushing threads' allocation contexts, so a figure can be a few KiB short.
        var ask = measuring.GetStatistics().FindRequest("ask")!;
        Assert.True(ask.Lifetime.MeanAllocatedBytes >= (1 << 20) - (64 << 10), ask.Lifetime.MeanAllocatedBytes.ToString());
        Assert.True(ask.Lifetime.AllocatedBytes >= 3 * ((1 << 20) - (64 << 10)));
        Assert.True(ask.Window.GcCollections >= 0);
        Assert.Null(ask.FindStage("generation")!.Lifetime.AllocatedBytes);
        Assert.Contains("iB", measuring.GetStatistics().ToTable().Split('\n')[1], StringComparison.Ordinal);

        var unmeasured = notMeasuring.GetStatistics().FindRequest("ask")!;
        Assert.Equal(3, unmeasured.Lifetime.Count);
        Assert.Null(unmeasured.Lifetime.AllocatedBytes);
        Assert.Null(unmeasured.Lifetime.MeanAllocatedBytes);
        Assert.Null(unmeasured.Lifetime.GcCollections);
    }

    [Fact]
    public void A_disabled_monitor_has_empty_statistics()
    {
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { Enabled = false, WriteLogs = false });
        using (monitor.BeginRequest("ask"))
        {
            using var stage = monitor.BeginStage("retrieval");
        }

        var statistics = monitor.GetStatistics();
        Assert.Empty(statistics.Requests);
        Assert.Empty(statistics.Stages);
        Assert.Null(statistics.FindRequest("ask"));
        Assert.Null(statistics.FindStage("retrieval"));
        Assert.True(statistics.Process.WorkingSetBytes > 0);
        Assert.Equal(TimeSpan.FromMinutes(5), statistics.Window);
    }

    private static void RunRequest(PerformanceMonitor monitor, ManualTimeProvider clock, string name, params StageRun[] stages)
    {
        var request = monitor.BeginRequest(name);
        try
        {
            foreach (var (stageName, milliseconds, fail, cancel) in stages)
            {
                var scope = monitor.BeginStage(stageName);
                try
                {
                    clock.Advance(TimeSpan.FromMilliseconds(milliseconds));
                    if (fail)
                    {
                        throw new InvalidOperationException("stage failed");
                    }

                    if (cancel)
                    {
                        throw new OperationCanceledException();
                    }
                }
                catch (Exception ex) when (scope.Fail(ex))
                {
                    throw;
                }
                finally
                {
                    scope.Dispose();
                }
            }
        }
        catch (Exception ex) when (request.Fail(ex))
        {
            throw;
        }
        catch (Exception)
        {
            // The failure is recorded; the test continues with the next request.
        }
        finally
        {
            request.Dispose();
        }
    }

    private readonly record struct StageRun(string Name, int Milliseconds, bool Fail = false, bool Cancel = false);
}
