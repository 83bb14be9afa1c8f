using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using RagMonitor.Generators.Tests.AnalyzerTesting;

namespace RagMonitor.Generators.Tests.Naming;

/// <summary>RMON010: near-duplicate stage names that are probably typos.</summary>
public sealed class ProbableTypoTests
{
    private static string Stages(params string[] names) => $$"""
        using RagMonitor;

        public static class Pipeline
        {
            public static void Run()
            {
        {{string.Join("\n", names.Select(n => $"        using (PerformanceMonitor.Default.BeginStage({n})) {{ }}"))}}
            }
        }
        """;

    [Fact]
    public async Task Reports_the_less_used_name()
    {
        var source = Stages("\"retrieval\"", "{|RMON010:\"retreival\"|}", "\"retrieval\"");
        await NamingTest.VerifyAsync(source);
    }

    [Fact]
    public async Task Reports_every_use_of_the_less_used_name_with_the_suggestion()
    {
        var source = Stages("{|#0:\"genration\"|}", "\"generation\"", "\"generation\"", "{|#1:\"genration\"|}", "\"generation\"");
        var test = new NamingTest(source);
        test.ExpectedDiagnostics.Add(new DiagnosticResult("RMON010", DiagnosticSeverity.Warning).WithLocation(0)
            .WithMessage("Stage name 'genration' is very close to 'generation'; is it a typo?"));
        test.ExpectedDiagnostics.Add(new DiagnosticResult("RMON010", DiagnosticSeverity.Warning).WithLocation(1)
            .WithArguments("genration", "generation"));
        await test.RunAsync();
    }

    [Fact]
    public async Task A_tie_reports_the_later_name_in_source_order()
    {
        var source = Stages("\"grading\"", "{|RMON010:\"grdaing\"|}");
        await NamingTest.VerifyAsync(source);
    }

    [Fact]
    public async Task Usage_counts_every_spelling_of_a_name()
    {
        // "Grading" and "grading" are one name used twice (RMON009 asks to align the spelling);
        // "grdaing", used once, is the typo.
        var source = Stages("{|RMON010:\"grdaing\"|}", "\"grading\"", "{|RMON009:\"Grading\"|}");
        await new NamingTest(source).WithStyle("any").RunAsync();
    }

    [Fact]
    public async Task Typos_are_found_between_attributes_and_explicit_calls()
    {
        const string source = """
            using System;
            using RagMonitor;

            public sealed partial class Pipeline
            {
                [Stage("embedding")]
                private partial void Embed();
                private void EmbedCore() { }
                private partial void Embed() => EmbedCore();

                [Stage("embedding")]
                private partial void EmbedAgain();
                private void EmbedAgainCore() { }
                private partial void EmbedAgain() => EmbedAgainCore();

                public static void Log() => PerformanceMonitor.Default.LogStage("id", {|RMON010:"embeding"|}, TimeSpan.Zero);
            }
            """;
        await NamingTest.VerifyAsync(source);
    }

    [Fact]
    public async Task A_realistic_pipeline_of_related_names_has_no_false_positives()
    {
        var names = new[]
        {
            "query_rewrite", "query_rewriter", "embed", "embedding", "embeddings", "retrieve", "retrieval", "retriever",
            "search", "research", "rank", "rerank", "reranker", "reranking", "rerank_v1", "rerank_v2", "grade", "grader",
            "grading", "chunk", "chunks", "chunking", "chunker", "index", "reindex", "encode", "decode", "parse", "parser",
            "generate", "generation", "generator", "summarize", "summary", "classify", "classifier", "filter", "filters",
            "pre_filter", "post_filter", "top_k", "top_p", "get_docs", "set_docs", "load_doc", "load_docs", "llm", "lm",
            "stage1", "stage2", "tokenize", "tokens", "prompt", "prompts", "answer", "answers", "cache_read", "cache_write",
        };
        var source = Stages(names.Select(n => $"\"{n}\"").ToArray());
        await NamingTest.VerifyAsync(source);
    }

    [Fact]
    public async Task Short_names_are_never_typos()
    {
        var source = Stages("\"ocr\"", "\"ocr\"", "\"orc\"", "\"llm\"", "\"lml\"");
        await NamingTest.VerifyAsync(source);
    }

    [Fact]
    public async Task Names_declared_in_the_catalog_are_never_typos()
    {
        const string source = """
            using RagMonitor;

            [assembly: StageCatalog("index_docs", "index_doc2")]

            public static class Pipeline
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage("rank")) { }
                    using (PerformanceMonitor.Default.BeginStage("rank")) { }
                    using (PerformanceMonitor.Default.BeginStage({|RMON011:"ranl"|})) { }
                }
            }
            """;
        // "ranl" is outside the catalog (RMON011) and a typo of "rank" (RMON010); "rank" is outside the
        // catalog too.
        var test = new NamingTest(source.Replace("{|RMON011:\"ranl\"|}", "{|#0:\"ranl\"|}").Replace("BeginStage(\"rank\")", "BeginStage({|RMON011:\"rank\"|})"));
        test.ExpectedDiagnostics.Add(new DiagnosticResult("RMON011", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("ranl", "; the closest entry is 'index_docs'"));
        test.ExpectedDiagnostics.Add(new DiagnosticResult("RMON010", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("ranl", "rank"));
        await test.RunAsync();

        const string declared = """
            using RagMonitor;

            [assembly: StageCatalog("rank", "ranl")]

            public static class Pipeline
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage("rank")) { }
                    using (PerformanceMonitor.Default.BeginStage("rank")) { }
                    using (PerformanceMonitor.Default.BeginStage("ranl")) { }
                }
            }
            """;
        await NamingTest.VerifyAsync(declared);
    }

    [Fact]
    public async Task Finds_distance_two_typos_among_many_names()
    {
        // 300 unrelated two-word names (letters only, so the digit rule does not help), then a name two
        // edits away from "retrieval" (a transposition and a substitution) and one a deletion away from
        // "generation".
        var words = new[]
        {
            "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima", "mike",
            "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu",
        };
        var names = Enumerable.Range(0, 300)
            .Select(i => $"\"{words[i % 26]}_{words[(i / 26) + 3]}\"")
            .Concat(new[] { "\"retrieval\"", "\"retrieval\"", "{|RMON010:\"retreivel\"|}", "\"generation\"", "\"generation\"", "{|RMON010:\"generaton\"|}" })
            .ToArray();
        await NamingTest.VerifyAsync(Stages(names));
    }
}
