using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;

namespace RagMonitor.Logs.Tests;

/// <summary>
/// Property tests (CsCheck) of the log reader (issue 15): whatever bytes a log file holds — random bytes, mutated and
/// torn lines, invalid UTF-8, long lines, random or cut gzip — every way of reading it (the fast handler path, the
/// async records, the parallel reader with small chunks) returns without throwing, builds records from whatever it
/// accepts, and accounts for every non-blank line as a record or a skipped line, the same way on every path.
/// </summary>
public sealed class PerformanceLogReaderFuzzTests
{
    /// <summary>Lines in the shapes the reader knows: RagMonitor's, the writer's exact layout, the Python module's, a minimal one.</summary>
    private static readonly string[] s_seedLines =
    {
        "{\"start_time\":1795939200.123,\"total_time\":4.567,\"timestamp\":\"2026-11-29T08:00:04.690123+00:00\",\"stages\":{\"retrieval\":{\"duration\":1.5,\"metadata\":{\"documents_retrieved\":50,\"index\":\"docs\",\"score\":0.75,\"reranked\":true,\"none\":null,\"list\":[1,2]},\"calls\":2,\"share\":0.328,\"status\":\"success\"},\"generation\":{\"duration\":3.0,\"metadata\":{},\"calls\":1,\"share\":0.657,\"status\":\"failure\",\"error_type\":\"TimeoutException\"}},\"request\":\"ask\",\"request_id\":\"r-42\",\"status\":\"failure\",\"error_type\":\"TimeoutException\",\"bottlenecks\":[{\"stage\":\"retrieval\",\"share\":0.328,\"rule\":\"share\"}],\"allocated_bytes\":123456,\"gc_collections\":2}",
        "{\"start_time\":1795910400.05772,\"total_time\":1.511233,\"timestamp\":\"2026-11-29T00:00:01.568957+00:00\",\"stages\":{\"embedding\":{\"duration\":0.029251,\"metadata\":{},\"calls\":1,\"share\":0.019356,\"status\":\"success\"},\"retrieval\":{\"duration\":0.489315,\"metadata\":{\"documents\":20},\"calls\":1,\"share\":0.323785,\"status\":\"success\"}},\"request\":\"ask\",\"request_id\":\"6f3abfad4db75525175dcc6e8b091457\",\"status\":\"success\",\"bottlenecks\":[{\"stage\":\"retrieval\",\"share\":0.323785,\"rule\":\"share\"}]}",
        "{\"start_time\": 1795939200.5, \"total_time\": 2.25, \"timestamp\": \"2026-11-29T08:00:02.750000\", \"stages\": {\"retrieval\": {\"duration\": 1.25, \"metadata\": {\"documents_retrieved\": 5, \"score\": NaN}}, \"generation\": {\"duration\": 0.9, \"metadata\": {}}}}",
        "{\"total_time\":1,\"timestamp\":\"2026-11-29T08:00:00+00:00\",\"stages\":{\"s\\u00e9\\ud83d\\ude00\":{\"duration\":0.5,\"metadata\":{\"k\":\"v\\n\\\"\"}}},\"request_id\":\"\\u0000\"}",
    };

    /// <summary>Byte sequences that are not UTF-8 (stray continuation, overlong, surrogate, truncated, invalid lead bytes).</summary>
    private static readonly byte[][] s_invalidUtf8 =
    {
        new byte[] { 0xFF }, new byte[] { 0x80 }, new byte[] { 0xC3, 0x28 }, new byte[] { 0xC0, 0xAF }, new byte[] { 0xED, 0xA0, 0x80 },
        new byte[] { 0xF0, 0x28, 0x8C, 0xBC }, new byte[] { 0xE2, 0x82 }, new byte[] { 0xF8, 0x88, 0x80, 0x80, 0x80 },
    };

    /// <summary>One mutation: kind, position (per ten thousand of the line), bytes.</summary>
    private static readonly Gen<(int Kind, int Position, byte[] Bytes)> s_mutation = Gen.Select(Gen.Int[0, 6], Gen.Int[0, 10_000], Gen.Byte.Array[1, 8]);

    /// <summary>A line: a seed line with up to three mutations.</summary>
    private static readonly Gen<byte[]> s_line = Gen.Select(Gen.Int[0, s_seedLines.Length - 1], s_mutation.Array[0, 3])
        .Select(t => Mutate(Encoding.UTF8.GetBytes(s_seedLines[t.Item1]), t.Item2));

    /// <summary>A file of such lines, joined by LF or CRLF, with or without a final line break.</summary>
    private static readonly Gen<byte[]> s_file = Gen.Select(s_line.Array[0, 12], Gen.Bool, Gen.Bool, Gen.Bool)
        .Select(t => Join(t.Item1, crlf: t.Item2, finalNewline: t.Item3, bom: t.Item4));

    [Fact]
    public void Arbitrary_bytes_never_throw_and_every_line_is_a_record_or_skipped()
        => Gen.Byte.Array[0, 3000].Sample(bytes => CheckPlain(bytes, maxLineLength: 16 * 1024 * 1024), iter: 300);

    [Fact]
    public void Arbitrary_bytes_made_of_json_characters_never_throw()
        => Gen.Char["{}[]\":,0123456789.eE-+ tnrufalsNIy\\\n"].Array[0, 2000]
            .Select(chars => Encoding.UTF8.GetBytes(chars))
            .Sample(bytes => CheckPlain(bytes, maxLineLength: 16 * 1024 * 1024), iter: 300);

    [Fact]
    public void Mutated_torn_and_invalid_utf8_lines_never_throw_and_are_counted()
        => s_file.Sample(bytes => CheckPlain(bytes, maxLineLength: 16 * 1024 * 1024), iter: 400);

    [Fact]
    public void Lines_around_the_length_limit_are_read_or_skipped_as_too_long()
        => Gen.Select(Gen.Int[1024, 6000], Gen.Int[0, 20_000].Array[1, 6], Gen.Bool)
            .Sample(t =>
            {
                (int limit, int[] lengths, bool crlf) = t;
                byte[][] lines = lengths.Select(PaddedLine).ToArray();
                PerformanceLogReadStatistics statistics = CheckPlain(Join(lines, crlf, finalNewline: true, bom: false), limit);
                int tooLong = lines.Count(l => l.Length + (crlf ? 1 : 0) > Math.Max(1024, limit));
                Assert.Equal(lines.Length - tooLong, statistics.RecordsRead);
                Assert.Equal(tooLong, statistics.LinesSkipped);
            }, iter: 120);

    [Fact]
    public void A_line_over_the_default_limit_is_skipped_and_the_next_one_read()
    {
        byte[] huge = PaddedLine(16 * 1024 * 1024 + 100);
        byte[] normal = Encoding.UTF8.GetBytes(s_seedLines[0]);
        PerformanceLogReadStatistics statistics = CheckPlain(Join(new[] { normal, huge, normal }, crlf: false, finalNewline: false, bom: false), 16 * 1024 * 1024);
        Assert.Equal(2, statistics.RecordsRead);
        Assert.Equal(1, statistics.LinesSkipped);
        Assert.Contains("line longer than", statistics.SkippedLines.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Arbitrary_gz_bytes_never_throw_and_an_unreadable_file_is_counted()
        => Gen.Select(Gen.Bool, Gen.Byte.Array[0, 600])
            .Sample(t =>
            {
                (bool withHeader, byte[] body) = t;
                byte[] bytes = withHeader ? new byte[] { 0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF }.Concat(body).ToArray() : body;
                PerformanceLogReadStatistics statistics = CheckGzip(bytes);
                if (bytes.Length > 0)
                {
                    Assert.True(statistics.LinesSkipped >= 1, "random bytes are not a whole gzip file: counted as skipped");
                }
            }, iter: 300);

    [Fact]
    public void Gzip_files_cut_or_damaged_anywhere_never_throw_and_keep_their_whole_lines()
        => Gen.Select(s_file, Gen.Int[0, 10_000], Gen.Int[0, 2])
            .Sample(t =>
            {
                (byte[] content, int cutAt, int damage) = t;
                byte[] gz = Gzip(content);
                int position = (int)((long)gz.Length * cutAt / 10_000);
                byte[] bytes = damage switch
                {
                    0 => gz.Take(position).ToArray(),                                     // cut (an unfinished copy)
                    1 => gz.Select((b, i) => i == position ? (byte)(b ^ 0x5A) : b).ToArray(), // one damaged byte
                    _ => gz,                                                                // whole
                };
                PerformanceLogReadStatistics statistics = CheckGzip(bytes);
                // A cut at byte 0 leaves an empty file, which is what GZipStream writes for an empty log: read as empty
                // (CsCheck seed fs9wdP2Qdko2 found that the property had claimed otherwise).
                if (damage == 0 && position > 0 && position < gz.Length)
                {
                    Assert.True(statistics.LinesSkipped >= 1, $"a gzip file cut at {position} of {gz.Length} bytes is reported");
                }

                if (damage == 2)
                {
                    PerformanceLogReadStatistics plain = CheckPlain(content, 16 * 1024 * 1024);
                    Assert.Equal(plain.LinesRead, statistics.LinesRead);
                    Assert.Equal(plain.RecordsRead, statistics.RecordsRead);
                    Assert.Equal(plain.LinesSkipped, statistics.LinesSkipped);
                }
            }, iter: 250);

    /// <summary>Reads a plain file every way; checks the accounting against the lines of <paramref name="bytes"/>.</summary>
    private static PerformanceLogReadStatistics CheckPlain(byte[] bytes, int maxLineLength)
    {
        using var directory = new TemporaryLogDirectory();
        directory.Write("20261129_performance.jsonl", bytes);
        var options = new PerformanceLogReadOptions { MaxLineLength = maxLineLength };
        PerformanceLogReadStatistics statistics = ReadEveryWay(directory.Path, options);
        Assert.Equal(CountLines(bytes, Math.Max(1024, maxLineLength)), statistics.LinesRead);
        return statistics;
    }

    private static PerformanceLogReadStatistics CheckGzip(byte[] bytes)
    {
        using var directory = new TemporaryLogDirectory();
        directory.Write("20261129_performance.jsonl.gz", bytes);
        return ReadEveryWay(directory.Path, new PerformanceLogReadOptions());
    }

    /// <summary>
    /// The handler path (touching everything an entry offers), the async records and the parallel reader with tiny
    /// chunks must not throw and must count alike; every non-blank line is a record or skipped (a torn record followed
    /// by a whole one on the same line is both).
    /// </summary>
    private static PerformanceLogReadStatistics ReadEveryWay(string directory, PerformanceLogReadOptions options)
    {
        long touched = 0;
        PerformanceLogReadStatistics sequential = PerformanceLog.Read(directory, options, entry => touched += Touch(entry));
        Assert.Equal(sequential.RecordsMatched, touched);
        Assert.True(sequential.RecordsRead <= sequential.LinesRead, $"{sequential.RecordsRead} records from {sequential.LinesRead} lines");
        Assert.True(sequential.RecordsRead + sequential.LinesSkipped >= sequential.LinesRead, $"{sequential.LinesRead} lines, {sequential.RecordsRead} records, {sequential.LinesSkipped} skipped");
        Assert.Equal(Math.Min(sequential.LinesSkipped, options.MaxSkippedLinesKept), sequential.SkippedLines.Count);

        var asyncStatistics = new PerformanceLogReadStatistics();
        List<PerformanceLogRecord> records = ReadAllAsync(directory, options, asyncStatistics).GetAwaiter().GetResult();
        Assert.Equal(sequential.RecordsMatched, records.Count);
        AssertSameCounts(sequential, asyncStatistics);

        long visited = 0;
        IReadOnlyList<PerformanceLogFile> files = PerformanceLog.ListFiles(directory, options);
        // Small chunks (at most 16 per file), so that chunk borders fall inside lines, records and long lines.
        long chunkSize = Math.Max(97, files.Sum(f => f.Length) / 16);
        PerformanceLogReadStatistics parallel = PerformanceLog.ReadParallel(files, options, () => new long[1], (count, entry) => count[0] += Touch(entry), count => visited += count[0], 2, chunkSize, CancellationToken.None);
        Assert.Equal(sequential.RecordsMatched, visited);
        AssertSameCounts(sequential, parallel);
        return sequential;
    }

    private static async Task<List<PerformanceLogRecord>> ReadAllAsync(string directory, PerformanceLogReadOptions options, PerformanceLogReadStatistics statistics)
    {
        var records = new List<PerformanceLogRecord>();
        await foreach (PerformanceLogRecord record in PerformanceLog.ReadAsync(directory, options, statistics))
        {
            records.Add(record);
        }

        return records;
    }

    private static void AssertSameCounts(PerformanceLogReadStatistics expected, PerformanceLogReadStatistics actual)
    {
        Assert.Equal(expected.LinesRead, actual.LinesRead);
        Assert.Equal(expected.RecordsRead, actual.RecordsRead);
        Assert.Equal(expected.LinesSkipped, actual.LinesSkipped);
        Assert.Equal(expected.RecordsMatched, actual.RecordsMatched);
    }

    /// <summary>Uses everything an entry offers (names, id, metadata, the record copy); 1.</summary>
    private static long Touch(PerformanceLogEntry entry)
    {
        PerformanceLogRecord record = entry.ToRecord();
        _ = entry.GetRequestId();
        for (int i = 0; i < entry.Stages.Length; i++)
        {
            foreach (KeyValuePair<string, MetadataValue> pair in entry.GetStageMetadata(i))
            {
                _ = pair.Key.Length + pair.Value.ToString().Length;
            }
        }

        foreach (LogBottleneckEntry bottleneck in entry.Bottlenecks)
        {
            _ = bottleneck.Stage.Length;
        }

        _ = record.ToString();
        return 1;
    }

    /// <summary>The non-blank lines (and the too-long ones, blank or not) the reader must account for.</summary>
    private static long CountLines(byte[] bytes, int limit)
    {
        long count = 0;
        int start = 0;
        bool first = true;
        while (start < bytes.Length)
        {
            int end = Array.IndexOf(bytes, (byte)'\n', start);
            int length = (end < 0 ? bytes.Length : end) - start;
            var line = new ReadOnlySpan<byte>(bytes, start, length);
            if (length > limit)
            {
                count++;
            }
            else
            {
                if (first && line.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }))
                {
                    line = line[3..];
                }

                foreach (byte b in line)
                {
                    if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                    {
                        count++;
                        break;
                    }
                }
            }

            first = false;
            if (end < 0)
            {
                break;
            }

            start = end + 1;
        }

        return count;
    }

    private static byte[] Mutate(byte[] line, (int Kind, int Position, byte[] Bytes)[] mutations)
    {
        var bytes = new List<byte>(line);
        foreach ((int kind, int position, byte[] extra) in mutations)
        {
            int at = (int)((long)bytes.Count * position / 10_000);
            switch (kind)
            {
                case 0: // torn: cut the line
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 1: // a random byte instead of one
                    if (at < bytes.Count)
                    {
                        bytes[at] = extra[0];
                    }

                    break;
                case 2: // random bytes inserted (no line feed: that would only make more lines)
                    bytes.InsertRange(at, extra.Select(b => b == (byte)'\n' ? (byte)'{' : b));
                    break;
                case 3: // a range removed
                    bytes.RemoveRange(at, Math.Min(extra.Length, bytes.Count - at));
                    break;
                case 4: // invalid UTF-8, often inside a string
                    bytes.InsertRange(at, s_invalidUtf8[extra[0] % s_invalidUtf8.Length]);
                    break;
                case 5: // a torn record glued to the next (as after a crash)
                    bytes.InsertRange(0, bytes.Take(at).ToArray());
                    break;
                default: // a structural character
                    bytes.Insert(at, (byte)"{}[]\":,\\"[extra[0] % 8]);
                    break;
            }
        }

        return bytes.ToArray();
    }

    private static byte[] Join(IEnumerable<byte[]> lines, bool crlf, bool finalNewline, bool bom)
    {
        var output = new MemoryStream();
        if (bom)
        {
            output.Write(new byte[] { 0xEF, 0xBB, 0xBF });
        }

        byte[] separator = crlf ? new[] { (byte)'\r', (byte)'\n' } : new[] { (byte)'\n' };
        bool any = false;
        foreach (byte[] line in lines)
        {
            if (any)
            {
                output.Write(separator);
            }

            output.Write(line);
            any = true;
        }

        if (finalNewline && any)
        {
            output.Write(separator);
        }

        return output.ToArray();
    }

    /// <summary>A valid line of exactly <paramref name="length"/> bytes (at least the minimal line's), padded in a string field.</summary>
    private static byte[] PaddedLine(int length)
    {
        const string head = "{\"total_time\":1,\"timestamp\":\"2026-11-29T08:00:00+00:00\",\"pad\":\"";
        const string tail = "\"}";
        int padding = Math.Max(0, length - head.Length - tail.Length);
        var bytes = new byte[head.Length + padding + tail.Length];
        Encoding.ASCII.GetBytes(head, bytes);
        bytes.AsSpan(head.Length, padding).Fill((byte)'x');
        Encoding.ASCII.GetBytes(tail, bytes.AsSpan(head.Length + padding));
        return bytes;
    }

    private static byte[] Gzip(byte[] content)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return memory.ToArray();
    }

    private sealed class TemporaryLogDirectory : IDisposable
    {
        internal TemporaryLogDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ragmon-fuzz-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        internal string Path { get; }

        internal void Write(string name, byte[] bytes) => File.WriteAllBytes(System.IO.Path.Combine(Path, name), bytes);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
