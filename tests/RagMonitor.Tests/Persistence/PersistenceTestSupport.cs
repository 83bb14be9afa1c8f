using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Persistence;

/// <summary>A fresh directory under the temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ragmon-persist-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine(new[] { Path }.Concat(parts).ToArray());

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>A clock whose wall time the test sets; timestamps (durations) stay real.</summary>
internal sealed class ManualWallClock : TimeProvider
{
    private long _utcTicks;

    public ManualWallClock(DateTimeOffset start, TimeZoneInfo? zone = null)
    {
        _utcTicks = start.UtcTicks;
        LocalTimeZone = zone ?? TimeZoneInfo.Utc;
    }

    public override TimeZoneInfo LocalTimeZone { get; }

    public DateTimeOffset Now
    {
        get => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _utcTicks, value.UtcTicks);
    }

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// A fact that needs <c>python3</c>: skipped with a reason when it is missing, except when the environment
/// variable <c>CI</c> is <c>true</c> (then the test runs and fails, so CI never silently skips it).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PythonFactAttribute : FactAttribute
{
    private const string MissingPython = "python3 is not installed (set CI=true to make this a failure instead of a skip).";

    public PythonFactAttribute()
    {
        if (LogFiles.FindPython() is null && !TestEnvironment.IsCi)
        {
            Skip = MissingPython;
        }
    }
}

/// <summary>
/// A fact that needs Linux and a program on the PATH: skipped with a reason elsewhere, except when the environment
/// variable <c>CI</c> is <c>true</c> (then the test runs and fails, so CI never silently skips it).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxToolFactAttribute : FactAttribute
{
    public LinuxToolFactAttribute(string tool)
    {
        if (TestEnvironment.IsCi)
        {
            return;
        }

        if (!OperatingSystem.IsLinux())
        {
            Skip = $"needs Linux and {tool} (set CI=true to make this a failure instead of a skip).";
        }
        else if (LogFiles.FindOnPath(tool) is null)
        {
            Skip = $"{tool} is not installed (set CI=true to make this a failure instead of a skip).";
        }
    }
}

internal static class LogFiles
{
    public static string[] JsonlFiles(string directory) =>
        Directory.GetFiles(directory, "*_performance.jsonl").OrderBy(f => f, StringComparer.Ordinal).ToArray();

    public static List<string> ReadLines(string directory) =>
        JsonlFiles(directory).SelectMany(File.ReadLines).ToList();

    public static List<JsonElement> ReadRecords(string directory) =>
        ReadLines(directory).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    public static string? FindPython() => FindOnPath("python3", "python3.exe");

    /// <summary>The full path of the first of <paramref name="names"/> found in a directory of <c>PATH</c>, or <see langword="null"/>.</summary>
    public static string? FindOnPath(params string[] names)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(System.IO.Path.PathSeparator))
        {
            foreach (var name in names)
            {
                if (dir.Length > 0 && File.Exists(System.IO.Path.Combine(dir, name)))
                {
                    return System.IO.Path.Combine(dir, name);
                }
            }
        }

        return null;
    }

    /// <summary>Runs a program to completion and returns (exit code, stdout, stderr).</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + fileName);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within {timeout}.");
        }

        return (process.ExitCode, await output, await error);
    }
}
