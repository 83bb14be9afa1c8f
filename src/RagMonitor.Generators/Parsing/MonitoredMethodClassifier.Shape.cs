using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RagMonitor.Generators.Diagnostics;
using RagMonitor.Generators.Helpers;
using RagMonitor.Generators.Model;

namespace RagMonitor.Generators.Parsing;

// The declaration's shape: containing types, signature restrictions, return kinds, and the text of the implementing declaration.
internal static partial class MonitoredMethodClassifier
{
    // ------------------------------------------------------------------ shape

    private static EquatableArray<ContainingTypeSpec>? BuildContainingTypes(INamedTypeSymbol type, Location identifier, string displayName, Reporter reporter)
    {
        var chain = new List<ContainingTypeSpec>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            string keyword;
            switch (current.TypeKind)
            {
                case TypeKind.Class:
                    keyword = current.IsRecord ? "record" : "class";
                    break;
                case TypeKind.Struct:
                    keyword = current.IsRecord ? "record struct" : "struct";
                    break;
                default:
                    reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                        $"it is declared in {(current.TypeKind == TypeKind.Interface ? "an interface" : "a " + current.TypeKind.ToString().ToLowerInvariant())} ('{current.Name}'); monitored methods must live in a class, struct or record");
                    return null;
            }

            if (current.IsFileLocal)
            {
                reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                    $"'{current.Name}' is a file-local type, which generated code in another file cannot extend");
                return null;
            }

            var name = SymbolText.Escape(current.Name);
            if (current.TypeParameters.Length > 0)
            {
                name += "<" + string.Join(", ", current.TypeParameters.Select(static t => SymbolText.Escape(t.Name))) + ">";
            }

            chain.Add(new ContainingTypeSpec(keyword, name));
        }

        chain.Reverse();
        return chain.ToEquatableArray();
    }

    private static void CheckSignature(IMethodSymbol method, MethodDeclarationSyntax syntax, Location identifier, string displayName, Reporter reporter)
    {
        if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                "it returns by reference; a wrapper cannot time a ref return without exposing the reference past the stage's end");
        }

        if (method.IsVararg)
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName, "it uses __arglist, which cannot be forwarded");
        }

        if (method.IsExtern || syntax.Modifiers.Any(SyntaxKind.ExternKeyword))
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName, "it is extern, so its implementation is not generated");
        }

        if (syntax.Modifiers.Any(SyntaxKind.AsyncKeyword))
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName, "a partial method declaration without a body cannot be async; put async on the Core method");
        }

        if (UsesPointers(method.ReturnType) || method.Parameters.Any(static p => UsesPointers(p.Type)))
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                "it uses pointer or function pointer types; wrap a safe method that takes spans or references instead");
        }

        var hasAccessibility = syntax.Modifiers.Any(static m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.PrivateKeyword)
            || m.IsKind(SyntaxKind.ProtectedKeyword) || m.IsKind(SyntaxKind.InternalKeyword));
        var needsAccessibility = !method.ReturnsVoid
            || method.Parameters.Any(static p => p.RefKind == RefKind.Out)
            || syntax.Modifiers.Any(static m => m.IsKind(SyntaxKind.VirtualKeyword) || m.IsKind(SyntaxKind.OverrideKeyword)
                || m.IsKind(SyntaxKind.SealedKeyword) || m.IsKind(SyntaxKind.NewKeyword));
        if (!hasAccessibility && needsAccessibility)
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                "C# requires an accessibility modifier (for example private) on a partial method that returns a value, has out parameters or is virtual, override, sealed or new");
        }

        if (syntax.ConstraintClauses.Any(static c => c.Constraints.Any(static k => k.ToString().StartsWith("allows", System.StringComparison.Ordinal))))
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName, "'allows ref struct' constraints are not supported");
        }
    }

    private static bool UsesPointers(ITypeSymbol type) => type switch
    {
        IPointerTypeSymbol => true,
        IFunctionPointerTypeSymbol => true,
        IArrayTypeSymbol array => UsesPointers(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(UsesPointers),
        _ => false,
    };

    private static ReturnShape ClassifyReturn(IMethodSymbol method, MonitorKind kind, KnownTypes known, Location identifier, string displayName, Reporter reporter, out ITypeSymbol? resultType)
    {
        resultType = null;
        if (method.ReturnsVoid)
        {
            return ReturnShape.Void;
        }

        var type = method.ReturnType;
        if (type is INamedTypeSymbol named)
        {
            if (KnownTypes.Is(named, known.Task) && !named.IsGenericType)
            {
                return ReturnShape.Task;
            }

            if (KnownTypes.Is(named, known.ValueTask) && !named.IsGenericType)
            {
                return ReturnShape.ValueTask;
            }

            if (KnownTypes.Is(named, known.TaskOfT))
            {
                resultType = named.TypeArguments[0];
                return ReturnShape.TaskOfT;
            }

            if (KnownTypes.Is(named, known.ValueTaskOfT))
            {
                resultType = named.TypeArguments[0];
                return ReturnShape.ValueTaskOfT;
            }

            if (KnownTypes.Is(named, known.AsyncEnumerableOfT))
            {
                resultType = named.TypeArguments[0];
                if (kind == MonitorKind.Request)
                {
                    reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                        "a [MonitoredRequest] cannot return IAsyncEnumerable<T>: the request would end before its items are produced; enumerate inside a request that returns Task or ValueTask, and mark the stream itself [Stage]");
                }

                return ReturnShape.AsyncEnumerable;
            }
        }

        if (known.IsSequenceInterface(type))
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                $"it returns the lazy sequence '{SymbolText.ShortName(type)}', whose work runs when it is enumerated, after the wrapper has returned, so only its creation would be timed; return a collection (an array, List<T> or IReadOnlyList<T>) or IAsyncEnumerable<T>, which RagMonitor times over its enumeration");
        }

        if (type.TypeKind != TypeKind.TypeParameter && HasGetAwaiter(type))
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                $"it returns the awaitable type '{SymbolText.ShortName(type)}'; only Task, Task<T>, ValueTask, ValueTask<T> and IAsyncEnumerable<T> can be tracked to completion");
        }

        resultType = type;
        return ReturnShape.Value;
    }

    private static bool HasGetAwaiter(ITypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.GetMembers("GetAwaiter").Any(static m => m is IMethodSymbol { IsStatic: false, Parameters.Length: 0, TypeParameters.Length: 0 }))
            {
                return true;
            }
        }

        return false;
    }

    // ------------------------------------------------------------------ emitted declaration parts

    private static string Modifiers(MethodDeclarationSyntax syntax) =>
        string.Join(" ", syntax.Modifiers
            .Where(static m => !m.IsKind(SyntaxKind.PartialKeyword) && !m.IsKind(SyntaxKind.AsyncKeyword) && !m.IsKind(SyntaxKind.ExternKeyword))
            .Select(static m => m.ValueText));

    private static EquatableArray<string> ConstraintClauses(IMethodSymbol method, MethodDeclarationSyntax syntax)
    {
        if (method.IsOverride || method.ExplicitInterfaceImplementations.Length > 0)
        {
            // Overrides may only restate class/struct/default constraints, which have no type names: keep them as written.
            return syntax.ConstraintClauses.Select(static c => c.ToString()).ToEquatableArray();
        }

        var clauses = new List<string>();
        foreach (var parameter in method.TypeParameters)
        {
            var parts = new List<string>();
            if (parameter.HasReferenceTypeConstraint)
            {
                parts.Add(parameter.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
            }
            else if (parameter.HasUnmanagedTypeConstraint)
            {
                parts.Add("unmanaged");
            }
            else if (parameter.HasValueTypeConstraint)
            {
                parts.Add("struct");
            }
            else if (parameter.HasNotNullConstraint)
            {
                parts.Add("notnull");
            }

            for (var i = 0; i < parameter.ConstraintTypes.Length; i++)
            {
                var constraint = parameter.ConstraintTypes[i];
                if (i < parameter.ConstraintNullableAnnotations.Length)
                {
                    constraint = constraint.WithNullableAnnotation(parameter.ConstraintNullableAnnotations[i]);
                }

                parts.Add(SymbolText.Full(constraint));
            }

            if (parameter.HasConstructorConstraint && !parameter.HasValueTypeConstraint)
            {
                parts.Add("new()");
            }

            if (parts.Count > 0)
            {
                clauses.Add($"where {SymbolText.Escape(parameter.Name)} : {string.Join(", ", parts)}");
            }
        }

        return clauses.ToEquatableArray();
    }

    private static string HintName(INamedTypeSymbol type)
    {
        var parts = new List<string>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            parts.Add(current.MetadataName);
        }

        parts.Reverse();
        var typePart = string.Join(".", parts);
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : string.Empty;
        return ns + typePart + ".g.cs";
    }
}
