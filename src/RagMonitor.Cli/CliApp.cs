using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.IO;
using System.Linq;
using RagMonitor.Cli.Commands;

namespace RagMonitor.Cli;

/// <summary>Builds the <c>ragmon</c> command tree and runs it; the entry point tests call.</summary>
internal static class CliApp
{
    internal static int Run(string[] args, CliEnvironment environment)
    {
        var examples = new Dictionary<Command, string[]>();
        RootCommand root = Build(environment, examples);
        ParseResult parseResult = root.Parse(args);
        if (parseResult.Action is ParseErrorAction)
        {
            string message = parseResult.Errors.Count > 0 ? OneLine(parseResult.Errors[0].Message) : "invalid arguments";
            environment.Error.WriteLine($"ragmon: {message} (see '{CommandPath(parseResult)} --help')");
            return ExitCodes.Usage;
        }

        try
        {
            return parseResult.Invoke(new InvocationConfiguration
            {
                Output = environment.Output,
                Error = environment.Error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (CliException ex)
        {
            environment.Error.WriteLine("ragmon: " + ex.Message);
            return ex.ExitCode;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            environment.Error.WriteLine("ragmon: " + ex.Message);
            return ExitCodes.Usage;
        }
    }

    internal static RootCommand Build(CliEnvironment environment, Dictionary<Command, string[]> examples)
    {
        var root = new RootCommand("ragmon: analyse RagMonitor's JSONL performance logs (and the Python module's): summaries, trends, HTML reports, Prometheus export, retention and CI performance budgets.");
        void Add(Command command, params string[] commandExamples)
        {
            root.Subcommands.Add(command);
            examples[command] = commandExamples;
        }

        Add(SummaryCommand.Build(environment),
            "ragmon summary",
            "ragmon summary --log-dir ./logs/performance --since 24h",
            "ragmon summary --request ask --format json > summary.json",
            "ragmon summary --format markdown --top 5");
        Add(TrendCommand.Build(environment),
            "ragmon trend --out trend.png",
            "ragmon trend --out trend.svg --bucket 1h --stage retrieval --stage generation",
            "ragmon trend --out - --since 7d --bucket 1d");
        Add(ReportCommand.Build(environment),
            "ragmon report --out report.html",
            "ragmon report --since 7d --request ask --out ask-week.html");
        Command export = ExportCommand.Build(environment, out Command prometheus);
        Add(export, "ragmon export prometheus --out ragmonitor.prom");
        examples[prometheus] = new[]
        {
            "ragmon export prometheus > ragmonitor.prom",
            "ragmon export prometheus --since 1h --buckets 0.1,0.5,1,2,5,10 --out /var/lib/node_exporter/ragmonitor.prom",
        };
        Add(CleanupCommand.Build(environment),
            "ragmon cleanup --retention-days 30 --dry-run",
            "ragmon cleanup --retention-days 90 --archive-after 7");
        Add(CheckCommand.Build(environment),
            "ragmon check --budget retrieval.p95=2s --budget total.p95=5s",
            "ragmon check --since 1h --budget ask/generation.p99=8s --budget total.failure_rate=1%",
            "ragmon check --budget-file perf-budgets.txt");
        Add(CompareCommand.Build(environment),
            "ragmon compare ./baseline/logs ./logs/performance",
            "ragmon compare before/ after/ --min-effect 10% --fail-on-regression",
            "ragmon compare before/ after/ --format markdown >> $GITHUB_STEP_SUMMARY");
        Command generate = GenerateCommand.Build(environment);
        root.Subcommands.Add(generate);
        examples[generate] = new[] { "ragmon generate --out ./demo-logs --requests 20000 --days 7" };
        examples[root] = new[]
        {
            "ragmon summary",
            "ragmon report --out report.html",
            "ragmon check --budget total.p95=5s",
            "ragmon <command> --help",
        };

        HelpOption? help = root.Options.OfType<HelpOption>().FirstOrDefault();
        if (help?.Action is HelpAction defaultHelp)
        {
            help.Action = new ExamplesHelpAction(defaultHelp, examples);
        }

        return root;
    }

    private static string OneLine(string message)
        => string.Join(" ", message.Split(new[] { '\r', '\n', '\t' }, StringSplitOptions.RemoveEmptyEntries).Select(part => part.Trim()));

    private static string CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? result = parseResult.CommandResult; result is not null; result = result.Parent)
        {
            if (result is System.CommandLine.Parsing.CommandResult command)
            {
                names.Add(command.Command is RootCommand ? "ragmon" : command.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(" ", names);
    }

    /// <summary>The default help, followed by the command's examples.</summary>
    private sealed class ExamplesHelpAction : SynchronousCommandLineAction
    {
        private readonly HelpAction _inner;
        private readonly Dictionary<Command, string[]> _examples;

        internal ExamplesHelpAction(HelpAction inner, Dictionary<Command, string[]> examples)
        {
            _inner = inner;
            _examples = examples;
        }

        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            int result = _inner.Invoke(parseResult);
            if (_examples.TryGetValue(parseResult.CommandResult.Command, out string[]? lines) && lines.Length > 0)
            {
                TextWriter output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                foreach (string line in lines)
                {
                    output.WriteLine("  " + line);
                }

                output.WriteLine();
            }

            return result;
        }
    }
}
