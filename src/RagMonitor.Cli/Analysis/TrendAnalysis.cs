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

    internal int BucketCount => _buckets.Count;

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

    /// <summary>Picks a bucket size that gives at most <paramref name="maxBuckets"/> buckets over <paramref name="span"/>.</summary>
    internal static TimeSpan AutoBucket(TimeSpan span, int maxBuckets)
    {
        TimeSpan[] candidates =
        {
            TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30),
            TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12),
            TimeSpan.FromDays(1), TimeSpan.FromDays(7), TimeSpan.FromDays(30),
        };
        foreach (TimeSpan candidate in candidates)
        {
            if (span.Ticks / candidate.Ticks <= maxBuckets)
            {
                return candidate;
            }
        }

        return candidates[^1];
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
