using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace RagMonitor.Logs.Tests;

/// <summary>A fresh directory under the temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ragmon-logs-" + Guid.NewGuid().ToString("N"));
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

/// <summary>The writer side the reader tests need: a monitor that writes JSONL logs, and the lines it wrote.</summary>
internal static class LogsTestSupport
{
    /// <summary>A monitor writing to <paramref name="directory"/> with the rules that would add bottlenecks at random turned off.</summary>
    internal static PerformanceMonitor NewMonitor(string directory, TimeProvider? clock = null, Action<PerformanceMonitorOptions>? configure = null)
    {
        var options = new PerformanceMonitorOptions { LogDirectory = directory, AdaptiveBottlenecks = false, SlowRequestThreshold = null };
        configure?.Invoke(options);
        return new PerformanceMonitor(options, null, clock);
    }

    /// <summary>Every line of the plain log files in <paramref name="directory"/>, files in name order.</summary>
    internal static List<string> ReadLines(string directory) =>
        Directory.GetFiles(directory, "*_performance.jsonl").OrderBy(f => f, StringComparer.Ordinal).SelectMany(File.ReadLines).ToList();
}

/// <summary>Random edits of a log line for the parsers' differential tests.</summary>
internal static class LineEdits
{
    /// <summary>
    /// Applies up to <paramref name="edits"/> random edits to <paramref name="bytes"/>: truncate (keeping at least
    /// <paramref name="keep"/> bytes), remove a byte, insert or overwrite one with a byte of <paramref name="noise"/>.
    /// Stops early when the line is down to <paramref name="keep"/> bytes.
    /// </summary>
    public static void Apply(List<byte> bytes, Random random, byte[] noise, int edits, int keep)
    {
        for (int e = 0; e < edits && bytes.Count > keep; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0:
                    bytes.RemoveRange(Math.Max(keep, at), bytes.Count - Math.Max(keep, at));
                    break;
                case 1:
                    bytes.RemoveAt(at);
                    break;
                case 2:
                    bytes.Insert(at, noise[random.Next(noise.Length)]);
                    break;
                default:
                    bytes[at] = noise[random.Next(noise.Length)];
                    break;
            }
        }
    }
}
