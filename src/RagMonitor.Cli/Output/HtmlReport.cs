using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using RagMonitor.Cli.Analysis;

namespace RagMonitor.Cli.Output;

/// <summary>
/// Renders the self-contained HTML report: inline CSS and SVG only. A Content-Security-Policy of
/// <c>default-src 'none'</c> makes the browser refuse (and report) any script, font or request that might slip in.
/// </summary>
internal static class HtmlReport
{
    private const string Css = """
        :root { color-scheme: light; --fg: #1d2330; --muted: #5b6475; --line: #dde1e8; --bg: #ffffff; --panel: #f6f7f9; }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
        main { max-width: 1040px; margin: 0 auto; padding: 24px 24px 48px; }
        h1 { font-size: 24px; margin: 0 0 4px; }
        h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
        h3 { font-size: 15px; margin: 20px 0 6px; }
        p.note, .muted { color: var(--muted); font-size: 12.5px; }
        .facts { display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0 0; padding: 0; list-style: none; }
        .facts li { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
        .facts b { display: block; font-size: 16px; }
        table { border-collapse: collapse; width: 100%; margin: 6px 0 4px; font-variant-numeric: tabular-nums; }
        th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
        th { background: var(--panel); font-weight: 600; }
        th:first-child, td:first-child { text-align: left; }
        td.text { text-align: left; white-space: normal; word-break: break-all; }
        tr.total td { font-weight: 600; }
        .chart { width: 100%; height: auto; display: block; }
        .chart text { font-size: 11px; fill: var(--fg); }
        .chart .tick { fill: var(--muted); }
        .chart .axis-label { font-size: 12px; fill: var(--muted); }
        .chart .grid { stroke: #eceef2; stroke-width: 1; }
        .chart .axis { stroke: #9aa1ad; stroke-width: 1; }
        .chart .track { fill: #f0f1f4; }
        .chart .in-bar { fill: #ffffff; font-size: 11px; }
        .legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 4px 0 8px; font-size: 12px; }
        .legend .key svg { vertical-align: middle; margin-right: 4px; }
        .slow { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; margin: 10px 0; }
        .slow .head { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12.5px; }
        .slow .head b { font-size: 14px; }
        .status-failure { color: #b42318; }
        .status-cancelled { color: #b54708; }
        footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
        """;

    internal static string Render(SummaryModel model, TrendAnalysis trend, string title, DateTimeOffset generatedAt)
    {
        var stageColors = StageColors(model, trend);
        string Color(string stage) => stageColors.TryGetValue(stage, out string? c) ? c : SvgCharts.OtherColor;
        var html = new StringBuilder(64 * 1024);
        PerformanceLogReadStatistics s = model.Statistics;
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<meta name=\"generator\" content=\"ragmon\">\n");
        html.Append("<title>").Append(E(title)).Append("</title>\n<style>\n").Append(Css).Append("\n</style>\n</head>\n<body>\n<main>\n");
        html.Append("<h1>").Append(E(title)).Append("</h1>\n");
        html.Append("<p class=\"muted\">Covered period: <b id=\"period\">").Append(E(model.Period)).Append("</b> · selection: ").Append(E(model.Selection.Describe()))
            .Append(" · log directory <code>").Append(E(model.Selection.Directory)).Append("</code> · generated ").Append(E(DisplayFormat.Time(generatedAt))).Append("</p>\n");
        html.Append("<ul class=\"facts\">");
        Fact(html, "requests", DisplayFormat.Count(s.RecordsMatched));
        Fact(html, "request names", DisplayFormat.Count(model.Groups.Count));
        Fact(html, "log files", DisplayFormat.Count(s.FilesRead));
        Fact(html, "skipped lines", DisplayFormat.Count(s.LinesSkipped));
        if (model.Groups.Count > 0)
        {
            RequestAggregate overall = model.Analysis.Overall();
            Fact(html, "p50 / p95 total", $"{DisplayFormat.Duration(overall.Total.Quantile(0.5))} / {DisplayFormat.Duration(overall.Total.Quantile(0.95))}");
            Fact(html, "success rate", DisplayFormat.Percent(overall.SuccessRate));
        }

        html.Append("</ul>\n");
        if (s.RecordsMatched == 0)
        {
            html.Append("<p id=\"no-data\">No records match the selection.</p>\n");
        }

        AppendSummary(html, model);
        AppendModelCalls(html, model);
        AppendTrend(html, trend, Color);
        AppendBreakdown(html, model, trend, Color);
        AppendBottlenecks(html, model, Color);
        AppendSlowest(html, model, Color);
        html.Append("<footer>")
            .Append("Failed = ended with a failure or cancelled. Share = a stage's summed time / the summed request time. Bottleneck = share of the requests in which the stage was flagged (by default: more than 30 % of the request's time). ")
            .Append(E(model.PercentileNote)).Append(". Times are UTC. Made by ragmon.")
            .Append("</footer>\n</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendSummary(StringBuilder html, SummaryModel model)
    {
        html.Append("<section id=\"summary\">\n<h2>Summary</h2>\n");
        foreach ((RequestAggregate request, IReadOnlyList<SummaryRow> rows) in model.Groups)
        {
            html.Append("<h3>").Append(E(request.Name)).Append(" <span class=\"muted\">").Append(E(DisplayFormat.Count(request.Count))).Append(" requests, ")
                .Append(E(DisplayFormat.Percent(request.SuccessRate))).Append(" success</span></h3>\n");
            html.Append("<table><thead><tr><th>stage</th><th>count</th><th>failed</th><th>success</th><th>mean</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>max</th><th>share</th><th>bottleneck</th></tr></thead><tbody>\n");
            foreach (SummaryRow row in rows)
            {
                html.Append(row.IsTotal ? "<tr class=\"total\">" : "<tr>");
                Cell(html, row.Stage);
                Cell(html, DisplayFormat.Count(row.Count));
                Cell(html, DisplayFormat.Count(row.Failures + row.Cancelled));
                Cell(html, DisplayFormat.Percent(row.SuccessRate));
                Cell(html, DisplayFormat.Duration(row.Mean));
                Cell(html, DisplayFormat.Duration(row.P50));
                Cell(html, DisplayFormat.Duration(row.P90));
                Cell(html, DisplayFormat.Duration(row.P95));
                Cell(html, DisplayFormat.Duration(row.P99));
                Cell(html, DisplayFormat.Duration(row.Max));
                Cell(html, row.IsTotal ? string.Empty : DisplayFormat.Percent(row.Share));
                Cell(html, row.IsTotal ? string.Empty : DisplayFormat.Percent(row.BottleneckRate));
                html.Append("</tr>\n");
            }

            html.Append("</tbody></table>\n");
        }

        html.Append("</section>\n");
    }

    /// <summary>Tokens and time to first token of the stages whose logs carry them (model calls); nothing otherwise.</summary>
    private static void AppendModelCalls(StringBuilder html, SummaryModel model)
    {
        if (!model.HasModelCalls)
        {
            return;
        }

        html.Append("<section id=\"model-calls\">\n<h2>Model calls</h2>\n<table><thead><tr>");
        foreach (string header in SummaryWriter.ModelCallHeaders)
        {
            html.Append("<th>").Append(E(header)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>\n");
        foreach (SummaryRow row in model.Groups.SelectMany(g => g.Rows).Where(r => r.ModelCalls is not null))
        {
            html.Append("<tr>");
            foreach (string cell in SummaryWriter.ModelCallCells(row))
            {
                Cell(html, cell);
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody></table>\n</section>\n");
    }

    private static void AppendTrend(StringBuilder html, TrendAnalysis trend, Func<string, string> color)
    {
        html.Append("<section id=\"trend\">\n<h2>Trend</h2>\n");
        IReadOnlyList<TrendBucket> buckets = trend.Buckets();
        if (buckets.Count == 0)
        {
            html.Append("<p class=\"note\">No data.</p>\n</section>\n");
            return;
        }

        var series = new List<SvgCharts.LineSeries>();
        IReadOnlyList<TrendWriter.Line> lines = TrendWriter.Lines(trend);
        foreach (TrendWriter.Line line in lines)
        {
            var points = line.Times.Select((t, i) => (new DateTimeOffset(t, TimeSpan.Zero), line.Values[i])).ToList();
            series.Add(new SvgCharts.LineSeries($"{line.Series} {line.Statistic}", line.Series == TrendAnalysis.TotalSeries ? "#444444" : color(line.Series), line.Statistic == "p95", points));
        }

        DateTimeOffset start = buckets[0].Start;
        DateTimeOffset end = buckets[^1].Start + trend.BucketSize;
        html.Append("<p class=\"note\">p50 (solid) and p95 (dashed) of the request total and of each stage per ").Append(E(DisplayFormat.Span(trend.BucketSize))).Append(" bucket.</p>\n");
        html.Append(SvgCharts.LineChart(series, start, end, TrendWriter.UnitOf(lines))).Append('\n');
        html.Append("</section>\n");
    }

    private static void AppendBreakdown(StringBuilder html, SummaryModel model, TrendAnalysis trend, Func<string, string> color)
    {
        html.Append("<section id=\"breakdown\">\n<h2>Where the time goes</h2>\n");
        html.Append("<p class=\"note\">Mean time per request spent in each stage (stacked); \"other\" is request time outside any stage.</p>\n");
        var rows = new List<(string, IReadOnlyList<(string, string, double)>)>();
        foreach ((RequestAggregate request, _) in model.Groups)
        {
            if (request.Count == 0)
            {
                continue;
            }

            var segments = new List<(string, string, double)>();
            double stageSum = 0;
            foreach (StageAggregate stage in request.Stages)
            {
                double mean = stage.Durations.Sum / request.Count;
                stageSum += mean;
                segments.Add((stage.Name, color(stage.Name), mean));
            }

            double other = request.Total.Mean - stageSum;
            if (other > request.Total.Mean * 0.005)
            {
                segments.Add(("other", SvgCharts.OtherColor, other));
            }

            rows.Add((request.Name, segments));
        }

        html.Append(SvgCharts.StackedBars(rows, DisplayFormat.Duration)).Append('\n');
        IReadOnlyList<TrendBucket> buckets = trend.Buckets();
        var stages = trend.Series.Where(n => n != TrendAnalysis.TotalSeries).ToList();
        if (buckets.Count > 1 && stages.Count > 0)
        {
            html.Append("<h3>Per ").Append(E(DisplayFormat.Span(trend.BucketSize))).Append(" bucket</h3>\n");
            var columns = buckets.Select(b => (b.Start, (IReadOnlyList<double>)stages
                .Select(st => b.Requests > 0 && b.Find(st) is DurationSketch sk ? sk.Sum / b.Requests : 0).ToList())).ToList();
            html.Append(SvgCharts.StackedColumns(columns, stages.Select(st => (st, color(st))).ToList(), buckets[0].Start, buckets[^1].Start + trend.BucketSize)).Append('\n');
        }

        html.Append("</section>\n");
    }

    private static void AppendBottlenecks(StringBuilder html, SummaryModel model, Func<string, string> color)
    {
        html.Append("<section id=\"bottlenecks\">\n<h2>Bottleneck frequency</h2>\n");
        var bars = new List<(string, string, double, string)>();
        foreach ((RequestAggregate request, _) in model.Groups)
        {
            foreach (StageAggregate stage in request.Stages)
            {
                double rate = request.BottleneckRateOf(stage);
                string label = model.Groups.Count > 1 ? $"{request.Name} / {stage.Name}" : stage.Name;
                bars.Add((label, color(stage.Name), double.IsNaN(rate) ? 0 : rate,
                    $"{DisplayFormat.Percent(rate)} ({DisplayFormat.Count(stage.BottleneckCount)})"));
            }
        }

        bars.Sort((a, b) => b.Item3.CompareTo(a.Item3));
        if (bars.Count == 0)
        {
            html.Append("<p class=\"note\">No stages.</p>\n");
        }
        else
        {
            html.Append("<p class=\"note\">Share of requests in which the stage was flagged as a bottleneck.</p>\n");
            html.Append(SvgCharts.Bars(bars, 1)).Append('\n');
        }

        html.Append("</section>\n");
    }

    private static void AppendSlowest(StringBuilder html, SummaryModel model, Func<string, string> color)
    {
        IReadOnlyList<SlowRequest> slowest = model.Analysis.Slowest.Items;
        html.Append("<section id=\"slowest\">\n<h2>Slowest requests</h2>\n");
        if (slowest.Count == 0)
        {
            html.Append("<p class=\"note\">No requests.</p>\n</section>\n");
            return;
        }

        html.Append("<p class=\"note\">Stages are drawn back to back in the order they started (the log records each stage's summed time, not its start), on one time scale for all requests.</p>\n");
        double scale = slowest.Max(r => Math.Max(r.TotalSeconds, r.Stages.Sum(st => st.DurationSeconds)));
        int rank = 1;
        foreach (SlowRequest slow in slowest)
        {
            string statusClass = slow.Status == OperationStatus.Success ? string.Empty : $" class=\"status-{slow.Status.ToLogText()}\"";
            html.Append("<div class=\"slow\"><div class=\"head\"><b>#").Append(rank++.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(E(DisplayFormat.Duration(slow.TotalSeconds))).Append("</b>")
                .Append("<span>request <b>").Append(E(slow.Request)).Append("</b></span>")
                .Append("<span>id <code>").Append(E(slow.RequestId ?? "–")).Append("</code></span>")
                .Append("<span>").Append(E(DisplayFormat.Time(slow.Timestamp))).Append("</span>")
                .Append("<span").Append(statusClass).Append('>').Append(E(SummaryWriter.Status(slow.Status, slow.ErrorType))).Append("</span></div>\n");
            html.Append(SvgCharts.Waterfall(slow.Stages.Select(st => (st.Name, color(st.Name), st.DurationSeconds)).ToList(), slow.TotalSeconds, scale)).Append("</div>\n");
        }

        html.Append("</section>\n");
    }

    private static Dictionary<string, string> StageColors(SummaryModel model, TrendAnalysis trend)
    {
        var colors = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string stage)
        {
            if (!colors.ContainsKey(stage))
            {
                colors[stage] = SvgCharts.Color(colors.Count);
            }
        }

        foreach ((RequestAggregate request, _) in model.Groups)
        {
            foreach (StageAggregate stage in request.Stages)
            {
                Add(stage.Name);
            }
        }

        foreach (string series in trend.Series)
        {
            if (series != TrendAnalysis.TotalSeries)
            {
                Add(series);
            }
        }

        return colors;
    }

    private static void Fact(StringBuilder html, string label, string value)
        => html.Append("<li><b>").Append(E(value)).Append("</b>").Append(E(label)).Append("</li>");

    private static void Cell(StringBuilder html, string text) => html.Append("<td>").Append(E(text)).Append("</td>");

    private static string E(string text) => SvgCharts.Escape(text);
}
