using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace RagMonitor.Sample;

/// <summary>The answer to one question.</summary>
public sealed record Answer(string QuestionId, string Text, IReadOnlyList<int> CitedDocuments, long PromptTokens, long CompletionTokens);

/// <summary>Thrown by <see cref="SimulatedChatClient"/> for a simulated provider rate limit.</summary>
public sealed class RateLimitedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RateLimitedException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// A deterministic stand-in for a hosted chat model behind Microsoft.Extensions.AI's <see cref="IChatClient"/>:
/// it waits a time to first token that grows with the prompt, then streams the answer in chunks at a
/// per-token decode rate, and ends with the finish reason and a <see cref="UsageContent"/> update, as real
/// providers do. About 3 % of calls are rate limited (thrown when the first token is due).
/// </summary>
public sealed class SimulatedChatClient : IChatClient
{
    private const int TokensPerUpdate = 8;
    private static readonly ChatClientMetadata s_metadata = new("simulated", null, "sim-gpt-mini");
    private readonly SimulatedLatency _latency;

    /// <summary>Creates the model; <paramref name="latency"/> scales every simulated delay.</summary>
    public SimulatedChatClient(SimulatedLatency latency) => _latency = latency;

    /// <summary>Counts tokens the way a BPE tokenizer roughly does (about 4 characters a token).</summary>
    public static int CountTokens(string text) => Math.Max(1, (text.Length + 3) / 4);

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prompt = string.Join("\n", messages.Select(m => m.Text));
        var random = new Random(SimulatedLatency.StableHash(prompt));
        var promptTokens = CountTokens(prompt);
        var completionTokens = 40 + random.Next(160);
        var timeToFirstToken = 60 + (promptTokens * 0.05) + random.Next(60);
        var perToken = 0.6 + (random.NextDouble() * 0.4);
        if (random.NextDouble() < 0.05)
        {
            perToken *= 4; // a slow provider moment
        }

        await _latency.DelayAsync(timeToFirstToken, cancellationToken).ConfigureAwait(false);
        if (random.NextDouble() < 0.03)
        {
            throw new RateLimitedException("429: the simulated provider is rate limiting this key.");
        }

        var words = Answer(prompt).Split(' ');
        var updates = (completionTokens + TokensPerUpdate - 1) / TokensPerUpdate;
        for (var i = 0; i < updates; i++)
        {
            if (i > 0)
            {
                await _latency.DelayAsync(TokensPerUpdate * perToken, cancellationToken).ConfigureAwait(false);
            }

            var from = words.Length * i / updates;
            var to = words.Length * (i + 1) / updates;
            var text = string.Join(" ", words[from..to]);
            yield return new ChatResponseUpdate(ChatRole.Assistant, i == 0 || text.Length == 0 ? text : " " + text) { ModelId = s_metadata.DefaultModelId };
        }

        yield return new ChatResponseUpdate
        {
            FinishReason = ChatFinishReason.Stop,
            ModelId = s_metadata.DefaultModelId,
            Contents = { new UsageContent(new UsageDetails { InputTokenCount = promptTokens, OutputTokenCount = completionTokens, TotalTokenCount = promptTokens + completionTokens }) },
        };
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? s_metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static string Answer(string prompt)
    {
        var sentences = prompt.Split('\n').Where(l => l.StartsWith("[", StringComparison.Ordinal)).Take(2).ToArray();
        return sentences.Length == 0
            ? "The context does not contain an answer."
            : "Based on the context: " + string.Join(" ", sentences.Select(s => s.Substring(s.IndexOf(']', StringComparison.Ordinal) + 1).Trim()));
    }
}
