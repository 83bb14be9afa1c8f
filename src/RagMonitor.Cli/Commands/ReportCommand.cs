using System.CommandLine;
using System.IO;
using System.Text;
using RagMonitor.Cli.Analysis;
using RagMonitor.Cli.Output;

namespace RagMonitor.Cli.Commands;

/// <summary><c>ragmon report</c>: one self-contained HTML file.</summary>
internal static class ReportCommand
{
    internal static Command Build(CliEnvironment environment)
    {
        var selection = new LogSelectionOptions(environment);
        var output = new Option<string>("--out", "-o")
        {
            Description = "HTML file to write.",
            HelpName = "FILE",
            DefaultValueFactory = _ => "report.html",
        };
        Option<string> bucket = TrendCommand.BucketOption();
        Option<int> top = SummaryCommand.TopOption();
        var title = new Option<string?>("--title") { Description = "Title of the report.", HelpName = "TEXT" };
        var command = new Command("report", "Writes one self-contained HTML report (inline SVG and CSS only: no scripts, fonts or network requests): period covered, summary tables, trend chart, stacked per-stage breakdown, bottleneck frequency, and the slowest requests with a waterfall of their stages.");
        selection.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(bucket);
        command.Options.Add(top);
        command.Options.Add(title);
        command.SetAction(parseResult =>
        {
            string path = parseResult.GetValue(output) ?? "report.html";
            LogSelection logs = selection.Get(parseResult);
            int slowest = parseResult.GetValue(top);
            var analysis = new LogAnalysis(slowest);
            (TrendAnalysis trend, PerformanceLogReadStatistics statistics) = TrendCommand.ScanWithTrend(
                environment,
                logs,
                parseResult.GetValue(bucket),
                null,
                () => new LogAnalysis(slowest),
                static (state, entry) => state.Add(entry),
                analysis.Merge);
            var model = SummaryModel.Build(logs, statistics, analysis);
            string html = HtmlReport.Render(model, trend, parseResult.GetValue(title) ?? "RagMonitor performance report", environment.Time.GetUtcNow());
            string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null && !Directory.Exists(directory))
            {
                throw new CliException($"the directory of --out '{path}' does not exist");
            }

            File.WriteAllText(path, html, new UTF8Encoding(false));
            environment.Error.WriteLine($"ragmon: wrote {path} ({DisplayFormat.Count(statistics.RecordsMatched)} request(s), {model.Period})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
