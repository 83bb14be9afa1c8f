using System;
using System.Collections.Generic;

namespace RagMonitor.Sample;

/// <summary>One document of the in-memory corpus.</summary>
public sealed record Document(int Id, string Title, string Text);

/// <summary>
/// A deterministic corpus of a few hundred short technical notes, built from hand-written facts about
/// each topic combined with a fixed pseudo-random sequence, so every run searches the same documents.
/// </summary>
public static class Corpus
{
    private static readonly (string Topic, string[] Facts)[] s_topics =
    {
        ("vector databases", new[]
        {
            "store embeddings and answer nearest-neighbour queries",
            "use HNSW graphs to trade recall for latency",
            "need re-indexing when the embedding model changes",
            "filter by metadata before or after the similarity search",
            "shard collections to scale writes across nodes",
        }),
        ("BM25 ranking", new[]
        {
            "scores documents by term frequency and inverse document frequency",
            "normalises for document length with the parameter b",
            "saturates term frequency with the parameter k1",
            "works well for exact keywords, product codes and names",
            "is a strong baseline before any neural retrieval",
        }),
        ("embeddings", new[]
        {
            "map text to dense vectors that capture meaning",
            "are compared with cosine similarity or dot product",
            "should be computed with the same model for queries and documents",
            "can be cached because documents change rarely",
            "cost tokens and latency when computed by a remote model",
        }),
        ("rerankers", new[]
        {
            "score each query and document pair with a cross-encoder",
            "improve precision of the top results after retrieval",
            "are slower than the first-stage retriever per document",
            "are applied only to the top candidates to bound latency",
        }),
        ("chunking", new[]
        {
            "splits long documents into passages that fit the context window",
            "uses overlap so that sentences are not cut in half",
            "affects recall more than most model choices",
            "keeps titles and headings with every chunk",
        }),
        ("prompting", new[]
        {
            "puts the retrieved passages before the question",
            "asks the model to cite the passages it used",
            "limits the answer length to control output tokens",
            "tells the model to say when the context has no answer",
        }),
        ("latency budgets", new[]
        {
            "split the time of a request between retrieval, grading and generation",
            "are dominated by generation when answers are long",
            "are checked in CI with performance budgets on p95",
            "need percentiles rather than averages to catch tail latency",
        }),
        ("caching", new[]
        {
            "stores answers for repeated questions",
            "keeps embeddings of frequent queries in memory",
            "must be invalidated when the corpus is updated",
            "reduces cost more than any prompt optimisation",
        }),
        ("evaluation", new[]
        {
            "measures retrieval recall with labelled question and passage pairs",
            "grades answers for faithfulness to the retrieved context",
            "tracks regressions when the pipeline changes",
            "compares latency and quality together",
        }),
        ("observability", new[]
        {
            "records the duration of every stage of a request",
            "flags the stage that takes most of the time as the bottleneck",
            "exports metrics to Prometheus and traces to OpenTelemetry",
            "keeps logs in JSON lines for later analysis",
        }),
    };

    private static readonly string[] s_openers =
    {
        "In practice, {0} {1}.",
        "A common finding is that {0} {1}.",
        "Teams often learn that {0} {1}.",
        "Remember that {0} {1}.",
        "In production, {0} {1}.",
    };

    private static readonly string[] s_closers =
    {
        "This matters most under load.",
        "Measure it before optimising.",
        "It is worth documenting for the team.",
        "The effect grows with the size of the corpus.",
        "Small services rarely notice it.",
        "Large deployments feel it every day.",
    };

    /// <summary>Builds the corpus: <paramref name="count"/> documents, the same for the same count.</summary>
    public static IReadOnlyList<Document> Build(int count = 300)
    {
        var random = new Random(20261129);
        var documents = new List<Document>(count);
        for (var id = 0; id < count; id++)
        {
            var (topic, facts) = s_topics[id % s_topics.Length];
            var first = facts[random.Next(facts.Length)];
            var second = facts[random.Next(facts.Length)];
            var opener = s_openers[random.Next(s_openers.Length)];
            var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, opener, Capitalize(topic), first)
                + " " + Capitalize(topic) + " also " + second + ". " + s_closers[random.Next(s_closers.Length)];
            documents.Add(new Document(id, $"Note {id}: {topic}", text));
        }

        return documents;
    }

    /// <summary>The questions the sample asks.</summary>
    public static IReadOnlyList<string> Questions { get; } = new[]
    {
        "How do vector databases answer nearest-neighbour queries?",
        "What do the BM25 parameters k1 and b do?",
        "Why should queries and documents use the same embedding model?",
        "When is a reranker worth its latency?",
        "How much overlap should chunking use?",
        "How should a prompt cite retrieved passages?",
        "Which stage dominates the latency budget of a RAG request?",
        "When must a cache of answers be invalidated?",
        "How do we evaluate retrieval recall?",
        "What should observability record for each stage?",
        "Why use percentiles instead of averages for latency?",
        "How do HNSW graphs trade recall for latency?",
    };

    private static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text.Substring(1);
}
