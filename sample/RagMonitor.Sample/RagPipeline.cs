using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace RagMonitor.Sample;

/// <summary>
/// A small embed → retrieve → grade → generate pipeline. Each step is a stage of the "ask" request. There is
/// no timing code here: the RagMonitor source generator implements the partial methods, timing the call to
/// each <c>…Core</c> method, and the model calls go through Microsoft.Extensions.AI clients built with
/// <c>UseRagMonitor</c> (see Program.cs), which record the "embedding" and "generation" stages with their
/// tokens and time to first token.
/// </summary>
public sealed partial class RagPipeline
{
    private readonly PerformanceMonitor _monitor;
    private readonly Bm25Index _index;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly IChatClient _chat;
    private readonly SimulatedLatency _latency;

    /// <summary>Creates the pipeline over <paramref name="index"/>, calling the models through <paramref name="embedder"/> and <paramref name="chat"/>.</summary>
    public RagPipeline(PerformanceMonitor monitor, Bm25Index index, IEmbeddingGenerator<string, Embedding<float>> embedder, IChatClient chat, SimulatedLatency latency)
    {
        _monitor = monitor;
        _index = index;
        _embedder = embedder;
        _chat = chat;
        _latency = latency;
    }

    /// <summary>Answers one question (the monitored request "ask", identified by <paramref name="questionId"/>).</summary>
    [MonitoredRequest("ask")]
    public partial Task<Answer> AskAsync([RequestId] string questionId, string question, CancellationToken cancellationToken = default);

    private async Task<Answer> AskAsyncCore(string questionId, string question, CancellationToken cancellationToken)
    {
        var seed = SimulatedLatency.StableHash(questionId);

        // The "embedding" stage, recorded by the embedding generator's RagMonitor middleware.
        var queryEmbedding = await _embedder.GenerateAsync(question, cancellationToken: cancellationToken).ConfigureAwait(false);
        var candidates = await RetrieveAsync(question, queryEmbedding, 20, seed, cancellationToken).ConfigureAwait(false);
        var graded = await GradeAsync(question, candidates, seed, cancellationToken).ConfigureAwait(false);
        return await GenerateAsync(questionId, question, graded, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The "retrieval" stage: BM25 over the corpus plus a simulated vector-store round trip.</summary>
    [Stage("retrieval")]
    [return: StageMetadata("documents_retrieved")]
    private partial Task<IReadOnlyList<ScoredDocument>> RetrieveAsync(string question, Embedding<float> queryEmbedding, [StageMetadata] int topK, int seed, CancellationToken cancellationToken);

    private async Task<IReadOnlyList<ScoredDocument>> RetrieveAsyncCore(string question, Embedding<float> queryEmbedding, int topK, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var hits = _index.Search(question, topK);
        StageContext.AddMetadata("index_terms", _index.TermCount);
        StageContext.AddMetadata("source", "bm25+vector");
        StageContext.AddMetadata("vector_dimensions", queryEmbedding.Dimensions);

        // The vector store lives across the network: 15-60 ms, with an occasional slow replica.
        var latency = 15 + random.Next(45) + (random.NextDouble() < 0.08 ? 250 : 0);
        await _latency.DelayAsync(latency, cancellationToken).ConfigureAwait(false);
        return hits;
    }

    /// <summary>The "grading" stage: keeps documents scoring at least 40 % of the best (a simulated cross-encoder pass).</summary>
    [Stage("grading")]
    [return: StageMetadata("documents_kept")]
    private partial Task<IReadOnlyList<ScoredDocument>> GradeAsync(string question, [StageMetadata("candidates")] IReadOnlyList<ScoredDocument> candidates, int seed, CancellationToken cancellationToken);

    private async Task<IReadOnlyList<ScoredDocument>> GradeAsyncCore(string question, IReadOnlyList<ScoredDocument> candidates, int seed, CancellationToken cancellationToken)
    {
        _ = question;
        if (candidates.Count == 0)
        {
            return candidates;
        }

        // A cross-encoder scores each pair: about 2 ms per candidate on a shared GPU.
        var random = new Random(seed ^ 0x5bd1e995);
        await _latency.DelayAsync((candidates.Count * 2) + random.Next(15), cancellationToken).ConfigureAwait(false);
        var best = candidates[0].Score;
        var kept = candidates.Where(c => c.Score >= best * 0.4).Take(5).ToArray();
        StageContext.AddMetadata("threshold", Math.Round(best * 0.4, 3));
        return kept;
    }

    /// <summary>
    /// Builds the prompt and streams the answer. Not a <c>[Stage]</c>: the chat client's RagMonitor middleware
    /// records the "generation" stage, with model, tokens, finish reason and time to first token.
    /// </summary>
    private async Task<Answer> GenerateAsync(string questionId, string question, IReadOnlyList<ScoredDocument> context, CancellationToken cancellationToken)
    {
        var prompt = new StringBuilder();
        prompt.AppendLine("Answer the question from the context. Cite passages as [n].");
        foreach (var doc in context)
        {
            prompt.Append('[').Append(doc.Document.Id).Append("] ").AppendLine(doc.Document.Text);
        }

        prompt.Append("Question: ").AppendLine(question);
        var text = new StringBuilder();
        long promptTokens = 0;
        long completionTokens = 0;
        await foreach (var update in _chat.GetStreamingResponseAsync(prompt.ToString(), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            text.Append(update.Text);
            foreach (var usage in update.Contents.OfType<UsageContent>())
            {
                promptTokens += usage.Details.InputTokenCount ?? 0;
                completionTokens += usage.Details.OutputTokenCount ?? 0;
            }
        }

        return new Answer(questionId, text.ToString(), context.Select(c => c.Document.Id).ToArray(), promptTokens, completionTokens);
    }
}
