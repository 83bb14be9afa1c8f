using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor.Sample;

/// <summary>The answer to one question.</summary>
public sealed record Answer(string QuestionId, string Text, IReadOnlyList<int> CitedDocuments, int PromptTokens, int CompletionTokens);

/// <summary>Thrown by <see cref="SimulatedLlm"/> for a simulated provider rate limit.</summary>
public sealed class RateLimitedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RateLimitedException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// A deterministic stand-in for an LLM call: latency grows with prompt and completion tokens like a
/// hosted model's (time to first token + per-token decode time), and about 3 % of calls are rate limited.
/// </summary>
public sealed class SimulatedLlm
{
    private readonly double _latencyScale;

    /// <summary>Creates the model; <paramref name="latencyScale"/> multiplies every simulated delay (0 = no waiting).</summary>
    public SimulatedLlm(double latencyScale) => _latencyScale = latencyScale;

    /// <summary>The model name reported as metadata.</summary>
    public string Model => "sim-gpt-mini";

    /// <summary>Counts tokens the way a BPE tokenizer roughly does (about 4 characters a token).</summary>
    public static int CountTokens(string text) => Math.Max(1, (text.Length + 3) / 4);

    /// <summary>"Generates" an answer from the prompt.</summary>
    public async Task<(string Text, int PromptTokens, int CompletionTokens)> CompleteAsync(string prompt, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var promptTokens = CountTokens(prompt);
        var completionTokens = 40 + random.Next(160);
        var timeToFirstToken = 60 + (promptTokens * 0.05) + random.Next(60);
        var decode = completionTokens * (0.6 + (random.NextDouble() * 0.4));
        if (random.NextDouble() < 0.05)
        {
            decode *= 4; // a slow provider moment
        }

        await DelayAsync(timeToFirstToken, cancellationToken).ConfigureAwait(false);
        if (random.NextDouble() < 0.03)
        {
            throw new RateLimitedException("429: the simulated provider is rate limiting this key.");
        }

        await DelayAsync(decode, cancellationToken).ConfigureAwait(false);
        var sentences = prompt.Split('\n').Where(l => l.StartsWith("[", StringComparison.Ordinal)).Take(2).ToArray();
        var text = sentences.Length == 0
            ? "The context does not contain an answer."
            : "Based on the context: " + string.Join(" ", sentences.Select(s => s.Substring(s.IndexOf(']', StringComparison.Ordinal) + 1).Trim()));
        return (text, promptTokens, completionTokens);
    }

    /// <summary>Waits <paramref name="milliseconds"/> × the latency scale.</summary>
    public Task DelayAsync(double milliseconds, CancellationToken cancellationToken)
    {
        var scaled = milliseconds * _latencyScale;
        return scaled < 1 ? Task.CompletedTask : Task.Delay(TimeSpan.FromMilliseconds(scaled), cancellationToken);
    }
}
