using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using RagMonitor.Cli.Analysis;
using RagMonitor.Cli.Output;

namespace RagMonitor.Cli.Commands;

/// <summary><c>ragmon trend</c>: p50/p95 per time bucket per stage as a chart or a sparkline table.</summary>
internal static class TrendCommand
{
    internal static Command Build(CliEnvironment environment)
    {
        var selection = new LogSelectionOptions(environment);
        var output = new Option<string>("--out", "-o")
        {
            Description = "Chart file: .png or .svg; '-' prints an ASCII sparkline table to standard output.",
            HelpName = "FILE",
            Required = true,
        };
        Option<string> bucket = BucketOption();
        var stages = new Option<string[]>("--stage", "-s")
        {
            Description = "Only these stages (repeatable; 'total' is the request's total time). Default: total and every stage.",
            HelpName = "NAME",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var width = new Option<int>("--width") { Description = "Chart width in pixels.", DefaultValueFactory = _ => 1200 };
        var height = new Option<int>("--height") { Description = "Chart height in pixels.", DefaultValueFactory = _ => 600 };
        var command = new Command("trend", "p50 and p95 per time bucket and per stage as a line chart (PNG or SVG, with axis labels, units and a legend), or with --out - as a sparkline table.");
        selection.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(bucket);
        command.Options.Add(stages);
        command.Options.Add(width);
        command.Options.Add(height);
        command.SetAction(parseResult =>
        {
            string path = parseResult.GetValue(output)!;
            string kind = path == "-" ? "ascii" : Path.GetExtension(path).ToLowerInvariant() switch
            {
                ".png" => "png",
                ".svg" => "svg",
                _ => throw new CliException($"--out '{path}' must end in .png or .svg, or be '-' for a text table"),
            };
            int w = parseResult.GetValue(width);
            int h = parseResult.GetValue(height);
            if (w is < 200 or > 10000 || h is < 150 or > 10000)
            {
                throw new CliException("--width must be 200–10000 and --height 150–10000 pixels");
            }

            LogSelection logs = selection.Get(parseResult);
            TimeSpan bucketSize = ResolveBucket(parseResult.GetValue(bucket), logs, environment, kind == "ascii" ? 60 : 120);
            string[]? stageFilter = parseResult.GetValue(stages);
            var trend = new TrendAnalysis(bucketSize, stageFilter);
            LogScanner.Scan(environment, logs, () => new TrendAnalysis(bucketSize, stageFilter), static (t, e) => t.Add(e), trend.Merge);
            switch (kind)
            {
                case "ascii":
                    TrendWriter.WriteSparklines(trend, environment.Output);
                    break;
                default:
                    TrendWriter.WriteChart(trend, path, kind, w, h);
                    environment.Error.WriteLine($"ragmon: wrote {path} ({trend.BucketCount} bucket(s) of {DisplayFormat.Span(bucketSize)}, {trend.Series.Count} series)");
                    break;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal static Option<string> BucketOption() => new("--bucket")
    {
        Description = "Time bucket: a span such as 5m, 1h, 1d, or 'auto' (about 60–120 buckets over the period).",
        HelpName = "SPAN",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>Turns <c>--bucket</c> into a span; 'auto' looks at the time range or the dates of the files.</summary>
    internal static TimeSpan ResolveBucket(string? text, LogSelection logs, CliEnvironment environment, int maxBuckets)
    {
        if (!string.IsNullOrEmpty(text) && !string.Equals(text, "auto", StringComparison.OrdinalIgnoreCase))
        {
            if (!ValueParsers.TryParseSpan(text, out TimeSpan span) || span < TimeSpan.FromSeconds(1))
            {
                throw new CliException($"invalid --bucket '{text}': use a span of at least 1s such as 5m, 1h or 1d, or auto");
            }

            return span;
        }

        DateTimeOffset? from = logs.From;
        DateTimeOffset? to = logs.To;
        if ((from is null || to is null) && Directory.Exists(logs.Directory))
        {
            IReadOnlyList<PerformanceLogFile> files = PerformanceLog.ListFiles(logs.Directory, logs.ToReadOptions());
            if (files.Count > 0)
            {
                from ??= new DateTimeOffset(files[0].Date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                to ??= new DateTimeOffset(files[^1].Date.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            }
        }

        from ??= environment.Time.GetUtcNow().AddDays(-1);
        to ??= environment.Time.GetUtcNow();
        TimeSpan range = to.Value - from.Value;
        return TrendAnalysis.AutoBucket(range > TimeSpan.Zero ? range : TimeSpan.FromDays(1), maxBuckets);
    }
}
