using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.AI;
using RagMonitor;
using RagMonitor.AI;

/// <summary>
/// The cost the RagMonitor.AI middleware adds to one model call inside an active request (issue 17: target at most
/// 1 µs and 300 B per call), against calling the same inner client directly. The inner clients answer at once from
/// cached objects, so the difference is the middleware's own work: the stage, its metadata and the span check.
/// Run: dotnet run -c Release --project tests/RagMonitor.Benchmarks -- --filter '*ChatMiddleware*'
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ChatMiddlewareBenchmarks
{
    private static readonly ChatMessage[] s_messages = { new(ChatRole.User, "what is rag?") };
    private static readonly string[] s_inputs = { "what is rag?" };
    private PerformanceMonitor _monitor = null!;
    private RequestScope _request;
    private InstantChatClient _innerChat = null!;
    private IChatClient _monitoredChat = null!;
    private InstantEmbeddingGenerator _innerEmbed = null!;
    private IEmbeddingGenerator<string, Embedding<float>> _monitoredEmbed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, MeasureResources = false, AdaptiveBottlenecks = false });
        _innerChat = new InstantChatClient();
        _monitoredChat = _innerChat.AsBuilder().UseRagMonitor(_monitor).Build();
        _innerEmbed = new InstantEmbeddingGenerator();
        _monitoredEmbed = _innerEmbed.AsBuilder().UseRagMonitor(_monitor).Build();

        // One long request: every call adds a call to the same stages, so nothing grows with the iterations.
        _request = _monitor.BeginRequest("bench");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _request.Dispose();
        _monitor.Dispose();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("chat")]
    public Task<ChatResponse> InnerChat() => _innerChat.GetResponseAsync(s_messages);

    [Benchmark, BenchmarkCategory("chat")]
    public Task<ChatResponse> MonitoredChat() => _monitoredChat.GetResponseAsync(s_messages);

    [Benchmark(Baseline = true), BenchmarkCategory("stream")]
    public Task<int> InnerStream() => Drain(_innerChat.GetStreamingResponseAsync(s_messages));

    [Benchmark, BenchmarkCategory("stream")]
    public Task<int> MonitoredStream() => Drain(_monitoredChat.GetStreamingResponseAsync(s_messages));

    [Benchmark(Baseline = true), BenchmarkCategory("embed")]
    public Task<GeneratedEmbeddings<Embedding<float>>> InnerEmbed() => _innerEmbed.GenerateAsync(s_inputs);

    [Benchmark, BenchmarkCategory("embed")]
    public Task<GeneratedEmbeddings<Embedding<float>>> MonitoredEmbed() => _monitoredEmbed.GenerateAsync(s_inputs);

    private static async Task<int> Drain(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var count = 0;
        await foreach (var update in stream.ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }

    /// <summary>Answers at once with cached objects: a text, a finish reason and usage.</summary>
    private sealed class InstantChatClient : IChatClient
    {
        private readonly Task<ChatResponse> _response = Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "RAG."))
        {
            ModelId = "instant",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 2 },
        });

        private readonly ChatResponseUpdate[] _updates =
        {
            new(ChatRole.Assistant, "RAG") { ModelId = "instant" },
            new(ChatRole.Assistant, ".") { ModelId = "instant" },
            new() { FinishReason = ChatFinishReason.Stop, Contents = { new UsageContent(new UsageDetails { InputTokenCount = 12, OutputTokenCount = 2 }) } },
        };

        private readonly ChatClientMetadata _metadata = new("instant-provider", null, "instant");

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => _response;

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var update in _updates)
            {
                yield return update;
            }

            await Task.CompletedTask.ConfigureAwait(false);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType == typeof(ChatClientMetadata) ? _metadata : null;

        public void Dispose()
        {
        }
    }

    /// <summary>Returns one cached embedding at once, with usage.</summary>
    private sealed class InstantEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly Task<GeneratedEmbeddings<Embedding<float>>> _result = Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(new[] { new Embedding<float>(new float[64]) })
        {
            Usage = new UsageDetails { InputTokenCount = 4 },
        });

        private readonly EmbeddingGeneratorMetadata _metadata = new("instant-provider", null, "instant-embed", 64);

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) => _result;

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata : null;

        public void Dispose()
        {
        }
    }
}
