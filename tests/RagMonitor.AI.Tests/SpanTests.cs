using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Trace;
using RagMonitor.OpenTelemetry;

namespace RagMonitor.AI.Tests;

public sealed class SpanTests
{
    private static readonly ActivitySource s_client = new("RagMonitor.AI.Tests.Client");

    private static object? Tag(Activity activity, string key) => activity.TagObjects.FirstOrDefault(t => t.Key == key).Value;

    [Fact]
    public async Task Stage_spans_carry_the_GenAI_semantic_convention_attributes()
    {
        var exported = new List<Activity>();
        using var monitor = TestMonitors.Create();
        var chat = new FakeChatClient { Latency = TimeSpan.FromMilliseconds(5) }.AsBuilder().UseRagMonitor(monitor).Build();
        var embed = new FakeEmbeddingGenerator { Latency = TimeSpan.FromMilliseconds(5) }.AsBuilder().UseRagMonitor(monitor, "vectorize").Build();
        var request = "ask_" + Guid.NewGuid().ToString("N");

        using (Sdk.CreateTracerProviderBuilder().AddRagMonitorInstrumentation().AddInMemoryExporter(exported).Build())
        {
            using (monitor.BeginRequest(request))
            {
                await embed.GenerateAsync(new[] { "what is rag" });
                await chat.GetResponseAsync("what is rag?", new ChatOptions { ModelId = "chat-large" });
            }
        }

        var mine = exported.Where(a => Equals(Tag(a, "ragmonitor.request"), request)).ToList();
        var generation = Assert.Single(mine, a => a.DisplayName == "generation");
        Assert.Equal(ActivityStatusCode.Ok, generation.Status);
        Assert.Equal("chat", Tag(generation, "gen_ai.operation.name"));
        Assert.Equal("chat-large", Tag(generation, "gen_ai.request.model"));
        Assert.Equal("fake-provider", Tag(generation, "gen_ai.provider.name"));
        Assert.Equal(120L, Tag(generation, "gen_ai.usage.input_tokens"));
        Assert.Equal(4L, Tag(generation, "gen_ai.usage.output_tokens"));
        Assert.Equal(new[] { "stop" }, Assert.IsType<string[]>(Tag(generation, "gen_ai.response.finish_reasons")));

        // The operation comes from the middleware, not from the stage name ("vectorize" names no operation).
        var embedding = Assert.Single(mine, a => a.DisplayName == "vectorize");
        Assert.Equal("embeddings", Tag(embedding, "gen_ai.operation.name"));
        Assert.Equal("fake-embed-small", Tag(embedding, "gen_ai.request.model"));
        Assert.Equal(3L, Tag(embedding, "gen_ai.usage.input_tokens"));
        var requestSpan = Assert.Single(mine, a => a.DisplayName == request);
        Assert.All(new[] { generation, embedding }, s => Assert.Equal(requestSpan.SpanId, s.ParentSpanId));
    }

    [Fact]
    public async Task A_streamed_call_has_one_span_with_usage_and_a_failed_call_an_error_span()
    {
        var exported = new List<Activity>();
        using var monitor = TestMonitors.Create();
        var chat = new FakeChatClient { Latency = TimeSpan.FromMilliseconds(5), TimePerToken = TimeSpan.Zero }.AsBuilder().UseRagMonitor(monitor).Build();
        var failing = new FakeChatClient { Latency = TimeSpan.Zero, Failure = new InvalidOperationException("model overloaded") }.AsBuilder().UseRagMonitor(monitor, "fallback_generation").Build();
        var request = "ask_" + Guid.NewGuid().ToString("N");

        using (Sdk.CreateTracerProviderBuilder().AddRagMonitorInstrumentation().AddInMemoryExporter(exported).Build())
        {
            using (monitor.BeginRequest(request))
            {
                await foreach (var update in chat.GetStreamingResponseAsync("what is rag?"))
                {
                    Assert.NotNull(update);
                }

                await Assert.ThrowsAsync<InvalidOperationException>(() => failing.GetResponseAsync("what is rag?"));
            }
        }

        var mine = exported.Where(a => Equals(Tag(a, "ragmonitor.request"), request)).ToList();
        var streamed = Assert.Single(mine, a => a.DisplayName == "generation");
        Assert.Equal(120L, Tag(streamed, "gen_ai.usage.input_tokens"));
        Assert.Equal(4L, Tag(streamed, "gen_ai.usage.output_tokens"));
        Assert.IsType<double>(Tag(streamed, "ragmonitor.metadata.time_to_first_token_ms"));
        var failed = Assert.Single(mine, a => a.DisplayName == "fallback_generation");
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal("failure", Tag(failed, "ragmonitor.status"));
        Assert.Equal(typeof(InvalidOperationException).FullName, Tag(failed, "error.type"));
    }

    [Fact]
    public async Task The_inner_clients_own_spans_nest_under_the_stage_span_when_streaming_and_not()
    {
        var exported = new List<Activity>();
        using var monitor = TestMonitors.Create();
        var chat = new HttpSpanChatClient(new FakeChatClient { Latency = TimeSpan.FromMilliseconds(2), TimePerToken = TimeSpan.FromMilliseconds(1) }).AsBuilder().UseRagMonitor(monitor).Build();
        var request = "ask_" + Guid.NewGuid().ToString("N");
        Activity? afterStream = null;

        using (Sdk.CreateTracerProviderBuilder().AddRagMonitorInstrumentation().AddSource(s_client.Name).AddInMemoryExporter(exported).Build())
        {
            using (monitor.BeginRequest(request))
            {
                var requestSpan = Activity.Current;
                await foreach (var update in chat.GetStreamingResponseAsync("what is rag?"))
                {
                    // The caller's code between updates is not inside the stage's span.
                    Assert.Same(requestSpan, Activity.Current);
                }

                afterStream = Activity.Current;
                await chat.GetResponseAsync("what is rag?");
            }
        }

        var mine = exported.Where(a => Equals(Tag(a, "ragmonitor.request"), request)).ToList();
        var requestSpanId = Assert.Single(mine, a => a.DisplayName == request).SpanId;
        Assert.Equal(requestSpanId, afterStream!.SpanId);
        var stages = mine.Where(a => a.DisplayName == "generation").ToList();
        Assert.Equal(2, stages.Count);
        var calls = exported.Where(a => a.DisplayName == "http-call").ToList();
        Assert.Equal(2, calls.Count);
        foreach (var call in calls)
        {
            Assert.Contains(stages, s => s.SpanId == call.ParentSpanId);
        }
    }

    /// <summary>Starts an "http-call" span inside every call, as a real provider's HTTP client does.</summary>
    private sealed class HttpSpanChatClient : DelegatingChatClient
    {
        public HttpSpanChatClient(IChatClient inner)
            : base(inner)
        {
        }

        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, System.Threading.CancellationToken cancellationToken = default)
        {
            using var call = s_client.StartActivity("http-call");
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] System.Threading.CancellationToken cancellationToken = default)
        {
            using var call = s_client.StartActivity("http-call");
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                yield return update;
            }
        }
    }
}
