using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagMonitor.Hosting;

namespace RagMonitor.Ecosystem.Tests.Hosting;

public sealed class HostingTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("ragmonitor-hosting-");

    public void Dispose() => _root.Delete(recursive: true);

    private HostApplicationBuilder NewBuilder(string? appsettings = null)
    {
        if (appsettings is not null)
        {
            File.WriteAllText(Path.Combine(_root.FullName, "appsettings.json"), appsettings);
        }

        return Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = _root.FullName,
            EnvironmentName = Environments.Production,
            Args = Array.Empty<string>(),
        });
    }

    [Fact]
    public void Options_bind_from_appsettings_json()
    {
        var logs = Path.Combine(_root.FullName, "perf-logs").Replace("\\", "/", StringComparison.Ordinal);
        var builder = NewBuilder($$"""
            {
              "RagMonitor": {
                "LogDirectory": "{{logs}}",
                "BottleneckShareThreshold": 0.4,
                "StageDurationThresholds": { "retrieval": "00:00:00.250", "generation": "00:00:05" },
                "SlowRequestThreshold": "00:00:02",
                "RetentionDays": 7,
                "ArchiveAfterDays": 2,
                "QueueCapacity": 128,
                "FlushInterval": "00:00:00.050",
                "MeasureResources": false,
                "AdaptiveBottlenecks": false
              }
            }
            """);
        builder.Services.AddRagMonitor(builder.Configuration.GetSection(RagMonitorServiceCollectionExtensions.DefaultSectionName));
        using var host = builder.Build();

        var monitor = host.Services.GetRequiredService<PerformanceMonitor>();
        Assert.Same(monitor, host.Services.GetRequiredService<PerformanceMonitor>());
        var options = monitor.Options;
        Assert.Equal(logs, options.LogDirectory);
        Assert.Equal(0.4, options.BottleneckShareThreshold);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.StageDurationThresholds["retrieval"]);
        Assert.Equal(TimeSpan.FromSeconds(5), options.StageDurationThresholds["generation"]);
        Assert.Equal(TimeSpan.FromSeconds(2), options.SlowRequestThreshold);
        Assert.Equal(7, options.RetentionDays);
        Assert.Equal(2, options.ArchiveAfterDays);
        Assert.Equal(128, options.QueueCapacity);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.FlushInterval);
        Assert.False(options.MeasureResources);
        Assert.False(options.AdaptiveBottlenecks);
    }

    [Fact]
    public void The_absolute_threshold_from_configuration_flags_a_bottleneck()
    {
        var builder = NewBuilder("""{ "RagMonitor": { "WriteLogs": false, "BottleneckShareThreshold": 1, "StageDurationThresholds": { "retrieval": "00:00:00.001" } } }""");
        builder.Services.AddRagMonitor(builder.Configuration.GetSection("RagMonitor"));
        using var host = builder.Build();
        var monitor = host.Services.GetRequiredService<PerformanceMonitor>();

        monitor.StartRequest("r1");
        monitor.LogStage("r1", "retrieval", TimeSpan.FromMilliseconds(20));
        monitor.LogStage("r1", "generation", TimeSpan.FromMilliseconds(20));
        Thread.Sleep(60); // the request's wall-clock total must exceed its stages, so that no share is above 1
        var summary = monitor.EndRequest("r1")!;
        var bottleneck = Assert.Single(summary.Bottlenecks);
        Assert.Equal("retrieval", bottleneck.Stage);
        Assert.Equal(BottleneckRule.AbsoluteThreshold, bottleneck.Rule);
    }

    [Fact]
    public void Logger_and_TimeProvider_come_from_the_container()
    {
        var builder = NewBuilder();
        var logged = new CapturingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logged);
        var clock = new CountingTimeProvider();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddRagMonitor(options =>
        {
            options.WriteLogs = false;
            options.SlowRequestThreshold = TimeSpan.FromMilliseconds(1);
        });
        using var host = builder.Build();
        var monitor = host.Services.GetRequiredService<PerformanceMonitor>();

        Assert.Same(clock, monitor.TimeProvider);
        monitor.StartRequest("slow-1", "ask");
        Thread.Sleep(20);
        monitor.EndRequest("slow-1");
        Assert.True(clock.Reads > 0);
        var entry = Assert.Single(logged.Entries, e => e.Category == typeof(PerformanceMonitor).FullName && e.Message.Contains("Slow request", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("slow-1", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_registered_TimeProvider_the_system_clock_is_used()
    {
        var services = new ServiceCollection();
        services.AddRagMonitor(o => o.WriteLogs = false);
        using var provider = services.BuildServiceProvider();
        Assert.Same(TimeProvider.System, provider.GetRequiredService<PerformanceMonitor>().TimeProvider);
    }

    [Fact]
    public async Task Invalid_settings_fail_when_the_host_starts()
    {
        var builder = NewBuilder("""{ "RagMonitor": { "BottleneckShareThreshold": 3 } }""");
        builder.Services.AddRagMonitor(builder.Configuration.GetSection("RagMonitor"));
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("BottleneckShareThreshold", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_the_host_writes_every_finished_request_to_the_jsonl_log()
    {
        var logs = Path.Combine(_root.FullName, "logs");
        var builder = NewBuilder();
        // A writer that would drain only every minute: the records reach the file because StopAsync flushes.
        builder.Services.AddRagMonitor(o =>
        {
            o.LogDirectory = logs;
            o.FlushInterval = TimeSpan.FromMinutes(1);
        });
        using var host = builder.Build();
        await host.StartAsync();
        Assert.Single(host.Services.GetServices<IHostedService>(), s => s.GetType().Name == "RagMonitorFlushService");
        var monitor = host.Services.GetRequiredService<PerformanceMonitor>();
        for (var i = 0; i < 5; i++)
        {
            monitor.StartRequest("host-" + i, "ask");
            monitor.LogStage("host-" + i, "retrieval", TimeSpan.FromMilliseconds(3));
            monitor.EndRequest("host-" + i);
        }

        await host.StopAsync();

        // The host is stopped but not disposed: the monitor (and its sink) are still alive.
        var file = Assert.Single(Directory.GetFiles(logs, "*_performance.jsonl"));
        var ids = File.ReadAllLines(file).Where(l => l.Length > 0)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("request_id").GetString())
            .OrderBy(id => id, StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => "host-" + i), ids);
        Assert.Equal(5, monitor.GetStatistics().Counters.LogRecordsWritten);
    }

    private sealed class CountingTimeProvider : TimeProvider
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public override long GetTimestamp()
        {
            Interlocked.Increment(ref _reads);
            return base.GetTimestamp();
        }
    }

    internal sealed record LogEntry(string Category, LogLevel Level, string Message);

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly List<LogEntry> _entries = new();

        public IReadOnlyList<LogEntry> Entries
        {
            get
            {
                lock (_entries)
                {
                    return _entries.ToArray();
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger : ILogger
        {
            private readonly CapturingLoggerProvider _owner;
            private readonly string _category;

            public Logger(CapturingLoggerProvider owner, string category)
            {
                _owner = owner;
                _category = category;
            }

            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (_owner._entries)
                {
                    _owner._entries.Add(new LogEntry(_category, logLevel, formatter(state, exception)));
                }
            }
        }
    }
}
