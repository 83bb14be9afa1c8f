using System;

namespace RagMonitor.Tests.Monitor;

[Collection("Environment")]
public sealed class DefaultMonitorTests
{
    [Fact]
    public void Environment_variables_configure_the_default_and_win_over_code()
    {
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ragmon-env-" + Guid.NewGuid().ToString("N"));
        Environment.SetEnvironmentVariable(PerformanceMonitor.LogDirectoryVariable, directory);
        Environment.SetEnvironmentVariable(PerformanceMonitor.EnabledVariable, "false");
        Environment.SetEnvironmentVariable(PerformanceMonitor.BottleneckThresholdVariable, "0.5");
        try
        {
            var options = PerformanceMonitor.OptionsFromEnvironment(o =>
            {
                o.Enabled = true;
                o.LogDirectory = "ignored";
            });
            Assert.Equal(directory, options.LogDirectory);
            Assert.False(options.Enabled);
            Assert.Equal(0.5, options.BottleneckShareThreshold);

            var monitor = PerformanceMonitor.ConfigureDefault(o => o.WriteLogs = false);
            Assert.Same(monitor, PerformanceMonitor.Default);
            Assert.False(PerformanceMonitor.Default.IsEnabled);
        }
        finally
        {
            Environment.SetEnvironmentVariable(PerformanceMonitor.LogDirectoryVariable, null);
            Environment.SetEnvironmentVariable(PerformanceMonitor.EnabledVariable, null);
            Environment.SetEnvironmentVariable(PerformanceMonitor.BottleneckThresholdVariable, null);
            PerformanceMonitor.ConfigureDefault(o => o.WriteLogs = false);
        }

        Assert.True(PerformanceMonitor.Default.IsEnabled);
    }

    [Fact]
    public void Unparseable_environment_values_are_ignored()
    {
        Environment.SetEnvironmentVariable(PerformanceMonitor.EnabledVariable, "maybe");
        try
        {
            Assert.True(PerformanceMonitor.OptionsFromEnvironment().Enabled);
        }
        finally
        {
            Environment.SetEnvironmentVariable(PerformanceMonitor.EnabledVariable, null);
        }
    }
}
