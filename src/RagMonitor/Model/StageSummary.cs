using System;
using System.Collections.Generic;

namespace RagMonitor;

/// <summary>One stage of a finished (or in-flight) request: all calls of that stage name merged.</summary>
public sealed class StageSummary
{
    /// <summary>Creates a stage summary.</summary>
    public StageSummary(
        string name,
        TimeSpan duration,
        int calls,
        double share,
        OperationStatus status,
        string? errorType,
        IReadOnlyList<KeyValuePair<string, MetadataValue>> metadata)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Duration = duration;
        Calls = calls;
        Share = share;
        Status = status;
        ErrorType = errorType;
        Metadata = metadata ?? Array.Empty<KeyValuePair<string, MetadataValue>>();
    }

    /// <summary>The stage name.</summary>
    public string Name { get; }

    /// <summary>The summed duration of every call of this stage in the request.</summary>
    public TimeSpan Duration { get; }

    /// <summary>How many times the stage was called in the request.</summary>
    public int Calls { get; }

    /// <summary>The stage's duration as a fraction (0–1) of the request's total time; 0 when the total is 0.</summary>
    public double Share { get; }

    /// <summary>The worst status of the calls (failure over cancelled over success).</summary>
    public OperationStatus Status { get; }

    /// <summary>The exception type name of the first failed call, if any.</summary>
    public string? ErrorType { get; }

    /// <summary>Metadata attached to the stage, in the order it was added (a later value for a key replaces an earlier one).</summary>
    public IReadOnlyList<KeyValuePair<string, MetadataValue>> Metadata { get; }
}
