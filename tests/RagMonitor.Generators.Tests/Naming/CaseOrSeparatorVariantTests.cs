using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using RagMonitor.Generators.Tests.AnalyzerTesting;

namespace RagMonitor.Generators.Tests.Naming;

/// <summary>RMON009: stage names that differ only in case or separators.</summary>
public sealed class CaseOrSeparatorVariantTests
{
    [Fact]
    public async Task Reports_every_spelling_that_is_not_the_most_used()
    {
        const string source = """
            using RagMonitor;

            public static class Pipeline
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage("retrieval")) { }
                    using (PerformanceMonitor.Default.BeginStage("retrieval")) { }
                    using (PerformanceMonitor.Default.BeginStage({|RMON009:"re_trieval"|})) { }
                    using (PerformanceMonitor.Default.BeginStage({|RMON009:"re_trieval"|})) { }
                    using (PerformanceMonitor.Default.BeginStage("retrieval")) { }
                }
            }
            """;
        await new NamingTest(source).RunAsync();
    }

    [Fact]
    public async Task Case_and_separator_variants_with_style_any()
    {
        const string source = """
            using RagMonitor;

            public static class Pipeline
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage({|RMON009:"retrieval"|})) { }
                    using (PerformanceMonitor.Default.BeginStage("Retrieval")) { }
                    using (PerformanceMonitor.Default.BeginStage({|RMON009:"re-trieval"|})) { }
                    using (PerformanceMonitor.Default.BeginStage("Retrieval")) { }
                    using (PerformanceMonitor.Default.BeginStage({|RMON009:"RE_TRIEVAL"|})) { }
                }
            }
            """;
        await new NamingTest(source).WithStyle("any").RunAsync();
    }

    [Fact]
    public async Task A_tie_goes_to_the_first_spelling_in_source_order_across_files()
    {
        const string first = """
            using RagMonitor;

            public static class First
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage("re-ranking")) { }
                }
            }
            """;
        const string second = """
            using RagMonitor;

            public static class Second
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage({|RMON009:"re_ranking"|})) { }
                }
            }
            """;
        await new NamingTest(first, second).WithStyle("any").RunAsync();
    }

    [Fact]
    public async Task Message_names_the_canonical_spelling()
    {
        const string source = """
            using RagMonitor;

            public static class Pipeline
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage("grading")) { }
                    using (PerformanceMonitor.Default.BeginStage("GRADING")) { }
                    using (PerformanceMonitor.Default.BeginStage("grading")) { }
                }
            }
            """;
        var test = new NamingTest(source).WithStyle("any");
        test.ExpectedDiagnostics.Add(new DiagnosticResult("RMON009", DiagnosticSeverity.Warning)
            .WithSpan(8, 54, 8, 63)
            .WithMessage("Stage name 'GRADING' differs from 'grading' only in case or separators; use 'grading'"));
        await test.RunAsync();
    }

    [Fact]
    public async Task Stage_attributes_written_under_an_alias_take_part()
    {
        // The analyzer binds only attributes named Stage, unless a file has a using alias: then it binds them all.
        const string aliases = """
            global using Timed = RagMonitor.StageAttribute;
            """;
        const string source = """
            using RagMonitor;
            using Step = RagMonitor.StageAttribute;

            public sealed partial class Pipeline
            {
                [Stage("generation")]
                private partial void Generate();

                [Step({|RMON009:"gene_ration"|})]
                private partial void GenerateAgain();

                [Timed({|RMON009:"gen_eration"|})]
                private partial void GenerateOnceMore();

                [System.Obsolete("Generation")]
                private partial void Old();

                private partial void Generate() { }
                private partial void GenerateAgain() { }
                private partial void GenerateOnceMore() { }
                private partial void Old() { }
            }
            """;
        await new NamingTest(aliases, source).RunAsync();
    }

    [Fact]
    public async Task Attributes_and_every_explicit_api_take_part()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using RagMonitor;

            public sealed partial class Pipeline
            {
                private readonly PerformanceMonitor _monitor = new();

                [Stage("generation")]
                private partial void Generate();

                [Stage({|RMON009:"Generation"|})]
                private partial void GenerateAgain();

                private void GenerateCore() { }
                private void GenerateAgainCore() { }
                private partial void Generate() => GenerateCore();
                private partial void GenerateAgain() => GenerateAgainCore();

                public async Task RunAsync(IAsyncEnumerable<string> tokens)
                {
                    _monitor.StartRequest("r1");
                    _monitor.LogStage("r1", {|RMON009:"GENERATION"|}, TimeSpan.FromSeconds(1));
                    _monitor.LogStage(stageName: {|RMON009:"gene-ration"|}, requestId: "r1", duration: TimeSpan.Zero);
                    _monitor.MarkStageStatus("r1", {|RMON009:"Generation"|}, OperationStatus.Failure);
                    using (_monitor.BeginStage("generation")) { }
                    var scope = _monitor.BeginAsyncStage("generation");
                    await scope.Track(Task.CompletedTask);
                    await foreach (var _ in _monitor.TrackStageStream({|RMON009:"generation_"|}, tokens)) { }
                    _monitor.EndRequest("r1");
                }
            }
            """;
        await new NamingTest(source).WithStyle("any").RunAsync();
    }

    [Fact]
    public async Task A_spelling_the_project_forbids_is_never_canonical_while_an_allowed_one_exists()
    {
        // "Retrieval" is the most used, but the default style (snake_case) forbids it, so the canonical
        // spelling is "retrieval": both fixes then agree instead of sending the user back and forth.
        const string source = """
            using RagMonitor;

            public static class Pipeline
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage({|#0:"Retrieval"|})) { }
                    using (PerformanceMonitor.Default.BeginStage({|#1:"Retrieval"|})) { }
                    using (PerformanceMonitor.Default.BeginStage("retrieval")) { }
                }
            }
            """;
        var test = new NamingTest(source);
        foreach (var location in new[] { 0, 1 })
        {
            test.ExpectedDiagnostics.Add(new DiagnosticResult("RMON009", DiagnosticSeverity.Warning).WithLocation(location).WithArguments("Retrieval", "retrieval"));
            test.ExpectedDiagnostics.Add(new DiagnosticResult("RMON012", DiagnosticSeverity.Warning).WithLocation(location).WithArguments("Retrieval", "snake_case", "retrieval"));
        }

        await test.RunAsync();
    }

    [Fact]
    public async Task A_catalog_spelling_wins_over_a_more_used_one()
    {
        const string source = """
            using RagMonitor;

            [assembly: StageCatalog("re_ranking")]

            public static class Pipeline
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage({|#0:"reranking"|})) { }
                    using (PerformanceMonitor.Default.BeginStage({|#1:"reranking"|})) { }
                    using (PerformanceMonitor.Default.BeginStage("re_ranking")) { }
                }
            }
            """;
        var test = new NamingTest(source);
        foreach (var location in new[] { 0, 1 })
        {
            test.ExpectedDiagnostics.Add(new DiagnosticResult("RMON009", DiagnosticSeverity.Warning).WithLocation(location).WithArguments("reranking", "re_ranking"));
            test.ExpectedDiagnostics.Add(new DiagnosticResult("RMON011", DiagnosticSeverity.Warning).WithLocation(location).WithArguments("reranking", "; the closest entry is 're_ranking'"));
        }

        await test.RunAsync();
    }

    [Fact]
    public async Task Consistent_names_are_not_reported()
    {
        const string source = """
            using System;
            using RagMonitor;

            public sealed partial class Pipeline
            {
                [Stage("retrieval")]
                partial void Retrieve();
                private void RetrieveCore() { }
                partial void Retrieve() => RetrieveCore();

                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage("retrieval")) { }
                    using (PerformanceMonitor.Default.BeginStage("grading")) { }
                    using (PerformanceMonitor.Default.BeginStage("generation")) { }
                    PerformanceMonitor.Default.LogStage("id", "retrieval", TimeSpan.Zero);
                }
            }
            """;
        await NamingTest.VerifyAsync(source);
    }

    [Fact]
    public async Task Names_from_constants_are_checked_at_their_use()
    {
        const string source = """
            using RagMonitor;

            public static class Pipeline
            {
                private const string Retrieval = "retrieval";
                private const string Variant = "Retrieval";

                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage(Retrieval)) { }
                    using (PerformanceMonitor.Default.BeginStage(Retrieval)) { }
                    using (PerformanceMonitor.Default.BeginStage({|RMON009:Variant|})) { }
                }
            }
            """;
        await new NamingTest(source).WithStyle("any").RunAsync();
    }

    [Fact]
    public async Task Generated_code_and_unrelated_methods_are_ignored()
    {
        const string generated = """
            // <auto-generated/>
            using RagMonitor;

            public static class Generated
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage("Re_Trieval")) { }
                }
            }
            """;
        const string source = """
            using RagMonitor;

            public static class Pipeline
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage("retrieval")) { }
                    Other.BeginStage("Retrieval");
                    string name = "RETRIEVAL";
                    using (PerformanceMonitor.Default.BeginStage(name)) { }
                }
            }

            public static class Other
            {
                public static void BeginStage(string stageName) { }
            }
            """;
        await new NamingTest(source, generated).RunAsync();
    }
}
