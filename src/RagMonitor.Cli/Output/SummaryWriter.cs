using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using RagMonitor.Cli.Analysis;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace RagMonitor.Cli.Output;

/// <summary>Writes a <see cref="SummaryModel"/> as a terminal table, JSON, Markdown or CSV.</summary>
internal static class SummaryWriter
{
    internal static readonly string[] Formats = { "table", "json", "markdown", "csv" };

    private static readonly string[] s_headers = { "stage", "count", "failed", "success", "mean", "p50", "p90", "p95", "p99", "max", "share", "bottleneck" };

    internal static void Write(string format, SummaryModel model, CliEnvironment environment)
    {
        switch (format)
        {
            case "json":
                WriteJson(model, environment.Output);
                break;
            case "markdown":
                WriteMarkdown(model, environment.Output);
                break;
            case "csv":
                WriteCsv(model, environment.Output);
                break;
            default:
                WriteTable(model, Consoles.ForOutput(environment));
                break;
        }
    }

    internal static void WriteTable(SummaryModel model, IAnsiConsole console)
    {
        PerformanceLogReadStatistics s = model.Statistics;
        console.Write(new Text($"RagMonitor summary: {DisplayFormat.Count(s.RecordsMatched)} request(s) from {s.FilesRead} file(s) in {model.Selection.Directory}\n", new Style(decoration: Decoration.Bold)));
        console.Write(new Text($"Period: {model.Period} ({model.Selection.Describe()})\n"));
        if (s.LinesSkipped > 0)
        {
            console.Write(new Text($"Skipped lines: {DisplayFormat.Count(s.LinesSkipped)} (see standard error)\n"));
        }

        foreach ((RequestAggregate request, IReadOnlyList<SummaryRow> rows) in model.Groups)
        {
            var table = new Table
            {
                Title = new TableTitle($"{request.Name}: {DisplayFormat.Count(request.Count)} requests, {DisplayFormat.Percent(request.SuccessRate)} success"),
                Border = TableBorder.Rounded,
            };
            foreach (string header in s_headers)
            {
                var column = new TableColumn(new Text(header, new Style(decoration: Decoration.Bold)));
                if (header != "stage")
                {
                    column.RightAligned();
                }

                table.AddColumn(column);
            }

            foreach (SummaryRow row in rows)
            {
                table.AddRow(Cells(row).Select(c => (IRenderable)new Text(c)).ToArray());
            }

            console.WriteLine();
            console.Write(table);
        }

        if (model.HasModelCalls)
        {
            var table = new Table { Title = new TableTitle("Model calls (tokens per request, time to first token)"), Border = TableBorder.Rounded };
            foreach (string header in ModelCallHeaders)
            {
                var column = new TableColumn(new Text(header, new Style(decoration: Decoration.Bold)));
                if (header is not ("request" or "stage"))
                {
                    column.RightAligned();
                }

                table.AddColumn(column);
            }

            foreach (SummaryRow row in model.Groups.SelectMany(g => g.Rows).Where(r => r.ModelCalls is not null))
            {
                table.AddRow(ModelCallCells(row).Select(c => (IRenderable)new Text(c)).ToArray());
            }

            console.WriteLine();
            console.Write(table);
        }

        IReadOnlyList<SlowRequest> slowest = model.Analysis.Slowest.Items;
        if (slowest.Count > 0)
        {
            var table = new Table { Title = new TableTitle("Slowest requests"), Border = TableBorder.Rounded };
            foreach (string header in new[] { "#", "request", "id", "time (UTC)", "total", "status", "stages" })
            {
                table.AddColumn(new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))));
            }

            int rank = 1;
            foreach (SlowRequest slow in slowest)
            {
                table.AddRow(new IRenderable[]
                {
                    new Text(rank++.ToString(CultureInfo.InvariantCulture)), new Text(slow.Request), new Text(slow.RequestId ?? "–"),
                    new Text(DisplayFormat.Time(slow.Timestamp)), new Text(DisplayFormat.Duration(slow.TotalSeconds)),
                    new Text(Status(slow.Status, slow.ErrorType)), new Text(StageList(slow)),
                });
            }

            console.WriteLine();
            console.Write(table);
        }

        console.WriteLine();
        console.Write(new Text($"failed = failure or cancelled; share = stage time / request time; bottleneck = share of requests in which the stage was flagged; {model.PercentileNote}.\n", new Style(decoration: Decoration.Dim)));
    }

    internal static void WriteMarkdown(SummaryModel model, TextWriter writer)
    {
        PerformanceLogReadStatistics s = model.Statistics;
        writer.WriteLine("# RagMonitor summary");
        writer.WriteLine();
        writer.WriteLine($"- Period: {model.Period} ({model.Selection.Describe()})");
        writer.WriteLine($"- Requests: {DisplayFormat.Count(s.RecordsMatched)} from {s.FilesRead} file(s) in `{model.Selection.Directory}`");
        writer.WriteLine($"- Skipped lines: {DisplayFormat.Count(s.LinesSkipped)}");
        foreach ((RequestAggregate request, IReadOnlyList<SummaryRow> rows) in model.Groups)
        {
            writer.WriteLine();
            writer.WriteLine($"## {MarkdownText(request.Name)}");
            writer.WriteLine();
            writer.WriteLine($"{DisplayFormat.Count(request.Count)} requests, {DisplayFormat.Percent(request.SuccessRate)} success.");
            writer.WriteLine();
            writer.WriteLine("| " + string.Join(" | ", s_headers) + " |");
            writer.WriteLine("|" + string.Join("|", s_headers.Select((h, i) => i == 0 ? "---" : "---:")) + "|");
            foreach (SummaryRow row in rows)
            {
                writer.WriteLine("| " + string.Join(" | ", Cells(row).Select(MarkdownText)) + " |");
            }
        }

        if (model.HasModelCalls)
        {
            writer.WriteLine();
            writer.WriteLine("## Model calls");
            writer.WriteLine();
            writer.WriteLine("| " + string.Join(" | ", ModelCallHeaders) + " |");
            writer.WriteLine("|" + string.Join("|", ModelCallHeaders.Select((h, i) => i < 2 ? "---" : "---:")) + "|");
            foreach (SummaryRow row in model.Groups.SelectMany(g => g.Rows).Where(r => r.ModelCalls is not null))
            {
                writer.WriteLine("| " + string.Join(" | ", ModelCallCells(row).Select(MarkdownText)) + " |");
            }
        }

        IReadOnlyList<SlowRequest> slowest = model.Analysis.Slowest.Items;
        if (slowest.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("## Slowest requests");
            writer.WriteLine();
            writer.WriteLine("| # | request | id | time (UTC) | total | status | stages |");
            writer.WriteLine("|---:|---|---|---|---:|---|---|");
            int rank = 1;
            foreach (SlowRequest slow in slowest)
            {
                writer.WriteLine($"| {rank++} | {MarkdownText(slow.Request)} | {MarkdownText(slow.RequestId ?? "–")} | {DisplayFormat.Time(slow.Timestamp)} | {DisplayFormat.Duration(slow.TotalSeconds)} | {MarkdownText(Status(slow.Status, slow.ErrorType))} | {MarkdownText(StageList(slow))} |");
            }
        }

        writer.WriteLine();
        writer.WriteLine($"_failed = failure or cancelled; share = stage time / request time; bottleneck = share of requests in which the stage was flagged; {model.PercentileNote}._");
    }

    internal static void WriteCsv(SummaryModel model, TextWriter writer)
    {
        // The model-call columns come only with logs that carry model-call figures, so other exports keep their shape.
        bool modelCalls = model.HasModelCalls;
        writer.Write("request,stage,count,failures,cancelled,success_rate,mean_s,p50_s,p90_s,p95_s,p99_s,max_s,share,bottleneck_count,bottleneck_rate");
        writer.Write(modelCalls ? ",input_tokens_sum,input_tokens_mean,output_tokens_sum,output_tokens_mean,time_to_first_token_p50_s,time_to_first_token_p95_s\n" : "\n");
        foreach ((_, IReadOnlyList<SummaryRow> rows) in model.Groups)
        {
            foreach (SummaryRow row in rows)
            {
                string[] fields =
                {
                    row.Request, row.Stage, row.Count.ToString(CultureInfo.InvariantCulture), row.Failures.ToString(CultureInfo.InvariantCulture),
                    row.Cancelled.ToString(CultureInfo.InvariantCulture), Number(row.SuccessRate), DisplayFormat.Seconds(row.Mean),
                    DisplayFormat.Seconds(row.P50), DisplayFormat.Seconds(row.P90), DisplayFormat.Seconds(row.P95), DisplayFormat.Seconds(row.P99),
                    DisplayFormat.Seconds(row.Max), row.IsTotal ? string.Empty : Number(row.Share),
                    row.IsTotal ? string.Empty : row.BottleneckCount.ToString(CultureInfo.InvariantCulture), row.IsTotal ? string.Empty : Number(row.BottleneckRate),
                };
                writer.Write(string.Join(",", fields.Select(CsvField)));
                if (modelCalls)
                {
                    writer.Write(',');
                    writer.Write(string.Join(",", ModelCallCsvFields(row.ModelCalls)));
                }

                writer.Write('\n');
            }
        }
    }

    internal static void WriteJson(SummaryModel model, TextWriter writer)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            PerformanceLogReadStatistics s = model.Statistics;
            json.WriteStartObject();
            json.WriteString("log_dir", model.Selection.Directory);
            json.WriteStartObject("period");
            WriteTime(json, "first", s.FirstTimestamp);
            WriteTime(json, "last", s.LastTimestamp);
            WriteTime(json, "since", model.Selection.From);
            WriteTime(json, "until", model.Selection.To);
            json.WriteEndObject();
            if (model.Selection.Request is string request)
            {
                json.WriteString("request_filter", request);
            }

            json.WriteNumber("files", s.FilesRead);
            json.WriteNumber("records", s.RecordsMatched);
            json.WriteNumber("lines_skipped", s.LinesSkipped);
            json.WriteBoolean("percentiles_exact", model.AllExact);
            json.WriteString("units", "seconds");
            json.WriteStartArray("requests");
            foreach ((RequestAggregate aggregate, IReadOnlyList<SummaryRow> rows) in model.Groups)
            {
                json.WriteStartObject();
                json.WriteString("request", aggregate.Name);
                json.WriteNumber("count", aggregate.Count);
                json.WriteNumber("failures", aggregate.Failures);
                json.WriteNumber("cancelled", aggregate.Cancelled);
                WriteNumber(json, "success_rate", aggregate.SuccessRate);
                json.WritePropertyName("total");
                WriteRow(json, rows[0]);
                json.WriteStartArray("stages");
                foreach (SummaryRow row in rows.Skip(1))
                {
                    WriteRow(json, row);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("slowest");
            foreach (SlowRequest slow in model.Analysis.Slowest.Items)
            {
                json.WriteStartObject();
                json.WriteString("request", slow.Request);
                if (slow.RequestId is null)
                {
                    json.WriteNull("request_id");
                }
                else
                {
                    json.WriteString("request_id", slow.RequestId);
                }

                json.WriteString("timestamp", slow.Timestamp.ToString("O", CultureInfo.InvariantCulture));
                WriteNumber(json, "total", slow.TotalSeconds);
                json.WriteString("status", slow.Status.ToLogText());
                if (slow.ErrorType is not null)
                {
                    json.WriteString("error_type", slow.ErrorType);
                }

                json.WriteStartArray("stages");
                foreach (SlowStage stage in slow.Stages)
                {
                    json.WriteStartObject();
                    json.WriteString("stage", stage.Name);
                    WriteNumber(json, "duration", stage.DurationSeconds);
                    json.WriteString("status", stage.Status.ToLogText());
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        writer.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        writer.Write('\n');
    }

    internal static string Status(OperationStatus status, string? errorType)
        => status == OperationStatus.Success ? "success" : errorType is null ? status.ToLogText() : $"{status.ToLogText()} ({errorType})";

    internal static string StageList(SlowRequest slow)
        => string.Join(", ", slow.Stages.OrderByDescending(s => s.DurationSeconds).Take(4).Select(s => $"{s.Name} {DisplayFormat.Duration(s.DurationSeconds)}"));

    private static IEnumerable<string> Cells(SummaryRow row)
    {
        yield return row.Stage;
        yield return DisplayFormat.Count(row.Count);
        yield return DisplayFormat.Count(row.Failures + row.Cancelled);
        yield return DisplayFormat.Percent(row.SuccessRate);
        yield return DisplayFormat.Duration(row.Mean);
        yield return DisplayFormat.Duration(row.P50);
        yield return DisplayFormat.Duration(row.P90);
        yield return DisplayFormat.Duration(row.P95);
        yield return DisplayFormat.Duration(row.P99);
        yield return DisplayFormat.Duration(row.Max);
        yield return row.IsTotal ? string.Empty : DisplayFormat.Percent(row.Share);
        yield return row.IsTotal ? string.Empty : DisplayFormat.Percent(row.BottleneckRate);
    }

    private static void WriteRow(Utf8JsonWriter json, SummaryRow row)
    {
        json.WriteStartObject();
        if (!row.IsTotal)
        {
            json.WriteString("stage", row.Stage);
        }

        json.WriteNumber("count", row.Count);
        json.WriteNumber("failures", row.Failures);
        json.WriteNumber("cancelled", row.Cancelled);
        WriteNumber(json, "success_rate", row.SuccessRate);
        WriteNumber(json, "mean", row.Mean);
        WriteNumber(json, "p50", row.P50);
        WriteNumber(json, "p90", row.P90);
        WriteNumber(json, "p95", row.P95);
        WriteNumber(json, "p99", row.P99);
        WriteNumber(json, "max", row.Max);
        if (!row.IsTotal)
        {
            WriteNumber(json, "share", row.Share);
            json.WriteNumber("bottleneck_count", row.BottleneckCount);
            WriteNumber(json, "bottleneck_rate", row.BottleneckRate);
            WriteModelCalls(json, row.ModelCalls);
        }

        json.WriteBoolean("exact", row.Exact);
        json.WriteEndObject();
    }

    /// <summary>The model-call figures of a stage row (only when its records carry them): token sums and per-request means, time to first token in seconds.</summary>
    private static void WriteModelCalls(Utf8JsonWriter json, ModelCallFigures? calls)
    {
        if (calls is null)
        {
            return;
        }

        if (calls.InputTokenRecords > 0)
        {
            json.WriteStartObject("input_tokens");
            json.WriteNumber("sum", calls.InputTokens);
            WriteNumber(json, "mean", calls.InputTokensMean);
            json.WriteNumber("requests", calls.InputTokenRecords);
            json.WriteEndObject();
        }

        if (calls.OutputTokenRecords > 0)
        {
            json.WriteStartObject("output_tokens");
            json.WriteNumber("sum", calls.OutputTokens);
            WriteNumber(json, "mean", calls.OutputTokensMean);
            json.WriteNumber("requests", calls.OutputTokenRecords);
            json.WriteEndObject();
        }

        if (calls.HasTimeToFirstToken)
        {
            json.WriteStartObject("time_to_first_token");
            json.WriteNumber("count", calls.TimeToFirstToken.Count);
            WriteNumber(json, "mean", calls.TimeToFirstToken.Mean);
            WriteNumber(json, "p50", calls.TimeToFirstToken.Quantile(0.50));
            WriteNumber(json, "p95", calls.TimeToFirstToken.Quantile(0.95));
            json.WriteEndObject();
        }

        if (calls.OutputTokensPerSecondRecords > 0)
        {
            WriteNumber(json, "output_tokens_per_second_mean", calls.OutputTokensPerSecondMean);
        }
    }

    internal static readonly string[] ModelCallHeaders = { "request", "stage", "input tokens", "in / request", "output tokens", "out / request", "ttft p50", "ttft p95", "tokens/s" };

    /// <summary>The cells of a stage's model-call row (<see cref="ModelCallHeaders"/>), shared by every summary format and the report.</summary>
    internal static IEnumerable<string> ModelCallCells(SummaryRow row)
    {
        ModelCallFigures calls = row.ModelCalls!;
        yield return row.Request;
        yield return row.Stage;
        yield return calls.InputTokenRecords > 0 ? DisplayFormat.Count(calls.InputTokens) : "–";
        yield return calls.InputTokenRecords > 0 ? calls.InputTokensMean.ToString("F1", CultureInfo.InvariantCulture) : "–";
        yield return calls.OutputTokenRecords > 0 ? DisplayFormat.Count(calls.OutputTokens) : "–";
        yield return calls.OutputTokenRecords > 0 ? calls.OutputTokensMean.ToString("F1", CultureInfo.InvariantCulture) : "–";
        yield return calls.HasTimeToFirstToken ? DisplayFormat.Duration(calls.TimeToFirstToken.Quantile(0.50)) : "–";
        yield return calls.HasTimeToFirstToken ? DisplayFormat.Duration(calls.TimeToFirstToken.Quantile(0.95)) : "–";
        yield return calls.OutputTokensPerSecondRecords > 0 ? calls.OutputTokensPerSecondMean.ToString("F0", CultureInfo.InvariantCulture) : "–";
    }

    private static string[] ModelCallCsvFields(ModelCallFigures? calls) => new[]
    {
        TokenSum(calls, input: true), Number(calls?.InputTokensMean ?? double.NaN),
        TokenSum(calls, input: false), Number(calls?.OutputTokensMean ?? double.NaN),
        calls is { HasTimeToFirstToken: true } ? DisplayFormat.Seconds(calls.TimeToFirstToken.Quantile(0.50)) : string.Empty,
        calls is { HasTimeToFirstToken: true } ? DisplayFormat.Seconds(calls.TimeToFirstToken.Quantile(0.95)) : string.Empty,
    };

    private static string TokenSum(ModelCallFigures? calls, bool input) => calls switch
    {
        { InputTokenRecords: > 0 } when input => calls.InputTokens.ToString(CultureInfo.InvariantCulture),
        { OutputTokenRecords: > 0 } when !input => calls.OutputTokens.ToString(CultureInfo.InvariantCulture),
        _ => string.Empty,
    };

    private static void WriteNumber(Utf8JsonWriter json, string name, double value)
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

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is DateTimeOffset v)
        {
            json.WriteString(name, v.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Number(double value) => double.IsNaN(value) ? string.Empty : Math.Round(value, 6).ToString("R", CultureInfo.InvariantCulture);

    private static string CsvField(string value)
        => value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static string MarkdownText(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            switch (c)
            {
                case '|':
                case '\\':
                case '`':
                case '*':
                case '_':
                case '[':
                case ']':
                case '<':
                case '>':
                    builder.Append('\\').Append(c);
                    break;
                case '\r':
                case '\n':
                    builder.Append(' ');
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString();
    }
}
