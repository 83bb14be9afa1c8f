using Microsoft.CodeAnalysis.CSharp;

namespace RagMonitor.Generators.Tests.Generation;

/// <summary>The generated code needs nothing newer than C# 9, the version that allows partial methods with a result.</summary>
public sealed class LanguageVersionTests
{
    private const string Source = ShapeCases.Usings + """
        namespace Demo
        {
            public sealed partial class Pipeline
            {
                private readonly PerformanceMonitor _monitor;

                public Pipeline(PerformanceMonitor monitor) => _monitor = monitor;

                [MonitoredRequest("ask")]
                public partial Task<string> AskAsync([RequestId] string id, CancellationToken cancellationToken = default);
                private Task<string> AskAsyncCore(string id, CancellationToken cancellationToken) => Task.FromResult(id);

                [Stage("retrieval")]
                [return: StageMetadata("documents_retrieved")]
                public partial ValueTask<IReadOnlyList<string>> RetrieveAsync([StageMetadata] string question, [StageMetadata] string[] filters);
                private ValueTask<IReadOnlyList<string>> RetrieveAsyncCore(string question, string[] filters) => new ValueTask<IReadOnlyList<string>>(filters);

                [Stage("generation")]
                public partial IAsyncEnumerable<string> GenerateAsync(string prompt);
                private IAsyncEnumerable<string> GenerateAsyncCore(string prompt) => throw new InvalidOperationException();

                [Stage("scoring")]
                [return: StageMetadata("scores")]
                public partial List<double> Score(ref int cursor, out int written, params double[] values);
                private List<double> ScoreCore(ref int cursor, out int written, double[] values) { written = values.Length; return new List<double>(values); }
            }
        }
        """;

    [Fact]
    public void Generated_code_compiles_cleanly_with_CSharp_9()
    {
        var result = GeneratorHarness.Run(new CSharpParseOptions(LanguageVersion.CSharp9), Source).AssertClean();

        Assert.Single(result.Sources);
    }
}
