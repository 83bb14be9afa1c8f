using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using RagMonitor.Tests.Persistence;
using RagMonitor.Tests.Statistics;

namespace RagMonitor.Tests.Monitor;

/// <summary>
/// A running request records its stages and metadata straight into a pooled <see cref="CompletedRequest"/>, which becomes
/// the finished record when the request is sealed and goes back to the pool once written. These tests pin what that must
/// never change: metadata stays with its stage whatever the order it was added in, a reused record carries nothing of the
/// request before it, a stale scope of a finished request cannot reach the record its next owner is filling, and a
/// snapshot is a copy.
/// </summary>
public sealed class RecordStorageTests
{
    private static PerformanceMonitorOptions Options(string? directory = null) => new()
    {
        LogDirectory = directory ?? new PerformanceMonitorOptions().LogDirectory,
        WriteLogs = directory is not null,
        AdaptiveBottlenecks = false,
        SlowRequestThreshold = null,
        MeasureResources = false,
    };

    [Fact]
    public async Task Metadata_added_to_stages_in_turns_is_written_with_its_stage_in_first_start_order_keys_in_the_order_added()
    {
        using var dir = new TempDirectory();
        var clock = new ManualTimeProvider();
        await using (var monitor = new PerformanceMonitor(Options(dir.Path), null, clock))
        {
            using var request = monitor.BeginRequest("ask", "turns");

            // "generation" starts first but its call ends last; "retrieval" is recorded first.
            using (var generation = monitor.BeginStage("generation"))
            {
                generation.AddMetadata("model", "m1");
                clock.Advance(TimeSpan.FromMilliseconds(1));
                using (var retrieval = monitor.BeginStage("retrieval"))
                {
                    retrieval.AddMetadata("top_k", 5);
                    generation.AddMetadata("temperature", 0.5);
                    retrieval.AddMetadata("documents", 3);
                    clock.Advance(TimeSpan.FromMilliseconds(2));
                }

                generation.AddMetadata("model", "m2"); // replaces, keeps its place
                generation.AddToMetadata("tokens", 10);
                generation.AddToMetadata("tokens", 5);
            }

            using (var grading = monitor.BeginStage("grading"))
            {
                clock.Advance(TimeSpan.FromMilliseconds(1));
            }
        }

        var record = LogFiles.ReadRecords(dir.Path).Single();
        var stages = record.GetProperty("stages");
        Assert.Equal(new[] { "generation", "retrieval", "grading" }, stages.EnumerateObject().Select(p => p.Name));
        var generationMetadata = stages.GetProperty("generation").GetProperty("metadata");
        Assert.Equal(new[] { "model", "temperature", "tokens" }, generationMetadata.EnumerateObject().Select(p => p.Name));
        Assert.Equal("m2", generationMetadata.GetProperty("model").GetString());
        Assert.Equal(0.5, generationMetadata.GetProperty("temperature").GetDouble());
        Assert.Equal(15, generationMetadata.GetProperty("tokens").GetInt64());
        var retrievalMetadata = stages.GetProperty("retrieval").GetProperty("metadata");
        Assert.Equal(new[] { "top_k", "documents" }, retrievalMetadata.EnumerateObject().Select(p => p.Name));
        Assert.Empty(stages.GetProperty("grading").GetProperty("metadata").EnumerateObject());
    }

    [Fact]
    public void A_reused_record_carries_nothing_of_the_request_before_it()
    {
        // Without a sink a finished record goes straight back to this thread's pool cache: the next request reuses it.
        using var monitor = new PerformanceMonitor(Options());
        var summaries = new List<RequestSummary>();
        monitor.RequestCompleted += (_, summary) => summaries.Add(summary);
        for (var i = 0; i < 20; i++)
        {
            using var request = monitor.BeginRequest(i % 2 == 0 ? "rich" : "plain");
            if (i % 2 == 0)
            {
                using (var stage = monitor.BeginStage("retrieval"))
                {
                    stage.AddMetadata("documents", i);
                    stage.AddMetadata("source", "index");
                }

                try
                {
                    using var failing = monitor.BeginStage("grading");
                    try
                    {
                        throw new TimeoutException();
                    }
                    catch (Exception ex) when (failing.Fail(ex))
                    {
                        throw;
                    }
                }
                catch (TimeoutException)
                {
                }

                request.Fail(new InvalidOperationException());
            }
            else
            {
                using (monitor.BeginStage("generation"))
                {
                }
            }
        }

        Assert.Equal(20, summaries.Count);
        foreach (var plain in summaries.Where(s => s.RequestName == "plain"))
        {
            var stage = Assert.Single(plain.Stages);
            Assert.Equal("generation", stage.Name);
            Assert.Empty(stage.Metadata);
            Assert.Equal(OperationStatus.Success, stage.Status);
            Assert.Null(stage.ErrorType);
            Assert.Equal(OperationStatus.Success, plain.Status);
            Assert.Null(plain.ErrorType);
            Assert.DoesNotContain(plain.Bottlenecks, b => b.Stage != "generation");
        }

        var rich = summaries.Where(s => s.RequestName == "rich").ToList();
        Assert.Equal(10, rich.Count);
        for (var i = 0; i < rich.Count; i++)
        {
            Assert.Equal(new[] { "retrieval", "grading" }, rich[i].Stages.Select(s => s.Name));
            Assert.Equal(MetadataValue.FromInteger(2 * i), rich[i].Stages[0].Metadata.Single(m => m.Key == "documents").Value);
            Assert.Equal(2, rich[i].Stages[0].Metadata.Count);
            Assert.Empty(rich[i].Stages[1].Metadata);
            Assert.Equal(OperationStatus.Failure, rich[i].Status);
        }
    }

    [Fact]
    public void A_scope_kept_past_its_request_cannot_reach_the_record_the_next_request_fills()
    {
        using var monitor = new PerformanceMonitor(Options());
        var summaries = new List<RequestSummary>();
        monitor.RequestCompleted += (_, summary) => summaries.Add(summary);
        StageScope stale;
        using (monitor.BeginRequest("first"))
        {
            stale = monitor.BeginDetachedStage("retrieval"); // may be ended from anywhere, later
            stale.AddMetadata("documents", 1);
        }

        // The first request's record is back in the pool; the second request rents it.
        using (monitor.BeginRequest("second"))
        {
            stale.AddMetadata("documents", 99);
            stale.AddMetadata("late", true);
            stale.Fail(new InvalidOperationException());
            stale.Dispose();
            using (var stage = monitor.BeginStage("retrieval"))
            {
                stage.AddMetadata("documents", 2);
            }
        }

        Assert.Equal(2, summaries.Count);
        var second = summaries[1];
        var retrieval = Assert.Single(second.Stages);
        Assert.Equal(MetadataValue.FromInteger(2), Assert.Single(retrieval.Metadata).Value);
        Assert.Equal(1, retrieval.Calls);
        Assert.Equal(OperationStatus.Success, retrieval.Status);
        Assert.Equal(OperationStatus.Success, second.Status);
    }

    [Fact]
    public void A_snapshot_is_a_copy_that_later_metadata_and_the_end_of_the_request_do_not_change()
    {
        using var monitor = new PerformanceMonitor(Options());
        RequestSummary? final = null;
        monitor.RequestCompleted += (_, summary) => final = summary;
        RequestSummary? snapshot;
        using (var request = monitor.BeginRequest("ask"))
        {
            using (var retrieval = monitor.BeginStage("retrieval"))
            {
                retrieval.AddMetadata("documents", 1);
                snapshot = request.GetSummary();
                retrieval.AddMetadata("documents", 2);
                retrieval.AddMetadata("reranked", true);
            }
        }

        Assert.NotNull(snapshot);
        Assert.False(snapshot!.IsCompleted);
        var early = Assert.Single(snapshot.Stages);
        Assert.Equal(MetadataValue.FromInteger(1), Assert.Single(early.Metadata).Value);
        Assert.NotNull(final);
        var late = Assert.Single(final!.Stages);
        Assert.Equal(new[] { "documents", "reranked" }, late.Metadata.Select(m => m.Key));
        Assert.Equal(MetadataValue.FromInteger(2), late.Metadata[0].Value);
    }

    [Fact]
    public void After_its_end_a_scope_gives_no_snapshot_and_the_explicit_api_gives_the_final_summary()
    {
        using var monitor = new PerformanceMonitor(Options());
        RequestSummary? final = null;
        monitor.RequestCompleted += (_, summary) => final = summary;
        var request = monitor.BeginRequest("ask");
        using (monitor.BeginStage("retrieval"))
        {
        }

        Assert.Single(request.GetSummary()!.Stages);
        request.Dispose();
        Assert.Null(request.GetSummary()); // the record left with the request; the handler got the final summary
        Assert.Single(final!.Stages);

        Assert.True(monitor.StartRequest("explicit-1"));
        Assert.True(monitor.LogStage("explicit-1", "retrieval", TimeSpan.FromMilliseconds(5)));
        var ended = monitor.EndRequest("explicit-1");
        var later = monitor.GetSummary("explicit-1");
        Assert.NotNull(ended);
        Assert.Same(ended, later);
        Assert.True(later!.IsCompleted);
        Assert.Single(later.Stages);
    }
}
