using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using RagMonitor.CodeFixes;
using RagMonitor.Generators.Analyzers.Naming;
using RagMonitor.Generators.Tests.AnalyzerTesting;

namespace RagMonitor.Generators.Tests.CodeFixes;

/// <summary>The rename fix for RMON009–RMON012.</summary>
public sealed class StageNameFixTests
{
    private static FixTest<StageNameAnalyzer, StageNameCodeFixProvider> Test(string source, string fixedSource)
    {
        var test = new FixTest<StageNameAnalyzer, StageNameCodeFixProvider>(source, fixedSource);

        // RMON009 and RMON010 are compilation-end diagnostics (they compare every name in the
        // compilation), which the testing library calls non-local; their fix is still a plain rename.
        test.CodeFixTestBehaviors |= CodeFixTestBehaviors.SkipLocalDiagnosticCheck;
        return test;
    }

    [Fact]
    public async Task Renames_variants_to_the_canonical_spelling_and_fixes_all_at_once()
    {
        const string source = """
            using RagMonitor;

            public static class Pipeline
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage("retrieval")) { }
                    using (PerformanceMonitor.Default.BeginStage({|RMON009:"re_trieval"|})) { }
                    using (PerformanceMonitor.Default.BeginStage("retrieval")) { }
                    using (PerformanceMonitor.Default.BeginStage({|RMON009:"re_trieval"|} /* keep */)) { }
                }
            }
            """;
        const string fixedSource = """
            using RagMonitor;

            public static class Pipeline
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage("retrieval")) { }
                    using (PerformanceMonitor.Default.BeginStage("retrieval")) { }
                    using (PerformanceMonitor.Default.BeginStage("retrieval")) { }
                    using (PerformanceMonitor.Default.BeginStage("retrieval" /* keep */)) { }
                }
            }
            """;
        var test = Test(source, fixedSource);
        test.NumberOfFixAllIterations = 1;
        test.CodeActionEquivalenceKey = StageNameCodeFixProvider.EquivalenceKeyPrefix + "RMON009";
        await test.RunAsync();
    }

    [Fact]
    public async Task Fixes_a_typo_in_an_attribute_and_an_explicit_call()
    {
        const string source = """
            using System;
            using RagMonitor;

            public sealed partial class Pipeline
            {
                [Stage("generation")]
                private partial void Generate();
                private void GenerateCore() { }

                [Stage({|RMON010:"genration"|})]
                private partial void Regenerate();
                private void RegenerateCore() { }

                public static void Log()
                {
                    PerformanceMonitor.Default.LogStage("id", "generation", TimeSpan.Zero);
                    PerformanceMonitor.Default.LogStage("id", {|RMON010:"genration"|}, TimeSpan.Zero);
                    PerformanceMonitor.Default.LogStage("id", "generation", TimeSpan.Zero);
                }
            }
            """;
        const string fixedSource = """
            using System;
            using RagMonitor;

            public sealed partial class Pipeline
            {
                [Stage("generation")]
                private partial void Generate();
                private void GenerateCore() { }

                [Stage("generation")]
                private partial void Regenerate();
                private void RegenerateCore() { }

                public static void Log()
                {
                    PerformanceMonitor.Default.LogStage("id", "generation", TimeSpan.Zero);
                    PerformanceMonitor.Default.LogStage("id", "generation", TimeSpan.Zero);
                    PerformanceMonitor.Default.LogStage("id", "generation", TimeSpan.Zero);
                }
            }
            """;
        var test = Test(source, fixedSource);
        test.NumberOfFixAllIterations = 1;
        await test.RunAsync();
    }

    [Fact]
    public async Task Uses_the_closest_catalog_entry()
    {
        const string source = """
            using RagMonitor;

            [assembly: StageCatalog("retrieval", "grading", "generation")]

            public sealed partial class Pipeline
            {
                [Stage({|RMON011:"retrievel"|})]
                private partial void Retrieve();
                private void RetrieveCore() { }

                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage({|RMON011:"grade"|})) { }
                }
            }
            """;
        const string fixedSource = """
            using RagMonitor;

            [assembly: StageCatalog("retrieval", "grading", "generation")]

            public sealed partial class Pipeline
            {
                [Stage("retrieval")]
                private partial void Retrieve();
                private void RetrieveCore() { }

                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage("grading")) { }
                }
            }
            """;
        var test = Test(source, fixedSource);
        test.NumberOfFixAllIterations = 1;
        await test.RunAsync();
    }

    [Fact]
    public async Task Converts_to_the_configured_style()
    {
        const string source = """
            using System.Threading.Tasks;
            using RagMonitor;

            public static class Pipeline
            {
                public static async Task RunAsync()
                {
                    var scope = PerformanceMonitor.Default.BeginAsyncStage({|RMON012:"query_rewrite"|});
                    await scope.Track(Task.CompletedTask);
                    PerformanceMonitor.Default.MarkStageStatus("id", {|RMON012:"QueryRewrite"|}, OperationStatus.Success);
                    using (PerformanceMonitor.Default.BeginStage("query-rewrite")) { }
                }
            }
            """;
        const string fixedSource = """
            using System.Threading.Tasks;
            using RagMonitor;

            public static class Pipeline
            {
                public static async Task RunAsync()
                {
                    var scope = PerformanceMonitor.Default.BeginAsyncStage("query-rewrite");
                    await scope.Track(Task.CompletedTask);
                    PerformanceMonitor.Default.MarkStageStatus("id", "query-rewrite", OperationStatus.Success);
                    using (PerformanceMonitor.Default.BeginStage("query-rewrite")) { }
                }
            }
            """;
        // Each site is also a case/separator variant of the others (RMON009); this test applies only the
        // style fix, and the variants disappear with it.
        var test = Test(source.Replace("{|RMON012:\"query_rewrite\"|}", "{|RMON009:{|RMON012:\"query_rewrite\"|}|}")
            .Replace("{|RMON012:\"QueryRewrite\"|}", "{|RMON009:{|RMON012:\"QueryRewrite\"|}|}"), fixedSource)
            .WithEditorConfig("ragmonitor.stage_name_style = kebab-case");
        test.CodeActionEquivalenceKey = StageNameCodeFixProvider.EquivalenceKeyPrefix + "RMON012";
        test.NumberOfFixAllIterations = 1;
        test.NumberOfIncrementalIterations = 2;
        await test.RunAsync();
    }

    [Fact]
    public async Task Fix_all_in_the_project_covers_every_document()
    {
        const string first = """
            using RagMonitor;

            public static class First
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage("retrieval")) { }
                    using (PerformanceMonitor.Default.BeginStage("retrieval")) { }
                    using (PerformanceMonitor.Default.BeginStage({|RMON010:"retreival"|})) { }
                }
            }
            """;
        const string second = """
            using RagMonitor;

            public static class Second
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage({|RMON010:"retreival"|})) { }
                }
            }
            """;
        var test = Test(first, first.Replace("{|RMON010:\"retreival\"|}", "\"retrieval\""));
        test.TestState.Sources.Add(second);
        test.FixedState.Sources.Add(second.Replace("{|RMON010:\"retreival\"|}", "\"retrieval\""));
        test.NumberOfFixAllIterations = 1; // project and solution scope: one pass
        test.NumberOfFixAllInDocumentIterations = 2; // document scope: one pass per document
        await test.RunAsync();
    }

    [Fact]
    public async Task A_name_from_a_constant_gets_no_fix()
    {
        const string source = """
            using RagMonitor;

            public static class Pipeline
            {
                private const string Name = "Retrieval";

                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage({|RMON012:Name|})) { }
                }
            }
            """;
        await Test(source, source).RunAsync();
    }
}
