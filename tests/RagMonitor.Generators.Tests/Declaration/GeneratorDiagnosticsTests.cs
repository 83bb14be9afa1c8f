using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using RagMonitor.Generators.Tests.Generation;

namespace RagMonitor.Generators.Tests.Declaration;

/// <summary>
/// Issue 14: what the generator reports from its own pipeline (so that command-line builds with other errors show
/// it), what it rejects instead of emitting code that does not compile, and that one type never removes another's
/// wrappers.
/// </summary>
public sealed class GeneratorDiagnosticsTests
{
    /// <summary>Two types whose full names differ only in case, and an unrelated type beside them (also built by <see cref="CommandLineBuildTests"/>).</summary>
    internal const string CaseOnlyTypeNames = """
        namespace Diag.Rag
        {
            public sealed partial class Pipeline
            {
                [Stage("lower")]
                public partial int Run();

                private int RunCore() => 1;
            }
        }

        namespace Diag.RAG
        {
            public sealed partial class Pipeline
            {
                [Stage("upper")]
                public partial int Run();

                private int RunCore() => 2;
            }

            public sealed partial class Unrelated
            {
                [Stage("unrelated")]
                public partial int Run();

                private int RunCore() => 3;
            }
        }
        """;

    [Fact]
    public void Type_names_that_differ_only_in_case_get_distinct_file_names_and_both_are_wrapped()
    {
        var result = GeneratorHarness.Run(
            ShapeCases.Usings + CaseOnlyTypeNames).AssertClean();

        var names = result.Sources.Select(static s => s.HintName).ToList();
        Assert.Equal(new[] { "Diag.RAG.Pipeline.g.cs", "Diag.RAG.Unrelated.g.cs", "Diag.Rag.Pipeline.2.g.cs" }, names.OrderBy(static n => n, StringComparer.Ordinal));
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Theory]
    [InlineData("local function", """
        public sealed partial class Host
        {
            public int Outer()
            {
                return Inner();

                [Stage("inner")]
                int Inner() => 1;
            }
        }
        """)]
    [InlineData("property accessor", """
        public sealed partial class Host
        {
            public int Value
            {
                [Stage("value")]
                get => 1;
            }
        }
        """)]
    [InlineData("constructor", """
        public sealed partial class Host
        {
            [Stage("create")]
            public Host() { }
        }
        """)]
    public void Attributes_on_targets_that_cannot_be_wrapped_say_what_to_do(string target, string declaration)
    {
        var result = GeneratorHarness.Run(ShapeCases.Usings + "namespace Demo;\n\n" + declaration);

        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("RMON004", diagnostic.Id);
        var message = diagnostic.GetMessage();
        Assert.Contains("[Stage] is on " + (target == "constructor" ? "a constructor" : target == "local function" ? "a local function" : "a property accessor"), message, StringComparison.Ordinal);
        Assert.Contains("put the work in a partial method", message, StringComparison.Ordinal);
        Assert.Contains("BeginStage", message, StringComparison.Ordinal);
        Assert.Empty(result.Sources);
    }

    [Theory]
    [InlineData("result", "public partial Task<string> FindAsync(string key);", "private Task<string?> FindAsyncCore(string key) => Task.FromResult<string?>(key);", "'FindAsync' returns 'Task<string>' but 'FindAsyncCore' returns 'Task<string?>'")]
    [InlineData("parameter", "public partial int Count(string? text);", "private int CountCore(string text) => text.Length;", "parameter 'text' is 'string?' on 'Count' but 'string' on 'CountCore'")]
    [InlineData("out parameter", "public partial void Read(out string value);", "private void ReadCore(out string? value) => value = null;", "parameter 'value' is 'string' on 'Read' but 'string?' on 'ReadCore'")]
    [InlineData("type argument", "public partial List<string?> Split(string text);", "private List<string> SplitCore(string text) => new();", "'Split' returns 'List<string?>' but 'SplitCore' returns 'List<string>'")]
    public void Nullability_the_wrapper_cannot_pass_on_safely_is_rejected_with_its_own_message(string what, string declaration, string core, string expected)
    {
        _ = what;
        var result = GeneratorHarness.Run(ShapeCases.Usings + $$"""
            namespace Demo;

            public sealed partial class Strict
            {
                [Stage("strict")]
                {{declaration}}

                {{core}}
            }
            """);

        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("RMON004", diagnostic.Id);
        Assert.Contains(expected, diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("make their nullability agree", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.DoesNotContain(GeneratorHarness.Problems(result.Compilation), static d => d.Id is "CS8795" or "CS8619" or "CS8604" or "CS8603" or "CS8601");
    }

    [Fact]
    public void A_primary_constructor_monitor_hidden_by_a_same_named_member_is_rejected()
    {
        var result = GeneratorHarness.Run(ShapeCases.Usings + """
            namespace Demo;

            public sealed partial class Shadowed(PerformanceMonitor monitor)
            {
                public void monitor() { }

                [Stage("shadowed")]
                public partial int Run();

                private int RunCore() => 1;
            }
            """);

        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("RMON004", diagnostic.Id);
        Assert.Contains("hidden by a member of the same name", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.DoesNotContain(GeneratorHarness.Problems(result.Compilation), static d => d.Id is "CS0119" or "CS8795");
    }

    [Fact]
    public void An_explicit_interface_monitor_is_not_a_second_monitor()
    {
        var result = GeneratorHarness.Run(ShapeCases.Usings + """
            namespace Demo;

            public interface IMonitored
            {
                PerformanceMonitor Monitor { get; }
            }

            public sealed partial class Audited : IMonitored
            {
                private readonly PerformanceMonitor _monitor = PerformanceMonitor.Default;

                PerformanceMonitor IMonitored.Monitor => _monitor;

                [Stage("audit")]
                public partial int Check();

                private int CheckCore() => 1;
            }

            public sealed partial class OnlyInterface : IMonitored
            {
                PerformanceMonitor IMonitored.Monitor => PerformanceMonitor.Default;

                [Stage("only_interface")]
                public partial int Check();

                private int CheckCore() => 1;
            }
            """).AssertClean();

        Assert.Contains("this._monitor.BeginStage(\"audit\")", string.Join("\n", result.Sources.Select(static s => s.Text)), StringComparison.Ordinal);
        Assert.Contains("global::RagMonitor.PerformanceMonitor.Default.BeginStage(\"only_interface\")", string.Join("\n", result.Sources.Select(static s => s.Text)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public partial IEnumerable<int> Numbers();", "private IEnumerable<int> NumbersCore() { yield return 1; }", "lazy sequence 'IEnumerable<int>'")]
    [InlineData("public partial IEnumerator<int> Walk();", "private IEnumerator<int> WalkCore() { yield return 1; }", "lazy sequence 'IEnumerator<int>'")]
    [InlineData("public partial System.Collections.IEnumerable Old();", "private System.Collections.IEnumerable OldCore() { yield return 1; }", "lazy sequence 'IEnumerable'")]
    [InlineData("public partial int Sum([StageMetadata] IEnumerable<int> values);", "private int SumCore(IEnumerable<int> values) => 0;", "would record only the type name of the sequence 'IEnumerable<int>'")]
    public void Lazy_sequences_are_rejected_rather_than_timed_wrongly_or_recorded_as_a_type_name(string declaration, string core, string expected)
    {
        var result = GeneratorHarness.Run(ShapeCases.Usings + $$"""
            namespace Demo;

            public sealed partial class Lazy
            {
                [Stage("lazy")]
                {{declaration}}

                {{core}}
            }
            """);

        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("RMON004", diagnostic.Id);
        Assert.Contains(expected, diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.DoesNotContain(GeneratorHarness.Problems(result.Compilation), static d => d.Id == "CS8795");
    }

    [Fact]
    public void A_method_with_both_attributes_is_reported_once()
    {
        var result = GeneratorHarness.Run(ShapeCases.Usings + """
            namespace Demo;

            public sealed partial class Twice
            {
                [Stage("both")]
                [MonitoredRequest("both")]
                public partial void Both();

                private void BothCore() { }
            }
            """);

        Assert.Equal("RMON007", Assert.Single(result.GeneratorDiagnostics).Id);
        Assert.Empty(GeneratorHarness.Problems(result.Compilation).Where(static d => d.Id.StartsWith("CS", StringComparison.Ordinal)));
    }

    [Fact]
    public void Declaration_errors_cannot_be_configured_away()
    {
        var result = GeneratorHarness.Run(ShapeCases.Usings + """
            namespace Demo;

            public sealed partial class Missing
            {
                [Stage("missing")]
                public partial int Run();
            }
            """);

        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("RMON003", diagnostic.Id);
        Assert.Contains(WellKnownDiagnosticTags.NotConfigurable, diagnostic.Descriptor.CustomTags);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
    }

    [Fact]
    public void With_declaration_errors_the_generator_reports_the_naming_warnings_once_and_the_analyzer_stays_silent()
    {
        const string source = ShapeCases.Usings + """
            namespace Demo;

            public sealed partial class Pipeline
            {
                [Stage("retrieval")]
                public partial int First();

                private int FirstCore() => 1;

                [Stage("retrieval")]
                public partial int Second();

                private int SecondCore() => 2;

                [Stage("retreival")]
                public partial int Third();
            }
            """;
        var result = GeneratorHarness.Run(source);

        Assert.Equal(new[] { "RMON003", "RMON010" }, result.GeneratorDiagnostics.Select(static d => d.Id).OrderBy(static i => i, StringComparer.Ordinal));
        Assert.Empty(GeneratorHarness.NamingAnalyzerDiagnostics(result.Compilation));

        // Without declaration errors the analyzer reports the naming warnings, and the generator does not.
        var fixedResult = GeneratorHarness.Run(source.Replace("public partial int Third();", "public partial int Third();\n    private int ThirdCore() => 3;", StringComparison.Ordinal));
        Assert.Empty(fixedResult.GeneratorDiagnostics);
        Assert.Equal("RMON010", Assert.Single(GeneratorHarness.NamingAnalyzerDiagnostics(fixedResult.Compilation)).Id);
    }

    [Fact]
    public void An_unrelated_edit_keeps_the_diagnostics_steps_and_the_source_outputs_cached()
    {
        var compilation = GeneratorHarness.CreateCompilation(ShapeCases.Usings + """
            namespace Demo;

            public sealed partial class Broken
            {
                [Stage("broken")]
                public partial int Run();
            }

            public sealed partial class Fine
            {
                [Stage("fine")]
                public partial int Run();

                private int RunCore() => 1;
            }
            """);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(
            "namespace Other; public sealed class Unrelated { public int Value => 42; }", GeneratorHarness.ParseOptions, path: "Unrelated.cs"));
        var run = driver.RunGenerators(edited).GetRunResult();

        GeneratorHarness.AssertFullyCached(run);
        Assert.Equal("RMON003", Assert.Single(run.Diagnostics).Id);
        var steps = run.Results.Single().TrackedSteps;
        Assert.All(steps[RagMonitor.Generators.Generator.TrackingNames.StageDiagnostics].SelectMany(static s => s.Outputs),
            static o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }
}
