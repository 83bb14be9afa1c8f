using System;

namespace RagMonitor.AI;

/// <summary>The stage names the middleware accepts.</summary>
internal static class AiStageNames
{
    internal const string Generation = "generation";
    internal const string Embedding = "embedding";

    /// <summary>
    /// Rejects names the monitor could not record or that a <c>[Stage]</c> would be refused for: null, empty or
    /// white space (RMON006 for attributes), leading or trailing white space, and control characters. The
    /// naming style (snake_case by default) is a per-project analyzer setting, so it is not enforced here.
    /// </summary>
    /// <exception cref="ArgumentException">The name breaks one of the rules.</exception>
    internal static string Validate(string? stageName, string parameterName)
    {
        if (string.IsNullOrWhiteSpace(stageName))
        {
            throw new ArgumentException("A stage name must not be null, empty or white space.", parameterName);
        }

        if (char.IsWhiteSpace(stageName[0]) || char.IsWhiteSpace(stageName[stageName.Length - 1]))
        {
            throw new ArgumentException($"The stage name '{stageName}' has leading or trailing white space.", parameterName);
        }

        foreach (var c in stageName)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException("A stage name must not contain control characters.", parameterName);
            }
        }

        return stageName;
    }
}
