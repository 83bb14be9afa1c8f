using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Persistence;

public sealed class SinkConcurrencyTests
{
    [Fact]
    public async Task Eight_threads_of_ten_thousand_requests_are_each_written_exactly_once()
    {
        const int threads = 8;
        const int perThread = 10_000;
        using var dir = new TempDirectory();
        // The queue holds every request: this test is about exactly-once, not about overflow.
        await using (var monitor = JsonlFormatTests.NewMonitor(dir.Path, configure: o => o.QueueCapacity = threads * perThread))
        {
            using var start = new Barrier(threads);
            var workers = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < perThread; i++)
                {
                    // Half through the ambient scopes, half through the explicit API.
                    if (i % 2 == 0)
                    {
                        using var request = monitor.BeginRequest("ask", $"t{t}-{i}");
                        using (var stage = monitor.BeginStage("retrieval"))
                        {
                            stage.AddMetadata("documents_retrieved", i);
                        }

                        using (monitor.BeginStage("grading"))
                        {
                        }

                        using (monitor.BeginStage("generation"))
                        {
                        }
                    }
                    else
                    {
                        var id = $"t{t}-{i}";
                        monitor.StartRequest(id, "ask");
                        monitor.LogStage(id, "retrieval", TimeSpan.FromMilliseconds(1));
                        monitor.LogStage(id, "grading", TimeSpan.FromMilliseconds(1));
                        monitor.LogStage(id, "generation", TimeSpan.FromMilliseconds(1));
                        monitor.EndRequest(id);
                    }
                }
            }, TaskCreationOptions.LongRunning)).ToArray();
            await Task.WhenAll(workers);
            await monitor.FlushAsync();

            var counters = monitor.GetStatistics().Counters;
            Assert.Equal(threads * perThread, counters.LogRecordsWritten);
            Assert.Equal(0, counters.LogRecordsDropped);
            Assert.Equal(0, counters.LogRecordsPending);
        }

        var ids = LogFiles.ReadRecords(dir.Path).Select(r => r.GetProperty("request_id").GetString()!).ToList();
        Assert.Equal(threads * perThread, ids.Count);
        var unique = new HashSet<string>(ids, StringComparer.Ordinal);
        Assert.Equal(ids.Count, unique.Count);
        var missing = Enumerable.Range(0, threads).SelectMany(t => Enumerable.Range(0, perThread).Select(i => $"t{t}-{i}")).Where(id => !unique.Contains(id)).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public async Task A_full_queue_drops_and_counts_without_blocking_or_throwing()
    {
        const int total = 200_000;
        using var dir = new TempDirectory();
        var summary = new RequestSummary("ask", "burst", DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(5), OperationStatus.Success, null,
            new[] { new StageSummary("retrieval", TimeSpan.FromMilliseconds(5), 1, 1.0, OperationStatus.Success, null, Array.Empty<KeyValuePair<string, MetadataValue>>()) },
            Array.Empty<Bottleneck>(), isCompleted: true);
        var options = new PerformanceMonitorOptions { LogDirectory = dir.Path, QueueCapacity = 16, FlushInterval = TimeSpan.FromSeconds(1) };
        long accepted = 0;
        await using (var sink = new JsonlSink(options))
        {
            for (var i = 0; i < total; i++)
            {
                if (sink.TryEnqueue(summary))
                {
                    accepted++;
                }
            }

            await sink.FlushAsync();
            Assert.True(sink.RecordsDropped > 0);
            Assert.Equal(total, sink.RecordsWritten + sink.RecordsDropped);
            Assert.Equal(accepted, sink.RecordsWritten);
            Assert.Equal(0, sink.RecordsPending);
        }

        Assert.Equal(accepted, LogFiles.ReadLines(dir.Path).Count);
    }

    [Fact]
    public async Task Monitor_statistics_show_drops_when_the_queue_overflows()
    {
        const int total = 20_000;
        using var dir = new TempDirectory();
        await using var monitor = JsonlFormatTests.NewMonitor(dir.Path, configure: o =>
        {
            o.QueueCapacity = 1;
            o.FlushInterval = TimeSpan.FromSeconds(1);
        });
        for (var i = 0; i < total; i++)
        {
            using var request = monitor.BeginRequest("ask");
            using var stage = monitor.BeginStage("retrieval");
        }

        await monitor.FlushAsync();
        var counters = monitor.GetStatistics().Counters;
        Assert.True(counters.LogRecordsDropped > 0);
        Assert.Equal(total, counters.LogRecordsWritten + counters.LogRecordsDropped);
    }

    [Fact]
    public async Task Flush_waits_for_records_queued_before_it_and_dispose_drains_the_rest()
    {
        using var dir = new TempDirectory();
        var options = new PerformanceMonitorOptions { LogDirectory = dir.Path, FlushInterval = TimeSpan.FromMinutes(10) };
        var sink = new JsonlSink(options);
        for (var i = 0; i < 1000; i++)
        {
            sink.TryEnqueue(NewSummary("f" + i));
        }

        // The writer's own schedule is 10 minutes: only the flush can have written these.
        await sink.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1000, sink.RecordsWritten);
        Assert.Equal(1000, LogFiles.ReadLines(dir.Path).Count);

        for (var i = 0; i < 500; i++)
        {
            sink.TryEnqueue(NewSummary("d" + i));
        }

        await sink.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1500, sink.RecordsWritten);
        Assert.Equal(1500, LogFiles.ReadLines(dir.Path).Count);
        Assert.False(sink.TryEnqueue(NewSummary("late")));
        Assert.Equal(1, sink.RecordsDropped);
        await sink.FlushAsync().WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Flush_completes_while_producers_keep_the_queue_full()
    {
        using var dir = new TempDirectory();
        // A queue large enough that the writer cannot empty it while the producer runs: the flush must not wait for an empty queue.
        await using var sink = new JsonlSink(new PerformanceMonitorOptions { LogDirectory = dir.Path, QueueCapacity = 100_000 });
        var stop = 0;
        var producer = Task.Factory.StartNew(() =>
        {
            var summary = NewSummary("stream");
            while (Volatile.Read(ref stop) == 0)
            {
                sink.TryEnqueue(summary);
            }
        }, TaskCreationOptions.LongRunning);
        try
        {
            await Task.Delay(50);
            var before = sink.RecordsWritten;
            await sink.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(sink.RecordsWritten > before);
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            await producer;
        }
    }

    [Fact]
    public async Task A_cancelled_flush_throws_and_leaves_the_sink_working()
    {
        using var dir = new TempDirectory();
        var blocker = Path.Combine(dir.Path, "file");
        await File.WriteAllTextAsync(blocker, "not a directory");
        var options = new PerformanceMonitorOptions { LogDirectory = Path.Combine(blocker, "logs") };
        var sink = new JsonlSink(options) { CloseTimeout = TimeSpan.Zero };
        sink.TryEnqueue(NewSummary("c"));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sink.FlushAsync(cts.Token));
        await sink.DisposeAsync();
        Assert.Equal(1, sink.RecordsDropped);
    }

    internal static RequestSummary NewSummary(string id) => new("ask", id, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(3), OperationStatus.Success, null,
        new[] { new StageSummary("retrieval", TimeSpan.FromMilliseconds(3), 1, 1.0, OperationStatus.Success, null, new[] { new KeyValuePair<string, MetadataValue>("k", 1) }) },
        Array.Empty<Bottleneck>(), isCompleted: true);
}
