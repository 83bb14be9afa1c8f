using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RagMonitor.Tests.Persistence;

namespace RagMonitor.Tests.Reliability;

/// <summary>A logger that keeps what it is given (optionally throwing after keeping it).</summary>
internal sealed class RecordingLogger : ILogger
{
    public RecordingLogger(bool throws = false) => Throws = throws;

    public bool Throws { get; }

    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message, Exception? Exception)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Entries.Enqueue((logLevel, eventId, formatter(state, exception), exception));
        if (Throws)
        {
            throw new InvalidOperationException("the logger fails");
        }
    }

    public int Count(string eventName) => Entries.Count(e => e.Id.Name == eventName);
}

/// <summary>A value whose text conversions throw.</summary>
internal sealed class ThrowingValue : IFormattable
{
    public override string ToString() => throw new InvalidOperationException("ToString fails");

    public string ToString(string? format, IFormatProvider? formatProvider) => throw new InvalidOperationException("IFormattable.ToString fails");
}

/// <summary>A dictionary whose enumeration throws after the first entry.</summary>
internal sealed class ThrowingDictionary : IReadOnlyDictionary<string, object?>
{
    public object? this[string key] => throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => this.Select(p => p.Key);

    public IEnumerable<object?> Values => this.Select(p => p.Value);

    public int Count => 2;

    public bool ContainsKey(string key) => key == "first";

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return new KeyValuePair<string, object?>("first", 1);
        throw new InvalidOperationException("enumeration fails");
    }

    public bool TryGetValue(string key, out object? value)
    {
        value = key == "first" ? 1 : null;
        return key == "first";
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

internal static class JsonChecks
{
    /// <summary>Parses <paramref name="line"/> with System.Text.Json and checks that no object in it repeats a key.</summary>
    public static JsonElement ParseWithUniqueKeys(string line)
    {
        using var document = JsonDocument.Parse(line);
        AssertUniqueKeys(document.RootElement, "$");
        return document.RootElement.Clone();
    }

    private static void AssertUniqueKeys(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    Assert.True(seen.Add(property.Name), $"duplicate key '{property.Name}' at {path}");
                    AssertUniqueKeys(property.Value, path + "." + property.Name);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    AssertUniqueKeys(item, $"{path}[{i++}]");
                }

                break;
        }
    }
}

/// <summary>
/// A fact that needs root (mount, for example): skipped with a reason when the tests do not run as root, except when the
/// environment variable <c>CI</c> is <c>true</c> (then it runs and fails, so CI never silently skips it).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    private const string NotRoot = "needs root (mount -t tmpfs); not root and CI is not \"true\" (set CI=true to make this a failure instead of a skip).";

    public RootFactAttribute()
    {
        if (!TestEnvironment.IsCi && (!OperatingSystem.IsLinux() || Environment.UserName != "root"))
        {
            Skip = NotRoot;
        }
    }
}

/// <summary>
/// A fact for POSIX file-system behaviour (symbolic links, FIFOs, kill -9): skipped on Windows, where these attacks and
/// signals do not exist in that form.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class UnixFactAttribute : FactAttribute
{
    private const string WindowsSkipReason = "POSIX links, FIFOs and signals: Linux and macOS only.";

    public UnixFactAttribute()
    {
        // Skipped on Windows only: these attacks and signals do not exist there in that form.
        Skip = OperatingSystem.IsWindows() ? WindowsSkipReason : null;
    }
}

internal static class ChildProcess
{
    public static string WriterPath
    {
        get
        {
            var writer = Path.Combine(AppContext.BaseDirectory, "RagMonitor.Tests.LogWriter.dll");
            Assert.True(File.Exists(writer), "the LogWriter project is built with the tests: " + writer);
            return writer;
        }
    }

    public static string Dotnet
    {
        get
        {
            var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            return string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet) ? "dotnet" : dotnet;
        }
    }

    public static List<string> Lines(string directory) => LogFiles.ReadLines(directory);
}
