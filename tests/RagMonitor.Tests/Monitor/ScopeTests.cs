using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Monitor;

public sealed class ScopeTests
{
    private static PerformanceMonitor NewMonitor(out List<RequestSummary> completed, Action<PerformanceMonitorOptions>? configure = null)
    {
        var options = new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false };
        configure?.Invoke(options);
        var monitor = new PerformanceMonitor(options);
        var list = new List<RequestSummary>();
        monitor.RequestCompleted += (_, s) => { lock (list) { list.Add(s); } };
        completed = list;
        return monitor;
    }

    [Fact]
    public void A_failing_synchronous_stage_records_the_exception_type_and_rethrows_the_same_object()
    {
        using var monitor = NewMonitor(out var completed);
        var thrown = new InvalidOperationException("boom");
        Exception? caught = null;
        using (var request = monitor.BeginRequest("ask"))
        {
            try
            {
                var scope = monitor.BeginStage("generation");
                try
                {
                    throw thrown;
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
            catch (Exception ex) when (request.Fail(ex))
            {
                throw;
            }
            catch (InvalidOperationException ex)
            {
                caught = ex;
            }
        }

        Assert.Same(thrown, caught);
        var summary = Assert.Single(completed);
        Assert.Equal(OperationStatus.Failure, summary.Status);
        Assert.Equal(nameof(InvalidOperationException), summary.ErrorType);
        var stage = summary.Stages.Single();
        Assert.Equal(OperationStatus.Failure, stage.Status);
        Assert.Equal(nameof(InvalidOperationException), stage.ErrorType);
        Assert.Equal(1, stage.Calls);
    }

    [Fact]
    public async Task A_cancelled_async_stage_is_recorded_as_cancelled()
    {
        using var monitor = NewMonitor(out var completed);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var request = monitor.BeginRequest("ask");
        var scope = monitor.BeginAsyncStage("retrieval");
        var task = scope.Track(Task.Delay(1000, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.Track(task));
        var summary = Assert.Single(completed);
        Assert.Equal(OperationStatus.Cancelled, summary.Stages.Single().Status);
        Assert.Equal(OperationStatus.Cancelled, summary.Status);
    }

    [Fact]
    public async Task A_truly_async_stage_lasts_until_its_task_completes()
    {
        using var monitor = NewMonitor(out var completed);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = monitor.BeginRequest("ask");
        var scope = monitor.BeginAsyncStage("generation");
        var tracked = scope.Track(gate.Task);
        Assert.False(tracked.IsCompleted);
        var done = request.Track(tracked);
        await Task.Delay(30);
        Assert.Empty(completed);
        gate.SetResult();
        await done;
        Assert.True(Assert.Single(completed).Stages.Single().Duration >= TimeSpan.FromMilliseconds(25));
    }

    [Fact]
    public void Stages_outside_a_request_are_counted_not_recorded()
    {
        using var monitor = NewMonitor(out var completed);
        using (var stage = monitor.BeginStage("retrieval"))
        {
            Assert.False(stage.IsRecording);
            stage.AddMetadata("k", 1);
        }

        Assert.False(StageContext.AddMetadata("k", 1));
        Assert.Empty(completed);
        Assert.Equal(1, monitor.GetStatistics().Counters.StagesOutsideRequests);
    }

    [Fact]
    public void A_disabled_monitor_records_nothing()
    {
        using var monitor = NewMonitor(out var completed, o => o.Enabled = false);
        using (var request = monitor.BeginRequest("ask"))
        {
            Assert.False(request.IsRecording);
            using var stage = monitor.BeginStage("retrieval");
            Assert.False(stage.IsRecording);
        }

        Assert.False(monitor.StartRequest("q"));
        Assert.Null(monitor.EndRequest("q"));
        Assert.Empty(completed);
        Assert.Equal(0, monitor.GetStatistics().Counters.StagesOutsideRequests);
    }

    [Fact]
    public void Nested_requests_restore_the_outer_request()
    {
        using var monitor = NewMonitor(out var completed);
        using (var outer = monitor.BeginRequest("outer", "o"))
        {
            using (monitor.BeginRequest("inner", "i"))
            {
                using var stage = monitor.BeginStage("a");
            }

            Assert.Equal("o", StageContext.CurrentRequestId);
            using var stage2 = monitor.BeginStage("b");
        }

        Assert.Null(StageContext.CurrentRequestId);
        Assert.Equal(new[] { "i", "o" }, completed.Select(c => c.RequestId));
        Assert.Equal("a", completed[0].Stages.Single().Name);
        Assert.Equal("b", completed[1].Stages.Single().Name);
    }

    [Fact]
    public void Disposing_a_request_twice_ends_it_once()
    {
        using var monitor = NewMonitor(out var completed);
        var request = monitor.BeginRequest("ask");
        request.Dispose();
        request.Dispose();
        Assert.Single(completed);
    }

    [Fact]
    public void Metadata_added_from_a_synchronous_body_lands_on_the_innermost_stage()
    {
        using var monitor = NewMonitor(out var completed);
        using (monitor.BeginRequest("ask"))
        {
            using (monitor.BeginStage("retrieval"))
            {
                StageContext.AddMetadata("outer", 1);
                using (monitor.BeginStage("embedding"))
                {
                    StageContext.AddMetadata("inner", 2);
                }

                StageContext.AddMetadata("outer_again", 3);
            }
        }

        var summary = Assert.Single(completed);
        Assert.Equal(new[] { "outer", "outer_again" }, summary.FindStage("retrieval")!.Metadata.Select(m => m.Key));
        Assert.Equal(new[] { "inner" }, summary.FindStage("embedding")!.Metadata.Select(m => m.Key));
    }

    [Fact]
    public void Parallel_requests_on_threads_are_attributed_correctly()
    {
        using var monitor = NewMonitor(out var completed);
        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            using (monitor.BeginRequest("ask", "r" + i))
            {
                using (var s = monitor.BeginStage("retrieval"))
                {
                    s.AddMetadata("i", i);
                }

                using (monitor.BeginStage("generation"))
                {
                }
            }
        });

        Assert.Equal(200, completed.Count);
        Assert.All(completed, s =>
        {
            Assert.Equal(2, s.Stages.Count);
            Assert.Equal("r" + s.FindStage("retrieval")!.Metadata.Single().Value.IntegerValue, s.RequestId);
        });
    }

    [Fact]
    public async Task A_stream_stage_ends_when_the_enumeration_ends_and_records_first_item_time()
    {
        using var monitor = NewMonitor(out var completed);
        static async IAsyncEnumerable<int> Tokens(int count)
        {
            for (var i = 0; i < count; i++)
            {
                await Task.Yield();
                StageContext.AddMetadata("last", i);
                yield return i;
            }
        }

        var request = monitor.BeginRequest("ask");
        await request.Track(Task.Run(async () =>
        {
            var sum = 0;
            await foreach (var token in monitor.TrackStageStream("generation", Tokens(5)))
            {
                sum += token;
            }

            Assert.Equal(10, sum);
        }));

        var stage = Assert.Single(completed).Stages.Single();
        var metadata = stage.Metadata.ToDictionary(m => m.Key, m => m.Value);
        Assert.Equal(5L, metadata["items"].IntegerValue);
        Assert.Equal(4L, metadata["last"].IntegerValue);
        Assert.True(metadata.ContainsKey("time_to_first_item_ms"));
        Assert.False(metadata.ContainsKey("abandoned"));
        Assert.Equal(OperationStatus.Success, stage.Status);
    }

    [Fact]
    public async Task An_abandoned_stream_stage_ends_when_disposed()
    {
        using var monitor = NewMonitor(out var completed);
        static async IAsyncEnumerable<int> Endless()
        {
            for (var i = 0; ; i++)
            {
                await Task.Yield();
                yield return i;
            }
        }

        var request = monitor.BeginRequest("ask");
        await request.Track(Task.Run(async () =>
        {
            await foreach (var token in monitor.TrackStageStream("generation", Endless()))
            {
                if (token == 2)
                {
                    break;
                }
            }
        }));

        var metadata = Assert.Single(completed).Stages.Single().Metadata.ToDictionary(m => m.Key, m => m.Value);
        Assert.True(metadata["abandoned"].BooleanValue);
        Assert.Equal(3L, metadata["items"].IntegerValue);
    }

    [Fact]
    public void A_synchronous_stage_allocates_nothing()
    {
        using var monitor = NewMonitor(out _);
        using var request = monitor.BeginRequest("ask");
        for (var i = 0; i < 100; i++)
        {
            using var warm = monitor.BeginStage("retrieval");
        }

        Assert.Equal(0, AllocationCheck.LeastBytes(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                using var stage = monitor.BeginStage("retrieval");
            }
        }));
    }

    [Fact]
    public void An_async_stage_that_completes_synchronously_allocates_nothing()
    {
        using var monitor = NewMonitor(out _);
        using var request = monitor.BeginRequest("ask");
        static ValueTask<int> Completed() => new(42);
        for (var i = 0; i < 100; i++)
        {
            monitor.BeginAsyncStage("retrieval").Track(Completed());
            monitor.BeginAsyncStage("grading").Track(Task.CompletedTask);
        }

        Assert.Equal(0, AllocationCheck.LeastBytes(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                monitor.BeginAsyncStage("retrieval").Track(Completed());
                monitor.BeginAsyncStage("grading").Track(Task.CompletedTask);
            }
        }));
    }
}
