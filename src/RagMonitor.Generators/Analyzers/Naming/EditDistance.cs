using System;

namespace RagMonitor.Generators.Analyzers.Naming;

/// <summary>
/// Optimal string alignment distance (Damerau–Levenshtein restricted to non-overlapping edits):
/// an insertion, a deletion, a substitution and a transposition of two adjacent characters each
/// cost 1, so <c>retreival</c> → <c>retrieval</c> is 1. The bounded form stops as soon as the
/// distance must exceed the bound, which keeps compilation-wide comparisons cheap.
/// </summary>
internal sealed class EditDistance
{
    private int[] _previousPrevious = new int[16];
    private int[] _previous = new int[16];
    private int[] _current = new int[16];

    /// <summary>The distance between <paramref name="a"/> and <paramref name="b"/>, or <c>bound + 1</c> when it exceeds <paramref name="bound"/>.</summary>
    public int Compute(string a, string b, int bound)
    {
        if (Math.Abs(a.Length - b.Length) > bound)
        {
            return bound + 1;
        }

        if (a.Length == 0 || b.Length == 0)
        {
            return Math.Max(a.Length, b.Length);
        }

        EnsureCapacity(b.Length + 1);
        var twoBack = _previousPrevious;
        var oneBack = _previous;
        var row = _current;
        for (var j = 0; j <= b.Length; j++)
        {
            oneBack[j] = j;
        }

        var previousRowMinimum = 0;
        for (var i = 1; i <= a.Length; i++)
        {
            row[0] = i;
            var rowMinimum = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(oneBack[j] + 1, row[j - 1] + 1), oneBack[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    value = Math.Min(value, twoBack[j - 2] + 1);
                }

                row[j] = value;
                if (value < rowMinimum)
                {
                    rowMinimum = value;
                }
            }

            // A cell depends on this row (+0 or +1) and, through a transposition, on the row before
            // (+1); once both are past the bound, every later row is too.
            if (rowMinimum > bound && previousRowMinimum >= bound)
            {
                return bound + 1;
            }

            previousRowMinimum = rowMinimum;

            var recycled = twoBack;
            twoBack = oneBack;
            oneBack = row;
            row = recycled;
        }

        var result = oneBack[b.Length];
        return result > bound ? bound + 1 : result;
    }

    /// <summary>The unbounded distance.</summary>
    public int Compute(string a, string b) => Compute(a, b, Math.Max(a.Length, b.Length));

    private void EnsureCapacity(int length)
    {
        if (_current.Length < length)
        {
            _previousPrevious = new int[length];
            _previous = new int[length];
            _current = new int[length];
        }
    }
}
