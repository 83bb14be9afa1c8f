using System;
using System.Collections.Generic;

namespace RagMonitor.Cli.Analysis;

/// <summary>
/// Two-sided Mann-Whitney U test (Wilcoxon rank-sum) with the normal approximation, tie correction and continuity
/// correction. Exact when both samples are held exactly; otherwise on the shared log-linear histogram buckets,
/// which treats values in one bucket (≤ 0.78 % apart) as ties — slightly conservative.
/// </summary>
internal static class MannWhitney
{
    /// <summary>The result: <paramref name="PValue"/> two-sided; <paramref name="ProbabilityCurrentGreater"/> = P(current &gt; baseline) + ½ P(tie) (the common-language effect size).</summary>
    internal readonly record struct Result(double U, double Z, double PValue, double ProbabilityCurrentGreater);

    internal static Result Test(DurationSketch baseline, DurationSketch current)
    {
        long n1 = baseline.Count;
        long n2 = current.Count;
        if (n1 == 0 || n2 == 0)
        {
            return new Result(double.NaN, double.NaN, double.NaN, double.NaN);
        }

        double rankSumCurrent;
        double tieTerm;
        if (baseline.IsExact && current.IsExact)
        {
            (rankSumCurrent, tieTerm) = RankSumExact(baseline.SortedValues(), current.SortedValues());
        }
        else
        {
            (rankSumCurrent, tieTerm) = RankSumBuckets(baseline.Buckets(), current.Buckets());
        }

        double n = n1 + n2;
        double u = rankSumCurrent - ((double)n2 * (n2 + 1) / 2);
        double mean = (double)n1 * n2 / 2;
        double variance = (double)n1 * n2 / 12 * ((n + 1) - (tieTerm / (n * (n - 1))));
        double z;
        double p;
        if (variance <= 0)
        {
            z = 0;
            p = 1;
        }
        else
        {
            double diff = u - mean;
            double corrected = Math.Max(0, Math.Abs(diff) - 0.5);
            z = Math.Sign(diff) * corrected / Math.Sqrt(variance);
            p = Math.Min(1, 2 * NormalUpperTail(Math.Abs(z)));
        }

        return new Result(u, z, p, u / ((double)n1 * n2));
    }

    /// <summary>P(Z &gt; z) for a standard normal Z.</summary>
    internal static double NormalUpperTail(double z) => 0.5 * Erfc(z / Math.Sqrt(2));

    /// <summary>Complementary error function (Chebyshev approximation, fractional error below 1.2e-7).</summary>
    internal static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + (0.5 * z));
        double poly = -z * z - 1.26551223 + (t * (1.00002368 + (t * (0.37409196 + (t * (0.09678418 + (t * (-0.18628806
            + (t * (0.27886807 + (t * (-1.13520398 + (t * (1.48851587 + (t * (-0.82215223 + (t * 0.17087277)))))))))))))))));
        double r = t * Math.Exp(poly);
        return x >= 0 ? r : 2 - r;
    }

    private static (double RankSumCurrent, double TieTerm) RankSumExact(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int i = 0;
        int j = 0;
        double rank = 0;
        double rankSumB = 0;
        double tieTerm = 0;
        while (i < a.Length || j < b.Length)
        {
            double value = j >= b.Length || (i < a.Length && a[i] <= b[j]) ? a[i] : b[j];
            long countA = 0;
            long countB = 0;
            while (i < a.Length && a[i] == value)
            {
                countA++;
                i++;
            }

            while (j < b.Length && b[j] == value)
            {
                countB++;
                j++;
            }

            double t = countA + countB;
            double averageRank = rank + ((t + 1) / 2);
            rankSumB += averageRank * countB;
            tieTerm += (t * t * t) - t;
            rank += t;
        }

        return (rankSumB, tieTerm);
    }

    private static (double RankSumCurrent, double TieTerm) RankSumBuckets(IEnumerable<(int Index, long Count)> a, IEnumerable<(int Index, long Count)> b)
    {
        var merged = new SortedDictionary<int, (long A, long B)>();
        foreach ((int index, long count) in a)
        {
            merged.TryGetValue(index, out (long A, long B) c);
            merged[index] = (c.A + count, c.B);
        }

        foreach ((int index, long count) in b)
        {
            merged.TryGetValue(index, out (long A, long B) c);
            merged[index] = (c.A, c.B + count);
        }

        double rank = 0;
        double rankSumB = 0;
        double tieTerm = 0;
        foreach ((long countA, long countB) in merged.Values)
        {
            double t = countA + countB;
            rankSumB += (rank + ((t + 1) / 2)) * countB;
            tieTerm += (t * t * t) - t;
            rank += t;
        }

        return (rankSumB, tieTerm);
    }
}
