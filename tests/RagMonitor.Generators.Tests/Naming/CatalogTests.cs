using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using RagMonitor.Generators.Tests.AnalyzerTesting;

namespace RagMonitor.Generators.Tests.Naming;

/// <summary>RMON011: a stage name outside the declared catalog.</summary>
public sealed class CatalogTests
{
    private const string Pipeline = """
        using System;
        using RagMonitor;

        public sealed partial class Pipeline
        {
            [Stage([|"retrieval"|])]
            private partial void Retrieve();
            private void RetrieveCore() { }
            private partial void Retrieve() => RetrieveCore();

            public static void Run()
            {
                using (PerformanceMonitor.Default.BeginStage([|"grading"|])) { }
                PerformanceMonitor.Default.LogStage("id", [|"generation"|], TimeSpan.Zero);
            }
        }
        """;

    [Fact]
    public async Task Without_a_catalog_nothing_is_reported()
    {
        await NamingTest.VerifyAsync(Pipeline.Replace("[|", string.Empty).Replace("|]", string.Empty));
    }

    [Fact]
    public async Task Names_in_the_assembly_catalog_are_accepted()
    {
        await NamingTest.VerifyAsync(
            Pipeline.Replace("[|", string.Empty).Replace("|]", string.Empty),
            "[assembly: RagMonitor.StageCatalog(\"retrieval\", \"grading\", \"generation\")]");
    }

    [Fact]
    public async Task Names_outside_the_assembly_catalog_are_reported_with_the_closest_entry()
    {
        const string source = """
            using System;
            using RagMonitor;

            [assembly: StageCatalog("retrieval", "grading", "generation")]

            public sealed partial class Pipeline
            {
                [Stage({|#0:"retrievel"|})]
                private partial void Retrieve();
                private void RetrieveCore() { }
                private partial void Retrieve() => RetrieveCore();

                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage({|#1:"Grading"|})) { }
                    PerformanceMonitor.Default.LogStage("id", {|#2:"llm_call"|}, TimeSpan.Zero);
                    using (PerformanceMonitor.Default.BeginStage("generation")) { }
                }
            }
            """;
        var test = new NamingTest(source).WithStyle("any");
        test.ExpectedDiagnostics.Add(new DiagnosticResult("RMON011", DiagnosticSeverity.Warning).WithLocation(0)
            .WithMessage("Stage name 'retrievel' is not in the stage catalog; the closest entry is 'retrieval'"));
        test.ExpectedDiagnostics.Add(new DiagnosticResult("RMON011", DiagnosticSeverity.Warning).WithLocation(1)
            .WithArguments("Grading", "; the closest entry is 'grading'"));
        test.ExpectedDiagnostics.Add(new DiagnosticResult("RMON011", DiagnosticSeverity.Warning).WithLocation(2)
            .WithArguments("llm_call", "; the closest entry is 'grading'"));
        await test.RunAsync();
    }

    [Fact]
    public async Task A_stages_file_declares_the_catalog_with_comments()
    {
        const string stages = """
            # Stage names of the docs pipeline
            retrieval
            grading   # filters by score

            """;
        var source = Pipeline.Replace("[|\"generation\"|]", "{|RMON011:\"generation\"|}").Replace("[|", string.Empty).Replace("|]", string.Empty);
        await new NamingTest(source).WithStagesFile(stages, "/config/Stages.TXT").RunAsync();
    }

    [Fact]
    public async Task The_attribute_and_the_file_are_combined()
    {
        var source = Pipeline.Replace("[|", string.Empty).Replace("|]", string.Empty);
        await new NamingTest(source, "[assembly: RagMonitor.StageCatalog(\"generation\")]").WithStagesFile("retrieval\ngrading\n").RunAsync();
    }

    [Fact]
    public async Task Other_additional_files_are_not_catalogs()
    {
        var source = Pipeline.Replace("[|", string.Empty).Replace("|]", string.Empty);
        await new NamingTest(source).WithStagesFile("nothing\n", "/my-stages.txt.bak").RunAsync();
    }

    [Fact]
    public async Task An_empty_catalog_accepts_nothing()
    {
        const string source = """
            using RagMonitor;

            [assembly: StageCatalog]

            public static class Pipeline
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage({|#0:"retrieval"|})) { }
                }
            }
            """;
        var test = new NamingTest(source);
        test.ExpectedDiagnostics.Add(new DiagnosticResult("RMON011", DiagnosticSeverity.Warning).WithLocation(0)
            .WithArguments("retrieval", " (the catalog is empty)"));
        await test.RunAsync();
    }
}
