using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace RagMonitor.Logs.Tests;

/// <summary>
/// The reader against the real writer (JsonlSink) and against retention's archives: the persistence branch's reader
/// tests, ported to PerformanceLog's record API when the two readers were merged into one.
/// </summary>
public sealed class PerformanceLogRoundTripTests
{
    private static async Task<List<PerformanceLogRecord>> ReadAll(string dir, PerformanceLogReadOptions? options = null, PerformanceLogReadStatistics? stats = null)
    {
        var list = new List<PerformanceLogRecord>();
        await foreach (PerformanceLogRecord record in PerformanceLog.ReadAsync(dir, options, stats))
        {
            list.Add(record);
        }

        return list;
    }

    [Fact]
    public async Task Reads_back_what_the_sink_wrote()
    {
        using var dir = new TempDirectory();
        var written = new List<RequestSummary>();
        await using (var monitor = LogsTestSupport.NewMonitor(dir.Path))
        {
            for (var i = 0; i < 30; i++)
            {
                var id = "rb-" + i;
                monitor.StartRequest(id, "ask");
                monitor.LogStage(id, "retrieval", TimeSpan.FromMilliseconds(100 + i), new Dictionary<string, object?> { ["docs"] = i, ["q"] = "x\"y", ["score"] = 0.5, ["ok"] = true });
                monitor.LogStage(id, "generation", TimeSpan.FromMilliseconds(900));
                written.Add(monitor.EndRequest(id, i % 3 == 0 ? OperationStatus.Failure : OperationStatus.Success, i % 3 == 0 ? "IOException" : null)!);
            }
        }

        var stats = new PerformanceLogReadStatistics();
        var read = await ReadAll(dir.Path, stats: stats);
        Assert.Equal(30, read.Count);
        Assert.Equal(0, stats.LinesSkipped);
        Assert.Equal(1, stats.FilesRead);
        foreach (var (expected, actual) in written.Zip(read))
        {
            Assert.Equal(expected.RequestId, actual.RequestId);
            Assert.Equal(expected.RequestName, actual.RequestName);
            Assert.Equal(expected.Status, actual.Status);
            Assert.Equal(expected.ErrorType, actual.ErrorType);
            Assert.InRange((actual.StartTime!.Value - expected.StartTime).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(0.01));
            Assert.InRange((actual.TotalTime - expected.TotalTime).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(0.01));
            Assert.InRange((actual.Timestamp - expected.EndTime).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(0.01));
            Assert.Equal(expected.Stages.Select(s => s.Name), actual.Stages.Select(s => s.Name));
            Assert.Equal(expected.Stages.Select(s => s.Calls), actual.Stages.Select(s => s.Calls!.Value));
            Assert.Equal(expected.Bottlenecks.Select(b => b.Stage), actual.Bottlenecks.Select(b => b.Stage));
            var retrieval = actual.FindStage("retrieval")!;
            Assert.Equal(expected.Stages.Single(s => s.Name == "retrieval").Duration.TotalMilliseconds, retrieval.Duration.TotalMilliseconds, 3);
            Assert.Equal(
                new[] { MetadataValueKind.Integer, MetadataValueKind.String, MetadataValueKind.Number, MetadataValueKind.Boolean },
                retrieval.Metadata.Select(m => m.Value.Kind));
            Assert.Equal("x\"y", retrieval.Metadata[1].Value.StringValue);
        }

        // The fast handler API sees the same lines.
        var ids = new List<string?>();
        PerformanceLogReadStatistics fast = PerformanceLog.Read(dir.Path, null, e => ids.Add(e.GetRequestId()));
        Assert.Equal(written.Select(w => w.RequestId), ids);
        Assert.Equal(0, fast.LinesSkipped);
    }

    [Fact]
    public async Task Reads_archives_and_seed_lines_skips_torn_lines_and_filters_by_date()
    {
        using var dir = new TempDirectory();
        const string seedLine = "{\"start_time\": 1764403200.123, \"total_time\": 4.567, \"timestamp\": \"2026-11-29T08:00:04.690000\", \"stages\": {\"retrieval\": {\"duration\": 1.5, \"metadata\": {\"documents_retrieved\": 50}}}}";
        await File.WriteAllTextAsync(dir.Combine("20261101_performance.jsonl"), seedLine + "\n" + seedLine + "\n");
        await File.WriteAllTextAsync(dir.Combine("20261102_performance.jsonl"), seedLine + "\n\n{\"start_time\": 1.0, \"total_ti");
        await File.WriteAllTextAsync(dir.Combine("20261103_performance.jsonl"), "not json\n{\"no_start\":1}\n" + seedLine + "\n");
        await File.WriteAllTextAsync(dir.Combine("20261104_performance.jsonl"), seedLine + "\n");
        await File.WriteAllTextAsync(dir.Combine("notes_performance.txt"), "ignored");
        LogRetention.Apply(dir.Path, new RetentionPolicy(null, 0), new DateOnly(2026, 11, 3)); // gzips Nov 1 and Nov 2
        Assert.True(File.Exists(dir.Combine("20261101_performance.jsonl.gz")));

        var stats = new PerformanceLogReadStatistics();
        var all = await ReadAll(dir.Path, stats: stats);
        Assert.Equal(5, all.Count);
        Assert.Equal(3, stats.LinesSkipped);
        Assert.Equal(4, stats.FilesRead);
        var first = all[0];
        Assert.Null(first.RequestName);
        Assert.Null(first.RequestId);
        Assert.Null(first.Status);
        Assert.Equal(TimeSpan.FromSeconds(4.567), first.TotalTime);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764403200123), first.StartTime);
        var stage = Assert.Single(first.Stages);
        Assert.Equal(TimeSpan.FromSeconds(1.5), stage.Duration);
        Assert.Null(stage.Share);
        Assert.Equal(50, stage.Metadata.Single().Value.IntegerValue);

        // By file date (the records' own timestamps are all 2026-11-29 local time).
        var some = PerformanceLog.ListFiles(dir.Path, new DateOnly(2026, 11, 2), new DateOnly(2026, 11, 3));
        var fromSome = new List<PerformanceLogRecord>();
        await foreach (PerformanceLogRecord record in PerformanceLog.ReadAsync(some))
        {
            fromSome.Add(record);
        }

        Assert.Equal(2, fromSome.Count);
    }

    [Fact]
    public async Task A_missing_directory_is_reported()
    {
        using var dir = new TempDirectory();
        await Assert.ThrowsAsync<DirectoryNotFoundException>(async () => await ReadAll(dir.Combine("nope")));
    }
}
