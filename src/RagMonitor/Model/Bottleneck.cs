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
        _reason = reason ?? string.Empty;
    }

    /// <summary>Creates a bottleneck whose reason text is formatted only when first read (keeps number formatting off the request's thread).</summary>
    internal Bottleneck(string stage, double share, BottleneckRule rule, TimeSpan duration, double limit)
    {
        Stage = stage;
        Share = share;
        Rule = rule;
        _duration = duration;
        _limit = limit;
    }

    private readonly TimeSpan _duration;
    private readonly double _limit;
    private string? _reason;

    /// <summary>The stage name.</summary>
    public string Stage { get; }

    /// <summary>The stage's share (0–1) of the request's total time.</summary>
    public double Share { get; }

    /// <summary>The rule that flagged it.</summary>
    public BottleneckRule Rule { get; }

    /// <summary>A human-readable reason, e.g. <c>"45.0% of total time (threshold 30.0%)"</c>.</summary>
    public string Reason => _reason ??= Rule switch
    {
        BottleneckRule.Share => string.Create(CultureInfo.InvariantCulture, $"{Share * 100:F1}% of the request's time (threshold {_limit * 100:F1}%)"),
        BottleneckRule.AbsoluteThreshold => string.Create(CultureInfo.InvariantCulture, $"took {_duration.TotalMilliseconds:F1} ms (threshold {_limit:F1} ms)"),
        _ => string.Create(CultureInfo.InvariantCulture, $"took {_duration.TotalMilliseconds:F1} ms, slower than its recent p95 of {_limit:F1} ms"),
    };

    /// <summary>The reference text form, <c>"retrieval (45.0%)"</c> (share with one decimal).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Stage} ({Share * 100:F1}%)");
}
