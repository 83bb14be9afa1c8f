using System;
using System.Collections.Generic;
using System.Numerics;
using System.Threading;

namespace RagMonitor;

/// <summary>
/// A bounded, thread-safe histogram of durations with log-linear buckets: percentiles within
/// <see cref="MaxRelativeError"/> (0.79 %) of the exact value, in constant memory however many values
/// are recorded.
/// </summary>
/// <remarks>
/// <para>
/// Values are kept in units of <see cref="TimeSpan.Ticks"/> (100 ns). Durations below 12.8 µs
/// (128 ticks) are counted exactly; above that, every power of two is split into 64 equal buckets,
/// so a bucket is never wider than 1/64 of its lower bound. Durations up to
/// <see cref="HighestTrackableValue"/> (about 7.6 hours) are bucketed; longer ones go to one overflow
/// bucket (they still count in <see cref="Count"/>, <see cref="Total"/>, <see cref="Mean"/> and
/// <see cref="Max"/>, and a percentile that falls among them reports <see cref="Max"/>). Negative
/// durations are recorded as zero.
/// </para>
/// <para>
/// Memory: bucket arrays are allocated per power of two on first use, at most
/// <see cref="BucketCount"/> counters (about 17 KiB) in all; after that, recording never allocates.
/// </para>
/// <para>
/// Thread safety: <see cref="Record(TimeSpan)"/> is lock-free (a few <see cref="Interlocked"/>
/// operations) and may be called from any number of threads. Reads, <see cref="Merge(DurationHistogram)"/>
/// and <see cref="Reset"/> are safe to call concurrently with recording but are not atomic snapshots:
/// a value recorded at the same moment may or may not be included.
/// </para>
/// <para>
/// Percentiles use the nearest-rank definition: <c>GetPercentile(p)</c> is (within the error bound) the
/// smallest recorded value such that at least <c>p</c> % of the values are less than or equal to it,
/// that is the value of rank <c>ceil(p / 100 × Count)</c> (at least 1) in sorted order. The result is
/// the middle of that value's bucket, clamped to [<see cref="Min"/>, <see cref="Max"/>], which are exact.
/// </para>
/// </remarks>
public sealed class DurationHistogram
{
    /// <summary>Sub-buckets per power of two (2^6); also the lowest value (in ticks) of chunk 1 is 2 × this.</summary>
    private const int SubBucketBits = 6;
    private const int SubBucketCount = 1 << SubBucketBits;          // 64
    private const int ExactLimit = SubBucketCount * 2;              // 128 ticks: values below are exact
    private const int ChunkCount = 32;                              // chunk 0 (exact) + 31 powers of two
    private const long OverflowThreshold = (long)ExactLimit << (ChunkCount - 1); // 2^38 ticks

    /// <summary>The largest relative error of a reported percentile: 1/128 (0.78125 %).</summary>
    public const double MaxRelativeError = 1.0 / (2 * SubBucketCount);

    /// <summary>The number of counters (buckets, including the overflow bucket) a histogram can ever hold: 2,113.</summary>
    public const int BucketCount = ExactLimit + (ChunkCount - 1) * SubBucketCount + 1;

    /// <summary>The largest duration kept in a regular bucket (2^38 − 1 ticks, about 7 h 38 min); longer durations go to the overflow bucket.</summary>
    public static readonly TimeSpan HighestTrackableValue = TimeSpan.FromTicks(OverflowThreshold - 1);

    private readonly long[]?[] _chunks = new long[]?[ChunkCount];
    private long _overflow;
    private long _totalTicks;
    private long _minTicks = long.MaxValue;
    private long _maxTicks = -1;

    /// <summary>Creates an empty histogram.</summary>
    public DurationHistogram()
    {
    }

    /// <summary>How many values were recorded (summed from the buckets, so it always agrees with the percentiles).</summary>
    public long Count
    {
        get
        {
            var total = Volatile.Read(ref _overflow);
            for (var k = 0; k < ChunkCount; k++)
            {
                if (Volatile.Read(ref _chunks[k]) is { } chunk)
                {
                    for (var i = 0; i < chunk.Length; i++)
                    {
                        total += Volatile.Read(ref chunk[i]);
                    }
                }
            }

            return total;
        }
    }

    /// <summary>The sum of the recorded values (exact, not bucketed).</summary>
    public TimeSpan Total => TimeSpan.FromTicks(Volatile.Read(ref _totalTicks));

    /// <summary>The mean of the recorded values (exact up to 100 ns), or <see cref="TimeSpan.Zero"/> when empty.</summary>
    public TimeSpan Mean
    {
        get
        {
            var count = Count;
            return count == 0 ? TimeSpan.Zero : TimeSpan.FromTicks((long)Math.Round((double)Volatile.Read(ref _totalTicks) / count));
        }
    }

    /// <summary>The smallest recorded value (exact), or <see cref="TimeSpan.Zero"/> when empty.</summary>
    public TimeSpan Min
    {
        get
        {
            var min = Volatile.Read(ref _minTicks);
            return min == long.MaxValue ? TimeSpan.Zero : TimeSpan.FromTicks(min);
        }
    }

    /// <summary>The largest recorded value (exact), or <see cref="TimeSpan.Zero"/> when empty.</summary>
    public TimeSpan Max
    {
        get
        {
            var max = Volatile.Read(ref _maxTicks);
            return max < 0 ? TimeSpan.Zero : TimeSpan.FromTicks(max);
        }
    }

    /// <summary>How many values were longer than <see cref="HighestTrackableValue"/>.</summary>
    public long OverflowCount => Volatile.Read(ref _overflow);

    /// <summary>How many counters are allocated now (grows with the range of values seen, never beyond <see cref="BucketCount"/>).</summary>
    internal int AllocatedBucketCount
    {
        get
        {
            var n = 1;
            for (var k = 0; k < ChunkCount; k++)
            {
                if (Volatile.Read(ref _chunks[k]) is { } chunk)
                {
                    n += chunk.Length;
                }
            }

            return n;
        }
    }

    /// <summary>Records one duration. Lock-free; allocates only the first time a power-of-two range is used.</summary>
    public void Record(TimeSpan duration) => RecordTicks(duration.Ticks);

    /// <summary>Records <paramref name="count"/> occurrences of one duration (a count of 0 does nothing).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void Record(TimeSpan duration, long count)
    {
        if (count < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The count must not be negative.");
        }

        if (count == 0)
        {
            return;
        }

        var ticks = Math.Max(0, duration.Ticks);
        ref var counter = ref CounterFor(ticks);
        Interlocked.Add(ref counter, count);
        Interlocked.Add(ref _totalTicks, ticks * count);
        UpdateMin(ticks);
        UpdateMax(ticks);
    }

    /// <summary>Records one duration given in <see cref="TimeSpan"/> ticks (100 ns).</summary>
    internal void RecordTicks(long ticks)
    {
        if (ticks < 0)
        {
            ticks = 0;
        }

        Interlocked.Increment(ref CounterFor(ticks));
        Interlocked.Add(ref _totalTicks, ticks);
        if (ticks < Volatile.Read(ref _minTicks))
        {
            UpdateMin(ticks);
        }

        if (ticks > Volatile.Read(ref _maxTicks))
        {
            UpdateMax(ticks);
        }
    }

    /// <summary>
    /// The duration at percentile <paramref name="percentile"/> (0–100; nearest rank, see the remarks of
    /// <see cref="DurationHistogram"/>), within <see cref="MaxRelativeError"/> of the exact value;
    /// <see cref="TimeSpan.Zero"/> when the histogram is empty.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> is not between 0 and 100.</exception>
    public TimeSpan GetPercentile(double percentile)
    {
        if (double.IsNaN(percentile) || percentile < 0 || percentile > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must be between 0 and 100.");
        }

        return TimeSpan.FromTicks(GetPercentileTicks(percentile));
    }

    /// <summary>
    /// How many recorded values are at most <paramref name="value"/>, to bucket precision: a value counts
    /// when the value its bucket reports (as <see cref="GetPercentile(double)"/> would) is at most
    /// <paramref name="value"/>. Exact below 12.8 µs. Useful for cumulative exports such as Prometheus' <c>le</c> buckets.
    /// </summary>
    public long GetCountAtOrBelow(TimeSpan value)
    {
        var limit = value.Ticks;
        if (limit < 0)
        {
            return 0;
        }

        long n = 0;
        for (var k = 0; k < ChunkCount; k++)
        {
            if (Volatile.Read(ref _chunks[k]) is not { } chunk)
            {
                continue;
            }

            for (var i = 0; i < chunk.Length; i++)
            {
                if (RepresentativeTicks(k, i) > limit)
                {
                    return n;
                }

                n += Volatile.Read(ref chunk[i]);
            }
        }

        var overflow = Volatile.Read(ref _overflow);
        if (overflow > 0 && Volatile.Read(ref _maxTicks) <= limit)
        {
            n += overflow;
        }

        return n;
    }

    /// <summary>The non-empty buckets in ascending order (the overflow bucket last, with <see cref="HistogramBucket.UpperBound"/> <see cref="TimeSpan.MaxValue"/>).</summary>
    public IReadOnlyList<HistogramBucket> GetBuckets()
    {
        var list = new List<HistogramBucket>();
        for (var k = 0; k < ChunkCount; k++)
        {
            if (Volatile.Read(ref _chunks[k]) is not { } chunk)
            {
                continue;
            }

            for (var i = 0; i < chunk.Length; i++)
            {
                var c = Volatile.Read(ref chunk[i]);
                if (c != 0)
                {
                    var lower = LowerTicks(k, i);
                    list.Add(new HistogramBucket(TimeSpan.FromTicks(lower), TimeSpan.FromTicks(lower + WidthTicks(k)), c));
                }
            }
        }

        var overflow = Volatile.Read(ref _overflow);
        if (overflow != 0)
        {
            list.Add(new HistogramBucket(TimeSpan.FromTicks(OverflowThreshold), TimeSpan.MaxValue, overflow));
        }

        return list;
    }

    /// <summary>Adds every value recorded in <paramref name="other"/> to this histogram. Safe while either is being recorded to.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    public void Merge(DurationHistogram other)
    {
        if (other is null)
        {
            throw new ArgumentNullException(nameof(other));
        }

        long added = 0;
        for (var k = 0; k < ChunkCount; k++)
        {
            if (Volatile.Read(ref other._chunks[k]) is not { } source)
            {
                continue;
            }

            long[]? target = null;
            for (var i = 0; i < source.Length; i++)
            {
                var c = Volatile.Read(ref source[i]);
                if (c != 0)
                {
                    target ??= Chunk(k);
                    Interlocked.Add(ref target[i], c);
                    added += c;
                }
            }
        }

        var overflow = Volatile.Read(ref other._overflow);
        if (overflow != 0)
        {
            Interlocked.Add(ref _overflow, overflow);
            added += overflow;
        }

        if (added == 0)
        {
            return;
        }

        Interlocked.Add(ref _totalTicks, Volatile.Read(ref other._totalTicks));
        var min = Volatile.Read(ref other._minTicks);
        if (min != long.MaxValue)
        {
            UpdateMin(min);
        }

        var max = Volatile.Read(ref other._maxTicks);
        if (max >= 0)
        {
            UpdateMax(max);
        }
    }

    /// <summary>Removes every recorded value (keeps the bucket arrays, so recording again does not allocate).</summary>
    public void Reset()
    {
        for (var k = 0; k < ChunkCount; k++)
        {
            if (Volatile.Read(ref _chunks[k]) is { } chunk)
            {
                Array.Clear(chunk, 0, chunk.Length);
            }
        }

        Volatile.Write(ref _overflow, 0);
        Volatile.Write(ref _totalTicks, 0);
        Volatile.Write(ref _minTicks, long.MaxValue);
        Volatile.Write(ref _maxTicks, -1);
    }

    /// <summary>A copy of this histogram.</summary>
    public DurationHistogram Clone()
    {
        var copy = new DurationHistogram();
        copy.Merge(this);
        return copy;
    }

    /// <summary>A short description: count, mean, p50, p95, p99 and max.</summary>
    public override string ToString() =>
        $"count {Count}, mean {StatisticsFormat.Duration(Mean)}, p50 {StatisticsFormat.Duration(GetPercentile(50))}, " +
        $"p95 {StatisticsFormat.Duration(GetPercentile(95))}, p99 {StatisticsFormat.Duration(GetPercentile(99))}, max {StatisticsFormat.Duration(Max)}";

    /// <summary>
    /// Moves everything from this histogram into <paramref name="target"/>, leaving this one empty. Each
    /// counter is exchanged atomically, so a value recorded concurrently ends up in exactly one of the two.
    /// The caller must not run two moves, or a move and a <see cref="Reset"/>, on the same histogram at once.
    /// </summary>
    internal void MoveTo(DurationHistogram target)
    {
        for (var k = 0; k < ChunkCount; k++)
        {
            if (Volatile.Read(ref _chunks[k]) is not { } source)
            {
                continue;
            }

            long[]? chunk = null;
            for (var i = 0; i < source.Length; i++)
            {
                if (Volatile.Read(ref source[i]) != 0)
                {
                    var c = Interlocked.Exchange(ref source[i], 0);
                    chunk ??= target.Chunk(k);
                    Interlocked.Add(ref chunk[i], c);
                }
            }
        }

        if (Volatile.Read(ref _overflow) != 0)
        {
            Interlocked.Add(ref target._overflow, Interlocked.Exchange(ref _overflow, 0));
        }

        Interlocked.Add(ref target._totalTicks, Interlocked.Exchange(ref _totalTicks, 0));
        var min = Interlocked.Exchange(ref _minTicks, long.MaxValue);
        if (min != long.MaxValue)
        {
            target.UpdateMin(min);
        }

        var max = Interlocked.Exchange(ref _maxTicks, -1);
        if (max >= 0)
        {
            target.UpdateMax(max);
        }
    }

    /// <summary>Adds this histogram's contents to <paramref name="target"/>, which only the caller uses (plain additions, no atomics).</summary>
    internal void AddToPrivate(DurationHistogram target)
    {
        long added = 0;
        for (var k = 0; k < ChunkCount; k++)
        {
            if (Volatile.Read(ref _chunks[k]) is not { } source)
            {
                continue;
            }

            var chunk = target._chunks[k] ??= new long[k == 0 ? ExactLimit : SubBucketCount];
            for (var i = 0; i < source.Length; i++)
            {
                var c = Volatile.Read(ref source[i]);
                chunk[i] += c;
                added += c;
            }
        }

        var overflow = Volatile.Read(ref _overflow);
        target._overflow += overflow;
        added += overflow;
        if (added == 0)
        {
            return;
        }

        target._totalTicks += Volatile.Read(ref _totalTicks);
        target._minTicks = Math.Min(target._minTicks, Volatile.Read(ref _minTicks));
        target._maxTicks = Math.Max(target._maxTicks, Volatile.Read(ref _maxTicks));
    }

    /// <summary>The percentile in ticks (see <see cref="GetPercentile(double)"/>); the argument is not checked.</summary>
    internal long GetPercentileTicks(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }

        // decimal keeps ranks such as 99.9 % of 1,000 exact (990 / 999), where double may land one ulp above.
        var rank = (long)Math.Ceiling((decimal)percentile * total / 100m);
        if (rank < 1)
        {
            rank = 1;
        }

        var min = Volatile.Read(ref _minTicks);
        var max = Volatile.Read(ref _maxTicks);
        long seen = 0;
        for (var k = 0; k < ChunkCount; k++)
        {
            if (Volatile.Read(ref _chunks[k]) is not { } chunk)
            {
                continue;
            }

            for (var i = 0; i < chunk.Length; i++)
            {
                seen += Volatile.Read(ref chunk[i]);
                if (seen >= rank)
                {
                    var value = RepresentativeTicks(k, i);
                    if (max >= 0 && value > max)
                    {
                        value = max;
                    }

                    if (value < min)
                    {
                        value = min;
                    }

                    return value;
                }
            }
        }

        // The rank falls among the overflowed values (or the histogram was reset meanwhile).
        return Math.Max(0, max);
    }

    private ref long CounterFor(long ticks)
    {
        if (ticks < ExactLimit)
        {
            return ref Chunk(0)[ticks];
        }

        if (ticks >= OverflowThreshold)
        {
            return ref _overflow;
        }

        // ticks >= 128, so the highest set bit is at least 7; chunk k holds [64·2^k, 128·2^k).
        var k = 63 - BitOperations.LeadingZeroCount((ulong)ticks) - SubBucketBits;
        return ref Chunk(k)[(ticks >> k) - SubBucketCount];
    }

    private long[] Chunk(int k)
    {
        var chunk = Volatile.Read(ref _chunks[k]);
        if (chunk is not null)
        {
            return chunk;
        }

        var created = new long[k == 0 ? ExactLimit : SubBucketCount];
        return Interlocked.CompareExchange(ref _chunks[k], created, null) ?? created;
    }

    private static long LowerTicks(int k, int i) => k == 0 ? i : (long)(SubBucketCount + i) << k;

    private static long WidthTicks(int k) => k == 0 ? 1 : 1L << k;

    /// <summary>The value reported for bucket (k, i): its lower bound plus half its width (at most 1/128 above or below any value in it).</summary>
    private static long RepresentativeTicks(int k, int i) => k == 0 ? i : LowerTicks(k, i) + (1L << (k - 1));

    private void UpdateMin(long ticks)
    {
        var current = Volatile.Read(ref _minTicks);
        while (ticks < current)
        {
            var previous = Interlocked.CompareExchange(ref _minTicks, ticks, current);
            if (previous == current)
            {
                return;
            }

            current = previous;
        }
    }

    private void UpdateMax(long ticks)
    {
        var current = Volatile.Read(ref _maxTicks);
        while (ticks > current)
        {
            var previous = Interlocked.CompareExchange(ref _maxTicks, ticks, current);
            if (previous == current)
            {
                return;
            }

            current = previous;
        }
    }
}

/// <summary>One bucket of a <see cref="DurationHistogram"/>: the values in [<see cref="LowerBound"/>, <see cref="UpperBound"/>).</summary>
public readonly struct HistogramBucket : IEquatable<HistogramBucket>
{
    /// <summary>Creates a bucket.</summary>
    public HistogramBucket(TimeSpan lowerBound, TimeSpan upperBound, long count)
    {
        LowerBound = lowerBound;
        UpperBound = upperBound;
        Count = count;
    }

    /// <summary>The smallest duration in the bucket (inclusive).</summary>
    public TimeSpan LowerBound { get; }

    /// <summary>The end of the bucket (exclusive); <see cref="TimeSpan.MaxValue"/> for the overflow bucket.</summary>
    public TimeSpan UpperBound { get; }

    /// <summary>How many values fell in the bucket.</summary>
    public long Count { get; }

    /// <inheritdoc />
    public bool Equals(HistogramBucket other) => LowerBound == other.LowerBound && UpperBound == other.UpperBound && Count == other.Count;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is HistogramBucket other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(LowerBound, UpperBound, Count);

    /// <summary>Equality.</summary>
    public static bool operator ==(HistogramBucket left, HistogramBucket right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(HistogramBucket left, HistogramBucket right) => !left.Equals(right);

    /// <summary>Text such as <c>"[1.28 ms, 1.30 ms): 12"</c>.</summary>
    public override string ToString() =>
        $"[{StatisticsFormat.Duration(LowerBound)}, {(UpperBound == TimeSpan.MaxValue ? "∞" : StatisticsFormat.Duration(UpperBound))}): {Count}";
}
