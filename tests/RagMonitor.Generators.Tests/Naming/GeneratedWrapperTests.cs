using System.Threading.Tasks;
using RagMonitor.Generators.Tests.AnalyzerTesting;

namespace RagMonitor.Generators.Tests.Naming;

/// <summary>Stage names of methods that the generator has wrapped, as in a real build.</summary>
public sealed class GeneratedWrapperTests
{
    [Fact]
    public async Task Names_of_wrapped_methods_are_checked_and_the_generated_calls_are_not_counted()
    {
        // The generated implementation carries [GeneratedCode], which Roslyn merges into the user's
        // partial method; the analyzer must still see the user's attribute. The generated
        // BeginStage("Generation") call must not count as a use: with it, "Generation" would tie.
        const string source = """
            using RagMonitor;

            public sealed partial class Pipeline
            {
                [Stage("generation")]
                private partial void Generate();
                private void GenerateCore() { }

                [Stage("generation")]
                private partial void GenerateTwice();
                private void GenerateTwiceCore() { }

                [Stage({|RMON009:{|RMON012:"Generation"|}|})]
                private partial void GenerateAgain();
                private void GenerateAgainCore() { }
            }
            """;
        await new NamingTest(source).WithGenerator().RunAsync();
    }

    [Fact]
    public async Task A_consistent_generated_pipeline_has_no_naming_warnings()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using RagMonitor;

            public sealed partial class DocsPipeline
            {
                [MonitoredRequest("ask")]
                public partial Task<string> AskAsync(string question, CancellationToken ct = default);
                private async Task<string> AskAsyncCore(string question, CancellationToken ct)
                {
                    var docs = await RetrieveAsync(question, ct);
                    return Generate(docs);
                }

                [Stage("retrieval")]
                private partial Task<IReadOnlyList<string>> RetrieveAsync(string question, CancellationToken ct);
                private Task<IReadOnlyList<string>> RetrieveAsyncCore(string question, CancellationToken ct) =>
                    Task.FromResult<IReadOnlyList<string>>(new[] { question });

                [Stage("generation")]
                private partial string Generate(IReadOnlyList<string> docs);
                private string GenerateCore(IReadOnlyList<string> docs) => string.Join(" ", docs);
            }
            """;
        await new NamingTest(source).WithGenerator().RunAsync();
    }
}
