using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RagMonitor.Generators.Diagnostics;

namespace RagMonitor.Generators.Parsing;

// Choosing the PerformanceMonitor a wrapper uses.
internal static partial class MonitoredMethodClassifier
{
    // ------------------------------------------------------------------ monitor

    /// <summary>
    /// The monitor the wrapper uses: the one field or property of type <c>PerformanceMonitor</c> declared on
    /// the containing type (static methods consider static members only; instance methods consider both);
    /// for an instance method of a type with none, the one primary constructor parameter of that type; else
    /// <c>PerformanceMonitor.Default</c>. A nullable member falls back to the default when null.
    /// </summary>
    private static string? ResolveMonitor(IMethodSymbol method, KnownTypes known, Location identifier, Reporter reporter, CancellationToken cancellationToken)
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
                case IPropertySymbol { IsIndexer: false, GetMethod: not null, ExplicitInterfaceImplementations.Length: 0 } property when KnownTypes.Is(property.Type, known.PerformanceMonitor):
                    // An explicit interface implementation is not reachable as this.Name: it is not a candidate.
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
            return method.IsStatic
                ? "global::RagMonitor.PerformanceMonitor.Default"
                : ResolvePrimaryConstructorMonitor(method, known, identifier, reporter, cancellationToken);
        }

        var (chosen, chosenType) = candidates[0];
        var access = chosen.IsStatic
            ? type.ToDisplayString(SymbolText.FullyQualified) + "." + SymbolText.Escape(chosen.Name)
            : "this." + SymbolText.Escape(chosen.Name);
        return chosenType.NullableAnnotation == NullableAnnotation.Annotated
            ? $"({access} ?? global::RagMonitor.PerformanceMonitor.Default)"
            : access;
    }

    /// <summary>
    /// A class or struct primary constructor parameter of type <c>PerformanceMonitor</c> (C# 12): it is in scope in
    /// every part of the type, so the wrapper can use it by name. Only looked at when the type declares no
    /// monitor field or property, so that a parameter already copied into a field is not captured twice.
    /// </summary>
    private static string? ResolvePrimaryConstructorMonitor(IMethodSymbol method, KnownTypes known, Location identifier, Reporter reporter, CancellationToken cancellationToken)
    {
        var type = method.ContainingType;
        if (type.IsRecord)
        {
            // A record's positional parameters are properties, already considered.
            return "global::RagMonitor.PerformanceMonitor.Default";
        }

        foreach (var constructor in type.InstanceConstructors)
        {
            var isPrimary = constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax);
            if (!isPrimary)
            {
                continue;
            }

            var monitors = constructor.Parameters.Where(p => KnownTypes.Is(p.Type, known.PerformanceMonitor)).ToList();
            if (monitors.Count > 1)
            {
                reporter.Report(DiagnosticDescriptors.AmbiguousMonitor, identifier, type.Name, string.Join(", ", monitors.Select(static p => p.Name)));
                return null;
            }

            if (monitors.Count == 1)
            {
                var parameter = monitors[0];
                if (method.Parameters.Any(p => p.Name == parameter.Name))
                {
                    reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, $"{type.Name}.{method.Name}",
                        $"its parameter '{parameter.Name}' hides the primary constructor parameter '{parameter.Name}' that holds the PerformanceMonitor; rename one of them");
                    return null;
                }

                if (HasMemberNamed(type, parameter.Name))
                {
                    reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, $"{type.Name}.{method.Name}",
                        $"the primary constructor parameter '{parameter.Name}' that holds the PerformanceMonitor is hidden by a member of the same name, so the wrapper cannot reach it; rename one of them, or store the monitor in a PerformanceMonitor field or property and the wrapper will use that");
                    return null;
                }

                if (UsedInInitializers(type, parameter.Name, cancellationToken))
                {
                    reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, $"{type.Name}.{method.Name}",
                        $"the primary constructor parameter '{parameter.Name}' also initializes a member or the base type, and using it in the wrapper would capture it twice (warning CS9124/CS9107); store it in a PerformanceMonitor field or property and the wrapper will use that");
                    return null;
                }

                var access = SymbolText.Escape(parameter.Name);
                return parameter.Type.NullableAnnotation == NullableAnnotation.Annotated
                    ? $"({access} ?? global::RagMonitor.PerformanceMonitor.Default)"
                    : access;
            }
        }

        return "global::RagMonitor.PerformanceMonitor.Default";
    }

    /// <summary>Whether the type or a base type has a member named <paramref name="name"/>, which hides a primary constructor parameter of that name inside the type.</summary>
    private static bool HasMemberNamed(INamedTypeSymbol type, string name)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers(name))
            {
                if (!member.IsImplicitlyDeclared && (SymbolEqualityComparer.Default.Equals(current, type) || member.DeclaredAccessibility != Accessibility.Private))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Whether a field, property or event initializer, or the primary constructor's base call, mentions <paramref name="name"/>.</summary>
    private static bool UsedInInitializers(INamedTypeSymbol type, string name, CancellationToken cancellationToken)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration)
            {
                continue;
            }

            var expressions = new List<SyntaxNode>();
            if (declaration.BaseList is { } baseList)
            {
                expressions.AddRange(baseList.Types.OfType<PrimaryConstructorBaseTypeSyntax>().Select(static b => b.ArgumentList));
            }

            foreach (var member in declaration.Members)
            {
                switch (member)
                {
                    case BaseFieldDeclarationSyntax field:
                        expressions.AddRange(field.Declaration.Variables.Where(static v => v.Initializer is not null).Select(static v => v.Initializer!));
                        break;
                    case PropertyDeclarationSyntax { Initializer: { } initializer }:
                        expressions.Add(initializer);
                        break;
                }
            }

            if (expressions.Any(e => e.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(i => i.Identifier.ValueText == name)))
            {
                return true;
            }
        }

        return false;
    }
}
