using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Monitor;

/// <summary>
/// A thread keeps the synchronous stage calls it ends for one request and the request adds them when it is read, ended,
/// or the thread moves on to another request (ThreadStage). These tests pin what users see of that: every call is
/// counted once, in its own request, whichever thread ends or reads the request.
/// </summary>
public sealed class SynchronousStageRecordingTests
{
    private static PerformanceMonitor NewMonitor(out List<RequestSummary> completed)
    {
        var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false, MeasureResources = false });
        var list = new List<RequestSummary>();
        monitor.RequestCompleted += (_, s) => { lock (list) { list.Add(s); } };
        completed = list;
        return monitor;
    }

    /// <summary>Begins a request in a flow of its own and returns that flow, so that a test can enter it on any thread.</summary>
    private static (RequestScope Request, ExecutionContext Flow) BeginInOwnFlow(PerformanceMonitor monitor, string name)
    {
        RequestScope request = default;
        ExecutionContext? flow = null;
        ExecutionContext.Run(ExecutionContext.Capture()!, _ =>
        {
            request = monitor.BeginRequest(name);
            flow = ExecutionContext.Capture();
        }, null);
        return (request, flow!);
    }

    private static void InFlow(ExecutionContext flow, Action action) => ExecutionContext.Run(flow.CreateCopy(), _ => action(), null);

    private static void Stage(PerformanceMonitor monitor, string name)
    {
        using (monitor.BeginStage(name))
        {
            Thread.SpinWait(10);
        }
    }

    private static int CallsOf(RequestSummary summary, string stage) => summary.Stages.Single(s => s.Name == stage).Calls;

    [Fact]
    public void Calls_of_one_thread_for_interleaved_requests_land_in_their_own_request()
    {
        using var monitor = NewMonitor(out var completed);
        var (first, firstFlow) = BeginInOwnFlow(monitor, "first");
        var (second, secondFlow) = BeginInOwnFlow(monitor, "second");
        for (var i = 0; i < 100; i++)
        {
            InFlow(firstFlow, () => Stage(monitor, "retrieval"));
            InFlow(secondFlow, () => Stage(monitor, "retrieval"));
            InFlow(firstFlow, () => Stage(monitor, "generation"));
        }

        InFlow(firstFlow, first.Dispose);
        InFlow(secondFlow, second.Dispose);

        var firstSummary = completed.Single(s => s.RequestName == "first");
        var secondSummary = completed.Single(s => s.RequestName == "second");
        Assert.Equal(new[] { "retrieval", "generation" }, firstSummary.Stages.Select(s => s.Name));
        Assert.Equal(100, CallsOf(firstSummary, "retrieval"));
        Assert.Equal(100, CallsOf(firstSummary, "generation"));
        Assert.Equal("retrieval", Assert.Single(secondSummary.Stages).Name);
        Assert.Equal(100, CallsOf(secondSummary, "retrieval"));
        Assert.All(firstSummary.Stages.Concat(secondSummary.Stages), s => Assert.True(s.Duration > TimeSpan.Zero));
    }

    [Fact]
    public void A_summary_of_a_running_request_includes_the_calls_so_far_and_the_end_counts_each_once()
    {
        using var monitor = NewMonitor(out var completed);
        var request = monitor.BeginRequest("ask");
        for (var i = 0; i < 3; i++)
        {
            Stage(monitor, "retrieval");
        }

        var running = request.GetSummary()!;
        Assert.Equal(3, CallsOf(running, "retrieval"));
        Assert.Equal(3, CallsOf(request.GetSummary()!, "retrieval"));
        Stage(monitor, "retrieval");
        Stage(monitor, "retrieval");
        Assert.Equal(5, CallsOf(request.GetSummary()!, "retrieval"));
        request.Dispose();

        var summary = Assert.Single(completed);
        Assert.Equal(5, CallsOf(summary, "retrieval"));
        Assert.True(summary.Stages[0].Duration >= running.Stages[0].Duration);
    }

    [Fact]
    public void More_stage_names_than_a_thread_keeps_pending_are_all_recorded_in_start_order()
    {
        using var monitor = NewMonitor(out var completed);
        var names = Enumerable.Range(0, 10).Select(i => "stage_" + i).ToArray();
        using (monitor.BeginRequest("ask"))
        {
            for (var round = 0; round < 3; round++)
            {
                foreach (var name in names)
                {
                    Stage(monitor, name);
                }
            }
        }

        var summary = Assert.Single(completed);
        Assert.Equal(names, summary.Stages.Select(s => s.Name));
        Assert.All(summary.Stages, s => Assert.Equal(3, s.Calls));
    }

    [Fact]
    public void Equal_names_from_different_string_instances_are_one_stage()
    {
        using var monitor = NewMonitor(out var completed);
        using (monitor.BeginRequest("ask"))
        {
            Stage(monitor, "retrieval");
            Stage(monitor, new string("retrieval".AsSpan()));
            Stage(monitor, string.Concat("retr", "ieval"));
        }

        var stage = Assert.Single(Assert.Single(completed).Stages);
        Assert.Equal(3, stage.Calls);
    }

    [Fact]
    public void Parallel_synchronous_stages_on_many_threads_are_all_counted_while_summaries_are_read()
    {
        const int threads = 4;
        const int callsPerThread = 20_000;
        using var monitor = NewMonitor(out var completed);
        var request = monitor.BeginRequest("ask");
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(_ =>
        {
            // Started inside the request's flow: the thread inherits it.
            var thread = new Thread(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < callsPerThread; i++)
                {
                    using (monitor.BeginStage("retrieval"))
                    {
                    }
                }
            });
            thread.Start();
            return thread;
        }).ToList();

        start.SignalAndWait();
        var seen = 0;
        while (workers.Any(w => w.IsAlive))
        {
            // Summaries read while the threads add calls: never fewer than before, never more than were made.
            var calls = request.GetSummary()!.Stages.SingleOrDefault()?.Calls ?? 0;
            Assert.InRange(calls, seen, threads * callsPerThread);
            seen = calls;
        }

        workers.ForEach(w => w.Join());
        Assert.Equal(threads * callsPerThread, CallsOf(request.GetSummary()!, "retrieval"));
        request.Dispose();
        Assert.Equal(threads * callsPerThread, CallsOf(Assert.Single(completed), "retrieval"));
    }

    [Fact]
    public async Task A_request_ended_on_another_thread_counts_the_calls_a_worker_thread_still_holds()
    {
        using var monitor = NewMonitor(out var completed);
        var (request, flow) = BeginInOwnFlow(monitor, "ask");
        using var recorded = new ManualResetEventSlim();
        using var ended = new ManualResetEventSlim();
        StageScope late = default;
        var worker = new Thread(() =>
        {
            InFlow(flow, () =>
            {
                for (var i = 0; i < 1000; i++)
                {
                    Stage(monitor, "retrieval");
                }

                late = monitor.BeginStage("retrieval");
            });

            recorded.Set();
            ended.Wait();

            // Ends after the request did: changes nothing, throws nothing.
            late.Dispose();

            // The same thread then records for another request.
            var (next, nextFlow) = BeginInOwnFlow(monitor, "next");
            InFlow(nextFlow, () => Stage(monitor, "retrieval"));
            InFlow(nextFlow, next.Dispose);
        });
        worker.Start();
        recorded.Wait();
        await Task.Run(() => InFlow(flow, request.Dispose));
        ended.Set();
        worker.Join();

        Assert.Equal(1000, CallsOf(completed.Single(s => s.RequestName == "ask"), "retrieval"));
        Assert.Equal(1, CallsOf(completed.Single(s => s.RequestName == "next"), "retrieval"));
        Assert.Null(monitor.LastInternalError);
    }

    [Fact]
    public void A_synchronous_stage_disposed_on_another_thread_is_counted_and_leaves_the_beginning_threads_stage_alone()
    {
        using var monitor = NewMonitor(out var completed);
        var (request, flow) = BeginInOwnFlow(monitor, "ask");
        InFlow(flow, () =>
        {
            // This thread is still inside "handoff" in its own code after another thread disposed the scope.
            var handoff = monitor.BeginStage("handoff");
            var other = new Thread(() => InFlow(flow, handoff.Dispose));
            other.Start();
            other.Join();

            using (monitor.BeginStage("inner"))
            {
                Thread.SpinWait(10);
            }

            // Back in "handoff" on this thread: the other thread's dispose did not clear this thread's current stage.
            StageContext.AddMetadata("after_handoff", 1);
        });
        InFlow(flow, request.Dispose);

        var summary = completed.Single();
        Assert.Equal(1, CallsOf(summary, "handoff"));
        Assert.Equal(1, CallsOf(summary, "inner"));
        var metadata = Assert.Single(summary.Stages.Single(s => s.Name == "handoff").Metadata);
        Assert.Equal("after_handoff", metadata.Key);
        Assert.Equal(1L, metadata.Value.IntegerValue);
        Assert.Null(monitor.LastInternalError);
    }
}
