using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using OpenTelemetry;
using OpenTelemetry.Trace;
using RagMonitor.OpenTelemetry;

namespace RagMonitor.Ecosystem.Tests.OpenTelemetry;

public sealed class TracingTests
{
    private static readonly ActivitySource s_outer = new("RagMonitor.Ecosystem.Tests.Outer");

    private static TracerProvider NewTracer(List<Activity> exported) => Sdk.CreateTracerProviderBuilder()
        .AddRagMonitorInstrumentation()
        .AddSource(TestPipeline.UserSource.Name, s_outer.Name)
        .AddInMemoryExporter(exported)
        .Build()!;

    private static Activity Single(IEnumerable<Activity> spans, string name) => Assert.Single(spans, a => a.DisplayName == name);

    private static object? Tag(Activity activity, string key) => activity.TagObjects.FirstOrDefault(t => t.Key == key).Value;

    [Fact]
    public async Task Request_and_stage_spans_nest_in_real_time_with_tags_and_verdict()
    {
        var exported = new List<Activity>();
        // The verdict must not depend on how the machine schedules the other stages: an absolute threshold below the
        // generation stage's 40 ms delay always flags it (the share rule could miss it on a loaded machine).
        using var monitor = TestMonitors.Create(o => o.StageDurationThresholds["generation"] = TimeSpan.FromMilliseconds(1));
        var name = TestMonitors.UniqueName("ask");
        RequestSummary? summary = null;
        monitor.RequestCompleted += (_, s) => summary = s;

        using (NewTracer(exported))
        {
            await new TestPipeline(monitor, name).AskAsync("what is rag?", "req-1");
        }

        var spans = exported.Where(a => a.TraceId == exported.Single(x => x.DisplayName == name).TraceId).ToList();
        var request = Single(spans, name);
        var retrieval = Single(spans, "retrieval");
        var embedding = Single(spans, "embedding");
        var generation = Single(spans, "generation");

        // Parent/child: stages under the request, the application's own spans under the stage they ran in.
        Assert.Equal(RagMonitorTelemetry.ActivitySourceName, request.Source.Name);
        Assert.Equal(default, request.ParentSpanId);
        Assert.All(new[] { retrieval, embedding, generation }, s => Assert.Equal(request.SpanId, s.ParentSpanId));
        Assert.Equal(retrieval.SpanId, Single(spans, "vector-search").ParentSpanId);
        Assert.Equal(generation.SpanId, Single(spans, "llm-http-call").ParentSpanId);

        // Real time: the stage spans lie inside the request span.
        Assert.True(generation.StartTimeUtc >= request.StartTimeUtc);
        Assert.True(generation.StartTimeUtc + generation.Duration <= request.StartTimeUtc + request.Duration);
        Assert.True(generation.Duration >= TimeSpan.FromMilliseconds(30));

        // Status and tags.
        Assert.All(new[] { request, retrieval, embedding, generation }, s => Assert.Equal(ActivityStatusCode.Ok, s.Status));
        Assert.Equal("req-1", Tag(request, "ragmonitor.request_id"));
        Assert.Equal("success", Tag(request, "ragmonitor.status"));
        Assert.Equal(name, Tag(generation, "ragmonitor.request"));
        Assert.Equal("generation", Tag(generation, "ragmonitor.stage"));
        Assert.Equal(3L, Tag(retrieval, "ragmonitor.metadata.documents_retrieved"));
        Assert.Equal("docs-index", Tag(retrieval, "ragmonitor.metadata.data_source"));

        // The bottleneck verdict of the monitor, on the request span.
        Assert.NotNull(summary);
        Assert.Contains(summary!.Bottlenecks, b => b.Stage == "generation");
        var verdict = Assert.IsType<string[]>(Tag(request, "ragmonitor.bottlenecks"));
        Assert.Equal(summary.BottleneckTexts, verdict);
    }

    [Fact]
    public async Task Well_known_metadata_keys_become_GenAI_attributes()
    {
        var exported = new List<Activity>();
        using var monitor = TestMonitors.Create();
        var name = TestMonitors.UniqueName("ask");
        using (NewTracer(exported))
        {
            await new TestPipeline(monitor, name).AskAsync("q");
        }

        var generation = Single(exported, "generation");
        Assert.Equal("chat", Tag(generation, "gen_ai.operation.name"));
        Assert.Equal("chat-large", Tag(generation, "gen_ai.request.model"));
        Assert.Equal(120L, Tag(generation, "gen_ai.usage.input_tokens"));
        Assert.Equal(42L, Tag(generation, "gen_ai.usage.output_tokens"));

        var retrieval = Single(exported, "retrieval");
        Assert.Equal("retrieval", Tag(retrieval, "gen_ai.operation.name"));
        Assert.Equal("docs-index", Tag(retrieval, "gen_ai.data_source.id"));
        Assert.Null(Tag(retrieval, "gen_ai.request.model"));

        var embedding = Single(exported, "embedding");
        Assert.Equal("embeddings", Tag(embedding, "gen_ai.operation.name"));
        Assert.Equal("embed-small", Tag(embedding, "gen_ai.request.model"));
    }

    [Fact]
    public async Task A_failing_stage_has_error_status_and_an_exception_event()
    {
        var exported = new List<Activity>();
        using var monitor = TestMonitors.Create();
        var name = TestMonitors.UniqueName("ask");
        RequestSummary? summary = null;
        monitor.RequestCompleted += (_, s) => summary = s;
        using (NewTracer(exported))
        {
            var pipeline = new TestPipeline(monitor, name) { FailGeneration = true };
            await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.AskAsync("q"));
        }

        var generation = Single(exported, "generation");
        Assert.Equal(ActivityStatusCode.Error, generation.Status);
        Assert.Equal("model overloaded", generation.StatusDescription);
        Assert.Equal("failure", Tag(generation, "ragmonitor.status"));
        var exception = Assert.Single(generation.Events, e => e.Name == "exception");
        var tags = exception.Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal(typeof(InvalidOperationException).FullName, tags["exception.type"]);
        Assert.Equal("model overloaded", tags["exception.message"]);

        var request = Single(exported, name);
        Assert.Equal(ActivityStatusCode.Error, request.Status);
        Assert.Equal("failure", Tag(request, "ragmonitor.status"));
        Assert.Contains(request.Events, e => e.Name == "exception");
        Assert.Equal(ActivityStatusCode.Ok, Single(exported, "retrieval").Status);
        Assert.Equal(OperationStatus.Failure, summary!.Status);
    }

    [Fact]
    public async Task Parallel_stages_each_get_a_span_and_the_ambient_flow_is_unchanged()
    {
        var exported = new List<Activity>();
        using var monitor = TestMonitors.Create();
        RequestSummary? summary = null;
        monitor.RequestCompleted += (_, s) => summary = s;

        async Task<int> Body(string stage, int delay)
        {
            StageContext.AddMetadata("branch", stage);
            await Task.Delay(delay);
            Assert.Equal(stage, StageContext.CurrentStageName);
            Assert.Equal(stage, Activity.Current?.DisplayName);
            StageContext.AddMetadata("after", stage);
            return delay;
        }

        Task<int> Stage(string stage, int delay)
        {
            var scope = monitor.BeginAsyncStage(stage);
            return scope.Track(Body(stage, delay));
        }

        using (NewTracer(exported))
        {
            using var server = s_outer.StartActivity("http-request");
            Assert.NotNull(server);
            using (var request = monitor.BeginRequest("parallel", "p-1"))
            {
                var requestSpan = Activity.Current;
                Assert.Equal("parallel", requestSpan?.DisplayName);
                await Task.WhenAll(Stage("search_web", 15), Stage("search_docs", 5));
                Assert.Same(requestSpan, Activity.Current);
                using (monitor.BeginStage("rerank"))
                {
                    Assert.Equal("rerank", Activity.Current?.DisplayName);
                }

                Assert.Same(requestSpan, Activity.Current);
            }

            // Leaving the request restores the application's span.
            Assert.Same(server, Activity.Current);
        }

        var requestActivity = Single(exported, "parallel");
        Assert.Equal(Single(exported, "http-request").SpanId, requestActivity.ParentSpanId);
        foreach (var stage in new[] { "search_web", "search_docs", "rerank" })
        {
            var span = Single(exported, stage);
            Assert.Equal(requestActivity.SpanId, span.ParentSpanId);
        }

        Assert.Equal("search_web", Tag(Single(exported, "search_web"), "ragmonitor.metadata.after"));
        Assert.Equal("search_docs", Tag(Single(exported, "search_docs"), "ragmonitor.metadata.after"));
        Assert.NotNull(summary);
        Assert.Equal(3, summary!.Stages.Count);
        Assert.Equal("search_web", summary.FindStage("search_web")!.Metadata.Single(m => m.Key == "after").Value.StringValue);
        Assert.Equal("search_docs", summary.FindStage("search_docs")!.Metadata.Single(m => m.Key == "after").Value.StringValue);
    }

    [Fact]
    public void The_explicit_api_produces_spans_without_touching_the_current_activity()
    {
        var exported = new List<Activity>();
        using var monitor = TestMonitors.Create();
        var name = TestMonitors.UniqueName("explicit");
        using (NewTracer(exported))
        {
            Assert.True(monitor.StartRequest("e-1", name));
            Assert.Null(Activity.Current);
            monitor.LogStage("e-1", "retrieval", TimeSpan.FromMilliseconds(200), new Dictionary<string, object?> { ["documents_retrieved"] = 50 });
            Assert.Null(Activity.Current);
            Assert.NotNull(monitor.EndRequest("e-1"));
            Assert.Null(Activity.Current);
        }

        var request = Single(exported, name);
        var stage = Single(exported, "retrieval");
        Assert.Equal(request.SpanId, stage.ParentSpanId);
        Assert.Equal(TimeSpan.FromMilliseconds(200), stage.Duration);
        Assert.Equal(50L, Tag(stage, "ragmonitor.metadata.documents_retrieved"));
        Assert.Equal("e-1", Tag(request, "ragmonitor.request_id"));
    }

    [Fact]
    public async Task A_tracked_stream_is_one_stage_span_current_while_the_source_runs()
    {
        var exported = new List<Activity>();
        using var monitor = TestMonitors.Create();
        var name = TestMonitors.UniqueName("stream");

        async IAsyncEnumerable<int> Tokens()
        {
            for (var i = 0; i < 3; i++)
            {
                using (TestPipeline.UserSource.StartActivity("token"))
                {
                    await Task.Yield();
                }

                yield return i;
            }
        }

        using (NewTracer(exported))
        {
            using (monitor.BeginRequest(name))
            {
                var outside = Activity.Current;
                await foreach (var token in monitor.TrackStageStream("generation_stream", Tokens()))
                {
                    Assert.Same(outside, Activity.Current);
                }
            }
        }

        var stream = Single(exported, "generation_stream");
        Assert.Equal(Single(exported, name).SpanId, stream.ParentSpanId);
        Assert.Equal(3, exported.Count(a => a.DisplayName == "token" && a.ParentSpanId == stream.SpanId));
        Assert.Equal(3L, Tag(stream, "ragmonitor.metadata.items"));
        Assert.Equal("chat", Tag(stream, "gen_ai.operation.name"));
    }

    [Fact]
    public async Task Nested_and_synchronously_completing_async_stages_keep_spans_and_records_consistent()
    {
        var exported = new List<Activity>();
        using var monitor = TestMonitors.Create();
        RequestSummary? summary = null;
        monitor.RequestCompleted += (_, s) => summary = s;

        Task<int> AsyncStage(string name, Func<Task<int>> body)
        {
            var scope = monitor.BeginAsyncStage(name);
            return scope.Track(body());
        }

        async Task<int> Tokenize()
        {
            StageContext.AddMetadata("tokens", 7);
            await Task.Delay(5);
            Assert.Equal("tokenize", Activity.Current?.DisplayName);
            return 7;
        }

        async Task<int> Generate()
        {
            StageContext.AddMetadata("before", 1);
            var tokens = await AsyncStage("tokenize", Tokenize);
            Assert.Equal("generation", StageContext.CurrentStageName);
            Assert.Equal("generation", Activity.Current?.DisplayName);
            StageContext.AddMetadata("after", tokens);
            var cached = await AsyncStage("cache_lookup", () => Task.FromResult(1)); // completes synchronously
            Assert.Equal("generation", Activity.Current?.DisplayName);
            return tokens + cached;
        }

        using (NewTracer(exported))
        {
            using (monitor.BeginRequest("nested"))
            {
                Assert.Equal(8, await AsyncStage("generation", Generate));
                Assert.Equal("nested", Activity.Current?.DisplayName);
            }
        }

        var generation = Single(exported, "generation");
        Assert.Equal(Single(exported, "nested").SpanId, generation.ParentSpanId);
        Assert.Equal(generation.SpanId, Single(exported, "tokenize").ParentSpanId);
        Assert.Equal(generation.SpanId, Single(exported, "cache_lookup").ParentSpanId);
        Assert.Equal(7L, Tag(Single(exported, "tokenize"), "ragmonitor.metadata.tokens"));
        Assert.Equal(7L, Tag(generation, "ragmonitor.metadata.after"));

        Assert.NotNull(summary);
        Assert.Equal(new[] { "generation", "tokenize", "cache_lookup" }, summary!.Stages.Select(s => s.Name));
        Assert.Equal(7, summary.FindStage("generation")!.Metadata.Single(m => m.Key == "after").Value.IntegerValue);
        Assert.Equal(7, summary.FindStage("tokenize")!.Metadata.Single(m => m.Key == "tokens").Value.IntegerValue);
    }

    [Fact]
    public async Task A_failing_stream_ends_its_span_with_an_error_and_restores_the_current_span()
    {
        var exported = new List<Activity>();
        using var monitor = TestMonitors.Create();

        async IAsyncEnumerable<int> Broken()
        {
            yield return 1;
            await Task.Yield();
            throw new TimeoutException("stream cut");
        }

        using (NewTracer(exported))
        {
            using (monitor.BeginRequest("broken_stream"))
            {
                var outside = Activity.Current;
                await Assert.ThrowsAsync<TimeoutException>(async () =>
                {
                    await foreach (var item in monitor.TrackStageStream("generation_stream", Broken()))
                    {
                        Assert.Equal(1, item);
                    }
                });
                Assert.Same(outside, Activity.Current);
            }
        }

        var stream = Single(exported, "generation_stream");
        Assert.Equal(ActivityStatusCode.Error, stream.Status);
        Assert.Equal("stream cut", stream.StatusDescription);
        Assert.Contains(stream.Events, e => e.Name == "exception");
        Assert.Equal(Single(exported, "broken_stream").SpanId, stream.ParentSpanId);
    }

    [Fact]
    public async Task A_throwing_listener_never_reaches_the_monitored_code()
    {
        using var monitor = TestMonitors.Create();
        RequestSummary? summary = null;
        monitor.RequestCompleted += (_, s) => summary = s;
        using (var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == RagMonitorTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ => throw new InvalidOperationException("listener bug"),
        })
        {
            ActivitySource.AddActivityListener(listener);
            Assert.EndsWith("(3)", await new TestPipeline(monitor, "ask") { GenerationDelayMilliseconds = 1 }.AskAsync("abc"));
        }

        Assert.NotNull(summary);
        Assert.Equal(3, summary!.Stages.Count);
        Assert.Equal(4, monitor.GetStatistics().Counters.InternalErrors); // three stage spans and the request span
        Assert.Null(Activity.Current);
    }

    [Fact]
    public async Task Without_a_listener_no_span_is_created_and_the_current_activity_is_untouched()
    {
        using var monitor = TestMonitors.Create();
        Assert.False(RagMonitorTelemetry.Source.HasListeners());
        using (monitor.BeginRequest("quiet"))
        {
            Assert.Null(Activity.Current);
            using (monitor.BeginStage("retrieval"))
            {
                Assert.Null(Activity.Current);
            }

            var scope = monitor.BeginAsyncStage("generation");
            Assert.Null(Activity.Current);
            await scope.Track(Task.Delay(1));
        }

        Assert.Null(Activity.Current);
    }
}
