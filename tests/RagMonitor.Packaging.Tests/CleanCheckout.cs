using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace RagMonitor.Packaging.Tests;

/// <summary>What the packaging tests share: a clean copy of the sources (as a fresh clone has them) and running <c>dotnet</c>.</summary>
internal static class CleanCheckout
{
    /// <summary>
    /// Generous: on a fresh machine (an empty NuGet package folder, as .ci/run makes it) the first pack downloads about
    /// 1.4 GB of runtime packs and compilers, and CI runs the other test projects on the same two cores meanwhile (a
    /// 6-minute limit timed out there).
    /// </summary>
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromMinutes(25);

    /// <summary>The repository this test project was built from.</summary>
    internal static string RepositoryRoot([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    /// <summary>The <c>dotnet</c> that runs the tests (so that the SDK is the same), else the one on the PATH.</summary>
    internal static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>
    /// Copies the root build files, the docs pages (<c>docs/*.md</c>: companion packages such as RagMonitor.Logs pack one
    /// as their README) and the given projects of <c>src/</c> (without bin and obj) into <paramref name="target"/>.
    /// </summary>
    internal static void CopySources(string target, params string[] projects)
    {
        var repo = RepositoryRoot();
        foreach (var name in new[] { "Directory.Build.props", "Directory.Packages.props", "nuget.config", "README.md" })
        {
            File.Copy(Path.Combine(repo, name), Path.Combine(target, name));
        }

        Directory.CreateDirectory(Path.Combine(target, "docs"));
        foreach (var page in Directory.EnumerateFiles(Path.Combine(repo, "docs"), "*.md"))
        {
            File.Copy(page, Path.Combine(target, "docs", Path.GetFileName(page)));
        }

        Directory.CreateDirectory(Path.Combine(target, "src"));
        File.Copy(Path.Combine(repo, "src", "Directory.Build.props"), Path.Combine(target, "src", "Directory.Build.props"));
        foreach (var name in projects)
        {
            CopyProject(Path.Combine(repo, "src", name), Path.Combine(target, "src", name));
        }
    }

    /// <summary>Runs <c>dotnet</c> with the arguments; fails the test with the command's output when it exits non-zero.</summary>
    internal static async Task<string> Run(ITestOutputHelper log, string workingDirectory, IDictionary<string, string>? environment, params string[] arguments)
        => await RunProgram(log, Dotnet, workingDirectory, environment, arguments);

    /// <summary>Runs a program with the arguments; fails the test with its output when it exits non-zero.</summary>
    internal static async Task<string> RunProgram(ITestOutputHelper log, string program, string workingDirectory, IDictionary<string, string>? environment, params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(program, arguments, workingDirectory, environment, s_commandTimeout);
        var name = Path.GetFileName(program);
        log.WriteLine($"$ {name} {string.Join(' ', arguments)}  (exit {result.ExitCode})");
        Assert.True(result.ExitCode == 0, $"{name} {string.Join(' ', arguments)} failed with exit code {result.ExitCode}:\n{result.Output}");
        return result.Output;
    }

    private static void CopyProject(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            var first = relative.Split(Path.DirectorySeparatorChar)[0];
            if (first is "bin" or "obj")
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

/// <summary>A packaging test: its own temporary folder (removed afterwards) and the test's output.</summary>
public abstract class PackagingTest : IDisposable
{
    protected PackagingTest(ITestOutputHelper output, string prefix)
    {
        Output = output;
        Root = Directory.CreateTempSubdirectory(prefix);
    }

    /// <summary>Receives the commands run and their exit codes.</summary>
    protected ITestOutputHelper Output { get; }

    /// <summary>The test's temporary folder.</summary>
    protected DirectoryInfo Root { get; }

    public void Dispose()
    {
        try
        {
            Root.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A build server may still hold a file; the temp folder is left behind.
        }

        GC.SuppressFinalize(this);
    }
}
