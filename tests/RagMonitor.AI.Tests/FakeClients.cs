using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace RagMonitor.AI.Tests;

/// <summary>
/// A scripted chat model. Answers after <see cref="Latency"/> (on the fake clock when one is given, else really
/// waiting), streams <see cref="Tokens"/> one update each, reports <see cref="Usage"/> (null = the model reports
/// none) and throws <see cref="Failure"/> when set.
/// </summary>
internal sealed class FakeChatClient : IChatClient
{
    private readonly FakeTimeProvider? _time;

    public FakeChatClient(FakeTimeProvider? time = null)
    {
        _time = time;
    }

    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(120);

    public TimeSpan TimePerToken { get; set; } = TimeSpan.FromMilliseconds(10);

    public string[] Tokens { get; set; } = { "Retrieval", " augmented", " generation", "." };

    public UsageDetails? Usage { get; set; } = new() { InputTokenCount = 120, OutputTokenCount = 4, TotalTokenCount = 124 };

    public string? ResponseModelId { get; set; } = "fake-model-2025";

    public ChatClientMetadata Metadata { get; set; } = new("fake-provider", null, "fake-model");

    public Exception? Failure { get; set; }

    /// <summary>Fails after this many streamed tokens (with <see cref="Failure"/>).</summary>
    public int FailAfterTokens { get; set; } = -1;

    public bool ThrowFromGetService { get; set; }

    public int Calls;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Calls);
        await Wait(Latency, cancellationToken);
        if (Failure is not null)
        {
            throw Failure;
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Concat(Tokens)))
        {
            ModelId = ResponseModelId,
            Usage = Usage,
            FinishReason = ChatFinishReason.Stop,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Calls);
        await Wait(Latency, cancellationToken);
        for (var i = 0; i < Tokens.Length; i++)
        {
            if (i == FailAfterTokens)
            {
                throw Failure!;
            }

            if (i > 0)
            {
                await Wait(TimePerToken, cancellationToken);
            }

            yield return new ChatResponseUpdate(ChatRole.Assistant, Tokens[i]) { ModelId = ResponseModelId };
        }

        if (Failure is not null && FailAfterTokens < 0)
        {
            throw Failure;
        }

        yield return new ChatResponseUpdate { FinishReason = ChatFinishReason.Length, ModelId = ResponseModelId };
        if (Usage is not null)
        {
            yield return new ChatResponseUpdate { Contents = { new UsageContent(Usage) } };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        if (ThrowFromGetService)
        {
            throw new InvalidOperationException("metadata unavailable");
        }

        return serviceType == typeof(ChatClientMetadata) ? Metadata : serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
    }

    private async Task Wait(TimeSpan delay, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_time is not null)
        {
            _time.Advance(delay);
            await Task.Yield();
        }
        else if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}

/// <summary>A scripted embedding model: vectors of <see cref="Dimensions"/>, one input token per word.</summary>
internal sealed class FakeEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public int Dimensions { get; set; } = 8;

    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(20);

    public bool ReportUsage { get; set; } = true;

    public Exception? Failure { get; set; }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        await Task.Delay(Latency, cancellationToken);
        if (Failure is not null)
        {
            throw Failure;
        }

        var inputs = values.ToList();
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(inputs.Select(v => new Embedding<float>(new float[Dimensions]) { ModelId = "fake-embed" }));
        if (ReportUsage)
        {
            embeddings.Usage = new UsageDetails { InputTokenCount = inputs.Sum(v => v.Split(' ').Length) };
        }

        return embeddings;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("fake-provider", null, "fake-embed-small", Dimensions)
        : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}

/// <summary>Monitors for tests: no logs unless a directory is given, no adaptive rule, no slow-request alert.</summary>
internal static class TestMonitors
{
    internal static PerformanceMonitor Create(TimeProvider? time = null, string? logDirectory = null) => new(
        new PerformanceMonitorOptions
        {
            WriteLogs = logDirectory is not null,
            LogDirectory = logDirectory ?? "./logs/performance",
            AdaptiveBottlenecks = false,
            SlowRequestThreshold = null,
        },
        timeProvider: time);

    /// <summary>Runs <paramref name="body"/> as one monitored request and returns its summary.</summary>
    internal static async Task<RequestSummary> InRequest(PerformanceMonitor monitor, Func<Task> body, string name = "ask")
    {
        RequestSummary? summary = null;
        void OnCompleted(object? sender, RequestSummary s)
        {
            if (s.RequestName == name)
            {
                summary = s;
            }
        }

        monitor.RequestCompleted += OnCompleted;
        try
        {
            using (monitor.BeginRequest(name))
            {
                await body();
            }
        }
        finally
        {
            monitor.RequestCompleted -= OnCompleted;
        }

        return summary ?? throw new InvalidOperationException("the request did not complete");
    }

    internal static MetadataValue? Metadata(StageSummary stage, string key)
    {
        foreach (var pair in stage.Metadata)
        {
            if (pair.Key == key)
            {
                return pair.Value;
            }
        }

        return null;
    }
}
