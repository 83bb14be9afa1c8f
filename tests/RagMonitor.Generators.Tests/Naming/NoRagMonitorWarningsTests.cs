using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using RagMonitor.Generators.Analyzers.Declaration;
using RagMonitor.Generators.Analyzers.Naming;
using RagMonitor.Generators.Tests.AnalyzerTesting;
using RagMonitor.Generators.Tests.Generation;

namespace RagMonitor.Generators.Tests.Naming;

/// <summary>
/// The sample and every generator test input are clean: compiled with the generator, neither the
/// declaration analyzer nor the naming analyzer reports anything.
/// </summary>
public sealed class NoRagMonitorWarningsTests
{
    private static readonly DiagnosticAnalyzer[] s_analyzers = { new DeclarationAnalyzer(), new StageNameAnalyzer() };

    public static TheoryData<string> ShapeCaseNames() => new(ShapeCases.All.Keys);

    [Theory]
    [MemberData(nameof(ShapeCaseNames))]
    public async Task Generator_shape_inputs_have_no_RagMonitor_diagnostics(string name)
    {
        var diagnostics = await WorkspaceAnalysis.AnalyzeAsync(new[] { ShapeCases.Usings + ShapeCases.All[name] }, s_analyzers, runGenerator: true);
        AssertNone(diagnostics);
    }

    [Fact]
    public async Task Generator_behaviour_input_has_no_RagMonitor_diagnostics()
    {
        var diagnostics = await WorkspaceAnalysis.AnalyzeAsync(new[] { BehaviourScenario.Source }, s_analyzers, runGenerator: true);
        AssertNone(diagnostics);
    }

    [Fact]
    public async Task The_sample_has_no_RagMonitor_diagnostics()
    {
        var sampleDirectory = Path.Combine(RepositoryRoot(), "sample", "RagMonitor.Sample");
        var sources = Directory.EnumerateFiles(sampleDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(sampleDirectory, path))
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(File.ReadAllText)
            .ToList();
        Assert.NotEmpty(sources);

        var editorConfig = new[] { Path.Combine(sampleDirectory, ".editorconfig"), Path.Combine(RepositoryRoot(), ".editorconfig") }
            .FirstOrDefault(File.Exists);
        var catalogs = Directory.EnumerateFiles(sampleDirectory, "stages.txt", SearchOption.AllDirectories)
            .Select(path => (path, File.ReadAllText(path)));

        var diagnostics = await WorkspaceAnalysis.AnalyzeAsync(
            sources, s_analyzers, editorConfig is null ? null : File.ReadAllText(editorConfig), catalogs, runGenerator: true);
        AssertNone(diagnostics);
    }

    private static void AssertNone(IEnumerable<Diagnostic> diagnostics)
    {
        var ours = diagnostics.Where(d => d.Id.StartsWith("RMON", StringComparison.Ordinal)).Select(d => d.ToString()).ToList();
        Assert.True(ours.Count == 0, string.Join(Environment.NewLine, ours));
    }

    private static bool IsBuildOutput(string projectDirectory, string path)
    {
        var relative = Path.GetRelativePath(projectDirectory, path).Replace('\\', '/');
        return relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Generators.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Generators.sln not found above " + AppContext.BaseDirectory);
    }
}
