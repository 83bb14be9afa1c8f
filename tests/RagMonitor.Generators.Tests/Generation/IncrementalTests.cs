using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RagMonitor.Generators.Generator;
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
