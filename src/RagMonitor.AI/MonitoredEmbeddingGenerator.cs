using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace RagMonitor.AI;

/// <summary>
/// A delegating <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> that records each call as a stage of the
/// ambient monitored request: duration, status, model id, provider, input tokens, and the number and
/// dimensions of the embeddings. Outside a monitored request calls pass straight through, untimed, and are
/// counted in the monitor's statistics as stages outside requests. Inputs are never recorded.
/// </summary>
/// <typeparam name="TInput">The input type, usually <see cref="string"/>.</typeparam>
/// <typeparam name="TEmbedding">The embedding type, usually <see cref="Embedding{T}"/> of <see cref="float"/>.</typeparam>
public sealed class MonitoredEmbeddingGenerator<TInput, TEmbedding> : DelegatingEmbeddingGenerator<TInput, TEmbedding>
    where TEmbedding : Embedding
{
    private readonly PerformanceMonitor _monitor;
    private readonly string _stageName;
    private readonly string? _defaultModelId;
    private readonly string? _providerName;

    /// <summary>Creates the middleware around <paramref name="innerGenerator"/>.</summary>
    /// <param name="innerGenerator">The generator that does the work.</param>
    /// <param name="monitor">The monitor; <see langword="null"/> for <see cref="PerformanceMonitor.Default"/>.</param>
    /// <param name="stageName">The stage name; default <c>embedding</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerGenerator"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stageName"/> is empty, white space, has leading or trailing white space or control characters.</exception>
    public MonitoredEmbeddingGenerator(IEmbeddingGenerator<TInput, TEmbedding> innerGenerator, PerformanceMonitor? monitor = null, string stageName = AiStageNames.Embedding)
        : base(innerGenerator)
    {
        _stageName = AiStageNames.Validate(stageName, nameof(stageName));
        _monitor = monitor ?? PerformanceMonitor.Default;
        var metadata = AiClientMetadata.Read<EmbeddingGeneratorMetadata>(innerGenerator);
        _defaultModelId = metadata?.DefaultModelId;
        _providerName = metadata?.ProviderName;
    }

    /// <summary>The stage each call is recorded as.</summary>
    public string StageName => _stageName;

    /// <summary>The monitor the stages are recorded with.</summary>
    public PerformanceMonitor Monitor => _monitor;

    /// <inheritdoc />
    public override Task<GeneratedEmbeddings<TEmbedding>> GenerateAsync(IEnumerable<TInput> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var stage = _monitor.BeginAsyncStage(_stageName);
        if (!stage.IsRecording)
        {
            return base.GenerateAsync(values, options, cancellationToken);
        }

        return StageCall.Track(stage, (Generator: this, values, options, cancellationToken),
            static s => s.Generator.GenerateInStageAsync(s.values, s.options, s.cancellationToken));
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == GetType() ? this : base.GetService(serviceType, serviceKey);

    /// <summary>The stage's body: runs with the stage current, so the metadata lands on this call's stage.</summary>
    private async Task<GeneratedEmbeddings<TEmbedding>> GenerateInStageAsync(IEnumerable<TInput> values, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        RecordRequest(options);
        var embeddings = await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
        RecordResult(embeddings, options);
        return embeddings;
    }

    private void RecordRequest(EmbeddingGenerationOptions? options)
    {
        try
        {
            StageContext.AddMetadata(AiStageMetadata.Operation, "embeddings");
            if ((options?.ModelId ?? _defaultModelId) is { } model)
            {
                StageContext.AddMetadata(AiStageMetadata.ModelId, model);
            }

            if (_providerName is not null)
            {
                StageContext.AddMetadata(AiStageMetadata.Provider, _providerName);
            }
        }
        catch (Exception)
        {
            // First law: recording never throws into the call.
        }
    }

    private void RecordResult(GeneratedEmbeddings<TEmbedding> embeddings, EmbeddingGenerationOptions? options)
    {
        try
        {
            if (embeddings is null)
            {
                return;
            }

            StageContext.AddToMetadata(AiStageMetadata.Embeddings, embeddings.Count);
            if (embeddings.Count > 0 && embeddings[0] is { } first)
            {
                StageContext.AddMetadata(AiStageMetadata.Dimensions, first.Dimensions);
                if (options?.ModelId is null && _defaultModelId is null && first.ModelId is { } model)
                {
                    StageContext.AddMetadata(AiStageMetadata.ModelId, model);
                }
            }

            AiMetadataRecorder.AddUsage(embeddings.Usage);
        }
        catch (Exception)
        {
            // First law: recording never throws into the call.
        }
    }
}
