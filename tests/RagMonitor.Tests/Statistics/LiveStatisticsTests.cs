using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Statistics;

public sealed class LiveStatisticsTests
{
    private static readonly MonitorCounters s_counters = new(0, 0, 0, 0, 0, 0, 0, 0, 0);
    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(5);

    [Fact]
    public void Counts_failures_cancellations_shares_and_bottlenecks_per_request_and_stage()
    {
        var clock = new ManualTimeProvider();
        var statistics = new LiveStatistics(s_window, clock);

        // 10 "ask" requests of 100 ms: retrieval 20 ms, generation 70 ms (flagged); 2 failed, 1 cancelled.
        for (var i = 0; i < 10; i++)
        {
            var status = i < 2 ? OperationStatus.Failure : i == 2 ? OperationStatus.Cancelled : OperationStatus.Success;
            statistics.Record(Summary(clock, "ask", 100, status,
                Stage("retrieval", 20, calls: 2),
                Stage("generation", 70, status: status)));
        }

        // 5 "index" requests of 50 ms with retrieval 40 ms (flagged).
        for (var i = 0; i < 5; i++)
        {
            statistics.Record(Summary(clock, "index", 50, OperationStatus.Success, Stage("retrieval", 40)));
        }

        var snapshot = statistics.Snapshot(s_counters);
        Assert.Same(s_counters, snapshot.Counters);
        Assert.Equal(s_window, snapshot.Window);
        Assert.Equal(new[] { "ask", "index" }, snapshot.Requests.Select(r => r.Name));

        var ask = snapshot.FindRequest("ask")!;
        foreach (var figures in new[] { ask.Lifetime, ask.Window })
        {
            Assert.Equal(10, figures.Count);
            Assert.Equal(2, figures.Failures);
            Assert.Equal(1, figures.Cancelled);
            Assert.Equal(7, figures.Successes);
            Assert.Equal(0.2, figures.FailureRate, 9);
            Assert.Equal(10, figures.BottleneckCount);
            Assert.Equal(TimeSpan.FromMilliseconds(100), figures.Mean);
            Assert.Equal(TimeSpan.FromMilliseconds(100), figures.P99);
            Assert.Equal(1.0, figures.Share);
        }

        Assert.Equal(new[] { "retrieval", "generation" }, ask.Stages.Select(s => s.Name));
        var retrieval = ask.FindStage("retrieval")!;
        Assert.Equal("ask", retrieval.RequestName);
        Assert.Equal(10, retrieval.Lifetime.Count);
        Assert.Equal(20, retrieval.Lifetime.Calls);
        Assert.Equal(0, retrieval.Lifetime.Failures);
        Assert.Equal(0, retrieval.Lifetime.BottleneckCount);
        Assert.Equal(0.2, retrieval.Lifetime.Share, 9);
        Assert.Equal(TimeSpan.FromMilliseconds(20), retrieval.Lifetime.P50);

        var generation = ask.FindStage("generation")!;
        Assert.Equal(2, generation.Window.Failures);
        Assert.Equal(1, generation.Window.Cancelled);
        Assert.Equal(10, generation.Window.BottleneckCount);
        Assert.Equal(0.7, generation.Window.Share, 9);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), generation.Window.RequestTime);

        // The all-requests view merges "ask" and "index" retrievals: 10×20 + 5×40 ms over 10×100 + 5×50 ms.
        Assert.Equal(new[] { "retrieval", "generation" }, snapshot.Stages.Select(s => s.Name));
        var allRetrieval = snapshot.FindStage("retrieval")!;
        Assert.Null(allRetrieval.RequestName);
        Assert.Equal(15, allRetrieval.Lifetime.Count);
        Assert.Equal(25, allRetrieval.Lifetime.Calls);
        Assert.Equal(5, allRetrieval.Lifetime.BottleneckCount);
        Assert.Equal(400.0 / 1250.0, allRetrieval.Lifetime.Share, 9);
        Assert.Equal(TimeSpan.FromMilliseconds(40), allRetrieval.Lifetime.Max);
        Assert.Equal(TimeSpan.FromMilliseconds(20), allRetrieval.Lifetime.Min);
        Assert.Equal(40, allRetrieval.Window.P90.TotalMilliseconds, 40 * DurationHistogram.MaxRelativeError);
        Assert.Equal(allRetrieval.Lifetime.Count, allRetrieval.Lifetime.Histogram.Count);
    }

    [Fact]
    public void Allocation_figures_are_summed_per_request_name_and_expire_with_the_window()
    {
        var clock = new ManualTimeProvider();
        var statistics = new LiveStatistics(s_window, clock);
        for (var i = 1; i <= 4; i++)
        {
            var summary = Summary(clock, "ask", 10, OperationStatus.Success, Stage("retrieval", 5));
            statistics.Record(new RequestSummary(summary.RequestName, summary.RequestId, summary.StartTime, summary.TotalTime, summary.Status,
                null, summary.Stages, summary.Bottlenecks, isCompleted: true, allocatedBytes: i * 1000, gcCollections: i == 4 ? 2 : 0));
        }

        statistics.Record(Summary(clock, "plain", 10, OperationStatus.Success));
        var snapshot = statistics.Snapshot(s_counters);
        var ask = snapshot.FindRequest("ask")!;
        Assert.Equal(10_000, ask.Lifetime.AllocatedBytes);
        Assert.Equal(2_500, ask.Window.MeanAllocatedBytes);
        Assert.Equal(2, ask.Lifetime.GcCollections);
        Assert.Null(ask.FindStage("retrieval")!.Lifetime.AllocatedBytes);
        Assert.Null(snapshot.FindRequest("plain")!.Lifetime.AllocatedBytes);

        clock.Advance(s_window);
        ask = statistics.Snapshot(s_counters).FindRequest("ask")!;
        Assert.Equal(0, ask.Window.AllocatedBytes);
        Assert.Equal(0, ask.Window.MeanAllocatedBytes);
        Assert.Equal(10_000, ask.Lifetime.AllocatedBytes);
    }

    [Fact]
    public void The_window_forgets_old_requests_and_the_lifetime_keeps_them()
    {
        var clock = new ManualTimeProvider();
        var statistics = new LiveStatistics(s_window, clock);
        for (var i = 0; i < 100; i++)
        {
            statistics.Record(Summary(clock, "ask", 1000, OperationStatus.Failure, Stage("retrieval", 800)));
        }

        // Half a window later: still inside.
        clock.Advance(TimeSpan.FromMinutes(2.5));
        var snapshot = statistics.Snapshot(s_counters);
        Assert.Equal(100, snapshot.FindRequest("ask")!.Window.Count);

        // New, faster requests arrive.
        for (var i = 0; i < 50; i++)
        {
            statistics.Record(Summary(clock, "ask", 10, OperationStatus.Success, Stage("retrieval", 5)));
        }

        // One full window after the first batch: it has left the window, the second batch has not.
        clock.Advance(TimeSpan.FromMinutes(2.5));
        snapshot = statistics.Snapshot(s_counters);
        var ask = snapshot.FindRequest("ask")!;
        Assert.Equal(50, ask.Window.Count);
        Assert.Equal(0, ask.Window.Failures);
        Assert.Equal(TimeSpan.FromMilliseconds(10), ask.Window.Max);
        Assert.Equal(50, ask.FindStage("retrieval")!.Window.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(5), snapshot.FindStage("retrieval")!.Window.P99);
        Assert.Equal(150, ask.Lifetime.Count);
        Assert.Equal(100, ask.Lifetime.Failures);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), ask.Lifetime.Max);

        // Another window later everything has left the window; the lifetime is unchanged.
        clock.Advance(s_window);
        snapshot = statistics.Snapshot(s_counters);
        ask = snapshot.FindRequest("ask")!;
        Assert.Equal(0, ask.Window.Count);
        Assert.Equal(TimeSpan.Zero, ask.Window.P95);
        Assert.Equal(0.0, ask.FindStage("retrieval")!.Window.Share);
        Assert.Equal(150, ask.Lifetime.Count);
        Assert.Equal(150, ask.FindStage("retrieval")!.Lifetime.Count);
    }

    [Fact]
    public void A_request_leaves_the_window_between_nine_tenths_and_one_window_after_it_ended()
    {
        var clock = new ManualTimeProvider();
        var statistics = new LiveStatistics(TimeSpan.FromSeconds(100), clock);
        clock.Advance(TimeSpan.FromSeconds(5)); // middle of a 10 s sub-window
        statistics.Record(Summary(clock, "ask", 1, OperationStatus.Success));

        clock.Advance(TimeSpan.FromSeconds(89.9));
        Assert.Equal(1, statistics.Snapshot(s_counters).Requests[0].Window.Count);
        clock.Advance(TimeSpan.FromSeconds(10.1));
        Assert.Equal(0, statistics.Snapshot(s_counters).Requests[0].Window.Count);
        Assert.Equal(1, statistics.Snapshot(s_counters).Requests[0].Lifetime.Count);
    }

    [Fact]
    public void Lifetime_counts_stay_exact_over_many_window_rotations()
    {
        var clock = new ManualTimeProvider();
        var statistics = new LiveStatistics(TimeSpan.FromSeconds(10), clock);
        var expected = new DurationHistogram();
        var random = new Random(17);
        for (var i = 0; i < 20_000; i++)
        {
            var ms = random.Next(1, 500);
            expected.Record(TimeSpan.FromMilliseconds(ms));
            statistics.Record(Summary(clock, "ask", ms, i % 10 == 0 ? OperationStatus.Failure : OperationStatus.Success, Stage("retrieval", ms / 2)));
            clock.Advance(TimeSpan.FromMilliseconds(random.Next(0, 20)));
        }

        var ask = statistics.Snapshot(s_counters).FindRequest("ask")!;
        Assert.Equal(20_000, ask.Lifetime.Count);
        Assert.Equal(2_000, ask.Lifetime.Failures);
        Assert.Equal(expected.Total, ask.Lifetime.Total);
        Assert.Equal(expected.GetBuckets(), ask.Lifetime.Histogram.GetBuckets());
        Assert.Equal(expected.GetPercentile(99), ask.Lifetime.P99);
        Assert.InRange(ask.Window.Count, 1, 19_999);
        Assert.Equal(20_000, ask.FindStage("retrieval")!.Lifetime.Count);
    }

    [Fact]
    public void Memory_stays_bounded_however_many_requests_are_recorded()
    {
        var clock = new ManualTimeProvider();
        var statistics = new LiveStatistics(TimeSpan.FromSeconds(10), clock);
        var random = new Random(5);
        var summaries = new RequestSummary[4000];
        for (var i = 0; i < summaries.Length; i++)
        {
            // Spread over 20 s of end times (two windows), durations over the whole range of the histogram.
            var start = clock.GetUtcNow() + TimeSpan.FromMilliseconds(i * 5);
            var total = TimeSpan.FromTicks((long)(10 * Math.Pow(TimeSpan.TicksPerHour / 10.0, random.NextDouble())));
            summaries[i] = new RequestSummary("ask", "r" + i, start, total, i % 7 == 0 ? OperationStatus.Failure : OperationStatus.Success, null,
                new[] { Stage("retrieval", total.TotalMilliseconds / 4), Stage("grading", total.TotalMilliseconds / 4), Stage("generation", total.TotalMilliseconds / 2) },
                i % 3 == 0 ? new[] { new Bottleneck("generation", 0.5, BottleneckRule.Share, "test") } : Array.Empty<Bottleneck>(), isCompleted: true);
        }

        // Warm up for four windows: every slot, every histogram range, the expired accumulators and every
        // name are created.
        for (var round = 0; round <= 1; round++)
        {
            foreach (var summary in summaries)
            {
                statistics.Record(Shifted(summary, TimeSpan.FromSeconds(20 * round)));
            }
        }

        // Then record 98 windows' worth more: the end times move on, slots rotate, nothing new is allocated.
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 2; round <= 50; round++)
        {
            foreach (var summary in summaries)
            {
                statistics.Record(Shifted(summary, TimeSpan.FromSeconds(20 * round)));
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Shifted() itself allocates one summary per call; the statistics add nothing to that.
        // The thread's allocation counter can be off by part of one allocation context (8 KiB) when a collection,
        // started by tests on other threads, retires the context mid-loop (seen: 8 and 3,496 bytes over in full
        // runs). A real allocation by the statistics would cost at least 24 bytes for each of the 196,000 records.
        var perSummary = SummarySize(summaries[0]);
        Assert.True(allocated <= (perSummary * 49L * summaries.Length) + 8192, $"allocated {allocated} bytes, summaries alone {perSummary * 49L * summaries.Length}");

        var snapshot = statistics.Snapshot(s_counters);
        Assert.Equal(51L * summaries.Length, snapshot.FindRequest("ask")!.Lifetime.Count);
        Assert.Equal(51L * summaries.Length, snapshot.FindStage("generation")!.Lifetime.Count);
        Assert.Equal(51L * summaries.Count(s => s.Bottlenecks.Count > 0), snapshot.FindStage("generation")!.Lifetime.BottleneckCount);
        Assert.True(snapshot.FindRequest("ask")!.Lifetime.Histogram.AllocatedBucketCount <= DurationHistogram.BucketCount);
    }

    [Fact]
    public void Recording_a_summary_allocates_nothing_in_steady_state()
    {
        var clock = new ManualTimeProvider();
        var statistics = new LiveStatistics(s_window, clock);
        var summary = Summary(clock, "ask", 100, OperationStatus.Success, Stage("retrieval", 20), Stage("grading", 10), Stage("generation", 60));
        for (var i = 0; i < 100; i++)
        {
            statistics.Record(summary);
        }

        Assert.Equal(0, AllocationCheck.LeastBytes(() =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                statistics.Record(summary);
            }
        }));
    }

    [Fact]
    public void Parallel_records_lose_nothing()
    {
        var clock = new ManualTimeProvider();
        var statistics = new LiveStatistics(TimeSpan.FromSeconds(1), clock);
        const int threads = 8;
        const int perThread = 20_000;
        var names = new[] { "ask", "chat" };
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var i = 0; i < perThread; i++)
            {
                // New string instances for the names, so the ordinal path is exercised too.
                var name = i % 5 == 0 ? new string(names[t % 2].AsSpan()) : names[t % 2];
                statistics.Record(Summary(clock, name, 10 + (i % 90), i % 4 == 0 ? OperationStatus.Failure : OperationStatus.Success,
                    Stage("retrieval", 5), Stage("stage" + (i % 3), 2)));
                if (t == 0 && i % 100 == 0)
                {
                    clock.Advance(TimeSpan.FromMilliseconds(37)); // rotate slots while others record
                }
            }
        });

        var snapshot = statistics.Snapshot(s_counters);
        Assert.Equal(2, snapshot.Requests.Count);
        foreach (var request in snapshot.Requests)
        {
            Assert.Equal(threads / 2 * perThread, request.Lifetime.Count);
            Assert.Equal(threads / 2 * perThread / 4, request.Lifetime.Failures);
            Assert.Equal(threads / 2 * perThread, request.FindStage("retrieval")!.Lifetime.Count);
        }

        Assert.Equal(threads * perThread, snapshot.FindStage("retrieval")!.Lifetime.Count);
        Assert.Equal(threads * perThread, snapshot.Stages.Where(s => s.Name.StartsWith("stage", StringComparison.Ordinal)).Sum(s => s.Lifetime.Count));
    }

    [Fact]
    public void Recent_p95_needs_the_minimum_count_and_follows_the_window()
    {
        var clock = new ManualTimeProvider();
        var statistics = new LiveStatistics(s_window, clock);
        Assert.False(statistics.TryGetRecentP95("retrieval", 10, out _));

        for (var i = 1; i <= 9; i++)
        {
            statistics.Record(Summary(clock, "ask", 100, OperationStatus.Success, Stage("retrieval", i * 10)));
            Assert.False(statistics.TryGetRecentP95("retrieval", 10, out _));
        }

        // Ten observations in another request name count too: the rule looks at the stage across requests.
        statistics.Record(Summary(clock, "chat", 200, OperationStatus.Success, Stage("retrieval", 100)));
        Assert.True(statistics.TryGetRecentP95("retrieval", 10, out var p95));
        Assert.Equal(TimeSpan.FromMilliseconds(100), p95);

        for (var i = 0; i < 90; i++)
        {
            statistics.Record(Summary(clock, "ask", 100, OperationStatus.Success, Stage("retrieval", 10)));
        }

        // 100 values: 91 × 10 ms, then 20, 30, …, 90 and 100 ms; the 95th smallest is 50 ms.
        Assert.True(statistics.TryGetRecentP95("retrieval", 10, out p95));
        Assert.Equal(50, p95.TotalMilliseconds, 50 * DurationHistogram.MaxRelativeError);

        // After a window without traffic the old observations no longer count.
        clock.Advance(s_window);
        Assert.False(statistics.TryGetRecentP95("retrieval", 10, out _));
        Assert.False(statistics.TryGetRecentP95("retrieval", 1, out _));
        Assert.False(statistics.TryGetRecentP95("unknown", 1, out _));
    }

    [Fact]
    public void Recent_p95_is_refreshed_as_the_distribution_shifts()
    {
        var clock = new ManualTimeProvider();
        var statistics = new LiveStatistics(s_window, clock);
        for (var i = 0; i < 1000; i++)
        {
            statistics.Record(Summary(clock, "ask", 100, OperationStatus.Success, Stage("retrieval", 10)));
        }

        Assert.True(statistics.TryGetRecentP95("retrieval", 50, out var p95));
        Assert.Equal(TimeSpan.FromMilliseconds(10), p95);

        // The stage becomes slower for good: after enough new observations the cached p95 follows.
        for (var i = 0; i < 2000; i++)
        {
            statistics.Record(Summary(clock, "ask", 100, OperationStatus.Success, Stage("retrieval", 50)));
            statistics.TryGetRecentP95("retrieval", 50, out _);
        }

        Assert.True(statistics.TryGetRecentP95("retrieval", 50, out p95));
        Assert.Equal(TimeSpan.FromMilliseconds(50), p95);
    }

    [Fact]
    public void Names_beyond_the_caps_are_recorded_as_other()
    {
        var clock = new ManualTimeProvider();
        var statistics = new LiveStatistics(s_window, clock);
        for (var i = 0; i < LiveStatistics.MaxRequestNames + 10; i++)
        {
            statistics.Record(Summary(clock, "request" + i, 10, OperationStatus.Success, Stage("retrieval", 5)));
        }

        var stages = Enumerable.Range(0, LiveStatistics.MaxStagesPerRequest + 5).Select(i => Stage("s" + i, 1)).ToArray();
        statistics.Record(Summary(clock, "request0", 100, OperationStatus.Success, stages));

        var snapshot = statistics.Snapshot(s_counters);
        Assert.Equal(LiveStatistics.MaxRequestNames + 1, snapshot.Requests.Count);
        Assert.Equal(10, snapshot.FindRequest(LiveStatistics.OtherName)!.Lifetime.Count);
        Assert.Equal(LiveStatistics.MaxRequestNames + 10, snapshot.FindStage("retrieval")!.Lifetime.Count);

        var request0 = snapshot.FindRequest("request0")!;
        Assert.Equal(LiveStatistics.MaxStagesPerRequest + 1, request0.Stages.Count);
        var other = request0.FindStage(LiveStatistics.OtherName)!;
        Assert.Equal(6, other.Lifetime.Count);
    }

    [Fact]
    public void The_table_lists_requests_stages_and_the_all_requests_view()
    {
        var clock = new ManualTimeProvider();
        var statistics = new LiveStatistics(s_window, clock);
        statistics.Record(Summary(clock, "ask", 1500, OperationStatus.Failure, Stage("retrieval", 450), Stage("generation", 900)));
        var snapshot = statistics.Snapshot(s_counters);

        var table = snapshot.ToTable();
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("lifetime", lines[0], StringComparison.Ordinal);
        Assert.Contains("p95", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("ask ", lines[1], StringComparison.Ordinal);
        Assert.Contains("1.50 s", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("  retrieval", lines[2], StringComparison.Ordinal);
        Assert.Contains("30.0%", lines[2], StringComparison.Ordinal);
        Assert.Contains("450 ms", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("  generation", lines[3], StringComparison.Ordinal);
        Assert.Contains("60.0%", lines[3], StringComparison.Ordinal);
        Assert.Equal("all requests", lines[4]);
        Assert.StartsWith("window (5.00 min)", snapshot.ToTable(StatisticsPeriod.Window), StringComparison.Ordinal);

        var text = snapshot.ToString();
        Assert.Contains("process: CPU", text, StringComparison.Ordinal);
        Assert.Contains("counters: in flight 0", text, StringComparison.Ordinal);
        Assert.Contains("retrieval", snapshot.Requests[0].Stages[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Process_figures_are_plausible_and_cpu_usage_covers_the_time_since_the_previous_snapshot()
    {
        var statistics = new LiveStatistics(s_window, TimeProvider.System);

        // Burn some CPU so the usage is measurably above zero.
        var until = DateTime.UtcNow.AddMilliseconds(200);
        long spin = 0;
        while (DateTime.UtcNow < until)
        {
            spin++;
        }

        var first = statistics.Snapshot(s_counters).Process;
        Assert.True(spin > 0);
        Assert.Equal(Environment.ProcessorCount, first.ProcessorCount);
        Assert.InRange(first.CpuUsage, 0.0, 1.0);
        Assert.True(first.CpuUsage > 0, $"CPU usage {first.CpuUsage}");
        Assert.True(first.CpuUsageInterval >= TimeSpan.FromMilliseconds(150), first.CpuUsageInterval.ToString());
        Assert.True(first.ProcessorTime > TimeSpan.Zero);
        Assert.True(first.WorkingSetBytes > 0);
        Assert.True(first.GcHeapSizeBytes > 0);
        Assert.True(first.TotalAllocatedBytes > 0);
        Assert.True(first.Gen0Collections >= first.Gen1Collections && first.Gen1Collections >= first.Gen2Collections);

        var second = statistics.Snapshot(s_counters).Process;
        Assert.True(second.CpuUsageInterval < first.CpuUsageInterval, "the second interval starts at the first snapshot");
        Assert.True(second.TotalAllocatedBytes >= first.TotalAllocatedBytes);
        Assert.Contains("working set", second.ToString(), StringComparison.Ordinal);
    }

    internal static StageSummary Stage(string name, double milliseconds, int calls = 1, OperationStatus status = OperationStatus.Success) =>
        new(name, TimeSpan.FromMilliseconds(milliseconds), calls, 0, status, status == OperationStatus.Success ? null : "Exception",
            Array.Empty<KeyValuePair<string, MetadataValue>>());

    /// <summary>A finished request that ends now on <paramref name="clock"/>; stages over 30 % of the total are flagged.</summary>
    internal static RequestSummary Summary(TimeProvider clock, string name, double totalMilliseconds, OperationStatus status, params StageSummary[] stages)
    {
        var total = TimeSpan.FromMilliseconds(totalMilliseconds);
        var bottlenecks = stages
            .Where(s => s.Duration.Ticks > 0.3 * total.Ticks)
            .Select(s => new Bottleneck(s.Name, (double)s.Duration.Ticks / total.Ticks, BottleneckRule.Share, "test"))
            .ToArray();
        return new RequestSummary(name, Guid.NewGuid().ToString("N"), clock.GetUtcNow() - total, total, status, null, stages, bottlenecks, isCompleted: true);
    }

    private static RequestSummary Shifted(RequestSummary summary, TimeSpan by) =>
        new(summary.RequestName, summary.RequestId, summary.StartTime + by, summary.TotalTime, summary.Status, summary.ErrorType,
            summary.Stages, summary.Bottlenecks, summary.IsCompleted);

    private static long SummarySize(RequestSummary summary)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var copy = Shifted(summary, TimeSpan.Zero);
        var size = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(copy);
        return size;
    }
}
