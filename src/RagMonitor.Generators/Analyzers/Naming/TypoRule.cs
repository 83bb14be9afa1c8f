using System;
using System.Collections.Generic;

namespace RagMonitor.Generators.Analyzers.Naming;

/// <summary>
/// Decides whether two stage names that do not share a <see cref="StageNameText.Key"/> look like a
/// typo of each other (RMON010). The rule, in order:
/// <list type="number">
/// <item>Names are compared by their keys (case and separators ignored), with the optimal string
/// alignment distance: insert, delete, substitute, or swap two adjacent letters each count 1.</item>
/// <item>The allowed distance depends on the shorter key: 2 for 6 or more characters, 1 for 4–5,
/// and names shorter than 4 are never typos.</item>
/// <item>Names whose digits differ are never typos (<c>rerank_v1</c> / <c>rerank_v2</c>, <c>stage1</c> / <c>stage2</c>).</item>
/// <item>A name that is the other plus whole words before or after it is not a typo
/// (<c>branch</c> / <c>branch_a</c>, <c>rank</c> / <c>x_rank</c>).</item>
/// <item>When both names have the same number of words (2 or more), each word that differs must
/// itself be a typo by these rules (<c>get_docs</c> / <c>set_docs</c> differ in a 3-letter word: not a
/// typo; <c>retreival_stage</c> / <c>retrieval_stage</c>: a typo).</item>
/// <item>Word forms are not typos: two words that share a stem once a common English ending is
/// removed (<c>retrieve</c> / <c>retrieval</c>, <c>rerank</c> / <c>reranker</c>, <c>chunk</c> / <c>chunks</c>,
/// <c>parse</c> / <c>parser</c>, <c>classify</c> / <c>classifier</c>), nor two words that are the same
/// word with a different common prefix (<c>search</c> / <c>research</c>, <c>encode</c> / <c>decode</c>).</item>
/// <item>A short word (3–5 letters) and the same word behind one or two more letters are two words, not a
/// typo (<c>sync</c> / <c>async</c>, <c>task</c> / <c>vtask</c>, so <c>split_sync</c> / <c>split_async</c>).</item>
/// </list>
/// </summary>
internal static class TypoRule
{
    // Endings removed to find a word's stem. "s" is not removed after another "s" (process).
    private static readonly string[] s_suffixes =
    {
        "s", "es", "ed", "ing", "er", "ers", "or", "ors", "al", "als", "ion", "ions", "ation", "ations", "ment", "ments",
    };

    // Prefixes that make a different word from the same stem (search / research, encode / decode).
    private static readonly string[] s_prefixes =
    {
        "re", "de", "en", "un", "in", "pre", "dis", "co", "sub", "post", "over", "under",
    };

    /// <summary>The largest distance that still counts as a typo between keys of these lengths (0: never).</summary>
    public static int AllowedDistance(int shorterLength) => shorterLength >= 6 ? 2 : shorterLength >= 4 ? 1 : 0;

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> (names as written) are probably a typo of each other.</summary>
    public static bool IsProbableTypo(string a, string b, EditDistance distance) =>
        IsProbableTypo(new NameForm(a), new NameForm(b), distance);

    /// <summary>As <see cref="IsProbableTypo(string, string, EditDistance)"/>, with each name's forms computed once.</summary>
    public static bool IsProbableTypo(NameForm a, NameForm b, EditDistance distance)
    {
        if (string.Equals(a.Key, b.Key, StringComparison.Ordinal)
            || !string.Equals(a.Digits, b.Digits, StringComparison.Ordinal)
            || TypoRule.AllowedDistance(Math.Min(a.Key.Length, b.Key.Length)) == 0)
        {
            return false;
        }

        // The word-level rules first: they usually decide without computing a distance.
        var wordsA = a.Words;
        var wordsB = b.Words;
        if (wordsA.Length != wordsB.Length && AddsWholeWords(wordsA.Length < wordsB.Length ? wordsA : wordsB, wordsA.Length < wordsB.Length ? wordsB : wordsA))
        {
            return false;
        }

        if (wordsA.Length == wordsB.Length && wordsA.Length > 1)
        {
            for (var i = 0; i < wordsA.Length; i++)
            {
                if (!string.Equals(wordsA[i], wordsB[i], StringComparison.Ordinal) && !IsTypoWord(wordsA[i], wordsB[i], distance))
                {
                    return false;
                }
            }

            return WithinTypoDistance(a.Key, b.Key, distance);
        }

        return IsTypoWord(a.Key, b.Key, distance);
    }

    /// <summary>Whether <paramref name="longer"/> is <paramref name="shorter"/> with whole words added before or after.</summary>
    private static bool AddsWholeWords(string[] shorter, string[] longer)
    {
        if (shorter.Length == 0)
        {
            return false;
        }

        bool Matches(int offset)
        {
            for (var i = 0; i < shorter.Length; i++)
            {
                if (!string.Equals(shorter[i], longer[offset + i], StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        return Matches(0) || Matches(longer.Length - shorter.Length);
    }

    /// <summary>Whether one word is a typo of another: within the distance, and not another form of the same word.</summary>
    private static bool IsTypoWord(string a, string b, EditDistance distance) =>
        WithinTypoDistance(a, b, distance) && !ShareStem(a, b) && !DifferOnlyInPrefix(a, b) && !IsShortWordWithLeadingLetters(a, b);

    /// <summary>Whether one word is a short word (3–5 letters) and the other is it behind one or two more letters (sync / async).</summary>
    internal static bool IsShortWordWithLeadingLetters(string a, string b)
    {
        var (shorter, longer) = a.Length <= b.Length ? (a, b) : (b, a);
        var added = longer.Length - shorter.Length;
        return shorter.Length is >= 3 and <= 5 && added is 1 or 2 && longer.EndsWith(shorter, StringComparison.Ordinal);
    }

    private static bool WithinTypoDistance(string a, string b, EditDistance distance)
    {
        var allowed = AllowedDistance(Math.Min(a.Length, b.Length));
        return allowed > 0 && distance.Compute(a, b, allowed) <= allowed;
    }

    /// <summary>Whether the two (lower-case) words share a stem once a common ending is removed.</summary>
    internal static bool ShareStem(string a, string b)
    {
        List<string> stemsA = Stems(a);
        List<string> stemsB = Stems(b);
        foreach (var stemA in stemsA)
        {
            foreach (var stemB in stemsB)
            {
                if (string.Equals(stemA, stemB, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Whether the two (lower-case) words are one stem behind two different common prefixes (one may be empty).</summary>
    internal static bool DifferOnlyInPrefix(string a, string b)
    {
        foreach (var prefixA in PrefixesOf(a))
        {
            foreach (var prefixB in PrefixesOf(b))
            {
                if (string.Equals(prefixA, prefixB, StringComparison.Ordinal))
                {
                    continue;
                }

                var restA = a.Substring(prefixA.Length);
                var restB = b.Substring(prefixB.Length);
                if (restA.Length >= 3 && string.Equals(restA, restB, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static IEnumerable<string> PrefixesOf(string word)
    {
        yield return string.Empty;
        foreach (var prefix in s_prefixes)
        {
            if (word.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return prefix;
            }
        }
    }

    private static List<string> Stems(string word)
    {
        var stems = new List<string> { Normalize(word) };
        foreach (var suffix in s_suffixes)
        {
            if (word.Length - suffix.Length < 3 || !word.EndsWith(suffix, StringComparison.Ordinal))
            {
                continue;
            }

            if (suffix == "s" && word.EndsWith("ss", StringComparison.Ordinal))
            {
                continue;
            }

            stems.Add(Normalize(word.Substring(0, word.Length - suffix.Length)));
        }

        return stems;
    }

    // retrieve / retriev(al), classifi(er) / classify: a final "e" is dropped and a final "i" read as "y".
    private static string Normalize(string stem)
    {
        if (stem.EndsWith("e", StringComparison.Ordinal))
        {
            return stem.Substring(0, stem.Length - 1);
        }

        if (stem.EndsWith("i", StringComparison.Ordinal))
        {
            return stem.Substring(0, stem.Length - 1) + "y";
        }

        return stem;
    }
}

/// <summary>A stage name with the forms the typo rule compares, computed once per name.</summary>
internal sealed class NameForm
{
    public NameForm(string name)
    {
        Name = name;
        Key = StageNameText.Key(name);
        Digits = StageNameText.Digits(Key);
        var words = StageNameText.Words(name);
        Words = new string[words.Count];
        for (var i = 0; i < words.Count; i++)
        {
            Words[i] = words[i].ToLowerInvariant();
        }
    }

    /// <summary>The name as written.</summary>
    public string Name { get; }

    /// <summary>See <see cref="StageNameText.Key"/>.</summary>
    public string Key { get; }

    /// <summary>See <see cref="StageNameText.Digits"/>.</summary>
    public string Digits { get; }

    /// <summary>The words, lower-cased.</summary>
    public string[] Words { get; }
}
