using System;

namespace RagMonitor;

/// <summary>
/// Marks a <c>partial</c> method as one stage of a monitored request (for example
/// <c>[Stage("retrieval")]</c>). The RagMonitor source generator implements the partial method: it
/// times the call to the user's <c>&lt;Name&gt;Core</c> method and records it in the ambient request.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class StageAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The stage name; a compile-time constant such as <c>"retrieval"</c>.</param>
    public StageAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The stage name written to the log.</summary>
    public string Name { get; }
}
