using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace RagMonitor.Packaging.Tests;

/// <summary>
/// Packs the <c>ragmon</c> tool from a clean copy of its sources with the README's command, installs it from the
/// folder with <c>dotnet tool install</c> as the README says, and runs it.
/// </summary>
public sealed class ToolPackageTests : PackagingTest
{
    /// <summary>The platforms with a ReadyToRun package of their own (the csproj's ToolPackageRuntimeIdentifiers without 'any').</summary>
    private static readonly string[] s_platforms = { "linux-x64", "linux-arm64", "osx-x64", "osx-arm64", "win-x64" };

    public ToolPackageTests(ITestOutputHelper output)
        : base(output, "ragmonitor-tool-")
    {
    }

    [Fact]
    public async Task The_tool_installs_from_a_local_pack_and_runs_precompiled_on_this_platform()
    {
        var source = Directory.CreateDirectory(Path.Combine(Root.FullName, "source")).FullName;
        CleanCheckout.CopySources(source, "RagMonitor", "RagMonitor.Cli");
        var version = "0.1.0-tooltest." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        var feed = Directory.CreateDirectory(Path.Combine(Root.FullName, "artifacts")).FullName;
        await CleanCheckout.Run(Output, source, null, "pack", Path.Combine("src", "RagMonitor.Cli"), "-c", "Release", "-o", feed, "-p:Version=" + version);

        // One small pointer package, one package per platform, the portable fallback.
        var pointer = Path.Combine(feed, $"RagMonitor.Cli.{version}.nupkg");
        Assert.True(File.Exists(pointer), "no pointer package; the feed has: " + string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName)));
        foreach (var rid in s_platforms.Append("any"))
        {
            var package = Path.Combine(feed, $"RagMonitor.Cli.{rid}.{version}.nupkg");
            Assert.True(File.Exists(package), $"no {rid} package");
            using var zip = ZipFile.OpenRead(package);
            Assert.Contains(zip.Entries, e => e.FullName.EndsWith("/ragmon.dll", StringComparison.Ordinal));
            if (rid == "linux-x64")
            {
                // Only this platform's native libraries: no Windows or macOS SkiaSharp binaries.
                Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith(".dylib", StringComparison.Ordinal) || e.FullName.EndsWith(".dll", StringComparison.Ordinal) && e.FullName.Contains("libSkiaSharp", StringComparison.Ordinal));
            }
        }

        // Install it the README's way, with a package folder of its own so that nothing comes from an earlier run.
        var tools = Path.Combine(Root.FullName, "tools");
        var isolated = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(Root.FullName, "packages") };
        await CleanCheckout.Run(Output, Root.FullName, isolated, "tool", "install", "--tool-path", tools, "--add-source", feed, "RagMonitor.Cli", "--version", version);
        var ragmon = Path.Combine(tools, OperatingSystem.IsWindows() ? "ragmon.exe" : "ragmon");
        var versionOutput = await CleanCheckout.RunProgram(Output, ragmon, Root.FullName, null, "--version");
        Assert.StartsWith(version, versionOutput.Trim(), StringComparison.Ordinal);

        // On a platform with a package of its own, that package was installed: precompiled, tiering off.
        var installed = Directory.GetFiles(Path.Combine(tools, ".store"), "ragmon.dll", SearchOption.AllDirectories);
        var dll = Assert.Single(installed);
        if (s_platforms.Contains(RuntimeInformation.RuntimeIdentifier))
        {
            Assert.Contains($"ragmonitor.cli.{RuntimeInformation.RuntimeIdentifier}", dll, StringComparison.Ordinal);
            using (var pe = new PEReader(File.OpenRead(dll)))
            {
                Assert.True(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, "ragmon.dll is not ReadyToRun-compiled");
            }

            using var config = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(dll, ".runtimeconfig.json")));
            Assert.False(config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").GetProperty("System.Runtime.TieredCompilation").GetBoolean());
        }

        // It reads logs: a generated day, summarised as CSV.
        var logs = Path.Combine(Root.FullName, "logs");
        await CleanCheckout.RunProgram(Output, ragmon, Root.FullName, null, "generate", "--out", logs, "--requests", "200", "--days", "1", "--end", "2026-11-29", "--seed", "7");
        var csv = await CleanCheckout.RunProgram(Output, ragmon, Root.FullName, null, "summary", "--log-dir", logs, "--format", "csv");
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.Split(',')).ToList();
        Assert.Equal("request", rows[0][0]);
        Assert.Equal(200, rows.Where(r => r.Length > 2 && r[1] == "total").Sum(r => int.Parse(r[2], CultureInfo.InvariantCulture)));
        Assert.Contains(rows, r => r.Length > 1 && r[1] == "retrieval");
    }
}
