using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor.Generators.Tests.Generation;

/// <summary>
/// Compiles <see cref="BehaviourScenario"/> with the generator, runs it, and checks what the monitor recorded.
/// Durations are only checked against lower bounds (a stage that awaits a 40 ms delay lasts at least about that
/// long, where a wrapper that stopped at the first await would record almost nothing). Task.Delay runs on a
/// coarse clock and may finish a few milliseconds early, hence <see cref="TimerSlackMs"/>.
/// </summary>
public sealed class BehaviourTests
{
    private const string PipelineType = "Scenario.Pipeline";

    /// <summary>How much earlier than asked a Task.Delay may complete, measured with Stopwatch (coarse timer ticks).</summary>
    private const int TimerSlackMs = 5;

    private static readonly Lazy<Assembly> s_assembly = new(static () =>
    {
        // Types without a PerformanceMonitor member use the default monitor: keep it from writing files.
        PerformanceMonitor.ConfigureDefault(static o => o.WriteLogs = false);
        var result = GeneratorHarness.Run(BehaviourScenario.Source).AssertClean();
        return GeneratorHarness.Load(result.Compilation);
    });

    private static Assembly Assembly => s_assembly.Value;

    [Fact]
    public void Synchronous_request_and_stages_record_durations_calls_metadata_and_result_counts()
    {
        using var recorder = new Recorder();
        var pipeline = recorder.NewPipeline();

        var result = Invoke(pipeline, "RunSync", "req-sync", 30);

        Assert.Equal(11 + 2, result);
        var summary = recorder.Single();
        Assert.Equal("sync_request", summary.RequestName);
        Assert.Equal("req-sync", summary.RequestId);
        Assert.Equal(OperationStatus.Success, summary.Status);
        Assert.Equal(new[] { "sleep", "scoring", "chunking" }, summary.Stages.Select(static s => s.Name));

        var sleep = summary.Stage("sleep");
        Assert.True(sleep.Duration >= TimeSpan.FromMilliseconds(29), $"sleep lasted {sleep.Duration}");
        Assert.True(summary.TotalTime >= sleep.Duration);
        Assert.Equal(1, sleep.Calls);
        Assert.Equal(OperationStatus.Success, sleep.Status);
        Assert.Null(sleep.ErrorType);
        Assert.Equal("fast", sleep.Meta("speed").StringValue);
        Assert.True(sleep.Meta("warm").BooleanValue);

        Assert.Equal("what is rag", summary.Stage("scoring").Meta("query").StringValue);
        var chunking = summary.Stage("chunking");
        Assert.Equal(2, chunking.Meta("chunk_size").IntegerValue);
        Assert.Equal(2, chunking.Meta("chunks").IntegerValue);
    }

    [Fact]
    public async Task Async_stages_last_until_their_task_completes_and_record_counts_and_body_metadata()
    {
        using var recorder = new Recorder();
        var pipeline = recorder.NewPipeline();
        var conversation = Guid.NewGuid();

        var task = (Task<int>)InvokeRaw(pipeline, "AskAsync", "question", conversation, 40, CancellationToken.None)!;
        Assert.False(task.IsCompleted);
        Assert.Empty(recorder.Summaries);
        var graded = await task;

        Assert.Equal(3, graded);
        var summary = recorder.Single();
        Assert.Equal("AskAsync", summary.RequestName);
        Assert.Equal(conversation.ToString(), summary.RequestId);
        Assert.Equal(OperationStatus.Success, summary.Status);
        Assert.Equal(new[] { "retrieval", "persist", "grading_total", "grading", "warm" }, summary.Stages.Select(static s => s.Name));

        var retrieval = summary.Stage("retrieval");
        Assert.True(retrieval.Duration >= TimeSpan.FromMilliseconds(40 - TimerSlackMs), $"retrieval lasted {retrieval.Duration}: it must cover the awaited delay");
        Assert.Equal(3, retrieval.Meta("top_k").IntegerValue);
        Assert.Equal(3, retrieval.Meta("documents_retrieved").IntegerValue);
        Assert.True(retrieval.Meta("before_await").BooleanValue);
        Assert.Equal("retrieval", retrieval.Meta("after_await").StringValue);

        Assert.True(summary.Stage("persist").Duration >= TimeSpan.FromMilliseconds(40 - TimerSlackMs));
        Assert.Equal(3, summary.Stage("persist").Meta("document_count").IntegerValue);
        Assert.True(summary.Stage("grading_total").Duration >= TimeSpan.FromMilliseconds(40 - TimerSlackMs));
        Assert.Equal(3, summary.Stage("grading").Meta("kept").IntegerValue);
        Assert.True(summary.Stage("warm").Duration >= TimeSpan.FromMilliseconds(40 - TimerSlackMs));
        Assert.All(summary.Stages, static s => Assert.Equal(1, s.Calls));
        Assert.True(summary.TotalTime >= TimeSpan.FromMilliseconds(4 * (40 - TimerSlackMs)));
    }

    [Fact]
    public async Task Request_without_request_id_parameter_gets_a_new_unique_id()
    {
        using var recorder = new Recorder();
        var pipeline = recorder.NewPipeline();

        var first = await InvokeValueTask<string?>(pipeline, "AnonymousAsync");
        var second = await InvokeValueTask<string?>(pipeline, "AnonymousAsync");

        Assert.False(string.IsNullOrWhiteSpace(first));
        Assert.NotEqual(first, second);
        Assert.Equal(new[] { first, second }, recorder.Summaries.Select(static s => s.RequestId));
        Assert.All(recorder.Summaries, static s => Assert.Equal("anonymous", s.RequestName));
    }

    [Fact]
    public void A_null_request_id_argument_gets_a_new_id_and_a_value_is_used_as_given()
    {
        using var recorder = new Recorder();
        var pipeline = recorder.NewPipeline();

        var generated = (string?)Invoke(pipeline, "NullableId", new object?[] { null });
        var given = (string?)Invoke(pipeline, "NullableId", "given-id");

        Assert.False(string.IsNullOrWhiteSpace(generated));
        Assert.Equal("given-id", given);
        Assert.Equal(new[] { generated, "given-id" }, recorder.Summaries.Select(static s => s.RequestId));
    }

    [Fact]
    public void Parameter_metadata_keeps_json_kinds_and_records_collection_counts()
    {
        using var recorder = new Recorder();
        var pipeline = recorder.NewPipeline();

        Invoke(pipeline, "Conversions", 12);

        var summary = recorder.Single();
        Assert.Equal("12", summary.RequestId);
        var stage = summary.Stage("convert");
        Assert.Equal(MetadataValue.FromString("Thorough"), stage.Meta("mode"));
        Assert.Equal(MetadataValueKind.Null, stage.Meta("missing").Kind);
        Assert.Equal(MetadataValue.FromInteger(7), stage.Meta("present"));
        Assert.Equal(MetadataValue.FromNumber(2.5), stage.Meta("price"));
        Assert.Equal(MetadataValue.FromString("x"), stage.Meta("letter"));
        Assert.Equal(MetadataValue.FromInteger(2), stage.Meta("documents"));
        Assert.Equal(MetadataValue.FromString("https://example.invalid/docs"), stage.Meta("source"));
        Assert.Equal(MetadataValue.FromNumber(1.5), stage.Meta("ratio"));
    }

    [Fact]
    public async Task Parallel_stages_and_parallel_requests_are_attributed_to_their_own_request()
    {
        using var recorder = new Recorder();
        var pipeline = recorder.NewPipeline();

        var results = await Task.WhenAll(
            (Task<string>)InvokeRaw(pipeline, "ParallelAsync", "p1", 20)!,
            (Task<string>)InvokeRaw(pipeline, "ParallelAsync", "p2", 30)!);

        Assert.Equal(new[] { "a,b,c", "a,b,c" }, results);
        Assert.Equal(2, recorder.Summaries.Count);
        foreach (var (id, unit) in new[] { ("p1", 20), ("p2", 30) })
        {
            var summary = recorder.Summaries.Single(s => s.RequestId == id);
            Assert.Equal(new[] { "fast_branch", "middle_branch", "slow_branch" }, summary.Stages.Select(static s => s.Name).OrderBy(static n => n));
            foreach (var stage in summary.Stages)
            {
                Assert.Equal(1, stage.Calls);
                Assert.Equal(id, stage.Meta("request").StringValue);
            }

            Assert.True(summary.Stage("slow_branch").Duration >= TimeSpan.FromMilliseconds(3 * unit - TimerSlackMs));
            Assert.True(summary.Stage("middle_branch").Duration >= TimeSpan.FromMilliseconds(2 * unit - TimerSlackMs));
            Assert.True(summary.Stage("fast_branch").Duration >= TimeSpan.FromMilliseconds(unit - TimerSlackMs));
        }
    }

    [Fact]
    public void Synchronous_failure_propagates_the_same_exception_with_its_stack_and_records_the_type()
    {
        using var recorder = new Recorder();
        var pipeline = recorder.NewPipeline();

        var exception = Assert.ThrowsAny<Exception>(() => Invoke(pipeline, "FailSync", "f-sync"));

        Assert.Same(Invoker.Get(Assembly, "Scenario.Thrown", "Last"), exception);
        Assert.Equal("PipelineFailure", exception.GetType().Name);
        Assert.Contains("ThrowingStageCore", exception.StackTrace);
        var summary = recorder.Single();
        Assert.Equal(OperationStatus.Failure, summary.Status);
        Assert.Equal("PipelineFailure", summary.ErrorType);
        var stage = summary.Stage("throwing");
        Assert.Equal(OperationStatus.Failure, stage.Status);
        Assert.Equal("PipelineFailure", stage.ErrorType);
        Assert.Equal(1, stage.Calls);
    }

    [Theory]
    [InlineData("sync", "throwing", "PipelineFailure", "ThrowingStageCore")]
    [InlineData("async", "throwing_async", "PipelineFailure", "ThrowingAsyncCore")]
    [InlineData("eager", "throwing_eagerly", "ArgumentException", "ThrowingEagerlyAsyncCore")]
    public async Task Async_failures_propagate_the_same_exception_and_record_failure(string mode, string stageName, string errorType, string frame)
    {
        using var recorder = new Recorder();
        var pipeline = recorder.NewPipeline();

        var task = (Task)InvokeRaw(pipeline, "FailingRequestAsync", "f-" + mode, mode, CancellationToken.None)!;
        var exception = await Assert.ThrowsAnyAsync<Exception>(() => task);

        Assert.Same(Invoker.Get(Assembly, "Scenario.Thrown", "Last"), exception);
        Assert.Contains(frame, exception.StackTrace);
        var summary = recorder.Single();
        Assert.Equal(OperationStatus.Failure, summary.Status);
        Assert.Equal(errorType, summary.ErrorType);
        var stage = summary.Stage(stageName);
        Assert.Equal(OperationStatus.Failure, stage.Status);
        Assert.Equal(errorType, stage.ErrorType);
        Assert.Equal(1, stage.Calls);
    }

    [Fact]
    public async Task Cancellation_is_recorded_as_cancelled()
    {
        using var recorder = new Recorder();
        var pipeline = recorder.NewPipeline();
        using var cancellation = new CancellationTokenSource();

        var task = (Task)InvokeRaw(pipeline, "FailingRequestAsync", "c1", "cancel", cancellation.Token)!;
        Assert.False(task.IsCompleted);
        cancellation.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);

        var summary = recorder.Single();
        Assert.Equal(OperationStatus.Cancelled, summary.Status);
        var stage = summary.Stage("cancellable");
        Assert.Equal(OperationStatus.Cancelled, stage.Status);
        Assert.Equal("TaskCanceledException", stage.ErrorType);
    }

    [Fact]
    public async Task Async_stream_stage_ends_when_enumeration_completes_and_records_time_to_first_item()
    {
        using var recorder = new Recorder();
        var pipeline = recorder.NewPipeline();

        var count = await (Task<int>)InvokeRaw(pipeline, "StreamAsync", "s-full", 100, CancellationToken.None)!;

        Assert.Equal(4, count);
        var stage = recorder.Single().Stage("generation");
        Assert.Equal(OperationStatus.Success, stage.Status);
        Assert.Equal(1, stage.Calls);
        Assert.Equal(4, stage.Meta("items").IntegerValue);
        Assert.True(stage.Meta("time_to_first_item_ms").NumberValue >= 15 - TimerSlackMs, "the stream waits 15 ms before its first item");
        Assert.True(stage.Duration >= TimeSpan.FromMilliseconds(15 - TimerSlackMs));
        Assert.Equal("four", stage.Meta("last_word").StringValue);
        Assert.DoesNotContain(stage.Metadata, static m => m.Key == "abandoned");
    }

    [Fact]
    public async Task Async_stream_stage_ends_when_enumeration_is_abandoned()
    {
        using var recorder = new Recorder();
        var pipeline = recorder.NewPipeline();

        var count = await (Task<int>)InvokeRaw(pipeline, "StreamAsync", "s-early", 1, CancellationToken.None)!;

        Assert.Equal(1, count);
        var stage = recorder.Single().Stage("generation");
        Assert.Equal(1, stage.Calls);
        Assert.True(stage.Meta("abandoned").BooleanValue);
        Assert.Equal(1, stage.Meta("items").IntegerValue);
        Assert.True(stage.Meta("time_to_first_item_ms").NumberValue >= 15 - TimerSlackMs);
    }

    [Fact]
    public async Task Every_other_shape_runs_and_is_recorded_in_the_ambient_request()
    {
        using var recorder = new Recorder();
        var pipeline = recorder.NewPipeline();
        Assembly.GetType("Scenario.Embeddings")!.GetField("Monitor")!.SetValue(null, recorder.Monitor);

        var text = await (Task<string>)InvokeRaw(pipeline, "ShapesAsync", "shapes-1")!;

        // filled|cursor|written|parsed|value|pick|created.Count|embedded.Length|peek|pass|echo|query|loaded|defaults
        Assert.Equal("4|4|3|True|42|3|0|3|2|True|echo|q||d3", text);
        var summary = recorder.Single();
        Assert.Equal(OperationStatus.Success, summary.Status);
        Assert.Equal(
            new[] { "fill", "parse", "pick", "create", "embedding", "count", "peek", "struct_grading", "nested", "rewrite", "load", "defaults" },
            summary.Stages.Select(static s => s.Name));
        Assert.Equal(2, summary.Stage("count").Calls);
        Assert.Equal(3, summary.Stage("fill").Meta("written").IntegerValue);
        Assert.Equal(3, summary.Stage("fill").Meta("items").IntegerValue);
        Assert.Equal(42, summary.Stage("parse").Meta("parsed").IntegerValue);
        Assert.Equal(9, summary.Stage("pick").Meta("fallback").IntegerValue);
        Assert.Equal(3, summary.Stage("embedding").Meta("dimensions").IntegerValue);
        Assert.Equal(3.5, summary.Stage("struct_grading").Meta("threshold").NumberValue);
        Assert.Equal(7, summary.Stage("load").Meta("id").IntegerValue);
    }

    [Fact]
    public void A_primary_constructor_monitor_records_the_request()
    {
        using var recorder = new Recorder();
        var pipeline = Activator.CreateInstance(Assembly.GetType("Scenario.PrimaryPipeline", throwOnError: true)!, recorder.Monitor)!;

        var result = Invoke(pipeline, "Run", "primary-1");

        Assert.Equal(3, result);
        var summary = recorder.Single();
        Assert.Equal("primary_request", summary.RequestName);
        Assert.Equal("primary-1", summary.RequestId);
        Assert.Equal("primary_stage", Assert.Single(summary.Stages).Name);
    }

    [Fact]
    public void Types_without_a_monitor_member_use_the_default_monitor()
    {
        var summaries = new ConcurrentQueue<RequestSummary>();
        void OnCompleted(object? sender, RequestSummary summary) => summaries.Enqueue(summary);
        PerformanceMonitor.Default.RequestCompleted += OnCompleted;
        try
        {
            _ = Assembly;
            var result = Invoker.Call(Assembly, "Scenario.DefaultMonitorUser", "Run", "default-1");

            Assert.Equal(5, result);
            var summary = Assert.Single(summaries, static s => s.RequestId == "default-1");
            Assert.Equal("default_request", summary.RequestName);
            Assert.Equal("default_stage", Assert.Single(summary.Stages).Name);
        }
        finally
        {
            PerformanceMonitor.Default.RequestCompleted -= OnCompleted;
        }
    }

    private static object? InvokeRaw(object target, string method, params object?[] arguments)
    {
        var info = target.GetType().GetMethod(method, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException(method + " not found");
        try
        {
            return info.Invoke(target, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    private static object? Invoke(object target, string method, params object?[] arguments) => InvokeRaw(target, method, arguments);

    private static async Task<T> InvokeValueTask<T>(object target, string method, params object?[] arguments) =>
        await (ValueTask<T>)InvokeRaw(target, method, arguments)!;

    /// <summary>A monitor that writes no files and keeps every finished request.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly ConcurrentQueue<RequestSummary> _summaries = new();

        public Recorder()
        {
            Monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false });
            Monitor.RequestCompleted += (_, summary) => _summaries.Enqueue(summary);
        }

        public PerformanceMonitor Monitor { get; }

        public IReadOnlyList<RequestSummary> Summaries => _summaries.ToArray();

        public object NewPipeline() => Activator.CreateInstance(Assembly.GetType(PipelineType, throwOnError: true)!, Monitor)!;

        public RequestSummary Single() => Assert.Single(_summaries);

        public void Dispose() => Monitor.Dispose();
    }
}

internal static class SummaryExtensions
{
    public static StageSummary Stage(this RequestSummary summary, string name) =>
        summary.Stages.SingleOrDefault(s => s.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"No stage '{name}' in [{string.Join(", ", summary.Stages.Select(static s => s.Name))}]");

    public static MetadataValue Meta(this StageSummary stage, string key)
    {
        foreach (var pair in stage.Metadata)
        {
            if (pair.Key == key)
            {
                return pair.Value;
            }
        }

        throw new Xunit.Sdk.XunitException($"Stage '{stage.Name}' has no metadata '{key}' (has: {string.Join(", ", stage.Metadata.Select(static m => m.Key + "=" + m.Value))})");
    }
}
