using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RagMonitor.Generators.Diagnostics;
using RagMonitor.Generators.Helpers;
using RagMonitor.Generators.Model;

namespace RagMonitor.Generators.Parsing;

// Choosing the PerformanceMonitor a wrapper uses.
internal static partial class MonitoredMethodClassifier
{
    // ------------------------------------------------------------------ monitor

    /// <summary>
    /// The monitor the wrapper uses: the one field or property of type <c>PerformanceMonitor</c> declared on
    /// the containing type (static methods consider static members only; instance methods consider both),
    /// else <c>PerformanceMonitor.Default</c>. A nullable member falls back to the default when null.
    /// </summary>
    private static string? ResolveMonitor(IMethodSymbol method, KnownTypes known, Location identifier, Reporter reporter)
    {
        var type = method.ContainingType;
        var candidates = new List<(ISymbol Member, ITypeSymbol Type)>();
        foreach (var member in type.GetMembers())
        {
            switch (member)
            {
                case IFieldSymbol { IsImplicitlyDeclared: false } field when KnownTypes.Is(field.Type, known.PerformanceMonitor):
                    candidates.Add((field, field.Type));
                    break;
                case IPropertySymbol { IsIndexer: false, GetMethod: not null } property when KnownTypes.Is(property.Type, known.PerformanceMonitor):
                    candidates.Add((property, property.Type));
                    break;
            }
        }

        if (method.IsStatic)
        {
            candidates.RemoveAll(static c => !c.Member.IsStatic);
        }

        if (candidates.Count > 1)
        {
            reporter.Report(DiagnosticDescriptors.AmbiguousMonitor, identifier, type.Name, string.Join(", ", candidates.Select(static c => c.Member.Name)));
            return null;
        }

        if (candidates.Count == 0)
        {
            return "global::RagMonitor.PerformanceMonitor.Default";
        }

        var (chosen, chosenType) = candidates[0];
        var access = chosen.IsStatic
            ? type.ToDisplayString(SymbolText.FullyQualified) + "." + SymbolText.Escape(chosen.Name)
            : "this." + SymbolText.Escape(chosen.Name);
        return chosenType.NullableAnnotation == NullableAnnotation.Annotated
            ? $"({access} ?? global::RagMonitor.PerformanceMonitor.Default)"
            : access;
    }
}
