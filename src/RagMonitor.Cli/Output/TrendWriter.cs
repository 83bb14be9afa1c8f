using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using RagMonitor.Cli.Analysis;

namespace RagMonitor.Cli.Output;

/// <summary>Writes a <see cref="TrendAnalysis"/> as a ScottPlot chart (PNG/SVG) or as a sparkline table.</summary>
internal static class TrendWriter
{
    private const string Blocks = "▁▂▃▄▅▆▇█";

    /// <summary>One line of the chart: the p50 or p95 of a series over the non-empty buckets.</summary>
    internal sealed record Line(string Series, string Statistic, DateTime[] Times, double[] Values);

    internal static IReadOnlyList<Line> Lines(TrendAnalysis trend)
    {
        IReadOnlyList<TrendBucket> buckets = trend.Buckets();
        var lines = new List<Line>();
        foreach (string series in trend.Series)
        {
            foreach ((string name, double q) in new[] { ("p50", 0.50), ("p95", 0.95) })
            {
                var times = new List<DateTime>();
                var values = new List<double>();
                foreach (TrendBucket bucket in buckets)
                {
                    if (bucket.Find(series) is DurationSketch sketch && sketch.Count > 0)
                    {
                        times.Add((bucket.Start + (trend.BucketSize / 2)).UtcDateTime);
                        values.Add(sketch.Quantile(q));
                    }
                }

                if (values.Count > 0)
                {
                    lines.Add(new Line(series, name, times.ToArray(), values.ToArray()));
                }
            }
        }

        return lines;
    }

    /// <summary>The unit every rendering of a trend uses (PNG, SVG, terminal, HTML): from its largest plotted value.</summary>
    internal static DurationUnit UnitOf(IReadOnlyList<Line> lines) => DurationUnit.For(lines.SelectMany(l => l.Values));

    internal static void WriteChart(TrendAnalysis trend, string path, string kind, int width, int height)
    {
        var plot = new ScottPlot.Plot();
        if (ChartFonts.EnsureRegistered() is string font)
        {
            plot.Font.Set(font);
        }

        IReadOnlyList<Line> lines = Lines(trend);
        DurationUnit unit = UnitOf(lines);
        var palette = new ScottPlot.Palettes.Category10();
        var seriesIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Line line in lines)
        {
            if (!seriesIndex.TryGetValue(line.Series, out int index))
            {
                index = seriesIndex.Count;
                seriesIndex.Add(line.Series, index);
            }

            ScottPlot.Plottables.Scatter scatter = plot.Add.Scatter(line.Times, line.Values.Select(unit.From).ToArray());
            scatter.LegendText = $"{line.Series} {line.Statistic}";
            // p95 is the same colour, lighter and thinner (a dash pattern is not supported by the SVG backend).
            ScottPlot.Color color = palette.GetColor(index);
            scatter.Color = line.Statistic == "p50" ? color : color.WithAlpha(0.45);
            scatter.LineWidth = line.Statistic == "p50" ? 2.5f : 1.5f;
            scatter.MarkerSize = line.Times.Length <= 60 ? (line.Statistic == "p50" ? 5 : 3) : 0;
        }

        plot.Axes.DateTimeTicksBottom();
        plot.Title($"p50 (strong) and p95 (light) per {DisplayFormat.Span(trend.BucketSize)} bucket");
        plot.XLabel("Time (UTC)");
        plot.YLabel(unit.Label("Duration"));
        plot.Axes.Left.Min = 0;
        if (lines.Count == 0)
        {
            plot.Add.Annotation("no data for the selected period");
        }
        else
        {
            plot.ShowLegend(ScottPlot.Edge.Right);
            plot.Axes.AutoScale();
            ScottPlot.AxisLimits limits = plot.Axes.GetLimits();
            plot.Axes.SetLimitsY(0, Math.Max(limits.Top, 1e-6) * 1.1);
        }

        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new CliException($"the directory of --out '{path}' does not exist");
        }

        if (kind == "svg")
        {
            plot.SaveSvg(path, width, height);
        }
        else
        {
            plot.SavePng(path, width, height);
        }
    }

    internal static void WriteSparklines(TrendAnalysis trend, TextWriter writer)
    {
        IReadOnlyList<TrendBucket> buckets = trend.Buckets();
        if (buckets.Count == 0)
        {
            writer.WriteLine("no data for the selected period");
            return;
        }

        DateTimeOffset first = buckets[0].Start;
        DateTimeOffset last = buckets[^1].Start + trend.BucketSize;
        DurationUnit unit = UnitOf(Lines(trend));
        writer.WriteLine($"p50 / p95 per {DisplayFormat.Span(trend.BucketSize)} bucket, {DisplayFormat.Time(first)} – {DisplayFormat.Time(last)}, {buckets.Count} bucket(s); durations in {unit.Symbol}; one character per bucket, low ▁ … █ high within each row, blank = no data");
        int nameWidth = Math.Max(6, trend.Series.Max(s => s.Length));
        writer.WriteLine($"{"series".PadRight(nameWidth)}  stat  {"min (" + unit.Symbol + ")",10}  {"max (" + unit.Symbol + ")",10}  {"last (" + unit.Symbol + ")",10}  trend");
        foreach (string series in trend.Series)
        {
            foreach ((string name, double q) in new[] { ("p50", 0.50), ("p95", 0.95) })
            {
                var values = new double[buckets.Count];
                for (int i = 0; i < buckets.Count; i++)
                {
                    values[i] = buckets[i].Find(series) is DurationSketch sketch && sketch.Count > 0 ? sketch.Quantile(q) : double.NaN;
                }

                double[] present = values.Where(v => !double.IsNaN(v)).ToArray();
                if (present.Length == 0)
                {
                    continue;
                }

                double min = present.Min();
                double max = present.Max();
                double lastValue = present[^1];
                writer.WriteLine($"{series.PadRight(nameWidth)}  {name}   {unit.Number(min),10}  {unit.Number(max),10}  {unit.Number(lastValue),10}  {Sparkline(values, min, max)}");
            }
        }
    }

    internal static string Sparkline(IReadOnlyList<double> values, double min, double max)
    {
        var builder = new StringBuilder(values.Count);
        foreach (double value in values)
        {
            if (double.IsNaN(value))
            {
                builder.Append(' ');
                continue;
            }

            int level = max > min ? (int)Math.Round((value - min) / (max - min) * (Blocks.Length - 1)) : 0;
            builder.Append(Blocks[Math.Clamp(level, 0, Blocks.Length - 1)]);
        }

        return builder.ToString();
    }
}

/// <summary>Makes sure ScottPlot finds a font for its text on machines whose font manager finds none.</summary>
internal static class ChartFonts
{
    private static readonly object s_gate = new();
    private static bool s_done;

    private static string? s_font;

    /// <summary>Registers a TrueType font found on the machine (once); returns its ScottPlot name, or null to keep the default.</summary>
    internal static string? EnsureRegistered()
    {
        lock (s_gate)
        {
            if (s_done)
            {
                return s_font;
            }

            s_done = true;
            string[] candidates =
            {
                "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
                "/usr/share/fonts/TTF/DejaVuSans.ttf",
                "/Library/Fonts/Arial.ttf",
                "C:\\Windows\\Fonts\\arial.ttf",
            };
            foreach (string candidate in candidates)
            {
                if (File.Exists(candidate))
                {
                    try
                    {
                        ScottPlot.Fonts.AddFontFile("RagMonitorChart", candidate);
                        ScottPlot.Fonts.Default = "RagMonitorChart";
                        s_font = "RagMonitorChart";
                    }
                    catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException)
                    {
                        continue;
                    }

                    return s_font;
                }
            }

            return s_font;
        }
    }
}
