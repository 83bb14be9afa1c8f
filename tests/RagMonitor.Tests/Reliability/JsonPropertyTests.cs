using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using CsCheck;
using RagMonitor.Tests.Persistence;

namespace RagMonitor.Tests.Reliability;

/// <summary>Property-based (CsCheck): whatever names, ids and metadata the caller passes, each line is valid JSON with unique keys.</summary>
public sealed class JsonPropertyTests
{
    /// <summary>Any UTF-16 text, lone surrogates, control characters, quotes and very long strings included.</summary>
    private static readonly Gen<string> s_text = Gen.Frequency(
        (4, Gen.String),
        (3, Gen.Char[(char)0, (char)0x7F].Array[0, 12].Select(c => new string(c))),
        (3, Gen.OneOf('\ud800', '\udc00', '\ud83d', '\ude00', '"', '\\', '\n', '\0', '\u2028', 'x', '\u00e9').Array[1, 8].Select(c => new string(c))),
        (1, Gen.Int[300, 3000].Select(n => new string('é', n))));

    private static readonly Gen<string> s_name = s_text.Where(t => !string.IsNullOrWhiteSpace(t));

    /// <summary>Any object a caller might put in a metadata dictionary.</summary>
    private static readonly Gen<object?> s_value = Gen.OneOf<object?>(
        s_text.Select(t => (object?)t),
        Gen.Long.Select(v => (object?)v),
        Gen.ULong.Select(v => (object?)v),
        Gen.Int.Select(v => (object?)v),
        Gen.Double.Select(v => (object?)v),
        Gen.OneOf(double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -0.0, double.MaxValue).Select(v => (object?)v),
        Gen.Float.Select(v => (object?)v),
        Gen.Decimal.Select(v => (object?)v),
        Gen.Bool.Select(v => (object?)v),
        Gen.Const<object?>(() => null),
        Gen.Const<object?>(new ThrowingValue()),
        Gen.DateTime.Select(v => (object?)v),
        Gen.Guid.Select(v => (object?)v),
        s_text.Select(t => (object?)new TextOf(t)),
        Gen.Const<object?>(new TextOf(null)));

    internal static readonly Gen<(string Name, string Id, (string Stage, double Seconds, (string Key, object? Value)[] Metadata)[] Stages)> s_request =
        Gen.Select(
            s_name,
            s_name,
            Gen.Select(s_name, Gen.Double[0, 100], Gen.Select(s_text, s_value).Array[0, 6]).Array[0, 6]);

    [Fact]
    public void Any_names_ids_and_metadata_recorded_by_a_monitor_give_one_valid_json_line_with_unique_keys()
    {
        var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false, SlowRequestThreshold = null });
        var formatter = new JsonlRecordFormatter(useUtc: true, TimeZoneInfo.Utc);
        var gate = new object();
        s_request.Sample(request =>
        {
            var state = new RequestState(monitor, request.Name, request.Id, 0, monitor.GetTimestamp(), DateTimeOffset.UtcNow);
            foreach (var stage in request.Stages)
            {
                state.RecordStage(stage.Stage, monitor.GetTimestamp(), monitor.ToTimestampTicks(TimeSpan.FromSeconds(stage.Seconds)), OperationStatus.Success, null);
                foreach (var (key, value) in stage.Metadata)
                {
                    if (!string.IsNullOrEmpty(key))
                    {
                        monitor.AddStageMetadata(state, stage.Stage, key, MetadataValue.FromObject(value));
                    }
                }
            }

            var record = state.SealRecord(monitor.GetTimestamp(), null, null)!;
            var output = new ChunkBuffer(1024);
            lock (gate)
            {
                formatter.WriteLine(record, output);
            }

            AssertOneValidLine(output.WrittenSpan.ToArray());
        }, iter: 300, threads: 1);
    }

    [Fact]
    public async Task Any_names_ids_and_metadata_through_the_explicit_and_ambient_apis_land_in_the_file_as_valid_lines()
    {
        using var dir = new TempDirectory();
        var ended = 0;
        await using (var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { LogDirectory = dir.Path, AdaptiveBottlenecks = false, SlowRequestThreshold = null, QueueCapacity = 100_000 }))
        {
            s_request.Sample(request =>
            {
                var id = request.Id + "#" + ended.ToString(CultureInfo.InvariantCulture); // ids of the explicit API must be unique while in flight
                Assert.True(monitor.StartRequest(id, request.Name));
                foreach (var stage in request.Stages)
                {
                    monitor.LogStage(id, stage.Stage, TimeSpan.FromSeconds(stage.Seconds), stage.Metadata.Where(m => !string.IsNullOrEmpty(m.Key)).GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.First().Value));
                }

                Assert.NotNull(monitor.EndRequest(id));
                ended++;

                using (monitor.BeginRequest(request.Name, request.Id))
                {
                    foreach (var stage in request.Stages)
                    {
                        using var scope = monitor.BeginStage(stage.Stage);
                        foreach (var (key, value) in stage.Metadata)
                        {
                            scope.AddMetadata(key, MetadataValue.FromObject(value));
                        }
                    }
                }

                ended++;
            }, iter: 150, threads: 1);
        }

        var lines = System.IO.File.ReadAllBytes(LogFiles.JsonlFiles(dir.Path).Single());
        var count = 0;
        foreach (var line in Split(lines))
        {
            JsonChecks.ParseWithUniqueKeys(Encoding.UTF8.GetString(line));
            count++;
        }

        Assert.Equal(ended, count);
    }

    private static void AssertOneValidLine(byte[] bytes)
    {
        Assert.Equal((byte)'\n', bytes[^1]);
        Assert.Equal(-1, Array.IndexOf(bytes, (byte)'\n', 0, bytes.Length - 1));
        var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        var record = JsonChecks.ParseWithUniqueKeys(text);
        foreach (var stage in record.GetProperty("stages").EnumerateObject())
        {
            var share = stage.Value.GetProperty("share").GetDouble();
            Assert.InRange(share, 0.0, 1.0);
            Assert.True(stage.Name.Length <= PerformanceMonitorOptions.MaxNameLength);
        }

        Assert.True(record.GetProperty("request_id").GetString()!.Length <= PerformanceMonitorOptions.MaxRequestIdLength);
    }

    private static IEnumerable<byte[]> Split(byte[] bytes)
    {
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                yield return bytes[start..i];
                start = i + 1;
            }
        }

        Assert.Equal(bytes.Length, start); // the file ends with a whole line
    }

    /// <summary>An object whose ToString returns the given text (possibly null).</summary>
    private sealed class TextOf(string? text)
    {
        public override string? ToString() => text;
    }
}
