using System.Threading.Tasks;
using RagMonitor.CodeFixes;
using RagMonitor.Generators.Analyzers.Declaration;
using RagMonitor.Generators.Tests.AnalyzerTesting;

namespace RagMonitor.Generators.Tests.CodeFixes;

/// <summary>
/// RMON001 (reported from the generator's pipeline; <see cref="DeclarationAnalyzer"/> when it does not run): make the method and its
/// containing types partial. The generator runs on the fixed code, so it must compile cleanly.
/// </summary>
public sealed class AddPartialFixTests
{
    private static FixTest<DeclarationAnalyzer, AddPartialCodeFixProvider> Test(string source, string fixedSource) => new(source, fixedSource);

    [Fact]
    public async Task Makes_a_body_less_method_and_every_containing_type_partial()
    {
        const string source = """
            using System.Threading.Tasks;
            using RagMonitor;

            namespace Demo;

            public class Outer
            {
                internal sealed class Retriever
                {
                    /// <summary>Finds documents.</summary>
                    [Stage("retrieval")]
                    public Task<int> {|CS0501:{|RMON001:RetrieveAsync|}|}(string query);

                    private Task<int> RetrieveAsyncCore(string query) => Task.FromResult(query.Length);
                }
            }
            """;
        const string fixedSource = """
            using System.Threading.Tasks;
            using RagMonitor;

            namespace Demo;

            public partial class Outer
            {
                internal sealed partial class Retriever
                {
                    /// <summary>Finds documents.</summary>
                    [Stage("retrieval")]
                    public partial Task<int> RetrieveAsync(string query);

                    private Task<int> RetrieveAsyncCore(string query) => Task.FromResult(query.Length);
                }
            }
            """;
        await Test(source, fixedSource).RunAsync();
    }

    [Fact]
    public async Task Makes_the_containing_types_partial_when_the_method_already_is()
    {
        const string source = """
            using RagMonitor;

            static class Stages
            {
                [Stage("grading")]
                static partial void {|CS0751:{|RMON001:Grade|}|}();

                static void GradeCore() { }
            }
            """;
        const string fixedSource = """
            using RagMonitor;

            static partial class Stages
            {
                [Stage("grading")]
                static partial void Grade();

                static void GradeCore() { }
            }
            """;
        await Test(source, fixedSource).RunAsync();
    }

    [Fact]
    public async Task Moves_an_existing_block_body_to_the_Core_method()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Linq;
            using RagMonitor;

            public sealed class Grader
            {
                [Stage("grading")]
                public IReadOnlyList<string> {|RMON001:Grade|}([StageMetadata] IReadOnlyList<string> documents, double minScore = 0.5)
                {
                    // keep only long documents
                    return documents.Where(d => d.Length > minScore).ToList();
                }

                public int Other() => 1;
            }
            """;
        const string fixedSource = """
            using System.Collections.Generic;
            using System.Linq;
            using RagMonitor;

            public sealed partial class Grader
            {
                [Stage("grading")]
                public partial IReadOnlyList<string> Grade([StageMetadata] IReadOnlyList<string> documents, double minScore = 0.5);

                private IReadOnlyList<string> GradeCore(IReadOnlyList<string> documents, double minScore)
                {
                    // keep only long documents
                    return documents.Where(d => d.Length > minScore).ToList();
                }

                public int Other() => 1;
            }
            """;
        await Test(source, fixedSource).RunAsync();
    }

    [Fact]
    public async Task Moves_an_async_expression_body_and_keeps_async_on_the_Core_method()
    {
        const string source = """
            using System.Threading;
            using System.Threading.Tasks;
            using RagMonitor;

            public sealed partial class Generator
            {
                private readonly PerformanceMonitor _monitor = new();

                [Stage("generation")]
                internal static async Task<string> {|RMON001:GenerateAsync|}<T>(T prompt, CancellationToken ct) where T : class => await Task.FromResult(prompt.ToString() ?? "");
            }
            """;
        const string fixedSource = """
            using System.Threading;
            using System.Threading.Tasks;
            using RagMonitor;

            public sealed partial class Generator
            {
                private readonly PerformanceMonitor _monitor = new();

                [Stage("generation")]
                internal static partial Task<string> GenerateAsync<T>(T prompt, CancellationToken ct) where T : class;

                private static async Task<string> GenerateAsyncCore<T>(T prompt, CancellationToken ct) where T : class => await Task.FromResult(prompt.ToString() ?? "");
            }
            """;
        await Test(source, fixedSource).RunAsync();
    }

    [Fact]
    public async Task Fix_all_handles_several_methods_of_one_type()
    {
        const string source = """
            using RagMonitor;

            public class Pipeline
            {
                [Stage("retrieval")]
                public int {|RMON001:Retrieve|}(string query) => query.Length;

                [Stage("grading")]
                public bool {|RMON001:Grade|}(int score)
                {
                    return score > 3;
                }
            }
            """;
        const string fixedSource = """
            using RagMonitor;

            public partial class Pipeline
            {
                [Stage("retrieval")]
                public partial int Retrieve(string query);

                private int RetrieveCore(string query) => query.Length;

                [Stage("grading")]
                public partial bool Grade(int score);

                private bool GradeCore(int score)
                {
                    return score > 3;
                }
            }
            """;
        var test = Test(source, fixedSource);
        test.NumberOfFixAllIterations = 1;
        await test.RunAsync();
    }

    [Fact]
    public async Task Writes_out_private_when_csharp_requires_an_accessibility_modifier()
    {
        const string source = """
            using RagMonitor;

            public partial class Pipeline
            {
                [Stage("retrieval")]
                static int {|RMON001:Retrieve|}(string query, out bool cached)
                {
                    cached = false;
                    return query.Length;
                }

                [Stage("grading")]
                void {|RMON001:Grade|}() { }
            }
            """;
        const string fixedSource = """
            using RagMonitor;

            public partial class Pipeline
            {
                [Stage("retrieval")]
                private static partial int Retrieve(string query, out bool cached);

                private static int RetrieveCore(string query, out bool cached)
                {
                    cached = false;
                    return query.Length;
                }

                [Stage("grading")]
                partial void Grade();

                private void GradeCore() { }
            }
            """;
        var test = Test(source, fixedSource);
        test.NumberOfFixAllIterations = 1;
        await test.RunAsync();
    }

    [Fact]
    public async Task Moves_the_body_of_a_partial_method_written_with_one_RMON002()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Linq;
            using RagMonitor;

            public sealed partial class Grader
            {
                [Stage("grading")]
                public partial IReadOnlyList<int> {|CS0759:{|RMON002:Grade|}|}(IReadOnlyList<int> scores)
                {
                    return scores.Where(s => s > 3).ToList();
                }
            }
            """;
        const string fixedSource = """
            using System.Collections.Generic;
            using System.Linq;
            using RagMonitor;

            public sealed partial class Grader
            {
                [Stage("grading")]
                public partial IReadOnlyList<int> Grade(IReadOnlyList<int> scores);

                private IReadOnlyList<int> GradeCore(IReadOnlyList<int> scores)
                {
                    return scores.Where(s => s > 3).ToList();
                }
            }
            """;
        var test = Test(source, fixedSource);
        test.CodeActionEquivalenceKey = AddPartialCodeFixProvider.MoveBodyEquivalenceKey;
        await test.RunAsync();
    }
}
