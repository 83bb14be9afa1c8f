using System;
using System.Linq;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Monitor;

public sealed class AmbientFlowTests
{
    private static PerformanceMonitor NewMonitor() => new(new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false });

    [Fact]
    public async Task Stages_across_awaits_belong_to_the_request()
    {
        using var monitor = NewMonitor();
        RequestSummary? summary = null;
        monitor.RequestCompleted += (_, s) => summary = s;

        using (monitor.BeginRequest("ask", "r1"))
        {
            using (monitor.BeginStage("retrieval"))
            {
                await Task.Delay(5);
            }

            await Task.Yield();
            using (monitor.BeginStage("generation"))
            {
                await Task.Delay(5);
            }
        }

        Assert.NotNull(summary);
        Assert.Equal("r1", summary!.RequestId);
        Assert.Equal(new[] { "retrieval", "generation" }, summary.Stages.Select(s => s.Name));
        Assert.All(summary.Stages, s => Assert.True(s.Duration >= TimeSpan.FromMilliseconds(4)));
    }

    [Fact]
    public async Task Parallel_async_stages_keep_their_own_body_metadata()
    {
        using var monitor = NewMonitor();
        RequestSummary? summary = null;
        monitor.RequestCompleted += (_, s) => summary = s;

        async Task<int> Body(string name, int delay)
        {
            StageContext.AddMetadata("before", name);
            await Task.Delay(delay);
            StageContext.AddMetadata("after", name);
            await Task.Yield();
            Assert.Equal(name, StageContext.CurrentStageName);
            return delay;
        }

        Task<int> Stage(string name, int delay)
        {
            var scope = monitor.BeginAsyncStage(name);
            Task<int> task;
            var ok = false;
            try
            {
                task = Body(name, delay);
                ok = true;
            }
            catch (Exception ex) when (scope.Fail(ex))
            {
                throw;
            }
            finally
            {
                if (!ok)
                {
                    scope.Dispose();
                }
            }

            return scope.Track(task);
        }

        var request = monitor.BeginRequest("ask");
        await request.Track(Task.Run(async () =>
        {
            await Task.WhenAll(Stage("vector", 20), Stage("keyword", 5), Stage("web", 10));
            Assert.Null(StageContext.CurrentStageName);
        }));

        Assert.NotNull(summary);
        foreach (var name in new[] { "vector", "keyword", "web" })
        {
            var stage = summary!.FindStage(name)!;
            Assert.Equal(1, stage.Calls);
            Assert.Contains(stage.Metadata, m => m.Key == "before" && m.Value.StringValue == name);
            Assert.Contains(stage.Metadata, m => m.Key == "after" && m.Value.StringValue == name);
        }
    }

    [Fact]
    public void An_async_stage_ended_after_its_request_inside_the_next_request_leaves_that_request_current()
    {
        // Misuse (the scope outlives its request), but it must not cost the next request its stages.
        using var monitor = NewMonitor();
        var summaries = new System.Collections.Concurrent.ConcurrentDictionary<string, RequestSummary>();
        monitor.RequestCompleted += (_, s) => summaries[s.RequestId] = s;

        var first = monitor.BeginRequest("ask", "a");
        var stale = monitor.BeginAsyncStage("late"); // claims the first request's own frame
        first.Dispose();

        using (monitor.BeginRequest("ask", "b"))
        {
            stale.Dispose();
            Assert.Equal("b", StageContext.CurrentRequestId);
            using (monitor.BeginStage("inside-b"))
            {
            }

            using (monitor.BeginAsyncStage("async-inside-b"))
            {
                Assert.Equal("async-inside-b", StageContext.CurrentStageName);
            }
        }

        Assert.Null(StageContext.CurrentRequestId);
        Assert.Equal(new[] { "inside-b", "async-inside-b" }, summaries["b"].Stages.Select(s => s.Name));
        Assert.Empty(summaries["a"].Stages);
    }

    [Fact]
    public void An_async_stage_ended_after_its_request_leaves_no_request_behind_on_the_flow()
    {
        using var monitor = NewMonitor();
        var first = monitor.BeginRequest("ask", "a");
        var stale = monitor.BeginAsyncStage("late");
        first.Dispose();
        stale.Dispose();

        Assert.Null(StageContext.CurrentRequestId);
        using (monitor.BeginStage("outside"))
        {
            Assert.Null(StageContext.CurrentStageName);
        }
    }

    [Fact]
    public void An_async_stage_with_a_frame_of_its_own_ended_inside_the_next_request_leaves_that_request_current()
    {
        using var monitor = NewMonitor();
        var summaries = new System.Collections.Concurrent.ConcurrentDictionary<string, RequestSummary>();
        monitor.RequestCompleted += (_, s) => summaries[s.RequestId] = s;
        using var staleStarted = new System.Threading.ManualResetEventSlim();
        using var firstEnded = new System.Threading.ManualResetEventSlim();

        var first = monitor.BeginRequest("ask", "a");
        var holder = monitor.BeginAsyncStage("holder"); // this thread claims the request's frame
        string? currentAfterDispose = null;
        var other = new System.Threading.Thread(() =>
        {
            // Same flow's frame, claimed by the other thread: this stage pushes a frame of its own.
            var stale = monitor.BeginAsyncStage("late");
            staleStarted.Set();
            firstEnded.Wait();
            using (monitor.BeginRequest("ask", "b"))
            {
                stale.Dispose();
                currentAfterDispose = StageContext.CurrentRequestId;
                using (monitor.BeginStage("inside-b"))
                {
                }
            }
        });
        other.Start();
        staleStarted.Wait();
        holder.Dispose();
        first.Dispose();
        firstEnded.Set();
        other.Join();

        Assert.Equal("b", currentAfterDispose);
        Assert.Equal(new[] { "inside-b" }, summaries["b"].Stages.Select(s => s.Name));
    }

    [Fact]
    public void The_current_request_follows_execution_context_switches_on_one_thread()
    {
        // The lookup keeps the last (execution context, request) pair per thread; every switch must still be seen.
        using var monitor = NewMonitor();
        System.Threading.ExecutionContext? outside = System.Threading.ExecutionContext.Capture();
        System.Threading.ExecutionContext? inFirst;
        using (monitor.BeginRequest("ask", "a"))
        {
            Assert.Equal("a", StageContext.CurrentRequestId);
            inFirst = System.Threading.ExecutionContext.Capture();
            using (monitor.BeginRequest("ask", "b"))
            {
                Assert.Equal("b", StageContext.CurrentRequestId);
                System.Threading.ExecutionContext.Run(inFirst!, _ => Assert.Equal("a", StageContext.CurrentRequestId), null);
                Assert.Equal("b", StageContext.CurrentRequestId);
                System.Threading.ExecutionContext.Run(outside!, _ => Assert.Null(StageContext.CurrentRequestId), null);
                Assert.Equal("b", StageContext.CurrentRequestId);
                using (System.Threading.ExecutionContext.SuppressFlow())
                {
                    // Capture gives null while the flow is suppressed; the request is still this flow's.
                    Assert.Equal("b", StageContext.CurrentRequestId);
                    using (monitor.BeginStage("suppressed"))
                    {
                    }
                }
            }

            Assert.Equal("a", StageContext.CurrentRequestId);
        }

        Assert.Null(StageContext.CurrentRequestId);
        System.Threading.ExecutionContext.Run(inFirst!, _ => Assert.Equal("a", StageContext.CurrentRequestId), null);
        Assert.Null(StageContext.CurrentRequestId);
    }
}
