using System;
using System.Collections.Generic;

namespace RagMonitor.Cli.Analysis;

/// <summary>p50/p95 (and mean, stage sums) per time bucket and per stage, with the request total as the series <c>total</c>.</summary>
internal sealed class TrendAnalysis
{
    /// <summary>The series name of the request total time.</summary>
    internal const string TotalSeries = "total";

    /// <summary>Above this many buckets the scan stops with a message asking for a larger bucket.</summary>
    internal const int MaxBuckets = 20_000;

    private const int ExactLimitPerBucket = TrendBucket.ExactLimit;

    private readonly Dictionary<long, TrendBucket> _buckets = new();
    private readonly HashSet<string>? _stageFilter;
    private readonly List<string> _seriesOrder = new();
    private readonly HashSet<string> _seenSeries = new(StringComparer.Ordinal);

    internal TrendAnalysis(TimeSpan bucketSize, IReadOnlyCollection<string>? stages)
    {
        if (bucketSize <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(bucketSize));
        }

        BucketSize = bucketSize;
        _stageFilter = stages is { Count: > 0 } ? new HashSet<string>(stages, StringComparer.Ordinal) : null;
        if (_stageFilter is null || _stageFilter.Contains(TotalSeries))
        {
            _seriesOrder.Add(TotalSeries);
            _seenSeries.Add(TotalSeries);
        }
    }

    internal TimeSpan BucketSize { get; }

    /// <summary>Series names: <c>total</c> first (unless filtered out), then stages in order of first appearance.</summary>
    internal IReadOnlyList<string> Series => _seriesOrder;

    /// <summary>The buckets that hold records (<see cref="Buckets"/> also counts the empty ones between them).</summary>
    internal int FilledBucketCount => _buckets.Count;

    internal void Add(PerformanceLogEntry entry)
    {
        long key = Math.DivRem(entry.Timestamp.UtcTicks, BucketSize.Ticks, out long remainder);
        if (remainder < 0)
        {
            key--;
        }

        if (!_buckets.TryGetValue(key, out TrendBucket? bucket))
        {
            if (_buckets.Count >= MaxBuckets)
            {
                throw new CliException($"more than {MaxBuckets} time buckets: use a larger --bucket (for example 1h or 1d)");
            }

            bucket = new TrendBucket(new DateTimeOffset(key * BucketSize.Ticks, TimeSpan.Zero));
            _buckets.Add(key, bucket);
        }

        bucket.Requests++;
        if (_stageFilter is null || _stageFilter.Contains(TotalSeries))
        {
            bucket.Get(TotalSeries, ExactLimitPerBucket).Add(entry.TotalTimeSeconds);
        }

        foreach (ref readonly LogStageEntry stage in entry.Stages)
        {
            if (_stageFilter is not null && !_stageFilter.Contains(stage.Name))
            {
                continue;
            }

            if (_seenSeries.Add(stage.Name))
            {
                _seriesOrder.Add(stage.Name);
            }

            bucket.Get(stage.Name, ExactLimitPerBucket).Add(stage.DurationSeconds);
        }
    }

    /// <summary>Adds another trend (of a later chunk of the logs, same bucket size and filter) to this one.</summary>
    internal void Merge(TrendAnalysis other)
    {
        foreach (string series in other._seriesOrder)
        {
            if (_seenSeries.Add(series))
            {
                _seriesOrder.Add(series);
            }
        }

        foreach (KeyValuePair<long, TrendBucket> pair in other._buckets)
        {
            if (!_buckets.TryGetValue(pair.Key, out TrendBucket? bucket))
            {
                if (_buckets.Count >= MaxBuckets)
                {
                    throw new CliException($"more than {MaxBuckets} time buckets: use a larger --bucket (for example 1h or 1d)");
                }

                bucket = new TrendBucket(pair.Value.Start);
                _buckets.Add(pair.Key, bucket);
            }

            bucket.Merge(pair.Value);
        }
    }

    /// <summary>Buckets in time order, including empty ones between the first and the last.</summary>
    internal IReadOnlyList<TrendBucket> Buckets()
    {
        var keys = new List<long>(_buckets.Keys);
        keys.Sort();
        var result = new List<TrendBucket>();
        if (keys.Count == 0)
        {
            return result;
        }

        for (long key = keys[0]; key <= keys[^1]; key++)
        {
            result.Add(_buckets.TryGetValue(key, out TrendBucket? bucket) ? bucket : new TrendBucket(new DateTimeOffset(key * BucketSize.Ticks, TimeSpan.Zero)));
        }

        return result;
    }

    /// <summary>The fewest buckets an automatic bucket aims for when there are at least as many records.</summary>
    internal const int MinAutoBuckets = 60;

    /// <summary>The most buckets an automatic bucket gives.</summary>
    internal const int MaxAutoBuckets = 120;

    /// <summary>
    /// The sizes an automatic bucket is chosen from: round sizes, each at most twice the one before, so that the
    /// smallest size with at most 120 buckets over a span gives at least 60 (when the span allows).
    /// </summary>
    internal static readonly TimeSpan[] AutoBucketSizes = BuildAutoBucketSizes();

    /// <summary>
    /// The automatic bucket for records from <paramref name="first"/> to <paramref name="last"/>: the smallest size in
    /// <see cref="AutoBucketSizes"/> that gives at most 120 buckets — 60 to 120 for a span that is not tiny — or, for fewer
    /// records than 60, at most one bucket per record, so a handful of records is drawn one point each.
    /// </summary>
    internal static TimeSpan ChooseAutoBucket(DateTimeOffset first, DateTimeOffset last, long records)
    {
        long maxBuckets = records < MinAutoBuckets ? Math.Max(1, records) : MaxAutoBuckets;
        foreach (TimeSpan size in AutoBucketSizes)
        {
            if (BucketsBetween(first, last, size) <= maxBuckets)
            {
                return size;
            }
        }

        return AutoBucketSizes[^1];
    }

    /// <summary>Whether <paramref name="size"/>, chosen before the records were read, is also right for them: the size <see cref="ChooseAutoBucket"/> gives, or 60–120 buckets.</summary>
    internal static bool FitsAutoBucket(TimeSpan size, DateTimeOffset first, DateTimeOffset last, long records)
    {
        if (size == ChooseAutoBucket(first, last, records))
        {
            return true;
        }

        long count = BucketsBetween(first, last, size);
        return records >= MinAutoBuckets && count is >= MinAutoBuckets and <= MaxAutoBuckets;
    }

    /// <summary>The number of buckets of <paramref name="size"/> from the one holding <paramref name="first"/> to the one holding <paramref name="last"/>.</summary>
    internal static long BucketsBetween(DateTimeOffset first, DateTimeOffset last, TimeSpan size)
        => Math.Max(1, BucketKey(last.UtcTicks, size.Ticks) - BucketKey(first.UtcTicks, size.Ticks) + 1);

    private static long BucketKey(long ticks, long size)
    {
        long key = Math.DivRem(ticks, size, out long remainder);
        return remainder < 0 ? key - 1 : key;
    }

    private static TimeSpan[] BuildAutoBucketSizes()
    {
        var sizes = new List<TimeSpan>();
        foreach (int ms in new[] { 1, 2, 4, 5, 10, 20, 25, 50, 100, 200, 250, 500 })
        {
            sizes.Add(TimeSpan.FromMilliseconds(ms));
        }

        foreach (int s in new[] { 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 })
        {
            sizes.Add(TimeSpan.FromSeconds(s));
        }

        foreach (int m in new[] { 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 })
        {
            sizes.Add(TimeSpan.FromMinutes(m));
        }

        foreach (int h in new[] { 1, 2, 3, 4, 6, 8, 12 })
        {
            sizes.Add(TimeSpan.FromHours(h));
        }

        foreach (int d in new[] { 1, 2, 3, 4, 5, 7, 10, 14, 21, 28 })
        {
            sizes.Add(TimeSpan.FromDays(d));
        }

        for (int weeks = 8; weeks <= 8 * 512; weeks *= 2)
        {
            sizes.Add(TimeSpan.FromDays(7 * weeks));
        }

        return sizes.ToArray();
    }
}

/// <summary>One time bucket of a <see cref="TrendAnalysis"/>.</summary>
internal sealed class TrendBucket
{
    private readonly Dictionary<string, DurationSketch> _series = new(StringComparer.Ordinal);

    internal TrendBucket(DateTimeOffset start) => Start = start;

    internal DateTimeOffset Start { get; }

    internal long Requests { get; set; }

    internal DurationSketch? Find(string series) => _series.GetValueOrDefault(series);

    internal void Merge(TrendBucket other)
    {
        Requests += other.Requests;
        foreach (KeyValuePair<string, DurationSketch> pair in other._series)
        {
            Get(pair.Key, ExactLimit).Merge(pair.Value);
        }
    }

    /// <summary>The exact limit of bucket sketches created by merges.</summary>
    internal const int ExactLimit = 2_048;

    internal DurationSketch Get(string series, int exactLimit)
    {
        if (!_series.TryGetValue(series, out DurationSketch? sketch))
        {
            sketch = new DurationSketch(exactLimit);
            _series.Add(series, sketch);
        }

        return sketch;
    }
}
