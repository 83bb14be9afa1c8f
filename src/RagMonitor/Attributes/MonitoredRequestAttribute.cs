using System;

namespace RagMonitor;

/// <summary>
/// Marks a <c>partial</c> method as the entry point of a monitored request. The RagMonitor source
/// generator implements the partial method: it starts a request scope, calls the user's
/// <c>&lt;Name&gt;Core</c> method, and ends the request (summary, bottlenecks, JSONL line) when the call
/// or its task completes.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class MonitoredRequestAttribute : Attribute
{
    /// <summary>Creates the attribute; the request name defaults to the method name.</summary>
    public MonitoredRequestAttribute()
    {
    }

    /// <summary>Creates the attribute with an explicit request name.</summary>
    /// <param name="name">The request name written to the log (for example <c>"ask"</c>); <see langword="null"/> uses the method name, like the parameterless constructor.</param>
    public MonitoredRequestAttribute(string? name)
    {
        Name = name;
    }

    /// <summary>The request name, or <see langword="null"/> to use the method name.</summary>
    public string? Name { get; }
}
