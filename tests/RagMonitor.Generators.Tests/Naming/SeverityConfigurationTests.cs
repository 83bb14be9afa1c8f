using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using RagMonitor.Generators.Tests.AnalyzerTesting;

namespace RagMonitor.Generators.Tests.Naming;

/// <summary>
/// Every naming warning's severity follows <c>dotnet_diagnostic.RMONnnn.severity</c>. (Raising to
/// <c>error</c> is checked in <see cref="WorkspaceSeverityTests"/>: the analyzer-testing library keeps
/// its own severity for errors.)
/// </summary>
public sealed class SeverityConfigurationTests
{
    private static string Stages(string catalog, params string[] names)
    {
        var lines = new List<string>();
        foreach (var name in names)
        {
            lines.Add($"        using (PerformanceMonitor.Default.BeginStage({name})) {{ }}");
        }

        return $$"""
            using RagMonitor;

            {{catalog}}

            public static class Pipeline
            {
                public static void Run()
                {
            {{string.Join("\n", lines)}}
                }
            }
            """;
    }

    // Each source triggers exactly one rule, once, at {|#0:...|}.
    public static TheoryData<string, string> Sources() => new()
    {
        { "RMON009", Stages(string.Empty, "\"re_rank\"", "\"re_rank\"", "{|#0:\"rerank\"|}") },
        { "RMON010", Stages(string.Empty, "\"grading\"", "\"grading\"", "{|#0:\"grdaing\"|}") },
        { "RMON011", Stages("[assembly: StageCatalog(\"retrieval\")]", "\"retrieval\"", "{|#0:\"generation\"|}") },
        { "RMON012", Stages(string.Empty, "\"retrieval\"", "{|#0:\"Generation\"|}") },
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task Reported_as_a_warning_by_default(string id, string source)
    {
        var test = new NamingTest(source);
        test.ExpectedDiagnostics.Add(new DiagnosticResult(id, DiagnosticSeverity.Warning).WithLocation(0));
        await test.RunAsync();
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task Turned_off_with_severity_none(string id, string source)
    {
        await new NamingTest(source).WithEditorConfig($"dotnet_diagnostic.{id}.severity = none").RunAsync();
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task Lowered_to_a_suggestion(string id, string source)
    {
        var test = new NamingTest(source).WithEditorConfig($"dotnet_diagnostic.{id}.severity = suggestion");
        test.ExpectedDiagnostics.Add(new DiagnosticResult(id, DiagnosticSeverity.Info).WithLocation(0));
        await test.RunAsync();
    }

    [Fact]
    public async Task Turned_off_in_a_global_analyzer_config()
    {
        var test = new NamingTest(Stages(string.Empty, "\"retrieval\"", "\"Generation\""));
        test.TestState.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\ndotnet_diagnostic.RMON012.severity = none\n"));
        await test.RunAsync();
    }

    [Fact]
    public async Task Suppressed_in_source_with_a_pragma()
    {
        const string source = """
            using RagMonitor;

            public static class Pipeline
            {
                public static void Run()
                {
            #pragma warning disable RMON012 // a name the dashboard already uses
                    using (PerformanceMonitor.Default.BeginStage("Generation")) { }
            #pragma warning restore RMON012
                }
            }
            """;
        await NamingTest.VerifyAsync(source);
    }
}
