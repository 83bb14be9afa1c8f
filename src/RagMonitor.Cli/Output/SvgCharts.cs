using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;

namespace RagMonitor.Cli.Output;

/// <summary>Small inline-SVG charts for the HTML report (no scripts, no external resources).</summary>
internal static class SvgCharts
{
    /// <summary>Colour-blind-friendly palette (Okabe–Ito plus greys), stable per series index.</summary>
    internal static readonly string[] Palette = { "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#999999", "#8C564B" };

    internal const string OtherColor = "#C8C8C8";

    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    internal static string Color(int index) => Palette[index % Palette.Length];

    internal static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string N(double value) => value.ToString("0.##", s_invariant);

    /// <summary>A line series of the trend chart.</summary>
    internal sealed record LineSeries(string Label, string Color, bool Dashed, IReadOnlyList<(DateTimeOffset Time, double Value)> Points);

    /// <summary>A time-series line chart with a time x axis, a duration y axis in <paramref name="unit"/> and a legend.</summary>
    internal static string LineChart(IReadOnlyList<LineSeries> series, DateTimeOffset start, DateTimeOffset end, DurationUnit unit, int width = 960, int height = 380)
    {
        string yLabel = unit.Label("Duration");
        const int left = 70, right = 40, top = 16, bottom = 48;
        int plotW = width - left - right;
        int plotH = height - top - bottom;
        double maxY = series.SelectMany(s => s.Points).Select(p => p.Value).DefaultIfEmpty(0).Max();
        (double yMax, double yStep) = NiceScale(maxY);
        double span = Math.Max(1, (end - start).TotalSeconds);
        double X(DateTimeOffset t) => left + ((t - start).TotalSeconds / span * plotW);
        double Y(double v) => top + plotH - (v / yMax * plotH);

        var svg = new StringBuilder();
        svg.Append(s_invariant, $"<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{Escape(yLabel)} over time\">");
        AppendYAxis(svg, left, top, plotW, plotH, yMax, yStep, unit, "Duration");
        foreach ((DateTimeOffset tick, string label) in TimeTicks(start, end, 8))
        {
            double x = X(tick);
            svg.Append(s_invariant, $"<line x1=\"{N(x)}\" y1=\"{top}\" x2=\"{N(x)}\" y2=\"{top + plotH}\" class=\"grid\"/>");
            svg.Append(s_invariant, $"<text x=\"{N(x)}\" y=\"{top + plotH + 16}\" text-anchor=\"middle\" class=\"tick\">{Escape(label)}</text>");
        }

        svg.Append(s_invariant, $"<text x=\"{left + (plotW / 2)}\" y=\"{height - 6}\" text-anchor=\"middle\" class=\"axis-label\">Time (UTC)</text>");
        foreach (LineSeries s in series)
        {
            if (s.Points.Count == 0)
            {
                continue;
            }

            string dash = s.Dashed ? " stroke-dasharray=\"6 4\"" : string.Empty;
            svg.Append(s_invariant, $"<polyline fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"{(s.Dashed ? 1.5 : 2)}\"{dash} points=\"");
            foreach ((DateTimeOffset time, double value) in s.Points)
            {
                svg.Append(s_invariant, $"{N(X(time))},{N(Y(value))} ");
            }

            svg.Append("\"/>");
            if (s.Points.Count <= 120)
            {
                foreach ((DateTimeOffset time, double value) in s.Points)
                {
                    svg.Append(s_invariant, $"<circle cx=\"{N(X(time))}\" cy=\"{N(Y(value))}\" r=\"2.5\" fill=\"{s.Color}\"><title>{Escape(s.Label)} {Escape(DisplayFormat.Time(time))}: {Escape(DisplayFormat.Duration(value))}</title></circle>");
                }
            }
        }

        svg.Append("</svg>");
        return svg.ToString() + Legend(series.Select(s => (s.Label, s.Color, s.Dashed)));
    }

    /// <summary>Stacked columns (one per time bucket) of the mean time per request spent in each stage.</summary>
    internal static string StackedColumns(IReadOnlyList<(DateTimeOffset Start, IReadOnlyList<double> Values)> columns, IReadOnlyList<(string Label, string Color)> stages, DateTimeOffset start, DateTimeOffset end, int width = 960, int height = 320)
    {
        const int left = 70, right = 40, top = 16, bottom = 48;
        int plotW = width - left - right;
        int plotH = height - top - bottom;
        double maxY = columns.Select(c => c.Values.Sum()).DefaultIfEmpty(0).Max();
        (double yMax, double yStep) = NiceScale(maxY);
        double span = Math.Max(1, (end - start).TotalSeconds);
        double columnW = Math.Max(1, (plotW / (double)Math.Max(1, columns.Count)) - 1);
        var svg = new StringBuilder();
        svg.Append(s_invariant, $"<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"mean stage time per bucket\">");
        AppendYAxis(svg, left, top, plotW, plotH, yMax, yStep, DurationUnit.For(maxY), "Mean time per request");
        foreach ((DateTimeOffset tick, string label) in TimeTicks(start, end, 8))
        {
            double x = left + ((tick - start).TotalSeconds / span * plotW);
            svg.Append(s_invariant, $"<text x=\"{N(x)}\" y=\"{top + plotH + 16}\" text-anchor=\"middle\" class=\"tick\">{Escape(label)}</text>");
        }

        svg.Append(s_invariant, $"<text x=\"{left + (plotW / 2)}\" y=\"{height - 6}\" text-anchor=\"middle\" class=\"axis-label\">Time (UTC)</text>");
        for (int i = 0; i < columns.Count; i++)
        {
            double x = left + (i * plotW / (double)columns.Count);
            double y = top + plotH;
            for (int s = 0; s < stages.Count && s < columns[i].Values.Count; s++)
            {
                double value = columns[i].Values[s];
                if (value <= 0)
                {
                    continue;
                }

                double h = value / yMax * plotH;
                y -= h;
                svg.Append(s_invariant, $"<rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(columnW)}\" height=\"{N(h)}\" fill=\"{stages[s].Color}\"><title>{Escape(DisplayFormat.Time(columns[i].Start))} {Escape(stages[s].Label)}: {Escape(DisplayFormat.Duration(value))}</title></rect>");
            }
        }

        svg.Append("</svg>");
        return svg.ToString() + Legend(stages.Select(s => (s.Label, s.Color, false)));
    }

    /// <summary>One horizontal stacked bar per row (for example per request name: mean time per stage).</summary>
    internal static string StackedBars(IReadOnlyList<(string Label, IReadOnlyList<(string Segment, string Color, double Value)> Segments)> rows, Func<double, string> format, int width = 960)
    {
        const int left = 160, right = 90, barH = 26, gap = 12, top = 8;
        int plotW = width - left - right;
        double max = rows.Select(r => r.Segments.Sum(s => s.Value)).DefaultIfEmpty(0).Max();
        if (max <= 0)
        {
            max = 1;
        }

        int height = top + (rows.Count * (barH + gap)) + 8;
        var svg = new StringBuilder();
        svg.Append(s_invariant, $"<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"stacked breakdown\">");
        for (int r = 0; r < rows.Count; r++)
        {
            double y = top + (r * (barH + gap));
            svg.Append(s_invariant, $"<text x=\"{left - 8}\" y=\"{N(y + (barH / 2.0) + 4)}\" text-anchor=\"end\" class=\"label\">{Escape(Shorten(rows[r].Label, 24))}</text>");
            double x = left;
            foreach ((string segment, string color, double value) in rows[r].Segments)
            {
                if (value <= 0)
                {
                    continue;
                }

                double w = value / max * plotW;
                svg.Append(s_invariant, $"<rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(w)}\" height=\"{barH}\" fill=\"{color}\"><title>{Escape(rows[r].Label)} – {Escape(segment)}: {Escape(format(value))}</title></rect>");
                if (w > 60)
                {
                    svg.Append(s_invariant, $"<text x=\"{N(x + 4)}\" y=\"{N(y + (barH / 2.0) + 4)}\" class=\"in-bar\">{Escape(Shorten(segment, (int)(w / 7)))}</text>");
                }

                x += w;
            }

            svg.Append(s_invariant, $"<text x=\"{N(x + 6)}\" y=\"{N(y + (barH / 2.0) + 4)}\" class=\"value\">{Escape(format(rows[r].Segments.Sum(s => s.Value)))}</text>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Horizontal bars with a value label (for example bottleneck frequency).</summary>
    internal static string Bars(IReadOnlyList<(string Label, string Color, double Value, string Text)> bars, double max, int width = 960)
    {
        const int left = 220, right = 90, barH = 20, gap = 8, top = 8;
        int plotW = width - left - right;
        int height = top + (bars.Count * (barH + gap)) + 8;
        if (max <= 0)
        {
            max = 1;
        }

        var svg = new StringBuilder();
        svg.Append(s_invariant, $"<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"bars\">");
        for (int i = 0; i < bars.Count; i++)
        {
            double y = top + (i * (barH + gap));
            double w = Math.Max(0, bars[i].Value / max * plotW);
            svg.Append(s_invariant, $"<text x=\"{left - 8}\" y=\"{N(y + 14)}\" text-anchor=\"end\" class=\"label\">{Escape(Shorten(bars[i].Label, 32))}</text>");
            svg.Append(s_invariant, $"<rect x=\"{left}\" y=\"{N(y)}\" width=\"{N(plotW)}\" height=\"{barH}\" class=\"track\"/>");
            svg.Append(s_invariant, $"<rect x=\"{left}\" y=\"{N(y)}\" width=\"{N(w)}\" height=\"{barH}\" fill=\"{bars[i].Color}\"><title>{Escape(bars[i].Label)}: {Escape(bars[i].Text)}</title></rect>");
            svg.Append(s_invariant, $"<text x=\"{left + plotW + 6}\" y=\"{N(y + 14)}\" class=\"value\">{Escape(bars[i].Text)}</text>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>
    /// A waterfall of one request's stages: the log has each stage's summed duration in start order but not its
    /// start offset, so stages are drawn back to back; the rest of the total (time outside any stage, or overlap
    /// when stages ran in parallel) is shown as "other".
    /// </summary>
    internal static string Waterfall(IReadOnlyList<(string Stage, string Color, double Seconds)> stages, double total, double scaleMax, int width = 960)
    {
        const int left = 160, right = 90, barH = 16, gap = 4, top = 4;
        int plotW = width - left - right;
        if (scaleMax <= 0)
        {
            scaleMax = 1;
        }

        double stageSum = stages.Sum(s => s.Seconds);
        bool hasOther = total - stageSum > total * 0.005;
        int rows = stages.Count + (hasOther ? 1 : 0) + 1;
        int height = top + (rows * (barH + gap)) + 4;
        var svg = new StringBuilder();
        svg.Append(s_invariant, $"<svg class=\"chart waterfall\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"stage waterfall\">");
        double offset = 0;
        int row = 0;
        void Bar(string label, string color, double from, double seconds, string css)
        {
            double y = top + (row * (barH + gap));
            double x = left + (from / scaleMax * plotW);
            double w = Math.Max(1, seconds / scaleMax * plotW);
            svg.Append(s_invariant, $"<text x=\"{left - 8}\" y=\"{N(y + 12)}\" text-anchor=\"end\" class=\"label\">{Escape(Shorten(label, 24))}</text>");
            svg.Append(s_invariant, $"<rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(w)}\" height=\"{barH}\" fill=\"{color}\" class=\"{css}\"><title>{Escape(label)}: {Escape(DisplayFormat.Duration(seconds))} (from +{Escape(DisplayFormat.Duration(from))})</title></rect>");
            svg.Append(s_invariant, $"<text x=\"{N(Math.Min(x + w + 6, width - 4))}\" y=\"{N(y + 12)}\" class=\"value\"{(x + w + 70 > width ? " text-anchor=\"end\"" : string.Empty)}>{Escape(DisplayFormat.Duration(seconds))}</text>");
            row++;
        }

        Bar("total", "#444444", 0, total, "total");
        foreach ((string stage, string color, double seconds) in stages)
        {
            Bar(stage, color, offset, seconds, "stage");
            offset += seconds;
        }

        if (hasOther)
        {
            Bar("other (outside stages)", OtherColor, offset, total - stageSum, "other");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    internal static string Legend(IEnumerable<(string Label, string Color, bool Dashed)> items)
    {
        var html = new StringBuilder("<div class=\"legend\">");
        foreach ((string label, string color, bool dashed) in items)
        {
            html.Append(s_invariant, $"<span class=\"key\"><svg width=\"26\" height=\"10\" aria-hidden=\"true\"><line x1=\"1\" y1=\"5\" x2=\"25\" y2=\"5\" stroke=\"{color}\" stroke-width=\"{(dashed ? 2 : 4)}\"{(dashed ? " stroke-dasharray=\"5 3\"" : string.Empty)}/></svg>{Escape(label)}</span>");
        }

        html.Append("</div>");
        return html.ToString();
    }

    private static void AppendYAxis(StringBuilder svg, int left, int top, int plotW, int plotH, double yMax, double yStep, DurationUnit unit, string quantity)
    {
        string label = unit.Label(quantity);
        for (double v = 0; v <= yMax + (yStep / 2); v += yStep)
        {
            double y = top + plotH - (v / yMax * plotH);
            svg.Append(s_invariant, $"<line x1=\"{left}\" y1=\"{N(y)}\" x2=\"{left + plotW}\" y2=\"{N(y)}\" class=\"grid\"/>");
            svg.Append(s_invariant, $"<text x=\"{left - 6}\" y=\"{N(y + 4)}\" text-anchor=\"end\" class=\"tick\">{Escape(v == 0 ? "0" : unit.Number(v))}</text>");
        }

        svg.Append(s_invariant, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{top + plotH}\" class=\"axis\"/>");
        svg.Append(s_invariant, $"<line x1=\"{left}\" y1=\"{top + plotH}\" x2=\"{left + plotW}\" y2=\"{top + plotH}\" class=\"axis\"/>");
        svg.Append(s_invariant, $"<text transform=\"translate(14 {top + (plotH / 2)}) rotate(-90)\" text-anchor=\"middle\" class=\"axis-label\">{Escape(label)}</text>");
    }

    /// <summary>A "nice" axis maximum and step (1, 2 or 5 × 10^k) with about five steps.</summary>
    internal static (double Max, double Step) NiceScale(double max)
    {
        if (!(max > 0) || double.IsInfinity(max))
        {
            return (1, 0.2);
        }

        double rough = max / 5;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double residual = rough / magnitude;
        double step = residual <= 1 ? magnitude : residual <= 2 ? 2 * magnitude : residual <= 5 ? 5 * magnitude : 10 * magnitude;
        return (Math.Ceiling(max / step) * step, step);
    }

    /// <summary>Evenly spaced, rounded time ticks with compact labels.</summary>
    internal static IEnumerable<(DateTimeOffset Tick, string Label)> TimeTicks(DateTimeOffset start, DateTimeOffset end, int maxTicks)
    {
        TimeSpan range = end - start;
        if (range <= TimeSpan.Zero)
        {
            yield break;
        }

        TimeSpan[] steps =
        {
            TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50),
            TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1),
            TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromDays(1), TimeSpan.FromDays(2),
            TimeSpan.FromDays(7), TimeSpan.FromDays(14), TimeSpan.FromDays(30), TimeSpan.FromDays(91), TimeSpan.FromDays(365),
        };
        TimeSpan step = steps.FirstOrDefault(s => range.Ticks / s.Ticks <= maxTicks, steps[^1]);
        long first = ((start.UtcTicks + step.Ticks - 1) / step.Ticks) * step.Ticks;
        bool withDate = step >= TimeSpan.FromDays(1) || range > TimeSpan.FromDays(1);
        bool withTime = step < TimeSpan.FromDays(1);
        for (long t = first; t <= end.UtcTicks; t += step.Ticks)
        {
            var tick = new DateTimeOffset(t, TimeSpan.Zero);
            string clock = step < TimeSpan.FromSeconds(1) ? "HH:mm:ss.fff" : step < TimeSpan.FromMinutes(1) ? "HH:mm:ss" : "HH:mm";
            string label = withDate && withTime ? tick.ToString("MM-dd " + clock, s_invariant) : withDate ? tick.ToString("yyyy-MM-dd", s_invariant) : tick.ToString(clock, s_invariant);
            yield return (tick, label);
        }
    }

    private static string Shorten(string text, int max)
        => max < 2 ? string.Empty : text.Length <= max ? text : text[..(max - 1)] + "…";
}
