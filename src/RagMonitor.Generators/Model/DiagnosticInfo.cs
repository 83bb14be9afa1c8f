using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using RagMonitor.Generators.Helpers;

namespace RagMonitor.Generators.Model;

/// <summary>A source position kept as plain values (file path and spans), so that generator steps can cache it.</summary>
/// <param name="FilePath">The path of the syntax tree.</param>
/// <param name="Span">The character span.</param>
/// <param name="LineSpan">The line and column span.</param>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    /// <summary>The position of <paramref name="location"/>, or <see langword="null"/> when it is not in source.</summary>
    public static LocationInfo? From(Location location) =>
        location.IsInSource && location.SourceTree is { } tree
            ? new LocationInfo(tree.FilePath, location.SourceSpan, location.GetLineSpan().Span)
            : null;

    /// <summary>A location in <paramref name="compilation"/>'s tree of the same path when there is one (the analyzer), else a file location.</summary>
    public Location ToLocation(Compilation? compilation)
    {
        if (compilation is not null)
        {
            foreach (var tree in compilation.SyntaxTrees)
            {
                if (tree.FilePath == FilePath && Span.End <= tree.Length)
                {
                    return Location.Create(tree, Span);
                }
            }
        }

        return Location.Create(FilePath, Span, LineSpan);
    }
}

/// <summary>
/// A RagMonitor diagnostic as equatable data: descriptor, position and message arguments. The classifier produces
/// these; the generator reports them from its output step and the declaration analyzer from its symbol action.
/// </summary>
/// <param name="Descriptor">The descriptor (compared by id).</param>
/// <param name="Location">Where it is reported, or <see langword="null"/> for no source position.</param>
/// <param name="Arguments">The message arguments.</param>
/// <param name="CoreName">The expected Core method name, passed to the code fix as a property.</param>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments, string? CoreName)
{
    /// <summary>The diagnostic, placed in <paramref name="compilation"/>'s syntax tree when it is given.</summary>
    public Diagnostic ToDiagnostic(Compilation? compilation = null)
    {
        var properties = CoreName is null
            ? ImmutableDictionary<string, string?>.Empty
            : ImmutableDictionary<string, string?>.Empty.Add(RagMonitor.Generators.Parsing.MonitoredMethodClassifier.CoreNameProperty, CoreName);
        var arguments = new object?[Arguments.Count];
        for (var i = 0; i < arguments.Length; i++)
        {
            arguments[i] = Arguments[i];
        }

        return Diagnostic.Create(Descriptor, Location?.ToLocation(compilation) ?? Microsoft.CodeAnalysis.Location.None, properties, arguments);
    }
}

/// <summary>What the generator learned about one attributed declaration: the wrapper to emit, if any, and why not.</summary>
/// <param name="Spec">The wrapper's spec, or <see langword="null"/> when the declaration is skipped.</param>
/// <param name="Diagnostics">Every problem found (empty when <paramref name="Spec"/> is set).</param>
internal sealed record ClassifiedMethod(MonitoredMethodSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>A declaration the generator has nothing to say about (another step reports it).</summary>
    public static readonly ClassifiedMethod None = new(null, EquatableArray<DiagnosticInfo>.Empty);
}
