using System.Linq;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Monitor;

/// <summary>
/// Counts that sum over a stage's calls (StageContext.AddToMetadata, StageScope.AddToMetadata: the token counts of
/// RagMonitor.AI). Reading such a number back from a log line is tested with the reader (RagMonitor.Logs.Tests,
/// StageMetadataNumberTests).
/// </summary>
public sealed class MetadataAccumulationTests
{
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
}
