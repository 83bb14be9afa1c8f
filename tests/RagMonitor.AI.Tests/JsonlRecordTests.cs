using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace RagMonitor.AI.Tests;

public sealed class JsonlRecordTests : IDisposable
{
    private readonly string _logDirectory = Path.Combine(Path.GetTempPath(), "ragmonitor-ai-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_logDirectory))
        {
            Directory.Delete(_logDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task The_log_line_carries_tokens_time_to_first_token_and_no_text()
    {
        var monitor = TestMonitors.Create(logDirectory: _logDirectory);
        var chat = new FakeChatClient { Latency = TimeSpan.FromMilliseconds(30) }.AsBuilder().UseRagMonitor(monitor).Build();
        var embed = new FakeEmbeddingGenerator().AsBuilder().UseRagMonitor(monitor).Build();

        using (monitor.BeginRequest("ask"))
        {
            await embed.GenerateAsync(new[] { "what is rag" });
            await foreach (var update in chat.GetStreamingResponseAsync("what is rag?"))
            {
                Assert.NotNull(update);
            }
        }

        await monitor.FlushAsync();
        await monitor.DisposeAsync();

        var file = Assert.Single(Directory.GetFiles(_logDirectory, "*_performance.jsonl"));
        var line = Assert.Single(File.ReadAllLines(file), l => l.Length > 0);
        using var record = JsonDocument.Parse(line);
        var stages = record.RootElement.GetProperty("stages");
        var generation = stages.GetProperty("generation");
        Assert.Equal("success", generation.GetProperty("status").GetString());
        var metadata = generation.GetProperty("metadata");
        Assert.Equal(120, metadata.GetProperty("input_tokens").GetInt64());
        Assert.Equal(4, metadata.GetProperty("output_tokens").GetInt64());
        Assert.True(metadata.GetProperty("time_to_first_token_ms").GetDouble() >= 25);
        Assert.True(metadata.GetProperty("output_tokens_per_second").GetDouble() > 0);
        Assert.Equal("length", metadata.GetProperty("finish_reason").GetString());
        Assert.Equal("fake-model", metadata.GetProperty("model_id").GetString());
        Assert.False(metadata.TryGetProperty("prompt", out _));
        Assert.False(metadata.TryGetProperty("completion", out _));
        Assert.DoesNotContain("what is rag", line, StringComparison.Ordinal);

        var embedding = stages.GetProperty("embedding").GetProperty("metadata");
        Assert.Equal(3, embedding.GetProperty("input_tokens").GetInt64());
        Assert.Equal("fake-embed-small", embedding.GetProperty("model_id").GetString());
        Assert.Equal(new[] { "embedding", "generation" }, stages.EnumerateObject().Select(p => p.Name).ToArray());
    }
}
