using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using static RagMonitor.AI.Tests.TestMonitors;

namespace RagMonitor.AI.Tests;

public sealed class ChatClientMiddlewareTests
{
    private static readonly ChatMessage[] s_question = { new(ChatRole.System, "Answer briefly."), new(ChatRole.User, "what is rag?") };

    private static IChatClient Monitored(IChatClient inner, PerformanceMonitor monitor, string stageName = "generation", Action<MonitoredChatClient>? configure = null) =>
        inner.AsBuilder().UseRagMonitor(monitor, stageName, configure).Build();

    private static async Task<List<ChatResponseUpdate>> ReadAll(IAsyncEnumerable<ChatResponseUpdate> stream, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in stream.WithCancellation(cancellationToken))
        {
            updates.Add(update);
        }

        return updates;
    }

    [Fact]
    public async Task A_call_inside_a_request_is_a_generation_stage_with_model_tokens_and_finish_reason()
    {
        var time = new FakeTimeProvider();
        using var monitor = Create(time);
        var inner = new FakeChatClient(time) { Latency = TimeSpan.FromMilliseconds(250) };
        var chat = Monitored(inner, monitor);
        ChatResponse? response = null;

        var summary = await InRequest(monitor, async () => response = await chat.GetResponseAsync(s_question));

        Assert.Equal("Retrieval augmented generation.", response!.Text);
        var stage = Assert.Single(summary.Stages);
        Assert.Equal("generation", stage.Name);
        Assert.Equal(1, stage.Calls);
        Assert.Equal(OperationStatus.Success, stage.Status);
        Assert.Equal(TimeSpan.FromMilliseconds(250), stage.Duration);
        Assert.Equal("fake-model", Metadata(stage, "model_id")!.Value.StringValue);
        Assert.Equal("fake-provider", Metadata(stage, "provider")!.Value.StringValue);
        Assert.Equal("chat", Metadata(stage, "operation")!.Value.StringValue);
        Assert.Equal(120L, Metadata(stage, "input_tokens")!.Value.IntegerValue);
        Assert.Equal(4L, Metadata(stage, "output_tokens")!.Value.IntegerValue);
        Assert.Equal("stop", Metadata(stage, "finish_reason")!.Value.StringValue);
        Assert.Null(Metadata(stage, "time_to_first_token_ms"));
        Assert.Null(Metadata(stage, "prompt"));
        Assert.Null(Metadata(stage, "completion"));
    }

    [Fact]
    public async Task The_model_asked_for_in_the_options_wins_and_the_answering_model_is_the_fallback()
    {
        using var monitor = Create();
        var inner = new FakeChatClient { Latency = TimeSpan.Zero, Metadata = new ChatClientMetadata() };
        var chat = Monitored(inner, monitor);

        var withOptions = await InRequest(monitor, () => chat.GetResponseAsync(s_question, new ChatOptions { ModelId = "asked-model" }));
        var withoutOptions = await InRequest(monitor, () => chat.GetResponseAsync(s_question));

        Assert.Equal("asked-model", Metadata(withOptions.Stages[0], "model_id")!.Value.StringValue);
        Assert.Equal("fake-model-2025", Metadata(withoutOptions.Stages[0], "model_id")!.Value.StringValue);
        Assert.Null(Metadata(withoutOptions.Stages[0], "provider"));
    }

    [Fact]
    public async Task A_stream_records_time_to_first_token_tokens_per_second_and_usage_from_the_usage_update()
    {
        var time = new FakeTimeProvider();
        using var monitor = Create(time);
        var inner = new FakeChatClient(time) { Latency = TimeSpan.FromMilliseconds(300), TimePerToken = TimeSpan.FromMilliseconds(50) };
        var chat = Monitored(inner, monitor);
        List<ChatResponseUpdate>? updates = null;

        var summary = await InRequest(monitor, async () => updates = await ReadAll(chat.GetStreamingResponseAsync(s_question)));

        // The caller sees every update of the inner client, unchanged.
        Assert.Equal(6, updates!.Count);
        Assert.Equal("Retrieval augmented generation.", string.Concat(updates.Select(u => u.Text)));
        var stage = Assert.Single(summary.Stages);
        Assert.Equal("generation", stage.Name);
        Assert.Equal(OperationStatus.Success, stage.Status);
        Assert.Equal(TimeSpan.FromMilliseconds(450), stage.Duration);
        Assert.Equal(300.0, Metadata(stage, "time_to_first_token_ms")!.Value.NumberValue);
        // 4 output tokens over the 150 ms from the first token to the end of the stream.
        Assert.Equal(4 / 0.150, Metadata(stage, "output_tokens_per_second")!.Value.NumberValue, 3);
        Assert.Equal(120L, Metadata(stage, "input_tokens")!.Value.IntegerValue);
        Assert.Equal(4L, Metadata(stage, "output_tokens")!.Value.IntegerValue);
        Assert.Equal("length", Metadata(stage, "finish_reason")!.Value.StringValue);
        Assert.Equal("fake-model", Metadata(stage, "model_id")!.Value.StringValue);
    }

    [Fact]
    public async Task A_stream_whose_tokens_all_arrive_at_once_rates_them_over_the_whole_stream()
    {
        var time = new FakeTimeProvider();
        using var monitor = Create(time);
        var inner = new FakeChatClient(time) { Latency = TimeSpan.FromMilliseconds(200), Tokens = new[] { "all at once" } };
        var chat = Monitored(inner, monitor);

        var summary = await InRequest(monitor, () => ReadAll(chat.GetStreamingResponseAsync(s_question)));

        var stage = summary.Stages[0];
        Assert.Equal(200.0, Metadata(stage, "time_to_first_token_ms")!.Value.NumberValue);
        Assert.Equal(4 / 0.200, Metadata(stage, "output_tokens_per_second")!.Value.NumberValue, 3);
    }

    [Fact]
    public async Task Without_usage_no_token_figures_are_invented()
    {
        var time = new FakeTimeProvider();
        using var monitor = Create(time);
        var inner = new FakeChatClient(time) { Usage = null };
        var chat = Monitored(inner, monitor);

        var plain = await InRequest(monitor, () => chat.GetResponseAsync(s_question));
        var streamed = await InRequest(monitor, () => ReadAll(chat.GetStreamingResponseAsync(s_question)));

        foreach (var stage in new[] { plain.Stages[0], streamed.Stages[0] })
        {
            Assert.Equal(OperationStatus.Success, stage.Status);
            Assert.Null(Metadata(stage, "input_tokens"));
            Assert.Null(Metadata(stage, "output_tokens"));
            Assert.Null(Metadata(stage, "output_tokens_per_second"));
        }

        Assert.Equal(120.0, Metadata(streamed.Stages[0], "time_to_first_token_ms")!.Value.NumberValue);
    }

    [Fact]
    public async Task A_failing_call_is_recorded_as_failure_and_the_same_exception_reaches_the_caller()
    {
        using var monitor = Create();
        var failure = new InvalidOperationException("model overloaded");
        var chat = Monitored(new FakeChatClient { Latency = TimeSpan.FromMilliseconds(5), Failure = failure }, monitor);
        Exception? caught = null;

        var summary = await InRequest(monitor, async () => caught = await Assert.ThrowsAsync<InvalidOperationException>(() => chat.GetResponseAsync(s_question)));

        Assert.Same(failure, caught);
        var stage = Assert.Single(summary.Stages);
        Assert.Equal(OperationStatus.Failure, stage.Status);
        Assert.Equal(nameof(InvalidOperationException), stage.ErrorType);
        Assert.Equal("fake-model", Metadata(stage, "model_id")!.Value.StringValue);
        Assert.Null(Metadata(stage, "input_tokens"));
    }

    [Fact]
    public async Task A_stream_failing_midway_is_recorded_as_failure_with_its_time_to_first_token()
    {
        var time = new FakeTimeProvider();
        using var monitor = Create(time);
        var failure = new TimeoutException("stream broke");
        var chat = Monitored(new FakeChatClient(time) { Failure = failure, FailAfterTokens = 2 }, monitor);
        Exception? caught = null;
        var received = 0;

        var summary = await InRequest(monitor, async () => caught = await Assert.ThrowsAsync<TimeoutException>(async () =>
        {
            await foreach (var update in chat.GetStreamingResponseAsync(s_question))
            {
                received++;
            }
        }));

        Assert.Same(failure, caught);
        Assert.Equal(2, received);
        var stage = Assert.Single(summary.Stages);
        Assert.Equal(OperationStatus.Failure, stage.Status);
        Assert.Equal(nameof(TimeoutException), stage.ErrorType);
        Assert.Equal(120.0, Metadata(stage, "time_to_first_token_ms")!.Value.NumberValue);
    }

    [Fact]
    public async Task A_cancelled_call_is_recorded_as_cancelled_and_the_same_exception_reaches_the_caller()
    {
        using var monitor = Create();
        var chat = Monitored(new FakeChatClient { Latency = TimeSpan.FromSeconds(30) }, monitor);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        using var streamCancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        OperationCanceledException? plainCaught = null;
        OperationCanceledException? streamCaught = null;

        var plain = await InRequest(monitor, async () => plainCaught = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chat.GetResponseAsync(s_question, null, cancellation.Token)));
        var streamed = await InRequest(monitor, async () => streamCaught = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadAll(chat.GetStreamingResponseAsync(s_question), streamCancellation.Token)));

        Assert.Equal(cancellation.Token, plainCaught!.CancellationToken);
        Assert.Equal(OperationStatus.Cancelled, plain.Stages[0].Status);
        Assert.Equal(OperationStatus.Cancelled, streamed.Stages[0].Status);
        Assert.Null(Metadata(streamed.Stages[0], "time_to_first_token_ms"));
    }

    [Fact]
    public async Task The_cancellation_exception_of_the_inner_client_is_the_one_the_caller_sees()
    {
        using var monitor = Create();
        var cancelled = new OperationCanceledException("the user gave up");
        var chat = Monitored(new FakeChatClient { Latency = TimeSpan.Zero, Failure = cancelled }, monitor);
        Exception? caught = null;

        var summary = await InRequest(monitor, async () => caught = await Assert.ThrowsAsync<OperationCanceledException>(() => chat.GetResponseAsync(s_question)));

        Assert.Same(cancelled, caught);
        Assert.Equal(OperationStatus.Cancelled, summary.Stages[0].Status);
    }

    [Fact]
    public async Task A_stream_left_early_is_recorded_as_abandoned_with_what_arrived()
    {
        var time = new FakeTimeProvider();
        using var monitor = Create(time);
        var chat = Monitored(new FakeChatClient(time), monitor);

        var summary = await InRequest(monitor, async () =>
        {
            await foreach (var update in chat.GetStreamingResponseAsync(s_question))
            {
                break;
            }
        });

        var stage = Assert.Single(summary.Stages);
        Assert.Equal(OperationStatus.Success, stage.Status);
        Assert.True(Metadata(stage, "abandoned")!.Value.BooleanValue);
        Assert.Equal(120.0, Metadata(stage, "time_to_first_token_ms")!.Value.NumberValue);
        Assert.Null(Metadata(stage, "output_tokens"));
    }

    [Fact]
    public async Task Parallel_calls_in_one_request_are_attributed_to_their_own_stages_and_tokens_sum()
    {
        using var monitor = Create();
        var answer = Monitored(new FakeChatClient { Latency = TimeSpan.FromMilliseconds(40) }, monitor);
        var rewrite = Monitored(new FakeChatClient { Latency = TimeSpan.FromMilliseconds(20), Usage = new UsageDetails { InputTokenCount = 30, OutputTokenCount = 10 } }, monitor, "query_rewrite");

        var summary = await InRequest(monitor, () => Task.WhenAll(
            answer.GetResponseAsync(s_question),
            answer.GetResponseAsync(s_question),
            ReadAll(answer.GetStreamingResponseAsync(s_question)),
            rewrite.GetResponseAsync(s_question)));

        var generation = summary.FindStage("generation")!;
        Assert.Equal(3, generation.Calls);
        Assert.Equal(360L, Metadata(generation, "input_tokens")!.Value.IntegerValue);
        Assert.Equal(12L, Metadata(generation, "output_tokens")!.Value.IntegerValue);
        var rewriteStage = summary.FindStage("query_rewrite")!;
        Assert.Equal(1, rewriteStage.Calls);
        Assert.Equal(30L, Metadata(rewriteStage, "input_tokens")!.Value.IntegerValue);
        Assert.Equal(10L, Metadata(rewriteStage, "output_tokens")!.Value.IntegerValue);
    }

    [Fact]
    public async Task Parallel_requests_keep_their_own_calls()
    {
        using var monitor = Create();
        var chat = Monitored(new FakeChatClient { Latency = TimeSpan.FromMilliseconds(30) }, monitor);
        var summaries = new List<RequestSummary>();
        monitor.RequestCompleted += (_, s) => { lock (summaries) { summaries.Add(s); } };

        async Task Ask(int calls)
        {
            using var request = monitor.BeginRequest("ask_" + calls);
            for (var i = 0; i < calls; i++)
            {
                await chat.GetResponseAsync(s_question);
            }
        }

        await Task.WhenAll(Enumerable.Range(1, 4).Select(n => Task.Run(() => Ask(n))));

        Assert.Equal(4, summaries.Count);
        foreach (var summary in summaries)
        {
            var calls = int.Parse(summary.RequestName.Substring(4), System.Globalization.CultureInfo.InvariantCulture);
            var stage = Assert.Single(summary.Stages);
            Assert.Equal(calls, stage.Calls);
            Assert.Equal(120L * calls, Metadata(stage, "input_tokens")!.Value.IntegerValue);
        }
    }

    [Fact]
    public async Task Outside_a_request_calls_pass_through_untimed_and_are_counted()
    {
        using var monitor = Create();
        var inner = new FakeChatClient { Latency = TimeSpan.Zero };
        var chat = Monitored(inner, monitor);
        var completed = 0;
        monitor.RequestCompleted += (_, _) => completed++;

        var response = await chat.GetResponseAsync(s_question);
        var updates = await ReadAll(chat.GetStreamingResponseAsync(s_question));

        Assert.Equal("Retrieval augmented generation.", response.Text);
        Assert.Equal(6, updates.Count);
        Assert.Equal(2, inner.Calls);
        Assert.Equal(0, completed);
        Assert.Equal(2, monitor.GetStatistics().Counters.StagesOutsideRequests);
    }

    [Fact]
    public async Task A_disabled_monitor_passes_every_call_through()
    {
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { Enabled = false, WriteLogs = false });
        var inner = new FakeChatClient { Latency = TimeSpan.Zero };
        var chat = Monitored(inner, monitor);

        using (monitor.BeginRequest("ask"))
        {
            await chat.GetResponseAsync(s_question);
            await ReadAll(chat.GetStreamingResponseAsync(s_question));
        }

        Assert.Equal(2, inner.Calls);
        Assert.Equal(0, monitor.GetStatistics().Counters.RequestsCompleted);
    }

    [Fact]
    public async Task Prompt_and_completion_text_are_recorded_only_when_sensitive_data_is_enabled()
    {
        using var monitor = Create();
        var inner = new FakeChatClient { Latency = TimeSpan.Zero };
        var quiet = Monitored(inner, monitor);
        var telling = Monitored(inner, monitor, configure: c => c.EnableSensitiveData = true);

        var off = await InRequest(monitor, () => quiet.GetResponseAsync(s_question));
        var onPlain = await InRequest(monitor, () => telling.GetResponseAsync(s_question));
        var onStream = await InRequest(monitor, () => ReadAll(telling.GetStreamingResponseAsync(s_question)));

        Assert.DoesNotContain(off.Stages[0].Metadata, m => m.Key is "prompt" or "completion");
        foreach (var stage in new[] { onPlain.Stages[0], onStream.Stages[0] })
        {
            Assert.Equal("system: Answer briefly.\nuser: what is rag?", Metadata(stage, "prompt")!.Value.StringValue);
            Assert.Equal("Retrieval augmented generation.", Metadata(stage, "completion")!.Value.StringValue);
        }
    }

    [Fact]
    public async Task A_client_whose_metadata_throws_is_still_monitored()
    {
        using var monitor = Create();
        var chat = Monitored(new FakeChatClient { Latency = TimeSpan.Zero, ThrowFromGetService = true, ResponseModelId = "answered-by" }, monitor);

        var summary = await InRequest(monitor, () => chat.GetResponseAsync(s_question));

        Assert.Equal("answered-by", Metadata(summary.Stages[0], "model_id")!.Value.StringValue);
        Assert.Equal(120L, Metadata(summary.Stages[0], "input_tokens")!.Value.IntegerValue);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" generation")]
    [InlineData("generation ")]
    [InlineData("gene\nration")]
    public void Stage_names_are_checked_when_the_pipeline_is_built(string stageName)
    {
        using var monitor = Create();
        var builder = new FakeChatClient().AsBuilder();

        var error = Assert.Throws<ArgumentException>(() => builder.UseRagMonitor(monitor, stageName));
        Assert.Equal("stageName", error.ParamName);
        Assert.Throws<ArgumentException>(() => new MonitoredChatClient(new FakeChatClient(), monitor, stageName));
        Assert.Throws<ArgumentException>(() => new FakeEmbeddingGenerator().AsBuilder().UseRagMonitor(monitor, stageName));
    }

    [Fact]
    public void The_stage_name_is_configurable_and_the_monitor_defaults_to_the_default_monitor()
    {
        using var monitor = Create();
        var custom = new FakeChatClient().AsBuilder().UseRagMonitor(monitor, "answer_generation").Build();
        var defaults = new FakeChatClient().AsBuilder().UseRagMonitor().Build();

        var customMiddleware = custom.GetService<MonitoredChatClient>()!;
        Assert.Equal("answer_generation", customMiddleware.StageName);
        Assert.Same(monitor, customMiddleware.Monitor);
        var defaultMiddleware = defaults.GetService<MonitoredChatClient>()!;
        Assert.Equal("generation", defaultMiddleware.StageName);
        Assert.Same(PerformanceMonitor.Default, defaultMiddleware.Monitor);
        // The inner client's services stay reachable through the middleware.
        Assert.Equal("fake-provider", custom.GetService<ChatClientMetadata>()!.ProviderName);
    }
}
