using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace RagMonitor.AI.Tests;

/// <summary>
/// Streamed calls whose every step completes synchronously (the shape the issue 17 benchmark measures): each call is
/// its own stage call, and the caller's ambient state is never switched by the middleware.
/// </summary>
public sealed class SynchronousStreamTests
{
    private static readonly ChatMessage[] s_messages = { new(ChatRole.User, "what is rag?") };

    [Fact]
    public void Each_synchronous_stream_is_one_stage_call_and_the_callers_stage_is_untouched()
    {
        using var monitor = TestMonitors.Create();
        var monitored = new CachedStreamChatClient().AsBuilder().UseRagMonitor(monitor).Build();
        RequestSummary? summary = null;
        monitor.RequestCompleted += (_, s) => summary = s;
        const int calls = 50;
        using (monitor.BeginRequest("ask"))
        {
            using (monitor.BeginStage("answer"))
            {
                for (var i = 0; i < calls; i++)
                {
                    Drain(monitored);
                    Assert.Equal("answer", StageContext.CurrentStageName);
                }
            }

            for (var i = 0; i < calls; i++)
            {
                Drain(monitored);
                Assert.Null(StageContext.CurrentStageName);
            }
        }

        var stage = Assert.Single(summary!.Stages, s => s.Name == "generation");
        Assert.Equal(2 * calls, stage.Calls);
        Assert.Equal(OperationStatus.Success, stage.Status);
        Assert.Equal(2 * calls * 12L, Find(stage.Metadata, "input_tokens"));
        Assert.Equal(2 * calls * 2L, Find(stage.Metadata, "output_tokens"));
        Assert.Equal("cached", Assert.Single(stage.Metadata, m => m.Key == "model_id").Value.StringValue);
        Assert.Equal(-1, Find(stage.Metadata, "abandoned"));
    }

    private static long Find(IReadOnlyList<KeyValuePair<string, MetadataValue>> metadata, string key)
    {
        foreach (var pair in metadata)
        {
            if (pair.Key == key)
            {
                return pair.Value.IntegerValue;
            }
        }

        return -1;
    }

    /// <summary>Enumerates a stream whose steps all complete synchronously, on this thread.</summary>
    private static void Drain(IChatClient client)
    {
        var enumerator = client.GetStreamingResponseAsync(s_messages).GetAsyncEnumerator();
        try
        {
            while (enumerator.MoveNextAsync() is { IsCompletedSuccessfully: true } next && next.Result)
            {
                Assert.NotNull(enumerator.Current);
            }
        }
        finally
        {
            var disposed = enumerator.DisposeAsync();
            Assert.True(disposed.IsCompletedSuccessfully);
        }
    }

    /// <summary>Streams three cached updates (text, text, finish reason with usage) from a reused enumerator.</summary>
    private sealed class CachedStreamChatClient : IChatClient, IAsyncEnumerable<ChatResponseUpdate>, IAsyncEnumerator<ChatResponseUpdate>
    {
        private readonly ChatResponseUpdate[] _updates =
        {
            new(ChatRole.Assistant, "RAG") { ModelId = "cached" },
            new(ChatRole.Assistant, ".") { ModelId = "cached" },
            new() { FinishReason = ChatFinishReason.Stop, Contents = { new UsageContent(new UsageDetails { InputTokenCount = 12, OutputTokenCount = 2 }) } },
        };

        private int _index = -1;

        public ChatResponseUpdate Current => _updates[_index];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("streaming only");

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => this;

        public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            _index = -1;
            return this;
        }

        public ValueTask<bool> MoveNextAsync() => new(++_index < _updates.Length);

        public ValueTask DisposeAsync() => default;

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
