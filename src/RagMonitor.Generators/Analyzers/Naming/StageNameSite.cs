using Microsoft.CodeAnalysis;

namespace RagMonitor.Generators.Analyzers.Naming;

/// <summary>
/// One place where a stage name is written: a <c>[Stage("…")]</c> argument or a stage-name argument of
/// the runtime's explicit API. Lives only inside one compilation's analysis (it holds a location).
/// </summary>
internal readonly struct StageNameSite
{
    public StageNameSite(string name, Location location, bool allowed)
    {
        Name = name;
        Location = location;
        Allowed = allowed;
    }

    /// <summary>The name as written.</summary>
    public string Name { get; }

    /// <summary>The name's expression (the string literal, or the constant that gives it).</summary>
    public Location Location { get; }

    /// <summary>Whether the project's own rules accept this spelling here: in the catalog (when one is declared) and in the configured style.</summary>
    public bool Allowed { get; }
}
