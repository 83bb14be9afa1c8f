using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RagMonitor.Logs.Tests;

/// <summary>
/// The expected-layout lane of the fast parser (<see cref="PerformanceLogFastParser.TryParseLayout"/>) against the
/// Utf8JsonReader reference parser: whatever the lane accepts, the reference reads the same way; whatever it
/// declines, the whole fast parser still agrees with the reference.
/// </summary>
public sealed class PerformanceLogLayoutLaneTests
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    /// <summary>Lines in the writer's layout with the variations the writer can produce, and a few it cannot.</summary>
    private static IEnumerable<string> LayoutLines()
    {
        yield return "{\"start_time\":1795910400.05772,\"total_time\":1.511233,\"timestamp\":\"2026-11-29T00:00:01.568957+00:00\",\"stages\":{\"embedding\":{\"duration\":0.029251,\"metadata\":{},\"calls\":1,\"share\":0.019356,\"status\":\"success\"},\"retrieval\":{\"duration\":0.489315,\"metadata\":{\"documents\":20},\"calls\":1,\"share\":0.323785,\"status\":\"success\"},\"generation\":{\"duration\":0.983611,\"metadata\":{\"tokens\":3523},\"calls\":1,\"share\":0.650867,\"status\":\"success\"}},\"request\":\"summarize\",\"request_id\":\"6f3abfad4db75525175dcc6e8b091457\",\"status\":\"success\",\"bottlenecks\":[{\"stage\":\"retrieval\",\"share\":0.323785,\"rule\":\"share\"},{\"stage\":\"generation\",\"share\":0.650867,\"rule\":\"share\"}]}";
        yield return "{\"start_time\":1795939200.0,\"total_time\":4.5,\"timestamp\":\"2026-11-29T08:00:04.500000-05:30\",\"stages\":{\"retrieval\":{\"duration\":1.5,\"metadata\":{\"documents_retrieved\":50,\"index\":\"docs\",\"score\":0.75,\"reranked\":true,\"none\":null,\"list\":[1,2],\"deep\":{\"x\":[{\"y\":[]}]}},\"calls\":2,\"share\":0.333333,\"status\":\"success\"},\"generation\":{\"duration\":3.0,\"metadata\":{},\"calls\":1,\"share\":0.666667,\"status\":\"failure\",\"error_type\":\"TimeoutException\"}},\"request\":\"ask\",\"request_id\":\"r-42\",\"status\":\"failure\",\"error_type\":\"TimeoutException\",\"bottlenecks\":[{\"stage\":\"generation\",\"share\":0.666667,\"rule\":\"absolute_threshold\"}],\"allocated_bytes\":123456,\"gc_collections\":2}";
        yield return "{\"start_time\":-1.0,\"total_time\":0.0,\"timestamp\":\"1970-01-01T00:00:00.000000+00:00\",\"stages\":{},\"request\":\"\",\"request_id\":\"\",\"status\":\"cancelled\",\"bottlenecks\":[]}";
        yield return "{\"start_time\":1795939200.123456,\"total_time\":12345678901.123456,\"timestamp\":\"2026-11-29T08:00:04Z\",\"stages\":{\"a\":{\"duration\":1e-3,\"metadata\":{\"k\":\"v\"},\"calls\":0,\"share\":-0.0,\"status\":\"canceled\"},\"a\":{\"duration\":2.5E+2,\"metadata\":{},\"calls\":2147483648,\"share\":1.5e0,\"status\":\"weird\"}},\"request\":\"x y\",\"request_id\":\"{not json}\",\"status\":\"error\",\"bottlenecks\":[{\"stage\":\"a\",\"share\":0.1,\"rule\":\"adaptive\"},{\"stage\":\"b\",\"share\":0.2,\"rule\":\"share\"},{\"stage\":\"c\",\"share\":0.3,\"rule\":\"share\"},{\"stage\":\"d\",\"share\":0.4,\"rule\":\"share\"},{\"stage\":\"e\",\"share\":0.5,\"rule\":\"share\"}],\"gc_collections\":-3}";
        yield return "{\"start_time\":0.1234567890123456789,\"total_time\":100000000000000000000,\"timestamp\":\"2026-02-28T23:59:59.9999999+14:00\",\"stages\":{\"s1\":{\"duration\":0.000001,\"metadata\":{},\"calls\":999999999,\"share\":1.0,\"status\":\"success\",\"error_type\":\"E\"},\"s2\":{\"duration\":0,\"metadata\":{},\"calls\":1.0,\"share\":0,\"status\":\"failed\"},\"s3\":{\"duration\":7,\"metadata\":{},\"calls\":-1,\"share\":2,\"status\":\"success\"}},\"request\":\"r\",\"request_id\":\"id\",\"status\":\"success\",\"bottlenecks\":[],\"allocated_bytes\":9223372036854775807,\"gc_collections\":0}";

        // Not in the lane (escapes, non-ASCII, whitespace, another order, nulls): the general scanner takes them.
        yield return "{\"start_time\":1795939200.5,\"total_time\":2.0,\"timestamp\":\"2026-11-29T08:00:02.500000+00:00\",\"stages\":{\"r\\u00e9trieval\":{\"duration\":1.0,\"metadata\":{},\"calls\":1,\"share\":0.5,\"status\":\"success\"}},\"request\":\"a\\\"sk\",\"request_id\":\"1\",\"status\":\"success\",\"bottlenecks\":[]}";
        yield return "{\"start_time\":1795939200.5,\"total_time\":2.0,\"timestamp\":\"2026-11-29T08:00:02.500000+00:00\",\"stages\":{\"récupération\":{\"duration\":1.0,\"metadata\":{\"clé\":\"é\"},\"calls\":1,\"share\":0.5,\"status\":\"success\"}},\"request\":\"demande\",\"request_id\":\"1\",\"status\":\"success\",\"bottlenecks\":[{\"stage\":\"récupération\",\"share\":0.5,\"rule\":\"share\"}]}";
        yield return "{ \"start_time\": 1795939200.5, \"total_time\": 2.0, \"timestamp\": \"2026-11-29T08:00:02.500000+00:00\", \"stages\": {\"a\": {\"duration\": 1.0, \"metadata\": {}, \"calls\": 1, \"share\": 0.5, \"status\": \"success\"}}, \"request\": \"ask\", \"request_id\": \"1\", \"status\": \"success\", \"bottlenecks\": []}";
        yield return "{\"total_time\":2.0,\"start_time\":1795939200.5,\"timestamp\":\"2026-11-29T08:00:02.500000+00:00\",\"stages\":{\"a\":{\"metadata\":{},\"duration\":1.0,\"calls\":1,\"share\":0.5,\"status\":\"success\"}},\"status\":\"success\",\"request\":\"ask\",\"request_id\":\"1\",\"bottlenecks\":[]}";
        yield return "{\"start_time\":null,\"total_time\":2.0,\"timestamp\":\"2026-11-29T08:00:02.500000+00:00\",\"stages\":null,\"request\":null,\"request_id\":null,\"status\":null,\"bottlenecks\":null}";
        yield return "{\"start_time\":1795939200.5,\"total_time\":2.0,\"timestamp\":\"2026-11-29T08:00:02.500000+00:00\",\"stages\":{\"a\":{\"duration\":1.0,\"metadata\":{},\"calls\":1,\"share\":0.5,\"status\":\"success\"}},\"request\":\"ask\",\"request_id\":\"1\",\"status\":\"success\",\"bottlenecks\":[],\"future\":[1,{\"x\":\"y\"}]}";
    }

    private static string Canonical(PerformanceLogEntry entry)
    {
        PerformanceLogRecord r = entry.ToRecord();
        var b = new StringBuilder();
        b.Append(s_invariant, $"{r.StartTimeSeconds:R}|{r.TotalTimeSeconds:R}|{r.Timestamp:O}|{r.RequestName}|{r.RequestId}|{r.Status}|{r.ErrorType}|{r.AllocatedBytes}|{r.GcCollections}|");
        foreach (LogStageRecord s in r.Stages)
        {
            b.Append(s_invariant, $"[{s.Name}|{s.DurationSeconds:R}|{s.Calls}|{s.Share:R}|{s.Status}|{s.ErrorType}|{string.Join(";", s.Metadata.Select(m => m.Key + "=" + m.Value.Kind + ":" + m.Value))}]");
        }

        foreach (LogBottleneckRecord x in r.Bottlenecks)
        {
            b.Append(s_invariant, $"<{x.Stage}|{x.Share:R}|{x.Rule}>");
        }

        return b.ToString();
    }

    private sealed class Parsers
    {
        private readonly PerformanceLogFastParser _lane = new(new PerformanceLogStringCache(), false);
        private readonly PerformanceLogLineParser _full = new(false);
        private readonly PerformanceLogLineParser _reference = new(false, useFastPath: false);
        private readonly PerformanceLogEntry _laneEntry = new();
        private readonly PerformanceLogEntry _fullEntry = new();
        private readonly PerformanceLogEntry _referenceEntry = new();

        internal int LaneAccepted { get; private set; }

        /// <summary>Checks one line; returns whether the lane accepted it.</summary>
        internal bool Check(byte[] line)
        {
            string text = Encoding.UTF8.GetString(line);
            string? referenceError = _reference.Parse(line, 0, line.Length, _referenceEntry, true);
            string? referenceDropped = _reference.DroppedPrefix;
            string? referenceText = referenceError is null ? Canonical(_referenceEntry) : null;

            // The whole parser (lane, general scanner, reference) answers exactly as the reference alone.
            string? fullError = _full.Parse(line, 0, line.Length, _fullEntry, true);
            Assert.True(referenceError == fullError, $"error '{fullError}' instead of '{referenceError}': {text}");
            Assert.Equal(referenceDropped, _full.DroppedPrefix);
            if (referenceText is not null)
            {
                Assert.Equal(referenceText, Canonical(_fullEntry));
            }

            _laneEntry.Reset(line, 0, line.Length, true);
            if (!_lane.TryParseLayout(line, _laneEntry))
            {
                return false;
            }

            LaneAccepted++;
            Assert.True(referenceError is null, $"the lane accepted a line the reference rejects ({referenceError}): {text}");
            Assert.True(referenceDropped is null, text);
            Assert.Equal(referenceText, Canonical(_laneEntry));
            return true;
        }
    }

    [Fact]
    public void The_lane_reads_the_writer_layout_and_declines_everything_else()
    {
        var parsers = new Parsers();
        string[] lines = LayoutLines().ToArray();
        bool[] accepted = lines.Select(l => parsers.Check(Encoding.UTF8.GetBytes(l))).ToArray();
        Assert.Equal(new[] { true, true, true, true, true, false, false, false, false, false, false }, accepted);
    }

    [Fact]
    public void Every_truncation_and_every_single_byte_edit_of_layout_lines_reads_as_the_reference_reads_it()
    {
        var parsers = new Parsers();
        byte[] replacements = Encoding.ASCII.GetBytes("\"\\{}[],:0.e-5 nx\t");
        int checkedLines = 0;
        foreach (string line in LayoutLines().Take(5))
        {
            byte[] original = Encoding.UTF8.GetBytes(line);
            // (The reader never hands an empty line to the parser: blank lines are skipped before parsing.)
            for (int cut = 1; cut <= original.Length; cut++)
            {
                parsers.Check(original.AsSpan(0, cut).ToArray());
                parsers.Check(original.Where((_, k) => k != cut).ToArray());
                checkedLines += 2;
            }

            // Every position with a few characters that matter to JSON and to the lane (quotes, escapes, structure, digits, controls).
            for (int at = 0; at < original.Length; at++)
            {
                foreach (byte r in replacements)
                {
                    byte[] edited = (byte[])original.Clone();
                    edited[at] = r;
                    parsers.Check(edited);
                    byte[] inserted = new byte[original.Length + 1];
                    original.AsSpan(0, at).CopyTo(inserted);
                    inserted[at] = r;
                    original.AsSpan(at).CopyTo(inserted.AsSpan(at + 1));
                    parsers.Check(inserted);
                    checkedLines += 2;
                }
            }
        }

        // The lane took a real part of them (edits inside strings and numbers keep many lines valid).
        Assert.InRange(parsers.LaneAccepted, checkedLines / 20, checkedLines - 1);
    }

    [Fact]
    public void Random_layout_lines_with_random_edits_read_as_the_reference_reads_them()
    {
        var random = new Random(20261129);
        var parsers = new Parsers();
        string[] names = { "embedding", "retrieval", "generation", "rerank", "a", "x y", "r\\u00e9", "é", "tab\\t", "q\\\"q", "" };
        string[] statuses = { "success", "failure", "cancelled", "canceled", "error", "failed", "other" };
        string[] numbers = { "0", "0.5", "1.0", "12.345678", "-0.0", "-2.5", "1e3", "1.5E-2", "123456789012345678", "0.1234567890123456", "00", "1.", ".5", "+1", "-", "1e", "NaN" };
        byte[] noise = Encoding.UTF8.GetBytes("\"\\{}[],:0123456789.eE-+ ntfulrsx\u0001é");
        for (int n = 0; n < 4000; n++)
        {
            var b = new StringBuilder();
            string Num() => random.Next(4) == 0 ? numbers[random.Next(numbers.Length)] : (random.NextDouble() * 10).ToString("0.######", s_invariant);
            string Name() => names[random.Next(names.Length)];
            b.Append("{\"start_time\":").Append(Num()).Append(",\"total_time\":").Append(Num());
            b.Append(s_invariant, $",\"timestamp\":\"2026-11-29T{random.Next(24):00}:{random.Next(60):00}:{random.Next(60):00}.{random.Next(1000000):000000}+0{random.Next(3)}:00\",\"stages\":{{");
            int stages = random.Next(5);
            for (int s = 0; s < stages; s++)
            {
                b.Append(s > 0 ? "," : string.Empty).Append('"').Append(Name()).Append("\":{\"duration\":").Append(Num())
                    .Append(",\"metadata\":").Append(random.Next(3) == 0 ? "{\"k\":" + Num() + "}" : "{}")
                    .Append(",\"calls\":").Append(random.Next(5) == 0 ? Num() : random.Next(1, 4).ToString(s_invariant))
                    .Append(",\"share\":").Append(Num()).Append(",\"status\":\"").Append(statuses[random.Next(statuses.Length)]).Append('"');
                if (random.Next(4) == 0)
                {
                    b.Append(",\"error_type\":\"").Append(Name()).Append('"');
                }

                b.Append('}');
            }

            b.Append("},\"request\":\"").Append(Name()).Append("\",\"request_id\":\"").Append(random.Next()).Append("\",\"status\":\"").Append(statuses[random.Next(statuses.Length)]).Append('"');
            if (random.Next(4) == 0)
            {
                b.Append(",\"error_type\":\"").Append(Name()).Append('"');
            }

            b.Append(",\"bottlenecks\":[");
            int bottlenecks = random.Next(3);
            for (int k = 0; k < bottlenecks; k++)
            {
                b.Append(k > 0 ? "," : string.Empty).Append("{\"stage\":\"").Append(Name()).Append("\",\"share\":").Append(Num()).Append(",\"rule\":\"share\"}");
            }

            b.Append(']');
            if (random.Next(3) == 0)
            {
                b.Append(",\"allocated_bytes\":").Append(random.Next(2) == 0 ? random.Next().ToString(s_invariant) : Num()).Append(",\"gc_collections\":").Append(random.Next(9));
            }

            b.Append('}');
            var bytes = new List<byte>(Encoding.UTF8.GetBytes(b.ToString()));
            LineEdits.Apply(bytes, random, noise, random.Next(3) == 0 ? 0 : 1 + random.Next(2), keep: 1);

            parsers.Check(bytes.ToArray());
        }

        // Escaped and non-ASCII names, odd numbers and the edits keep most lines out of the lane; enough stay in.
        Assert.InRange(parsers.LaneAccepted, 80, 3999);
    }

    [Fact]
    public void Lane_numbers_and_timestamps_are_exact()
    {
        var random = new Random(7);
        var lane = new PerformanceLogFastParser(new PerformanceLogStringCache(), false);
        var entry = new PerformanceLogEntry();
        // The edges of the exact path: a mantissa of 16 to 19 digits is exact while it is at most 9007199254740989
        // (its first 15+ digits below 2^53 / 10), and leading fraction zeros count as digits but not in the mantissa.
        string[] edges =
        {
            "1795910400.057720", "1795910400.999999", "9007199254740989", "9007199254740990", "900719925474098.9",
            "90071992547409.91", "0.000000000000001234", "0.0000000000000001234", "9999999999999999999", "10000000000000000000",
            "1234567890123456.789", "0.9007199254740989", "0.9007199254740999",
        };
        for (int n = 0; n < 20_000 + edges.Length; n++)
        {
            string number;
            if (n < edges.Length)
            {
                number = edges[n];
            }
            else
            {
                // 1 to 21 digits split anywhere between the integer and the fraction part (16 to 19: the exact path
                // while the mantissa allows it; 20 and more: the general number rule).
                int digits = 1 + random.Next(21);
                var text = new StringBuilder();
                for (int d = 0; d < digits; d++)
                {
                    text.Append((char)('0' + random.Next(10)));
                }

                int point = random.Next(digits);
                number = text.ToString(0, point + 1).TrimStart('0') is { Length: > 0 } whole ? whole : "0";
                if (point + 1 < digits)
                {
                    number += "." + text.ToString(point + 1, digits - point - 1);
                }
            }

            var time = new DateTimeOffset(2026, 1 + random.Next(12), 1 + random.Next(28), random.Next(24), random.Next(60), random.Next(60), TimeSpan.FromMinutes(15 * random.Next(-4, 5)))
                .AddTicks(random.Next(1_000_000) * 10L);
            string timestamp = time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", s_invariant);
            byte[] line = Encoding.ASCII.GetBytes("{\"start_time\":-" + number + ",\"total_time\":" + number + ",\"timestamp\":\"" + timestamp + "\",\"stages\":{},\"request\":\"r\",\"request_id\":\"1\",\"status\":\"success\",\"bottlenecks\":[]}");
            entry.Reset(line, 0, line.Length, true);
            Assert.True(lane.TryParseLayout(line, entry), Encoding.ASCII.GetString(line));
            Assert.Equal(double.Parse(number, s_invariant), entry.TotalTimeSeconds);
            Assert.Equal(-double.Parse(number, s_invariant), entry.StartTimeSeconds);
            Assert.Equal(time, entry.Timestamp);
            Assert.Equal(time.Offset, entry.Timestamp.Offset);
        }
    }

    private delegate bool LineCheck(ReadOnlySpan<byte> line);

    // "widest": as the reader calls it (256-bit vectors where the machine has them); "16-byte": the form that Native AOT
    // code for the x86-64 baseline runs.
    [Theory]
    [InlineData("widest")]
    [InlineData("16-byte")]
    public void The_line_check_finds_any_byte_outside_printable_ascii_or_a_backslash_at_any_position(string width)
    {
        LineCheck check = width == "widest"
            ? PerformanceLogFastParser.IsPrintableAsciiWithoutBackslash
            : static line => line.Length < 16 ? PerformanceLogFastParser.IsPrintableAsciiWithoutBackslash(line) : PerformanceLogFastParser.IsPrintableAsciiWithoutBackslash128(line);
        var random = new Random(3);
        byte[] bad = { 0x00, 0x09, 0x0A, 0x1F, (byte)'\\', 0x7F, 0x80, 0xC3, 0xFF };
        for (int length = 0; length <= 140; length++)
        {
            byte[] line = new byte[length];
            for (int k = 0; k < length; k++)
            {
                byte b;
                do
                {
                    b = (byte)random.Next(0x20, 0x7F);
                }
                while (b == (byte)'\\');
                line[k] = b;
            }

            Assert.True(check(line));
            for (int at = 0; at < length; at++)
            {
                foreach (byte b in bad)
                {
                    byte keep = line[at];
                    line[at] = b;
                    Assert.False(check(line), $"{b:X2} at {at} of {length}");
                    line[at] = keep;
                }
            }

            line.AsSpan().Fill(0x20);
            Assert.True(check(line));
            line.AsSpan().Fill(0x7E);
            Assert.True(check(line));
        }
    }

    [Fact]
    public void PrepareForRead_hands_its_parsed_sample_line_to_the_handler()
    {
        int calls = 0;
        PerformanceLog.PrepareForRead(entry =>
        {
            calls++;
            Assert.Equal("ask", entry.RequestName);
            Assert.Equal(1.511233, entry.TotalTimeSeconds);
            Assert.Equal(new[] { "embedding", "retrieval" }, entry.Stages.ToArray().Select(s => s.Name));
            Assert.Equal(0.489315, entry.Stages[1].DurationSeconds);
            Assert.Equal("retrieval", entry.Bottlenecks[0].Stage);
            Assert.Equal("6f3abfad4db75525175dcc6e8b091457", entry.GetRequestId());
        });
        Assert.Equal(1, calls);
        PerformanceLog.PrepareForRead();
    }

    [Fact]
    public async System.Threading.Tasks.Task Every_line_the_monitor_writes_is_read_by_the_lane()
    {
        // If the writer's layout drifts, the reader stays correct (it falls back) but loses its speed: this guards it.
        using var dir = new TempDirectory();
        await using (var monitor = new PerformanceMonitor(new PerformanceMonitorOptions
        {
            LogDirectory = dir.Path,
            UseUtcFileDates = false,
            AdaptiveBottlenecks = true,
            AdaptiveWarmupCount = 2,
            StageDurationThresholds = { ["grading"] = TimeSpan.Zero },
        }))
        {
            for (var i = 0; i < 20; i++)
            {
                try
                {
                    using var request = monitor.BeginRequest(i % 2 == 0 ? "ask" : "summarize", i % 3 == 0 ? null : "id-" + i);
                    using (var retrieval = monitor.BeginStage("retrieval"))
                    {
                        retrieval.AddMetadata("documents", i);
                        retrieval.AddMetadata("index", "docs-v2");
                        retrieval.AddMetadata("score", 0.25 * i);
                        retrieval.AddMetadata("reranked", i % 2 == 0);
                    }

                    using (monitor.BeginStage("grading"))
                    {
                    }

                    using var generation = monitor.BeginStage("generation");
                    try
                    {
                        if (i % 4 == 1)
                        {
                            throw new TimeoutException();
                        }
                    }
                    catch (Exception ex) when (generation.Fail(ex) || request.Fail(ex))
                    {
                        throw;
                    }
                }
                catch (TimeoutException)
                {
                }
            }

            monitor.StartRequest("explicit", "legacy");
            monitor.LogStage("explicit", "retrieval", TimeSpan.FromMilliseconds(120), new Dictionary<string, object?> { ["k"] = "v" });
            monitor.LogStage("explicit", "retrieval", TimeSpan.FromMilliseconds(80));
            monitor.EndRequest("explicit", OperationStatus.Cancelled, "OperationCanceledException");
        }

        var lane = new PerformanceLogFastParser(new PerformanceLogStringCache(), false);
        var entry = new PerformanceLogEntry();
        var lines = LogsTestSupport.ReadLines(dir.Path);
        Assert.Equal(21, lines.Count);
        foreach (var text in lines)
        {
            byte[] line = Encoding.UTF8.GetBytes(text);
            entry.Reset(line, 0, line.Length, true);
            Assert.True(lane.TryParseLayout(line, entry), text);
        }
    }
}
