using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace RagMonitor;

/// <summary>
/// The mutable state of one request while it runs: its stages, merged by name. Thread-safe; one lock
/// per recorded stage call. Freed when the request ends.
/// </summary>
internal sealed class RequestState
{
    private readonly object _gate = new();
    private StageAccumulator[] _stages = new StageAccumulator[4];
    private int _stageCount;
    private int _ended;
    private OperationStatus _status;
    private string? _errorType;

    internal RequestState(PerformanceMonitor monitor, string name, string id, long startTimestamp, DateTimeOffset startTime)
    {
        Monitor = monitor;
        Name = name;
        Id = id;
        StartTimestamp = startTimestamp;
        StartTime = startTime;
        if (monitor.Options.MeasureResources)
        {
            StartAllocatedBytes = GC.GetTotalAllocatedBytes(false);
            StartGcCollections = GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2);
        }
        else
        {
            StartAllocatedBytes = -1;
        }
    }

    internal PerformanceMonitor Monitor { get; }

    internal string Name { get; }

    internal string Id { get; }

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
        lock (_gate)
        {
            if (status != OperationStatus.Success && _status == OperationStatus.Success)
            {
                _errorType = errorType;
            }

            _status = OperationStatusText.Worst(_status, status);
        }
    }

    internal void RecordStage(string name, long startTimestamp, long elapsedStopwatchTicks, OperationStatus status, string? errorType)
    {
        lock (_gate)
        {
            ref var stage = ref GetOrAdd(name, startTimestamp);
            stage.ElapsedStopwatchTicks += elapsedStopwatchTicks;
            stage.Calls++;
            if (status != OperationStatus.Success && stage.Status == OperationStatus.Success)
            {
                stage.ErrorType = errorType;
            }

            stage.Status = OperationStatusText.Worst(stage.Status, status);
        }
    }

    internal void MarkStageStatus(string name, long timestamp, OperationStatus status, string? errorType)
    {
        lock (_gate)
        {
            ref var stage = ref GetOrAdd(name, timestamp);
            if (status != OperationStatus.Success && stage.Status == OperationStatus.Success)
            {
                stage.ErrorType = errorType;
            }

            stage.Status = OperationStatusText.Worst(stage.Status, status);
        }
    }

    internal void AddMetadata(string stageName, string key, MetadataValue value)
    {
        lock (_gate)
        {
            ref var stage = ref GetOrAdd(stageName, Monitor.GetTimestamp());
            var list = stage.Metadata ??= new List<KeyValuePair<string, MetadataValue>>(4);
            for (var i = 0; i < list.Count; i++)
            {
                if (string.Equals(list[i].Key, key, StringComparison.Ordinal))
                {
                    list[i] = new KeyValuePair<string, MetadataValue>(key, value);
                    return;
                }
            }

            list.Add(new KeyValuePair<string, MetadataValue>(key, value));
        }
    }

    /// <summary>A copy of one stage's metadata (for its span's tags), or <see langword="null"/> when it has none.</summary>
    internal KeyValuePair<string, MetadataValue>[]? GetStageMetadata(string stageName)
    {
        lock (_gate)
        {
            for (var i = 0; i < _stageCount; i++)
            {
                if (string.Equals(_stages[i].Name, stageName, StringComparison.Ordinal))
                {
                    return _stages[i].Metadata?.ToArray();
                }
            }
        }

        return null;
    }

    /// <summary>Builds a summary of the stages recorded so far (ordered by first start).</summary>
    internal RequestSummary Snapshot(long endTimestamp, bool completed, long? allocatedBytes, int? gcCollections)
    {
        var totalTicks = Math.Max(0, endTimestamp - StartTimestamp);
        var total = Monitor.ToDuration(totalTicks);
        StageAccumulator[] copy;
        int count;
        OperationStatus status;
        string? errorType;
        lock (_gate)
        {
            count = _stageCount;
            copy = new StageAccumulator[count];
            Array.Copy(_stages, copy, count);
            for (var i = 0; i < count; i++)
            {
                if (copy[i].Metadata is { } list)
                {
                    copy[i].Metadata = new List<KeyValuePair<string, MetadataValue>>(list);
                }
            }

            status = _status;
            errorType = _errorType;
        }

        // Insertion sort by first start (then recording order): stages per request are few, and
        // Array.Sort with a comparison would allocate a comparer on every request.
        for (var i = 1; i < count; i++)
        {
            var item = copy[i];
            var j = i - 1;
            while (j >= 0 && (copy[j].FirstStartTimestamp > item.FirstStartTimestamp
                || (copy[j].FirstStartTimestamp == item.FirstStartTimestamp && copy[j].Order > item.Order)))
            {
                copy[j + 1] = copy[j];
                j--;
            }

            copy[j + 1] = item;
        }

        var stages = new StageSummary[count];
        for (var i = 0; i < count; i++)
        {
            ref var s = ref copy[i];
            var share = totalTicks > 0 ? (double)s.ElapsedStopwatchTicks / totalTicks : 0d;
            stages[i] = new StageSummary(
                s.Name,
                Monitor.ToDuration(s.ElapsedStopwatchTicks),
                s.Calls,
                share,
                s.Status,
                s.ErrorType,
                (IReadOnlyList<KeyValuePair<string, MetadataValue>>?)s.Metadata ?? Array.Empty<KeyValuePair<string, MetadataValue>>());
        }

        var bottlenecks = Monitor.FindBottlenecks(stages, completed);
        return new RequestSummary(Name, Id, StartTime, total, status, errorType, stages, bottlenecks, completed, allocatedBytes, gcCollections);
    }

    private ref StageAccumulator GetOrAdd(string name, long startTimestamp)
    {
        for (var i = 0; i < _stageCount; i++)
        {
            ref var existing = ref _stages[i];
            if (ReferenceEquals(existing.Name, name) || string.Equals(existing.Name, name, StringComparison.Ordinal))
            {
                if (startTimestamp < existing.FirstStartTimestamp)
                {
                    existing.FirstStartTimestamp = startTimestamp;
                }

                return ref existing;
            }
        }

        if (_stageCount == _stages.Length)
        {
            Array.Resize(ref _stages, _stages.Length * 2);
        }

        ref var added = ref _stages[_stageCount];
        added.Order = _stageCount++;
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
