using System;
using Microsoft.Extensions.AI;

namespace RagMonitor.AI;

/// <summary>Writes the middleware's metadata to the current stage.</summary>
internal static class AiMetadataRecorder
{
    internal static void Add(string key, double value) => StageContext.AddMetadata(key, value);

    /// <summary>Adds the reported token counts to the stage's sums; counts the model did not report are left out.</summary>
    internal static void AddUsage(UsageDetails? usage)
    {
        if (usage is null)
        {
            return;
        }

        if (usage.InputTokenCount is { } input)
        {
            StageContext.AddToMetadata(AiStageMetadata.InputTokens, input);
        }

        if (usage.OutputTokenCount is { } output)
        {
            StageContext.AddToMetadata(AiStageMetadata.OutputTokens, output);
        }
    }
}

/// <summary>Reads a client's metadata service once, containing whatever the client throws.</summary>
internal static class AiClientMetadata
{
    internal static T? Read<T>(IChatClient client)
        where T : class => Read<T>(client.GetService);

    internal static T? Read<T>(IEmbeddingGenerator generator)
        where T : class => Read<T>(generator.GetService);

    private static T? Read<T>(Func<Type, object?, object?> getService)
        where T : class
    {
        try
        {
            return getService(typeof(T), null) as T;
        }
        catch (Exception)
        {
            // First law: a client whose GetService throws is still monitored, without its metadata.
            return null;
        }
    }
}
