using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using RagMonitor.Generators.Analyzers.Declaration;
using RagMonitor.Generators.Tests.Generation;

namespace RagMonitor.Generators.Tests.Declaration;

/// <summary>
/// Runs <see cref="DeclarationAnalyzer"/> over markup sources (<c>{|RMON003:Run|}</c>). Reference assemblies come
/// from Basic.Reference.Assemblies.Net100 plus RagMonitor.dll (the testing library's own sets would need a
/// package download). Compiler diagnostics are not compared: the generator's output is absent here, so
/// partial methods without implementations are expected compiler errors.
/// </summary>
internal static class DeclarationVerifier
{
    /// <summary>An empty reference set: everything comes from <see cref="GeneratorHarness.References"/>.</summary>
    private static readonly ReferenceAssemblies s_noReferenceAssemblies = new("net10.0");

    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using RagMonitor;

        """;

    public static Task VerifyAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<DeclarationAnalyzer, DefaultVerifier>
        {
            TestCode = Usings + source,
            ReferenceAssemblies = s_noReferenceAssemblies,
            CompilerDiagnostics = CompilerDiagnostics.None,
        };
        test.TestState.AdditionalReferences.AddRange(GeneratorHarness.References);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    public static DiagnosticResult Diagnostic(string id) => new(id, Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
}
