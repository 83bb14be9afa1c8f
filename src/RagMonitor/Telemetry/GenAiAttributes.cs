using System;

namespace RagMonitor;

/// <summary>
/// The OpenTelemetry GenAI semantic-convention attributes RagMonitor derives from well-known stage
/// metadata keys and stage names (documented in docs/opentelemetry.md).
/// </summary>
internal static class GenAiAttributes
{
    internal const string OperationName = "gen_ai.operation.name";
    internal const string RequestModel = "gen_ai.request.model";
    internal const string InputTokens = "gen_ai.usage.input_tokens";
    internal const string OutputTokens = "gen_ai.usage.output_tokens";
    internal const string DataSourceId = "gen_ai.data_source.id";
    internal const string ProviderName = "gen_ai.provider.name";
    internal const string FinishReasons = "gen_ai.response.finish_reasons";

    /// <summary>The GenAI attribute a metadata key maps to, or <see langword="null"/>.</summary>
    internal static string? ForMetadataKey(string key) => key switch
    {
        "model" or "model_name" or "model_id" => RequestModel,
        "input_tokens" or "prompt_tokens" => InputTokens,
        "output_tokens" or "completion_tokens" => OutputTokens,
        "data_source" or "data_source_id" or "source" => DataSourceId,
        "provider" => ProviderName,
        "operation" => OperationName,
        "finish_reason" => FinishReasons,
        _ => null,
    };

    /// <summary>The attribute value: token counts as integers, finish reasons as a string array, the others as strings; <see langword="null"/> when the value does not fit.</summary>
    internal static object? Convert(string attribute, MetadataValue value)
    {
        if (attribute == InputTokens || attribute == OutputTokens)
        {
            return value.Kind switch
            {
                MetadataValueKind.Integer => value.IntegerValue,
                MetadataValueKind.Number when value.NumberValue >= 0 && value.NumberValue <= long.MaxValue && Math.Floor(value.NumberValue) == value.NumberValue => (long)value.NumberValue,
                _ => null,
            };
        }

        if (attribute == FinishReasons)
        {
            // The convention's type is a string array (one reason per choice).
            return value.Kind == MetadataValueKind.String ? new[] { value.StringValue! } : null;
        }

        return value.Kind switch
        {
            MetadataValueKind.String => value.StringValue,
            MetadataValueKind.Integer or MetadataValueKind.Number => value.ToString(),
            _ => null,
        };
    }

    /// <summary>
    /// The GenAI operation a stage name suggests: <c>embeddings</c> (contains "embed"), <c>retrieval</c>
    /// ("retriev" or "search"), <c>chat</c> ("generat", "chat", "llm" or "completion"); otherwise <see langword="null"/>.
    /// </summary>
    internal static string? OperationFromStageName(string stageName)
    {
        if (Contains(stageName, "embed"))
        {
            return "embeddings";
        }

        if (Contains(stageName, "retriev") || Contains(stageName, "search"))
        {
            return "retrieval";
        }

        if (Contains(stageName, "generat") || Contains(stageName, "chat") || Contains(stageName, "llm") || Contains(stageName, "completion"))
        {
            return "chat";
        }

        return null;
    }

    private static bool Contains(string text, string part) => text.IndexOf(part, StringComparison.OrdinalIgnoreCase) >= 0;
}
