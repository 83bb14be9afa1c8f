using System;
using System.IO;
using System.Linq;

namespace RagMonitor.Cli.Tests.Infrastructure;

/// <summary>The outcome of one in-process <c>ragmon</c> run.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>Runs the tool in-process with captured output and a fixed clock.</summary>
public static class CliRun
{
    /// <summary>The fixed "now" of the tests: 2026-11-29 12:00 UTC (the generated logs end that day).</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public static CliResult Run(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        int exitCode = CliApp.Run(args, new CliEnvironment(output, error, new FixedTimeProvider(Now)));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Runs and asserts the exit code, showing all output on failure.</summary>
    public static CliResult Expect(int exitCode, params string[] args)
    {
        CliResult result = Run(args);
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode} for 'ragmon {string.Join(' ', args)}'\n{result}");
        return result;
    }

    public static string Single(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single();
}

/// <summary>A clock that always says <see cref="CliRun.Now"/>.</summary>
public sealed class FixedTimeProvider : TimeProvider
{
    private readonly DateTimeOffset _now;

    public FixedTimeProvider(DateTimeOffset now) => _now = now;

    public override DateTimeOffset GetUtcNow() => _now;
}

/// <summary>A temporary directory removed on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ragmon-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine(new[] { Path }.Concat(parts).ToArray());

    public string Sub(string name)
    {
        string dir = Combine(name);
        Directory.CreateDirectory(dir);
        return dir;
    }

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
