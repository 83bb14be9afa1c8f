using System;
using System.Collections.Generic;
using System.Threading;

namespace RagMonitor;

/// <summary>
/// The live statistics of a monitor: per request name and per stage, a <see cref="DurationHistogram"/> and
/// outcome counters over the monitor's lifetime and over a sliding window.
/// </summary>
/// <remarks>
/// <para>
/// Each (request name) and (request name, stage name) entry keeps a ring of <see cref="SubWindowCount"/>
/// sub-window slots, each covering one tenth of the window, chosen by the request's end time on the monitor's
/// <see cref="TimeProvider"/>. A slot that is reused for a later sub-window first moves its contents into the
/// entry's "expired" accumulator, so the lifetime figures are the accumulator plus every slot, and nothing is
/// counted twice or lost. Memory per entry is bounded by (sub-windows + 1) histograms, whatever the traffic;
/// the number of names is capped (<see cref="MaxRequestNames"/>, <see cref="MaxStagesPerRequest"/>; beyond
/// that, names are recorded as <see cref="OtherName"/>).
/// </para>
/// <para>
/// <see cref="Record(CompletedRequest)"/> runs on the log writer's thread for requests queued to the log (see
/// <see cref="PerformanceMonitor.GetStatistics"/>), else on the request's thread: no locks in steady state (only when a
/// slot rotates to a new sub-window, or the first time a name is seen), a few <see cref="Interlocked"/>
/// operations per stage, no allocation.
/// </para>
/// </remarks>
internal sealed class LiveStatistics
{
    /// <summary>How many sub-windows the sliding window is cut into.</summary>
    internal const int SubWindowCount = 10;

    /// <summary>Distinct request names tracked; further names are recorded as <see cref="OtherName"/>.</summary>
    internal const int MaxRequestNames = 128;

    /// <summary>Distinct stage names tracked per request name; further names are recorded as <see cref="OtherName"/>.</summary>
    internal const int MaxStagesPerRequest = 64;

    /// <summary>The name under which names beyond the caps are recorded.</summary>
    internal const string OtherName = "(other)";

    private readonly TimeSpan _window;
    private readonly long _slotTicks;
    private readonly TimeProvider _timeProvider;
    private readonly bool _systemClock;
    private readonly long _clockRecheckMilliseconds;
    private readonly ProcessSampler _process = new();
    private readonly NameTable<RequestEntry> _requests;
    private readonly NameTable<StageAggregate> _stageAggregates;
    private long _latestEpoch;
    private long _lastClockReadTick = long.MinValue / 2;

    internal LiveStatistics(TimeSpan window, TimeProvider timeProvider)
    {
        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be positive.");
        }

        _window = window;
        _slotTicks = Math.Max(1, window.Ticks / SubWindowCount);
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _systemClock = ReferenceEquals(timeProvider, TimeProvider.System);
        _clockRecheckMilliseconds = Math.Clamp(_slotTicks / TimeSpan.TicksPerMillisecond / 4, 1, 1000);
        _stageAggregates = new NameTable<StageAggregate>(int.MaxValue, static name => new StageAggregate(name));
        _requests = new NameTable<RequestEntry>(MaxRequestNames, name => new RequestEntry(name, this));
        _latestEpoch = timeProvider.GetUtcNow().UtcTicks / _slotTicks;
    }

    /// <summary>Records a finished request. Called once per request on its thread; never throws for valid summaries.</summary>
    internal void Record(RequestSummary summary)
    {
        var totalTicks = summary.TotalTime.Ticks;
        var bottlenecks = summary.Bottlenecks;
        var bottleneckCount = bottlenecks.Count;
        var request = RecordRequest(summary.RequestName, summary.StartTime, totalTicks, summary.Status, bottleneckCount, summary.AllocatedBytes, summary.GcCollections, out var epoch);
        var stages = summary.Stages;
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            var flagged = false;
            for (var b = 0; b < bottleneckCount; b++)
            {
                var name = bottlenecks[b].Stage;
                if (ReferenceEquals(name, stage.Name) || string.Equals(name, stage.Name, StringComparison.Ordinal))
                {
                    flagged = true;
                    break;
                }
            }

            RecordStage(request, epoch, totalTicks, stage.Name, stage.Duration.Ticks, stage.Status, stage.Calls, flagged);
        }
    }

    /// <summary>Records a finished request from its pooled record (the monitor's path: no summary needed).</summary>
    internal void Record(CompletedRequest record)
    {
        var totalTicks = record.TotalTime.Ticks;
        var request = RecordRequest(record.RequestName, record.StartTime, totalTicks, record.Status, record.BottleneckCount, record.AllocatedBytes, record.GcCollections, out var epoch);
        foreach (ref readonly var stage in record.Stages)
        {
            RecordStage(request, epoch, totalTicks, stage.Name, stage.Duration.Ticks, stage.Status, stage.Calls, stage.IsBottleneck);
        }
    }

    private RequestEntry RecordRequest(string requestName, DateTimeOffset startTime, long totalTicks, OperationStatus status, int bottleneckCount, long? allocatedBytes, int? gcCollections, out long epoch)
    {
        epoch = (startTime.UtcTicks + totalTicks) / _slotTicks;
        if (epoch > Volatile.Read(ref _latestEpoch))
        {
            Volatile.Write(ref _latestEpoch, epoch);
        }

        var request = _requests.GetOrAdd(requestName);
        var slot = request.Record(epoch, totalTicks, 0, status, 1, bottleneckCount > 0);
        if (allocatedBytes is { } allocated)
        {
            slot.AddResources(allocated, gcCollections ?? 0);
            if (!request.ResourcesMeasured)
            {
                request.ResourcesMeasured = true;
            }
        }

        return request;
    }

    /// <summary>
    /// The p95 duration of <paramref name="stageName"/> (across request names) over the sliding window, when the
    /// window holds at least <paramref name="minimumCount"/> observations of it. The figure is cached and
    /// recomputed after about 1/16 more observations or when a sub-window boundary passes, so a call is
    /// normally a few field reads; it reflects the requests recorded before the current one.
    /// </summary>
    internal bool TryGetRecentP95(string stageName, int minimumCount, out TimeSpan p95)
        => TryGetRecentP95Core(stageName, minimumCount, -1, out p95);

    /// <summary>As <see cref="TryGetRecentP95(string, int, out TimeSpan)"/>, for a request that ended at <paramref name="endTime"/> (no clock read).</summary>
    internal bool TryGetRecentP95(string stageName, int minimumCount, DateTimeOffset endTime, out TimeSpan p95)
    {
        var epoch = endTime.UtcTicks / _slotTicks;
        var latest = Volatile.Read(ref _latestEpoch);
        return TryGetRecentP95Core(stageName, minimumCount, epoch > latest ? epoch : latest, out p95);
    }

    /// <param name="stageName">The stage.</param>
    /// <param name="minimumCount">The warm-up count.</param>
    /// <param name="knownEpoch">The current sub-window, or -1 to read the clock when it is needed.</param>
    /// <param name="p95">The p95.</param>
    private bool TryGetRecentP95Core(string stageName, int minimumCount, long knownEpoch, out TimeSpan p95)
    {
        p95 = default;
        var aggregate = _stageAggregates.Find(stageName);
        if (aggregate is null)
        {
            return false;
        }

        var recorded = Volatile.Read(ref aggregate.Recorded);
        var pending = recorded - Volatile.Read(ref aggregate.RecordedAtRefresh);
        var cachedCount = Volatile.Read(ref aggregate.CachedCount);

        // The window cannot hold more than what was counted at the last refresh plus what was recorded since.
        if (cachedCount + pending < minimumCount)
        {
            return false;
        }

        var epoch = knownEpoch >= 0 ? knownEpoch : CurrentEpoch();
        if (pending >= Math.Max(1, cachedCount >> 4) || Volatile.Read(ref aggregate.CachedEpoch) != epoch)
        {
            aggregate.TryRefresh(epoch, recorded);
        }

        if (Volatile.Read(ref aggregate.CachedCount) < minimumCount)
        {
            return false;
        }

        p95 = TimeSpan.FromTicks(Volatile.Read(ref aggregate.CachedP95Ticks));
        return true;
    }

    /// <summary>Builds a snapshot: per request name and stage, lifetime and window figures, plus process figures.</summary>
    internal MonitorStatistics Snapshot(MonitorCounters counters)
    {
        var now = _timeProvider.GetUtcNow();
        var nowEpoch = now.UtcTicks / _slotTicks;
        var requestEntries = _requests.Items;
        var requests = new RequestStatistics[requestEntries.Length];
        var perAggregate = new Dictionary<StageAggregate, Accumulation>();
        for (var r = 0; r < requestEntries.Length; r++)
        {
            var entry = requestEntries[r];
            var requestFigures = entry.Collect(nowEpoch);
            var stageEntries = entry.Stages.Items;
            var stages = new StageStatistics[stageEntries.Length];
            for (var s = 0; s < stageEntries.Length; s++)
            {
                var stageEntry = stageEntries[s];
                var figures = stageEntry.Collect(nowEpoch);
                stages[s] = new StageStatistics(stageEntry.Name, entry.Name,
                    new TimingStatistics(figures.Lifetime, figures.LifetimeCounters, TimingKind.Stage),
                    new TimingStatistics(figures.Window, figures.WindowCounters, TimingKind.Stage));
                if (!perAggregate.TryGetValue(stageEntry.Aggregate, out var total))
                {
                    total = new Accumulation();
                    perAggregate.Add(stageEntry.Aggregate, total);
                }

                figures.Lifetime.AddToPrivate(total.Lifetime);
                figures.Window.AddToPrivate(total.Window);
                total.LifetimeCounters.Add(figures.LifetimeCounters);
                total.WindowCounters.Add(figures.WindowCounters);
            }

            var requestKind = entry.ResourcesMeasured ? TimingKind.RequestWithResources : TimingKind.Request;
            requests[r] = new RequestStatistics(entry.Name,
                new TimingStatistics(requestFigures.Lifetime, requestFigures.LifetimeCounters, requestKind),
                new TimingStatistics(requestFigures.Window, requestFigures.WindowCounters, requestKind),
                stages);
        }

        var allStages = new List<StageStatistics>(perAggregate.Count);
        foreach (var aggregate in _stageAggregates.Items)
        {
            if (perAggregate.TryGetValue(aggregate, out var total))
            {
                allStages.Add(new StageStatistics(aggregate.Name, null,
                    new TimingStatistics(total.Lifetime, total.LifetimeCounters, TimingKind.Stage),
                    new TimingStatistics(total.Window, total.WindowCounters, TimingKind.Stage)));
            }
        }

        return new MonitorStatistics(counters, now, _window, requests, allStages.ToArray(), _process.Sample());
    }

    private static void RecordStage(RequestEntry request, long epoch, long totalTicks, string stageName, long durationTicks, OperationStatus status, int calls, bool flagged)
    {
        var entry = request.Stages.GetOrAdd(stageName);
        entry.Record(epoch, durationTicks, totalTicks, status, calls, flagged);
        entry.Aggregate.Recorded++;
    }

    private long CurrentEpoch()
    {
        if (_systemClock)
        {
            // Records keep _latestEpoch current; read the clock only when none arrived for a while.
            var tick = Environment.TickCount64;
            if (tick - Volatile.Read(ref _lastClockReadTick) < _clockRecheckMilliseconds)
            {
                return Volatile.Read(ref _latestEpoch);
            }

            Volatile.Write(ref _lastClockReadTick, tick);
        }

        var epoch = _timeProvider.GetUtcNow().UtcTicks / _slotTicks;
        if (epoch > Volatile.Read(ref _latestEpoch))
        {
            Volatile.Write(ref _latestEpoch, epoch);
        }

        return Math.Max(epoch, Volatile.Read(ref _latestEpoch));
    }

    private StageEntry CreateStageEntry(string name)
    {
        var aggregate = _stageAggregates.GetOrAdd(name);
        var entry = new StageEntry(name, aggregate);
        aggregate.Add(entry);
        return entry;
    }

    private sealed class Accumulation
    {
        public readonly DurationHistogram Lifetime = new();
        public readonly DurationHistogram Window = new();
        public StatisticsCounters LifetimeCounters;
        public StatisticsCounters WindowCounters;
    }

    /// <summary>A name with entries looked up by it.</summary>
    internal abstract class NamedEntry
    {
        protected NamedEntry(string name) => Name = name;

        public string Name { get; }
    }

    /// <summary>
    /// A small table of entries by name, tuned for a handful of names that are usually the same string instances
    /// (literals from generated code): a reference-equality scan, then an ordinal dictionary. Entries are never
    /// removed; adding takes a lock; reads take none.
    /// </summary>
    internal sealed class NameTable<T>
        where T : NamedEntry
    {
        private const int ReferenceScanLimit = 16;
        private readonly object _gate = new();
        private readonly Dictionary<string, T> _byName = new(StringComparer.Ordinal);
        private readonly int _capacity;
        private readonly Func<string, T> _factory;
        private T[] _items = Array.Empty<T>();
        private Dictionary<string, T> _published = new(StringComparer.Ordinal);

        public NameTable(int capacity, Func<string, T> factory)
        {
            _capacity = capacity;
            _factory = factory;
        }

        /// <summary>Every entry, in the order added.</summary>
        public T[] Items => Volatile.Read(ref _items);

        public T? Find(string name)
        {
            var items = Volatile.Read(ref _items);
            var scan = Math.Min(items.Length, ReferenceScanLimit);
            for (var i = 0; i < scan; i++)
            {
                if (ReferenceEquals(items[i].Name, name))
                {
                    return items[i];
                }
            }

            return Volatile.Read(ref _published).TryGetValue(name, out var found) ? found : null;
        }

        public T GetOrAdd(string name) => Find(name) ?? Add(name);

        private T Add(string name)
        {
            lock (_gate)
            {
                if (_byName.TryGetValue(name, out var existing))
                {
                    return existing;
                }

                if (_byName.Count >= _capacity && !string.Equals(name, OtherName, StringComparison.Ordinal))
                {
                    return _byName.TryGetValue(OtherName, out var other) ? other : Publish(OtherName);
                }

                return Publish(name);
            }
        }

        private T Publish(string name)
        {
            var entry = _factory(name);
            _byName.Add(name, entry);
            var items = new T[_items.Length + 1];
            Array.Copy(_items, items, _items.Length);
            items[^1] = entry;

            // Readers use immutable copies: a new dictionary and a new array per added name (names are few).
            Volatile.Write(ref _published, new Dictionary<string, T>(_byName, StringComparer.Ordinal));
            Volatile.Write(ref _items, items);
            return entry;
        }
    }

    /// <summary>The figures of one sub-window (or of the expired accumulator).</summary>
    internal sealed class Slot
    {
        public readonly DurationHistogram Histogram = new();
        public long Epoch;
        public long Failures;
        public long Cancelled;
        public long Bottlenecks;
        public long ExtraCalls;
        public long RequestTicks;
        public long AllocatedBytes;
        public long GcCollections;

        public Slot(long epoch) => Epoch = epoch;

        public void AddResources(long allocatedBytes, int gcCollections)
        {
            Interlocked.Add(ref AllocatedBytes, allocatedBytes);
            if (gcCollections != 0)
            {
                Interlocked.Add(ref GcCollections, gcCollections);
            }
        }

        public void Record(long ticks, long requestTicks, OperationStatus status, int calls, bool bottleneck)
        {
            Histogram.RecordTicks(ticks);
            if (requestTicks != 0)
            {
                Interlocked.Add(ref RequestTicks, requestTicks);
            }

            if (status == OperationStatus.Failure)
            {
                Interlocked.Increment(ref Failures);
            }
            else if (status == OperationStatus.Cancelled)
            {
                Interlocked.Increment(ref Cancelled);
            }

            if (calls > 1)
            {
                Interlocked.Add(ref ExtraCalls, calls - 1);
            }

            if (bottleneck)
            {
                Interlocked.Increment(ref Bottlenecks);
            }
        }

        /// <summary>Moves everything into <paramref name="target"/> (atomically per counter) and leaves this slot empty.</summary>
        public void MoveTo(Slot target)
        {
            Histogram.MoveTo(target.Histogram);
            Interlocked.Add(ref target.Failures, Interlocked.Exchange(ref Failures, 0));
            Interlocked.Add(ref target.Cancelled, Interlocked.Exchange(ref Cancelled, 0));
            Interlocked.Add(ref target.Bottlenecks, Interlocked.Exchange(ref Bottlenecks, 0));
            Interlocked.Add(ref target.ExtraCalls, Interlocked.Exchange(ref ExtraCalls, 0));
            Interlocked.Add(ref target.RequestTicks, Interlocked.Exchange(ref RequestTicks, 0));
            Interlocked.Add(ref target.AllocatedBytes, Interlocked.Exchange(ref AllocatedBytes, 0));
            Interlocked.Add(ref target.GcCollections, Interlocked.Exchange(ref GcCollections, 0));
        }

        public void AddTo(DurationHistogram histogram, ref StatisticsCounters counters)
        {
            Histogram.AddToPrivate(histogram);
            counters.Failures += Volatile.Read(ref Failures);
            counters.Cancelled += Volatile.Read(ref Cancelled);
            counters.Bottlenecks += Volatile.Read(ref Bottlenecks);
            counters.ExtraCalls += Volatile.Read(ref ExtraCalls);
            counters.RequestTicks += Volatile.Read(ref RequestTicks);
            counters.AllocatedBytes += Volatile.Read(ref AllocatedBytes);
            counters.GcCollections += Volatile.Read(ref GcCollections);
        }
    }

    /// <summary>The collected figures of one entry for a snapshot (histograms owned by the snapshot).</summary>
    internal sealed class Figures
    {
        public readonly DurationHistogram Lifetime = new();
        public readonly DurationHistogram Window = new();
        public StatisticsCounters LifetimeCounters;
        public StatisticsCounters WindowCounters;
    }

    /// <summary>An entry with a ring of sub-window slots and an accumulator of expired data.</summary>
    internal abstract class TimedEntry : NamedEntry
    {
        private readonly Slot?[] _ring = new Slot?[SubWindowCount];
        private readonly Slot _expired = new(long.MinValue);
        private readonly object _gate = new();

        protected TimedEntry(string name)
            : base(name)
        {
        }

        /// <summary>Whether the recorded summaries carried allocation figures (set once, never cleared).</summary>
        public bool ResourcesMeasured { get; set; }

        /// <summary>Records into the slot of <paramref name="epoch"/> and returns that slot.</summary>
        public Slot Record(long epoch, long ticks, long requestTicks, OperationStatus status, int calls, bool bottleneck)
        {
            var slot = Volatile.Read(ref _ring[(int)(epoch % SubWindowCount)]);
            if (slot is null || Volatile.Read(ref slot.Epoch) != epoch)
            {
                slot = Rotate(epoch);
            }

            slot.Record(ticks, requestTicks, status, calls, bottleneck);
            return slot;
        }

        public Figures Collect(long nowEpoch)
        {
            var figures = new Figures();
            lock (_gate)
            {
                _expired.AddTo(figures.Lifetime, ref figures.LifetimeCounters);
                foreach (var slot in _ring)
                {
                    if (slot is null)
                    {
                        continue;
                    }

                    slot.AddTo(figures.Lifetime, ref figures.LifetimeCounters);
                    if (InWindow(slot, nowEpoch))
                    {
                        slot.AddTo(figures.Window, ref figures.WindowCounters);
                    }
                }
            }

            return figures;
        }

        /// <summary>Adds the window's histograms to <paramref name="target"/> (used only by its caller).</summary>
        public void AddWindowTo(long nowEpoch, DurationHistogram target)
        {
            lock (_gate)
            {
                foreach (var slot in _ring)
                {
                    if (slot is not null && InWindow(slot, nowEpoch))
                    {
                        slot.Histogram.AddToPrivate(target);
                    }
                }
            }
        }

        private static bool InWindow(Slot slot, long nowEpoch) => Volatile.Read(ref slot.Epoch) > nowEpoch - SubWindowCount;

        private Slot Rotate(long epoch)
        {
            lock (_gate)
            {
                var index = (int)(epoch % SubWindowCount);
                var slot = _ring[index];
                if (slot is null)
                {
                    slot = new Slot(epoch);
                    Volatile.Write(ref _ring[index], slot);
                    return slot;
                }

                var current = Volatile.Read(ref slot.Epoch);
                if (current == epoch)
                {
                    return slot;
                }

                if (current > epoch)
                {
                    // Older than the sub-window this slot now holds, so already outside the window: lifetime only.
                    return _expired;
                }

                slot.MoveTo(_expired);
                Volatile.Write(ref slot.Epoch, epoch);
                return slot;
            }
        }
    }

    /// <summary>The figures of one request name and the table of its stages.</summary>
    internal sealed class RequestEntry : TimedEntry
    {
        public RequestEntry(string name, LiveStatistics owner)
            : base(name)
        {
            Stages = new NameTable<StageEntry>(MaxStagesPerRequest, owner.CreateStageEntry);
        }

        public NameTable<StageEntry> Stages { get; }
    }

    /// <summary>The figures of one stage name within one request name.</summary>
    internal sealed class StageEntry : TimedEntry
    {
        public StageEntry(string name, StageAggregate aggregate)
            : base(name)
        {
            Aggregate = aggregate;
        }

        public StageAggregate Aggregate { get; }
    }

    /// <summary>One stage name across request names: its entries and the cached window p95 of the adaptive rule.</summary>
    internal sealed class StageAggregate : NamedEntry
    {
        public long Recorded;
        public long RecordedAtRefresh;
        public long CachedCount;
        public long CachedP95Ticks;
        public long CachedEpoch = long.MinValue;
        private readonly object _refreshGate = new();
        private readonly DurationHistogram _scratch = new();
        private StageEntry[] _entries = Array.Empty<StageEntry>();

        public StageAggregate(string name)
            : base(name)
        {
        }

        public void Add(StageEntry entry)
        {
            lock (_refreshGate)
            {
                var entries = new StageEntry[_entries.Length + 1];
                Array.Copy(_entries, entries, _entries.Length);
                entries[^1] = entry;
                Volatile.Write(ref _entries, entries);
            }
        }

        /// <summary>Recomputes the window count and p95 unless another thread is doing it (then the current figures stay).</summary>
        public void TryRefresh(long epoch, long recorded)
        {
            if (!Monitor.TryEnter(_refreshGate))
            {
                return;
            }

            try
            {
                _scratch.Reset();
                foreach (var entry in Volatile.Read(ref _entries))
                {
                    entry.AddWindowTo(epoch, _scratch);
                }

                var count = _scratch.Count;
                Volatile.Write(ref CachedP95Ticks, count > 0 ? _scratch.GetPercentileTicks(95) : 0);
                Volatile.Write(ref CachedCount, count);
                Volatile.Write(ref CachedEpoch, epoch);
                Volatile.Write(ref RecordedAtRefresh, recorded);
            }
            finally
            {
                Monitor.Exit(_refreshGate);
            }
        }
    }
}
