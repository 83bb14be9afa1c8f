using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using RagMonitor.Cli.Analysis;
using RagMonitor.Cli.Output;

namespace RagMonitor.Cli.Commands;

/// <summary>One performance budget: <c>[request/]stage.metric=limit</c>.</summary>
internal sealed record Budget(string Text, string? Request, string Stage, string Metric, double Limit)
{
    internal static readonly string[] TimeMetrics = { "p50", "median", "p90", "p95", "p99", "max", "mean", "avg" };
    internal static readonly string[] RateMetrics = { "failure_rate", "bottleneck_rate", "share" };

    internal bool IsRate => RateMetrics.Contains(Metric);

    internal string FormatValue(double value) => IsRate ? DisplayFormat.Percent(value) : DisplayFormat.Duration(value);

    /// <summary>Parses <c>retrieval.p95=2s</c>, <c>ask/total.p99=8s</c>, <c>total.failure_rate=1%</c> (<c>&lt;=</c> and <c>:</c> work as <c>=</c>).</summary>
    internal static Budget Parse(string text)
    {
        string trimmed = text.Trim();
        int separatorLength = 2;
        int separator = trimmed.IndexOf("<=", StringComparison.Ordinal);
        if (separator < 0)
        {
            separatorLength = 1;
            separator = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (separator < 0)
            {
                separator = trimmed.LastIndexOf(':');
            }
        }

        if (separator <= 0)
        {
            throw Invalid(text, "expected STAGE.METRIC=LIMIT, for example retrieval.p95=2s");
        }

        string key = trimmed[..separator].Trim();
        string limitText = trimmed[(separator + separatorLength)..].Trim();
        string? request = null;
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            request = key[..slash];
            key = key[(slash + 1)..];
            if (request.Length == 0)
            {
                throw Invalid(text, "the request name before '/' is empty");
            }
        }

        int dot = key.LastIndexOf('.');
        if (dot <= 0 || dot == key.Length - 1)
        {
            throw Invalid(text, "expected STAGE.METRIC before '=' (stage 'total' is the request's total time)");
        }

        string stage = key[..dot];
        string metric = key[(dot + 1)..].ToLowerInvariant();
        bool isRate = RateMetrics.Contains(metric);
        if (!isRate && !TimeMetrics.Contains(metric))
        {
            throw Invalid(text, $"unknown metric '{metric}' (use {string.Join(", ", TimeMetrics.Concat(RateMetrics))})");
        }

        if (isRate && metric != "failure_rate" && stage == SummaryModel.TotalStage)
        {
            throw Invalid(text, $"{metric} applies to stages, not to total");
        }

        double limit;
        if (isRate ? !ValueParsers.TryParseFraction(limitText, out limit) : !ValueParsers.TryParseDuration(limitText, out limit))
        {
            throw Invalid(text, isRate ? $"'{limitText}' is not a fraction (5% or 0.05)" : $"'{limitText}' is not a duration (2s, 250ms, 1.5)");
        }

        return new Budget(trimmed, request, stage, metric, limit);
    }

    private static CliException Invalid(string text, string why) => new($"invalid budget '{text}': {why}");
}

/// <summary><c>ragmon check</c>: a performance gate for CI pipelines.</summary>
internal static class CheckCommand
{
    internal static Command Build(CliEnvironment environment)
    {
        var selection = new LogSelectionOptions(environment);
        var budgets = new Option<string[]>("--budget", "-b")
        {
            Description = "A budget STAGE.METRIC=LIMIT, repeatable. METRIC: p50, p90, p95, p99, max, mean (LIMIT a duration: 2s, 250ms) or failure_rate, bottleneck_rate, share (LIMIT 5% or 0.05). STAGE 'total' is the request's total time; prefix REQUEST/ to limit to one request name (otherwise all selected requests together).",
            HelpName = "STAGE.METRIC=LIMIT",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var budgetFile = new Option<FileInfo?>("--budget-file")
        {
            Description = "A file with one budget per line (same form as --budget; '#' starts a comment).",
            HelpName = "FILE",
        };
        var failOnMissing = new Option<bool>("--fail-on-missing")
        {
            Description = "Also fail when a budget's stage or request has no data (by default it is reported and ignored).",
        };
        var command = new Command("check", "Checks performance budgets against the logs: exits 1 and prints each budget that is exceeded, 0 when all hold.");
        selection.AddTo(command);
        command.Options.Add(budgets);
        command.Options.Add(budgetFile);
        command.Options.Add(failOnMissing);
        command.SetAction(parseResult =>
        {
            List<Budget> list = (parseResult.GetValue(budgets) ?? Array.Empty<string>()).Select(Budget.Parse).ToList();
            if (parseResult.GetValue(budgetFile) is FileInfo file)
            {
                list.AddRange(ReadBudgetFile(file));
            }

            if (list.Count == 0)
            {
                throw new CliException("give at least one --budget STAGE.METRIC=LIMIT or a --budget-file");
            }

            LogSelection logs = selection.Get(parseResult);
            var analysis = new LogAnalysis(0);
            LogScanner.Scan(environment, logs, () => new LogAnalysis(0), static (a, e) => a.Add(e), analysis.Merge);
            return Evaluate(environment, analysis, list, parseResult.GetValue(failOnMissing));
        });
        return command;
    }

    internal static IEnumerable<Budget> ReadBudgetFile(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new CliException($"budget file '{file.FullName}' does not exist");
        }

        var budgets = new List<Budget>();
        foreach (string raw in File.ReadAllLines(file.FullName))
        {
            int hash = raw.IndexOf('#', StringComparison.Ordinal);
            string line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length > 0)
            {
                budgets.Add(Budget.Parse(line));
            }
        }

        return budgets;
    }

    private static int Evaluate(CliEnvironment environment, LogAnalysis analysis, IReadOnlyList<Budget> budgets, bool failOnMissing)
    {
        var rowsByRequest = new Dictionary<string, IReadOnlyList<SummaryRow>>(StringComparer.Ordinal);
        IReadOnlyList<SummaryRow> RowsFor(string? request)
        {
            string key = request ?? "\0all";
            if (!rowsByRequest.TryGetValue(key, out IReadOnlyList<SummaryRow>? rows))
            {
                RequestAggregate? aggregate = request is null ? (analysis.RecordCount > 0 ? analysis.Overall("all requests") : null) : analysis.Find(request);
                rows = aggregate is null ? Array.Empty<SummaryRow>() : SummaryModel.Rows(aggregate);
                rowsByRequest[key] = rows;
            }

            return rows;
        }

        int width = budgets.Max(b => b.Text.Length);
        int exceeded = 0;
        int missing = 0;
        foreach (Budget budget in budgets)
        {
            SummaryRow? row = RowsFor(budget.Request).FirstOrDefault(r => string.Equals(r.Stage, budget.Stage, StringComparison.Ordinal));
            string scope = budget.Request ?? "all requests";
            double? actual = row?.Metric(budget.Metric);
            string padded = budget.Text.PadRight(width);
            if (row is null || actual is not double value || double.IsNaN(value) || row.Count == 0)
            {
                missing++;
                environment.Output.WriteLine($"NO DATA  {padded}  no '{budget.Stage}' data for {scope}");
                continue;
            }

            bool over = value > budget.Limit;
            string n = DisplayFormat.Count(row.Count);
            if (over)
            {
                exceeded++;
                environment.Output.WriteLine($"FAIL     {padded}  {budget.FormatValue(value)} > {budget.FormatValue(budget.Limit)}  ({scope}, n={n})");
            }
            else
            {
                environment.Output.WriteLine($"ok       {padded}  {budget.FormatValue(value)} <= {budget.FormatValue(budget.Limit)}  ({scope}, n={n})");
            }
        }

        bool failed = exceeded > 0 || (failOnMissing && missing > 0);
        string verdict = exceeded > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{exceeded} of {budgets.Count} budget(s) exceeded")
            : string.Create(CultureInfo.InvariantCulture, $"all {budgets.Count - missing} budget(s) with data hold");
        if (missing > 0)
        {
            verdict += string.Create(CultureInfo.InvariantCulture, $"; {missing} without data{(failOnMissing ? " (failing: --fail-on-missing)" : string.Empty)}");
        }

        environment.Output.WriteLine(verdict);
        return failed ? ExitCodes.CheckFailed : ExitCodes.Ok;
    }
}
