using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RagMonitor.Generators.Model;
using RagMonitor.Generators.Parsing;
using RagMonitor.Generators.Tests.Generation;

namespace RagMonitor.Generators.Tests.Declaration;

/// <summary>The generator emits a wrapper exactly for the methods on which the analyzer reports nothing.</summary>
public sealed class ClassifierAgreementTests
{
    private const string Mixed = ShapeCases.Usings + """
        namespace Demo;

        public sealed partial class Mixed
        {
            [Stage("good_sync")]
            public partial int GoodSync(string text);
            private int GoodSyncCore(string text) => text.Length;

            [Stage("good_async")]
            public partial Task<int[]> GoodAsync();
            private Task<int[]> GoodAsyncCore() => Task.FromResult(new int[0]);

            [MonitoredRequest]
            public partial ValueTask GoodRequest([RequestId] int id);
            private ValueTask GoodRequestCore(int id) => default;

            [Stage("no_core")]
            public partial int NoCore();

            [Stage("wrong_core")]
            public partial int WrongCore(int value);
            private long WrongCoreCore(int value) => value;

            [Stage("both")]
            [MonitoredRequest]
            public partial void Both();
            private void BothCore() { }

            [Stage(" ")]
            public partial void Blank();
            private void BlankCore() { }

            [Stage("by_ref")]
            public partial ref int ByRef();
            private ref int ByRefCore() => throw null!;

            [MonitoredRequest]
            public partial IAsyncEnumerable<int> StreamRequest();
            private IAsyncEnumerable<int> StreamRequestCore() => throw null!;

            [Stage("count_nothing")]
            [return: StageMetadata("n")]
            public partial Task CountNothing();
            private Task CountNothingCore() => Task.CompletedTask;
        }
        """;

    [Fact]
    public void Generated_methods_are_exactly_the_methods_without_diagnostics()
    {
        var result = GeneratorHarness.Run(Mixed);
        var analyzerDiagnostics = GeneratorHarness.AnalyzerDiagnostics(GeneratorHarness.CreateCompilation(Mixed));

        // Wrappers call their Core method; the stubs of skipped declarations only throw.
        var generated = new HashSet<string>(Regex.Matches(string.Join("\n", result.Sources.Select(static s => s.Text)), @"partial [^\n]*? (\w+)\([^\n]*\)\n\s*\{\n(?!\s*throw new global::System.InvalidOperationException)")
            .Select(static m => m.Groups[1].Value));
        var reported = new HashSet<string>(analyzerDiagnostics.Select(static d =>
            d.Location.SourceTree!.GetRoot().FindToken(d.Location.SourceSpan.Start).Parent!
                .AncestorsAndSelf().OfType<MethodDeclarationSyntax>().First().Identifier.ValueText));
        var attributed = result.Compilation.SyntaxTrees.First().GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>()
            .Where(static m => m.AttributeLists.Count > 0 && m.Body is null && m.ExpressionBody is null)
            .Select(static m => m.Identifier.ValueText)
            .ToHashSet();

        Assert.Equal(new[] { "GoodAsync", "GoodRequest", "GoodSync" }, generated.OrderBy(static n => n));
        Assert.Empty(generated.Intersect(reported));
        Assert.Equal(attributed.OrderBy(static n => n), generated.Union(reported).OrderBy(static n => n));

        // The generator reports the same problems from its pipeline (same ids, same places), and the analyzer stays
        // silent on the compilation the generator ran on, so no problem is reported twice.
        Assert.Equal(
            analyzerDiagnostics.Select(static d => d.ToString()).OrderBy(static t => t),
            result.GeneratorDiagnostics.Select(static d => d.ToString()).OrderBy(static t => t));
        Assert.Empty(GeneratorHarness.AnalyzerDiagnostics(result.Compilation));
    }

    [Fact]
    public void Classifier_accepts_a_definition_whose_implementation_is_the_generators_and_rejects_a_users()
    {
        var compilation = GeneratorHarness.CreateCompilation(ShapeCases.Usings + """
            public sealed partial class Ours
            {
                [Stage("ours")]
                public partial int Run();
                [System.CodeDom.Compiler.GeneratedCode("RagMonitor.Generators", "1.0.0.0")]
                public partial int Run() => RunCore();
                private int RunCore() => 1;
            }

            public sealed partial class Theirs
            {
                [Stage("theirs")]
                public partial int Run();
                public partial int Run() => RunCore();
                private int RunCore() => 1;
            }
            """);
        var known = KnownTypes.Create(compilation)!;

        var ours = (IMethodSymbol)compilation.GetTypeByMetadataName("Ours")!.GetMembers("Run").Single();
        var theirs = (IMethodSymbol)compilation.GetTypeByMetadataName("Theirs")!.GetMembers("Run").Single();
        var diagnostics = new List<DiagnosticInfo>();

        Assert.Null(Assert.IsType<MonitoredMethodSpec>(MonitoredMethodClassifier.Classify(ours, known, diagnostics, CancellationToken.None)).SkippedBy);
        Assert.Empty(diagnostics);
        Assert.Null(MonitoredMethodClassifier.Classify(theirs, known, diagnostics, CancellationToken.None));
        Assert.Equal("RMON002", Assert.Single(diagnostics).Descriptor.Id);
    }
}
