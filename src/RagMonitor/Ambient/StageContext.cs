namespace RagMonitor;

/// <summary>
/// Access to the ambient request and stage from inside a stage's body, for code that has no
/// <see cref="StageScope"/> at hand (for example the <c>Core</c> method behind a <c>[Stage]</c> wrapper).
/// Correct when stages run in parallel: each flow sees its own stage.
/// </summary>
public static class StageContext
{
    /// <summary>Attaches metadata to the current stage; returns <see langword="false"/> (and does nothing) outside a recorded stage.</summary>
    /// <param name="key">The metadata key; null or empty keys are ignored.</param>
    /// <param name="value">The value: a string, integer, number, boolean or <see cref="MetadataValue.Null"/>.</param>
    public static bool AddMetadata(string key, MetadataValue value)
    {
        if (string.IsNullOrEmpty(key) || !AmbientContext.TryGetCurrentStage(out var request, out var stage))
        {
            return false;
        }

        request.Monitor.AddStageMetadata(request, stage, key, value);
        return true;
    }

    /// <summary>
    /// Adds <paramref name="amount"/> to the current stage's integer metadata under <paramref name="key"/> (set
    /// when the key is absent or holds no integer), so that a count such as tokens sums over all calls of the
    /// stage in one request, parallel calls included. Returns <see langword="false"/> (and does nothing) outside
    /// a recorded stage.
    /// </summary>
    /// <param name="key">The metadata key; null or empty keys are ignored.</param>
    /// <param name="amount">The amount to add.</param>
    public static bool AddToMetadata(string key, long amount)
    {
        if (string.IsNullOrEmpty(key) || !AmbientContext.TryGetCurrentStage(out var request, out var stage))
        {
            return false;
        }

        request.Monitor.AddStageMetadata(request, stage, key, MetadataValue.FromInteger(amount), accumulate: true);
        return true;
    }

    /// <summary>The name of the current stage, or <see langword="null"/> outside a recorded stage.</summary>
    public static string? CurrentStageName => AmbientContext.TryGetCurrentStage(out _, out var stage) ? stage : null;

    /// <summary>The id of the ambient request, or <see langword="null"/> outside a recorded request.</summary>
    public static string? CurrentRequestId => AmbientContext.CurrentRequest?.Id;

    /// <summary>The name of the ambient request, or <see langword="null"/> outside a recorded request.</summary>
    public static string? CurrentRequestName => AmbientContext.CurrentRequest?.Name;
}
