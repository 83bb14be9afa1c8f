namespace RagMonitor.Generators.Tests.Generation;

/// <summary>A small annotated pipeline, compiled with the generator and run by <see cref="BehaviourTests"/>.</summary>
internal static class BehaviourScenario
{
    public const string Source = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Runtime.CompilerServices;
        using System.Threading;
        using System.Threading.Tasks;
        using RagMonitor;

        namespace Scenario;

        public sealed class PipelineFailure : Exception
        {
            public PipelineFailure(string message) : base(message) { }
        }

        public enum Mode { Fast, Thorough }

        public static class Thrown
        {
            public static Exception? Last;
        }

        public sealed partial class Pipeline
        {
            private readonly PerformanceMonitor _monitor;

            public Pipeline(PerformanceMonitor monitor) => _monitor = monitor;

            // ---- requests

            [MonitoredRequest("sync_request")]
            public partial int RunSync([RequestId] string requestId, int sleepMs);

            private int RunSyncCore(string requestId, int sleepMs)
            {
                SleepStage(sleepMs, "fast", true);
                var scored = Score("what is rag");
                var chunks = Chunk("a b c d", 2);
                return (int)scored + chunks.Count;
            }

            [MonitoredRequest]
            public partial Task<int> AskAsync(string question, [RequestId] Guid conversationId, int delayMs, CancellationToken cancellationToken = default);

            private async Task<int> AskAsyncCore(string question, Guid conversationId, int delayMs, CancellationToken cancellationToken)
            {
                var documents = await RetrieveAsync(question, 3, delayMs, cancellationToken);
                await PersistAsync(documents.Count, delayMs, cancellationToken);
                var graded = await GradeAsync(documents.Count, delayMs);
                await WarmAsync(delayMs);
                return graded;
            }

            [MonitoredRequest("anonymous")]
            public partial ValueTask<string?> AnonymousAsync();

            private ValueTask<string?> AnonymousAsyncCore() => new(StageContext.CurrentRequestId);

            [MonitoredRequest("nullable_id")]
            public partial string? NullableId([RequestId] string? requestId);

            private string? NullableIdCore(string? requestId) => StageContext.CurrentRequestId;

            [MonitoredRequest("conversions")]
            public partial void Conversions([RequestId] int requestId);

            private void ConversionsCore(int requestId) =>
                Convert(Mode.Thorough, null, 7, 2.5m, 'x', new List<string> { "a", "b" }, new Uri("https://example.invalid/docs"), 1.5f);

            [Stage("convert")]
            public partial void Convert(
                [StageMetadata] Mode mode,
                [StageMetadata] int? missing,
                [StageMetadata] int? present,
                [StageMetadata] decimal price,
                [StageMetadata] char letter,
                [StageMetadata] IReadOnlyCollection<string> documents,
                [StageMetadata] Uri source,
                [StageMetadata("ratio")] float ratioValue);

            private void ConvertCore(Mode mode, int? missing, int? present, decimal price, char letter, IReadOnlyCollection<string> documents, Uri source, float ratioValue) { }

            [MonitoredRequest("parallel")]
            public partial Task<string> ParallelAsync([RequestId] string requestId, int delayMs);

            private async Task<string> ParallelAsyncCore(string requestId, int delayMs)
            {
                var results = await Task.WhenAll(
                    BranchAsync("branch_a", delayMs * 3),
                    BranchAsync("branch_b", delayMs),
                    BranchAsync("branch_c", delayMs * 2));
                return string.Join(",", results);
            }

            [MonitoredRequest("failing_request")]
            public partial Task FailingRequestAsync([RequestId] string requestId, string mode, CancellationToken cancellationToken);

            private async Task FailingRequestAsyncCore(string requestId, string mode, CancellationToken cancellationToken)
            {
                switch (mode)
                {
                    case "sync":
                        ThrowingStage();
                        break;
                    case "async":
                        await ThrowingAsync(5);
                        break;
                    case "eager":
                        await ThrowingEagerlyAsync();
                        break;
                    case "cancel":
                        await CancellableAsync(cancellationToken);
                        break;
                }
            }

            [MonitoredRequest("sync_failure")]
            public partial void FailSync([RequestId] string requestId);

            private void FailSyncCore(string requestId) => ThrowingStage();

            [MonitoredRequest("stream_request")]
            public partial Task<int> StreamAsync([RequestId] string requestId, int take, CancellationToken cancellationToken);

            private async Task<int> StreamAsyncCore(string requestId, int take, CancellationToken cancellationToken)
            {
                var count = 0;
                await foreach (var token in GenerateAsync("one two three four", cancellationToken))
                {
                    if (++count == take)
                    {
                        break;
                    }
                }

                return count;
            }

            [MonitoredRequest("shapes")]
            public partial Task<string> ShapesAsync([RequestId] string requestId);

            private async Task<string> ShapesAsyncCore(string requestId)
            {
                var cursor = 1;
                var filled = Fill(ref cursor, 10, out var written, "x", "y", "z");
                var parsed = TryParse("42", out var value);
                var pick = Pick(new[] { 3, 4 }, 9);
                var created = Create<List<int>>();
                var embedded = Embeddings.Embed("hello");
                var counter = new Counter();
                counter.Increment();
                counter.Increment();
                var peek = counter.Peek();
                var grader = new Grader(_monitor);
                var pass = await grader.GradeAsync("long document", 3.5);
                var echo = new Outer<string>.Inner().Echo("echo");
                var query = new Query(" q ").Rewrite();
                var repository = new Repository<string>(_monitor);
                var loaded = await repository.LoadAsync(7);
                var defaults = await DefaultsAsync();
                return string.Join("|", filled, cursor, written, parsed, value, pick, created.Count, embedded.Length, peek, pass, echo, query, loaded, defaults);
            }

            // ---- stages

            [Stage("sleep")]
            public partial void SleepStage(int sleepMs, [StageMetadata] string speed, [StageMetadata("warm")] bool isWarm);

            private void SleepStageCore(int sleepMs, string speed, bool isWarm) => Thread.Sleep(sleepMs);

            [Stage("scoring")]
            public partial double Score([StageMetadata] string query);

            private double ScoreCore(string query) => query.Length;

            [Stage("chunking")]
            [return: StageMetadata("chunks")]
            public partial IReadOnlyList<string> Chunk(string text, [StageMetadata] int chunkSize);

            private IReadOnlyList<string> ChunkCore(string text, int chunkSize) => text.Split(' ').Chunk(chunkSize).Select(static c => string.Join(" ", c)).ToList();

            [Stage("retrieval")]
            [return: StageMetadata("documents_retrieved")]
            public partial Task<IReadOnlyList<string>> RetrieveAsync(string question, [StageMetadata] int topK, int delayMs, CancellationToken cancellationToken);

            private async Task<IReadOnlyList<string>> RetrieveAsyncCore(string question, int topK, int delayMs, CancellationToken cancellationToken)
            {
                StageContext.AddMetadata("before_await", true);
                await Task.Delay(delayMs, cancellationToken);
                StageContext.AddMetadata("after_await", StageContext.CurrentStageName ?? "none");
                return Enumerable.Range(0, topK).Select(i => question + i).ToList();
            }

            [Stage("persist")]
            public partial Task PersistAsync([StageMetadata] int documentCount, int delayMs, CancellationToken cancellationToken);

            private async Task PersistAsyncCore(int documentCount, int delayMs, CancellationToken cancellationToken) => await Task.Delay(delayMs, cancellationToken);

            [Stage("grading")]
            [return: StageMetadata("kept")]
            public partial ValueTask<int[]> GradeListAsync(int count);

            private ValueTask<int[]> GradeListAsyncCore(int count) => new(Enumerable.Range(0, count).ToArray());

            [Stage("grading_total")]
            public partial ValueTask<int> GradeAsync(int count, int delayMs);

            private async ValueTask<int> GradeAsyncCore(int count, int delayMs)
            {
                var kept = await GradeListAsync(count);
                await Task.Delay(delayMs);
                return kept.Length;
            }

            [Stage("warm")]
            public partial ValueTask WarmAsync(int delayMs);

            private async ValueTask WarmAsyncCore(int delayMs) => await Task.Delay(delayMs);

            private async Task<string> BranchAsync(string name, int delayMs)
            {
                await Task.Yield();
                return await (name switch
                {
                    "branch_a" => BranchAAsync(delayMs),
                    "branch_b" => BranchBAsync(delayMs),
                    _ => BranchCAsync(delayMs),
                });
            }

            [Stage("slow_branch")]
            private partial Task<string> BranchAAsync(int delayMs);

            private async Task<string> BranchAAsyncCore(int delayMs)
            {
                await Task.Delay(delayMs);
                StageContext.AddMetadata("request", StageContext.CurrentRequestId ?? "none");
                return "a";
            }

            [Stage("fast_branch")]
            private partial Task<string> BranchBAsync(int delayMs);

            private async Task<string> BranchBAsyncCore(int delayMs)
            {
                await Task.Delay(delayMs);
                StageContext.AddMetadata("request", StageContext.CurrentRequestId ?? "none");
                return "b";
            }

            [Stage("middle_branch")]
            private partial Task<string> BranchCAsync(int delayMs);

            private async Task<string> BranchCAsyncCore(int delayMs)
            {
                await Task.Delay(delayMs);
                StageContext.AddMetadata("request", StageContext.CurrentRequestId ?? "none");
                return "c";
            }

            [Stage("throwing")]
            public partial void ThrowingStage();

            private void ThrowingStageCore()
            {
                var exception = new PipelineFailure("sync stage failed");
                Thrown.Last = exception;
                throw exception;
            }

            [Stage("throwing_async")]
            public partial Task<int> ThrowingAsync(int delayMs);

            private async Task<int> ThrowingAsyncCore(int delayMs)
            {
                await Task.Delay(delayMs);
                var exception = new PipelineFailure("async stage failed");
                Thrown.Last = exception;
                throw exception;
            }

            [Stage("throwing_eagerly")]
            public partial Task ThrowingEagerlyAsync();

            private Task ThrowingEagerlyAsyncCore()
            {
                var exception = new ArgumentException("eager check failed");
                Thrown.Last = exception;
                throw exception;
            }

            [Stage("cancellable")]
            public partial Task CancellableAsync(CancellationToken cancellationToken);

            private async Task CancellableAsyncCore(CancellationToken cancellationToken) => await Task.Delay(Timeout.Infinite, cancellationToken);

            [Stage("generation")]
            public partial IAsyncEnumerable<string> GenerateAsync(string prompt, CancellationToken cancellationToken = default);

            private async IAsyncEnumerable<string> GenerateAsyncCore(string prompt, [EnumeratorCancellation] CancellationToken cancellationToken)
            {
                await Task.Delay(15, cancellationToken);
                foreach (var word in prompt.Split(' '))
                {
                    StageContext.AddMetadata("last_word", word);
                    await Task.Yield();
                    yield return word;
                }
            }

            [Stage("fill")]
            public partial int Fill(ref int cursor, in long limit, [StageMetadata] out int written, [StageMetadata] params string[] items);

            private int FillCore(ref int cursor, in long limit, out int written, string[] items)
            {
                written = items.Length;
                cursor += written;
                return (int)Math.Min(cursor, limit);
            }

            [Stage("parse")]
            public partial bool TryParse(string text, [StageMetadata("parsed")] out int value);

            private bool TryParseCore(string text, out int value) => int.TryParse(text, out value);

            [Stage("pick")]
            public partial T Pick<T>(T[] values, [StageMetadata] T fallback) where T : struct;

            private T PickCore<T>(T[] values, T fallback) where T : struct => values.Length > 0 ? values[0] : fallback;

            [Stage("create")]
            public partial T Create<T>() where T : class, new();

            private T CreateCore<T>() where T : class, new() => new T();

            [Stage("defaults")]
            public partial Task<string> DefaultsAsync(string text = "d", int count = 3);

            private Task<string> DefaultsAsyncCore(string text, int count) => Task.FromResult(text + count);
        }

        public sealed partial class PrimaryPipeline(PerformanceMonitor monitor)
        {
            [MonitoredRequest("primary_request")]
            public partial int Run([RequestId] string requestId);

            private int RunCore(string requestId) => Step();

            [Stage("primary_stage")]
            private partial int Step();

            private int StepCore() => 3;
        }

        public static partial class Embeddings
        {
            public static PerformanceMonitor Monitor = null!;

            [Stage("embedding")]
            [return: StageMetadata("dimensions")]
            public static partial float[] Embed(string text);

            private static float[] EmbedCore(string text) => new float[] { text.Length, 1, 2 };
        }

        public static partial class DefaultMonitorUser
        {
            [MonitoredRequest("default_request")]
            public static partial int Run([RequestId] string requestId);

            private static int RunCore(string requestId) => Step();

            [Stage("default_stage")]
            public static partial int Step();

            private static int StepCore() => 5;
        }

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

            [Stage("struct_grading")]
            public partial ValueTask<bool> GradeAsync(string document, [StageMetadata] double threshold);

            private async ValueTask<bool> GradeAsyncCore(string document, double threshold)
            {
                await Task.Yield();
                return document.Length > threshold;
            }
        }

        public static partial class Outer<T>
        {
            public partial struct Inner
            {
                [Stage("nested")]
                public partial T Echo(T value);

                private T EchoCore(T value) => value;
            }
        }

        public sealed partial record Query(string Text)
        {
            [Stage("rewrite")]
            public partial string Rewrite();

            private string RewriteCore() => Text.Trim();
        }

        public sealed partial class Repository<TDocument>
            where TDocument : class
        {
            private readonly PerformanceMonitor _monitor;

            public Repository(PerformanceMonitor monitor) => _monitor = monitor;

            [Stage("load")]
            public partial Task<TDocument?> LoadAsync([StageMetadata] int id);

            private async Task<TDocument?> LoadAsyncCore(int id)
            {
                await Task.Yield();
                return null;
            }
        }
        """;
}
