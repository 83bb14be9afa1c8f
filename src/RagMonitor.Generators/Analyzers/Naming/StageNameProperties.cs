namespace RagMonitor.Generators.Analyzers.Naming;

/// <summary>Keys of the properties that naming diagnostics carry for the code fixes.</summary>
internal static class StageNameProperties
{
    /// <summary>The spelling the name should be replaced with (canonical, suggested, catalog entry or styled).</summary>
    public const string Replacement = "RagMonitor.Replacement";
}
