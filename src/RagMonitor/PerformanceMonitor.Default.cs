using System;
using System.Globalization;
using System.Threading;

namespace RagMonitor;

public sealed partial class PerformanceMonitor
{
    /// <summary>Environment variable: the log directory of <see cref="Default"/>.</summary>
    public const string LogDirectoryVariable = "RAGMONITOR_LOG_DIR";

    /// <summary>Environment variable: <c>false</c>/<c>0</c> disables <see cref="Default"/>; <c>true</c>/<c>1</c> enables it.</summary>
    public const string EnabledVariable = "RAGMONITOR_ENABLED";

    /// <summary>Environment variable: <c>false</c>/<c>0</c> stops <see cref="Default"/> writing JSONL files.</summary>
    public const string WriteLogsVariable = "RAGMONITOR_WRITE_LOGS";

    /// <summary>Environment variable: the bottleneck share threshold of <see cref="Default"/> (0–1, e.g. <c>0.3</c>).</summary>
    public const string BottleneckThresholdVariable = "RAGMONITOR_BOTTLENECK_THRESHOLD";

    /// <summary>Environment variable: the slow-request threshold of <see cref="Default"/> in seconds.</summary>
    public const string SlowRequestSecondsVariable = "RAGMONITOR_SLOW_REQUEST_SECONDS";

    private static readonly object s_defaultGate = new();
    private static PerformanceMonitor? s_default;

    /// <summary>
    /// The process-wide monitor used by generated code on types that hold no <see cref="PerformanceMonitor"/>.
    /// Created on first use from the defaults and the <c>RAGMONITOR_*</c> environment variables; replace
    /// its settings with <see cref="ConfigureDefault(Action{PerformanceMonitorOptions})"/>. Like every monitor, it is flushed when
    /// the process exits normally.
    /// </summary>
    public static PerformanceMonitor Default
    {
        get
        {
            var current = Volatile.Read(ref s_default);
            return current ?? InitializeDefault(null);
        }
    }

    /// <summary>
    /// Replaces <see cref="Default"/> with a monitor built from the defaults, then <paramref name="configure"/>,
    /// then the <c>RAGMONITOR_*</c> environment variables (which win, so operators can switch monitoring off
    /// without a rebuild). The previous default monitor is flushed and disposed.
    /// </summary>
    /// <exception cref="ArgumentException">The resulting settings are invalid.</exception>
    public static PerformanceMonitor ConfigureDefault(Action<PerformanceMonitorOptions> configure)
    {
        if (configure is null)
        {
            throw new ArgumentNullException(nameof(configure));
        }

        return InitializeDefault(configure);
    }

    /// <summary>Builds settings from the defaults, <paramref name="configure"/> and then the <c>RAGMONITOR_*</c> environment variables.</summary>
    public static PerformanceMonitorOptions OptionsFromEnvironment(Action<PerformanceMonitorOptions>? configure = null)
    {
        var options = new PerformanceMonitorOptions();
        configure?.Invoke(options);
        var directory = Environment.GetEnvironmentVariable(LogDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(directory))
        {
            options.LogDirectory = directory!;
        }

        if (ParseBoolean(Environment.GetEnvironmentVariable(EnabledVariable)) is { } enabled)
        {
            options.Enabled = enabled;
        }

        if (ParseBoolean(Environment.GetEnvironmentVariable(WriteLogsVariable)) is { } write)
        {
            options.WriteLogs = write;
        }

        if (double.TryParse(Environment.GetEnvironmentVariable(BottleneckThresholdVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var share))
        {
            options.BottleneckShareThreshold = share;
        }

        if (double.TryParse(Environment.GetEnvironmentVariable(SlowRequestSecondsVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            options.SlowRequestThreshold = TimeSpan.FromSeconds(seconds);
        }

        return options;
    }

    private static PerformanceMonitor InitializeDefault(Action<PerformanceMonitorOptions>? configure)
    {
        PerformanceMonitor? previous;
        PerformanceMonitor created;
        lock (s_defaultGate)
        {
            if (configure is null && s_default is not null)
            {
                return s_default;
            }

            created = new PerformanceMonitor(OptionsFromEnvironment(configure));
            previous = s_default;
            Volatile.Write(ref s_default, created);
        }

        previous?.Dispose();
        return created;
    }

    private static bool? ParseBoolean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text!.Trim();
        if (text == "1" || string.Equals(text, "true", StringComparison.OrdinalIgnoreCase) || string.Equals(text, "yes", StringComparison.OrdinalIgnoreCase) || string.Equals(text, "on", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (text == "0" || string.Equals(text, "false", StringComparison.OrdinalIgnoreCase) || string.Equals(text, "no", StringComparison.OrdinalIgnoreCase) || string.Equals(text, "off", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return null;
    }
}
