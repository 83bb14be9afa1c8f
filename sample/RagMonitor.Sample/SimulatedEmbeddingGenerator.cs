using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace RagMonitor.Sample;

/// <summary>
/// A deterministic stand-in for a hosted embedding model behind <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>:
/// 10-25 ms a call, hashed bag-of-words vectors, and the input tokens in <see cref="GeneratedEmbeddings{TEmbedding}.Usage"/>.
/// </summary>
public sealed class SimulatedEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private const int Dimensions = 64;
    private static readonly EmbeddingGeneratorMetadata s_metadata = new("simulated", null, "sim-embed-small", Dimensions);
    private readonly SimulatedLatency _latency;

    /// <summary>Creates the model; <paramref name="latency"/> scales every simulated delay.</summary>
    public SimulatedEmbeddingGenerator(SimulatedLatency latency) => _latency = latency;

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values.ToArray();
        var random = new Random(SimulatedLatency.StableHash(string.Join("\n", inputs)));
        await _latency.DelayAsync(10 + random.Next(15), cancellationToken).ConfigureAwait(false);
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(inputs.Select(Embed))
        {
            Usage = new UsageDetails { InputTokenCount = inputs.Sum(SimulatedChatClient.CountTokens) },
        };
        return embeddings;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? s_metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static Embedding<float> Embed(string text)
    {
        var vector = new float[Dimensions];
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            vector[(SimulatedLatency.StableHash(word.ToLowerInvariant()) & int.MaxValue) % Dimensions] += 1;
        }

        return new Embedding<float>(vector) { ModelId = s_metadata.DefaultModelId };
    }
}
