using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RagMonitor.Generators.Generator;
using RagMonitor.Generators.Helpers;
using RagMonitor.Generators.Model;

namespace RagMonitor.Generators.Tests.Generation;

/// <summary>What the generator recomputes after an edit.</summary>
public sealed class IncrementalTests
{
    private const string RetrieverSource = ShapeCases.Usings + """
        namespace Demo;

        public sealed partial class Retriever
        {
            [Stage("retrieval")]
            public partial Task<int> RetrieveAsync(string question);

            private Task<int> RetrieveAsyncCore(string question) => Task.FromResult(question.Length);
        }
        """;

    private const string GraderSource = ShapeCases.Usings + """
        namespace Demo;

        public sealed partial class Grader
        {
            [Stage("grading")]
            public partial int Grade(string document);

            private int GradeCore(string document) => document.Length;
        }
        """;

    [Fact]
    public void An_unrelated_edit_keeps_every_step_and_output_cached()
    {
        var compilation = GeneratorHarness.CreateCompilation(RetrieverSource, GraderSource);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Other; public sealed class Unrelated { public int Value => 42; }", GeneratorHarness.ParseOptions, path: "Unrelated.cs"));
        var run = driver.RunGenerators(edited).GetRunResult();

        GeneratorHarness.AssertFullyCached(run);
        Assert.Equal(2, run.Results.Single().GeneratedSources.Count(static s => s.HintName != MonitorGenerator.MarkerHintName));
    }

    [Fact]
    public void Editing_a_Core_method_body_keeps_outputs_cached()
    {
        var compilation = GeneratorHarness.CreateCompilation(RetrieverSource, GraderSource);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var grader = compilation.SyntaxTrees.Single(static t => t.FilePath == "Source1.cs");
        var edited = compilation.ReplaceSyntaxTree(grader, CSharpSyntaxTree.ParseText(
            GraderSource.Replace("document.Length;", "document.Length * 2;"), GeneratorHarness.ParseOptions, path: "Source1.cs"));
        var run = driver.RunGenerators(edited).GetRunResult();

        GeneratorHarness.AssertFullyCached(run);
    }

    [Fact]
    public void Editing_a_method_body_classifies_only_the_edited_file_again()
    {
        var compilation = GeneratorHarness.CreateCompilation(RetrieverSource, GraderSource);
        var retriever = compilation.SyntaxTrees.Single(static t => t.FilePath == "Source0.cs");
        var grader = compilation.SyntaxTrees.Single(static t => t.FilePath == "Source1.cs");
        var classified = new List<string>();
        Assert.Single(Find(compilation, retriever, classified).Stages);
        Assert.Single(Find(compilation, grader, classified).Stages);
        Assert.Equal(new[] { "Source0.cs", "Source1.cs" }, classified);

        // A Core body edit in the grader's file (a longer text, so every position after it moves): only that file is
        // classified again, the retriever's result is kept, and the grader's diagnostics-free result is equal.
        classified.Clear();
        var bodyEdit = compilation.ReplaceSyntaxTree(grader, CSharpSyntaxTree.ParseText(
            GraderSource.Replace("document.Length;", "document.Length * 2 + 1;"), GeneratorHarness.ParseOptions, path: "Source1.cs"));
        var editedGrader = bodyEdit.SyntaxTrees.Single(static t => t.FilePath == "Source1.cs");
        var before = Find(compilation, grader, new List<string>());
        Assert.Equal(before, Find(bodyEdit, editedGrader, classified));
        Find(bodyEdit, retriever, classified);
        Assert.Equal(new[] { "Source1.cs" }, classified);

        // A stage name edit changes only that method's classification: the other file is kept too.
        classified.Clear();
        var renamed = bodyEdit.ReplaceSyntaxTree(editedGrader, CSharpSyntaxTree.ParseText(
            GraderSource.Replace("\"grading\"", "\"relevance_grading\""), GeneratorHarness.ParseOptions, path: "Source1.cs"));
        Assert.Equal("relevance_grading", Find(renamed, renamed.SyntaxTrees.Single(static t => t.FilePath == "Source1.cs"), classified).Stages[0].Spec!.MonitoredName);
        Find(renamed, retriever, classified);
        Assert.Equal(new[] { "Source1.cs" }, classified);

        // A declaration edit (a new member, here a monitor field the wrappers would use) classifies every file again.
        classified.Clear();
        var declarationEdit = renamed.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Demo; public sealed partial class Retriever { private readonly RagMonitor.PerformanceMonitor _monitor = new(); }", GeneratorHarness.ParseOptions, path: "Monitor.cs"));
        var withMonitor = Find(declarationEdit, retriever, classified);
        Assert.Equal(new[] { "Source0.cs" }, classified);
        Assert.Contains("_monitor", withMonitor.Stages[0].Spec!.MonitorExpression, System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_declaration_error_moves_with_its_method_after_a_body_edit_above_it()
    {
        const string source = ShapeCases.Usings + """
            namespace Demo;

            public sealed partial class Broken
            {
                private int Helper() => 1;

                [Stage("no_core")]
                public partial int NoCore();
            }
            """;
        var compilation = GeneratorHarness.CreateCompilation(source);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var first = Assert.Single(driver.GetRunResult().Diagnostics);

        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(
            source.Replace("=> 1;", "=> 1 + 2 + 3;"), GeneratorHarness.ParseOptions, path: tree.FilePath));
        var moved = Assert.Single(driver.RunGenerators(edited).GetRunResult().Diagnostics);

        Assert.Equal("RMON003", moved.Id);
        Assert.Equal(first.Location.SourceSpan.Start + 8, moved.Location.SourceSpan.Start);
        Assert.Equal("NoCore", moved.Location.SourceTree!.ToString().Substring(moved.Location.SourceSpan.Start, "NoCore".Length));
    }

    [Fact]
    public void A_second_build_in_the_same_compiler_server_process_generates_like_the_first()
    {
        // The compiler server compiles each build with new options holding a LoggingMetadataFileReferenceResolver,
        // whose Equals throws NotImplementedException; the generator compared them with the previous build's and
        // failed (CS8785, every wrapper missing) on every build after the server's first.
        var options = GeneratorHarness.CreateCompilation().Options;
        CSharpCompilation Build() => GeneratorHarness.CreateCompilation(RetrieverSource, GraderSource)
            .WithAssemblyName("ServerBuild")
            .WithOptions(options.WithMetadataReferenceResolver(new UncomparableResolver()));

        for (var build = 0; build < 3; build++)
        {
            GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(Build(), out var output, out var diagnostics);

            Assert.Empty(diagnostics);
            Assert.Empty(GeneratorHarness.Problems(output));
        }
    }

    /// <summary>Like the compiler's LoggingMetadataFileReferenceResolver: a new one per build, Equals not implemented.</summary>
    private sealed class UncomparableResolver : MetadataReferenceResolver
    {
        public override bool Equals(object? other) => throw new System.NotImplementedException();

        public override int GetHashCode() => throw new System.NotImplementedException();

        public override System.Collections.Immutable.ImmutableArray<PortableExecutableReference> ResolveReference(string reference, string? baseFilePath, MetadataReferenceProperties properties) =>
            System.Collections.Immutable.ImmutableArray<PortableExecutableReference>.Empty;
    }

    [Fact]
    public void Attributes_written_under_an_alias_or_qualified_are_found_like_any_other()
    {
        const string aliases = "global using Timed = RagMonitor.StageAttribute;";
        const string source = ShapeCases.Usings + """
            using Request = RagMonitor.MonitoredRequestAttribute;

            namespace Demo;

            public sealed partial class Aliased
            {
                [Timed("timed")]
                public partial int Run();

                [global::RagMonitor.Stage("qualified")]
                public partial int RunQualified();

                [Request("ask")]
                public partial int Ask();

                private int RunCore() => 1;
                private int RunQualifiedCore() => 2;
                private int AskCore() => 3;
            }
            """;
        var result = GeneratorHarness.Run(aliases, source);

        Assert.Empty(result.GeneratorDiagnostics);
        var text = result.Single();
        Assert.Contains("BeginStage(\"timed\")", text, System.StringComparison.Ordinal);
        Assert.Contains("BeginStage(\"qualified\")", text, System.StringComparison.Ordinal);
        Assert.Contains("\"ask\"", text, System.StringComparison.Ordinal);
    }

    private static TreeMethods Find(Compilation compilation, SyntaxTree tree, List<string> classified) =>
        TreeMethodsFinder.Find(
            tree,
            () => compilation.GetSemanticModel(tree),
            (node, symbol, current, kind, cancellationToken) =>
            {
                classified.Add(node.SyntaxTree.FilePath);
                var known = RagMonitor.Generators.Parsing.KnownTypes.For(current)!;
                var diagnostics = new List<DiagnosticInfo>();
                var spec = RagMonitor.Generators.Parsing.MonitoredMethodClassifier.Classify((IMethodSymbol)symbol, known, diagnostics, cancellationToken);
                return new ClassifiedMethod(spec, diagnostics.ToEquatableArray());
            },
            default);

    [Fact]
    public void Changing_one_attribute_argument_regenerates_only_that_types_file()
    {
        var compilation = GeneratorHarness.CreateCompilation(RetrieverSource, GraderSource);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var grader = compilation.SyntaxTrees.Single(static t => t.FilePath == "Source1.cs");
        var edited = compilation.ReplaceSyntaxTree(grader, CSharpSyntaxTree.ParseText(
            GraderSource.Replace("[Stage(\"grading\")]", "[Stage(\"relevance_grading\")]"), GeneratorHarness.ParseOptions, path: "Source1.cs"));
        var run = driver.RunGenerators(edited).GetRunResult();
        var result = run.Results.Single();

        // The per-type step: the grader's file spec changed, the retriever's did not.
        var files = result.TrackedSteps[TrackingNames.TypeFiles].SelectMany(static s => s.Outputs).ToList();
        var graderFile = Assert.Single(files, static o => ((TypeFileSpec)o.Value).Location.HintName == "Demo.Grader.g.cs");
        var retrieverFile = Assert.Single(files, static o => ((TypeFileSpec)o.Value).Location.HintName == "Demo.Retriever.g.cs");
        Assert.Equal(IncrementalStepRunReason.Modified, graderFile.Reason);
        Assert.True(retrieverFile.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, retrieverFile.Reason.ToString());

        // The source outputs: exactly one was produced again.
        var outputs = result.TrackedOutputSteps.SelectMany(static s => s.Value).SelectMany(static s => s.Outputs).ToList();
        Assert.Single(outputs, static o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.All(
            outputs.Where(static o => o.Reason != IncrementalStepRunReason.Modified),
            static o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));

        var texts = result.GeneratedSources.ToDictionary(static s => s.HintName, static s => s.SourceText.ToString());
        Assert.Contains("BeginStage(\"relevance_grading\")", texts["Demo.Grader.g.cs"]);
        Assert.Contains("BeginAsyncStage(\"retrieval\")", texts["Demo.Retriever.g.cs"]);
    }

    [Fact]
    public void Adding_the_missing_Core_method_in_another_file_generates_the_wrapper()
    {
        const string declaration = ShapeCases.Usings + """
            namespace Demo;

            public sealed partial class Late
            {
                [Stage("late")]
                public partial int Run();
            }
            """;
        const string core = """
            namespace Demo;

            public sealed partial class Late
            {
                private int RunCore() => 1;
            }
            """;
        var compilation = GeneratorHarness.CreateCompilation(declaration);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var before = driver.GetRunResult().Results.Single();
        Assert.Equal("RMON003", Assert.Single(before.Diagnostics).Id);
        Assert.Contains("throw new global::System.InvalidOperationException", Assert.Single(before.GeneratedSources, static s => s.HintName == "Demo.Late.g.cs").SourceText.ToString());

        var completed = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(core, GeneratorHarness.ParseOptions, path: "Core.cs"));
        var run = driver.RunGenerators(completed).GetRunResult();

        Assert.Empty(run.Results.Single().Diagnostics);
        var wrapper = Assert.Single(run.Results.Single().GeneratedSources, static s => s.HintName != MonitorGenerator.MarkerHintName);
        Assert.Equal("Demo.Late.g.cs", wrapper.HintName);
        Assert.Contains("this.RunCore()", wrapper.SourceText.ToString());
    }

    [Fact]
    public void Invalid_declarations_get_a_throwing_stub_and_their_error_from_the_generator()
    {
        const string source = ShapeCases.Usings + """
            namespace Demo;

            public sealed partial class Broken
            {
                [Stage("no_core")]
                public partial int NoCore();

                [Stage("both")]
                [MonitoredRequest]
                public partial void Both();

                private void BothCore() { }

                [Stage("")]
                public partial void Empty();

                private void EmptyCore() { }

                [Stage("by_ref")]
                public partial ref int ByRef();

                private ref int ByRefCore() => throw null!;

                [Stage("unbound")]
                public partial Task<List<MissingType>> Unbound();

                private Task<List<MissingType>> UnboundCore() => throw null!;
            }
            """;
        var result = GeneratorHarness.Run(source);

        // Every mistake is reported once by the generator itself (an unbound type is the compiler's to report).
        Assert.Equal(
            new[] { "RMON003 NoCore", "RMON004 ByRef", "RMON006 Empty", "RMON007 Both" },
            result.GeneratorDiagnostics.Select(static d => d.Id + " " + d.Location.SourceTree!.GetRoot().FindToken(d.Location.SourceSpan.Start).Parent!
                .AncestorsAndSelf().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().First().Identifier.ValueText).OrderBy(static t => t));

        // The methods whose signature can be implemented get a stub that only throws, so the compiler adds no CS8795
        // (a ref return cannot be stubbed safely, and an unbound type is the compiler's own error).
        var text = result.Single();
        Assert.Equal(3, text.Split("throw new global::System.InvalidOperationException(").Length - 1);
        Assert.Contains("see error RMON003 in the build output", text);
        Assert.DoesNotContain("ByRef", text);
        Assert.DoesNotContain("Unbound", text);
        var cascade = result.Compilation.GetDiagnostics().Where(static d => d.Id == "CS8795").Select(static d => d.GetMessage()).ToList();
        Assert.Equal(2, cascade.Count);
        Assert.Contains(cascade, static m => m.Contains("Broken.ByRef()", System.StringComparison.Ordinal));
        Assert.Contains(cascade, static m => m.Contains("Broken.Unbound()", System.StringComparison.Ordinal));
    }
}
