using System.Threading.Tasks;
using RagMonitor.CodeFixes;
using RagMonitor.Generators.Analyzers.Declaration;
using RagMonitor.Generators.Tests.AnalyzerTesting;

namespace RagMonitor.Generators.Tests.CodeFixes;

/// <summary>
/// RMON003 (reported from the generator's pipeline, which runs in these tests): create the missing Core
/// method. The generator runs on the fixed code and its wrapper calls the new method, so a signature
/// mismatch would fail compilation. (Before the fix the generator implements the method with a stub that
/// only throws, so RMON003 is the only error: no CS8795.)
/// </summary>
public sealed class CreateCoreMethodFixTests
{
    private static FixTest<DeclarationAnalyzer, CreateCoreMethodCodeFixProvider> Test(string source, string fixedSource) => new(source, fixedSource);

    [Fact]
    public async Task Creates_a_throwing_Core_method_after_the_declaration()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using RagMonitor;

            public sealed partial class Retriever
            {
                /// <summary>Finds documents.</summary>
                [Stage("retrieval")]
                [return: StageMetadata("documents_retrieved")]
                public partial Task<IReadOnlyList<string>> {|RMON003:RetrieveAsync|}([StageMetadata] string query, CancellationToken ct = default);

                public void Other() { }
            }
            """;
        const string fixedSource = """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using RagMonitor;

            public sealed partial class Retriever
            {
                /// <summary>Finds documents.</summary>
                [Stage("retrieval")]
                [return: StageMetadata("documents_retrieved")]
                public partial Task<IReadOnlyList<string>> RetrieveAsync([StageMetadata] string query, CancellationToken ct = default);

                private Task<IReadOnlyList<string>> RetrieveAsyncCore(string query, CancellationToken ct)
                {
                    throw new NotImplementedException();
                }

                public void Other() { }
            }
            """;
        await Test(source, fixedSource).RunAsync();
    }

    [Fact]
    public async Task Qualifies_the_exception_without_a_using_directive()
    {
        const string source = """
            namespace Demo
            {
                public static partial class Scorer
                {
                    [RagMonitor.Stage("scoring")]
                    internal static partial double {|RMON003:Score|}(string text);
                }
            }
            """;
        const string fixedSource = """
            namespace Demo
            {
                public static partial class Scorer
                {
                    [RagMonitor.Stage("scoring")]
                    internal static partial double Score(string text);

                    private static double ScoreCore(string text)
                    {
                        throw new System.NotImplementedException();
                    }
                }
            }
            """;
        await Test(source, fixedSource).RunAsync();
    }

    [Fact]
    public async Task Copies_ref_kinds_params_type_parameters_constraints_and_nullability()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using RagMonitor;

            #nullable enable

            public partial class Ranker<TDoc> where TDoc : class
            {
                [Stage("ranking")]
                public partial TResult? {|RMON003:Rank|}<TResult, TKey>(ref int cursor, in double weight, out bool found, IReadOnlyList<TDoc>? docs, params TKey[] keys)
                    where TResult : class, new()
                    where TKey : notnull, IComparable<TKey>;
            }
            """;
        const string fixedSource = """
            using System;
            using System.Collections.Generic;
            using RagMonitor;

            #nullable enable

            public partial class Ranker<TDoc> where TDoc : class
            {
                [Stage("ranking")]
                public partial TResult? Rank<TResult, TKey>(ref int cursor, in double weight, out bool found, IReadOnlyList<TDoc>? docs, params TKey[] keys)
                    where TResult : class, new()
                    where TKey : notnull, IComparable<TKey>;

                private TResult? RankCore<TResult, TKey>(ref int cursor, in double weight, out bool found, IReadOnlyList<TDoc>? docs, params TKey[] keys)
                    where TResult : class, new()
                    where TKey : notnull, IComparable<TKey>
                {
                    throw new NotImplementedException();
                }
            }
            """;
        await Test(source, fixedSource).RunAsync();
    }

    [Fact]
    public async Task Keeps_readonly_on_a_struct_member()
    {
        const string source = """
            using System;
            using RagMonitor;

            public partial struct Counter
            {
                private int _count;

                [Stage("counting")]
                public readonly partial int {|RMON003:Count|}(string text);
            }
            """;
        const string fixedSource = """
            using System;
            using RagMonitor;

            public partial struct Counter
            {
                private int _count;

                [Stage("counting")]
                public readonly partial int Count(string text);

                private readonly int CountCore(string text)
                {
                    throw new NotImplementedException();
                }
            }
            """;
        await Test(source, fixedSource).RunAsync();
    }

    [Fact]
    public async Task Fix_all_creates_every_missing_Core_method()
    {
        const string source = """
            using System;
            using System.Threading.Tasks;
            using RagMonitor;

            public sealed partial class Pipeline
            {
                [MonitoredRequest("ask")]
                public partial Task<string> {|RMON003:AskAsync|}([RequestId] string id, string question);

                [Stage("retrieval")]
                private partial ValueTask {|RMON003:WarmUpAsync|}();

                [Stage("generation")]
                private static partial void {|RMON003:Generate|}(ref string answer);
            }
            """;
        const string fixedSource = """
            using System;
            using System.Threading.Tasks;
            using RagMonitor;

            public sealed partial class Pipeline
            {
                [MonitoredRequest("ask")]
                public partial Task<string> AskAsync([RequestId] string id, string question);

                private Task<string> AskAsyncCore(string id, string question)
                {
                    throw new NotImplementedException();
                }

                [Stage("retrieval")]
                private partial ValueTask WarmUpAsync();

                private ValueTask WarmUpAsyncCore()
                {
                    throw new NotImplementedException();
                }

                [Stage("generation")]
                private static partial void Generate(ref string answer);

                private static void GenerateCore(ref string answer)
                {
                    throw new NotImplementedException();
                }
            }
            """;
        var test = Test(source, fixedSource);
        test.NumberOfFixAllIterations = 1;
        await test.RunAsync();
    }
}
