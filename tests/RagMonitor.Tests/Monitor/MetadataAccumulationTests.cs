using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Monitor;

/// <summary>
/// Counts that sum over a stage's calls (StageContext.AddToMetadata, StageScope.AddToMetadata: the token counts of
/// RagMonitor.AI), and reading one metadata number back from a log line (PerformanceLogEntry.TryGetStageMetadataNumber).
/// </summary>
public sealed class MetadataAccumulationTests : IDisposable
{
    private readonly string _logDirectory = Path.Combine(Path.GetTempPath(), "ragmonitor-accumulate-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_logDirectory))
        {
            Directory.Delete(_logDirectory, recursive: true);
        }
    }

    private static long? Integer(StageSummary stage, string key) =>
        stage.Metadata.Where(m => m.Key == key).Select(m => (long?)m.Value.IntegerValue).FirstOrDefault();

    [Fact]
    public async Task Counts_sum_over_sequential_and_parallel_calls_and_saturate()
    {
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false });
        RequestSummary? summary = null;
        monitor.RequestCompleted += (_, s) => summary = s;

        using (monitor.BeginRequest("ask"))
        {
            using (var stage = monitor.BeginStage("generation"))
            {
                stage.AddMetadata("input_tokens", "not a number yet");
                stage.AddToMetadata("input_tokens", 10);
            }

            await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() =>
            {
                using (monitor.BeginStage("generation"))
                {
                    Assert.True(StageContext.AddToMetadata("input_tokens", 2));
                }
            })));

            using (var stage = monitor.BeginStage("huge"))
            {
                stage.AddToMetadata("tokens", long.MaxValue);
                stage.AddToMetadata("tokens", 5);
            }
        }

        Assert.False(StageContext.AddToMetadata("input_tokens", 1));
        Assert.Equal(51, summary!.FindStage("generation")!.Calls);
        Assert.Equal(110L, Integer(summary.FindStage("generation")!, "input_tokens"));
        Assert.Equal(long.MaxValue, Integer(summary.FindStage("huge")!, "tokens"));
    }

    [Fact]
    public async Task One_metadata_number_is_read_from_a_log_line_without_being_fooled_by_text()
    {
        var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { LogDirectory = _logDirectory, AdaptiveBottlenecks = false });
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
        PerformanceLog.Read(_logDirectory, new PerformanceLogReadOptions { IncludeMetadata = false }, entry =>
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
    }
}
