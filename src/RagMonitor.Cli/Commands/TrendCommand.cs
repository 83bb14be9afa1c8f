using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
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
            string[]? stageFilter = parseResult.GetValue(stages);
            (TrendAnalysis trend, _) = ScanWithTrend(environment, logs, parseResult.GetValue(bucket), stageFilter, static () => false, static (_, _) => { }, static _ => { });
            TimeSpan bucketSize = trend.BucketSize;
            switch (kind)
            {
                case "ascii":
                    TrendWriter.WriteSparklines(trend, environment.Output);
                    break;
                default:
                    TrendWriter.WriteChart(trend, path, kind, w, h);
                    environment.Error.WriteLine($"ragmon: wrote {path} ({trend.Buckets().Count} bucket(s) of {DisplayFormat.Span(bucketSize)}, {trend.Series.Count} series)");
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

    /// <summary>
    /// Scans the logs into a trend (and into the caller's own state): with <c>--bucket auto</c> the bucket comes from the
    /// records' own time span (<see cref="TrendAnalysis.ChooseAutoBucket"/>). The first scan uses a bucket guessed from
    /// the time range or the files' dates; when the records turn out to need another one, the trend alone is read again.
    /// </summary>
    internal static (TrendAnalysis Trend, PerformanceLogReadStatistics Statistics) ScanWithTrend<TState>(
        CliEnvironment environment,
        LogSelection logs,
        string? bucketText,
        IReadOnlyCollection<string>? stageFilter,
        Func<TState> create,
        Action<TState, PerformanceLogEntry> visit,
        Action<TState> merge)
    {
        TimeSpan? requested = ParseBucket(bucketText);
        TimeSpan size = requested ?? GuessBucket(logs, environment);
        var trend = new TrendAnalysis(size, stageFilter);
        PerformanceLogReadStatistics statistics = LogScanner.Scan(
            environment,
            logs,
            () => (Own: create(), Trend: new TrendAnalysis(size, stageFilter)),
            (state, entry) =>
            {
                visit(state.Own, entry);
                state.Trend.Add(entry);
            },
            state =>
            {
                merge(state.Own);
                trend.Merge(state.Trend);
            });
        if (requested is null
            && statistics.FirstTimestamp is DateTimeOffset first
            && statistics.LastTimestamp is DateTimeOffset last
            && !TrendAnalysis.FitsAutoBucket(size, first, last, statistics.RecordsMatched))
        {
            TimeSpan chosen = TrendAnalysis.ChooseAutoBucket(first, last, statistics.RecordsMatched);
            var exact = new TrendAnalysis(chosen, stageFilter);
            LogScanner.Scan(environment, logs, () => new TrendAnalysis(chosen, stageFilter), static (t, e) => t.Add(e), exact.Merge, quiet: true);
            trend = exact;
        }

        return (trend, statistics);
    }

    /// <summary>Parses <c>--bucket</c>: a span, or null for 'auto'.</summary>
    internal static TimeSpan? ParseBucket(string? text)
    {
        if (string.IsNullOrEmpty(text) || string.Equals(text, "auto", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!ValueParsers.TryParseSpan(text, out TimeSpan span) || span < TimeSpan.FromSeconds(1))
        {
            throw new CliException($"invalid --bucket '{text}': use a span of at least 1s such as 5m, 1h or 1d, or auto");
        }

        return span;
    }

    /// <summary>The automatic bucket for the time range, or for the dates of the files; right whenever the records fill that period.</summary>
    private static TimeSpan GuessBucket(LogSelection logs, CliEnvironment environment)
    {

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
        if (to.Value <= from.Value)
        {
            to = from.Value.AddDays(1);
        }

        return TrendAnalysis.ChooseAutoBucket(from.Value, to.Value - TimeSpan.FromTicks(1), long.MaxValue);
    }
}
