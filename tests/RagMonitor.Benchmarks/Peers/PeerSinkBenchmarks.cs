using System;
using System.Buffers;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using System.Threading.Channels;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace RagMonitor.Benchmarks.Peers;

/// <summary>
/// Issue 16, "sink": 1,000,000 three-stage requests (sample-like metadata) from one producer thread, end to end
/// including the final flush, side by side in one run. RagMonitor goes through <see cref="PerformanceMonitor"/>
/// (scopes, statistics, bottleneck rules, JSONL sink; queue capacity = the request count, so none may be dropped);
/// the peer is a plain bounded <see cref="Channel{T}"/> of small records drained by one task that writes the same
/// line shape with <see cref="Utf8JsonWriter"/> in 64 KiB chunks to a <see cref="FileStream"/>. Reported time is
/// per request: requests/s = 1e9 / Mean(ns). Both throw if a record was lost.
/// Run (with the request peers, one run): dotnet run -c Release --project tests/RagMonitor.Benchmarks -- --filter '*PeerRequestBenchmarks*' '*PeerSinkBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessMonitoring))]
public class PeerSinkBenchmarks
{
    /// <summary>One warm-up and five measured runs of one invocation each, in-process (like the other peers' runs).</summary>
    private sealed class InProcessMonitoring : ManualConfig
    {
        public InProcessMonitoring()
        {
            AddJob(Job.Default
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(1)
                .WithIterationCount(5)
                .WithInvocationCount(1)
                .WithUnrollFactor(1)
                .WithToolchain(InProcessEmitToolchain.Instance));
        }
    }

    /// <summary>How many records the RagMonitor case's pool had to create in its last run (the writer's largest backlog, roughly).</summary>
    internal static long RecordsCreated { get; private set; }

    /// <summary>Requests per invocation.</summary>
    public const int Requests = 1_000_000;

    private const int ChunkSize = 64 * 1024;

    private string _root = string.Empty;
    private string _directory = string.Empty;
    private int _iteration;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "ragmon-peer-sink-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [IterationSetup]
    public void IterationSetup()
    {
        _directory = Path.Combine(_root, (_iteration++).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(_directory);
    }

    [IterationCleanup]
    public void IterationCleanup() => Directory.Delete(_directory, recursive: true);

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    /// <summary>RagMonitor: requests through the monitor, persisted by its JSONL sink.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Requests)]
    public Task RagMonitorEndToEnd() => RunRagMonitor(releaseWrittenLogPages: true);

    /// <summary>
    /// The same with <see cref="PerformanceMonitorOptions.ReleaseWrittenLogPages"/> off: like the peer, the lines stay in
    /// the page cache and, since each iteration's files are deleted within seconds, are never written to disk.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public Task RagMonitorEndToEndKeepingPageCache() => RunRagMonitor(releaseWrittenLogPages: false);

    private async Task RunRagMonitor(bool releaseWrittenLogPages)
    {
        var monitor = new PerformanceMonitor(new PerformanceMonitorOptions
        {
            LogDirectory = _directory,
            QueueCapacity = Requests,
            ReleaseWrittenLogPages = releaseWrittenLogPages,
        });
        for (var i = 0; i < Requests; i++)
        {
            RunRequest(monitor, i);
        }

        await monitor.DisposeAsync();
        RecordsCreated = monitor.PooledRecordsCreated;
        var counters = monitor.GetStatistics().Counters;
        Check("RagMonitor", counters.LogRecordsWritten, counters.LogRecordsDropped);
    }

    /// <summary>One request of the RagMonitor case: begin, three stages with sample-like metadata, end.</summary>
    internal static void RunRequest(PerformanceMonitor monitor, int i)
    {
        using var request = monitor.BeginRequest("ask");
        RunStages(monitor, i);
    }

    /// <summary>The three stages of <see cref="RunRequest"/>.</summary>
    internal static void RunStages(PerformanceMonitor monitor, int i)
    {
        using (var stage = monitor.BeginStage("retrieval"))
        {
            stage.AddMetadata("documents_retrieved", 40 + (i % 20));
            stage.AddMetadata("top_k", 50);
        }

        using (var stage = monitor.BeginStage("grading"))
        {
            stage.AddMetadata("relevant", 5 + (i % 7));
        }

        using (var stage = monitor.BeginStage("generation"))
        {
            stage.AddMetadata("model", "gpt-4o-mini");
            stage.AddMetadata("output_tokens", 200 + (i % 150));
        }
    }

    /// <summary>The peer: a plain bounded channel, one writer task, <see cref="Utf8JsonWriter"/>, 64 KiB chunks.</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public async Task PlainChannelWriter()
    {
        var channel = Channel.CreateBounded<PlainRecord>(new BoundedChannelOptions(Requests)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });
        var path = Path.Combine(_directory, "peer_performance.jsonl");
        var writer = Task.Run(() => DrainAsync(channel.Reader, path));
        var dropped = 0L;
        for (var i = 0; i < Requests; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var retrieval = Stopwatch.GetTimestamp();
            var afterRetrieval = Stopwatch.GetTimestamp();
            var afterGrading = Stopwatch.GetTimestamp();
            var end = Stopwatch.GetTimestamp();
            var record = new PlainRecord(DateTimeOffset.UtcNow, start, retrieval, afterRetrieval, afterGrading, end, i);
            if (!channel.Writer.TryWrite(record))
            {
                dropped++;
            }
        }

        channel.Writer.Complete();
        var written = await writer;
        Check("plain channel", written, dropped);
    }

    private static async Task<long> DrainAsync(ChannelReader<PlainRecord> reader, string path)
    {
        var written = 0L;
        var buffer = new ArrayBufferWriter<byte>(ChunkSize + 4096);
        await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        await using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var record))
            {
                Write(json, record);
                json.Flush();
                json.Reset();
                buffer.Write("\n"u8);
                written++;
                if (buffer.WrittenCount >= ChunkSize)
                {
                    file.Write(buffer.WrittenSpan);
                    buffer.ResetWrittenCount();
                }
            }
        }

        file.Write(buffer.WrittenSpan);
        return written;
    }

    private static void Write(Utf8JsonWriter json, PlainRecord record)
    {
        var frequency = (double)Stopwatch.Frequency;
        var total = (record.End - record.Start) / frequency;
        json.WriteStartObject();
        json.WriteNumber("start_time", record.Timestamp.ToUnixTimeMilliseconds() / 1000.0);
        json.WriteNumber("total_time", total);
        json.WriteString("timestamp", record.Timestamp);
        json.WriteStartObject("stages");
        WriteStage(json, "retrieval", (record.AfterRetrieval - record.Retrieval) / frequency, total, "documents_retrieved", 40 + (record.Index % 20));
        WriteStage(json, "grading", (record.AfterGrading - record.AfterRetrieval) / frequency, total, "relevant", 5 + (record.Index % 7));
        WriteStage(json, "generation", (record.End - record.AfterGrading) / frequency, total, "output_tokens", 200 + (record.Index % 150));
        json.WriteEndObject();
        json.WriteString("request", "ask");
        json.WriteString("request_id", "peer-" + record.Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("status", "success");
        json.WriteEndObject();
    }

    private static void WriteStage(Utf8JsonWriter json, string name, double duration, double total, string key, long value)
    {
        json.WriteStartObject(name);
        json.WriteNumber("duration", duration);
        json.WriteStartObject("metadata");
        json.WriteNumber(key, value);
        json.WriteEndObject();
        json.WriteNumber("calls", 1);
        json.WriteNumber("share", total > 0 ? duration / total : 0);
        json.WriteString("status", "success");
        json.WriteEndObject();
    }

    private static void Check(string who, long written, long dropped)
    {
        if (written != Requests || dropped != 0)
        {
            throw new InvalidOperationException($"{who}: written {written}, dropped {dropped}; expected {Requests} written and none dropped.");
        }
    }

    private readonly record struct PlainRecord(DateTimeOffset Timestamp, long Start, long Retrieval, long AfterRetrieval, long AfterGrading, long End, int Index);
}
