namespace RagMonitor.Cli.Analysis;

/// <summary>
/// The model-call figures of one stage, from the metadata that RagMonitor.AI (or the user) records:
/// <c>input_tokens</c>, <c>output_tokens</c>, <c>time_to_first_token_ms</c> and <c>output_tokens_per_second</c>.
/// Token means are per request in which the stage reported the count.
/// </summary>
internal sealed class ModelCallFigures
{
    private readonly int _exactLimit;

    internal ModelCallFigures(int exactLimit)
    {
        _exactLimit = exactLimit;
        TimeToFirstToken = new DurationSketch(exactLimit);
    }

    internal long InputTokens { get; private set; }

    /// <summary>Records in which the stage reported <c>input_tokens</c>.</summary>
    internal long InputTokenRecords { get; private set; }

    internal long OutputTokens { get; private set; }

    /// <summary>Records in which the stage reported <c>output_tokens</c>.</summary>
    internal long OutputTokenRecords { get; private set; }

    /// <summary>Time to first token, in seconds.</summary>
    internal DurationSketch TimeToFirstToken { get; }

    internal double OutputTokensPerSecondSum { get; private set; }

    internal long OutputTokensPerSecondRecords { get; private set; }

    internal double InputTokensMean => InputTokenRecords == 0 ? double.NaN : (double)InputTokens / InputTokenRecords;

    internal double OutputTokensMean => OutputTokenRecords == 0 ? double.NaN : (double)OutputTokens / OutputTokenRecords;

    internal double OutputTokensPerSecondMean => OutputTokensPerSecondRecords == 0 ? double.NaN : OutputTokensPerSecondSum / OutputTokensPerSecondRecords;

    internal bool HasTokens => InputTokenRecords > 0 || OutputTokenRecords > 0;

    internal bool HasTimeToFirstToken => TimeToFirstToken.Count > 0;

    /// <summary>Reads the stage's figures from a record; null when the stage carries none of the keys.</summary>
    internal static ModelCallFigures? Read(ModelCallFigures? figures, PerformanceLogEntry entry, int stageIndex, int exactLimit)
    {
        bool hasInput = entry.TryGetStageMetadataNumber(stageIndex, "input_tokens"u8, out double input) && input >= 0;
        bool hasOutput = entry.TryGetStageMetadataNumber(stageIndex, "output_tokens"u8, out double output) && output >= 0;
        bool hasFirstToken = entry.TryGetStageMetadataNumber(stageIndex, "time_to_first_token_ms"u8, out double firstTokenMs) && firstTokenMs >= 0;
        bool hasRate = entry.TryGetStageMetadataNumber(stageIndex, "output_tokens_per_second"u8, out double rate) && rate >= 0;
        if (!hasInput && !hasOutput && !hasFirstToken && !hasRate)
        {
            return figures;
        }

        figures ??= new ModelCallFigures(exactLimit);
        if (hasInput)
        {
            figures.InputTokens += (long)input;
            figures.InputTokenRecords++;
        }

        if (hasOutput)
        {
            figures.OutputTokens += (long)output;
            figures.OutputTokenRecords++;
        }

        if (hasFirstToken)
        {
            figures.TimeToFirstToken.Add(firstTokenMs / 1000.0);
        }

        if (hasRate)
        {
            figures.OutputTokensPerSecondSum += rate;
            figures.OutputTokensPerSecondRecords++;
        }

        return figures;
    }

    /// <summary>Adds <paramref name="other"/> to <paramref name="figures"/> (either may be null).</summary>
    internal static ModelCallFigures? Merge(ModelCallFigures? figures, ModelCallFigures? other)
    {
        if (other is null)
        {
            return figures;
        }

        figures ??= new ModelCallFigures(other._exactLimit);
        figures.InputTokens += other.InputTokens;
        figures.InputTokenRecords += other.InputTokenRecords;
        figures.OutputTokens += other.OutputTokens;
        figures.OutputTokenRecords += other.OutputTokenRecords;
        figures.TimeToFirstToken.Merge(other.TimeToFirstToken);
        figures.OutputTokensPerSecondSum += other.OutputTokensPerSecondSum;
        figures.OutputTokensPerSecondRecords += other.OutputTokensPerSecondRecords;
        return figures;
    }
}
