using System.Collections.Generic;
using System.Text;

namespace RagMonitor.Generators.Analyzers.Naming;

/// <summary>
/// Pure text operations on stage names: the case- and separator-insensitive key, splitting into
/// words, and the digits a name carries. Shared by every naming rule and by the code fixes.
/// </summary>
internal static class StageNameText
{
    /// <summary>
    /// The key two names share when they differ only in case or separators: every letter and digit,
    /// lower-cased, everything else removed (<c>Re-Trieval</c>, <c>re_trieval</c> → <c>retrieval</c>).
    /// </summary>
    public static string Key(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString();
    }

    /// <summary>The digits of a name, in order (<c>rerank_v2</c> → <c>2</c>).</summary>
    public static string Digits(string key)
    {
        StringBuilder? builder = null;
        foreach (var c in key)
        {
            if (char.IsDigit(c))
            {
                (builder ??= new StringBuilder()).Append(c);
            }
        }

        return builder?.ToString() ?? string.Empty;
    }

    /// <summary>
    /// Splits a name into its words, keeping their case. Any character that is not a letter or digit
    /// separates words; so does a case change: <c>lowerUpper</c>, <c>digitUpper</c>, and the end of an
    /// upper-case run followed by a lower-case letter (<c>HTMLDocs</c> → <c>HTML</c>, <c>Docs</c>).
    /// Digits stay with the word they follow (<c>gpt4Call</c> → <c>gpt4</c>, <c>Call</c>).
    /// </summary>
    public static List<string> Words(string name)
    {
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsLetterOrDigit(c))
            {
                if (start >= 0)
                {
                    words.Add(name.Substring(start, i - start));
                    start = -1;
                }

                continue;
            }

            if (start < 0)
            {
                start = i;
                continue;
            }

            var previous = name[i - 1];
            var boundary = char.IsUpper(c) && (char.IsLower(previous) || char.IsDigit(previous))
                || (char.IsUpper(c) && char.IsUpper(previous) && i + 1 < name.Length && char.IsLower(name[i + 1]));
            if (boundary)
            {
                words.Add(name.Substring(start, i - start));
                start = i;
            }
        }

        if (start >= 0)
        {
            words.Add(name.Substring(start));
        }

        return words;
    }
}
