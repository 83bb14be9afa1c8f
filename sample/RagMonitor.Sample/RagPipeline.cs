using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor.Sample;

/// <summary>
/// A small retrieve → grade → generate pipeline. Each step is a stage of the "ask" request. There is
/// no timing code here: the RagMonitor source generator implements the partial methods, timing the
/// call to each <c>…Core</c> method and recording it in the request's summary and JSONL line.
/// </summary>
public sealed partial class RagPipeline
{
    private readonly PerformanceMonitor _monitor;
    private readonly Bm25Index _index;
    private readonly SimulatedLlm _llm;

    /// <summary>Creates the pipeline over <paramref name="index"/>.</summary>
    public RagPipeline(PerformanceMonitor monitor, Bm25Index index, SimulatedLlm llm)
    {
        _monitor = monitor;
        _index = index;
        _llm = llm;
    }

    /// <summary>Answers one question (the monitored request "ask", identified by <paramref name="questionId"/>).</summary>
    [MonitoredRequest("ask")]
    public partial Task<Answer> AskAsync([RequestId] string questionId, string question, CancellationToken cancellationToken = default);

    private async Task<Answer> AskAsyncCore(string questionId, string question, CancellationToken cancellationToken)
    {
        var seed = StableHash(questionId);
        var candidates = await RetrieveAsync(question, 20, seed, cancellationToken).ConfigureAwait(false);
        var graded = await GradeAsync(question, candidates, seed, cancellationToken).ConfigureAwait(false);
        return await GenerateAsync(questionId, question, graded, seed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The "retrieval" stage: BM25 over the corpus plus a simulated vector-store round trip.</summary>
    [Stage("retrieval")]
    [return: StageMetadata("documents_retrieved")]
    private partial Task<IReadOnlyList<ScoredDocument>> RetrieveAsync(string question, [StageMetadata] int topK, int seed, CancellationToken cancellationToken);

    private async Task<IReadOnlyList<ScoredDocument>> RetrieveAsyncCore(string question, int topK, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var hits = _index.Search(question, topK);
        StageContext.AddMetadata("index_terms", _index.TermCount);
        StageContext.AddMetadata("source", "bm25+vector");

        // The vector store lives across the network: 15-60 ms, with an occasional slow replica.
        var latency = 15 + random.Next(45) + (random.NextDouble() < 0.08 ? 250 : 0);
        await _llm.DelayAsync(latency, cancellationToken).ConfigureAwait(false);
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
        await _llm.DelayAsync((candidates.Count * 2) + random.Next(15), cancellationToken).ConfigureAwait(false);
        var best = candidates[0].Score;
        var kept = candidates.Where(c => c.Score >= best * 0.4).Take(5).ToArray();
        StageContext.AddMetadata("threshold", Math.Round(best * 0.4, 3));
        return kept;
    }

    /// <summary>The "generation" stage: builds the prompt and calls the (simulated) model.</summary>
    [Stage("generation")]
    private partial Task<Answer> GenerateAsync(string questionId, string question, IReadOnlyList<ScoredDocument> context, int seed, CancellationToken cancellationToken);

    private async Task<Answer> GenerateAsyncCore(string questionId, string question, IReadOnlyList<ScoredDocument> context, int seed, CancellationToken cancellationToken)
    {
        var prompt = new StringBuilder();
        prompt.AppendLine("Answer the question from the context. Cite passages as [n].");
        foreach (var doc in context)
        {
            prompt.Append('[').Append(doc.Document.Id).Append("] ").AppendLine(doc.Document.Text);
        }

        prompt.Append("Question: ").AppendLine(question);
        StageContext.AddMetadata("model", _llm.Model);
        var (text, promptTokens, completionTokens) = await _llm.CompleteAsync(prompt.ToString(), seed, cancellationToken).ConfigureAwait(false);
        StageContext.AddMetadata("input_tokens", promptTokens);
        StageContext.AddMetadata("output_tokens", completionTokens);
        return new Answer(questionId, text, context.Select(c => c.Document.Id).ToArray(), promptTokens, completionTokens);
    }

    private static int StableHash(string text)
    {
        unchecked
        {
            var hash = (int)2166136261;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 16777619;
            }

            return hash;
        }
    }
}
