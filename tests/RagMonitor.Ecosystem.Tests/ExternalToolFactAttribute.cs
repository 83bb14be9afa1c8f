using System;
using System.IO;

namespace RagMonitor.Ecosystem.Tests;

/// <summary>
/// A fact that needs an external program. Where the program is missing it is skipped with a clear reason,
/// except under <c>CI=true</c>, where it runs (and fails, saying what is missing): CI must install it.
/// </summary>
public abstract class ExternalToolFactAttribute : FactAttribute
{
    protected ExternalToolFactAttribute(string tool, string installHint)
    {
        var path = FindTool(tool);
        if (path is null && !IsCi)
        {
            var reason = $"'{tool}' is not installed ({installHint}); under CI=true this test fails instead of skipping.";
            Skip = reason;
        }
    }

    internal static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The full path of <paramref name="tool"/> on PATH (or /usr/bin, /usr/local/bin), or <see langword="null"/>.</summary>
    internal static string? FindTool(string tool)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var directory in directories)
        {
            var candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        foreach (var directory in new[] { "/usr/bin", "/usr/local/bin" })
        {
            var candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The path of <paramref name="tool"/>, or an exception that says how to install it.</summary>
    internal static string RequireTool(string tool, string installHint) =>
        FindTool(tool) ?? throw new InvalidOperationException($"'{tool}' is required but not installed ({installHint}).");
}

/// <summary>A fact that runs a real Prometheus server (Debian package <c>prometheus</c>).</summary>
public sealed class PrometheusFactAttribute : ExternalToolFactAttribute
{
    internal const string Tool = "prometheus";
    internal const string InstallHint = "apt-get install -y prometheus";

    public PrometheusFactAttribute()
        : base(Tool, InstallHint)
    {
    }
}
