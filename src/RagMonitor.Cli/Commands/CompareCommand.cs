using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using RagMonitor.Cli.Analysis;
using RagMonitor.Cli.Output;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace RagMonitor.Cli.Commands;

/// <summary>One compared series (request total or stage) between a baseline and a current log directory.</summary>
internal sealed record Comparison(
    string Request,
    string Stage,
    long BaselineCount,
    long CurrentCount,
    double BaselineP50,
    double CurrentP50,
    double BaselineP95,
    double CurrentP95,
    double BaselineMean,
    double CurrentMean,
    double PValue,
    double ProbabilityCurrentSlower,
    string Verdict,
    ModelCallFigures? BaselineCalls = null,
    ModelCallFigures? CurrentCalls = null)
{
    internal static double Change(double baseline, double current)
        => baseline > 0 ? (current - baseline) / baseline : current == baseline ? 0 : double.NaN;
}

/// <summary><c>ragmon compare</c>: per stage change between two log directories with a statistical verdict.</summary>
internal static class CompareCommand
{
    internal const int MinimumSamples = 5;

    internal static Command Build(CliEnvironment environment)
    {
        var baseline = new Argument<string>("BASELINE_DIR") { Description = "Log directory of the baseline (for example the main branch's run)." };
        var current = new Argument<string>("CURRENT_DIR") { Description = "Log directory to compare with the baseline." };
        var selection = new LogSelectionOptions(environment, includeLogDir: false);
        var alpha = new Option<double>("--alpha")
        {
            Description = "Significance level of the Mann-Whitney U test.",
            DefaultValueFactory = _ => 0.05,
            Validators = { r => { if (r.GetValueOrDefault<double>() is <= 0 or >= 1) { r.AddError("--alpha must be between 0 and 1"); } } },
        };
        var minEffect = new Option<string>("--min-effect")
        {
            Description = "Smallest change of the median that counts as slower/faster (5% or 0.05).",
            HelpName = "FRACTION",
            DefaultValueFactory = _ => "5%",
        };
        var format = new Option<string>("--format", "-f") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "markdown");
        var failOnRegression = new Option<bool>("--fail-on-regression") { Description = "Exit with code 1 when any request or stage is slower." };
        var command = new Command(
            "compare",
            "Compares two log directories per request and stage: change in p50, p95 and mean, and a verdict faster/slower/same. " +
            "Verdict: a two-sided Mann-Whitney U test (normal approximation with tie and continuity correction) must be significant at --alpha " +
            "AND the median must change by at least --min-effect in the direction the test shows; otherwise 'same'. Fewer than 5 samples on a side: 'too few'.");
        command.Arguments.Add(baseline);
        command.Arguments.Add(current);
        selection.AddTo(command);
        command.Options.Add(alpha);
        command.Options.Add(minEffect);
        command.Options.Add(format);
        command.Options.Add(failOnRegression);
        command.SetAction(parseResult =>
        {
            string minEffectText = parseResult.GetValue(minEffect) ?? "5%";
            if (!ValueParsers.TryParseFraction(minEffectText, out double effect))
            {
                throw new CliException($"invalid --min-effect '{minEffectText}': use a fraction such as 5% or 0.05");
            }

            LogSelection baselineLogs = selection.Get(parseResult, parseResult.GetValue(baseline));
            LogSelection currentLogs = selection.Get(parseResult, parseResult.GetValue(current));
            foreach (string directory in new[] { baselineLogs.Directory, currentLogs.Directory })
            {
                LogScanner.RequireDirectory(directory, "BASELINE_DIR and CURRENT_DIR");
            }

            var baselineAnalysis = new LogAnalysis(0);
            var currentAnalysis = new LogAnalysis(0);
            LogScanner.Scan(environment, baselineLogs, () => new LogAnalysis(0), static (a, e) => a.Add(e), baselineAnalysis.Merge);
            LogScanner.Scan(environment, currentLogs, () => new LogAnalysis(0), static (a, e) => a.Add(e), currentAnalysis.Merge);
            double significance = parseResult.GetValue(alpha);
            IReadOnlyList<Comparison> rows = Compare(baselineAnalysis, currentAnalysis, significance, effect);
            string method = string.Create(CultureInfo.InvariantCulture,
                $"Mann-Whitney U test (two-sided, normal approximation, tie and continuity correction), alpha = {significance:0.###}, minimum effect = {effect * 100:0.#}% change of the median");
            switch (parseResult.GetValue(format))
            {
                case "json":
                    WriteJson(environment.Output, baselineLogs, currentLogs, rows, significance, effect);
                    break;
                case "markdown":
                    WriteMarkdown(environment.Output, rows, method);
                    break;
                default:
                    WriteTable(Consoles.ForOutput(environment), baselineLogs, currentLogs, rows, method);
                    break;
            }

            bool regression = rows.Any(r => r.Verdict == "slower");
            return regression && parseResult.GetValue(failOnRegression) ? ExitCodes.CheckFailed : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Appended to a stage's name for the row that compares its time to first token.</summary>
    internal const string TimeToFirstTokenSuffix = " (time to first token)";

    internal static IReadOnlyList<Comparison> Compare(LogAnalysis baseline, LogAnalysis current, double alpha, double minEffect)
    {
        var rows = new List<Comparison>();
        var names = baseline.Requests.Select(r => r.Name).Union(current.Requests.Select(r => r.Name)).OrderBy(n => n, StringComparer.Ordinal);
        foreach (string name in names)
        {
            RequestAggregate? a = baseline.Find(name);
            RequestAggregate? b = current.Find(name);
            rows.Add(Row(name, SummaryModel.TotalStage, a?.Total, b?.Total, alpha, minEffect));
            var stages = new List<string>();
            foreach (StageAggregate s in a is null ? ReadOnlySpan<StageAggregate>.Empty : a.Stages)
            {
                stages.Add(s.Name);
            }

            foreach (StageAggregate s in b is null ? ReadOnlySpan<StageAggregate>.Empty : b.Stages)
            {
                if (!stages.Contains(s.Name))
                {
                    stages.Add(s.Name);
                }
            }

            foreach (string stage in stages)
            {
                ModelCallFigures? baselineCalls = a?.FindStage(stage)?.ModelCalls;
                ModelCallFigures? currentCalls = b?.FindStage(stage)?.ModelCalls;
                rows.Add(Row(name, stage, a?.FindStage(stage)?.Durations, b?.FindStage(stage)?.Durations, alpha, minEffect)
                    with { BaselineCalls = baselineCalls, CurrentCalls = currentCalls });
                if (baselineCalls is { HasTimeToFirstToken: true } || currentCalls is { HasTimeToFirstToken: true })
                {
                    // Time to first token is a duration too: compared with the same test, as its own row.
                    rows.Add(Row(name, stage + TimeToFirstTokenSuffix, baselineCalls?.TimeToFirstToken, currentCalls?.TimeToFirstToken, alpha, minEffect));
                }
            }
        }

        return rows;
    }

    private static Comparison Row(string request, string stage, DurationSketch? a, DurationSketch? b, double alpha, double minEffect)
    {
        long na = a?.Count ?? 0;
        long nb = b?.Count ?? 0;
        double p50a = a?.Quantile(0.5) ?? double.NaN;
        double p50b = b?.Quantile(0.5) ?? double.NaN;
        MannWhitney.Result test = na > 0 && nb > 0 ? MannWhitney.Test(a!, b!) : new MannWhitney.Result(double.NaN, double.NaN, double.NaN, double.NaN);
        string verdict;
        if (na == 0)
        {
            verdict = "new";
        }
        else if (nb == 0)
        {
            verdict = "gone";
        }
        else if (na < MinimumSamples || nb < MinimumSamples)
        {
            verdict = "too few";
        }
        else
        {
            double change = Comparison.Change(p50a, p50b);
            bool significant = test.PValue < alpha;
            verdict = significant && change >= minEffect && test.ProbabilityCurrentGreater > 0.5 ? "slower"
                : significant && change <= -minEffect && test.ProbabilityCurrentGreater < 0.5 ? "faster"
                : "same";
        }

        return new Comparison(request, stage, na, nb, p50a, p50b, a?.Quantile(0.95) ?? double.NaN, b?.Quantile(0.95) ?? double.NaN,
            a?.Mean ?? double.NaN, b?.Mean ?? double.NaN, test.PValue, test.ProbabilityCurrentGreater, verdict);
    }

    private static string[] Cells(Comparison row) => new[]
    {
        row.Request, row.Stage, $"{DisplayFormat.Count(row.BaselineCount)} / {DisplayFormat.Count(row.CurrentCount)}",
        Pair(row.BaselineP50, row.CurrentP50), Pair(row.BaselineP95, row.CurrentP95), Pair(row.BaselineMean, row.CurrentMean),
        double.IsNaN(row.PValue) ? "–" : row.PValue < 0.0001 ? "<0.0001" : row.PValue.ToString("0.0000", CultureInfo.InvariantCulture),
        row.Verdict,
    };

    private static readonly string[] s_headers = { "request", "stage", "n (base / cur)", "p50", "p95", "mean", "p-value", "verdict" };

    private static string Pair(double a, double b)
        => $"{DisplayFormat.Duration(a)} → {DisplayFormat.Duration(b)} ({DisplayFormat.Change(Comparison.Change(a, b))})";

    private static void WriteTable(IAnsiConsole console, LogSelection baseline, LogSelection current, IReadOnlyList<Comparison> rows, string method)
    {
        console.Write(new Text($"Baseline: {baseline.Directory}\nCurrent:  {current.Directory}\nSelection: {baseline.Describe()}\n"));
        var table = new Table { Border = TableBorder.Rounded };
        foreach (string header in s_headers)
        {
            table.AddColumn(new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))));
        }

        foreach (Comparison row in rows)
        {
            Style style = row.Verdict switch
            {
                "slower" => new Style(Color.Red),
                "faster" => new Style(Color.Green),
                _ => Style.Plain,
            };
            table.AddRow(Cells(row).Select((c, i) => (IRenderable)new Text(c, i == s_headers.Length - 1 ? style : Style.Plain)).ToArray());
        }

        console.Write(table);
        foreach (string line in TokenLines(rows))
        {
            console.Write(new Text(line + "\n"));
        }

        console.Write(new Text($"Verdict: {method}.\n", new Style(decoration: Decoration.Dim)));
    }

    private static void WriteMarkdown(TextWriter writer, IReadOnlyList<Comparison> rows, string method)
    {
        writer.WriteLine("| " + string.Join(" | ", s_headers) + " |");
        writer.WriteLine("|---|---|---:|---:|---:|---:|---:|---|");
        foreach (Comparison row in rows)
        {
            writer.WriteLine("| " + string.Join(" | ", Cells(row).Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
        }

        writer.WriteLine();
        foreach (string line in TokenLines(rows))
        {
            writer.WriteLine("- " + line.Replace("|", "\\|", StringComparison.Ordinal));
        }

        writer.WriteLine($"_Verdict: {method}._");
    }

    private static void WriteJson(TextWriter writer, LogSelection baseline, LogSelection current, IReadOnlyList<Comparison> rows, double alpha, double minEffect)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("baseline", baseline.Directory);
            json.WriteString("current", current.Directory);
            json.WriteString("test", "mann-whitney-u two-sided normal-approximation");
            json.WriteNumber("alpha", alpha);
            json.WriteNumber("min_effect", minEffect);
            json.WriteStartArray("comparisons");
            foreach (Comparison row in rows)
            {
                json.WriteStartObject();
                json.WriteString("request", row.Request);
                json.WriteString("stage", row.Stage);
                json.WriteNumber("baseline_count", row.BaselineCount);
                json.WriteNumber("current_count", row.CurrentCount);
                Number(json, "baseline_p50", row.BaselineP50);
                Number(json, "current_p50", row.CurrentP50);
                Number(json, "baseline_p95", row.BaselineP95);
                Number(json, "current_p95", row.CurrentP95);
                Number(json, "baseline_mean", row.BaselineMean);
                Number(json, "current_mean", row.CurrentMean);
                Number(json, "p50_change", Comparison.Change(row.BaselineP50, row.CurrentP50));
                Number(json, "p95_change", Comparison.Change(row.BaselineP95, row.CurrentP95));
                Number(json, "mean_change", Comparison.Change(row.BaselineMean, row.CurrentMean));
                Number(json, "p_value", row.PValue);
                Number(json, "probability_current_slower", row.ProbabilityCurrentSlower);
                json.WriteString("verdict", row.Verdict);
                TokenMeans(json, "input_tokens_mean", row.BaselineCalls is { InputTokenRecords: > 0 } bi ? bi.InputTokensMean : null, row.CurrentCalls is { InputTokenRecords: > 0 } ci ? ci.InputTokensMean : null);
                TokenMeans(json, "output_tokens_mean", row.BaselineCalls is { OutputTokenRecords: > 0 } bo ? bo.OutputTokensMean : null, row.CurrentCalls is { OutputTokenRecords: > 0 } co ? co.OutputTokensMean : null);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        writer.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        writer.Write('\n');
    }

    /// <summary>Per-request token means of the stages that report tokens, as text lines: "generation tokens per request: in 275.7 → 280.1 (+1.6 %), out ...".</summary>
    private static IEnumerable<string> TokenLines(IReadOnlyList<Comparison> rows)
    {
        foreach (Comparison row in rows)
        {
            if (row.BaselineCalls is not { HasTokens: true } && row.CurrentCalls is not { HasTokens: true })
            {
                continue;
            }

            double inA = row.BaselineCalls?.InputTokensMean ?? double.NaN;
            double inB = row.CurrentCalls?.InputTokensMean ?? double.NaN;
            double outA = row.BaselineCalls?.OutputTokensMean ?? double.NaN;
            double outB = row.CurrentCalls?.OutputTokensMean ?? double.NaN;
            yield return $"{row.Request} / {row.Stage} tokens per request: in {TokenMean(inA)} → {TokenMean(inB)} ({DisplayFormat.Change(Comparison.Change(inA, inB))}), out {TokenMean(outA)} → {TokenMean(outB)} ({DisplayFormat.Change(Comparison.Change(outA, outB))})";
        }
    }

    private static string TokenMean(double value) => double.IsNaN(value) ? "–" : value.ToString("F1", CultureInfo.InvariantCulture);

    private static void TokenMeans(Utf8JsonWriter json, string name, double? baseline, double? current)
    {
        if (baseline is null && current is null)
        {
            return;
        }

        json.WriteStartObject(name);
        Number(json, "baseline", baseline ?? double.NaN);
        Number(json, "current", current ?? double.NaN);
        Number(json, "change", Comparison.Change(baseline ?? double.NaN, current ?? double.NaN));
        json.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, Math.Round(value, 9));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
