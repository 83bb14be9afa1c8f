using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor.Logs.Tests;

public sealed class PerformanceLogReaderTests : IDisposable
{
    private const string RagMonitorLine =
        "{\"start_time\":1795939200.123,\"total_time\":4.567,\"timestamp\":\"2026-11-29T08:00:04.690123+00:00\"," +
        "\"stages\":{\"retrieval\":{\"duration\":1.5,\"metadata\":{\"documents_retrieved\":50,\"index\":\"docs\",\"score\":0.75,\"reranked\":true,\"none\":null,\"list\":[1,2]},\"calls\":2,\"share\":0.328,\"status\":\"success\"}," +
        "\"generation\":{\"duration\":3.0,\"metadata\":{},\"calls\":1,\"share\":0.657,\"status\":\"failure\",\"error_type\":\"TimeoutException\"}}," +
        "\"request\":\"ask\",\"request_id\":\"r-42\",\"status\":\"failure\",\"error_type\":\"TimeoutException\"," +
        "\"bottlenecks\":[{\"stage\":\"retrieval\",\"share\":0.328,\"rule\":\"share\"},{\"stage\":\"generation\",\"share\":0.657,\"rule\":\"share\"}]," +
        "\"allocated_bytes\":123456,\"gc_collections\":2,\"future_field\":{\"x\":[1,{\"y\":2}]}}";

    private const string PythonLine =
        "{\"start_time\": 1795939200.5, \"total_time\": 2.25, \"timestamp\": \"2026-11-29T08:00:02.750000\", " +
        "\"stages\": {\"retrieval\": {\"duration\": 1.25, \"metadata\": {\"documents_retrieved\": 5}}, \"generation\": {\"duration\": 0.9, \"metadata\": {}}}}";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ragmon-reader-" + Guid.NewGuid().ToString("N"));

    public PerformanceLogReaderTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }

    private string Write(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    private string WriteGzip(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        using FileStream file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        byte[] bytes = Encoding.UTF8.GetBytes(content);
        gzip.Write(bytes, 0, bytes.Length);
        return path;
    }

    private static async Task<List<PerformanceLogRecord>> ToListAsync(IAsyncEnumerable<PerformanceLogRecord> records)
    {
        var list = new List<PerformanceLogRecord>();
        await foreach (PerformanceLogRecord record in records)
        {
            list.Add(record);
        }

        return list;
    }

    private List<PerformanceLogRecord> ReadAll(PerformanceLogReadOptions? options, out PerformanceLogReadStatistics statistics)
    {
        var records = new List<PerformanceLogRecord>();
        statistics = PerformanceLog.Read(_dir, options, e => records.Add(e.ToRecord()));
        return records;
    }

    [Fact]
    public async Task Reads_every_field_of_a_RagMonitor_line()
    {
        Write("20261129_performance.jsonl", RagMonitorLine + "\n");
        var statistics = new PerformanceLogReadStatistics();
        PerformanceLogRecord r = Assert.Single(await ToListAsync(PerformanceLog.ReadAsync(_dir, statistics: statistics)));
        Assert.Equal(1795939200.123, r.StartTimeSeconds);
        Assert.Equal(4.567, r.TotalTimeSeconds);
        Assert.Equal(TimeSpan.FromTicks(45_670_000), r.TotalTime);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 8, 0, 4, TimeSpan.Zero).AddTicks(6_901_230), r.Timestamp);
        Assert.Equal(TimeSpan.Zero, r.Timestamp.Offset);
        Assert.Equal("ask", r.RequestName);
        Assert.Equal("r-42", r.RequestId);
        Assert.Equal(OperationStatus.Failure, r.Status);
        Assert.Equal("TimeoutException", r.ErrorType);
        Assert.Equal(123456, r.AllocatedBytes);
        Assert.Equal(2, r.GcCollections);
        Assert.Equal(1, r.LineNumber);
        Assert.EndsWith("20261129_performance.jsonl", r.SourcePath);

        Assert.Equal(new[] { "retrieval", "generation" }, r.Stages.Select(s => s.Name));
        LogStageRecord retrieval = r.Stages[0];
        Assert.Equal(1.5, retrieval.DurationSeconds);
        Assert.Equal(2, retrieval.Calls);
        Assert.Equal(0.328, retrieval.Share);
        Assert.Equal(OperationStatus.Success, retrieval.Status);
        Assert.Null(retrieval.ErrorType);
        var metadata = retrieval.Metadata.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(MetadataValue.FromInteger(50), metadata["documents_retrieved"]);
        Assert.Equal(MetadataValue.FromString("docs"), metadata["index"]);
        Assert.Equal(MetadataValue.FromNumber(0.75), metadata["score"]);
        Assert.Equal(MetadataValue.FromBoolean(true), metadata["reranked"]);
        Assert.Equal(MetadataValue.Null, metadata["none"]);
        Assert.Equal(MetadataValue.FromString("[1,2]"), metadata["list"]);
        LogStageRecord generation = r.Stages[1];
        Assert.Equal(OperationStatus.Failure, generation.Status);
        Assert.Equal("TimeoutException", generation.ErrorType);
        Assert.Empty(generation.Metadata);

        Assert.Equal(new[] { ("retrieval", 0.328, "share"), ("generation", 0.657, "share") },
            r.Bottlenecks.Select(b => (b.Stage, b.Share!.Value, b.Rule!)));
        Assert.Equal(1, statistics.RecordsMatched);
        Assert.Equal(0, statistics.LinesSkipped);
    }

    [Fact]
    public void Reads_the_python_module_lines_as_local_time_or_utc()
    {
        Write("20261129_performance.jsonl", PythonLine + "\n");
        PerformanceLogRecord local = Assert.Single(ReadAll(null, out _));
        var expectedLocal = new DateTime(2026, 11, 29, 8, 0, 2, 750, DateTimeKind.Unspecified);
        Assert.Equal(expectedLocal, local.Timestamp.DateTime);
        Assert.Equal(TimeZoneInfo.Local.GetUtcOffset(expectedLocal), local.Timestamp.Offset);
        Assert.Null(local.RequestName);
        Assert.Null(local.RequestId);
        Assert.Null(local.Status);
        // The Python module writes no bottlenecks: the reader flags stages over 30 % of total_time, as the module did.
        Assert.Equal(new[] { ("retrieval", 1.25 / 2.25, "share"), ("generation", 0.9 / 2.25, "share") },
            local.Bottlenecks.Select(b => (b.Stage, b.Share!.Value, b.Rule!)));
        Assert.Equal(new[] { ("retrieval", 1.25), ("generation", 0.9) }, local.Stages.Select(s => (s.Name, s.DurationSeconds)));
        Assert.Null(local.Stages[0].Calls);
        Assert.Equal(MetadataValue.FromInteger(5), local.Stages[0].Metadata.Single().Value);

        PerformanceLogRecord utc = Assert.Single(ReadAll(new PerformanceLogReadOptions { TimestampsWithoutOffsetAreUtc = true }, out _));
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 8, 0, 2, 750, TimeSpan.Zero), utc.Timestamp);
    }

    [Fact]
    public void Skips_and_counts_a_torn_last_line_and_reports_where()
    {
        string torn = RagMonitorLine.Substring(0, 97);
        Write("20261129_performance.jsonl", RagMonitorLine + "\n" + PythonLine + "\n" + torn);
        var skipped = new List<SkippedLogLine>();
        List<PerformanceLogRecord> records = ReadAll(new PerformanceLogReadOptions { LineSkipped = skipped.Add }, out PerformanceLogReadStatistics statistics);
        Assert.Equal(2, records.Count);
        Assert.Equal(1, statistics.LinesSkipped);
        Assert.Equal(3, statistics.LinesRead);
        SkippedLogLine line = Assert.Single(statistics.SkippedLines);
        Assert.Equal(3, line.LineNumber);
        Assert.EndsWith("20261129_performance.jsonl", line.Path);
        Assert.Contains("torn", line.Reason);
        Assert.Equal(line, Assert.Single(skipped));
        Assert.Contains(":3: ", line.ToString());
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"start_time\":1,\"timestamp\":\"2026-11-29T08:00:00Z\",\"stages\":{}}")]
    [InlineData("{\"total_time\":\"slow\",\"timestamp\":\"2026-11-29T08:00:00Z\"}")]
    [InlineData("{\"total_time\":-1,\"timestamp\":\"2026-11-29T08:00:00Z\"}")]
    [InlineData("{\"total_time\":1,\"timestamp\":\"yesterday\"}")]
    [InlineData("{\"total_time\":1}")]
    [InlineData("{\"total_time\":1,\"timestamp\":\"2026-11-29T08:00:00Z\",\"stages\":{\"a\":{\"metadata\":{}}}}")]
    [InlineData("{\"total_time\":1,\"timestamp\":\"2026-11-29T08:00:00Z\",\"stages\":{\"a\":{\"duration\":-2}}}")]
    [InlineData("{\"total_time\":1,\"timestamp\":\"2026-11-29T08:00:00Z\"} {\"total_time\":2}")]
    [InlineData("{\"total_time\":1,\"timestamp\":\"2026-02-30T08:00:00Z\"}")]
    public void Skips_invalid_lines_and_keeps_reading(string bad)
    {
        Write("20261129_performance.jsonl", RagMonitorLine + "\n" + bad + "\n" + PythonLine + "\n");
        List<PerformanceLogRecord> records = ReadAll(null, out PerformanceLogReadStatistics statistics);
        Assert.Equal(2, records.Count);
        Assert.Equal(new long[] { 1, 3 }, records.Select(r => r.LineNumber));
        Assert.Equal(2, Assert.Single(statistics.SkippedLines).LineNumber);
    }

    [Fact]
    public void Accepts_blank_lines_crlf_a_bom_and_a_missing_final_newline()
    {
        Write("20261129_performance.jsonl", "\uFEFF" + RagMonitorLine + "\r\n\r\n   \n" + PythonLine);
        List<PerformanceLogRecord> records = ReadAll(null, out PerformanceLogReadStatistics statistics);
        Assert.Equal(2, records.Count);
        Assert.Equal(0, statistics.LinesSkipped);
        Assert.Equal(2, statistics.LinesRead);
        Assert.Equal(4, records[1].LineNumber);
    }

    [Fact]
    public void Reads_gzip_files_including_concatenated_members()
    {
        string path = WriteGzip("20261128_performance.jsonl.gz", RagMonitorLine + "\n");
        using (FileStream file = new(path, FileMode.Append))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            byte[] bytes = Encoding.UTF8.GetBytes(PythonLine + "\n");
            gzip.Write(bytes, 0, bytes.Length);
        }

        Write("20261129_performance.jsonl", RagMonitorLine + "\n");
        List<PerformanceLogRecord> records = ReadAll(null, out PerformanceLogReadStatistics statistics);
        Assert.Equal(3, records.Count);
        Assert.Equal(2, statistics.FilesRead);
        Assert.EndsWith(".gz", records[0].SourcePath);
        Assert.Null(records[1].RequestName);
        Assert.True(statistics.UncompressedBytesRead > statistics.BytesRead - new FileInfo(path).Length);
    }

    [Fact]
    public void An_empty_gzip_file_reads_as_an_empty_log_because_GZipStream_writes_nothing_for_an_empty_log()
    {
        string path = WriteGzip("20261128_performance.jsonl.gz", string.Empty);
        Assert.Equal(0, new FileInfo(path).Length);
        Write("20261129_performance.jsonl", RagMonitorLine + "\n");
        List<PerformanceLogRecord> records = ReadAll(null, out PerformanceLogReadStatistics statistics);
        Assert.Single(records);
        Assert.Equal(0, statistics.LinesSkipped);
        Assert.Equal(2, statistics.FilesRead);
    }

    [Fact]
    public void Lists_files_by_the_date_in_their_name()
    {
        Write("20261127_performance.jsonl", RagMonitorLine + "\n");
        Write("20261129_api_performance.jsonl", RagMonitorLine + "\n");
        WriteGzip("20261128_performance.jsonl.gz", RagMonitorLine + "\n");
        Write("performance.jsonl", RagMonitorLine + "\n");
        Write("2026112_performance.jsonl", RagMonitorLine + "\n");
        Write("20261399_performance.jsonl", RagMonitorLine + "\n");
        Write("20261126_performance.jsonl.bak", RagMonitorLine + "\n");
        Write("20261126_other.jsonl", RagMonitorLine + "\n");

        IReadOnlyList<PerformanceLogFile> files = PerformanceLog.ListFiles(_dir);
        Assert.Equal(new[] { "20261127_performance.jsonl", "20261128_performance.jsonl.gz", "20261129_api_performance.jsonl" }, files.Select(f => Path.GetFileName(f.Path)));
        Assert.Equal(new[] { false, true, false }, files.Select(f => f.IsCompressed));
        Assert.Equal(new DateOnly(2026, 11, 28), files[1].Date);

        IReadOnlyList<PerformanceLogFile> some = PerformanceLog.ListFiles(_dir, new DateOnly(2026, 11, 28), new DateOnly(2026, 11, 28));
        Assert.Equal("20261128_performance.jsonl.gz", Path.GetFileName(Assert.Single(some).Path));
    }

    [Fact]
    public void Selects_files_with_a_day_of_margin_and_records_by_timestamp()
    {
        string Line(DateTimeOffset t) => $"{{\"total_time\":1,\"timestamp\":\"{t:yyyy-MM-dd'T'HH:mm:ss.ffffffzzz}\",\"stages\":{{}}}}";
        var day = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
        Write("20261126_performance.jsonl", Line(day.AddDays(-2)) + "\n");
        // A file named by local date can hold records of the next UTC day.
        Write("20261127_performance.jsonl", Line(day.AddDays(-1)) + "\n" + Line(day.AddMinutes(30)) + "\n");
        Write("20261128_performance.jsonl", Line(day.AddHours(1)) + "\n" + Line(day.AddHours(23)) + "\n");
        Write("20261130_performance.jsonl", Line(day.AddDays(2)) + "\n");

        var options = new PerformanceLogReadOptions { From = day, To = day.AddHours(12) };
        Assert.Equal(new[] { "20261127_performance.jsonl", "20261128_performance.jsonl" }, PerformanceLog.ListFiles(_dir, options).Select(f => Path.GetFileName(f.Path)));
        List<PerformanceLogRecord> records = ReadAll(options, out PerformanceLogReadStatistics statistics);
        Assert.Equal(new[] { day.AddMinutes(30), day.AddHours(1) }, records.Select(r => r.Timestamp));
        Assert.Equal(4, statistics.RecordsRead);
        Assert.Equal(2, statistics.RecordsMatched);
        Assert.Equal(day.AddMinutes(30), statistics.FirstTimestamp);
        Assert.Equal(day.AddHours(1), statistics.LastTimestamp);
    }

    [Fact]
    public void Filters_by_request_name()
    {
        Write("20261129_performance.jsonl", RagMonitorLine + "\n" + PythonLine + "\n" + RagMonitorLine.Replace("\"request\":\"ask\"", "\"request\":\"ingest\"", StringComparison.Ordinal) + "\n");
        List<PerformanceLogRecord> records = ReadAll(new PerformanceLogReadOptions { RequestName = "ingest" }, out _);
        Assert.Equal("ingest", Assert.Single(records).RequestName);
    }

    [Fact]
    public void Unescapes_names_and_shares_one_string_per_name()
    {
        string escaped = "{\"total_time\":1,\"timestamp\":\"2026-11-29T08:00:00Z\",\"stages\":{\"re\\u0074rieval\":{\"duration\":0.5},\"g\\\"en\\\\\":{\"duration\":0.25}},\"request\":\"\\u00e4sk\",\"request_id\":\"id\\n1\"}";
        Write("20261129_performance.jsonl", escaped + "\n" + escaped + "\n");
        var names = new List<string>();
        var ids = new List<string?>();
        PerformanceLog.Read(_dir, null, e =>
        {
            names.Add(e.Stages[0].Name);
            names.Add(e.Stages[1].Name);
            names.Add(e.RequestName!);
            ids.Add(e.GetRequestId());
        });
        Assert.Equal(new[] { "retrieval", "g\"en\\", "äsk", "retrieval", "g\"en\\", "äsk" }, names);
        Assert.Same(names[0], names[3]);
        Assert.Same(names[2], names[5]);
        Assert.Equal(new[] { "id\n1", "id\n1" }, ids);
    }

    [Fact]
    public void Recovers_python_nan_and_a_whole_record_after_a_torn_one()
    {
        string nan = "{\"start_time\": 1795939200.5, \"total_time\": 2.25, \"timestamp\": \"2026-11-29T08:00:02Z\", \"stages\": {\"retrieval\": {\"duration\": 1.25, \"metadata\": {\"score\": NaN, \"text\": \"NaN stays\", \"max\": -Infinity}}}}";
        string tornThenWhole = RagMonitorLine.Substring(0, 60) + RagMonitorLine;
        Write("20261129_performance.jsonl", nan + "\n" + tornThenWhole + "\n");
        List<PerformanceLogRecord> records = ReadAll(null, out PerformanceLogReadStatistics statistics);
        Assert.Equal(2, records.Count);
        var metadata = records[0].Stages[0].Metadata.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(MetadataValue.Null, metadata["score"]);
        Assert.Equal(MetadataValue.FromString("NaN stays"), metadata["text"]);
        Assert.Equal(MetadataValue.Null, metadata["max"]);
        Assert.Equal("r-42", records[1].RequestId);
        SkippedLogLine skipped = Assert.Single(statistics.SkippedLines);
        Assert.Equal(2, skipped.LineNumber);
        Assert.Contains("torn record", skipped.Reason);
    }

    [Fact]
    public void Skips_lines_longer_than_the_limit()
    {
        string huge = "{\"total_time\":1,\"timestamp\":\"2026-11-29T08:00:00Z\",\"pad\":\"" + new string('x', 50_000) + "\"}";
        Write("20261129_performance.jsonl", RagMonitorLine + "\n" + huge + "\n" + PythonLine + "\n" + huge);
        List<PerformanceLogRecord> records = ReadAll(new PerformanceLogReadOptions { MaxLineLength = 8192 }, out PerformanceLogReadStatistics statistics);
        Assert.Equal(new long[] { 1, 3 }, records.Select(r => r.LineNumber));
        Assert.Equal(new long[] { 2, 4 }, statistics.SkippedLines.Select(s => s.LineNumber));
        Assert.All(statistics.SkippedLines, s => Assert.Contains("longer than 8192", s.Reason));

        List<PerformanceLogRecord> all = ReadAll(null, out PerformanceLogReadStatistics defaults);
        Assert.Equal(4, all.Count);
        Assert.Equal(0, defaults.LinesSkipped);
    }

    [Fact]
    public async Task Lines_across_buffer_boundaries_are_read_identically_by_both_apis()
    {
        var builder = new StringBuilder();
        var random = new Random(5);
        int expected = 0;
        for (int i = 0; i < 12_000; i++)
        {
            if (i % 997 == 5)
            {
                builder.Append("{\"total_time\":1,\"times").Append('\n');
                continue;
            }

            double total = Math.Round(random.NextDouble() * 10, 6);
            builder.Append(CultureInfo.InvariantCulture, $"{{\"start_time\":{1795939200 + i}.25,\"total_time\":{total.ToString("R", CultureInfo.InvariantCulture)},\"timestamp\":\"2026-11-29T08:00:00.{i % 1000:000}+00:00\",\"stages\":{{\"s{i % 7}\":{{\"duration\":{(total / 2).ToString("R", CultureInfo.InvariantCulture)},\"metadata\":{{\"pad\":\"{new string('p', random.Next(0, 600))}\"}}}}}},\"request\":\"r{i % 3}\",\"request_id\":\"{i}\"}}\n");
            expected++;
        }

        Write("20261129_performance.jsonl", builder.ToString());
        WriteGzip("20261128_performance.jsonl.gz", builder.ToString());
        Assert.True(new FileInfo(Path.Combine(_dir, "20261129_performance.jsonl")).Length > 3 * 1024 * 1024);

        var fast = new List<(string?, double, string)>();
        long progress = 0;
        PerformanceLogReadStatistics statistics = PerformanceLog.Read(_dir, new PerformanceLogReadOptions { Progress = b => progress = b }, e => fast.Add((e.GetRequestId(), e.TotalTimeSeconds, e.Stages[0].Name)));
        Assert.Equal(2 * expected, fast.Count);
        Assert.Equal(2 * (12_000 - expected), statistics.LinesSkipped);
        Assert.Equal(statistics.BytesRead, progress);
        Assert.Equal(Enumerable.Range(0, 12_000).Where(i => i % 997 != 5).Select(i => i.ToString(CultureInfo.InvariantCulture)), fast.Take(expected).Select(f => f.Item1));

        var slowStatistics = new PerformanceLogReadStatistics();
        List<PerformanceLogRecord> slow = await ToListAsync(PerformanceLog.ReadAsync(_dir, statistics: slowStatistics));
        Assert.Equal(fast, slow.Select(r => (r.RequestId, r.TotalTimeSeconds, r.Stages[0].Name)).ToList());
        Assert.Equal(statistics.LinesSkipped, slowStatistics.LinesSkipped);
        Assert.Equal(statistics.UncompressedBytesRead, slowStatistics.UncompressedBytesRead);
    }

    private static string Canonical(PerformanceLogRecord r)
    {
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"{r.StartTimeSeconds:R}|{r.TotalTimeSeconds:R}|{r.Timestamp:O}|{r.RequestName}|{r.RequestId}|{r.Status}|{r.ErrorType}|{r.AllocatedBytes}|{r.GcCollections}|");
        foreach (LogStageRecord s in r.Stages)
        {
            b.Append(CultureInfo.InvariantCulture, $"[{s.Name}|{s.DurationSeconds:R}|{s.Calls}|{s.Share:R}|{s.Status}|{s.ErrorType}|{string.Join(";", s.Metadata.Select(m => m.Key + "=" + m.Value.Kind + ":" + m.Value))}]");
        }

        foreach (LogBottleneckRecord x in r.Bottlenecks)
        {
            b.Append(CultureInfo.InvariantCulture, $"<{x.Stage}|{x.Share:R}|{x.Rule}>");
        }

        return b.ToString();
    }

    [Fact]
    public void The_fast_path_never_accepts_what_the_reference_parser_would_not_read_the_same_way()
    {
        string[] corpus =
        {
            RagMonitorLine,
            PythonLine,
            " { \"total_time\" : 1.25e0 , \"timestamp\" : \"2026-11-29 08:00:00.5-01:00\" , \"stages\" : { \"a\" : { \"duration\" : 0 , \"calls\" : 1.0 , \"share\" : null , \"status\" : \"canceled\" } } , \"request\" : null , \"x\" : [ true , false , null , { } , [ ] , -0.5E-3 ] } ",
            "{\"total_time\":2,\"start_time\":1795939200,\"stages\":{\"a\":{\"duration\":1,\"metadata\":{\"deep\":{\"x\":[1,[2,[3]]],\"s\":\"q\\\"uote \\u00e9\"}},\"share\":{\"odd\":1},\"calls\":[1]}},\"bottlenecks\":[{\"stage\":\"a\",\"share\":\"x\",\"rule\":null},{}],\"status\":\"weird\",\"request_id\":{\"id\":1},\"allocated_bytes\":null,\"gc_collections\":7}",
            "{\"total_time\":1,\"timestamp\":\"2026-11-29T08:00:00Z\",\"bottlenecks\":[\"retrieval (45.0%)\"],\"stages\":{\"retrieval\":0.5}}",
            "{\"total_time\":1,\"timestamp\":\"2026-11-29T08:00:00Z\",\"request\":\"a\\u0073k\",\"stages\":{\"r\\tx\":{\"duration\":1}}}",
            "{\"stages\":{\"b\":{\"status\":\"failure\",\"duration\":2,\"error_type\":\"E\",\"duration\":3}},\"request\":\"x\",\"timestamp\":\"2026-11-29T08:00:00+01:00\",\"total_time\":5,\"request\":\"y\",\"bottlenecks\":[{\"rule\":\"share\",\"stage\":\"b\"}],\"gc_collections\":1,\"allocated_bytes\":2}",
        };
        var random = new Random(1234);
        byte[] noise = Encoding.ASCII.GetBytes("\"\\{}[],:0123456789.eE-+ ntfulrsx\u0001\u00e9");
        var fast = new PerformanceLogFastParser(new PerformanceLogStringCache(), false);
        var reference = new PerformanceLogLineParser(false, useFastPath: false);
        var fastEntry = new PerformanceLogEntry();
        var referenceEntry = new PerformanceLogEntry();
        int accepted = 0;
        int total = 0;
        foreach (string line in corpus)
        {
            byte[] original = Encoding.UTF8.GetBytes(line);
            for (int n = 0; n < 3000; n++)
            {
                var bytes = new List<byte>(original);
                LineEdits.Apply(bytes, random, noise, n == 0 ? 0 : 1 + random.Next(3), keep: 0);

                byte[] candidate = bytes.ToArray();
                total++;
                fastEntry.Reset(candidate, 0, candidate.Length, true);
                if (fast.Parse(candidate, fastEntry) != PerformanceLogFastParser.Result.Parsed)
                {
                    continue;
                }

                accepted++;
                string? error = reference.Parse(candidate, 0, candidate.Length, referenceEntry, true);
                string text = Encoding.UTF8.GetString(candidate);
                Assert.True(error is null, $"fast path accepted a line the reference rejects ({error}): {text}");
                Assert.True(reference.DroppedPrefix is null, text);
                Assert.Equal(Canonical(referenceEntry.ToRecord()), Canonical(fastEntry.ToRecord()));
            }
        }

        Assert.InRange(accepted, total / 20, total - 1);
    }

    [Fact]
    public void The_string_scan_finds_the_first_quote_backslash_or_control_character()
    {
        byte[] specials = { (byte)'"', (byte)'\\', 0x00, 0x0A, 0x1F };
        byte[] ordinary = { (byte)'a', (byte)' ', 0x7F, 0x80, 0xC3, 0xA9, 0xFF, (byte)'#', (byte)'!', 0x21, 0x23, 0x5B, 0x5D };
        var random = new Random(2);
        for (int length = 0; length < 40; length++)
        {
            for (int position = -1; position < length; position++)
            {
                var bytes = new byte[length];
                for (int k = 0; k < length; k++)
                {
                    bytes[k] = ordinary[random.Next(ordinary.Length)];
                }

                if (position >= 0)
                {
                    bytes[position] = specials[random.Next(specials.Length)];
                    if (position + 1 < length)
                    {
                        bytes[position + 1 + random.Next(length - position - 1)] = specials[random.Next(specials.Length)];
                    }
                }

                for (int start = 0; start <= Math.Max(0, position); start++)
                {
                    Assert.Equal(position, PerformanceLogFastParser.IndexOfStringSpecial(bytes, start));
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_parallel_read_in_small_chunks_sees_exactly_what_a_sequential_read_sees(int threads)
    {
        var builder = new StringBuilder();
        var random = new Random(9);
        for (int i = 0; i < 20_000; i++)
        {
            if (i % 1231 == 7)
            {
                builder.Append("{\"total_time\":1,\"timesta\n");
                continue;
            }

            builder.Append(CultureInfo.InvariantCulture, $"{{\"total_time\":{i}.5,\"timestamp\":\"2026-11-29T08:00:00Z\",\"stages\":{{\"s\":{{\"duration\":0.5,\"metadata\":{{\"pad\":\"{new string('p', random.Next(0, 300))}\"}}}}}},\"request_id\":\"{i}\"}}\n");
        }

        Write("20261129_performance.jsonl", builder.ToString());
        WriteGzip("20261128_performance.jsonl.gz", builder.ToString());
        Write("20261127_performance.jsonl", RagMonitorLine + "\n");
        IReadOnlyList<PerformanceLogFile> files = PerformanceLog.ListFiles(_dir);

        var sequential = new List<string>();
        PerformanceLogReadStatistics expected = PerformanceLog.Read(files, null, e => sequential.Add(e.GetRequestId()!));

        var merged = new List<string>();
        int states = 0;
        long progress = 0;
        PerformanceLogReadStatistics actual = PerformanceLog.ReadParallel(
            files,
            new PerformanceLogReadOptions { Progress = p => progress = p },
            () => new List<string>(),
            (list, e) => list.Add(e.GetRequestId()!),
            list =>
            {
                states++;
                merged.AddRange(list);
            },
            threads,
            64 * 1024,
            CancellationToken.None);

        Assert.True(states > 20, $"only {states} chunks");
        Assert.Equal(sequential, merged);
        Assert.Equal(expected.LinesRead, actual.LinesRead);
        Assert.Equal(expected.RecordsMatched, actual.RecordsMatched);
        Assert.Equal(expected.LinesSkipped, actual.LinesSkipped);
        Assert.Equal(expected.SkippedLines, actual.SkippedLines);
        Assert.Equal(expected.BytesRead, actual.BytesRead);
        Assert.Equal(expected.UncompressedBytesRead, actual.UncompressedBytesRead);
        Assert.Equal(expected.FilesRead, actual.FilesRead);
        Assert.Equal(expected.BytesRead, progress);
    }

    [Theory]
    [InlineData("1.5", 1.5)]
    [InlineData("0.000001", 0.000001)]
    [InlineData("12345678.123456", 12345678.123456)]
    [InlineData("1e-3", 0.001)]
    [InlineData("2E+2", 200)]
    [InlineData("0.1234567890123456789", 0.1234567890123456789)]
    [InlineData("1795939200.123456", 1795939200.123456)]
    [InlineData("3", 3)]
    public void Numbers_are_parsed_exactly(string text, double expected)
    {
        Write("20261129_performance.jsonl", $"{{\"total_time\":{text},\"timestamp\":\"2026-11-29T08:00:00Z\"}}\n");
        Assert.Equal(expected, Assert.Single(ReadAll(null, out _)).TotalTimeSeconds);
    }

    [Fact]
    public void The_fast_decimal_path_matches_double_parse()
    {
        var random = new Random(11);
        for (int i = 0; i < 20_000; i++)
        {
            string text = (random.NextDouble() * Math.Pow(10, random.Next(-6, 10))).ToString("F" + random.Next(0, 10), CultureInfo.InvariantCulture);
            Assert.True(PerformanceLogNumbers.TryParseDouble(Encoding.ASCII.GetBytes(text), out double value));
            Assert.Equal(double.Parse(text, CultureInfo.InvariantCulture), value);
        }
    }

    [Theory]
    [InlineData("2026-11-29T08:00:04Z", "2026-11-29T08:00:04.0000000+00:00")]
    [InlineData("2026-11-29T08:00:04.5+05:30", "2026-11-29T08:00:04.5000000+05:30")]
    [InlineData("2026-11-29 08:00:04.123456789-0200", "2026-11-29T08:00:04.1234567-02:00")]
    [InlineData("2026-11-29T23:59:59.999999+00:00", "2026-11-29T23:59:59.9999990+00:00")]
    [InlineData("2026-11-29T08:00:04+01", "2026-11-29T08:00:04.0000000+01:00")]
    public void Timestamps_with_offsets(string text, string expected)
    {
        Assert.True(PerformanceLogNumbers.TryParseTimestamp(Encoding.ASCII.GetBytes(text), false, out DateTimeOffset value));
        Assert.Equal(expected, value.ToString("O", CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("2026-11-29T08:00:04+14:30")]
    [InlineData("2026-11-29T08:00:04-14:01")]
    [InlineData("2026-11-29T08:00:04+1459")]
    public void Offsets_beyond_14_hours_are_invalid_not_a_crash(string text)
    {
        Assert.False(PerformanceLogNumbers.TryParseTimestamp(Encoding.ASCII.GetBytes(text), false, out _));
        Assert.True(PerformanceLogNumbers.TryParseTimestamp(Encoding.ASCII.GetBytes("2026-11-29T08:00:04+14:00"), false, out _));
        Write("20261129_performance.jsonl", "{\"total_time\":1,\"timestamp\":\"" + text + "\"}\n" + RagMonitorLine + "\n");
        List<PerformanceLogRecord> records = ReadAll(null, out PerformanceLogReadStatistics statistics);
        Assert.Single(records);
        Assert.Equal(1, statistics.LinesSkipped);
    }

    [Fact]
    public async Task A_missing_directory_throws()
    {
        string missing = Path.Combine(_dir, "nope");
        Assert.Throws<DirectoryNotFoundException>(() => PerformanceLog.Read(missing, null, _ => { }));
        await Assert.ThrowsAsync<DirectoryNotFoundException>(async () => await ToListAsync(PerformanceLog.ReadAsync(missing)));
    }

    [Fact]
    public async Task Cancellation_stops_the_read()
    {
        Write("20261129_performance.jsonl", string.Concat(Enumerable.Repeat(RagMonitorLine + "\n", 10)));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await ToListAsync(PerformanceLog.ReadAsync(_dir, cancellationToken: cts.Token)));
        Assert.ThrowsAny<OperationCanceledException>(() => PerformanceLog.Read(_dir, null, _ => { }, cts.Token));
    }

    [Fact]
    public void The_entry_view_matches_the_record()
    {
        Write("20261129_performance.jsonl", RagMonitorLine + "\n");
        PerformanceLog.Read(_dir, new PerformanceLogReadOptions { IncludeMetadata = false }, e =>
        {
            Assert.Equal(2, e.Stages.Length);
            Assert.Equal("retrieval", e.Stages[0].Name);
            Assert.True(e.Stages[0].HasMetadata);
            Assert.Empty(e.GetStageMetadata(0));
            Assert.Equal(OperationStatus.Failure, e.EffectiveStatus);
            Assert.Equal(2, e.Bottlenecks.Length);
            Assert.True(e.HasRequestId);
            Assert.StartsWith("{\"start_time\"", Encoding.UTF8.GetString(e.RawLine));
            Assert.Empty(e.ToRecord().Stages[0].Metadata);
        });
    }
}
