using System.Collections.Generic;
using System.Linq;

namespace RagMonitor.Generators.Tests.Generation;

/// <summary>One source per supported signature shape; each gets a snapshot, a clean-compile check and a caching check.</summary>
internal static class ShapeCases
{
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using RagMonitor;

        """;

    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>
    {
        ["VoidStage"] = """
            namespace Demo;

            public enum Mode { Fast, Thorough }

            public sealed partial class Indexer
            {
                [Stage("indexing")]
                public partial void Index(
                    [StageMetadata] string collectionName,
                    [StageMetadata("batch")] int batchSize,
                    [StageMetadata] bool rebuild,
                    [StageMetadata] double minScore,
                    [StageMetadata] Mode mode,
                    [StageMetadata] int? maxDocuments,
                    [StageMetadata] long totalBytes,
                    [StageMetadata] decimal price,
                    [StageMetadata] Uri? source,
                    [StageMetadata] MetadataValue raw);

                private void IndexCore(string collectionName, int batchSize, bool rebuild, double minScore, Mode mode, int? maxDocuments, long totalBytes, decimal price, Uri? source, MetadataValue raw)
                {
                }
            }
            """,

        ["ValueStage"] = """
            namespace Demo;

            public sealed partial class Scorer
            {
                [Stage("scoring")]
                public partial double Score(string query, string document);

                private double ScoreCore(string query, string document) => query.Length + document.Length;

                [Stage("chunking")]
                [return: StageMetadata("chunks")]
                internal partial IReadOnlyList<string> Chunk(string text, [StageMetadata] int chunkSize);

                private IReadOnlyList<string> ChunkCore(string text, int chunkSize) => new[] { text };

                [Stage("tokens")]
                [return: StageMetadata("token_count")]
                public partial string[]? Tokens(string text);

                private string[]? TokensCore(string text) => text.Split(' ');

                [Stage("span")]
                public partial Span<int> Slice(Span<int> values, int count);

                private Span<int> SliceCore(Span<int> values, int count) => values.Slice(0, count);
            }
            """,

        ["TaskStage"] = """
            namespace Demo;

            public sealed partial class Store
            {
                [Stage("persist")]
                public partial Task SaveAsync(string key, CancellationToken cancellationToken);

                private async Task SaveAsyncCore(string key, CancellationToken cancellationToken) => await Task.Delay(1, cancellationToken);
            }
            """,

        ["TaskOfTStage"] = """
            namespace Demo;

            public sealed partial class Retriever
            {
                [Stage("retrieval")]
                [return: StageMetadata("documents_retrieved")]
                public partial Task<IReadOnlyList<string>> RetrieveAsync([StageMetadata] string question, [StageMetadata] int topK, CancellationToken cancellationToken = default);

                private async Task<IReadOnlyList<string>> RetrieveAsyncCore(string question, int topK, CancellationToken cancellationToken)
                {
                    await Task.Yield();
                    return Enumerable.Repeat(question, topK).ToList();
                }

                [Stage("lookup")]
                public partial Task<string?> LookupAsync(string key);

                private Task<string?> LookupAsyncCore(string key) => Task.FromResult<string?>(null);
            }
            """,

        ["ValueTaskStage"] = """
            namespace Demo;

            public sealed partial class Cache
            {
                [Stage("cache_write")]
                public partial ValueTask WriteAsync(string key, [StageMetadata] int sizeBytes);

                private ValueTask WriteAsyncCore(string key, int sizeBytes) => default;

                [Stage("cache_read")]
                [return: StageMetadata("hits")]
                public partial ValueTask<string[]> ReadAsync(string[] keys);

                private ValueTask<string[]> ReadAsyncCore(string[] keys) => new(keys);

                [Stage("cache_dictionary")]
                [return: StageMetadata("entries")]
                public partial ValueTask<Dictionary<string, int>?> ReadAllAsync();

                private ValueTask<Dictionary<string, int>?> ReadAllAsyncCore() => new((Dictionary<string, int>?)null);
            }
            """,

        ["AsyncEnumerableStage"] = """
            using System.Runtime.CompilerServices;

            namespace Demo;

            public sealed partial class Generator
            {
                [Stage("generation")]
                public partial IAsyncEnumerable<string> StreamAsync(string prompt, CancellationToken cancellationToken = default);

                private async IAsyncEnumerable<string> StreamAsyncCore(string prompt, [EnumeratorCancellation] CancellationToken cancellationToken)
                {
                    foreach (var word in prompt.Split(' '))
                    {
                        await Task.Yield();
                        yield return word;
                    }
                }
            }
            """,

        ["StaticStage"] = """
            namespace Demo;

            public static partial class Embeddings
            {
                private static readonly PerformanceMonitor s_monitor = new(new PerformanceMonitorOptions { WriteLogs = false });

                [Stage("embedding")]
                public static partial float[] Embed(string text);

                private static float[] EmbedCore(string text) => new float[] { text.Length };

                [Stage("embedding_batch")]
                public static partial Task<float[][]> EmbedManyAsync(IReadOnlyList<string> texts);

                private static Task<float[][]> EmbedManyAsyncCore(IReadOnlyList<string> texts) => Task.FromResult(texts.Select(static t => new float[] { t.Length }).ToArray());
            }
            """,

        ["ExtensionStage"] = """
            namespace Demo;

            public static partial class TextExtensions
            {
                [Stage("normalize")]
                public static partial string Normalize(this string text, [StageMetadata] bool lowerCase = true);

                private static string NormalizeCore(string text, bool lowerCase) => lowerCase ? text.ToLowerInvariant() : text;
            }
            """,

        ["GenericMethods"] = """
            namespace Demo;

            public sealed partial class Ranker
            {
                [Stage("rerank")]
                [return: StageMetadata("ranked")]
                public partial Task<List<T>> RerankAsync<T, TKey>(IEnumerable<T> items, Func<T, TKey> key)
                    where T : class, IComparable<T>
                    where TKey : notnull;

                private Task<List<TItem>> RerankAsyncCore<TItem, TOrder>(IEnumerable<TItem> items, Func<TItem, TOrder> key)
                    where TItem : class, IComparable<TItem>
                    where TOrder : notnull => Task.FromResult(items.OrderBy(key).ToList());

                [Stage("pick")]
                public partial T Pick<T>(T[] values, [StageMetadata] T fallback) where T : struct;

                private T PickCore<T>(T[] values, T fallback) where T : struct => values.Length > 0 ? values[0] : fallback;

                [Stage("create")]
                public partial T Create<T>() where T : class?, new();

                private T CreateCore<T>() where T : class?, new() => new T();

                [Stage("sum")]
                public partial long Sum<T>(ReadOnlySpan<T> values) where T : unmanaged;

                private long SumCore<T>(ReadOnlySpan<T> values) where T : unmanaged => values.Length;
            }
            """,

        ["GenericType"] = """
            namespace Demo;

            public sealed partial class Repository<TDocument, TId>
                where TDocument : class
                where TId : IEquatable<TId>
            {
                private readonly PerformanceMonitor _monitor;

                public Repository(PerformanceMonitor monitor) => _monitor = monitor;

                [Stage("load")]
                public partial Task<TDocument?> LoadAsync(TId id);

                private Task<TDocument?> LoadAsyncCore(TId id) => Task.FromResult<TDocument?>(null);

                [Stage("load_many")]
                [return: StageMetadata("loaded")]
                public partial IReadOnlyCollection<TDocument> LoadMany(IEnumerable<TId> ids);

                private IReadOnlyCollection<TDocument> LoadManyCore(IEnumerable<TId> ids) => Array.Empty<TDocument>();
            }
            """,

        ["NestedTypes"] = """
            namespace Demo.Pipelines;

            public static partial class Outer
            {
                internal partial class Middle<T>
                {
                    private protected partial struct Inner
                    {
                        [Stage("inner")]
                        public partial T Echo(T value);

                        private T EchoCore(T value) => value;
                    }
                }
            }
            """,

        ["RecordTypes"] = """
            namespace Demo;

            public sealed partial record Query(string Text)
            {
                [Stage("rewrite")]
                public partial string Rewrite();

                private string RewriteCore() => Text.Trim();
            }

            public readonly partial record struct Chunk(string Text, int Index)
            {
                [Stage("chunk_embed")]
                public partial Task<int> EmbedAsync();

                private Task<int> EmbedAsyncCore() => Task.FromResult(Text.Length);
            }
            """,

        ["StructTypes"] = """
            namespace Demo;

            public partial struct Counter
            {
                private int _count;

                [Stage("count")]
                public partial int Increment();

                private int IncrementCore() => ++_count;

                [Stage("peek")]
                public readonly partial int Peek();

                private readonly int PeekCore() => _count;
            }

            public readonly partial struct Grader
            {
                private readonly PerformanceMonitor _monitor;

                public Grader(PerformanceMonitor monitor) => _monitor = monitor;

                [Stage("grading")]
                public partial ValueTask<bool> GradeAsync(string document, [StageMetadata] double threshold);

                private ValueTask<bool> GradeAsyncCore(string document, double threshold) => new(document.Length > threshold);
            }
            """,

        ["RefParameters"] = """
            namespace Demo;

            public sealed partial class Buffers
            {
                [Stage("fill")]
                public partial int Fill(ref int cursor, in long limit, out int written, [StageMetadata] params string[] items);

                private int FillCore(ref int cursor, in long limit, out int written, string[] items)
                {
                    written = items.Length;
                    cursor += written;
                    return cursor;
                }

                [Stage("parse")]
                public partial bool TryParse(string text, [StageMetadata("parsed_value")] out int value);

                private bool TryParseCore(string text, out int value) => int.TryParse(text, out value);

                [Stage("peek_ref")]
                public partial int Peek(ref readonly int value, scoped ref int other);

                private int PeekCore(in int value, ref int other) => value + other;

                [Stage("defaults")]
                public partial Task<string> DefaultsAsync(string text = "x", int count = 2, CancellationToken cancellationToken = default);

                private Task<string> DefaultsAsyncCore(string text, int count, CancellationToken cancellationToken) => Task.FromResult(text + count);

                [Stage("deferred_out")]
                public partial Task<int> StartAsync(out int ticket);

                private Task<int> StartAsyncCore(out int ticket)
                {
                    ticket = 7;
                    return Task.FromResult(ticket);
                }
            }
            """,

        ["NullableAnnotations"] = """
            namespace Demo;

            public sealed partial class Notes
            {
                [Stage("annotate")]
                [return: StageMetadata("notes")]
                public partial List<string?>? Annotate(string? text, Dictionary<string, object?> context, [StageMetadata] string? author);

                private List<string?>? AnnotateCore(string? text, Dictionary<string, object?> context, string? author) => text is null ? null : new List<string?> { text, author };

                [Stage("tuples")]
                public partial (string Name, int? Score)[] Rank((string Name, int? Score)[] entries);

                private (string Name, int? Score)[] RankCore((string Name, int? Score)[] entries) => entries;
            }
            """,

        ["Overloads"] = """
            namespace Demo;

            public sealed partial class Search
            {
                [Stage("search_text")]
                public partial int Find(string text);

                [Stage("search_vector")]
                public partial int Find(float[] vector, int topK);

                [Stage("search_generic")]
                public partial int Find<T>(T key) where T : notnull;

                private int FindCore(float[] vector, int topK) => topK;

                private int FindCore<T>(T key) where T : notnull => 0;

                private int FindCore(string text) => text.Length;
            }
            """,

        ["NullableDisabled"] = """
            #nullable disable
            namespace Demo;

            public sealed partial class Legacy
            {
                [Stage("legacy")]
                [return: StageMetadata("rows")]
                public partial Task<List<string>> LoadAsync(string table, [StageMetadata] string filter, [RequestId] object ignoredOnStages);

                private Task<List<string>> LoadAsyncCore(string table, string filter, object ignoredOnStages) => Task.FromResult(new List<string> { table });

                [MonitoredRequest("legacy_request")]
                public partial string Run([RequestId] object id);

                private string RunCore(object id) => id.ToString();
            }
            """,

        ["Accessibility"] = """
            namespace Demo;

            public partial class Steps
            {
                [Stage("public_step")]
                public partial void PublicStep();

                [Stage("internal_step")]
                internal partial void InternalStep();

                [Stage("protected_step")]
                protected partial void ProtectedStep();

                [Stage("protected_internal_step")]
                protected internal partial void ProtectedInternalStep();

                [Stage("private_protected_step")]
                private protected partial void PrivateProtectedStep();

                [Stage("private_step")]
                private partial int PrivateStep();

                [Stage("implicit_step")]
                partial void ImplicitStep(int value);

                [Stage("virtual_step")]
                public virtual partial Task VirtualStepAsync();

                private void PublicStepCore() { }
                private void InternalStepCore() { }
                private void ProtectedStepCore() { }
                private void ProtectedInternalStepCore() { }
                private void PrivateProtectedStepCore() { }
                private int PrivateStepCore() => 1;
                private void ImplicitStepCore(int value) { }
                private Task VirtualStepAsyncCore() => Task.CompletedTask;

                public int UsePrivate() { ImplicitStep(1); return PrivateStep(); }
            }

            public sealed partial class DerivedSteps : Steps
            {
                [Stage("override_step")]
                public override partial Task VirtualStepAsync();

                private Task VirtualStepAsyncCore() => Task.CompletedTask;
            }
            """,

        ["SyncRequest"] = """
            namespace Demo;

            public sealed partial class Cli
            {
                private readonly PerformanceMonitor _monitor;

                public Cli(PerformanceMonitor monitor) => _monitor = monitor;

                [MonitoredRequest]
                public partial int Run([RequestId] string requestId, string[] arguments);

                private int RunCore(string requestId, string[] arguments) => arguments.Length;

                [MonitoredRequest("ping")]
                public partial void Ping();

                private void PingCore() { }
            }
            """,

        ["AsyncRequest"] = """
            namespace Demo;

            public sealed partial class Assistant
            {
                private PerformanceMonitor Monitor { get; }

                public Assistant(PerformanceMonitor monitor) => Monitor = monitor;

                [MonitoredRequest("ask")]
                public partial Task<string> AskAsync(string question, [RequestId] Guid conversationId, CancellationToken cancellationToken = default);

                private async Task<string> AskAsyncCore(string question, Guid conversationId, CancellationToken cancellationToken)
                {
                    await Task.Yield();
                    return question;
                }

                [MonitoredRequest("warmup")]
                public partial Task WarmupAsync([RequestId] int? attempt);

                private Task WarmupAsyncCore(int? attempt) => Task.CompletedTask;

                [MonitoredRequest("health")]
                public partial ValueTask<bool> CheckAsync([RequestId] Uri? endpoint);

                private ValueTask<bool> CheckAsyncCore(Uri? endpoint) => new(true);

                [MonitoredRequest]
                public partial ValueTask PrimeAsync<TKey>([RequestId] TKey key);

                private ValueTask PrimeAsyncCore<TKey>(TKey key) => default;
            }
            """,

        ["MonitorResolution"] = """
            namespace Demo;

            public sealed partial class WithNullableField
            {
                private readonly PerformanceMonitor? _monitor;

                public WithNullableField(PerformanceMonitor? monitor) => _monitor = monitor;

                [Stage("nullable_field")]
                public partial void Run();

                private void RunCore() { }
            }

            public sealed partial class WithInstanceMonitor
            {
                public PerformanceMonitor Monitor { get; } = new(new PerformanceMonitorOptions { WriteLogs = false });

                [Stage("instance_uses_member")]
                public partial void Instance();

                private void InstanceCore() { }

                [Stage("static_uses_default")]
                public static partial void Static();

                private static void StaticCore() { }
            }

            public sealed partial class WithStaticMonitor
            {
                internal static PerformanceMonitor Shared { get; set; } = PerformanceMonitor.Default;

                [Stage("instance_uses_static")]
                public partial void Instance();

                private void InstanceCore() { }
            }
            """,

        ["PrimaryConstructorMonitor"] = """
            namespace Demo;

            public sealed partial class Pipeline(PerformanceMonitor monitor, string name)
            {
                public string Name => name;

                [Stage("primary")]
                public partial Task<int> RunAsync(string question);

                private Task<int> RunAsyncCore(string question) => Task.FromResult(question.Length);

                [Stage("primary_static")]
                public static partial void Static();

                private static void StaticCore() { }
            }

            public readonly partial struct Grader(PerformanceMonitor? monitor)
            {
                [Stage("primary_struct")]
                public partial bool Grade(double score);

                private bool GradeCore(double score) => score > 0.5;
            }
            """,

        ["GlobalNamespace"] = """
            public sealed partial class TopLevelPipeline
            {
                [MonitoredRequest("top")]
                public partial Task RunAsync();

                private Task RunAsyncCore() => Task.CompletedTask;
            }
            """,

        ["KeywordNames"] = """
            namespace Demo;

            public sealed partial class @event
            {
                [Stage("keywords")]
                public partial Task<int> @do([StageMetadata] string @class, int __scope, int __task, int __ok, int __ex, int __result);

                private Task<int> @doCore(string @class, int __scope, int __task, int __ok, int __ex, int __result) => Task.FromResult(__scope + __task);

                [MonitoredRequest("quote\"and\\slash")]
                public partial void Escaped();

                private void EscapedCore() { }
            }
            """,

        // Issue 14: shapes the generator accepts and must compile cleanly.
        ["StructRequestId"] = """
            namespace Demo;

            public sealed partial class Keyed
            {
                [MonitoredRequest("keyed")]
                public partial int Run<TKey>([RequestId] TKey key) where TKey : struct;

                private int RunCore<TKey>(TKey key) where TKey : struct => 1;

                [MonitoredRequest(null)]
                public partial void Unnamed([RequestId] long id);

                private void UnnamedCore(long id) { }
            }
            """,

        ["ExplicitInterfaceMonitor"] = """
            namespace Demo;

            public interface IMonitored
            {
                PerformanceMonitor Monitor { get; }
            }

            public sealed partial class Audited : IMonitored
            {
                private readonly PerformanceMonitor _monitor = new(new PerformanceMonitorOptions { WriteLogs = false });

                PerformanceMonitor IMonitored.Monitor => _monitor;

                [Stage("audit")]
                public partial int Check(string text);

                private int CheckCore(string text) => text.Length;
            }
            """,

        ["VarNamedType"] = """
            #pragma warning disable CS8981 // the point of this case: a user type named 'var'
            namespace Demo;

            public sealed class var
            {
                public int Value { get; init; }
            }

            public sealed partial class Builder
            {
                [Stage("build")]
                [return: StageMetadata("parts")]
                public partial List<var> Build([StageMetadata] int value);

                private List<var> BuildCore(int value) => new() { new var { Value = value } };

                [Stage("build_async")]
                public partial Task<var> BuildAsync(int value);

                private Task<var> BuildAsyncCore(int value) => Task.FromResult(new var { Value = value });

                [MonitoredRequest("build_request")]
                public partial var Request([RequestId] var id);

                private var RequestCore(var id) => id;
            }
            """,

        ["NullabilityWidening"] = """
            namespace Demo;

            public sealed partial class Lenient
            {
                [Stage("describe")]
                public partial string? Describe(string text, out string? note);

                private string DescribeCore(string? text, out string note)
                {
                    note = "n";
                    return text ?? string.Empty;
                }

                [Stage("find")]
                public partial Task<string?> FindAsync(string key);

                private Task<string?> FindAsyncCore(string? key) => Task.FromResult(key);
            }
            """,

        ["UnsignedMetadata"] = """
            namespace Demo;

            public sealed partial class Offsets
            {
                [Stage("store")]
                public partial void Store([StageMetadata] ulong offset, [StageMetadata] ulong? limit, [StageMetadata] uint small, [StageMetadata] char tag);

                private void StoreCore(ulong offset, ulong? limit, uint small, char tag) { }
            }
            """,
    };

    public static IEnumerable<object[]> Names => All.Keys.OrderBy(static k => k, System.StringComparer.Ordinal).Select(static k => new object[] { k });

    public static string Source(string name) => Usings + All[name];
}
