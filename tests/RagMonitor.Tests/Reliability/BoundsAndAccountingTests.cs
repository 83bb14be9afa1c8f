using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RagMonitor.Tests.Persistence;
using Xunit.Abstractions;

namespace RagMonitor.Tests.Reliability;

/// <summary>In-flight explicit requests are bounded; the counters add up whatever the disk does.</summary>
[Collection(RunAloneCollection.Name)]
public sealed class BoundsAndAccountingTests(ITestOutputHelper output)
{
    [Fact]
    public void Two_hundred_thousand_never_ended_requests_stay_under_40_MB_and_the_oldest_are_abandoned_and_counted()
    {
        const int requests = 200_000;
        var logger = new RecordingLogger();
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false }, logger);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < requests; i++)
        {
            var id = "never-ended-" + i;
            monitor.StartRequest(id, "ask");
            monitor.LogStage(id, "retrieval", TimeSpan.FromMilliseconds(1), new System.Collections.Generic.Dictionary<string, object?> { ["k"] = i });
        }

        var elapsed = watch.Elapsed;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var counters = monitor.GetStatistics().Counters;
        var cap = new PerformanceMonitorOptions().MaxRequestsInFlight;
        output.WriteLine($"200,000 never-ended requests: {(after - before) / 1024.0 / 1024.0:F1} MB retained, {counters.RequestsAbandoned:N0} abandoned, {counters.RequestsInFlight:N0} in flight, {elapsed.TotalMilliseconds:F0} ms to start them");
        Assert.True(after - before < 40L * 1024 * 1024, $"{(after - before) / 1024.0 / 1024.0:F1} MB for {requests:N0} never-ended requests");
        Assert.Equal(requests - cap, counters.RequestsAbandoned);
        Assert.Equal(cap, counters.RequestsInFlight);
        Assert.Equal(0, counters.RequestsCompleted);
        Assert.Null(monitor.EndRequest("never-ended-0"));
        Assert.NotNull(monitor.EndRequest("never-ended-" + (requests - 1)));
        Assert.Equal(1, logger.Count("RequestsAbandoned"));
        GC.KeepAlive(monitor);
    }

    [Fact]
    public void Requests_that_end_are_never_abandoned_even_behind_one_that_runs_long()
    {
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false, MaxRequestsInFlight = 100 });
        monitor.StartRequest("long");
        for (var i = 0; i < 20_000; i++)
        {
            monitor.StartRequest("short-" + i);
            if (i >= 50)
            {
                Assert.NotNull(monitor.EndRequest("short-" + (i - 50)));
            }
        }

        var counters = monitor.GetStatistics().Counters;
        Assert.Equal(0, counters.RequestsAbandoned);
        Assert.NotNull(monitor.EndRequest("long"));
    }

    [UnixFact]
    public void A_close_that_times_out_counts_what_it_gives_up_and_the_counters_stay_final()
    {
        using var dir = new TempDirectory();
        var blocker = dir.Combine("file-not-directory");
        File.WriteAllText(blocker, "x");
        var sink = new JsonlSink(new PerformanceMonitorOptions { LogDirectory = Path.Combine(blocker, "logs") }) { CloseTimeout = TimeSpan.FromMinutes(5) };
        var summary = new RequestSummary("ask", "id", DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(1), OperationStatus.Success, null, Array.Empty<StageSummary>(), Array.Empty<Bottleneck>(), true, null, null);
        for (var i = 0; i < 100; i++)
        {
            Assert.True(sink.TryEnqueue(summary));
        }

        Assert.False(sink.Close(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(0, sink.RecordsWritten);
        Assert.Equal(100, sink.RecordsDropped);
        Assert.Equal(100, sink.RecordsGivenUpAtClose);
        Assert.Equal(0, sink.RecordsPending);
        Assert.False(sink.TryEnqueue(summary)); // closed: refused and counted
        Assert.Equal(101, sink.RecordsDropped);

        File.Delete(blocker);
        Thread.Sleep(300);
        Assert.Equal(0, sink.RecordsWritten); // the counters are final
        Assert.True(sink.FlushAsync().IsCompleted);
    }

    [Fact]
    public async Task Written_plus_dropped_equals_ended_after_dispose_with_a_queue_that_overflows()
    {
        using var dir = new TempDirectory();
        var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { LogDirectory = dir.Path, QueueCapacity = 64, AdaptiveBottlenecks = false, SlowRequestThreshold = null });
        var threads = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                using var request = monitor.BeginRequest("ask");
                using var stage = monitor.BeginStage("retrieval");
            }
        })).ToArray();
        await Task.WhenAll(threads);
        await monitor.DisposeAsync();
        var counters = monitor.GetStatistics().Counters;
        Assert.Equal(80_000, counters.RequestsCompleted);
        Assert.Equal(counters.RequestsCompleted, counters.LogRecordsWritten + counters.LogRecordsDropped);
        Assert.Equal(0, counters.LogRecordsPending);
        Assert.Equal(counters.LogRecordsWritten, LogFiles.ReadLines(dir.Path).Count);
    }
}
