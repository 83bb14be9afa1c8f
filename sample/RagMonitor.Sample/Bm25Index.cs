using System;
using System.Collections.Generic;
using System.Linq;

namespace RagMonitor.Sample;

/// <summary>A document with its BM25 score for a query.</summary>
public sealed record ScoredDocument(Document Document, double Score);

/// <summary>An in-memory inverted index scored with Okapi BM25 (k1 = 1.2, b = 0.75).</summary>
public sealed class Bm25Index
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    private static readonly HashSet<string> s_stopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "do", "does", "for", "from", "how", "in", "is", "it",
        "of", "on", "or", "should", "that", "the", "this", "to", "we", "what", "when", "which", "why", "with",
    };

    private readonly IReadOnlyList<Document> _documents;
    private readonly Dictionary<string, List<(int Document, int Frequency)>> _postings = new(StringComparer.Ordinal);
    private readonly int[] _lengths;
    private readonly double _averageLength;

    /// <summary>Indexes the documents.</summary>
    public Bm25Index(IReadOnlyList<Document> documents)
    {
        _documents = documents;
        _lengths = new int[documents.Count];
        for (var i = 0; i < documents.Count; i++)
        {
            var terms = Tokenize(documents[i].Title + " " + documents[i].Text);
            _lengths[i] = terms.Count;
            foreach (var group in terms.GroupBy(t => t, StringComparer.Ordinal))
            {
                if (!_postings.TryGetValue(group.Key, out var list))
                {
                    _postings[group.Key] = list = new List<(int, int)>();
                }

                list.Add((i, group.Count()));
            }
        }

        _averageLength = _lengths.Length == 0 ? 0 : _lengths.Average();
    }

    /// <summary>The number of distinct terms in the index.</summary>
    public int TermCount => _postings.Count;

    /// <summary>Scores every document that shares a term with the query and returns the best <paramref name="top"/>.</summary>
    public IReadOnlyList<ScoredDocument> Search(string query, int top)
    {
        var scores = new Dictionary<int, double>();
        foreach (var term in Tokenize(query).Distinct(StringComparer.Ordinal))
        {
            if (!_postings.TryGetValue(term, out var postings))
            {
                continue;
            }

            var idf = Math.Log(1 + ((_documents.Count - postings.Count + 0.5) / (postings.Count + 0.5)));
            foreach (var (document, frequency) in postings)
            {
                var norm = frequency * (K1 + 1) / (frequency + (K1 * (1 - B + (B * _lengths[document] / _averageLength))));
                scores[document] = scores.GetValueOrDefault(document) + (idf * norm);
            }
        }

        return scores
            .OrderByDescending(p => p.Value)
            .ThenBy(p => p.Key)
            .Take(top)
            .Select(p => new ScoredDocument(_documents[p.Key], p.Value))
            .ToArray();
    }

    /// <summary>Lower-cases, splits on non-letters, drops stop words and strips a plural "s".</summary>
    public static List<string> Tokenize(string text)
    {
        var terms = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var isLetter = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (isLetter && start < 0)
            {
                start = i;
            }
            else if (!isLetter && start >= 0)
            {
                var term = text.Substring(start, i - start).ToLowerInvariant();
                if (term.Length > 3 && term.EndsWith('s') && !term.EndsWith("ss", StringComparison.Ordinal))
                {
                    term = term[..^1];
                }

                if (!s_stopWords.Contains(term))
                {
                    terms.Add(term);
                }

                start = -1;
            }
        }

        return terms;
    }
}
