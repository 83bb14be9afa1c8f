using System;
using Microsoft.Extensions.AI;

namespace RagMonitor.AI;

/// <summary>Adds RagMonitor's middleware to an <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}"/>.</summary>
public static class RagMonitorEmbeddingGeneratorBuilderExtensions
{
    /// <summary>
    /// Records every call of the embedding generator as a stage (default <c>embedding</c>) of the ambient
    /// monitored request, with model, input tokens and the embeddings' count and dimensions (see
    /// <see cref="MonitoredEmbeddingGenerator{TInput, TEmbedding}"/>).
    /// </summary>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <typeparam name="TEmbedding">The embedding type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="monitor">
    /// The monitor; when <see langword="null"/>, the <see cref="PerformanceMonitor"/> registered in the
    /// builder's service provider (RagMonitor.Hosting's <c>AddRagMonitor</c>), else <see cref="PerformanceMonitor.Default"/>.
    /// </param>
    /// <param name="stageName">The stage name, checked now: not empty, no leading or trailing white space, no control characters.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stageName"/> breaks the naming rules.</exception>
    public static EmbeddingGeneratorBuilder<TInput, TEmbedding> UseRagMonitor<TInput, TEmbedding>(
        this EmbeddingGeneratorBuilder<TInput, TEmbedding> builder,
        PerformanceMonitor? monitor = null,
        string stageName = AiStageNames.Embedding)
        where TEmbedding : Embedding
    {
        if (builder is null)
        {
            throw new ArgumentNullException(nameof(builder));
        }

        AiStageNames.Validate(stageName, nameof(stageName));
        return builder.Use((innerGenerator, services) =>
            new MonitoredEmbeddingGenerator<TInput, TEmbedding>(innerGenerator, monitor ?? services.GetService(typeof(PerformanceMonitor)) as PerformanceMonitor, stageName));
    }
}
