namespace RagMonitor.AI;

/// <summary>
/// The stage metadata keys the Microsoft.Extensions.AI middleware records. The keys that the OpenTelemetry
/// GenAI conventions know (<see cref="ModelId"/>, <see cref="Provider"/>, <see cref="InputTokens"/>,
/// <see cref="OutputTokens"/>, <see cref="FinishReason"/>, <see cref="Operation"/>) also become
/// <c>gen_ai.*</c> attributes on the stage's span.
/// </summary>
public static class AiStageMetadata
{
    /// <summary>The model asked for: <c>ChatOptions.ModelId</c>, else the client's default model, else the model that answered.</summary>
    public const string ModelId = "model_id";

    /// <summary>The provider named by the inner client's metadata (<c>ChatClientMetadata.ProviderName</c>).</summary>
    public const string Provider = "provider";

    /// <summary>The GenAI operation: <c>chat</c> for a chat client, <c>embeddings</c> for an embedding generator.</summary>
    public const string Operation = "operation";

    /// <summary>Input tokens reported by the model (<c>UsageDetails.InputTokenCount</c>), summed over the stage's calls in one request.</summary>
    public const string InputTokens = "input_tokens";

    /// <summary>Output tokens reported by the model (<c>UsageDetails.OutputTokenCount</c>), summed over the stage's calls in one request.</summary>
    public const string OutputTokens = "output_tokens";

    /// <summary>Why the model stopped (<c>stop</c>, <c>length</c>, <c>tool_calls</c>, <c>content_filter</c>, ...).</summary>
    public const string FinishReason = "finish_reason";

    /// <summary>Streaming only: milliseconds from the start of the stream to the first update that carries content.</summary>
    public const string TimeToFirstTokenMs = "time_to_first_token_ms";

    /// <summary>Streaming only: output tokens per second of generation, from the first content update to the end of the stream.</summary>
    public const string OutputTokensPerSecond = "output_tokens_per_second";

    /// <summary>Streaming only: <see langword="true"/> when the caller stopped enumerating before the stream ended.</summary>
    public const string Abandoned = "abandoned";

    /// <summary>Embeddings only: how many embeddings the call returned.</summary>
    public const string Embeddings = "embeddings";

    /// <summary>Embeddings only: the dimensions of the returned vectors.</summary>
    public const string Dimensions = "dimensions";

    /// <summary>Sensitive, opt-in only: the prompt messages as <c>role: text</c> lines.</summary>
    public const string Prompt = "prompt";

    /// <summary>Sensitive, opt-in only: the text of the model's answer.</summary>
    public const string Completion = "completion";
}
