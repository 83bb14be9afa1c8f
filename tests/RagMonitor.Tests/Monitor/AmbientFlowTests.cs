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
}
