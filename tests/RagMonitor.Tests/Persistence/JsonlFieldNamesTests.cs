using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Persistence;

/// <summary>The one list of field names agrees with what the writer writes and with its UTF-8 twins.</summary>
public sealed class JsonlFieldNamesTests
{
    private static readonly string[] s_names = typeof(JsonlFieldNames).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToArray();

    [Fact]
    public void Each_name_has_its_utf8_twin()
    {
        Assert.Equal(17, s_names.Length);
        foreach (FieldInfo field in typeof(JsonlFieldNames).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
        {
            Assert.Equal((string)field.GetRawConstantValue()!, Encoding.UTF8.GetString(Utf8Of(field.Name)));
        }
    }

    [Fact]
    public async Task The_writer_writes_every_name_and_no_other()
    {
        using var dir = new TempDirectory();
        await using (var monitor = JsonlFormatTests.NewMonitor(dir.Path))
        {
            monitor.StartRequest("r-1", "ask");
            monitor.LogStage("r-1", "retrieval", TimeSpan.FromMilliseconds(900), new Dictionary<string, object?> { ["documents_retrieved"] = 5 });
            monitor.LogStage("r-1", "generation", TimeSpan.FromMilliseconds(100));
            monitor.MarkStageStatus("r-1", "generation", OperationStatus.Failure, "TimeoutException");
            monitor.EndRequest("r-1", OperationStatus.Failure, "TimeoutException");
            await monitor.FlushAsync();
        }

        string line = Assert.Single(LogFiles.ReadLines(dir.Path));
        var written = new HashSet<string>(StringComparer.Ordinal);
        using (JsonDocument json = JsonDocument.Parse(line))
        {
            Collect(json.RootElement, written, inMetadata: false);
        }

        Assert.Equal(s_names.OrderBy(n => n, StringComparer.Ordinal), written.OrderBy(n => n, StringComparer.Ordinal));
    }

    /// <summary>The UTF-8 twin of the constant named <paramref name="name"/> (empty when it has none).</summary>
    private static byte[] Utf8Of(string name)
        => name switch
        {
            nameof(JsonlFieldNames.StartTime) => JsonlFieldNames.Utf8.StartTime.ToArray(),
            nameof(JsonlFieldNames.TotalTime) => JsonlFieldNames.Utf8.TotalTime.ToArray(),
            nameof(JsonlFieldNames.Timestamp) => JsonlFieldNames.Utf8.Timestamp.ToArray(),
            nameof(JsonlFieldNames.Stages) => JsonlFieldNames.Utf8.Stages.ToArray(),
            nameof(JsonlFieldNames.Duration) => JsonlFieldNames.Utf8.Duration.ToArray(),
            nameof(JsonlFieldNames.Metadata) => JsonlFieldNames.Utf8.Metadata.ToArray(),
            nameof(JsonlFieldNames.Calls) => JsonlFieldNames.Utf8.Calls.ToArray(),
            nameof(JsonlFieldNames.Share) => JsonlFieldNames.Utf8.Share.ToArray(),
            nameof(JsonlFieldNames.Status) => JsonlFieldNames.Utf8.Status.ToArray(),
            nameof(JsonlFieldNames.ErrorType) => JsonlFieldNames.Utf8.ErrorType.ToArray(),
            nameof(JsonlFieldNames.Request) => JsonlFieldNames.Utf8.Request.ToArray(),
            nameof(JsonlFieldNames.RequestId) => JsonlFieldNames.Utf8.RequestId.ToArray(),
            nameof(JsonlFieldNames.Bottlenecks) => JsonlFieldNames.Utf8.Bottlenecks.ToArray(),
            nameof(JsonlFieldNames.Stage) => JsonlFieldNames.Utf8.Stage.ToArray(),
            nameof(JsonlFieldNames.Rule) => JsonlFieldNames.Utf8.Rule.ToArray(),
            nameof(JsonlFieldNames.AllocatedBytes) => JsonlFieldNames.Utf8.AllocatedBytes.ToArray(),
            nameof(JsonlFieldNames.GcCollections) => JsonlFieldNames.Utf8.GcCollections.ToArray(),
            _ => Array.Empty<byte>(),
        };

    /// <summary>Every property name of the line except stage names (keys of <c>stages</c>) and metadata keys.</summary>
    private static void Collect(JsonElement element, HashSet<string> names, bool inMetadata)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in element.EnumerateArray())
            {
                Collect(item, names, inMetadata: false);
            }

            return;
        }

        if (element.ValueKind != JsonValueKind.Object || inMetadata)
        {
            return;
        }

        foreach (JsonProperty property in element.EnumerateObject())
        {
            names.Add(property.Name);
            if (property.Name == JsonlFieldNames.Stages)
            {
                foreach (JsonProperty stage in property.Value.EnumerateObject())
                {
                    Collect(stage.Value, names, inMetadata: false);
                }
            }
            else
            {
                Collect(property.Value, names, inMetadata: property.Name == JsonlFieldNames.Metadata);
            }
        }
    }
}
