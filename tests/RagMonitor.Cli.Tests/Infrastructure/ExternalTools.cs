using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace RagMonitor.Cli.Tests.Infrastructure;

/// <summary>Finds and runs external programs (promtool, chromium) for the tests that need them.</summary>
public static class ExternalTools
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.Ordinal);

    public static string? Find(params string[] names)
    {
        string[] paths = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (string name in names)
        {
            foreach (string dir in paths)
            {
                string candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>The tool's path; fails the test (never skips) when it is missing — the attributes decide about skipping.</summary>
    public static string Require(params string[] names)
        => Find(names) ?? throw new InvalidOperationException($"'{names[0]}' is not installed (CI={Environment.GetEnvironmentVariable("CI")}): install it (Debian: apt-get install -y {(names[0] == "promtool" ? "prometheus" : names[0])})");

    public sealed record ProcessResult(int ExitCode, string Output, string Error);

    public static ProcessResult Run(string file, string[] arguments, string? standardInput = null, int timeoutSeconds = 120)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }

        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish in {timeoutSeconds} s");
        }

        return new ProcessResult(process.ExitCode, output.Result, error.Result);
    }
}

/// <summary>
/// A fact that needs an external program: skipped with a clear reason when the program is missing, except when the
/// environment variable CI is "true" — then it runs and fails, so CI cannot silently skip it.
/// </summary>
public abstract class ExternalToolFactAttribute : FactAttribute
{
    protected ExternalToolFactAttribute(string package, params string[] names)
    {
        if (!ExternalTools.IsCi && ExternalTools.Find(names) is null)
        {
            Skip = $"'{names[0]}' is not installed (Debian package '{package}'); this test fails instead of skipping when CI=true";
        }
    }
}

/// <summary>Needs <c>promtool</c> (Debian package prometheus).</summary>
public sealed class PromtoolFactAttribute : ExternalToolFactAttribute
{
    public PromtoolFactAttribute()
        : base("prometheus", "promtool")
    {
    }
}

/// <summary>Needs headless Chromium (Debian package chromium).</summary>
public sealed class ChromiumFactAttribute : ExternalToolFactAttribute
{
    public ChromiumFactAttribute()
        : base("chromium", "chromium", "chromium-browser", "google-chrome")
    {
    }
}

/// <summary>Headless Chromium helpers.</summary>
public static class Chromium
{
    public static string[] Arguments(string userDataDir, params string[] extra)
        => new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--user-data-dir=" + userDataDir, "--enable-logging=stderr", "--v=0",
        }.Concat(extra).ToArray();

    /// <summary>Loads a file and returns its DOM and every console message Chromium logged.</summary>
    public static (string Dom, string[] ConsoleMessages, string Stderr) DumpDom(string htmlPath, string userDataDir)
    {
        string chromium = ExternalTools.Require("chromium", "chromium-browser", "google-chrome");
        ExternalTools.ProcessResult result = ExternalTools.Run(chromium, Arguments(userDataDir, "--dump-dom", new Uri(htmlPath).AbsoluteUri));
        Assert.True(result.ExitCode == 0, $"chromium exited {result.ExitCode}: {result.Error}");
        string[] console = result.Error.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToArray();
        return (result.Output, console, result.Error);
    }

    public static void Screenshot(string htmlPath, string pngPath, string userDataDir, int width, int height)
    {
        string chromium = ExternalTools.Require("chromium", "chromium-browser", "google-chrome");
        ExternalTools.ProcessResult result = ExternalTools.Run(chromium, Arguments(userDataDir, "--hide-scrollbars", $"--window-size={width},{height}", "--screenshot=" + pngPath, new Uri(htmlPath).AbsoluteUri));
        Assert.True(result.ExitCode == 0 && File.Exists(pngPath), $"chromium screenshot failed ({result.ExitCode}): {result.Error}");
    }
}
