using System;

namespace RagMonitor;

/// <summary>
/// Declares the stage names that this assembly may use. The RagMonitor analyzers warn about any stage
/// name outside the catalog and suggest the closest entry.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false, Inherited = false)]
public sealed class StageCatalogAttribute : Attribute
{
    /// <summary>Creates the catalog.</summary>
    /// <param name="stageNames">The allowed stage names, for example <c>"retrieval", "grading", "generation"</c>.</param>
    public StageCatalogAttribute(params string[] stageNames)
    {
        StageNames = stageNames ?? Array.Empty<string>();
    }

    /// <summary>The allowed stage names.</summary>
    public string[] StageNames { get; }
}
