using System;
using System.Collections.Generic;
using System.Threading;

namespace RagMonitor;

/// <summary>
/// The stages and metadata of one request: the storage a running <see cref="RequestState"/> records into (under its lock),
/// and, once the request is sealed, the finished record itself with durations and shares: what the live statistics, the
/// bottleneck rules and the JSONL writer need, without building a <see cref="RequestSummary"/> on the request's thread. It
/// is the one kind of item a <see cref="JsonlSink"/> queues. Records are pooled (<see cref="CompletedRequestPool"/>): a
/// request rents one when it begins, hands it to the sink when it ends, and the sink's writer formats it and hands it
/// back, so neither a running nor a queued request allocates per stage or per metadata value, and a queued request keeps
/// no young objects alive for the collector to copy.
/// </summary>
internal sealed class CompletedRequest
{
    /// <summary>The most stage entries a record keeps room for once it goes back to its pool.</summary>
    internal const int MaxPooledStages = 16;

    /// <summary>The most metadata entries a record keeps room for once it goes back to its pool.</summary>
    internal const int MaxPooledMetadata = 64;

    private CompletedStage[] _stages;
    private KeyValuePair<string, MetadataValue>[] _metadata = Array.Empty<KeyValuePair<string, MetadataValue>>();

    /// <summary>For each entry of <see cref="_metadata"/>, the <see cref="CompletedStage.Order"/> of the stage it belongs to.</summary>
    private int[] _metadataStage = Array.Empty<int>();
    private int _metadataCount;

    internal CompletedRequest(CompletedRequestPool? pool)
    {
        Pool = pool;
        _stages = NewArray<CompletedStage>(4);
    }

    /// <summary>
    /// An array for this record. A pooled record's arrays live as long as its pool, so they are allocated on the pinned
    /// object heap, which the collector treats as its oldest generation: a record created while the writer has a backlog
    /// is not copied from generation to generation with its arrays (most of its bytes) while it waits in the queue.
    /// </summary>
    private T[] NewArray<T>(int length) => Pool is null ? new T[length] : GC.AllocateArray<T>(length, pinned: true);

    private void Grow<T>(ref T[] array, int length)
    {
        var grown = NewArray<T>(length);
        Array.Copy(array, grown, array.Length);
        array = grown;
    }

    /// <summary>The pool this record returns to; <see langword="null"/> for a record that carries a <see cref="Summary"/> or a snapshot.</summary>
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

    /// <summary>
    /// The stages: while the request runs, in recording order; once finished (<see cref="Finish"/>), ordered by first start.
    /// The first <see cref="StageCount"/> entries are valid.
    /// </summary>
    internal Span<CompletedStage> Stages => new(_stages, 0, StageCount);

    /// <summary>The arrays this record keeps (for tests).</summary>
    internal Array[] Arrays => new Array[] { _stages, _metadata, _metadataStage };

    /// <summary>The stage entries this record has room for (for tests).</summary>
    internal int StageCapacity => _stages.Length;

    /// <summary>The metadata entries this record has room for (for tests).</summary>
    internal int MetadataCapacity => _metadata.Length;

    /// <summary>Makes room for <paramref name="count"/> stages and sets <see cref="StageCount"/>.</summary>
    internal Span<CompletedStage> ResizeStages(int count)
    {
        if (_stages.Length < count)
        {
            _stages = NewArray<CompletedStage>(Math.Max(count, _stages.Length * 2));
        }

        StageCount = count;
        return new Span<CompletedStage>(_stages, 0, count);
    }

    /// <summary>A finished stage's metadata, in the order the keys were first added (valid after <see cref="Finish"/>).</summary>
    internal ReadOnlySpan<KeyValuePair<string, MetadataValue>> MetadataOf(in CompletedStage stage)
        => new(_metadata, stage.MetadataStart, stage.MetadataCount);

    /// <summary>
    /// The stage named <paramref name="name"/>, added (in its logged form, see <see cref="RecordNames.Limit"/>) when it is
    /// new; <paramref name="startTimestamp"/> lowers its first start.
    /// </summary>
    internal ref CompletedStage GetOrAddStage(string name, long startTimestamp)
    {
        var stages = _stages;
        var count = StageCount;
        for (var i = 0; i < count; i++)
        {
            ref var existing = ref stages[i];
            if (ReferenceEquals(existing.Name, name) || string.Equals(existing.Name, name, StringComparison.Ordinal))
            {
                if (startTimestamp < existing.FirstStartTimestamp)
                {
                    existing.FirstStartTimestamp = startTimestamp;
                }

                return ref existing;
            }
        }

        // A new stage name: bring it to its logged form (once per stage and request). A name that only differs from an
        // existing stage's in what that changes (length past the limit, lone surrogates) is that stage.
        var limited = RecordNames.Limit(name, PerformanceMonitorOptions.MaxNameLength);
        if (!ReferenceEquals(limited, name))
        {
            name = limited;
            for (var i = 0; i < count; i++)
            {
                ref var existing = ref stages[i];
                if (string.Equals(existing.Name, name, StringComparison.Ordinal))
                {
                    if (startTimestamp < existing.FirstStartTimestamp)
                    {
                        existing.FirstStartTimestamp = startTimestamp;
                    }

                    return ref existing;
                }
            }
        }

        if (count == stages.Length)
        {
            Grow(ref _stages, stages.Length * 2);
            stages = _stages;
        }

        ref var added = ref stages[count];
        added = default;
        added.Order = count;
        added.Name = name;
        added.FirstStartTimestamp = startTimestamp;
        StageCount = count + 1;
        return ref added;
    }

    /// <summary>
    /// Sets metadata of the stage whose <see cref="CompletedStage.Order"/> is <paramref name="stageOrder"/>; with
    /// <paramref name="accumulate"/>, an integer value is added to the integer already under the key (saturating), so
    /// counts sum over calls.
    /// </summary>
    internal void SetMetadata(int stageOrder, string key, MetadataValue value, bool accumulate)
    {
        var count = _metadataCount;
        for (var i = 0; i < count; i++)
        {
            if (_metadataStage[i] == stageOrder && string.Equals(_metadata[i].Key, key, StringComparison.Ordinal))
            {
                var existing = _metadata[i].Value;
                if (accumulate && existing.Kind == MetadataValueKind.Integer && value.Kind == MetadataValueKind.Integer)
                {
                    var sum = existing.IntegerValue + value.IntegerValue;
                    var overflowed = ((existing.IntegerValue ^ sum) & (value.IntegerValue ^ sum)) < 0;
                    value = MetadataValue.FromInteger(overflowed ? (value.IntegerValue < 0 ? long.MinValue : long.MaxValue) : sum);
                }

                _metadata[i] = new KeyValuePair<string, MetadataValue>(_metadata[i].Key, value);
                return;
            }
        }

        if (count == _metadata.Length)
        {
            var capacity = Math.Max(8, count * 2);
            Grow(ref _metadata, capacity);
            Grow(ref _metadataStage, capacity);
        }

        _metadata[count] = new KeyValuePair<string, MetadataValue>(key, value);
        _metadataStage[count] = stageOrder;
        _metadataCount = count + 1;
    }

    /// <summary>A copy of the metadata of the stage whose order is <paramref name="stageOrder"/>, or <see langword="null"/> when it has none.</summary>
    internal KeyValuePair<string, MetadataValue>[]? CopyMetadata(int stageOrder)
    {
        var found = 0;
        for (var i = 0; i < _metadataCount; i++)
        {
            if (_metadataStage[i] == stageOrder)
            {
                found++;
            }
        }

        if (found == 0)
        {
            return null;
        }

        var copy = new KeyValuePair<string, MetadataValue>[found];
        var next = 0;
        for (var i = 0; i < _metadataCount; i++)
        {
            if (_metadataStage[i] == stageOrder)
            {
                copy[next++] = _metadata[i];
            }
        }

        return copy;
    }

    /// <summary>Copies the stages and metadata recorded so far into <paramref name="target"/> (a snapshot of a running request).</summary>
    internal void CopyRecordingTo(CompletedRequest target)
    {
        var stages = target.ResizeStages(StageCount);
        new ReadOnlySpan<CompletedStage>(_stages, 0, StageCount).CopyTo(stages);
        if (_metadataCount > 0)
        {
            target._metadata = target.NewArray<KeyValuePair<string, MetadataValue>>(_metadataCount);
            target._metadataStage = target.NewArray<int>(_metadataCount);
            Array.Copy(_metadata, target._metadata, _metadataCount);
            Array.Copy(_metadataStage, target._metadataStage, _metadataCount);
        }

        target._metadataCount = _metadataCount;
    }

    /// <summary>
    /// Turns the recorded stages into the finished figures: durations and shares of <paramref name="totalTicks"/>, stages
    /// ordered by first start (then recording order), each stage's metadata made contiguous in that order.
    /// </summary>
    internal void Finish(PerformanceMonitor monitor, long totalTicks)
    {
        var count = StageCount;
        var stages = _stages;
        SortByFirstStart(stages, count);
        var metadataCount = _metadataCount;
        for (var i = 0; i < count; i++)
        {
            ref var stage = ref stages[i];
            stage.Duration = monitor.ToDuration(stage.ElapsedStopwatchTicks);
            stage.Share = RequestState.ShareOf(stage.ElapsedStopwatchTicks, totalTicks);
            stage.IsBottleneck = false;
            stage.MetadataStart = 0;
            stage.MetadataCount = 0;
        }

        if (metadataCount == 0)
        {
            return;
        }

        // Order the entries by the position of their stage (stable: keys keep the order they were added in). The entries
        // are few, and most requests add them stage after stage, which is already that order.
        var positions = _metadataStage;
        for (var j = 0; j < metadataCount; j++)
        {
            positions[j] = PositionOf(stages, count, positions[j]);
        }

        var pairs = _metadata;
        for (var j = 1; j < metadataCount; j++)
        {
            var position = positions[j];
            if (position >= positions[j - 1])
            {
                continue;
            }

            var pair = pairs[j];
            var k = j - 1;
            while (k >= 0 && positions[k] > position)
            {
                positions[k + 1] = positions[k];
                pairs[k + 1] = pairs[k];
                k--;
            }

            positions[k + 1] = position;
            pairs[k + 1] = pair;
        }

        for (var j = 0; j < metadataCount; j++)
        {
            ref var stage = ref stages[positions[j]];
            if (stage.MetadataCount == 0)
            {
                stage.MetadataStart = j;
            }

            stage.MetadataCount++;
        }

        // The positions replaced the stage orders: the record is finished and takes no more metadata.
        for (var i = 0; i < count; i++)
        {
            stages[i].Order = i;
        }

        static int PositionOf(CompletedStage[] stages, int count, int order)
        {
            for (var i = 0; i < count; i++)
            {
                if (stages[i].Order == order)
                {
                    return i;
                }
            }

            return 0;
        }
    }

    /// <summary>The request id, formatting a generated one.</summary>
    internal string GetRequestId() => RequestId ?? PerformanceMonitor.FormatGeneratedId(GeneratedId);

    /// <summary>Builds the public summary of this finished record (the record stays valid).</summary>
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
            var metadata = stage.MetadataCount == 0
                ? Array.Empty<KeyValuePair<string, MetadataValue>>()
                : MetadataOf(in stage).ToArray();
            stages[i] = new StageSummary(stage.Name, stage.Duration, stage.Calls, stage.Share, stage.Status, stage.ErrorType, metadata);
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
        Array.Clear(_stages, 0, StageCount);
        Array.Clear(_metadata, 0, _metadataCount);
        _metadataCount = 0;

        // A pooled record keeps its arrays for the next request, but not the room an unusually large one needed.
        if (_stages.Length > MaxPooledStages)
        {
            _stages = NewArray<CompletedStage>(4);
        }

        if (_metadata.Length > MaxPooledMetadata)
        {
            _metadata = Array.Empty<KeyValuePair<string, MetadataValue>>();
            _metadataStage = Array.Empty<int>();
        }

        RequestName = string.Empty;
        RequestId = null;
        ErrorType = null;
        Status = OperationStatus.Success;
        AllocatedBytes = null;
        GcCollections = null;
        StageCount = 0;
        BottleneckCount = 0;
    }

    /// <summary>
    /// Insertion sort by first start (then recording order): stages per request are few, and Array.Sort with a
    /// comparison would allocate a comparer on every request.
    /// </summary>
    private static void SortByFirstStart(CompletedStage[] stages, int count)
    {
        for (var i = 1; i < count; i++)
        {
            if (!Before(in stages[i], in stages[i - 1]))
            {
                // Already in place: the usual case (stages start one after the other).
                continue;
            }

            var item = stages[i];
            var j = i - 1;
            while (j >= 0 && Before(in item, in stages[j]))
            {
                stages[j + 1] = stages[j];
                j--;
            }

            stages[j + 1] = item;
        }

        static bool Before(in CompletedStage a, in CompletedStage b)
            => a.FirstStartTimestamp < b.FirstStartTimestamp || (a.FirstStartTimestamp == b.FirstStartTimestamp && a.Order < b.Order);
    }
}

/// <summary>One stage of a <see cref="CompletedRequest"/>: accumulated while the request runs, finished when it ends.</summary>
internal struct CompletedStage
{
    internal string Name;

    /// <summary>The stage's place in recording order (while running; the metadata refers to stages by it).</summary>
    internal int Order;

    internal long FirstStartTimestamp;
    internal long ElapsedStopwatchTicks;
    internal int Calls;
    internal OperationStatus Status;
    internal string? ErrorType;

    /// <summary>Set when finished: the stage's time.</summary>
    internal TimeSpan Duration;

    /// <summary>Set when finished: the stage's share of the request's time.</summary>
    internal double Share;

    /// <summary>Set when finished: where the stage's metadata starts in its record (see <see cref="CompletedRequest.MetadataOf"/>).</summary>
    internal int MetadataStart;

    /// <summary>Set when finished: how many metadata entries the stage has.</summary>
    internal int MetadataCount;

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

    private long _created;

    /// <summary>Records this pool has created because none was idle (for benchmarks).</summary>
    internal long Created => Interlocked.Read(ref _created);

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
            return Create();
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
            return Create();
        }

        s_threadCacheCount = taken - 1;
        var item = target[taken - 1]!;
        target[taken - 1] = null;
        return item;
    }

    private CompletedRequest Create()
    {
        Interlocked.Increment(ref _created);
        return new CompletedRequest(this);
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
