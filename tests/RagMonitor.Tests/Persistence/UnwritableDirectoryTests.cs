using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace RagMonitor.Tests.Persistence;

public sealed class UnwritableDirectoryTests
{
    [Fact]
    public async Task Failures_are_counted_and_logged_once_and_records_are_written_once_the_directory_works()
    {
        using var dir = new TempDirectory();
        var blocker = dir.Combine("logs");
        await File.WriteAllTextAsync(blocker, "a regular file where the log directory's parent should be");
        var logDirectory = Path.Combine(blocker, "performance");
        var logger = new CollectingLogger();
        var options = new PerformanceMonitorOptions { LogDirectory = logDirectory, AdaptiveBottlenecks = false, SlowRequestThreshold = null };
        await using var monitor = new PerformanceMonitor(options, logger);

        for (var i = 0; i < 100; i++)
        {
            using var request = monitor.BeginRequest("ask", "u" + i);
            using var stage = monitor.BeginStage("retrieval");
        }

        await WaitUntil(() => monitor.GetStatistics().Counters.LogWriteFailures >= 3);
        var counters = monitor.GetStatistics().Counters;
        Assert.Equal(0, counters.LogRecordsWritten);
        Assert.Equal(0, counters.LogRecordsDropped);
        Assert.Equal(100, counters.LogRecordsPending);
        Assert.Single(logger.Entries, e => e.Id.Name == "LogWriteFailed" && e.Message.Contains(Path.GetFullPath(logDirectory), StringComparison.Ordinal));

        // More requests while it is broken: the pipeline is not disturbed.
        for (var i = 100; i < 150; i++)
        {
            monitor.StartRequest("u" + i, "ask");
            monitor.LogStage("u" + i, "retrieval", TimeSpan.FromMilliseconds(2));
            Assert.NotNull(monitor.EndRequest("u" + i));
        }

        File.Delete(blocker);
        Directory.CreateDirectory(blocker);

        await monitor.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        counters = monitor.GetStatistics().Counters;
        Assert.Equal(150, counters.LogRecordsWritten);
        Assert.Equal(0, counters.LogRecordsPending);
        var ids = LogFiles.ReadRecords(logDirectory).Select(r => r.GetProperty("request_id").GetString()).ToList();
        Assert.Equal(150, ids.Count);
        Assert.Equal(150, ids.Distinct().Count());
        Assert.Single(logger.Entries, e => e.Id.Name == "LogWriteFailed");
        Assert.Single(logger.Entries, e => e.Id.Name == "LogWriteResumed" && e.Level == LogLevel.Information);
    }

    [Fact]
    public async Task While_writes_fail_the_statistics_go_on_counting_and_requests_given_up_at_close_stay_counted()
    {
        using var dir = new TempDirectory();
        var blocker = dir.Combine("logs");
        await File.WriteAllTextAsync(blocker, "a regular file where the log directory's parent should be");
        var options = new PerformanceMonitorOptions { LogDirectory = Path.Combine(blocker, "performance"), AdaptiveBottlenecks = false, SlowRequestThreshold = null };
        var monitor = new PerformanceMonitor(options);
        for (var i = 0; i < 100; i++)
        {
            using var request = monitor.BeginRequest("ask");
            using var stage = monitor.BeginStage("retrieval");
        }

        await WaitUntil(() => monitor.GetStatistics().Counters.LogWriteFailures >= 2);
        for (var i = 0; i < 50; i++)
        {
            using var request = monitor.BeginRequest("ask");
            using var stage = monitor.BeginStage("retrieval");
        }

        // The records stay queued for the retries, yet every request is in the statistics.
        var statistics = monitor.GetStatistics();
        Assert.Equal(150, statistics.Counters.LogRecordsPending);
        Assert.Equal(150, Assert.Single(statistics.Requests).Lifetime.Count);
        Assert.Equal(150, statistics.FindStage("retrieval")!.Lifetime.Count);

        await monitor.DisposeAsync();
        statistics = monitor.GetStatistics();
        Assert.Equal(150, statistics.Counters.LogRecordsDropped);
        Assert.Equal(150, Assert.Single(statistics.Requests).Lifetime.Count);
    }

    [Fact]
    public async Task While_broken_the_queue_stays_bounded_and_the_excess_is_dropped()
    {
        using var dir = new TempDirectory();
        var blocker = dir.Combine("file");
        await File.WriteAllTextAsync(blocker, "x");
        var options = new PerformanceMonitorOptions { LogDirectory = Path.Combine(blocker, "logs"), QueueCapacity = 10 };
        var sink = new JsonlSink(options) { CloseTimeout = TimeSpan.FromMilliseconds(50) };
        for (var i = 0; i < 1000; i++)
        {
            sink.TryEnqueue(SinkConcurrencyTests.NewSummary("b" + i));
            if (i == 5)
            {
                await WaitUntil(() => sink.WriteFailures > 0);
            }
        }

        Assert.Equal(10, sink.RecordsPending);
        Assert.Equal(1000, sink.RecordsPending + sink.RecordsDropped);
        await sink.DisposeAsync();
        Assert.Equal(1000, sink.RecordsDropped);
        Assert.Equal(0, sink.RecordsPending);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 30 s");
            await Task.Delay(10);
        }
    }

    private sealed class CollectingLogger : ILogger
    {
        public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, eventId, formatter(state, exception)));
    }
}
