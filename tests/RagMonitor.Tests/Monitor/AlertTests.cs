using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;
using RagMonitor.Tests.Statistics;

namespace RagMonitor.Tests.Monitor;

public sealed class AlertTests
{
    [Fact]
    public void Slow_requests_and_bottlenecks_raise_alerts_and_logger_warnings()
    {
        var clock = new ManualTimeProvider();
        var logger = new ListLogger();
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false }, logger, clock);
        var alerts = new List<PerformanceAlert>();
        monitor.AlertRaised += (_, a) => alerts.Add(a);

        monitor.StartRequest("q", "ask");
        monitor.LogStage("q", "generation", TimeSpan.FromSeconds(9));
        clock.Advance(TimeSpan.FromSeconds(12));
        monitor.EndRequest("q");

        Assert.Equal(new[] { PerformanceAlertKind.SlowRequest, PerformanceAlertKind.Bottleneck }, alerts.Select(a => a.Kind));
        Assert.Contains("12.000 s", alerts[0].Message);
        Assert.Contains("generation (75.0%)", alerts[1].Message);
        Assert.Equal(2, logger.Entries.Count(e => e.Level == LogLevel.Warning));
    }

    [Fact]
    public void The_default_slow_threshold_is_ten_seconds_and_can_be_disabled()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), new PerformanceMonitorOptions().SlowRequestThreshold);
        var clock = new ManualTimeProvider();
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, SlowRequestThreshold = null, AlertOnBottlenecks = false }, null, clock);
        var alerts = 0;
        monitor.AlertRaised += (_, _) => alerts++;
        monitor.StartRequest("q");
        monitor.LogStage("q", "generation", TimeSpan.FromSeconds(60));
        clock.Advance(TimeSpan.FromSeconds(61));
        monitor.EndRequest("q");
        Assert.Equal(0, alerts);
    }

    [Fact]
    public void Throwing_handlers_are_contained_counted_and_do_not_stop_other_handlers()
    {
        var clock = new ManualTimeProvider();
        var logger = new ListLogger();
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false }, logger, clock);
        var reached = 0;
        monitor.RequestCompleted += (_, _) => throw new InvalidOperationException("handler bug");
        monitor.RequestCompleted += (_, _) => reached++;
        monitor.AlertRaised += (_, _) => throw new InvalidOperationException("alert handler bug");

        monitor.StartRequest("q");
        monitor.LogStage("q", "generation", TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        var summary = monitor.EndRequest("q");

        Assert.NotNull(summary);
        Assert.Equal(1, reached);
        Assert.Equal(2, monitor.GetStatistics().Counters.CallbackFailures);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Exception is InvalidOperationException);
    }

    [Fact]
    public void A_throwing_handler_never_reaches_the_pipeline_through_scopes()
    {
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false });
        monitor.RequestCompleted += (_, _) => throw new InvalidOperationException("handler bug");
        using (monitor.BeginRequest("ask"))
        {
            using var stage = monitor.BeginStage("retrieval");
        }

        Assert.Equal(1, monitor.GetStatistics().Counters.CallbackFailures);
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Entries.Add((logLevel, formatter(state, exception), exception));
    }
}
