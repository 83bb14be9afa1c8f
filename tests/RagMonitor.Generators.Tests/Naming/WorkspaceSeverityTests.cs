using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using RagMonitor.Generators.Analyzers.Naming;
using RagMonitor.Generators.Tests.AnalyzerTesting;

namespace RagMonitor.Generators.Tests.Naming;

/// <summary>
/// Severity configuration through a real workspace project (Roslyn applies the <c>.editorconfig</c>),
/// for what the analyzer-testing library does not show: raising a warning to an error, and
/// configuring the whole <c>RagMonitor.Naming</c> category.
/// </summary>
public sealed class WorkspaceSeverityTests
{
    private static string StripMarkup(string source) => source.Replace("{|#0:", string.Empty).Replace("|}", string.Empty);

    private static Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source, string editorConfigLines) =>
        WorkspaceAnalysis.AnalyzeAsync(new[] { StripMarkup(source) }, new DiagnosticAnalyzer[] { new StageNameAnalyzer() }, "root = true\n\n[*.cs]\n" + editorConfigLines + "\n");

    [Theory]
    [MemberData(nameof(SeverityConfigurationTests.Sources), MemberType = typeof(SeverityConfigurationTests))]
    public async Task A_warning_can_be_raised_to_an_error(string id, string source)
    {
        var defaults = await AnalyzeAsync(source, string.Empty);
        Assert.Equal(DiagnosticSeverity.Warning, Assert.Single(defaults).Severity);

        var raised = await AnalyzeAsync(source, $"dotnet_diagnostic.{id}.severity = error");
        var diagnostic = Assert.Single(raised);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);

        Assert.Empty(await AnalyzeAsync(source, $"dotnet_diagnostic.{id}.severity = none"));
    }

    [Fact]
    public async Task The_naming_category_can_be_configured_at_once()
    {
        const string source = """
            using RagMonitor;

            public static class Pipeline
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage("grading")) { }
                    using (PerformanceMonitor.Default.BeginStage("grading")) { }
                    using (PerformanceMonitor.Default.BeginStage("grdaing")) { }
                    using (PerformanceMonitor.Default.BeginStage("Generation")) { }
                }
            }
            """;
        var raised = await AnalyzeAsync(source, "dotnet_analyzer_diagnostic.category-RagMonitor.Naming.severity = error");
        Assert.Equal(new[] { "RMON010", "RMON012" }, raised.Select(d => d.Id).OrderBy(id => id));
        Assert.All(raised, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));

        Assert.Empty(await AnalyzeAsync(source, "dotnet_analyzer_diagnostic.category-RagMonitor.Naming.severity = none"));

        // A rule's own setting wins over the category's.
        var mixed = await AnalyzeAsync(source, "dotnet_analyzer_diagnostic.category-RagMonitor.Naming.severity = none\ndotnet_diagnostic.RMON010.severity = warning");
        Assert.Equal("RMON010", Assert.Single(mixed).Id);
    }
}
