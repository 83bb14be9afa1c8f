using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using RagMonitor;
using RagMonitor.AI;
using RagMonitor.OpenTelemetry;
using RagMonitor.Sample;

var settings = SampleSettings.Parse(args);
if (settings is null)
{
    return 2;
}

if (settings.ShowHelp)
{
    Console.WriteLine(SampleSettings.Usage);
    return 0;
}

var corpus = Corpus.Build(300);
var index = new Bm25Index(corpus);
var options = new PerformanceMonitorOptions { LogDirectory = settings.LogDirectory };
await using var monitor = new PerformanceMonitor(options);
var summaries = new ConcurrentQueue<RequestSummary>();
monitor.RequestCompleted += (_, summary) => summaries.Enqueue(summary);

using var metricsEndpoint = settings.MetricsPort is { } metricsPort ? RagMonitorPrometheusEndpoint.Start(metricsPort) : null;
if (metricsEndpoint is not null)
{
    Console.WriteLine($"Prometheus metrics: {metricsEndpoint.Url}");
}

// The model clients: every call becomes a stage of the ambient "ask" request, with tokens and time to first token.
var latency = new SimulatedLatency(settings.LatencyScale);
IEmbeddingGenerator<string, Embedding<float>> embedder = new SimulatedEmbeddingGenerator(latency).AsBuilder().UseRagMonitor(monitor).Build();
IChatClient chat = new SimulatedChatClient(latency).AsBuilder().UseRagMonitor(monitor).Build();
var pipeline = new RagPipeline(monitor, index, embedder, chat, latency);
Console.WriteLine($"RagMonitor sample: {corpus.Count} documents, {index.TermCount} terms; {settings.Requests} questions, {settings.Concurrency} at a time.");

var failures = 0;
var stopwatch = Stopwatch.StartNew();
using (var gate = new SemaphoreSlim(settings.Concurrency))
{
    var tasks = Enumerable.Range(0, settings.Requests).Select(async i =>
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var question = Corpus.Questions[i % Corpus.Questions.Count];
            await pipeline.AskAsync($"q{i:D4}", question).ConfigureAwait(false);
        }
        catch (RateLimitedException)
        {
            Interlocked.Increment(ref failures);
        }
        finally
        {
            gate.Release();
        }
    }).ToArray();
    await Task.WhenAll(tasks).ConfigureAwait(false);
}

stopwatch.Stop();
await monitor.FlushAsync().ConfigureAwait(false);
SummaryTable.Print(summaries.ToArray(), Console.Out);
var counters = monitor.GetStatistics().Counters;
Console.WriteLine();
Console.WriteLine($"{settings.Requests} requests in {stopwatch.Elapsed.TotalSeconds:F1} s, {failures} failed (simulated rate limits).");
Console.WriteLine($"Log records written: {counters.LogRecordsWritten}, dropped: {counters.LogRecordsDropped}, to {Path.GetFullPath(settings.LogDirectory)}");
if (metricsEndpoint is not null)
{
    // Keep serving /metrics so that Prometheus can scrape the run's figures.
    var stop = new TaskCompletionSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
    Console.WriteLine($"Serving {metricsEndpoint.Url} until Ctrl+C.");
    await stop.Task.ConfigureAwait(false);
}

return 0;

namespace RagMonitor.Sample
{
    /// <summary>Command-line settings of the sample.</summary>
    internal sealed record SampleSettings(int Requests, int Concurrency, string LogDirectory, double LatencyScale, bool ShowHelp)
    {
        /// <summary>When set, RagMonitor's metrics are served for Prometheus on http://127.0.0.1:PORT/metrics.</summary>
        public int? MetricsPort { get; init; }

        public const string Usage = """
            Usage: dotnet run --project sample/RagMonitor.Sample -- [options]

              --requests N        questions to answer (default 50)
              --concurrency N     questions answered at the same time (default 4)
              --log-dir DIR       where JSONL logs go (default ./logs/performance)
              --latency-scale X   multiplies simulated network and model latency (default 1; 0 = none)
              --metrics-port N    serve Prometheus metrics on http://127.0.0.1:N/metrics (stays up until Ctrl+C)
              --help              this text
            """;

        public static SampleSettings? Parse(string[] args)
        {
            var settings = new SampleSettings(50, 4, PerformanceMonitorOptions.DefaultLogDirectory, 1.0, false);
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                try
                {
                    settings = args[i] switch
                    {
                        "--requests" => settings with { Requests = PositiveInt(Next(), "--requests") },
                        "--concurrency" => settings with { Concurrency = PositiveInt(Next(), "--concurrency") },
                        "--log-dir" => settings with { LogDirectory = Next() },
                        "--latency-scale" => settings with { LatencyScale = NonNegative(Next(), "--latency-scale") },
                        "--metrics-port" => settings with { MetricsPort = Port(Next()) },
                        "--help" or "-h" => settings with { ShowHelp = true },
                        _ => throw new ArgumentException($"unknown option {args[i]}"),
                    };
                }
                catch (ArgumentException ex)
                {
                    Console.Error.WriteLine($"sample: {ex.Message} (see --help)");
                    return null;
                }
            }

            return settings;
        }

        private static int PositiveInt(string text, string option) =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : throw new ArgumentException($"{option} takes a positive whole number, not '{text}'");

        private static int Port(string text) =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value is > 0 and <= 65535
                ? value
                : throw new ArgumentException($"--metrics-port takes a port number (1-65535), not '{text}'");

        private static double NonNegative(string text, string option) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
                ? value
                : throw new ArgumentException($"{option} takes a number of at least 0, not '{text}'");
    }

    /// <summary>Prints the per-stage table and the bottlenecks of a set of finished requests.</summary>
    internal static class SummaryTable
    {
        public static void Print(IReadOnlyList<RequestSummary> summaries, TextWriter output)
        {
            output.WriteLine();
            output.WriteLine($"{"stage",-12} {"count",6} {"p50 ms",9} {"p95 ms",9} {"share",7} {"bottleneck",11}");
            output.WriteLine(new string('-', 58));
            var stageNames = summaries.SelectMany(s => s.Stages).Select(s => s.Name).Distinct().ToArray();
            var totalTime = summaries.Sum(s => s.TotalTime.TotalSeconds);
            foreach (var name in stageNames)
            {
                var stages = summaries.Select(s => s.FindStage(name)).Where(s => s is not null).Select(s => s!).ToArray();
                var durations = stages.Select(s => s.Duration.TotalMilliseconds).OrderBy(d => d).ToArray();
                var share = totalTime > 0 ? stages.Sum(s => s.Duration.TotalSeconds) / totalTime : 0;
                var bottlenecks = summaries.Count(s => s.Bottlenecks.Any(b => b.Stage == name));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-12} {stages.Length,6} {Percentile(durations, 0.50),9:F1} {Percentile(durations, 0.95),9:F1} {share,7:P1} {bottlenecks,11}"));
            }

            var totals = summaries.Select(s => s.TotalTime.TotalMilliseconds).OrderBy(d => d).ToArray();
            output.WriteLine(new string('-', 58));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{"request",-12} {totals.Length,6} {Percentile(totals, 0.50),9:F1} {Percentile(totals, 0.95),9:F1} {1,7:P1} {summaries.Count(s => s.Bottlenecks.Count > 0),11}"));

            output.WriteLine();
            output.WriteLine("Bottlenecks (a stage over 30% of its request's time, or slower than its own recent p95):");
            foreach (var group in summaries.SelectMany(s => s.Bottlenecks).GroupBy(b => (b.Stage, b.Rule)).OrderByDescending(g => g.Count()))
            {
                output.WriteLine($"  {group.Key.Stage,-12} {group.Count(),4} requests  (rule: {group.Key.Rule})  e.g. {group.First().Reason}");
            }

            PrintModelCalls(summaries, output);

            var slowest = summaries.OrderByDescending(s => s.TotalTime).First();
            output.WriteLine();
            output.WriteLine($"Slowest request: {slowest}");
        }

        /// <summary>The figures the Microsoft.Extensions.AI middleware recorded: tokens, time to first token, decode rate.</summary>
        private static void PrintModelCalls(IReadOnlyList<RequestSummary> summaries, TextWriter output)
        {
            output.WriteLine();
            output.WriteLine("Model calls (UseRagMonitor middleware):");
            var stageNames = summaries.SelectMany(s => s.Stages).Where(s => Number(s, "input_tokens") is not null).Select(s => s.Name).Distinct();
            foreach (var name in stageNames)
            {
                var stages = summaries.Select(s => s.FindStage(name)).Where(s => s is not null).Select(s => s!).ToArray();
                var line = string.Create(CultureInfo.InvariantCulture, $"  {name,-12} input tokens {Mean(stages, "input_tokens"),6:F1}");
                if (Values(stages, "output_tokens").Length > 0)
                {
                    line += string.Create(CultureInfo.InvariantCulture, $", output tokens {Mean(stages, "output_tokens"),6:F1}");
                }

                line += " per request";
                var firstToken = Values(stages, "time_to_first_token_ms");
                if (firstToken.Length > 0)
                {
                    line += string.Create(CultureInfo.InvariantCulture,
                        $"  time to first token p50 {Percentile(firstToken, 0.50):F1} ms, p95 {Percentile(firstToken, 0.95):F1} ms  {Percentile(Values(stages, "output_tokens_per_second"), 0.50):F0} tokens/s");
                }

                output.WriteLine(line);
            }
        }

        private static double? Number(StageSummary stage, string key)
        {
            foreach (var pair in stage.Metadata)
            {
                if (pair.Key == key)
                {
                    return pair.Value.Kind switch
                    {
                        MetadataValueKind.Integer => pair.Value.IntegerValue,
                        MetadataValueKind.Number => pair.Value.NumberValue,
                        _ => null,
                    };
                }
            }

            return null;
        }

        private static double[] Values(StageSummary[] stages, string key) =>
            stages.Select(s => Number(s, key)).Where(v => v is not null).Select(v => v!.Value).OrderBy(v => v).ToArray();

        private static double Mean(StageSummary[] stages, string key) => Values(stages, key) is { Length: > 0 } values ? values.Average() : 0;

        private static double Percentile(double[] sorted, double q)
        {
            if (sorted.Length == 0)
            {
                return 0;
            }

            var rank = q * (sorted.Length - 1);
            var low = (int)Math.Floor(rank);
            var high = (int)Math.Ceiling(rank);
            return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
        }
    }
}
