using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor.Ecosystem.Tests;

/// <summary>
/// A small RAG pipeline whose wrappers are written exactly as the source generator emits them
/// (BeginRequest/BeginStage/BeginAsyncStage, Fail as exception filter, Dispose/Track).
/// </summary>
internal sealed class TestPipeline
{
    /// <summary>The application's own activity source: its spans must nest under RagMonitor's stage spans.</summary>
    internal static readonly ActivitySource UserSource = new("RagMonitor.Ecosystem.Tests.User");

    private readonly PerformanceMonitor _monitor;

    internal TestPipeline(PerformanceMonitor monitor, string requestName = "ask")
    {
        _monitor = monitor;
        RequestName = requestName;
    }

    internal string RequestName { get; }

    internal bool FailGeneration { get; set; }

    internal int GenerationDelayMilliseconds { get; set; } = 40;

    // ------------------------------------------------------------ wrappers (generated-code shape)

    internal Task<string> AskAsync(string question, string? requestId = null)
    {
        var scope = _monitor.BeginRequest(RequestName, requestId);
        Task<string> task;
        var ok = false;
        try
        {
            task = AskCoreAsync(question);
            ok = true;
        }
        catch (Exception ex) when (scope.Fail(ex))
        {
            throw;
        }
        finally
        {
            if (!ok)
            {
                scope.Dispose();
            }
        }

        return scope.Track(task);
    }

    private IReadOnlyList<string> Retrieve(string question)
    {
        var scope = _monitor.BeginStage("retrieval");
        try
        {
            return RetrieveCore(question);
        }
        catch (Exception ex) when (scope.Fail(ex))
        {
            throw;
        }
        finally
        {
            scope.Dispose();
        }
    }

    private Task<float[]> EmbedAsync(string question) => AsyncStage("embedding", () => EmbedCoreAsync(question));

    private Task<string> GenerateAsync(string question, IReadOnlyList<string> documents) =>
        AsyncStage("generation", () => GenerateCoreAsync(question, documents));

    private Task<T> AsyncStage<T>(string name, Func<Task<T>> core)
    {
        var scope = _monitor.BeginAsyncStage(name);
        Task<T> task;
        var ok = false;
        try
        {
            task = core();
            ok = true;
        }
        catch (Exception ex) when (scope.Fail(ex))
        {
            throw;
        }
        finally
        {
            if (!ok)
            {
                scope.Dispose();
            }
        }

        return scope.Track(task);
    }

    // ------------------------------------------------------------ bodies

    private async Task<string> AskCoreAsync(string question)
    {
        var documents = Retrieve(question);
        var embedding = await EmbedAsync(question).ConfigureAwait(false);
        var answer = await GenerateAsync(question, documents).ConfigureAwait(false);
        return answer + " (" + embedding.Length + ")";
    }

    private static IReadOnlyList<string> RetrieveCore(string question)
    {
        using var search = UserSource.StartActivity("vector-search");
        StageContext.AddMetadata("data_source", "docs-index");
        StageContext.AddMetadata("documents_retrieved", 3);
        return new[] { "a " + question, "b", "c" };
    }

    private static async Task<float[]> EmbedCoreAsync(string question)
    {
        await Task.Yield();
        StageContext.AddMetadata("model", "embed-small");
        return new float[question.Length];
    }

    private async Task<string> GenerateCoreAsync(string question, IReadOnlyList<string> documents)
    {
        StageContext.AddMetadata("model", "chat-large");
        StageContext.AddMetadata("prompt_tokens", 120);
        using (UserSource.StartActivity("llm-http-call"))
        {
            await Task.Delay(GenerationDelayMilliseconds).ConfigureAwait(false);
        }

        if (FailGeneration)
        {
            throw new InvalidOperationException("model overloaded");
        }

        StageContext.AddMetadata("completion_tokens", 42);
        return question + ": " + documents.Count;
    }
}

/// <summary>Helpers shared by the tests.</summary>
internal static class TestMonitors
{
    internal static PerformanceMonitor Create(Action<PerformanceMonitorOptions>? configure = null)
    {
        var options = new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false, SlowRequestThreshold = null };
        configure?.Invoke(options);
        return new PerformanceMonitor(options);
    }

    internal static string UniqueName(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N").Substring(0, 8);

    internal static CancellationToken Timeout(int seconds = 30) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
