using System;
using System.Collections.Generic;

namespace RagMonitor;

/// <summary>Settings of a <see cref="PerformanceMonitor"/>. Every property has a sensible default.</summary>
public sealed class PerformanceMonitorOptions
{
    /// <summary>The default log directory, <c>./logs/performance</c> (as in the Python module this replaces).</summary>
    public const string DefaultLogDirectory = "./logs/performance";

    /// <summary>
    /// The longest request name, stage name, metadata key and error type kept, in UTF-16 characters (256). A longer one is
    /// cut and ends with <c>"…[truncated]"</c>; lone UTF-16 surrogates are replaced with U+FFFD. Names that become equal
    /// this way are the same stage (or key).
    /// </summary>
    public const int MaxNameLength = 256;

    /// <summary>The longest request id kept, in UTF-16 characters (256); a longer id is cut like a name (<see cref="MaxNameLength"/>) in the log and the summary.</summary>
    public const int MaxRequestIdLength = 256;

    /// <summary>When <see langword="false"/>, stages and requests cost next to nothing and nothing is recorded or written. Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where JSONL files are written. Default <see cref="DefaultLogDirectory"/>.</summary>
    public string LogDirectory { get; set; } = DefaultLogDirectory;

    /// <summary>When <see langword="false"/>, no JSONL files are written (statistics, alerts and events still work). Default <see langword="true"/>.</summary>
    public bool WriteLogs { get; set; } = true;

    /// <summary>Whether the date in a log file's name is the UTC date (default) or the local date.</summary>
    public bool UseUtcFileDates { get; set; } = true;

    /// <summary>Capacity of the sink's queue of finished requests; when full, records are dropped and counted. Default 65,536.</summary>
    public int QueueCapacity { get; set; } = 65_536;

    /// <summary>
    /// On Linux, whether the background writer keeps its log files from filling the page cache. Default <see langword="true"/>.
    /// </summary>
    /// <remarks>
    /// Every 8 MiB it appends to a file, the writer starts writing those bytes out to disk (without waiting for the disk)
    /// and asks the kernel to drop the bytes whose write-out it started the previous time from the page cache, so a log file
    /// holds about 16 MiB of memory instead of the size of the day's file (page cache counts toward a container's memory
    /// limit, and on virtual machines whose memory is backed on first use fresh pages make every append slower). Lines
    /// read later come from disk. Where this is not available (other systems, 32-bit processes, a file system that
    /// refuses it) nothing changes.
    /// </remarks>
    public bool ReleaseWrittenLogPages { get; set; } = true;

    /// <summary>How often the background writer drains the queue. Default 10 ms.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>A stage is a bottleneck when its share of the request's total time is strictly more than this (0–1). Default 0.30.</summary>
    public double BottleneckShareThreshold { get; set; } = 0.30;

    /// <summary>Optional absolute thresholds per stage name: a stage that takes longer is flagged as a bottleneck.</summary>
    public IDictionary<string, TimeSpan> StageDurationThresholds => _stageDurationThresholds;

    private Dictionary<string, TimeSpan> _stageDurationThresholds = new(StringComparer.Ordinal);

    /// <summary>When <see langword="true"/> (default), a stage slower than its own recent p95 is flagged (after <see cref="AdaptiveWarmupCount"/> observations).</summary>
    public bool AdaptiveBottlenecks { get; set; } = true;

    /// <summary>How many observations of a stage the adaptive rule needs before it flags anything. Default 50.</summary>
    public int AdaptiveWarmupCount { get; set; } = 50;

    /// <summary>A request slower than this raises a slow-request alert. Default 10 s (as in the reference). <see langword="null"/> disables it.</summary>
    public TimeSpan? SlowRequestThreshold { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether a bottleneck raises an alert. Default <see langword="true"/>.</summary>
    public bool AlertOnBottlenecks { get; set; } = true;

    /// <summary>The length of the sliding window of the live statistics. Default 5 minutes.</summary>
    public TimeSpan StatisticsWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Metadata string values longer than this (in UTF-16 characters) are truncated and marked with <c>"…[truncated]"</c>. Default 1,024.</summary>
    public int MaxMetadataValueLength { get; set; } = 1024;

    /// <summary>Whether each request measures the process's allocated bytes and GC collections while it runs. Default <see langword="true"/>.</summary>
    public bool MeasureResources { get; set; } = true;

    /// <summary>Delete log files whose file-name date is older than this many days (on day roll-over). <see langword="null"/> (default) keeps everything.</summary>
    public int? RetentionDays { get; set; }

    /// <summary>Gzip log files whose file-name date is older than this many days (on day roll-over). <see langword="null"/> (default) never archives.</summary>
    public int? ArchiveAfterDays { get; set; }

    /// <summary>How long finished requests started with the explicit API stay readable through <see cref="PerformanceMonitor.GetSummary(string)"/>. Default 1 minute (bounded to 1,024 entries).</summary>
    public TimeSpan CompletedSummaryRetention { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How many requests started with <see cref="PerformanceMonitor.StartRequest(string, string?)"/> may be in flight at
    /// once. When a new one would exceed it, the oldest in flight is abandoned: forgotten, counted
    /// (<see cref="MonitorCounters.RequestsAbandoned"/>), logged once, and not written. Default 10,000.
    /// </summary>
    public int MaxRequestsInFlight { get; set; } = 10_000;

    /// <summary>Validates the settings and throws <see cref="ArgumentException"/> describing the first bad one.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(LogDirectory))
        {
            throw new ArgumentException("LogDirectory must not be empty.", nameof(LogDirectory));
        }

        if (QueueCapacity < 1)
        {
            throw new ArgumentException("QueueCapacity must be at least 1.", nameof(QueueCapacity));
        }

        if (FlushInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("FlushInterval must be positive.", nameof(FlushInterval));
        }

        if (double.IsNaN(BottleneckShareThreshold) || BottleneckShareThreshold < 0 || BottleneckShareThreshold > 1)
        {
            throw new ArgumentException("BottleneckShareThreshold must be between 0 and 1.", nameof(BottleneckShareThreshold));
        }

        if (AdaptiveWarmupCount < 1)
        {
            throw new ArgumentException("AdaptiveWarmupCount must be at least 1.", nameof(AdaptiveWarmupCount));
        }

        if (StatisticsWindow < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException("StatisticsWindow must be at least one second.", nameof(StatisticsWindow));
        }

        if (MaxMetadataValueLength < 16)
        {
            throw new ArgumentException("MaxMetadataValueLength must be at least 16.", nameof(MaxMetadataValueLength));
        }

        if (MaxRequestsInFlight < 1)
        {
            throw new ArgumentException("MaxRequestsInFlight must be at least 1.", nameof(MaxRequestsInFlight));
        }

        if (RetentionDays is < 0 || ArchiveAfterDays is < 0)
        {
            throw new ArgumentException("RetentionDays and ArchiveAfterDays must not be negative.");
        }
    }

    /// <summary>A copy of these settings.</summary>
    public PerformanceMonitorOptions Clone()
    {
        var copy = (PerformanceMonitorOptions)MemberwiseClone();
        copy._stageDurationThresholds = new Dictionary<string, TimeSpan>(_stageDurationThresholds, StringComparer.Ordinal);
        return copy;
    }
}
