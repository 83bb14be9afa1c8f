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
            string message = UnknownCommandMessage(parseResult)
                ?? (parseResult.Errors.Count > 0 ? OneLine(parseResult.Errors[0].Message) : "invalid arguments");
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

    /// <summary>
    /// When the word after a command that only groups subcommands (ragmon itself, <c>export</c>) is not one of them:
    /// "unknown command 'sumary'; did you mean 'summary'?" (System.CommandLine would say only that a command is missing).
    /// </summary>
    internal static string? UnknownCommandMessage(ParseResult parseResult)
    {
        Command command = parseResult.CommandResult.Command;
        if (command.Subcommands.Count == 0 || command.Arguments.Count > 0 || parseResult.UnmatchedTokens.Count == 0)
        {
            return null;
        }

        string word = parseResult.UnmatchedTokens[0];
        if (word.StartsWith('-'))
        {
            return null;
        }

        string path = CommandPath(parseResult);
        string prefix = path == "ragmon" ? "unknown command" : $"unknown '{path}' command";
        string? nearest = NearestName(word, command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
        return nearest is null
            ? $"{prefix} '{word}'; the commands are {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}"
            : $"{prefix} '{word}'; did you mean '{nearest}'?";
    }

    /// <summary>The name closest to <paramref name="word"/> by edit distance (an adjacent swap costs one), if close enough to be a typo.</summary>
    internal static string? NearestName(string word, IEnumerable<string> names)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string name in names)
        {
            int distance = name.StartsWith(word, StringComparison.OrdinalIgnoreCase) && word.Length >= 2 ? 0 : EditDistance(word.ToLowerInvariant(), name);
            if (distance < bestDistance)
            {
                best = name;
                bestDistance = distance;
            }
        }

        return best is not null && bestDistance <= Math.Max(1, Math.Min(3, best.Length / 3)) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
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
