using System;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.Extensions.Logging;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using RagMonitor.Tests.Persistence;
using RagMonitor.Tests.Reliability;
using RagMonitor.Tests.Statistics;

namespace RagMonitor.Tests.Monitor;

/// <summary>
/// The one route of a finished request: its thread seals it into a pooled record, applies the bottleneck rules and
/// records the live statistics, builds a summary only when someone listens, and queues the record; the writer only
/// formats and writes it. Whatever listens, the line is the same and the statistics count the request before its end
/// returns, so <see cref="PerformanceMonitor.GetStatistics"/> never waits for the writer.
/// </summary>
public sealed class CompletionPathTests
{
    private static PerformanceMonitor NewMonitor(string directory, TimeProvider clock, int queueCapacity = 1024, TimeSpan? flushInterval = null) =>
        new(new PerformanceMonitorOptions
        {
            LogDirectory = directory,
            AdaptiveBottlenecks = false,
            SlowRequestThreshold = null,
            QueueCapacity = queueCapacity,
            MeasureResources = false,
            FlushInterval = flushInterval ?? new PerformanceMonitorOptions().FlushInterval,
        }, null, clock);

    /// <summary>A request with parallel-looking stage order, repeated calls, metadata, a failed stage and a bottleneck.</summary>
    private static void RunRequest(PerformanceMonitor monitor, ManualTimeProvider clock, string id)
    {
        using var request = monitor.BeginRequest("ask", id);
        using (var embedding = monitor.BeginStage("embedding"))
        {
            embedding.AddMetadata("model", "e5 \"small\"\n");
            clock.Advance(TimeSpan.FromMilliseconds(20));
        }

        using (var retrieval = monitor.BeginStage("retrieval"))
        {
            retrieval.AddMetadata("documents", 20);
            clock.Advance(TimeSpan.FromMilliseconds(200));
        }

        try
        {
            using var grading = monitor.BeginStage("grading");
            try
            {
                clock.Advance(TimeSpan.FromMilliseconds(5));
                throw new TimeoutException();
            }
            catch (Exception ex) when (grading.Fail(ex))
            {
                throw;
            }
        }
        catch (TimeoutException)
        {
        }

        using (monitor.BeginStage("embedding"))
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        using (var generation = monitor.BeginStage("generation"))
        {
            generation.AddMetadata("streamed", true);
            clock.Advance(TimeSpan.FromMilliseconds(600));
        }

        clock.Advance(TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task A_request_nobody_listens_to_writes_the_same_line_as_one_whose_summary_a_handler_gets()
    {
        using var recordDir = new TempDirectory();
        using var summaryDir = new TempDirectory();
        var recordClock = new ManualTimeProvider();
        var summaryClock = new ManualTimeProvider();
        RequestSummary? seen = null;
        var viaRecord = NewMonitor(recordDir.Path, recordClock);
        var viaSummary = NewMonitor(summaryDir.Path, summaryClock);
        await using (viaRecord)
        await using (viaSummary)
        {
            viaSummary.RequestCompleted += (_, summary) => seen = summary;
            RunRequest(viaRecord, recordClock, "req-1");
            RunRequest(viaSummary, summaryClock, "req-1");
        }

        Assert.NotNull(seen);
        Assert.Equal(1, viaRecord.PooledRecordsIdle); // the writer gave the record back

        var fromRecord = Assert.Single(LogFiles.ReadLines(recordDir.Path));
        var fromSummary = Assert.Single(LogFiles.ReadLines(summaryDir.Path));
        Assert.Equal(fromSummary, fromRecord);

        // And the line says what happened: stages in first-start order, merged calls, failure, metadata, bottlenecks.
        var record = LogFiles.ReadRecords(recordDir.Path).Single();
        Assert.Equal(new[] { "embedding", "retrieval", "grading", "generation" }, record.GetProperty("stages").EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, record.GetProperty("stages").GetProperty("embedding").GetProperty("calls").GetInt32());
        Assert.Equal(0.03, record.GetProperty("stages").GetProperty("embedding").GetProperty("duration").GetDouble(), 9);
        Assert.Equal("failure", record.GetProperty("stages").GetProperty("grading").GetProperty("status").GetString());
        Assert.Equal("TimeoutException", record.GetProperty("stages").GetProperty("grading").GetProperty("error_type").GetString());
        Assert.Equal("e5 \"small\"\n", record.GetProperty("stages").GetProperty("embedding").GetProperty("metadata").GetProperty("model").GetString());
        Assert.Equal(20, record.GetProperty("stages").GetProperty("retrieval").GetProperty("metadata").GetProperty("documents").GetInt32());
        Assert.Equal(new[] { "generation" }, record.GetProperty("bottlenecks").EnumerateArray().Select(b => b.GetProperty("stage").GetString()));
        Assert.Equal("req-1", record.GetProperty("request_id").GetString());
        Assert.Equal(0.836, record.GetProperty("total_time").GetDouble(), 9);
    }

    [Fact]
    public async Task Whatever_listens_no_listener_an_alert_listener_or_a_handler_the_line_is_the_same()
    {
        // A share threshold no stage reaches: an alert listener then gets no alert.
        using var sealedDir = new TempDirectory();
        using var recordDir = new TempDirectory();
        using var summaryDir = new TempDirectory();
        var clocks = new[] { new ManualTimeProvider(), new ManualTimeProvider(), new ManualTimeProvider() };
        var monitors = new[] { sealedDir, recordDir, summaryDir }
            .Select((dir, i) => new PerformanceMonitor(new PerformanceMonitorOptions
            {
                LogDirectory = dir.Path,
                AdaptiveBottlenecks = false,
                SlowRequestThreshold = null,
                BottleneckShareThreshold = 0.99,
                MeasureResources = false,
            }, null, clocks[i]))
            .ToArray();
        var alerts = 0;
        var summaries = 0;
        monitors[1].AlertRaised += (_, _) => alerts++;
        monitors[2].RequestCompleted += (_, _) => summaries++;
        for (var i = 0; i < 3; i++)
        {
            RunRequest(monitors[i], clocks[i], "req-1");
            await monitors[i].DisposeAsync();
        }

        Assert.Equal(0, alerts);
        Assert.Equal(1, summaries);
        var viaSealed = Assert.Single(LogFiles.ReadLines(sealedDir.Path));
        Assert.Equal(viaSealed, Assert.Single(LogFiles.ReadLines(recordDir.Path)));
        Assert.Equal(viaSealed, Assert.Single(LogFiles.ReadLines(summaryDir.Path)));
        Assert.Equal(4, LogFiles.ReadRecords(sealedDir.Path).Single().GetProperty("stages").EnumerateObject().Count());
    }

    [Fact]
    public async Task Bottlenecks_of_a_request_nobody_listens_to_include_the_adaptive_rule()
    {
        using var dir = new TempDirectory();
        var clock = new ManualTimeProvider();
        await using (var monitor = new PerformanceMonitor(new PerformanceMonitorOptions
        {
            LogDirectory = dir.Path,
            AdaptiveBottlenecks = true,
            AdaptiveWarmupCount = 20,
            BottleneckShareThreshold = 0.99,
            SlowRequestThreshold = null,
            MeasureResources = false,
        }, null, clock))
        {
            // 30 ordinary requests (the share rule is out of reach), then one whose stages are both much slower than
            // their recent p95.
            for (var i = 0; i <= 30; i++)
            {
                var slow = i == 30;
                using var request = monitor.BeginRequest("ask", "r" + i);
                using (monitor.BeginStage("retrieval"))
                {
                    clock.Advance(TimeSpan.FromMilliseconds(slow ? 25 : 10));
                }

                using (monitor.BeginStage("generation"))
                {
                    clock.Advance(TimeSpan.FromMilliseconds(slow ? 75 : 30));
                }
            }

            var retrieval = Assert.Single(monitor.GetStatistics().Requests).Stages.Single(s => s.Name == "retrieval");
            Assert.Equal(31, retrieval.Lifetime.Count);
        }

        var records = LogFiles.ReadRecords(dir.Path).ToDictionary(r => r.GetProperty("request_id").GetString()!);
        Assert.Equal(31, records.Count);
        // No p95 during the warm-up (the 20 requests before r20); whether r20–r29 sit a hair over their own p95 depends on
        // the histogram's rounding, so they are not asserted.
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(0, records["r" + i].GetProperty("bottlenecks").GetArrayLength());
        }

        var bottlenecks = records["r30"].GetProperty("bottlenecks").EnumerateArray().ToArray();
        Assert.Equal(new[] { "retrieval", "generation" }, bottlenecks.Select(b => b.GetProperty("stage").GetString()));
        Assert.All(bottlenecks, b => Assert.Equal("adaptive", b.GetProperty("rule").GetString()));
    }

    [Fact]
    public async Task Live_statistics_count_a_request_as_soon_as_it_ends_with_no_flush()
    {
        using var dir = new TempDirectory();
        var clock = new ManualTimeProvider();
        await using var monitor = NewMonitor(dir.Path, clock);
        RunRequest(monitor, clock, "a");
        RunRequest(monitor, clock, "b");

        // No flush: the statistics were recorded by the requests' own thread.
        var statistics = monitor.GetStatistics();
        var ask = Assert.Single(statistics.Requests);
        Assert.Equal(2, ask.Lifetime.Count);
        Assert.Equal(2, ask.Lifetime.BottleneckCount);
        var grading = ask.Stages.Single(s => s.Name == "grading");
        Assert.Equal(2, grading.Lifetime.Failures);
        var generation = ask.Stages.Single(s => s.Name == "generation");
        Assert.Equal(2, generation.Lifetime.BottleneckCount);
        Assert.Equal(0, ask.Stages.Single(s => s.Name == "retrieval").Lifetime.BottleneckCount);
    }

    [UnixFact]
    public async Task GetStatistics_counts_every_ended_request_while_the_writer_is_stuck()
    {
        // The writer is held inside a logger call (its first write fails: the log directory's parent is a file) and stays
        // there until released. The requests' statistics do not depend on it: GetStatistics counts them all, at once.
        using var dir = new TempDirectory();
        var blocker = dir.Combine("file-not-directory");
        File.WriteAllText(blocker, "x");
        var clock = new ManualTimeProvider();
        using var writerStuck = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var logger = new WriterHoldingLogger(writerStuck, release);
        var monitor = new PerformanceMonitor(new PerformanceMonitorOptions
        {
            LogDirectory = Path.Combine(blocker, "logs"),
            AdaptiveBottlenecks = false,
            SlowRequestThreshold = null,
            MeasureResources = false,
            FlushInterval = TimeSpan.FromMilliseconds(1),
        }, logger, clock);
        try
        {
            RunRequest(monitor, clock, "first");
            Assert.True(writerStuck.Wait(TimeSpan.FromSeconds(30)), "the writer never tried to write");
            for (var i = 0; i < 10; i++)
            {
                RunRequest(monitor, clock, "r" + i);
            }

            var statistics = monitor.GetStatistics();
            Assert.Equal(11, Assert.Single(statistics.Requests).Lifetime.Count);
            Assert.Equal(11, statistics.Counters.RequestsCompleted);
            Assert.Equal(0, statistics.Counters.LogRecordsWritten);
            Assert.Equal(11, statistics.Counters.LogRecordsPending);
            Assert.True(writerStuck.IsSet && !release.IsSet, "the writer was released before the statistics were read");
        }
        finally
        {
            File.Delete(blocker);
            release.Set();
            await monitor.DisposeAsync();
        }

        // Released, the writer writes them all (the directory can be created now).
        Assert.Equal(11, LogFiles.ReadLines(Path.Combine(blocker, "logs")).Count);
        Assert.Equal(11, monitor.GetStatistics().Counters.LogRecordsWritten);
    }

    [Fact]
    public async Task Requests_the_full_queue_refuses_are_counted_in_the_statistics()
    {
        using var dir = new TempDirectory();
        var clock = new ManualTimeProvider();
        await using var monitor = NewMonitor(dir.Path, clock, queueCapacity: 5, flushInterval: TimeSpan.FromMinutes(10));
        for (var i = 0; i < 20; i++)
        {
            RunRequest(monitor, clock, "r" + i);
        }

        var statistics = monitor.GetStatistics();
        Assert.Equal(20, Assert.Single(statistics.Requests).Lifetime.Count);
        Assert.Equal(15, statistics.Counters.LogRecordsDropped);
        Assert.Equal(5, statistics.Counters.LogRecordsPending + statistics.Counters.LogRecordsWritten);
    }

    [Fact]
    public async Task A_stage_that_ends_after_its_request_changes_nothing()
    {
        using var dir = new TempDirectory();
        var clock = new ManualTimeProvider();
        await using (var monitor = NewMonitor(dir.Path, clock))
        {
            var request = monitor.BeginRequest("ask", "late");
            var early = monitor.BeginStage("retrieval");
            clock.Advance(TimeSpan.FromMilliseconds(10));
            early.Dispose();
            var late = monitor.BeginStage("generation");
            clock.Advance(TimeSpan.FromMilliseconds(10));
            request.Dispose();

            // The request is sealed: the late stage, its metadata and failure are ignored, nothing throws.
            late.AddMetadata("tokens", 12);
            Assert.False(late.Fail(new InvalidOperationException()));
            late.Dispose();
            StageContext.AddMetadata("ignored", 1);
            await monitor.FlushAsync();
        }

        var record = LogFiles.ReadRecords(dir.Path).Single();
        Assert.Equal(new[] { "retrieval" }, record.GetProperty("stages").EnumerateObject().Select(p => p.Name));
        Assert.Equal("success", record.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Records_are_reused_and_the_idle_pool_never_holds_more_than_the_queue_capacity()
    {
        using var dir = new TempDirectory();
        var clock = new ManualTimeProvider();
        await using var monitor = NewMonitor(dir.Path, clock, queueCapacity: 8);
        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < 20; i++)
            {
                RunRequest(monitor, clock, $"r{round}-{i}");
            }

            await monitor.FlushAsync();

            // The writer hands formatted records back in batches, right after (or just before) the flush completes.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (monitor.PooledRecordsIdle == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }

            Assert.InRange(monitor.PooledRecordsIdle, 1, 8);
        }

        var statistics = monitor.GetStatistics();
        Assert.Equal(100, statistics.Counters.LogRecordsWritten + statistics.Counters.LogRecordsDropped);
        Assert.Equal(statistics.Counters.LogRecordsWritten, LogFiles.ReadLines(dir.Path).Count);
        Assert.Equal(LogFiles.ReadLines(dir.Path).Count, LogFiles.ReadRecords(dir.Path).Select(r => r.GetProperty("request_id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task A_generated_request_id_is_formatted_once_and_is_the_id_written()
    {
        using var dir = new TempDirectory();
        string? readBeforeEnd;
        await using (var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { LogDirectory = dir.Path }))
        {
            using (var request = monitor.BeginRequest("ask"))
            {
                readBeforeEnd = request.RequestId;
                Assert.Same(readBeforeEnd, request.RequestId);
                Assert.Equal(readBeforeEnd, StageContext.CurrentRequestId);
            }

            using (monitor.BeginRequest("ask"))
            {
                // Never read: formatted by the writer.
            }
        }

        var ids = LogFiles.ReadRecords(dir.Path).Select(r => r.GetProperty("request_id").GetString()!).ToArray();
        Assert.Equal(2, ids.Length);
        Assert.Equal(readBeforeEnd, ids[0]);
        Assert.NotEqual(ids[0], ids[1]);
        Assert.All(ids, id => Assert.Matches(new Regex("^[0-9a-f]{12}-[0-9a-f]{16}$"), id));
        Assert.Equal(ids[0][..12], ids[1][..12]);
    }

    [Fact]
    public async Task On_the_system_clock_start_time_and_timestamp_follow_the_wall_clock()
    {
        using var dir = new TempDirectory();
        var before = DateTimeOffset.UtcNow;
        await using (var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { LogDirectory = dir.Path }))
        {
            for (var i = 0; i < 3; i++)
            {
                using (monitor.BeginRequest("ask"))
                {
                    await Task.Delay(20);
                }
            }
        }

        var after = DateTimeOffset.UtcNow;
        var records = LogFiles.ReadRecords(dir.Path);
        Assert.Equal(3, records.Count);
        foreach (var record in records)
        {
            var start = DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(record.GetProperty("start_time").GetDouble() * TimeSpan.TicksPerSecond));
            var end = DateTimeOffset.Parse(record.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(start, before.AddMilliseconds(-50), after.AddMilliseconds(50));
            Assert.InRange(end, start, after.AddMilliseconds(50));
            // Written to the microsecond each (and start_time as a double of about 16 digits): within a few microseconds.
            Assert.Equal(record.GetProperty("total_time").GetDouble(), (end - start).TotalSeconds, 1e-5);
        }
    }

    [Fact]
    public async Task Stages_are_written_in_the_order_they_started_whatever_the_order_they_ended()
    {
        using var dir = new TempDirectory();
        var clock = new ManualTimeProvider();
        await using (var monitor = NewMonitor(dir.Path, clock))
        {
            using var request = monitor.BeginRequest("ask", "nested");
            using (monitor.BeginStage("outer"))
            {
                clock.Advance(TimeSpan.FromMilliseconds(1));
                using (monitor.BeginStage("middle"))
                {
                    clock.Advance(TimeSpan.FromMilliseconds(1));
                    using (monitor.BeginStage("inner"))
                    {
                        clock.Advance(TimeSpan.FromMilliseconds(1));
                    }
                }
            }

            using (monitor.BeginStage("last"))
            {
                clock.Advance(TimeSpan.FromMilliseconds(1));
            }
        }

        var record = LogFiles.ReadRecords(dir.Path).Single();
        Assert.Equal(new[] { "outer", "middle", "inner", "last" }, record.GetProperty("stages").EnumerateObject().Select(p => p.Name));
    }

    /// <summary>A logger that holds the sink's writer in its first "LogWriteFailed" call until <c>release</c> is set.</summary>
    private sealed class WriterHoldingLogger(ManualResetEventSlim entered, ManualResetEventSlim release) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name == "LogWriteFailed" && !entered.IsSet)
            {
                entered.Set();
                release.Wait(TimeSpan.FromMinutes(2));
            }
        }
    }
}
