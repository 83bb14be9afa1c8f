using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Persistence;

public sealed class BadInputTests
{
    private const string Nasty = "q\"uote \\ back\nnew\r\tline \u0001\u001f ctl \u2028 é 😀 </script>";

    [Fact]
    public async Task Quotes_newlines_control_characters_and_lone_surrogates_are_written_as_valid_json()
    {
        using var dir = new TempDirectory();
        var loneHigh = "bad\ud800high";
        var loneLow = "bad\udc00low";
        var reversed = "x\udc00\ud800y";
        await using (var monitor = JsonlFormatTests.NewMonitor(dir.Path))
        {
            monitor.StartRequest("id " + Nasty, "ask " + Nasty);
            monitor.LogStage("id " + Nasty, "stage " + Nasty, TimeSpan.FromMilliseconds(5), new Dictionary<string, object?>
            {
                ["key " + Nasty] = "value " + Nasty,
                ["lone_high"] = loneHigh,
                ["lone_low"] = loneLow,
                ["reversed"] = reversed,
                [loneHigh] = "key with a lone surrogate",
                ["nan"] = double.NaN,
                ["pos_inf"] = double.PositiveInfinity,
                ["neg_inf"] = double.NegativeInfinity,
                ["max"] = double.MaxValue,
                ["tiny"] = double.Epsilon,
                ["long_min"] = long.MinValue,
                ["null"] = null,
            });
            monitor.LogStage("id " + Nasty, "stage\ud800", TimeSpan.FromMilliseconds(1));
            monitor.MarkStageStatus("id " + Nasty, "stage\ud800", OperationStatus.Failure, "Err\"or\ud800");
            monitor.EndRequest("id " + Nasty);
        }

        var bytes = File.ReadAllBytes(Assert.Single(LogFiles.JsonlFiles(dir.Path)));
        Assert.Equal(1, bytes.Count(b => b == (byte)'\n')); // one record, one line
        var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes); // valid UTF-8
        var root = JsonDocument.Parse(text).RootElement;

        Assert.Equal("id " + Nasty, root.GetProperty("request_id").GetString());
        Assert.Equal("ask " + Nasty, root.GetProperty("request").GetString());
        var stage = root.GetProperty("stages").GetProperty("stage " + Nasty);
        var metadata = stage.GetProperty("metadata");
        Assert.Equal("value " + Nasty, metadata.GetProperty("key " + Nasty).GetString());
        Assert.Equal("bad\ufffdhigh", metadata.GetProperty("lone_high").GetString());
        Assert.Equal("bad\ufffdlow", metadata.GetProperty("lone_low").GetString());
        Assert.Equal("x\ufffd\ufffdy", metadata.GetProperty("reversed").GetString());
        Assert.Equal("key with a lone surrogate", metadata.GetProperty("bad\ufffdhigh").GetString());
        Assert.Equal("NaN", metadata.GetProperty("nan").GetString());
        Assert.Equal("Infinity", metadata.GetProperty("pos_inf").GetString());
        Assert.Equal("-Infinity", metadata.GetProperty("neg_inf").GetString());
        Assert.Equal(double.MaxValue, metadata.GetProperty("max").GetDouble());
        Assert.Equal(double.Epsilon, metadata.GetProperty("tiny").GetDouble());
        Assert.Equal(long.MinValue, metadata.GetProperty("long_min").GetInt64());
        Assert.Equal(JsonValueKind.Null, metadata.GetProperty("null").ValueKind);

        var failed = root.GetProperty("stages").GetProperty("stage\ufffd");
        Assert.Equal("failure", failed.GetProperty("status").GetString());
        Assert.Equal("Err\"or\ufffd", failed.GetProperty("error_type").GetString());
    }

    [Fact]
    public async Task Long_metadata_is_truncated_and_marked_and_stays_on_one_line()
    {
        using var dir = new TempDirectory();
        var huge = string.Concat(Enumerable.Repeat("line\n\"quoted\"😀", 20_000));
        await using (var monitor = JsonlFormatTests.NewMonitor(dir.Path, configure: o => o.MaxMetadataValueLength = 64))
        {
            using var request = monitor.BeginRequest("ask", "long");
            using var stage = monitor.BeginStage("retrieval");
            stage.AddMetadata("query", huge);
            stage.AddMetadata(new string('k', 500), "long key");
        }

        var line = Assert.Single(LogFiles.ReadLines(dir.Path));
        var metadata = JsonDocument.Parse(line).RootElement.GetProperty("stages").GetProperty("retrieval").GetProperty("metadata");
        var query = metadata.GetProperty("query").GetString()!;
        Assert.True(query.Length <= 64, query);
        Assert.EndsWith("…[truncated]", query);
        Assert.StartsWith("line\n\"quoted\"", query);
        var key = Assert.Single(metadata.EnumerateObject(), p => p.Name.StartsWith("kkk", StringComparison.Ordinal)).Name;
        Assert.True(key.Length <= 64);
        Assert.EndsWith("…[truncated]", key);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void Empty_stage_names_are_rejected(string? name)
    {
        using var dir = new TempDirectory();
        using var monitor = JsonlFormatTests.NewMonitor(dir.Path);
        monitor.StartRequest("r");
        Assert.Throws<ArgumentException>(() => monitor.LogStage("r", name!, TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => monitor.BeginStage(name!));
    }

    [Fact]
    public async Task Many_distinct_stage_names_are_all_written()
    {
        using var dir = new TempDirectory();
        await using (var monitor = JsonlFormatTests.NewMonitor(dir.Path))
        {
            for (var i = 0; i < 5000; i++)
            {
                var id = "n" + i;
                monitor.StartRequest(id);
                monitor.LogStage(id, "stage-" + i, TimeSpan.FromMilliseconds(1));
                monitor.EndRequest(id);
            }
        }

        var names = LogFiles.ReadRecords(dir.Path).Select(r => r.GetProperty("stages").EnumerateObject().Single().Name).ToHashSet();
        Assert.Equal(5000, names.Count);
        Assert.Contains("stage-4999", names);
    }
}
