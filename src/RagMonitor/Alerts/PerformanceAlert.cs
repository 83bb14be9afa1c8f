using System;

namespace RagMonitor;

/// <summary>What an alert is about.</summary>
public enum PerformanceAlertKind
{
    /// <summary>A request took longer than <see cref="PerformanceMonitorOptions.SlowRequestThreshold"/>.</summary>
    SlowRequest = 0,

    /// <summary>A request had one or more bottleneck stages.</summary>
    Bottleneck = 1,
}

/// <summary>An alert raised by <see cref="PerformanceMonitor.AlertRaised"/>.</summary>
public sealed class PerformanceAlert
{
    /// <summary>Creates an alert.</summary>
    public PerformanceAlert(PerformanceAlertKind kind, string message, RequestSummary summary)
    {
        Kind = kind;
        Message = message ?? throw new ArgumentNullException(nameof(message));
        Summary = summary ?? throw new ArgumentNullException(nameof(summary));
    }

    /// <summary>What the alert is about.</summary>
    public PerformanceAlertKind Kind { get; }

    /// <summary>A human-readable description.</summary>
    public string Message { get; }

    /// <summary>The request that raised it.</summary>
    public RequestSummary Summary { get; }

    /// <inheritdoc />
    public override string ToString() => Message;
}
