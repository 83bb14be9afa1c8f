using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using RagMonitor.Generators.Emitting;

namespace RagMonitor.Generators.Tests.Generation;

/// <summary>
/// Compares generated files with the expected files committed in <c>Snapshots/</c> (line endings normalised).
/// Set <c>RAGMONITOR_UPDATE_SNAPSHOTS=1</c> to rewrite them after an intended change, then review the diff.
/// The generator's own version in <c>[GeneratedCode]</c> is replaced by <c>{version}</c> so that a version bump
/// does not touch every snapshot.
/// </summary>
internal static class Snapshot
{
    public const string UpdateVariable = "RAGMONITOR_UPDATE_SNAPSHOTS";

    public static void Verify(string caseName, GeneratorResult result, [CallerFilePath] string callerPath = "")
    {
        var directory = FindDirectory(callerPath);
        var update = Environment.GetEnvironmentVariable(UpdateVariable) == "1";
        var prefix = caseName + ".";
        Assert.NotEmpty(result.Sources);

        if (update)
        {
            Directory.CreateDirectory(directory);
            foreach (var stale in Directory.GetFiles(directory, prefix + "*"))
            {
                File.Delete(stale);
            }
        }

        foreach (var (hintName, text) in result.Sources)
        {
            var path = Path.Combine(directory, prefix + hintName);
            var actual = Normalize(text);
            if (update)
            {
                File.WriteAllText(path, actual);
                continue;
            }

            Assert.True(File.Exists(path), $"Missing snapshot {path}; run the tests with {UpdateVariable}=1 to create it.");
            var expected = Normalize(File.ReadAllText(path));
            if (expected != actual)
            {
                Assert.Fail($"Generated {hintName} differs from {path} (set {UpdateVariable}=1 to accept the change):{Environment.NewLine}--- expected{Environment.NewLine}{expected}{Environment.NewLine}--- actual{Environment.NewLine}{actual}");
            }
        }

        var expectedFiles = Directory.Exists(directory)
            ? Directory.GetFiles(directory, prefix + "*").Select(Path.GetFileName).Select(n => n!.Substring(prefix.Length)).OrderBy(n => n, StringComparer.Ordinal)
            : Enumerable.Empty<string>();
        Assert.Equal(expectedFiles, result.Sources.Select(static s => s.HintName).OrderBy(n => n, StringComparer.Ordinal));
    }

    /// <summary>
    /// <c>Snapshots/</c> beside this project: found from the caller's source path, or (when a path map hides it,
    /// as in CI builds with ContinuousIntegrationBuild) by walking up from the test binaries.
    /// </summary>
    private static string FindDirectory(string callerPath)
    {
        var projectDirectory = Path.GetDirectoryName(Path.GetDirectoryName(callerPath));
        if (projectDirectory is not null && Directory.Exists(Path.Combine(projectDirectory, "Snapshots")))
        {
            return Path.Combine(projectDirectory, "Snapshots");
        }

        for (var current = new DirectoryInfo(AppContext.BaseDirectory); current is not null; current = current.Parent)
        {
            var candidate = Path.Combine(current.FullName, "tests", "RagMonitor.Generators.Tests", "Snapshots");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }

            if (current.Name == "RagMonitor.Generators.Tests" && Directory.Exists(Path.Combine(current.FullName, "Snapshots")))
            {
                return Path.Combine(current.FullName, "Snapshots");
            }
        }

        throw new DirectoryNotFoundException("Cannot find tests/RagMonitor.Generators.Tests/Snapshots from " + callerPath + " or " + AppContext.BaseDirectory);
    }

    private static string Normalize(string text) =>
        text.Replace("\r\n", "\n").Replace($"\"RagMonitor.Generators\", \"{WrapperEmitter.Version}\"", "\"RagMonitor.Generators\", \"{version}\"");
}
