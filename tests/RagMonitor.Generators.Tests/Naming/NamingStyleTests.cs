using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using RagMonitor.Generators.Tests.AnalyzerTesting;

namespace RagMonitor.Generators.Tests.Naming;

/// <summary>RMON012: a stage name that breaks <c>ragmonitor.stage_name_style</c>.</summary>
public sealed class NamingStyleTests
{
    private static string Stage(string name) => $$"""
        using RagMonitor;

        public static class Pipeline
        {
            public static void Run()
            {
                using (PerformanceMonitor.Default.BeginStage({|#0:"{{name}}"|})) { }
            }
        }
        """;

    [Theory]
    [InlineData(null, "QueryRewrite", "snake_case", "query_rewrite")]
    [InlineData("snake_case", "query-rewrite", "snake_case", "query_rewrite")]
    [InlineData("kebab-case", "query_rewrite", "kebab-case", "query-rewrite")]
    [InlineData("camelCase", "query_rewrite", "camelCase", "queryRewrite")]
    [InlineData("PascalCase", "queryRewrite", "PascalCase", "QueryRewrite")]
    [InlineData("nonsense", "Retrieval", "snake_case", "retrieval")]
    public async Task Names_that_break_the_style_are_reported_with_the_converted_name(string? style, string name, string styleName, string converted)
    {
        var test = new NamingTest(Stage(name));
        if (style is not null)
        {
            test.WithStyle(style);
        }

        test.ExpectedDiagnostics.Add(new DiagnosticResult("RMON012", DiagnosticSeverity.Warning).WithLocation(0)
            .WithMessage($"Stage name '{name}' is not {styleName}; use '{converted}'"));
        await test.RunAsync();
    }

    [Theory]
    [InlineData(null, "query_rewrite")]
    [InlineData("snake_case", "rerank_v2")]
    [InlineData("kebab-case", "query-rewrite")]
    [InlineData("camelCase", "queryRewrite")]
    [InlineData("PascalCase", "QueryRewrite")]
    [InlineData("any", "Query Rewrite (v2)")]
    public async Task Names_that_follow_the_style_are_accepted(string? style, string name)
    {
        var test = new NamingTest(Stage(name).Replace("{|#0:", string.Empty).Replace("|}", string.Empty));
        if (style is not null)
        {
            test.WithStyle(style);
        }

        await test.RunAsync();
    }

    [Fact]
    public async Task The_style_can_come_from_a_global_analyzer_config()
    {
        var test = new NamingTest(Stage("query_rewrite"));
        test.TestState.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\nragmonitor.stage_name_style = kebab-case\n"));
        test.ExpectedDiagnostics.Add(new DiagnosticResult("RMON012", DiagnosticSeverity.Warning).WithLocation(0)
            .WithArguments("query_rewrite", "kebab-case", "query-rewrite"));
        await test.RunAsync();
    }

    [Fact]
    public async Task Attribute_names_are_checked()
    {
        const string source = """
            using RagMonitor;

            public sealed partial class Pipeline
            {
                [Stage({|RMON012:"Retrieval"|})]
                partial void Retrieve();
                private void RetrieveCore() { }
                partial void Retrieve() => RetrieveCore();
            }
            """;
        await NamingTest.VerifyAsync(source);
    }
}
