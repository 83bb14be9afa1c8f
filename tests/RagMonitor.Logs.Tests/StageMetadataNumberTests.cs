using System.Threading.Tasks;

namespace RagMonitor.Logs.Tests;

/// <summary>
/// Reading one metadata number back from a log line the real writer wrote (PerformanceLogEntry.TryGetStageMetadataNumber,
/// how ragmon reads RagMonitor.AI's token counts): text that looks like the key never fools it.
/// </summary>
public sealed class StageMetadataNumberTests
{
    [Fact]
    public async Task One_metadata_number_is_read_from_a_log_line_without_being_fooled_by_text()
    {
        using var dir = new TempDirectory();
        var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { LogDirectory = dir.Path, AdaptiveBottlenecks = false });
        using (monitor.BeginRequest("ask"))
        {
            using (var stage = monitor.BeginStage("retrieval"))
            {
                stage.AddMetadata("note", "\"input_tokens\": 999, {\"input_tokens\":5}");
            }

            using (var stage = monitor.BeginStage("generation"))
            {
                stage.AddMetadata("prompt", "x,\"input_tokens\":7");
                stage.AddToMetadata("input_tokens", 290);
                stage.AddMetadata("time_to_first_token_ms", 86.5);
                stage.AddMetadata("finish_reason", "stop");
            }
        }

        await monitor.FlushAsync();
        await monitor.DisposeAsync();

        double? generationTokens = null;
        double? firstToken = null;
        bool retrievalHas = true;
        bool finishIsNumber = true;
        PerformanceLog.Read(dir.Path, new PerformanceLogReadOptions { IncludeMetadata = false }, entry =>
        {
            retrievalHas = entry.TryGetStageMetadataNumber(0, "input_tokens"u8, out _);
            generationTokens = entry.TryGetStageMetadataNumber(1, "input_tokens"u8, out double tokens) ? tokens : null;
            firstToken = entry.TryGetStageMetadataNumber(1, "time_to_first_token_ms"u8, out double ms) ? ms : null;
            finishIsNumber = entry.TryGetStageMetadataNumber(1, "finish_reason"u8, out _);
        });

        Assert.False(retrievalHas);
        Assert.Equal(290, generationTokens);
        Assert.Equal(86.5, firstToken);
        Assert.False(finishIsNumber);
    }}
