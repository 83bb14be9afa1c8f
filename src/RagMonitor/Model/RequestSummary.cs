using System;
using System.Collections.Generic;
using System.Linq;

namespace RagMonitor;

/// <summary>
/// The summary of one request: total time, per-stage durations, shares, calls, status and bottlenecks.
/// Returned by <see cref="PerformanceMonitor.EndRequest(string)"/> and <see cref="PerformanceMonitor.GetSummary(string)"/>,
/// and written as one JSONL line when the request ends.
/// </summary>
public sealed class RequestSummary
{
    /// <summary>Creates a summary.</summary>
    public RequestSummary(
        string requestName,
        string requestId,
        DateTimeOffset startTime,
        TimeSpan totalTime,
        OperationStatus status,
        string? errorType,
        IReadOnlyList<StageSummary> stages,
        IReadOnlyList<Bottleneck> bottlenecks,
        bool isCompleted,
        long? allocatedBytes = null,
        int? gcCollections = null)
    {
        RequestName = requestName ?? throw new ArgumentNullException(nameof(requestName));
        RequestId = requestId ?? throw new ArgumentNullException(nameof(requestId));
        StartTime = startTime;
        TotalTime = totalTime;
        Status = status;
        ErrorType = errorType;
        Stages = stages ?? Array.Empty<StageSummary>();
        Bottlenecks = bottlenecks ?? Array.Empty<Bottleneck>();
        IsCompleted = isCompleted;
        AllocatedBytes = allocatedBytes;
        GcCollections = gcCollections;
    }

    /// <summary>The request name (for example <c>"ask"</c>).</summary>
    public string RequestName { get; }

    /// <summary>The request id.</summary>
    public string RequestId { get; }

    /// <summary>When the request started (UTC).</summary>
    public DateTimeOffset StartTime { get; }

    /// <summary>When the request ended, or for an in-flight request, the time of this snapshot (<see cref="StartTime"/> + <see cref="TotalTime"/>).</summary>
    public DateTimeOffset EndTime => StartTime + TotalTime;

    /// <summary>The request's total (wall-clock) time; for an in-flight request, the time elapsed so far.</summary>
    public TimeSpan TotalTime { get; }

    /// <summary>How the request ended (for an in-flight request: <see cref="OperationStatus.Success"/> so far unless a stage failed).</summary>
    public OperationStatus Status { get; }

    /// <summary>The exception type name when <see cref="Status"/> is <see cref="OperationStatus.Failure"/> or <see cref="OperationStatus.Cancelled"/>.</summary>
    public string? ErrorType { get; }

    /// <summary>The stages in the order they first started.</summary>
    public IReadOnlyList<StageSummary> Stages { get; }

    /// <summary>The stages flagged as bottlenecks.</summary>
    public IReadOnlyList<Bottleneck> Bottlenecks { get; }

    /// <summary><see langword="true"/> once the request has ended; <see langword="false"/> for a snapshot of an in-flight request.</summary>
    public bool IsCompleted { get; }

    /// <summary>
    /// Managed bytes allocated by the whole process while the request ran (see the README: under
    /// concurrency this includes other requests' allocations), or <see langword="null"/> when not measured.
    /// </summary>
    public long? AllocatedBytes { get; }

    /// <summary>GC collections (all generations) in the process while the request ran, or <see langword="null"/> when not measured.</summary>
    public int? GcCollections { get; }

    /// <summary>Finds a stage by name (ordinal), or <see langword="null"/>.</summary>
    public StageSummary? FindStage(string name)
    {
        foreach (var stage in Stages)
        {
            if (string.Equals(stage.Name, name, StringComparison.Ordinal))
            {
                return stage;
            }
        }

        return null;
    }

    /// <summary>The bottlenecks in the reference text form, e.g. <c>["retrieval (45.0%)"]</c>.</summary>
    public IReadOnlyList<string> BottleneckTexts => Bottlenecks.Select(b => b.ToString()).ToArray();

    /// <summary>A one-line description: name, id, total time, status and bottlenecks.</summary>
    public override string ToString() =>
        $"{RequestName} {RequestId}: {TotalTime.TotalSeconds:F3}s {Status.ToLogText()}" +
        (Bottlenecks.Count > 0 ? " bottlenecks: " + string.Join(", ", BottleneckTexts) : string.Empty);
}
