using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using RagMonitor.Generators.Generator;

namespace RagMonitor.Generators.Tests.AnalyzerTesting;

/// <summary>
/// Runs analyzers the way a build or the IDE does: a workspace project whose <c>.editorconfig</c> and
/// additional files are applied by Roslyn itself, with no test-framework adjustments of severities.
/// </summary>
internal static class WorkspaceAnalysis
{
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(
        IEnumerable<string> sources,
        IEnumerable<DiagnosticAnalyzer> analyzers,
        string? editorConfig = null,
        IEnumerable<(string Path, string Text)>? additionalFiles = null,
        bool runGenerator = false)
    {
        using var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(projectId, VersionStamp.Default, "Analyzed", "Analyzed", LanguageNames.CSharp,
                filePath: "/src/Analyzed.csproj",
                compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
                metadataReferences: AnalyzerTestReferences.All));

        var index = 0;
        foreach (var source in sources)
        {
            solution = solution.AddDocument(DocumentId.CreateNewId(projectId), $"File{index}.cs", SourceText.From(source), filePath: $"/src/File{index}.cs");
            index++;
        }

        if (editorConfig is not null)
        {
            solution = solution.AddAnalyzerConfigDocument(DocumentId.CreateNewId(projectId), ".editorconfig", SourceText.From(editorConfig), filePath: "/src/.editorconfig");
        }

        foreach (var (path, text) in additionalFiles ?? Enumerable.Empty<(string, string)>())
        {
            solution = solution.AddAdditionalDocument(DocumentId.CreateNewId(projectId), System.IO.Path.GetFileName(path), SourceText.From(text), filePath: path);
        }

        var project = solution.GetProject(projectId)!;
        var compilation = (await project.GetCompilationAsync().ConfigureAwait(false))!;
        if (runGenerator)
        {
            GeneratorDriver driver = CSharpGeneratorDriver.Create(
                new[] { new MonitorGenerator().AsSourceGenerator() },
                project.AnalyzerOptions.AdditionalFiles,
                (CSharpParseOptions)project.ParseOptions!,
                project.AnalyzerOptions.AnalyzerConfigOptionsProvider);
            driver.RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _);
            compilation = generated;
        }

        var withAnalyzers = compilation.WithAnalyzers(analyzers.ToImmutableArray(), project.AnalyzerOptions);
        return await withAnalyzers.GetAnalyzerDiagnosticsAsync().ConfigureAwait(false);
    }
}
