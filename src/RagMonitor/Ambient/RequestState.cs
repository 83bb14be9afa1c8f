using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace RagMonitor;

/// <summary>
/// The mutable state of one request while it runs: its stages, merged by name. Thread-safe: a small spin lock (the
/// critical sections are a few field updates) guards the stages; calls of synchronous stages are first kept by the
/// thread that ended them and added when the request is read or ended (<see cref="RecordCall"/>). Sealed when the
/// request ends (later calls change nothing), then freed. It is also the ambient frame of the request's own body
/// (<see cref="AmbientFrame"/>).
/// </summary>
internal sealed class RequestState : AmbientFrame
{
    private readonly ulong _generatedId;
    private StageAccumulator[] _stages = new StageAccumulator[4];
    private int _stageCount;
    private int _ended;
    private bool _sealed;
    private OperationStatus _status;
    private string? _errorType;
    private string? _id;
    private int _lock;

    // Threads that may hold pending calls of this request (ThreadStage); registered under the lock.
    private ThreadStage? _pendingThread;
    private ThreadStage[]? _morePendingThreads;
    private int _morePendingThreadCount;

    /// <param name="monitor">The monitor.</param>
    /// <param name="name">The request name.</param>
    /// <param name="id">The given id, or <see langword="null"/> to use <paramref name="generatedId"/> (formatted only when read).</param>
    /// <param name="generatedId">The counter value of a generated id.</param>
    /// <param name="startTimestamp">The monitor's timestamp at the start.</param>
    /// <param name="startTime">The wall-clock start.</param>
    internal RequestState(PerformanceMonitor monitor, string name, string? id, ulong generatedId, long startTimestamp, DateTimeOffset startTime)
    {
        Monitor = monitor;
        Name = RecordNames.Limit(name, PerformanceMonitorOptions.MaxNameLength);
        _id = id is null ? null : RecordNames.Limit(id, PerformanceMonitorOptions.MaxRequestIdLength);
        _generatedId = generatedId;
        StartTimestamp = startTimestamp;
        StartTime = startTime;
        if (monitor.MeasuresResources)
        {
            StartAllocatedBytes = GC.GetTotalAllocatedBytes(false);
            // Every collection, of any generation, collects generation 0: this counts collections once each.
            StartGcCollections = GC.CollectionCount(0);
        }
        else
        {
            StartAllocatedBytes = -1;
        }
    }

    internal PerformanceMonitor Monitor { get; }

    internal string Name { get; }

    /// <summary>The request id (a generated id is formatted on first read; concurrent first reads make equal strings).</summary>
    internal string Id => _id ??= PerformanceMonitor.FormatGeneratedId(_generatedId);

    internal long StartTimestamp { get; }

    internal DateTimeOffset StartTime { get; }

    internal long StartAllocatedBytes { get; }

    internal int StartGcCollections { get; }

    internal bool IsEnded => Volatile.Read(ref _ended) != 0;

    /// <summary>The request's span when something listens to <see cref="RagMonitorTelemetry.ActivitySourceName"/>; ended by <see cref="PerformanceMonitor.Complete"/>.</summary>
    internal Activity? Activity;

    /// <summary>Marks the request ended; only the first caller gets <see langword="true"/>.</summary>
    internal bool TryMarkEnded() => Interlocked.Exchange(ref _ended, 1) == 0;

    internal void SetOutcome(OperationStatus status, string? errorType)
    {
        Enter();
        try
        {
            if (_sealed)
            {
                return;
            }

            if (status != OperationStatus.Success && _status == OperationStatus.Success)
            {
                _errorType = LimitErrorType(errorType);
            }

            _status = OperationStatusText.Worst(_status, status);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Records one successful call of a synchronous stage that <paramref name="thread"/> (the current thread's stage state)
    /// ended; its status comes from earlier marks. The usual case, a stage name instance (a literal) this thread already
    /// holds pending calls of for this request, adds to them with no interlocked operation and nothing that can throw
    /// (<see cref="ThreadStage"/> explains the scheme); anything else goes through <see cref="RecordCallSlow"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void RecordCall(ThreadStage? thread, string name, long startTimestamp, long elapsedStopwatchTicks)
    {
        if (thread is not null && ReferenceEquals(thread.PendingRequest, this))
        {
            var calls = thread.PendingCalls;
            var count = thread.PendingCount;
            for (var i = 0; i < count; i++)
            {
                ref var call = ref calls[i];
                if (ReferenceEquals(call.Name, name))
                {
                    // Only this thread writes its entries; the version tells readers (under this request's lock) to retry.
                    var version = thread.PendingVersion;
                    Volatile.Write(ref thread.PendingVersion, version + 1);
                    if (startTimestamp < call.FirstStartTimestamp)
                    {
                        Volatile.Write(ref call.FirstStartTimestamp, startTimestamp);
                    }

                    Volatile.Write(ref call.ElapsedStopwatchTicks, call.ElapsedStopwatchTicks + elapsedStopwatchTicks);
                    Volatile.Write(ref call.Calls, call.Calls + 1);
                    Volatile.Write(ref thread.PendingVersion, version + 2);
                    return;
                }
            }
        }

        RecordCallSlow(thread, name, startTimestamp, elapsedStopwatchTicks);
    }

    /// <summary>
    /// The first call of a stage name on this thread for this request: the thread hands the pending calls of its previous
    /// request to that request, registers with this one, and starts an entry (or, with no entry left, records under the lock).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordCallSlow(ThreadStage? thread, string name, long startTimestamp, long elapsedStopwatchTicks)
    {
        if (thread is null)
        {
            RecordStage(name, startTimestamp, elapsedStopwatchTicks, OperationStatus.Success, null);
            return;
        }

        if (!ReferenceEquals(thread.PendingRequest, this))
        {
            thread.PendingRequest?.ReleasePendingCalls(thread);
            if (!AdoptPendingCalls(thread))
            {
                // Sealed: later calls change nothing.
                return;
            }
        }

        var count = thread.PendingCount;
        if (count == thread.PendingCalls.Length)
        {
            RecordStage(name, startTimestamp, elapsedStopwatchTicks, OperationStatus.Success, null);
            return;
        }

        // Entries at or past PendingCount are read by no one: write the entry, then publish it.
        ref var call = ref thread.PendingCalls[count];
        call.Name = name;
        call.FirstStartTimestamp = startTimestamp;
        call.ElapsedStopwatchTicks = elapsedStopwatchTicks;
        call.Calls = 1;
        Volatile.Write(ref thread.PendingCount, count + 1);
    }

    /// <summary>Makes this request the one <paramref name="thread"/> keeps pending calls for; <see langword="false"/> when it is sealed.</summary>
    private bool AdoptPendingCalls(ThreadStage thread)
    {
        Enter();
        try
        {
            if (_sealed)
            {
                return false;
            }

            if (_pendingThread is null || ReferenceEquals(_pendingThread, thread))
            {
                _pendingThread = thread;
            }
            else
            {
                AddPendingThread(thread);
            }

            thread.PendingRequest = this;
            return true;
        }
        finally
        {
            Exit();
        }
    }

    private void AddPendingThread(ThreadStage thread)
    {
        var more = _morePendingThreads;
        for (var i = 0; i < _morePendingThreadCount; i++)
        {
            if (ReferenceEquals(more![i], thread))
            {
                return;
            }
        }

        if (more is null)
        {
            more = _morePendingThreads = new ThreadStage[4];
        }
        else if (_morePendingThreadCount == more.Length)
        {
            Array.Resize(ref _morePendingThreads, more.Length * 2);
            more = _morePendingThreads;
        }

        more[_morePendingThreadCount++] = thread;
    }

    /// <summary>
    /// Called by <paramref name="thread"/> itself when it moves on to another request: adds its pending calls to this
    /// request (unless sealed) and clears them, under this request's lock so that no reader sees them twice.
    /// </summary>
    private void ReleasePendingCalls(ThreadStage thread)
    {
        if (Volatile.Read(ref _sealed))
        {
            // Nothing reads the calls of a sealed request again.
            ClearPendingCalls(thread);
            return;
        }

        Enter();
        try
        {
            if (!_sealed)
            {
                AddPendingCalls(thread, ref _stages, ref _stageCount);
            }

            ClearPendingCalls(thread);
        }
        finally
        {
            Exit();
        }
    }

    private static void ClearPendingCalls(ThreadStage thread)
    {
        Array.Clear(thread.PendingCalls, 0, thread.PendingCount);
        thread.PendingCount = 0;
        thread.PendingRequest = null;
    }

    /// <summary>
    /// Adds the pending calls of every thread to the stages as the request is sealed (the caller holds the lock). The
    /// current thread, usually the one that ran the stages, forgets them right away, so that it does not keep the finished
    /// request reachable; another thread does so when it next records a stage.
    /// </summary>
    private void AddAllPendingCallsToSeal()
    {
        AddAllPendingCalls(ref _stages, ref _stageCount);
        if (AmbientContext.CurrentThreadStage is { } current)
        {
            if (ReferenceEquals(current.PendingRequest, this))
            {
                ClearPendingCalls(current);
            }

            if (current.Name is null && ReferenceEquals(current.Request, this))
            {
                current.Request = null;
            }
        }
    }

    /// <summary>Adds every registered thread's pending calls of this request to <paramref name="stages"/>. The caller holds the lock.</summary>
    private void AddAllPendingCalls(ref StageAccumulator[] stages, ref int stageCount)
    {
        if (_pendingThread is { } first)
        {
            AddPendingCalls(first, ref stages, ref stageCount);
        }

        for (var i = 0; i < _morePendingThreadCount; i++)
        {
            AddPendingCalls(_morePendingThreads![i], ref stages, ref stageCount);
        }
    }

    /// <summary>
    /// Adds <paramref name="thread"/>'s pending calls of this request to <paramref name="stages"/>. The caller holds this
    /// request's lock, so the thread cannot switch requests meanwhile; it may still be adding calls, which the version
    /// detects (an entry is read again until it was read whole).
    /// </summary>
    private void AddPendingCalls(ThreadStage thread, ref StageAccumulator[] stages, ref int stageCount)
    {
        if (!ReferenceEquals(Volatile.Read(ref thread.PendingRequest), this))
        {
            return;
        }

        var count = Volatile.Read(ref thread.PendingCount);
        for (var i = 0; i < count; i++)
        {
            ref var call = ref thread.PendingCalls[i];
            string name;
            long firstStart;
            long elapsed;
            int calls;
            var spinner = default(SpinWait);
            while (true)
            {
                var version = Volatile.Read(ref thread.PendingVersion);
                name = Volatile.Read(ref call.Name);
                firstStart = Volatile.Read(ref call.FirstStartTimestamp);
                elapsed = Volatile.Read(ref call.ElapsedStopwatchTicks);
                calls = Volatile.Read(ref call.Calls);
                Interlocked.MemoryBarrier();
                if ((version & 1) == 0 && Volatile.Read(ref thread.PendingVersion) == version)
                {
                    break;
                }

                spinner.SpinOnce(sleep1Threshold: -1);
            }

            ref var stage = ref GetOrAdd(ref stages, ref stageCount, name, firstStart);
            stage.ElapsedStopwatchTicks += elapsed;
            stage.Calls += calls;
        }
    }

    internal void RecordStage(string name, long startTimestamp, long elapsedStopwatchTicks, OperationStatus status, string? errorType)
    {
        Enter();
        try
        {
            if (_sealed)
            {
                return;
            }

            ref var stage = ref GetOrAdd(name, startTimestamp);
            stage.ElapsedStopwatchTicks += elapsedStopwatchTicks;
            stage.Calls++;
            if (status != OperationStatus.Success && stage.Status == OperationStatus.Success)
            {
                stage.ErrorType = LimitErrorType(errorType);
            }

            stage.Status = OperationStatusText.Worst(stage.Status, status);
        }
        finally
        {
            Exit();
        }
    }

    internal void MarkStageStatus(string name, long timestamp, OperationStatus status, string? errorType)
    {
        Enter();
        try
        {
            if (_sealed)
            {
                return;
            }

            ref var stage = ref GetOrAdd(name, timestamp);
            if (status != OperationStatus.Success && stage.Status == OperationStatus.Success)
            {
                stage.ErrorType = LimitErrorType(errorType);
            }

            stage.Status = OperationStatusText.Worst(stage.Status, status);
        }
        finally
        {
            Exit();
        }
    }

    internal void AddMetadata(string stageName, string key, MetadataValue value) => AddMetadata(stageName, key, value, accumulate: false);

    /// <summary>
    /// Sets a stage's metadata value; with <paramref name="accumulate"/>, an integer value is added to the
    /// integer already under the key (saturating at <see cref="long.MaxValue"/>), so counts sum over calls.
    /// </summary>
    internal void AddMetadata(string stageName, string key, MetadataValue value, bool accumulate)
    {
        Enter();
        try
        {
            if (_sealed)
            {
                return;
            }

            ref var stage = ref GetOrAdd(stageName, Monitor.GetTimestamp());
            var list = stage.Metadata ??= new List<KeyValuePair<string, MetadataValue>>(4);
            for (var i = 0; i < list.Count; i++)
            {
                if (string.Equals(list[i].Key, key, StringComparison.Ordinal))
                {
                    var existing = list[i].Value;
                    if (accumulate && existing.Kind == MetadataValueKind.Integer && value.Kind == MetadataValueKind.Integer)
                    {
                        var sum = existing.IntegerValue + value.IntegerValue;
                        var overflowed = ((existing.IntegerValue ^ sum) & (value.IntegerValue ^ sum)) < 0;
                        value = MetadataValue.FromInteger(overflowed ? (value.IntegerValue < 0 ? long.MinValue : long.MaxValue) : sum);
                    }

                    list[i] = new KeyValuePair<string, MetadataValue>(key, value);
                    return;
                }
            }

            list.Add(new KeyValuePair<string, MetadataValue>(key, value));
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>A copy of one stage's metadata (for its span's tags), or <see langword="null"/> when it has none.</summary>
    internal KeyValuePair<string, MetadataValue>[]? GetStageMetadata(string stageName)
    {
        stageName = RecordNames.Limit(stageName, PerformanceMonitorOptions.MaxNameLength);
        Enter();
        try
        {
            for (var i = 0; i < _stageCount; i++)
            {
                if (string.Equals(_stages[i].Name, stageName, StringComparison.Ordinal))
                {
                    return _stages[i].Metadata?.ToArray();
                }
            }
        }
        finally
        {
            Exit();
        }

        return null;
    }

    /// <summary>Seals the request without a record (an abandoned request): later stage calls, metadata and outcomes are ignored.</summary>
    internal void Seal()
    {
        Enter();
        if (!_sealed)
        {
            AddAllPendingCallsToSeal();
        }

        _sealed = true;
        Exit();
    }

    /// <summary>
    /// Seals the request (later stage calls, metadata and outcomes are ignored) and copies it into <paramref name="record"/>
    /// in one step (one lock): stages ordered by first start, with durations and shares. Bottlenecks are left to the monitor.
    /// </summary>
    internal void SealInto(CompletedRequest record, long endTimestamp, long? allocatedBytes, int? gcCollections)
        => CopyInto(record, endTimestamp, allocatedBytes, gcCollections, seal: true);

    /// <summary>Copies the stages recorded so far into <paramref name="record"/> without sealing (an in-flight snapshot).</summary>
    internal void SnapshotInto(CompletedRequest record, long endTimestamp)
        => CopyInto(record, endTimestamp, null, null, seal: false);

    private void CopyInto(CompletedRequest record, long endTimestamp, long? allocatedBytes, int? gcCollections, bool seal)
    {
        var totalTicks = Math.Max(0, endTimestamp - StartTimestamp);
        record.RequestName = Name;
        record.RequestId = _id;
        record.GeneratedId = _generatedId;
        record.StartTime = StartTime;
        record.TotalTime = Monitor.ToDuration(totalTicks);
        record.AllocatedBytes = allocatedBytes;
        record.GcCollections = gcCollections;
        record.BottleneckCount = 0;
        Enter();
        try
        {
            if (seal && !_sealed)
            {
                AddAllPendingCallsToSeal();
            }

            // Sealed, the accumulators may be reordered in place; a snapshot of a running request sorts a copy (with the
            // calls threads still hold pending).
            var count = _stageCount;
            var source = _stages;
            if (!seal)
            {
                source = new StageAccumulator[Math.Max(count, 1)];
                Array.Copy(_stages, source, count);
                if (!_sealed)
                {
                    AddAllPendingCalls(ref source, ref count);
                }
            }

            _sealed |= seal;
            record.Status = _status;
            record.ErrorType = _errorType;

            SortByFirstStart(source, count);
            var stages = record.ResizeStages(count);
            for (var i = 0; i < count; i++)
            {
                ref var s = ref source[i];
                ref var target = ref stages[i];
                target.Name = s.Name;
                target.Duration = Monitor.ToDuration(s.ElapsedStopwatchTicks);
                target.Calls = s.Calls;
                target.Share = ShareOf(s.ElapsedStopwatchTicks, totalTicks);
                target.Status = s.Status;
                target.ErrorType = s.ErrorType;

                // A running request's lists may still grow: a snapshot keeps copies.
                target.Metadata = seal || s.Metadata is null ? s.Metadata : new List<KeyValuePair<string, MetadataValue>>(s.Metadata);
                target.IsBottleneck = false;
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// A stage's share of the request's wall-clock time, always within 0–1: 0 when no time passed, and 1 when the stage's
    /// recorded time is longer than the request's (durations logged after the fact with the explicit API can add up to
    /// more than the time between <c>StartRequest</c> and <c>EndRequest</c>; parallel stages each cover part of it).
    /// </summary>
    internal static double ShareOf(long stageTicks, long totalTicks)
    {
        if (totalTicks <= 0 || stageTicks <= 0)
        {
            return 0d;
        }

        return stageTicks >= totalTicks ? 1d : (double)stageTicks / totalTicks;
    }

    private static string? LimitErrorType(string? errorType)
        => errorType is null ? null : RecordNames.Limit(errorType, PerformanceMonitorOptions.MaxNameLength);

    /// <summary>
    /// Insertion sort by first start (then recording order): stages per request are few, and Array.Sort with a
    /// comparison would allocate a comparer on every request.
    /// </summary>
    private static void SortByFirstStart(StageAccumulator[] stages, int count)
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

        static bool Before(in StageAccumulator a, in StageAccumulator b)
            => a.FirstStartTimestamp < b.FirstStartTimestamp || (a.FirstStartTimestamp == b.FirstStartTimestamp && a.Order < b.Order);
    }

    /// <summary>Takes the request's spin lock (held for a few field updates only; never while calling user code).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Enter()
    {
        if (Interlocked.CompareExchange(ref _lock, 1, 0) != 0)
        {
            EnterContended();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterContended()
    {
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _lock) != 0 || Interlocked.CompareExchange(ref _lock, 1, 0) != 0)
        {
            spinner.SpinOnce();
        }
    }

    private void Exit() => Volatile.Write(ref _lock, 0);

    private ref StageAccumulator GetOrAdd(string name, long startTimestamp) => ref GetOrAdd(ref _stages, ref _stageCount, name, startTimestamp);

    private static ref StageAccumulator GetOrAdd(ref StageAccumulator[] stages, ref int stageCount, string name, long startTimestamp)
    {
        for (var i = 0; i < stageCount; i++)
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
            for (var i = 0; i < stageCount; i++)
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

        if (stageCount == stages.Length)
        {
            Array.Resize(ref stages, stages.Length * 2);
        }

        ref var added = ref stages[stageCount];
        added.Order = stageCount++;
        added.Name = name;
        added.FirstStartTimestamp = startTimestamp;
        return ref added;
    }

    private struct StageAccumulator
    {
        public string Name;
        public long FirstStartTimestamp;
        public int Order;
        public long ElapsedStopwatchTicks;
        public int Calls;
        public OperationStatus Status;
        public string? ErrorType;
        public List<KeyValuePair<string, MetadataValue>>? Metadata;
    }
}
