using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading.Tasks;
using RagMonitor.Tests.Persistence;

namespace RagMonitor.Tests.Reliability;

/// <summary>
/// Tests that install process-wide span or metric listeners, or measure the process's memory: they run alone, so other
/// tests' monitors do not meet the listeners and other tests' allocations do not blur the measurement.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAloneCollection
{
    public const string Name = "Run alone";
}

/// <summary>Nothing RagMonitor does on the caller's thread throws into the caller's code (issue 15, first promise).</summary>
[Collection(RunAloneCollection.Name)]
public sealed class NeverThrowsTests
{
    private static PerformanceMonitor NewMonitor(string directory, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        new(new PerformanceMonitorOptions { LogDirectory = directory, AdaptiveBottlenecks = false, SlowRequestThreshold = null }, logger);

    [Fact]
    public async Task A_metadata_value_whose_ToString_throws_is_a_placeholder_and_the_request_ends()
    {
        using var dir = new TempDirectory();
        await using (var monitor = NewMonitor(dir.Path))
        {
            Assert.True(monitor.StartRequest("r1"));
            Assert.True(monitor.LogStage("r1", "s", TimeSpan.FromMilliseconds(5), new Dictionary<string, object?> { ["bad"] = new ThrowingValue(), ["good"] = 3 }));
            var summary = monitor.EndRequest("r1");
            Assert.NotNull(summary);
            var metadata = summary!.Stages.Single().Metadata.ToDictionary(p => p.Key, p => p.Value.ToObject());
            Assert.Equal("<error: InvalidOperationException>", metadata["bad"]);
            Assert.Equal(3L, metadata["good"]);
            Assert.Equal(0, monitor.GetStatistics().Counters.RequestsInFlight);
        }

        var record = JsonChecks.ParseWithUniqueKeys(Assert.Single(LogFiles.ReadLines(dir.Path)));
        Assert.Equal("<error: InvalidOperationException>", record.GetProperty("stages").GetProperty("s").GetProperty("metadata").GetProperty("bad").GetString());
    }

    [Fact]
    public async Task A_metadata_dictionary_whose_enumeration_throws_keeps_what_was_read_and_the_error_is_kept_for_diagnosis()
    {
        using var dir = new TempDirectory();
        var logger = new RecordingLogger();
        await using var monitor = NewMonitor(dir.Path, logger);
        Assert.Null(monitor.LastInternalError);
        monitor.StartRequest("r1");
        Assert.True(monitor.LogStage("r1", "s", TimeSpan.FromMilliseconds(5), new ThrowingDictionary()));
        monitor.StartRequest("r2");
        Assert.True(monitor.LogStage("r2", "s", TimeSpan.FromMilliseconds(5), new ThrowingDictionary()));
        var summary = monitor.EndRequest("r1");
        Assert.Equal(1L, summary!.Stages.Single().Metadata.Single(p => p.Key == "first").Value.IntegerValue);
        Assert.NotNull(monitor.EndRequest("r2"));

        Assert.Equal(2, monitor.GetStatistics().Counters.InternalErrors);
        var kept = Assert.IsType<InvalidOperationException>(monitor.LastInternalError);
        Assert.Equal("enumeration fails", kept.Message);
        Assert.Equal(1, logger.Count("InternalError")); // logged once, with the exception
        Assert.Same(typeof(InvalidOperationException), logger.Entries.Single(e => e.Id.Name == "InternalError").Exception!.GetType());
    }

    [Fact]
    public async Task A_throwing_logger_event_handlers_and_alert_handlers_never_reach_the_caller_and_the_line_is_written()
    {
        using var dir = new TempDirectory();
        var logger = new RecordingLogger(throws: true);
        var options = new PerformanceMonitorOptions { LogDirectory = dir.Path, AdaptiveBottlenecks = false, SlowRequestThreshold = TimeSpan.Zero };
        await using (var monitor = new PerformanceMonitor(options, logger))
        {
            monitor.RequestCompleted += (_, _) => throw new InvalidOperationException("handler");
            monitor.AlertRaised += (_, _) => throw new InvalidOperationException("alert handler");
            for (var i = 0; i < 3; i++)
            {
                using (var request = monitor.BeginRequest("ask"))
                {
                    using var stage = monitor.BeginStage("retrieval");
                    stage.AddMetadata("k", i);
                }

                monitor.StartRequest("e" + i);
                monitor.LogStage("e" + i, "retrieval", TimeSpan.FromSeconds(1));
                Assert.NotNull(monitor.EndRequest("e" + i));
            }

            var counters = monitor.GetStatistics().Counters;
            Assert.True(counters.CallbackFailures >= 6, counters.ToString());
            Assert.Equal(6, counters.RequestsCompleted);
        }

        Assert.Equal(6, LogFiles.ReadLines(dir.Path).Count);
    }

    [Fact]
    public async Task Span_listeners_whose_callbacks_throw_never_reach_the_caller()
    {
        using var dir = new TempDirectory();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RagMonitorTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _ => throw new InvalidOperationException("started"),
            ActivityStopped = _ => throw new InvalidOperationException("stopped"),
        };
        ActivitySource.AddActivityListener(listener);
        using var monitor = NewMonitor(dir.Path);
        using (var request = monitor.BeginRequest("ask"))
        {
            using (var stage = monitor.BeginStage("retrieval"))
            {
                stage.AddMetadata("k", 1);
            }

            var asyncStage = monitor.BeginAsyncStage("generation");
            await asyncStage.Track(Task.CompletedTask);
        }

        monitor.StartRequest("x");
        monitor.LogStage("x", "retrieval", TimeSpan.FromMilliseconds(3));
        monitor.MarkStageStatus("x", "retrieval", OperationStatus.Failure, "Boom");
        Assert.NotNull(monitor.EndRequest("x"));
        Assert.True(monitor.GetStatistics().Counters.InternalErrors > 0);
        Assert.IsType<InvalidOperationException>(monitor.LastInternalError);
    }

    [Fact]
    public void Metric_listeners_whose_callbacks_throw_never_reach_the_caller()
    {
        using var dir = new TempDirectory();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == RagMonitorTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => throw new InvalidOperationException("measurement"));
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => throw new InvalidOperationException("measurement"));
        listener.Start();
        using var monitor = NewMonitor(dir.Path);
        using (monitor.BeginRequest("ask"))
        {
            using var stage = monitor.BeginStage("retrieval");
        }

        monitor.StartRequest("x");
        Assert.NotNull(monitor.EndRequest("x"));
        Assert.Equal(2, monitor.GetStatistics().Counters.RequestsCompleted);
    }

    [Fact]
    public void Bad_arguments_of_the_explicit_API_are_rejected_as_documented_and_unknown_ids_are_not_errors()
    {
        using var dir = new TempDirectory();
        using var monitor = NewMonitor(dir.Path);
        Assert.Throws<ArgumentException>(() => monitor.StartRequest(null!));
        Assert.Throws<ArgumentException>(() => monitor.LogStage("id", " ", TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => monitor.LogStage("id", "s", TimeSpan.FromTicks(-1)));
        Assert.Throws<ArgumentException>(() => monitor.BeginStage(""));
        Assert.False(monitor.LogStage("unknown", "s", TimeSpan.Zero));
        Assert.False(monitor.MarkStageStatus("unknown", "s", OperationStatus.Failure));
        Assert.Null(monitor.EndRequest("unknown"));
        Assert.Null(monitor.GetSummary("unknown"));
        Assert.False(StageContext.AddMetadata("k", 1));
    }
}
