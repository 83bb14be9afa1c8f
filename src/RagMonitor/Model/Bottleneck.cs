using System;
using System.Globalization;

namespace RagMonitor;

/// <summary>Which rule flagged a stage as a bottleneck.</summary>
public enum BottleneckRule
{
    /// <summary>The stage took strictly more than the configured share (default 30 %) of the request's total time.</summary>
    Share = 0,

    /// <summary>The stage took longer than the absolute threshold configured for it.</summary>
    AbsoluteThreshold = 1,

    /// <summary>The stage was slower than its own recent p95 (after the warm-up count).</summary>
    Adaptive = 2,
}

/// <summary>A stage flagged as a bottleneck of one request.</summary>
public sealed class Bottleneck
{
    /// <summary>Creates a bottleneck.</summary>
    public Bottleneck(string stage, double share, BottleneckRule rule, string reason)
    {
        Stage = stage ?? throw new ArgumentNullException(nameof(stage));
        Share = share;
        Rule = rule;
        Reason = reason ?? string.Empty;
    }

    /// <summary>The stage name.</summary>
    public string Stage { get; }

    /// <summary>The stage's share (0–1) of the request's total time.</summary>
    public double Share { get; }

    /// <summary>The rule that flagged it.</summary>
    public BottleneckRule Rule { get; }

    /// <summary>A human-readable reason, e.g. <c>"45.0% of total time (threshold 30.0%)"</c>.</summary>
    public string Reason { get; }

    /// <summary>The reference text form, <c>"retrieval (45.0%)"</c> (share with one decimal).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Stage} ({Share * 100:F1}%)");
}
