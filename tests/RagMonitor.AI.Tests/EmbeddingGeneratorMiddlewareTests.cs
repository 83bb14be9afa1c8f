using System;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using static RagMonitor.AI.Tests.TestMonitors;

namespace RagMonitor.AI.Tests;

public sealed class EmbeddingGeneratorMiddlewareTests
{
    [Fact]
    public async Task A_call_inside_a_request_is_an_embedding_stage_with_model_tokens_and_vectors()
    {
        using var monitor = Create();
        IEmbeddingGenerator<string, Embedding<float>> embed = new FakeEmbeddingGenerator { Dimensions = 16 }.AsBuilder().UseRagMonitor(monitor).Build();
        GeneratedEmbeddings<Embedding<float>>? result = null;

        var summary = await InRequest(monitor, async () => result = await embed.GenerateAsync(new[] { "what is rag", "retrieval augmented generation" }));

        Assert.Equal(2, result!.Count);
        var stage = Assert.Single(summary.Stages);
        Assert.Equal("embedding", stage.Name);
        Assert.Equal(OperationStatus.Success, stage.Status);
        Assert.True(stage.Duration >= TimeSpan.FromMilliseconds(15));
        Assert.Equal("embeddings", Metadata(stage, "operation")!.Value.StringValue);
        Assert.Equal("fake-embed-small", Metadata(stage, "model_id")!.Value.StringValue);
        Assert.Equal("fake-provider", Metadata(stage, "provider")!.Value.StringValue);
        Assert.Equal(6L, Metadata(stage, "input_tokens")!.Value.IntegerValue);
        Assert.Equal(2L, Metadata(stage, "embeddings")!.Value.IntegerValue);
        Assert.Equal(16L, Metadata(stage, "dimensions")!.Value.IntegerValue);
        Assert.Null(Metadata(stage, "output_tokens"));
    }

    [Fact]
    public async Task Parallel_embedding_calls_sum_their_tokens_and_vectors()
    {
        using var monitor = Create();
        var embed = new FakeEmbeddingGenerator().AsBuilder().UseRagMonitor(monitor, "query_embedding").Build();

        var summary = await InRequest(monitor, () => Task.WhenAll(embed.GenerateAsync(new[] { "a b" }), embed.GenerateAsync(new[] { "c", "d e f" })));

        var stage = Assert.Single(summary.Stages);
        Assert.Equal("query_embedding", stage.Name);
        Assert.Equal(2, stage.Calls);
        Assert.Equal(6L, Metadata(stage, "input_tokens")!.Value.IntegerValue);
        Assert.Equal(3L, Metadata(stage, "embeddings")!.Value.IntegerValue);
    }

    [Fact]
    public async Task Without_usage_no_input_tokens_are_recorded()
    {
        using var monitor = Create();
        var embed = new FakeEmbeddingGenerator { ReportUsage = false }.AsBuilder().UseRagMonitor(monitor).Build();

        var summary = await InRequest(monitor, () => embed.GenerateAsync(new[] { "a" }));

        Assert.Null(Metadata(summary.Stages[0], "input_tokens"));
        Assert.Equal(1L, Metadata(summary.Stages[0], "embeddings")!.Value.IntegerValue);
    }

    [Fact]
    public async Task A_failing_or_cancelled_call_is_recorded_and_the_same_exception_reaches_the_caller()
    {
        using var monitor = Create();
        var failure = new InvalidOperationException("quota exceeded");
        var failing = new FakeEmbeddingGenerator { Failure = failure }.AsBuilder().UseRagMonitor(monitor).Build();
        var cancelled = new OperationCanceledException("stop");
        var cancelling = new FakeEmbeddingGenerator { Failure = cancelled }.AsBuilder().UseRagMonitor(monitor).Build();
        Exception? caughtFailure = null;
        Exception? caughtCancellation = null;

        var failed = await InRequest(monitor, async () => caughtFailure = await Assert.ThrowsAsync<InvalidOperationException>(() => failing.GenerateAsync(new[] { "a" })));
        var stopped = await InRequest(monitor, async () => caughtCancellation = await Assert.ThrowsAsync<OperationCanceledException>(() => cancelling.GenerateAsync(new[] { "a" })));

        Assert.Same(failure, caughtFailure);
        Assert.Equal(OperationStatus.Failure, failed.Stages[0].Status);
        Assert.Equal(nameof(InvalidOperationException), failed.Stages[0].ErrorType);
        Assert.Same(cancelled, caughtCancellation);
        Assert.Equal(OperationStatus.Cancelled, stopped.Stages[0].Status);
    }

    [Fact]
    public async Task Outside_a_request_calls_pass_through_and_are_counted()
    {
        using var monitor = Create();
        var embed = new FakeEmbeddingGenerator().AsBuilder().UseRagMonitor(monitor).Build();

        var result = await embed.GenerateAsync(new[] { "a", "b" });

        Assert.Equal(2, result.Count);
        Assert.Equal(1, monitor.GetStatistics().Counters.StagesOutsideRequests);
        Assert.Same(monitor, embed.GetService<MonitoredEmbeddingGenerator<string, Embedding<float>>>()!.Monitor);
    }
}
