using System;
using System.Collections.Generic;
using System.Threading;

namespace RagMonitor;

/// <summary>
/// The figures of one finished request, copied from its <see cref="RequestState"/> when it ends: what the live
/// statistics, the bottleneck rules and the JSONL writer need, without building a <see cref="RequestSummary"/> on
/// the request's thread. It is the one kind of item a <see cref="JsonlSink"/> queues. Records are pooled
/// (<see cref="CompletedRequestPool"/>): the sink's writer formats one and hands it back, so a queued request keeps no
/// young objects alive for the collector to copy.
/// </summary>
internal sealed class CompletedRequest
{
    private CompletedStage[] _stages = new CompletedStage[4];

    internal CompletedRequest(CompletedRequestPool? pool)
    {
        Pool = pool;
    }

    /// <summary>The pool this record returns to; <see langword="null"/> for a record that carries a <see cref="Summary"/>.</summary>
    internal CompletedRequestPool? Pool { get; }

    /// <summary>
    /// A summary given to <see cref="JsonlSink.TryEnqueue(RequestSummary)"/> (the public sink API): the record carries it
    /// unchanged and the writer formats it as it is; the figures below are then unused.
    /// </summary>
    internal RequestSummary? Summary { get; private init; }

    /// <summary>A record (not pooled) that carries <paramref name="summary"/> to the writer.</summary>
    internal static CompletedRequest Carrying(RequestSummary summary) => new(null) { Summary = summary };

    internal string RequestName = string.Empty;

    /// <summary>The request id when it was given or already materialised; else <see cref="GeneratedId"/> is formatted on demand.</summary>
    internal string? RequestId;

    /// <summary>The counter value of a generated id (see <see cref="PerformanceMonitor.FormatGeneratedId(ulong)"/>).</summary>
    internal ulong GeneratedId;

    internal DateTimeOffset StartTime;

    internal TimeSpan TotalTime;

    internal OperationStatus Status;

    internal string? ErrorType;

    internal long? AllocatedBytes;

    internal int? GcCollections;

    internal int StageCount;

    internal int BottleneckCount;

    /// <summary>The stages, ordered by first start; the first <see cref="StageCount"/> entries are valid.</summary>
    internal Span<CompletedStage> Stages => new(_stages, 0, StageCount);

    /// <summary>Makes room for <paramref name="count"/> stages and sets <see cref="StageCount"/>.</summary>
    internal Span<CompletedStage> ResizeStages(int count)
    {
        if (_stages.Length < count)
        {
            _stages = new CompletedStage[Math.Max(count, _stages.Length * 2)];
        }

        StageCount = count;
        return new Span<CompletedStage>(_stages, 0, count);
    }

    /// <summary>The request id, formatting a generated one.</summary>
    internal string GetRequestId() => RequestId ?? PerformanceMonitor.FormatGeneratedId(GeneratedId);

    /// <summary>Builds the public summary of this record (the record stays valid).</summary>
    /// <param name="isCompleted">Whether the request has ended (<see langword="false"/> for an in-flight snapshot).</param>
    internal RequestSummary ToSummary(bool isCompleted = true)
    {
        var count = StageCount;
        var stages = count == 0 ? Array.Empty<StageSummary>() : new StageSummary[count];
        var bottlenecks = BottleneckCount == 0 ? Array.Empty<Bottleneck>() : new Bottleneck[BottleneckCount];
        var b = 0;
        for (var i = 0; i < count; i++)
        {
            ref var stage = ref _stages[i];
            stages[i] = new StageSummary(
                stage.Name,
                stage.Duration,
                stage.Calls,
                stage.Share,
                stage.Status,
                stage.ErrorType,
                (IReadOnlyList<KeyValuePair<string, MetadataValue>>?)stage.Metadata ?? Array.Empty<KeyValuePair<string, MetadataValue>>());
            if (stage.IsBottleneck && b < bottlenecks.Length)
            {
                bottlenecks[b++] = new Bottleneck(stage.Name, stage.Share, stage.BottleneckRule, stage.Duration, stage.BottleneckLimit);
            }
        }

        return new RequestSummary(RequestName, GetRequestId(), StartTime, TotalTime, Status, ErrorType, stages, bottlenecks, isCompleted, AllocatedBytes, GcCollections);
    }

    /// <summary>Drops the references this record holds and returns it to its pool (if it has one).</summary>
    internal void Release()
    {
        Clear();
        Pool?.Return(this);
    }

    /// <summary>Drops the references this record holds (before it goes back to its pool).</summary>
    internal void Clear()
    {
        for (var i = 0; i < StageCount; i++)
        {
            _stages[i] = default;
        }

        RequestName = string.Empty;
        RequestId = null;
        ErrorType = null;
        StageCount = 0;
        BottleneckCount = 0;
    }
}

/// <summary>One stage of a <see cref="CompletedRequest"/>.</summary>
internal struct CompletedStage
{
    internal string Name;
    internal TimeSpan Duration;
    internal int Calls;
    internal double Share;
    internal OperationStatus Status;
    internal string? ErrorType;

    /// <summary>The stage's metadata; the request is sealed when copied, so the list is no longer changed.</summary>
    internal List<KeyValuePair<string, MetadataValue>>? Metadata;

    internal bool IsBottleneck;
    internal BottleneckRule BottleneckRule;

    /// <summary>The threshold the bottleneck rule compared with (share, or milliseconds for the absolute and adaptive rules).</summary>
    internal double BottleneckLimit;
}

/// <summary>
/// A bounded pool of <see cref="CompletedRequest"/> records shared by a monitor's request threads (rent) and its
/// sink's writer (return). Holds at most <c>capacity</c> idle records, the same bound as the sink's queue. Both sides
/// work in batches so that the request threads and the writer, usually on different cores, rarely touch the shared
/// stack: a request thread takes up to <see cref="RentBatch"/> records at once into a thread-local cache, and the
/// writer returns what it formatted in one call per batch.
/// </summary>
internal sealed class CompletedRequestPool
{
    /// <summary>Records a request thread takes from the shared stack at once.</summary>
    internal const int RentBatch = 64;

    [ThreadStatic]
    private static CompletedRequestPool? s_threadCacheOwner;

    [ThreadStatic]
    private static CompletedRequest?[]? s_threadCache;

    [ThreadStatic]
    private static int s_threadCacheCount;

    private readonly int _capacity;
    private CompletedRequest?[] _items = new CompletedRequest?[16];
    private int _count;

    internal CompletedRequestPool(int capacity)
    {
        _capacity = Math.Max(1, capacity);
    }

    /// <summary>Idle records on the shared stack now (for tests; thread-local caches are not counted).</summary>
    internal int Count => Volatile.Read(ref _count);

    internal CompletedRequest Rent()
    {
        if (ReferenceEquals(s_threadCacheOwner, this) && s_threadCacheCount > 0)
        {
            var cache = s_threadCache!;
            var cached = cache[--s_threadCacheCount]!;
            cache[s_threadCacheCount] = null;
            return cached;
        }

        return RentSlow();
    }

    /// <summary>Returns one record (a request thread that did not queue it): into this thread's cache when it has room.</summary>
    internal void Return(CompletedRequest item)
    {
        if (ReferenceEquals(s_threadCacheOwner, this) && s_threadCacheCount < RentBatch)
        {
            s_threadCache![s_threadCacheCount++] = item;
            return;
        }

        lock (this)
        {
            Push(item);
        }
    }

    /// <summary>Returns a batch of records (the writer, after formatting them).</summary>
    internal void ReturnMany(List<CompletedRequest> items)
    {
        lock (this)
        {
            foreach (var item in items)
            {
                Push(item);
            }
        }
    }

    private CompletedRequest RentSlow()
    {
        if (s_threadCacheOwner is { } previous && !ReferenceEquals(previous, this) && s_threadCacheCount > 0)
        {
            // This thread now serves another monitor: give the cached records back to their own pool.
            var cache = s_threadCache!;
            lock (previous)
            {
                for (var i = 0; i < s_threadCacheCount; i++)
                {
                    previous.Push(cache[i]!);
                    cache[i] = null;
                }
            }
        }

        s_threadCacheOwner = this;
        s_threadCacheCount = 0;
        var target = s_threadCache ??= new CompletedRequest?[RentBatch];
        if (Volatile.Read(ref _count) == 0)
        {
            // Nothing idle (the writer still holds every record): do not contend for the lock to find that out.
            return new CompletedRequest(this);
        }

        var taken = 0;
        lock (this)
        {
            while (_count > 0 && taken < RentBatch)
            {
                target[taken++] = _items[--_count];
                _items[_count] = null;
            }
        }

        if (taken == 0)
        {
            return new CompletedRequest(this);
        }

        s_threadCacheCount = taken - 1;
        var item = target[taken - 1]!;
        target[taken - 1] = null;
        return item;
    }

    private void Push(CompletedRequest item)
    {
        if (_count >= _capacity)
        {
            return;
        }

        if (_count == _items.Length)
        {
            Array.Resize(ref _items, Math.Min(_capacity, _items.Length * 2));
        }

        _items[_count++] = item;
    }
}
