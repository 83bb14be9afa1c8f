using System;
using System.Buffers;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace RagMonitor.Cli.Analysis;

/// <summary>
/// Durations (seconds) of one series: exact values up to a limit (exact percentiles for small inputs), then a
/// log-linear histogram in microseconds with 128 sub-buckets per power of two (a value's bucket is at most 0.78 %
/// wide, so a percentile read from it is within about 0.4 % of the true one). Count, sum, min and max stay exact.
/// Memory is bounded: the histogram allocates 1 KiB per power of two actually seen.
/// </summary>
/// <remarks>
/// Why not the core's <see cref="DurationHistogram"/> (issue 16 keeps one histogram unless a measured reason says two):
/// that one is lock-free for the live statistics many request threads record into; a scan adds every duration of every
/// line on one thread per chunk, where its atomics cost 3.6× (41 ns against 11 ns a value,
/// tests/RagMonitor.Benchmarks DurationAggregationBenchmarks); and <c>ragmon compare</c>'s rank test needs the exact
/// values (<see cref="SortedValues"/>), which a histogram does not keep.
/// </remarks>
internal sealed class DurationSketch
{
    internal const int DefaultExactLimit = 65_536;
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int Chunks = 48;
    private const int PooledSize = 1024;

    private readonly int _exactLimit;
    private double[]? _exact;
    private int _exactCount;
    private bool _exactPooled;
    private bool _sorted = true;
    private long[]?[]? _chunks;

    internal DurationSketch(int exactLimit = DefaultExactLimit)
    {
        _exactLimit = Math.Max(0, exactLimit);
        _exact = _exactLimit > 0 ? new double[Math.Min(16, _exactLimit)] : null;
        if (_exact is null)
        {
            _chunks = new long[]?[Chunks];
        }
    }

    internal long Count { get; private set; }

    internal double Sum { get; private set; }

    internal double Min { get; private set; } = double.PositiveInfinity;

    internal double Max { get; private set; } = double.NegativeInfinity;

    internal double Mean => Count == 0 ? double.NaN : Sum / Count;

    /// <summary>Whether every value is still held exactly.</summary>
    internal bool IsExact => _chunks is null;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Add(double seconds)
    {
        if (double.IsNaN(seconds))
        {
            return;
        }

        Count++;
        Sum += seconds;
        if (seconds < Min)
        {
            Min = seconds;
        }

        if (seconds > Max)
        {
            Max = seconds;
        }

        if (_chunks is null)
        {
            if (_exactCount < _exactLimit)
            {
                if (_exactCount == _exact!.Length)
                {
                    GrowExact(_exactCount + 1);
                }

                if (_sorted && _exactCount > 0 && seconds < _exact[_exactCount - 1])
                {
                    _sorted = false;
                }

                _exact[_exactCount++] = seconds;
                return;
            }

            SwitchToHistogram();
        }

        AddToHistogram(seconds, 1);
    }

    /// <summary>The <paramref name="q"/>-quantile (0–1): linear interpolation between closest ranks when exact, the bucket's midpoint (clamped to min/max) otherwise.</summary>
    internal double Quantile(double q)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        q = Math.Clamp(q, 0, 1);
        if (q == 0)
        {
            return Min;
        }

        if (q == 1)
        {
            return Max;
        }

        if (_chunks is null)
        {
            EnsureSorted();
            double h = (_exactCount - 1) * q;
            int lo = (int)Math.Floor(h);
            int hi = Math.Min(lo + 1, _exactCount - 1);
            return _exact![lo] + ((h - lo) * (_exact[hi] - _exact[lo]));
        }

        double rank = q * (Count - 1);
        long seen = 0;
        foreach ((int index, long count) in Buckets())
        {
            seen += count;
            if (seen > rank)
            {
                return Math.Clamp(BucketMidpoint(index), Min, Max);
            }
        }

        return Max;
    }

    internal void Merge(DurationSketch other)
    {
        if (other.Count == 0)
        {
            return;
        }

        Count += other.Count;
        Sum += other.Sum;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
        if (_chunks is null && other._chunks is null && _exactCount + other._exactCount <= _exactLimit)
        {
            if (_exact!.Length < _exactCount + other._exactCount)
            {
                GrowExact(_exactCount + other._exactCount);
            }

            Array.Copy(other._exact!, 0, _exact, _exactCount, other._exactCount);
            _exactCount += other._exactCount;
            _sorted = false;
            return;
        }

        if (_chunks is null)
        {
            SwitchToHistogram();
        }

        if (other._chunks is null)
        {
            for (int i = 0; i < other._exactCount; i++)
            {
                AddToHistogram(other._exact![i], 1);
            }

            return;
        }

        foreach ((int index, long count) in other.Buckets())
        {
            _chunks![index >> SubBucketBits] ??= new long[SubBuckets];
            _chunks[index >> SubBucketBits]![index & (SubBuckets - 1)] += count;
        }
    }

    /// <summary>The exact values in ascending order (only when <see cref="IsExact"/>).</summary>
    internal ReadOnlySpan<double> SortedValues()
    {
        if (_chunks is not null)
        {
            throw new InvalidOperationException("The sketch is no longer exact.");
        }

        EnsureSorted();
        return new ReadOnlySpan<double>(_exact, 0, _exactCount);
    }

    /// <summary>Non-empty histogram buckets in ascending order; exact values are bucketed on the fly.</summary>
    internal IEnumerable<(int Index, long Count)> Buckets()
    {
        if (_chunks is null)
        {
            var counts = new SortedDictionary<int, long>();
            for (int i = 0; i < _exactCount; i++)
            {
                int index = BucketIndex(_exact![i]);
                counts[index] = counts.TryGetValue(index, out long c) ? c + 1 : 1;
            }

            foreach (KeyValuePair<int, long> pair in counts)
            {
                yield return (pair.Key, pair.Value);
            }

            yield break;
        }

        for (int chunk = 0; chunk < Chunks; chunk++)
        {
            long[]? counts = _chunks[chunk];
            if (counts is null)
            {
                continue;
            }

            for (int sub = 0; sub < SubBuckets; sub++)
            {
                if (counts[sub] != 0)
                {
                    yield return ((chunk << SubBucketBits) | sub, counts[sub]);
                }
            }
        }
    }

    /// <summary>The histogram bucket of a duration in seconds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int BucketIndex(double seconds)
    {
        double micros = seconds * 1e6;
        if (!(micros >= 0))
        {
            return 0;
        }

        long v = micros >= 9e18 ? long.MaxValue : (long)micros;
        if (v < SubBuckets)
        {
            return (int)v;
        }

        int exponent = BitOperations.Log2((ulong)v);
        int chunk = exponent - SubBucketBits + 1;
        if (chunk >= Chunks)
        {
            return (Chunks << SubBucketBits) - 1;
        }

        int sub = (int)(v >> (exponent - SubBucketBits)) - SubBuckets;
        return (chunk << SubBucketBits) | sub;
    }

    /// <summary>The midpoint of a bucket in seconds.</summary>
    internal static double BucketMidpoint(int index)
    {
        int chunk = index >> SubBucketBits;
        int sub = index & (SubBuckets - 1);
        if (chunk == 0)
        {
            return (sub + 0.5) / 1e6;
        }

        double width = Math.Pow(2, chunk - 1);
        double lower = (SubBuckets + sub) * width;
        return (lower + (width / 2)) / 1e6;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddToHistogram(double seconds, long count)
    {
        int index = BucketIndex(seconds);
        long[]? chunk = _chunks![index >> SubBucketBits] ??= new long[SubBuckets];
        chunk[index & (SubBuckets - 1)] += count;
    }

    private void SwitchToHistogram()
    {
        _chunks = new long[]?[Chunks];
        for (int i = 0; i < _exactCount; i++)
        {
            AddToHistogram(_exact![i], 1);
        }

        ReturnExact();
        _exactCount = 0;
    }

    /// <summary>
    /// Gives the buffer of exact values back to the pool: for a sketch that has been merged into another and is
    /// dropped (a chunk's state in a parallel scan). The sketch must not be used afterwards.
    /// </summary>
    internal void Recycle()
    {
        ReturnExact();
        _exactCount = 0;
    }

    /// <summary>
    /// Makes room for at least <paramref name="needed"/> exact values: doubling, at most the limit (unless more are
    /// needed), in buffers from <see cref="ArrayPool{T}.Shared"/> once they are large, so that the many sketches of
    /// a parallel scan reuse memory instead of touching fresh pages.
    /// </summary>
    private void GrowExact(int needed)
    {
        int size = (int)Math.Max(needed, Math.Min((long)_exact!.Length * 2, _exactLimit));
        bool pooled = size >= PooledSize;
        double[] larger = pooled ? ArrayPool<double>.Shared.Rent(size) : new double[size];
        Array.Copy(_exact, larger, _exactCount);
        ReturnExact();
        _exact = larger;
        _exactPooled = pooled;
    }

    private void ReturnExact()
    {
        if (_exactPooled && _exact is not null)
        {
            ArrayPool<double>.Shared.Return(_exact);
        }

        _exact = null;
        _exactPooled = false;
    }

    private void EnsureSorted()
    {
        if (!_sorted)
        {
            Array.Sort(_exact!, 0, _exactCount);
            _sorted = true;
        }
    }
}
