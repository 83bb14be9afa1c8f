using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace RagMonitor.Generators.Tests.Declaration;

/// <summary>
/// Issue 14, as a user sees it: a real <c>dotnet build</c> of small projects with one mistake each, with RagMonitor
/// and its generator loaded the way the package gives them to the compiler (<c>/reference:RagMonitor.dll</c>,
/// <c>/analyzer:RagMonitor.Generators.dll</c>, the assemblies this test project was built with). All projects
/// build in one parallel MSBuild run; each assertion reads the lines of its own project.
/// </summary>
public sealed class CommandLineBuildTests : IClassFixture<CommandLineBuildTests.Build>
{
    private const string Usings = "using System;\nusing System.Collections.Generic;\nusing System.Threading.Tasks;\nusing RagMonitor;\n\n";

    private static readonly Dictionary<string, string> s_projects = new()
    {
        ["MissingCore"] = """
            public sealed partial class Pipeline
            {
                [Stage("generation")]
                public partial Task<string> GenerateAsync(string prompt);
            }
            """,
        ["NotPartial"] = """
            public sealed partial class Pipeline
            {
                [Stage("retrieval")]
                public int Retrieve(string query) => query.Length;
            }
            """,
        ["BothAttributes"] = """
            public sealed partial class Pipeline
            {
                [Stage("answer"), MonitoredRequest("ask")]
                public partial int Ask(string question);

                private int AskCore(string question) => 1;
            }
            """,
        ["EmptyName"] = """
            public sealed partial class Pipeline
            {
                [Stage("  ")]
                public partial int Grade(int score);

                private int GradeCore(int score) => score;
            }
            """,
        ["NonConstantName"] = """
            public static class StageNames
            {
                public static readonly string Retrieval = "retrieval";
            }

            public sealed partial class Pipeline
            {
                [Stage(StageNames.Retrieval)]
                public partial int Retrieve(string query);

                private int RetrieveCore(string query) => 1;
            }
            """,
        ["TwoMonitors"] = """
            public sealed partial class Pipeline
            {
                private readonly PerformanceMonitor _monitor = PerformanceMonitor.Default;
                private readonly PerformanceMonitor _audit = PerformanceMonitor.Default;

                [Stage("retrieval")]
                public partial int Retrieve(string query);

                private int RetrieveCore(string query) => _audit == _monitor ? 1 : 0;
            }
            """,
        ["LazySequence"] = """
            public sealed partial class Pipeline
            {
                [Stage("tokens")]
                public partial IEnumerable<string> Tokens(string text);

                private IEnumerable<string> TokensCore(string text)
                {
                    yield return text;
                }
            }
            """,
        ["WithOtherErrors"] = """
            public sealed partial class Pipeline
            {
                [Stage("generation")]
                public partial Task<string> GenerateAsync(string prompt);

                [Stage("retrieval")]
                public partial int Retrieve(string query);

                private int RetrieveCore(string query) => query.Length + undefinedVariable;

                [Stage("retreival")]
                public partial int RetrieveAgain(string query);

                private int RetrieveAgainCore(string query) => 2;

                [Stage("retrieval")]
                public partial int RetrieveOnceMore(string query);

                private int RetrieveOnceMoreCore(string query) => 3;
            }
            """,
        ["CaseOnlyTypeNames"] = GeneratorDiagnosticsTests.CaseOnlyTypeNames,
    };

    private readonly Build _build;

    public CommandLineBuildTests(Build build)
    {
        _build = build;
    }

    [Theory]
    [InlineData("MissingCore", "RMON003", "'Pipeline.GenerateAsync' needs a method 'GenerateAsyncCore'")]
    [InlineData("NotPartial", "RMON001", "'Pipeline.Retrieve' must be partial")]
    [InlineData("BothAttributes", "RMON007", "has both [Stage] and [MonitoredRequest]")]
    [InlineData("EmptyName", "RMON006", "must not be empty or white space")]
    [InlineData("NonConstantName", "RMON005", "must be a compile-time constant string")]
    [InlineData("TwoMonitors", "RMON008", "more than one field or property of type PerformanceMonitor (_monitor, _audit)")]
    [InlineData("LazySequence", "RMON004", "lazy sequence 'IEnumerable<string>'")]
    public void Each_mistake_shows_its_RMON_error_with_its_help_link_and_no_CS8795(string project, string id, string message)
    {
        var errors = _build.Errors(project);

        var error = Assert.Single(errors, e => e.Contains($"error {id}:", StringComparison.Ordinal));
        Assert.True(errors.Count == 1 || id == "RMON005", string.Join("\n", errors));
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains($"/docs/diagnostics/{id}.md", error, StringComparison.Ordinal);
        Assert.DoesNotContain(errors, static e => e.Contains("CS8795", StringComparison.Ordinal) || e.Contains("CS0751", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, static e => e.Contains("CS8785", StringComparison.Ordinal));
    }

    [Fact]
    public void A_compilation_with_other_errors_still_shows_the_RMON_errors_and_the_naming_warnings()
    {
        var errors = _build.Errors("WithOtherErrors");

        // The method body's CS0103 comes once RagMonitor's errors are fixed: the compiler stops after the
        // generator's errors, before it binds method bodies (and it runs no analyzer on a compilation with errors).
        Assert.Single(errors, static e => e.Contains("error RMON003", StringComparison.Ordinal));
        // Warnings as errors in this project: RMON010 is reported as an error, once.
        Assert.Single(errors, static e => e.Contains("RMON010", StringComparison.Ordinal) && e.Contains("'retreival'", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, static e => e.Contains("CS8795", StringComparison.Ordinal));
    }

    [Fact]
    public void Types_whose_names_differ_only_in_case_build_with_every_wrapper()
    {
        Assert.True(_build.Errors("CaseOnlyTypeNames").Count == 0, string.Join("\n", _build.Errors("CaseOnlyTypeNames")));
        Assert.True(File.Exists(_build.OutputAssembly("CaseOnlyTypeNames")), _build.Log);
    }

    /// <summary>Writes the projects and builds them all once.</summary>
    public sealed class Build : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "ragmon-build-" + Guid.NewGuid().ToString("N"));

        public Build()
        {
            Directory.CreateDirectory(_root);
            RealBuildSupport.IsolateFromRepository(_root);
            foreach (var (name, source) in s_projects)
            {
                var directory = Path.Combine(_root, name);
                Directory.CreateDirectory(directory);
                File.WriteAllText(Path.Combine(directory, name + ".csproj"), RealBuildSupport.ProjectFile());
                var namespaced = source.StartsWith("namespace", StringComparison.Ordinal) ? source : "namespace Mistakes;\n\n" + source;
                File.WriteAllText(Path.Combine(directory, "Code.cs"), Usings + namespaced);
            }

            var projects = string.Join("\n", s_projects.Keys.Select(n => $"    <ProjectToBuild Include=\"{n}/{n}.csproj\" />"));
            File.WriteAllText(Path.Combine(_root, "all.proj"), $"""
                <Project>
                  <ItemGroup>
                {projects}
                  </ItemGroup>
                  <Target Name="Build">
                    <MSBuild Projects="@(ProjectToBuild)" Targets="Restore" Properties="_Restore=1" BuildInParallel="true" ContinueOnError="true" />
                    <MSBuild Projects="@(ProjectToBuild)" Targets="Build" BuildInParallel="true" ContinueOnError="true" />
                  </Target>
                </Project>
                """);

            Log = RealBuildSupport.RunDotnet(_root, "build all.proj -m -nologo -clp:NoSummary -v:q -nodeReuse:false", TimeSpan.FromMinutes(10)).Output;
        }

        public string Log { get; }

        /// <summary>The distinct error lines of one project (MSBuild may print an error twice).</summary>
        public IReadOnlyList<string> Errors(string project) => Log
            .Split('\n')
            .Select(static l => l.Trim())
            .Where(l => l.Contains(": error ", StringComparison.Ordinal) && l.Contains($"{project}.csproj]", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        public string OutputAssembly(string project) => Path.Combine(_root, project, "bin", "Debug", "net10.0", project + ".dll");

        public void Dispose()
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // A build server may still hold a file; the temporary directory is left behind.
            }
        }
    }
}
