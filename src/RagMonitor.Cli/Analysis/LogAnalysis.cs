using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace RagMonitor.Cli.Analysis;

/// <summary>Per request name and per stage statistics of the records of a scan, plus the slowest requests.</summary>
internal sealed class LogAnalysis
{
    /// <summary>The name shown for lines without a request name (the Python module's lines).</summary>
    internal const string UnnamedRequest = "(unnamed)";

    private readonly Dictionary<string, RequestAggregate> _requests = new(StringComparer.Ordinal);
    private readonly List<RequestAggregate> _order = new();
    private readonly int _exactLimit;
    private RequestAggregate? _last;

    internal LogAnalysis(int slowestCount = 10, int exactLimit = DurationSketch.DefaultExactLimit)
    {
        _exactLimit = exactLimit;
        Slowest = new SlowestRequests(slowestCount);
    }

    internal SlowestRequests Slowest { get; }

    internal long RecordCount { get; private set; }

    /// <summary>Request aggregates ordered by name.</summary>
    internal IReadOnlyList<RequestAggregate> Requests
    {
        get
        {
            var list = new List<RequestAggregate>(_requests.Values);
            list.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            return list;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Add(PerformanceLogEntry entry)
    {
        // The period the records cover is the read's (PerformanceLogReadStatistics.FirstTimestamp/LastTimestamp): not kept twice.
        RecordCount++;
        string name = entry.RequestName ?? UnnamedRequest;
        RequestAggregate? request = _last;
        if (request is null || !ReferenceEquals(request.Name, name) && !string.Equals(request.Name, name, StringComparison.Ordinal))
        {
            if (!_requests.TryGetValue(name, out request))
            {
                request = new RequestAggregate(name, _exactLimit);
                _requests.Add(name, request);
                _order.Add(request);
            }

            _last = request;
        }

        request.Add(entry);
        Slowest.Offer(entry, name);
    }

    /// <summary>Adds another analysis (of a later chunk of the logs) to this one; <paramref name="other"/> is consumed (its buffers go back to a pool) and must not be used afterwards.</summary>
    internal void Merge(LogAnalysis other)
    {
        RecordCount += other.RecordCount;

        foreach (RequestAggregate request in other.InsertionOrder)
        {
            if (!_requests.TryGetValue(request.Name, out RequestAggregate? mine))
            {
                mine = new RequestAggregate(request.Name, _exactLimit);
                _requests.Add(request.Name, mine);
                _order.Add(mine);
            }

            mine.Merge(request);
            request.Recycle();
        }

        Slowest.Merge(other.Slowest);
    }

    private IReadOnlyList<RequestAggregate> InsertionOrder => _order;

    /// <summary>All request names merged into one aggregate named <paramref name="name"/> (stages with the same name merged).</summary>
    internal RequestAggregate Overall(string name = "*")
    {
        var all = new RequestAggregate(name, _exactLimit);
        foreach (RequestAggregate request in Requests)
        {
            all.Merge(request);
        }

        return all;
    }

    /// <summary>Looks up a request aggregate by name, or the merge of all when <paramref name="name"/> is null.</summary>
    internal RequestAggregate? Find(string? name) => name is null ? Overall() : _requests.GetValueOrDefault(name);
}

/// <summary>Statistics of one request name.</summary>
internal sealed class RequestAggregate
{
    private readonly int _exactLimit;
    private StageAggregate[] _stages = new StageAggregate[4];
    private int _stageCount;

    internal RequestAggregate(string name, int exactLimit)
    {
        Name = name;
        _exactLimit = exactLimit;
        Total = new DurationSketch(exactLimit);
    }

    internal string Name { get; }

    internal long Count => Total.Count;

    internal long Failures { get; private set; }

    internal long Cancelled { get; private set; }

    /// <summary>Fraction of requests with status success (absent status counts as success).</summary>
    internal double SuccessRate => Count == 0 ? double.NaN : (double)(Count - Failures - Cancelled) / Count;

    internal DurationSketch Total { get; }

    /// <summary>Stages in order of first appearance.</summary>
    internal ReadOnlySpan<StageAggregate> Stages => new(_stages, 0, _stageCount);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Add(PerformanceLogEntry entry)
    {
        Total.Add(entry.TotalTimeSeconds);
        switch (entry.EffectiveStatus)
        {
            case OperationStatus.Failure:
                Failures++;
                break;
            case OperationStatus.Cancelled:
                Cancelled++;
                break;
        }

        int stageIndex = 0;
        foreach (ref readonly LogStageEntry stage in entry.Stages)
        {
            StageAggregate aggregate = GetStage(stage.Name);
            aggregate.Add(stage);
            if (stage.HasMetadata)
            {
                aggregate.ModelCalls = ModelCallFigures.Read(aggregate.ModelCalls, entry, stageIndex, _exactLimit);
            }

            stageIndex++;
        }

        foreach (ref readonly LogBottleneckEntry bottleneck in entry.Bottlenecks)
        {
            GetStage(bottleneck.Stage).BottleneckCount++;
        }
    }

    internal StageAggregate? FindStage(string name)
    {
        foreach (StageAggregate stage in Stages)
        {
            if (string.Equals(stage.Name, name, StringComparison.Ordinal))
            {
                return stage;
            }
        }

        return null;
    }

    /// <summary>The stage's summed duration as a fraction of the summed request time.</summary>
    internal double ShareOf(StageAggregate stage) => Total.Sum > 0 ? stage.Durations.Sum / Total.Sum : double.NaN;

    /// <summary>Fraction of this request's records in which the stage was flagged as a bottleneck.</summary>
    internal double BottleneckRateOf(StageAggregate stage) => Count > 0 ? (double)stage.BottleneckCount / Count : double.NaN;

    internal void Merge(RequestAggregate other)
    {
        Total.Merge(other.Total);
        Failures += other.Failures;
        Cancelled += other.Cancelled;
        foreach (StageAggregate stage in other.Stages)
        {
            GetStage(stage.Name).Merge(stage);
        }
    }

    /// <summary>Gives the sketches' buffers back to their pool (see <see cref="DurationSketch.Recycle"/>).</summary>
    internal void Recycle()
    {
        Total.Recycle();
        foreach (StageAggregate stage in Stages)
        {
            stage.Durations.Recycle();
            stage.ModelCalls?.TimeToFirstToken.Recycle();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private StageAggregate GetStage(string name)
    {
        for (int i = 0; i < _stageCount; i++)
        {
            if (ReferenceEquals(_stages[i].Name, name))
            {
                return _stages[i];
            }
        }

        for (int i = 0; i < _stageCount; i++)
        {
            if (string.Equals(_stages[i].Name, name, StringComparison.Ordinal))
            {
                return _stages[i];
            }
        }

        if (_stageCount == _stages.Length)
        {
            Array.Resize(ref _stages, _stages.Length * 2);
        }

        var created = new StageAggregate(name, _exactLimit);
        _stages[_stageCount++] = created;
        return created;
    }
}

/// <summary>Statistics of one stage within a request name.</summary>
internal sealed class StageAggregate
{
    internal StageAggregate(string name, int exactLimit)
    {
        Name = name;
        Durations = new DurationSketch(exactLimit);
    }

    internal string Name { get; }

    /// <summary>Records in which the stage appears.</summary>
    internal long Count => Durations.Count;

    internal long Failures { get; private set; }

    internal long Cancelled { get; private set; }

    internal long Calls { get; private set; }

    internal long BottleneckCount { get; set; }

    internal double SuccessRate => Count == 0 ? double.NaN : (double)(Count - Failures - Cancelled) / Count;

    internal DurationSketch Durations { get; }

    /// <summary>Tokens and time to first token, when the stage's metadata carries them (model calls); otherwise null.</summary>
    internal ModelCallFigures? ModelCalls { get; set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Add(in LogStageEntry stage)
    {
        Durations.Add(stage.DurationSeconds);
        Calls += stage.Calls ?? 1;
        switch (stage.EffectiveStatus)
        {
            case OperationStatus.Failure:
                Failures++;
                break;
            case OperationStatus.Cancelled:
                Cancelled++;
                break;
        }
    }

    internal void Merge(StageAggregate other)
    {
        Durations.Merge(other.Durations);
        Failures += other.Failures;
        Cancelled += other.Cancelled;
        Calls += other.Calls;
        BottleneckCount += other.BottleneckCount;
        ModelCalls = ModelCallFigures.Merge(ModelCalls, other.ModelCalls);
    }
}

/// <summary>The N slowest requests by total time, with their stages (for tables and waterfalls).</summary>
internal sealed class SlowestRequests
{
    private readonly PriorityQueue<SlowRequest, double> _heap = new();
    private readonly int _capacity;

    internal SlowestRequests(int capacity) => _capacity = Math.Max(0, capacity);

    /// <summary>Slowest first.</summary>
    internal IReadOnlyList<SlowRequest> Items
    {
        get
        {
            var list = new List<SlowRequest>(_heap.UnorderedItems.Count);
            foreach ((SlowRequest item, double _) in _heap.UnorderedItems)
            {
                list.Add(item);
            }

            list.Sort(static (a, b) =>
            {
                int byTotal = b.TotalSeconds.CompareTo(a.TotalSeconds);
                return byTotal != 0 ? byTotal : a.Timestamp.CompareTo(b.Timestamp);
            });
            return list;
        }
    }

    internal void Merge(SlowestRequests other)
    {
        foreach ((SlowRequest item, double total) in other._heap.UnorderedItems)
        {
            if (_heap.Count < _capacity)
            {
                _heap.Enqueue(item, total);
            }
            else if (_capacity > 0 && _heap.TryPeek(out _, out double smallest) && total > smallest)
            {
                _heap.DequeueEnqueue(item, total);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Offer(PerformanceLogEntry entry, string requestName)
    {
        if (_capacity == 0)
        {
            return;
        }

        double total = entry.TotalTimeSeconds;
        if (_heap.Count == _capacity && (!_heap.TryPeek(out _, out double smallest) || total <= smallest))
        {
            return;
        }

        var stages = new SlowStage[entry.Stages.Length];
        int i = 0;
        foreach (ref readonly LogStageEntry stage in entry.Stages)
        {
            stages[i++] = new SlowStage(stage.Name, stage.DurationSeconds, stage.EffectiveStatus);
        }

        var item = new SlowRequest(requestName, entry.GetRequestId(), entry.Timestamp, total, entry.EffectiveStatus, entry.ErrorType, stages, entry.FilePath, entry.LineNumber);
        if (_heap.Count == _capacity)
        {
            _heap.DequeueEnqueue(item, total);
        }
        else
        {
            _heap.Enqueue(item, total);
        }
    }
}

/// <summary>One of the slowest requests.</summary>
internal sealed record SlowRequest(
    string Request,
    string? RequestId,
    DateTimeOffset Timestamp,
    double TotalSeconds,
    OperationStatus Status,
    string? ErrorType,
    IReadOnlyList<SlowStage> Stages,
    string File,
    long Line);

/// <summary>A stage of a slow request.</summary>
internal readonly record struct SlowStage(string Name, double DurationSeconds, OperationStatus Status);
