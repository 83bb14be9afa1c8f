using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace RagMonitor;

/// <summary>
/// The mutable state of one request while it runs: its stages, merged by name, kept in a pooled
/// <see cref="CompletedRequest"/> that becomes the finished record when the request is sealed. Thread-safe: a small spin
/// lock (the critical sections are a few field updates) guards the stages; calls of synchronous stages are first kept by
/// the thread that ended them and added when the request is read or ended (<see cref="RecordCall"/>). Sealed when the
/// request ends (later calls change nothing; the record leaves with the request's figures), then freed. It is also the
/// ambient frame of the request's own body (<see cref="AmbientFrame"/>).
/// </summary>
internal sealed class RequestState : AmbientFrame
{
    private readonly ulong _generatedId;
    /// <summary>The stages and metadata recorded so far; <see langword="null"/> once sealed (the record has left).</summary>
    private CompletedRequest? _record;
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
        UsesSystemClock = monitor.UsesSystemClock;
        Name = RecordNames.Limit(name, PerformanceMonitorOptions.MaxNameLength);
        _id = id is null ? null : RecordNames.Limit(id, PerformanceMonitorOptions.MaxRequestIdLength);
        _generatedId = generatedId;
        StartTimestamp = startTimestamp;
        StartTime = startTime;
        _record = monitor.RentRecord();
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

    /// <summary>The monitor's timestamps are <see cref="Stopwatch.GetTimestamp"/> (kept here so that a stage reads one field less).</summary>
    internal readonly bool UsesSystemClock;

    /// <summary>A timestamp of the request's monitor (<see cref="PerformanceMonitor.GetTimestamp"/>), for its stages.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal long GetTimestamp() => UsesSystemClock ? Stopwatch.GetTimestamp() : Monitor.GetTimestamp();

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
                AddPendingCalls(thread, _record!);
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
        AddAllPendingCalls(_record!);
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

    /// <summary>Adds every registered thread's pending calls of this request to <paramref name="target"/>. The caller holds the lock.</summary>
    private void AddAllPendingCalls(CompletedRequest target)
    {
        if (_pendingThread is { } first)
        {
            AddPendingCalls(first, target);
        }

        for (var i = 0; i < _morePendingThreadCount; i++)
        {
            AddPendingCalls(_morePendingThreads![i], target);
        }
    }

    /// <summary>
    /// Adds <paramref name="thread"/>'s pending calls of this request to <paramref name="target"/>. The caller holds this
    /// request's lock, so the thread cannot switch requests meanwhile; it may still be adding calls, which the version
    /// detects (an entry is read again until it was read whole).
    /// </summary>
    private void AddPendingCalls(ThreadStage thread, CompletedRequest target)
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

                // Every read above is a volatile (acquire) read, so the version is read again only after all of them: no
                // full fence needed (this runs for every call entry when a request is sealed).
                if ((version & 1) == 0 && Volatile.Read(ref thread.PendingVersion) == version)
                {
                    break;
                }

                spinner.SpinOnce(sleep1Threshold: -1);
            }

            ref var stage = ref target.GetOrAddStage(name, firstStart);
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

            ref var stage = ref _record!.GetOrAddStage(name, startTimestamp);
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

            ref var stage = ref _record!.GetOrAddStage(name, timestamp);
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

    /// <summary>
    /// Sets a stage's metadata value; with <paramref name="accumulate"/>, an integer value is added to the integer already
    /// under the key (saturating at <see cref="long.MaxValue"/>), so counts sum over calls. <paramref name="timestamp"/>
    /// is the stage's start (or now) in case the stage has no call recorded yet.
    /// </summary>
    internal void AddMetadata(string stageName, long timestamp, string key, MetadataValue value, bool accumulate)
    {
        Enter();
        try
        {
            if (_sealed)
            {
                return;
            }

            var record = _record!;
            var order = record.GetOrAddStage(stageName, timestamp).Order;
            record.SetMetadata(order, key, value, accumulate);
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
            if (_record is not { } record)
            {
                return null;
            }

            foreach (ref readonly var stage in record.Stages)
            {
                if (string.Equals(stage.Name, stageName, StringComparison.Ordinal))
                {
                    return record.CopyMetadata(stage.Order);
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
        CompletedRequest? record = null;
        Enter();
        if (!_sealed)
        {
            AddAllPendingCallsToSeal();
            record = _record;
            _record = null;
        }

        _sealed = true;
        Exit();
        record?.Release();
    }

    /// <summary>
    /// Seals the request (later stage calls, metadata and outcomes are ignored) and returns its record, finished: stages
    /// ordered by first start, with durations and shares (bottlenecks are left to the monitor). From now on the record
    /// belongs to the caller. <see langword="null"/> when the request was already sealed (abandoned).
    /// </summary>
    internal CompletedRequest? SealRecord(long endTimestamp, long? allocatedBytes, int? gcCollections)
    {
        var totalTicks = Math.Max(0, endTimestamp - StartTimestamp);
        CompletedRequest record;
        Enter();
        try
        {
            if (_sealed || _record is null)
            {
                return null;
            }

            AddAllPendingCallsToSeal();
            _sealed = true;
            record = _record;
            _record = null;
            record.Status = _status;
            record.ErrorType = _errorType;
        }
        finally
        {
            Exit();
        }

        // Sealed: nothing else reads or writes the record now.
        FillHeader(record, totalTicks, allocatedBytes, gcCollections);
        record.Finish(Monitor, totalTicks);
        return record;
    }

    /// <summary>
    /// Copies the stages recorded so far (with the calls threads still hold pending) into <paramref name="target"/>, a
    /// fresh record, without sealing, and finishes the copy (an in-flight snapshot). Returns <see langword="false"/> (and
    /// copies nothing) when the request has already ended: its record has left with it.
    /// </summary>
    internal bool SnapshotInto(CompletedRequest target, long endTimestamp)
    {
        var totalTicks = Math.Max(0, endTimestamp - StartTimestamp);
        Enter();
        try
        {
            if (_sealed || _record is not { } record)
            {
                return false;
            }

            record.CopyRecordingTo(target);
            AddAllPendingCalls(target);
            target.Status = _status;
            target.ErrorType = _errorType;
        }
        finally
        {
            Exit();
        }

        FillHeader(target, totalTicks, null, null);
        target.Finish(Monitor, totalTicks);
        return true;
    }

    private void FillHeader(CompletedRequest record, long totalTicks, long? allocatedBytes, int? gcCollections)
    {
        record.RequestName = Name;
        record.RequestId = _id;
        record.GeneratedId = _generatedId;
        record.StartTime = StartTime;
        record.TotalTime = Monitor.ToDuration(totalTicks);
        record.AllocatedBytes = allocatedBytes;
        record.GcCollections = gcCollections;
        record.BottleneckCount = 0;
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
}
