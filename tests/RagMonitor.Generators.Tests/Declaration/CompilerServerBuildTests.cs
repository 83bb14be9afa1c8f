using System;
using System.IO;
using System.Linq;

namespace RagMonitor.Generators.Tests.Declaration;

/// <summary>
/// Issue 14, "the generator never throws", the way a developer builds: with the compiler server (the SDK's default on a
/// developer machine), several builds in one server process. The generator once threw from the second build on (the
/// server's reference resolver cannot be compared), so every wrapper vanished and the build failed with CS8785/CS8795.
/// The test gives the server a pipe name of its own (<c>SharedCompilationId</c>), so it neither uses nor stops anyone
/// else's server, and shuts it down at the end.
/// </summary>
public sealed class CompilerServerBuildTests : IDisposable
{
    private const string Code = """
        using System.Threading.Tasks;
        using RagMonitor;

        namespace ServerBuild;

        public sealed partial class Pipeline
        {
            [Stage("retrieval")]
            public partial int Retrieve(string query);

            private int RetrieveCore(string query) => query.Length;

            [Stage("generation")]
            public partial Task<string> GenerateAsync(string prompt);

            private Task<string> GenerateAsyncCore(string prompt) => Task.FromResult(prompt);
        }

        public static class Program
        {
            public static int Main() => new Pipeline().Retrieve("query") == 5 ? 0 : 1;
        }
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "ragmon-server-build-" + Guid.NewGuid().ToString("N"));
    private readonly string _pipe = "ragmon-test-" + Guid.NewGuid().ToString("N");
    private string? _vbcscompiler;

    public CompilerServerBuildTests()
    {
        Directory.CreateDirectory(_root);
        RealBuildSupport.IsolateFromRepository(_root);
        File.WriteAllText(Path.Combine(_root, "ServerBuild.csproj"), RealBuildSupport.ProjectFile("Exe"));
        File.WriteAllText(Path.Combine(_root, "Code.cs"), Code);
    }

    [Fact]
    public void Three_builds_in_one_compiler_server_process_all_generate_every_wrapper()
    {
        var roslyn = Run("msbuild ServerBuild.csproj -nologo -getProperty:RoslynTargetsPath").Output.Trim().Split('\n').Last().Trim();
        _vbcscompiler = Path.Combine(roslyn, "bincore", "VBCSCompiler.dll");
        Assert.True(File.Exists(_vbcscompiler), "no compiler server at " + _vbcscompiler);

        for (var build = 1; build <= 3; build++)
        {
            // --no-incremental: the compiler runs every time. The global properties win over the environment's
            // UseSharedCompilation (this machine and many CI systems set it to false).
            var (exitCode, output) = Run(
                $"build ServerBuild.csproj --no-incremental -nologo -v:n -nodeReuse:false -p:UseSharedCompilation=true -p:SharedCompilationId={_pipe}"
                + (build > 1 ? " --no-restore" : string.Empty));
            var errors = output.Split('\n').Where(static l => l.Contains(": error ", StringComparison.Ordinal)).Distinct().ToList();
            Assert.True(exitCode == 0 && errors.Count == 0, $"build {build} failed:\n{string.Join("\n", errors)}\n{Tail(output)}");
            Assert.DoesNotContain("CS8785", output, StringComparison.Ordinal);
            Assert.True(output.Contains("server processed compilation", StringComparison.Ordinal), $"build {build} did not use the compiler server:\n{Tail(output)}");
        }

        var run = Run($"exec {Path.Combine(_root, "bin", "Debug", "net10.0", "ServerBuild.dll")}");
        Assert.Equal(0, run.ExitCode);
    }

    public void Dispose()
    {
        if (_vbcscompiler is not null)
        {
            // Stop this test's own server (graceful: it finishes what it is doing and takes nothing new).
            Run($"exec {_vbcscompiler} -shutdown -pipename:{_pipe}");
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // The server may still hold a file: the temporary directory is left behind.
        }
    }

    private static string Tail(string output) => output.Length <= 4000 ? output : output[^4000..];

    private (int ExitCode, string Output) Run(string arguments) => RealBuildSupport.RunDotnet(_root, arguments, TimeSpan.FromMinutes(5));
}
