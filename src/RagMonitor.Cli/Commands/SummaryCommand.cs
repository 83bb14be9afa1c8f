using System.CommandLine;
using RagMonitor.Cli.Analysis;
using RagMonitor.Cli.Output;

namespace RagMonitor.Cli.Commands;

/// <summary><c>ragmon summary</c>: per request and per stage statistics and the slowest requests.</summary>
internal static class SummaryCommand
{
    internal static Command Build(CliEnvironment environment)
    {
        var selection = new LogSelectionOptions(environment);
        var format = new Option<string>("--format", "-f")
        {
            Description = "Output format.",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong(SummaryWriter.Formats);
        Option<int> top = TopOption();
        var command = new Command("summary", "Per request name and per stage: count, failures, success rate, mean, p50/p90/p95/p99, max, share of request time and how often the stage was the bottleneck; then the slowest requests with their ids.");
        selection.AddTo(command);
        command.Options.Add(format);
        command.Options.Add(top);
        command.SetAction(parseResult =>
        {
            LogSelection logs = selection.Get(parseResult);
            int slowest = parseResult.GetValue(top);
            var analysis = new LogAnalysis(slowest);
            PerformanceLogReadStatistics statistics = LogScanner.Scan(environment, logs, () => new LogAnalysis(slowest), static (a, e) => a.Add(e), analysis.Merge);
            SummaryWriter.Write(parseResult.GetValue(format) ?? "table", SummaryModel.Build(logs, statistics, analysis), environment);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static Option<int> TopOption() => new("--top", "-n")
    {
        Description = "How many of the slowest requests to list.",
        HelpName = "N",
        DefaultValueFactory = _ => 10,
        Validators =
        {
            result =>
            {
                if (result.GetValueOrDefault<int>() is < 0 or > 1000)
                {
                    result.AddError("--top must be between 0 and 1000");
                }
            },
        },
    };
}
