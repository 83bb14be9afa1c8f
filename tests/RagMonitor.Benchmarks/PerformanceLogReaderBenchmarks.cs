using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace RagMonitor.Benchmarks;

/// <summary>
/// Reading 20,000 RagMonitor-shaped lines (3 stages, ≈ 570 bytes) from a file: the fast handler API (lines in the
/// writer's exact layout take the parser's expected-layout lane), the same lines with one space after the opening
/// brace (the lane declines them: the general validating scanner reads them), the Utf8JsonReader reference parser
/// only, the record API, and a JsonDocument-per-line baseline.
/// Run: dotnet run -c Release --project tests/RagMonitor.Benchmarks -- --filter *PerformanceLogReader*
/// </summary>
[MemoryDiagnoser]
public class PerformanceLogReaderBenchmarks
{
    private const int Lines = 20_000;
    private string _directory = string.Empty;
    private string _file = string.Empty;
    private string _spacedDirectory = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "ragmon-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _file = Path.Combine(_directory, "20261129_performance.jsonl");
        var random = new Random(1);
        var builder = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        for (int i = 0; i < Lines; i++)
        {
            double e = 0.02 + (random.NextDouble() * 0.04), r = 0.2 + random.NextDouble(), g = 0.8 + random.NextDouble(), t = e + r + g + 0.01;
            builder.Append(c, $"{{\"start_time\":{1795939200 + i}.123,\"total_time\":{t:0.######},\"timestamp\":\"2026-11-29T08:{i / 600 % 60:00}:{i / 10 % 60:00}.{i % 1000:000}456+00:00\",\"stages\":{{");
            builder.Append(c, $"\"embedding\":{{\"duration\":{e:0.######},\"metadata\":{{}},\"calls\":1,\"share\":{e / t:0.###},\"status\":\"success\"}},");
            builder.Append(c, $"\"retrieval\":{{\"duration\":{r:0.######},\"metadata\":{{\"documents\":50}},\"calls\":1,\"share\":{r / t:0.###},\"status\":\"success\"}},");
            builder.Append(c, $"\"generation\":{{\"duration\":{g:0.######},\"metadata\":{{\"tokens\":{random.Next(500, 3000)}}},\"calls\":1,\"share\":{g / t:0.###},\"status\":\"success\"}}}},");
            builder.Append(c, $"\"request\":\"ask\",\"request_id\":\"{Guid.NewGuid():N}\",\"status\":\"success\",\"bottlenecks\":[{{\"stage\":\"generation\",\"share\":{g / t:0.###},\"rule\":\"share\"}}]}}\n");
        }

        File.WriteAllText(_file, builder.ToString());
        _spacedDirectory = Path.Combine(_directory, "spaced");
        Directory.CreateDirectory(_spacedDirectory);
        File.WriteAllText(Path.Combine(_spacedDirectory, "20261129_performance.jsonl"), builder.ToString().Replace("{\"start_time\"", "{ \"start_time\"", StringComparison.Ordinal));
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, true);

    [Benchmark(Description = "Read (handler, general scanner: lines off the writer's layout)")]
    public double GeneralScanner() => SumStageDurations(_spacedDirectory);

    [Benchmark(Baseline = true, Description = "Read (handler, fast path)")]
    public double FastHandler() => SumStageDurations(_directory);

    private static double SumStageDurations(string directory)
    {
        double sum = 0;
        PerformanceLog.Read(directory, new PerformanceLogReadOptions { IncludeMetadata = false }, entry =>
        {
            foreach (LogStageEntry stage in entry.Stages)
            {
                sum += stage.DurationSeconds;
            }
        });
        return sum;
    }

    [Benchmark(Description = "Utf8JsonReader reference parser only")]
    public double ReferenceParser()
    {
        var parser = new PerformanceLogLineParser(false, useFastPath: false);
        var entry = new PerformanceLogEntry();
        byte[] bytes = File.ReadAllBytes(_file);
        double sum = 0;
        int start = 0;
        while (start < bytes.Length)
        {
            int end = Array.IndexOf(bytes, (byte)'\n', start);
            if (parser.Parse(bytes, start, end - start, entry, false) is null)
            {
                foreach (LogStageEntry stage in entry.Stages)
                {
                    sum += stage.DurationSeconds;
                }
            }

            start = end + 1;
        }

        return sum;
    }

    [Benchmark(Description = "ReadAsync (records)")]
    public async System.Threading.Tasks.Task<double> Records()
    {
        double sum = 0;
        await foreach (PerformanceLogRecord record in PerformanceLog.ReadAsync(_directory))
        {
            foreach (LogStageRecord stage in record.Stages)
            {
                sum += stage.DurationSeconds;
            }
        }

        return sum;
    }

    [Benchmark(Description = "JsonDocument per line (baseline)")]
    public double JsonDocumentPerLine()
    {
        double sum = 0;
        foreach (string line in File.ReadLines(_file))
        {
            using JsonDocument document = JsonDocument.Parse(line);
            foreach (JsonProperty stage in document.RootElement.GetProperty("stages").EnumerateObject())
            {
                sum += stage.Value.GetProperty("duration").GetDouble();
            }
        }

        return sum;
    }
}
