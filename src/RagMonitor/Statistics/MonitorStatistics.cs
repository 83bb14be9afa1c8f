using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace RagMonitor;

/// <summary>
/// A snapshot of a monitor's live statistics (<see cref="PerformanceMonitor.GetStatistics"/>): per request name
/// and per stage, over the monitor's lifetime and over the sliding window; the monitor's counters; and process
/// figures (CPU, memory, GC). Immutable once taken.
/// </summary>
/// <remarks>
/// Durations are the ones in each <see cref="RequestSummary"/>: a request's total time, and for a stage the summed
/// duration of its calls within one request. Percentiles are accurate to within
/// <see cref="DurationHistogram.MaxRelativeError"/>; counts, means, minimums and maximums are exact. A request is
/// counted when it ends, in the sub-window of its end time.
/// </remarks>
public sealed class MonitorStatistics
{
    internal MonitorStatistics(
        MonitorCounters counters,
        DateTimeOffset timestamp,
        TimeSpan window,
        IReadOnlyList<RequestStatistics> requests,
        IReadOnlyList<StageStatistics> stages,
        ProcessStatistics process)
    {
        Counters = counters;
        Timestamp = timestamp;
        Window = window;
        Requests = requests;
        Stages = stages;
        Process = process;
    }

    /// <summary>The monitor's counters.</summary>
    public MonitorCounters Counters { get; }

    /// <summary>When the snapshot was taken (on the monitor's <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The length of the sliding window (<see cref="PerformanceMonitorOptions.StatisticsWindow"/>); see <see cref="StatisticsPeriod.Window"/>.</summary>
    public TimeSpan Window { get; }

    /// <summary>Per request name, in the order the names were first seen, each with its stages.</summary>
    public IReadOnlyList<RequestStatistics> Requests { get; }

    /// <summary>Per stage name across all request names, in the order the names were first seen (<see cref="StageStatistics.RequestName"/> is <see langword="null"/>).</summary>
    public IReadOnlyList<StageStatistics> Stages { get; }

    /// <summary>Process figures: CPU usage since the previous snapshot, working set, GC heap, allocations, collections.</summary>
    public ProcessStatistics Process { get; }

    /// <summary>Finds a request name (ordinal), or <see langword="null"/>.</summary>
    public RequestStatistics? FindRequest(string name)
    {
        foreach (var request in Requests)
        {
            if (string.Equals(request.Name, name, StringComparison.Ordinal))
            {
                return request;
            }
        }

        return null;
    }

    /// <summary>Finds a stage in the all-requests view (ordinal), or <see langword="null"/>.</summary>
    public StageStatistics? FindStage(string name)
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

    /// <summary>
    /// A plain-text table of one period: each request name with its stages indented beneath it, then the
    /// all-requests view of the stages. Columns: count, failures, cancelled, mean, p50, p90, p95, p99, max,
    /// share of request time, bottleneck count, and for request names the mean managed bytes allocated per
    /// request (process-wide, see <see cref="TimingStatistics.AllocatedBytes"/>).
    /// </summary>
    public string ToTable(StatisticsPeriod period = StatisticsPeriod.Lifetime)
    {
        var rows = new List<string[]>
        {
            new[] { period == StatisticsPeriod.Window ? "window (" + StatisticsFormat.Duration(Window) + ")" : "lifetime", "count", "fail", "cancel", "mean", "p50", "p90", "p95", "p99", "max", "share", "bottleneck", "alloc/req" },
        };

        foreach (var request in Requests)
        {
            rows.Add(Row(request.Name, request.Get(period)));
            foreach (var stage in request.Stages)
            {
                rows.Add(Row("  " + stage.Name, stage.Get(period)));
            }
        }

        if (Stages.Count > 0)
        {
            rows.Add(new[] { "all requests" });
            foreach (var stage in Stages)
            {
                rows.Add(Row("  " + stage.Name, stage.Get(period)));
            }
        }

        return Format(rows);
    }

    /// <summary>The lifetime and window tables, the process figures and the counters.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        builder.Append("RagMonitor statistics at ").Append(Timestamp.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append('\n');
        builder.Append(ToTable(StatisticsPeriod.Lifetime)).Append('\n');
        builder.Append(ToTable(StatisticsPeriod.Window)).Append('\n');
        builder.Append("process: ").Append(Process).Append('\n');
        var c = Counters;
        builder.Append(string.Create(CultureInfo.InvariantCulture,
            $"counters: in flight {c.RequestsInFlight}, completed {c.RequestsCompleted}, stages outside requests {c.StagesOutsideRequests}, callback failures {c.CallbackFailures}, internal errors {c.InternalErrors}, "));
        builder.Append(string.Create(CultureInfo.InvariantCulture,
            $"log records written {c.LogRecordsWritten}, dropped {c.LogRecordsDropped}, pending {c.LogRecordsPending}, write failures {c.LogWriteFailures}"));
        builder.Append('\n');
        return builder.ToString();
    }

    private static string[] Row(string name, TimingStatistics t) => new[]
    {
        name,
        t.Count.ToString(CultureInfo.InvariantCulture),
        t.Failures.ToString(CultureInfo.InvariantCulture),
        t.Cancelled.ToString(CultureInfo.InvariantCulture),
        StatisticsFormat.Duration(t.Mean),
        StatisticsFormat.Duration(t.P50),
        StatisticsFormat.Duration(t.P90),
        StatisticsFormat.Duration(t.P95),
        StatisticsFormat.Duration(t.P99),
        StatisticsFormat.Duration(t.Max),
        StatisticsFormat.Share(t.Share),
        t.BottleneckCount.ToString(CultureInfo.InvariantCulture),
        t.MeanAllocatedBytes is { } bytes ? StatisticsFormat.Bytes(bytes) : string.Empty,
    };

    private static string Format(List<string[]> rows)
    {
        var columns = 0;
        foreach (var row in rows)
        {
            columns = Math.Max(columns, row.Length);
        }

        var widths = new int[columns];
        foreach (var row in rows)
        {
            if (row.Length == 1)
            {
                continue;
            }

            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var builder = new StringBuilder();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                if (i == 0)
                {
                    builder.Append(row.Length == 1 ? row[0] : row[0].PadRight(widths[0]));
                }
                else
                {
                    builder.Append("  ").Append(row[i].PadLeft(widths[i]));
                }
            }

            builder.Append('\n');
        }

        return builder.ToString();
    }
}
