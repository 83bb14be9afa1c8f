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

/// <summary>
/// Decides whether a method marked <c>[Stage]</c> or <c>[MonitoredRequest]</c> can be wrapped, and builds
/// its spec. The generator and the declaration analyzer both call <see cref="Classify"/>, so they never
/// disagree: the generator emits exactly the methods for which the analyzer reports nothing.
/// </summary>
internal static partial class MonitoredMethodClassifier
{
    /// <summary>Diagnostic property holding the name of the expected Core method (for the code fix).</summary>
    public const string CoreNameProperty = "CoreName";

    private const string GlobalMetadataValue = "global::RagMonitor.MetadataValue";

    /// <summary>
    /// Classifies <paramref name="method"/>. Returns its spec when it can be wrapped, else
    /// <see langword="null"/>. When <paramref name="diagnostics"/> is given, every problem found is added
    /// to it (the analyzer); when it is <see langword="null"/> (the generator) nothing is allocated for them.
    /// </summary>
    public static MonitoredMethodSpec? Classify(IMethodSymbol method, KnownTypes known, List<Diagnostic>? diagnostics, CancellationToken cancellationToken)
    {
        if (method.PartialDefinitionPart is { } definitionPart)
        {
            method = definitionPart;
        }

        var stage = FindAttribute(method.GetAttributes(), known.StageAttribute);
        var request = FindAttribute(method.GetAttributes(), known.MonitoredRequestAttribute);
        if (stage is null && request is null)
        {
            return null;
        }

        var reporter = new Reporter(diagnostics);
        var identifier = method.Locations.FirstOrDefault() ?? Location.None;
        var type = method.ContainingType;
        var displayName = $"{type.Name}.{method.Name}";
        var coreName = method.Name + "Core";

        if (stage is not null && request is not null)
        {
            reporter.Report(DiagnosticDescriptors.BothAttributes, identifier, displayName);
            return null;
        }

        var kind = stage is not null ? MonitorKind.Stage : MonitorKind.Request;
        var attribute = (stage ?? request)!;
        var monitoredName = ReadName(kind, attribute, method, reporter, cancellationToken);
        if (reporter.Stopped)
        {
            return null;
        }

        // Partial-ness and bodies.
        var syntax = GetMethodSyntax(method, cancellationToken);
        var syntaxIsPartial = syntax is not null && syntax.Modifiers.Any(SyntaxKind.PartialKeyword);
        if (!method.IsPartialDefinition && !syntaxIsPartial)
        {
            reporter.Report(DiagnosticDescriptors.NotPartial, identifier, displayName);
            return null;
        }

        if (!method.IsPartialDefinition || (method.PartialImplementationPart is { } implementation && !IsGeneratedByUs(implementation, known)))
        {
            reporter.Report(DiagnosticDescriptors.PartialHasBody, identifier, displayName, coreName);
            return null;
        }

        if (!AllContainingTypesPartial(type, cancellationToken))
        {
            reporter.Report(DiagnosticDescriptors.NotPartial, identifier, displayName);
        }

        if (syntax is null || HasErrorTypes(method))
        {
            // Types that do not bind are the compiler's to report; wrapping them would only add errors.
            return null;
        }

        // Shape.
        var containingTypes = BuildContainingTypes(type, identifier, displayName, reporter);
        CheckSignature(method, syntax, identifier, displayName, reporter);
        var shape = ClassifyReturn(method, kind, known, identifier, displayName, reporter, out var resultType);
        var parameters = BuildParameters(method, syntax, kind, shape, known, identifier, displayName, reporter, out var requestIdExpression);
        var resultCount = kind == MonitorKind.Stage
            ? BuildResultCount(method, shape, resultType, known, identifier, displayName, reporter, cancellationToken)
            : RejectReturnMetadata(method, known, identifier, displayName, reporter);

        if (!HasMatchingCore(method, coreName))
        {
            reporter.Report(
                DiagnosticDescriptors.MissingCoreMethod,
                identifier,
                ImmutableDictionary<string, string?>.Empty.Add(CoreNameProperty, coreName),
                displayName,
                coreName,
                ExpectedSignature(method, coreName));
        }

        var monitorExpression = ResolveMonitor(method, known, identifier, reporter, cancellationToken);

        if (reporter.HasErrors || monitoredName is null || containingTypes is null || parameters is null || monitorExpression is null)
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var typeParameters = method.TypeParameters.Select(static t => SymbolText.Escape(t.Name)).ToEquatableArray();
        var location = new TypeLocationSpec(
            HintName(type),
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString(SymbolText.Namespace) : null,
            type.ToDisplayString(SymbolText.FullyQualified),
            containingTypes.Value);

        return new MonitoredMethodSpec(
            location,
            kind,
            monitoredName,
            SymbolText.Escape(method.Name),
            SymbolText.Escape(coreName),
            Modifiers(syntax),
            method.ReturnsVoid ? "void" : SymbolText.Full(method.ReturnType),
            shape,
            method.IsStatic,
            typeParameters,
            ConstraintClauses(method, syntax),
            parameters.Value,
            monitorExpression,
            requestIdExpression,
            resultCount);
    }

    private static bool HasErrorTypes(IMethodSymbol method) =>
        IsOrContainsError(method.ReturnType) || method.Parameters.Any(static p => IsOrContainsError(p.Type));

    private static bool IsOrContainsError(ITypeSymbol type) => type switch
    {
        IErrorTypeSymbol => true,
        IArrayTypeSymbol array => IsOrContainsError(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(IsOrContainsError),
        _ => false,
    };

    // ------------------------------------------------------------------ attributes and names

    private static AttributeData? FindAttribute(ImmutableArray<AttributeData> attributes, INamedTypeSymbol? attributeType)
    {
        foreach (var attribute in attributes)
        {
            if (attributeType is not null && SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
            {
                return attribute;
            }
        }

        return null;
    }

    private static string? ReadName(MonitorKind kind, AttributeData attribute, IMethodSymbol method, Reporter reporter, CancellationToken cancellationToken)
    {
        var attributeName = kind == MonitorKind.Stage ? "Stage" : "MonitoredRequest";
        var location = ArgumentLocation(attribute, 0, cancellationToken);
        if (attribute.ConstructorArguments.Length == 0)
        {
            if (kind == MonitorKind.Request && attribute.AttributeConstructor is { Parameters.Length: 0 })
            {
                return method.Name;
            }

            // The attribute did not bind (typically a non-constant argument, which the compiler also reports).
            reporter.Report(DiagnosticDescriptors.NameNotConstant, location, attributeName);
            return null;
        }

        var argument = attribute.ConstructorArguments[0];
        if (argument.Kind == TypedConstantKind.Error || (argument.Value is not null && argument.Value is not string))
        {
            reporter.Report(DiagnosticDescriptors.NameNotConstant, location, attributeName);
            return null;
        }

        var name = argument.Value as string;
        if (name is null && kind == MonitorKind.Request)
        {
            // [MonitoredRequest(null)] means "use the method name", like the parameterless constructor.
            return method.Name;
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            reporter.Report(DiagnosticDescriptors.EmptyName, location, attributeName);
            return null;
        }

        return name;
    }

    private static Location ArgumentLocation(AttributeData attribute, int index, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax syntax)
        {
            if (syntax.ArgumentList is { } list && list.Arguments.Count > index)
            {
                return list.Arguments[index].GetLocation();
            }

            return syntax.GetLocation();
        }

        return Location.None;
    }

    // ------------------------------------------------------------------ partial-ness

    private static MethodDeclarationSyntax? GetMethodSyntax(IMethodSymbol method, CancellationToken cancellationToken)
    {
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is MethodDeclarationSyntax declaration)
            {
                return declaration;
            }
        }

        return null;
    }

    /// <summary>The implementing part of a partial method is ours when it carries <c>[GeneratedCode("RagMonitor.Generators", …)]</c>.</summary>
    private static bool IsGeneratedByUs(IMethodSymbol implementation, KnownTypes known)
    {
        foreach (var attribute in implementation.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass
                && (KnownTypes.Is(attributeClass, known.GeneratedCodeAttribute) || attributeClass.ToDisplayString() == "System.CodeDom.Compiler.GeneratedCodeAttribute")
                && attribute.ConstructorArguments.Length > 0
                && attribute.ConstructorArguments[0].Value is string tool
                && tool == KnownTypes.GeneratorToolName)
            {
                return true;
            }
        }

        return false;
    }

    private static bool AllContainingTypesPartial(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            var partial = false;
            foreach (var reference in current.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration && declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    partial = true;
                    break;
                }
            }

            if (!partial)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Collects diagnostics for the analyzer; for the generator only remembers that something was wrong.</summary>
    private sealed class Reporter
    {
        private readonly List<Diagnostic>? _diagnostics;

        public Reporter(List<Diagnostic>? diagnostics)
        {
            _diagnostics = diagnostics;
        }

        public bool HasErrors { get; private set; }

        /// <summary>Set when later checks would only repeat the same problem.</summary>
        public bool Stopped { get; private set; }

        public void Stop() => Stopped = true;

        public void Report(DiagnosticDescriptor descriptor, Location location, params object?[] arguments) =>
            Report(descriptor, location, null, arguments);

        public void Report(DiagnosticDescriptor descriptor, Location location, ImmutableDictionary<string, string?>? properties, params object?[] arguments)
        {
            HasErrors = true;
            if (descriptor == DiagnosticDescriptors.NameNotConstant || descriptor == DiagnosticDescriptors.EmptyName)
            {
                Stopped = true;
            }

            _diagnostics?.Add(Diagnostic.Create(descriptor, location, properties, arguments));
        }
    }
}
