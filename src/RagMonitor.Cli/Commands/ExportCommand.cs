using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Text;
using RagMonitor.Cli.Analysis;

namespace RagMonitor.Cli.Commands;

/// <summary><c>ragmon export prometheus</c>.</summary>
internal static class ExportCommand
{
    internal static Command Build(CliEnvironment environment, out Command prometheus)
    {
        var export = new Command("export", "Exports the logs in other formats.");
        prometheus = new Command("prometheus", "Writes the logs as Prometheus text exposition: histograms ragmonitor_request_duration_seconds {request, status} and ragmonitor_stage_duration_seconds {request, stage, status} with _bucket/_sum/_count, and counters of bottlenecks and failures. Request ids are never labels. Check it with 'promtool check metrics'.");
        var selection = new LogSelectionOptions(environment);
        var output = new Option<string?>("--out", "-o") { Description = "File to write (default: standard output).", HelpName = "FILE" };
        var buckets = new Option<string?>("--buckets")
        {
            Description = "Histogram bucket upper bounds in seconds, comma-separated (default 0.005,0.01,0.025,0.05,0.1,0.25,0.5,1,2.5,5,10,30,60). Durations with units work too (250ms,1s,2m).",
            HelpName = "LIST",
        };
        selection.AddTo(prometheus);
        prometheus.Options.Add(output);
        prometheus.Options.Add(buckets);
        prometheus.SetAction(parseResult =>
        {
            IReadOnlyList<double> bounds = ParseBuckets(parseResult.GetValue(buckets));
            var exporter = new PrometheusExport(bounds);
            LogSelection logs = selection.Get(parseResult);
            PerformanceLogReadStatistics statistics = LogScanner.Scan(environment, logs, () => new PrometheusExport(bounds), static (x, e) => x.Add(e), exporter.Merge);
            exporter.SkippedLines = statistics.LinesSkipped;
            string? path = parseResult.GetValue(output);
            if (string.IsNullOrEmpty(path) || path == "-")
            {
                exporter.Write(environment.Output);
                environment.Output.Flush();
            }
            else
            {
                using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
                exporter.Write(writer);
                environment.Error.WriteLine($"ragmon: wrote {exporter.Records} request(s) as Prometheus metrics to {path}");
            }

            return ExitCodes.Ok;
        });
        export.Subcommands.Add(prometheus);
        return export;
    }

    internal static IReadOnlyList<double> ParseBuckets(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return PrometheusExport.DefaultBuckets;
        }

        var bounds = new List<double>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!ValueParsers.TryParseDuration(part, out double seconds) || seconds <= 0)
            {
                throw new CliException($"invalid --buckets value '{part}': use positive numbers of seconds such as 0.1,0.5,1,2.5");
            }

            bounds.Add(seconds);
        }

        if (bounds.Count == 0)
        {
            throw new CliException("--buckets is empty");
        }

        return bounds;
    }
}
