using System;
using System.Collections.Generic;
using RagMonitor.Cli.Analysis;

namespace RagMonitor.Cli.Output;

/// <summary>One row of a summary: the request total (<see cref="IsTotal"/>) or one stage.</summary>
internal sealed record SummaryRow(
    string Request,
    string Stage,
    bool IsTotal,
    long Count,
    long Failures,
    long Cancelled,
    double SuccessRate,
    double Mean,
    double P50,
    double P90,
    double P95,
    double P99,
    double Max,
    double Share,
    long BottleneckCount,
    double BottleneckRate,
    bool Exact,
    ModelCallFigures? ModelCalls = null)
{
    /// <summary>The row's value of a metric name used by budgets (<c>p50</c>, <c>p90</c>, <c>p95</c>, <c>p99</c>, <c>max</c>, <c>mean</c>, <c>failure_rate</c>, <c>bottleneck_rate</c>, <c>share</c>).</summary>
    internal double? Metric(string metric) => metric switch
    {
        "p50" or "median" => P50,
        "p90" => P90,
        "p95" => P95,
        "p99" => P99,
        "max" => Max,
        "mean" or "avg" => Mean,
        "failure_rate" => Count == 0 ? double.NaN : (double)(Failures + Cancelled) / Count,
        "bottleneck_rate" => IsTotal ? null : BottleneckRate,
        "share" => IsTotal ? null : Share,
        _ => null,
    };
}

/// <summary>Everything a summary shows, computed once from a <see cref="LogAnalysis"/>.</summary>
internal sealed class SummaryModel
{
    internal const string TotalStage = "total";

    private SummaryModel(LogSelection selection, PerformanceLogReadStatistics statistics, LogAnalysis analysis)
    {
        Selection = selection;
        Statistics = statistics;
        Analysis = analysis;
        var groups = new List<(RequestAggregate, IReadOnlyList<SummaryRow>)>();
        foreach (RequestAggregate request in analysis.Requests)
        {
            groups.Add((request, Rows(request)));
        }

        Groups = groups;
    }

    internal LogSelection Selection { get; }

    internal PerformanceLogReadStatistics Statistics { get; }

    internal LogAnalysis Analysis { get; }

    internal IReadOnlyList<(RequestAggregate Request, IReadOnlyList<SummaryRow> Rows)> Groups { get; }

    internal bool AllExact
    {
        get
        {
            foreach ((_, IReadOnlyList<SummaryRow> rows) in Groups)
            {
                foreach (SummaryRow row in rows)
                {
                    if (!row.Exact)
                    {
                        return false;
                    }
                }
            }

            return true;
        }
    }

    internal string PercentileNote => AllExact
        ? "percentiles are exact (linear interpolation between closest ranks)"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"percentiles of series with more than {DurationSketch.DefaultExactLimit:N0} values come from a log-linear histogram (within about 0.4 %); the others are exact");

    internal static SummaryModel Build(LogSelection selection, PerformanceLogReadStatistics statistics, LogAnalysis analysis) => new(selection, statistics, analysis);

    internal static IReadOnlyList<SummaryRow> Rows(RequestAggregate request)
    {
        var rows = new List<SummaryRow>(request.Stages.Length + 1)
        {
            Row(request.Name, TotalStage, true, request.Total, request.Count, request.Failures, request.Cancelled, 1, 0, double.NaN),
        };
        foreach (StageAggregate stage in request.Stages)
        {
            rows.Add(Row(request.Name, stage.Name, false, stage.Durations, stage.Count, stage.Failures, stage.Cancelled,
                request.ShareOf(stage), stage.BottleneckCount, request.BottleneckRateOf(stage)) with { ModelCalls = stage.ModelCalls });
        }

        return rows;
    }

    private static SummaryRow Row(string request, string stage, bool isTotal, DurationSketch sketch, long count, long failures, long cancelled, double share, long bottlenecks, double bottleneckRate)
        => new(request, stage, isTotal, count, failures, cancelled,
            count == 0 ? double.NaN : (double)(count - failures - cancelled) / count,
            sketch.Mean, sketch.Quantile(0.50), sketch.Quantile(0.90), sketch.Quantile(0.95), sketch.Quantile(0.99),
            count == 0 ? double.NaN : sketch.Max, share, bottlenecks, bottleneckRate, sketch.IsExact);

    /// <summary>Whether any stage carries tokens or time to first token (then the outputs show the model-call figures).</summary>
    internal bool HasModelCalls
    {
        get
        {
            foreach ((_, IReadOnlyList<SummaryRow> rows) in Groups)
            {
                foreach (SummaryRow row in rows)
                {
                    if (row.ModelCalls is not null)
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }

    internal string Period => Statistics.FirstTimestamp is DateTimeOffset first && Statistics.LastTimestamp is DateTimeOffset last
        ? DisplayFormat.Time(first) + " – " + DisplayFormat.Time(last)
        : "no records";
}
