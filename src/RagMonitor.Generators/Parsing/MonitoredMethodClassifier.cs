using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
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
    /// <see langword="null"/>; every problem found is added to <paramref name="diagnostics"/> as equatable data
    /// (the generator reports them from its pipeline, the declaration analyzer from its symbol action).
    /// </summary>
    /// <remarks>
    /// A declaration that is skipped with an error but whose signature can be implemented gets a stub spec
    /// (<see cref="MonitoredMethodSpec.SkippedBy"/> set): the generator implements it with a body that only
    /// throws, so that the build shows the RMON error alone instead of the compiler's CS8795 as well.
    /// </remarks>
    public static MonitoredMethodSpec? Classify(IMethodSymbol method, KnownTypes known, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        if (method.PartialDefinitionPart is { } definitionPart)
        {
            method = definitionPart;
        }

        var reported = diagnostics.Count;
        var spec = ClassifyDeclaration(method, known, diagnostics, cancellationToken);
        if (spec is null && diagnostics.Count > reported && diagnostics[reported].Descriptor.DefaultSeverity == DiagnosticSeverity.Error)
        {
            return Stub(method, known, diagnostics[reported].Descriptor.Id, cancellationToken);
        }

        return spec;
    }

    private static MonitoredMethodSpec? ClassifyDeclaration(IMethodSymbol method, KnownTypes known, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {

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

        if (UnwrappableTarget(method) is { } target)
        {
            var attributeText = stage is not null ? "[Stage]" : "[MonitoredRequest]";
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, TargetDisplayName(method),
                $"{attributeText} is on {target}, which generated code cannot implement; put the work in a partial method of the containing type (with its body in a '<Name>Core' method) and call that, or time it with monitor.BeginStage(\"name\") inside");
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
        var parameters = BuildParameters(method, syntax, kind, shape, known, identifier, displayName, reporter, out var requestId, out var parametersOk);

        var resultCount = kind == MonitorKind.Stage
            ? BuildResultCount(method, shape, resultType, known, identifier, displayName, reporter, cancellationToken)
            : RejectReturnMetadata(method, known, identifier, displayName, reporter);

        var core = FindMatchingCore(method, coreName);
        if (core is not null && NullabilityMismatch(method, core) is { } mismatch)
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                $"{mismatch}; the wrapper passes values between the two unchanged, so make their nullability agree (a Core may return a non-nullable type where the declaration's is nullable, and accept a nullable parameter where the declaration's is not)");
        }

        if (core is null)
        {
            reporter.ReportWithCoreName(
                DiagnosticDescriptors.MissingCoreMethod,
                identifier,
                coreName,
                displayName,
                coreName,
                ExpectedSignature(method, coreName));
        }

        var monitorExpression = ResolveMonitor(method, known, identifier, reporter, cancellationToken);

        if (reporter.HasErrors || monitoredName is null || containingTypes is null || !parametersOk || monitorExpression is null)
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var typeParameters = method.TypeParameters.Select(static t => SymbolText.Escape(t.Name)).ToEquatableArray();
        var location = TypeLocation(type, containingTypes.Value);

        return new MonitoredMethodSpec(
            location,
            kind,
            monitoredName,
            SymbolText.Escape(method.Name),
            SymbolText.Escape(coreName),
            Modifiers(syntax),
            method.ReturnsVoid ? "void" : known.FullName(method.ReturnType),
            shape,
            method.IsStatic,
            typeParameters,
            ConstraintClauses(method, syntax),
            parameters,
            monitorExpression,
            requestId,
            resultCount,
            null);
    }

    /// <summary>
    /// The implementation of a declaration skipped with error <paramref name="skippedBy"/>: its signature, with a body
    /// that throws. Only when the signature itself can be implemented (a partial definition without a body, in partial
    /// classes, structs or records, with types that bind); else <see langword="null"/>.
    /// </summary>
    private static MonitoredMethodSpec? Stub(IMethodSymbol method, KnownTypes known, string skippedBy, CancellationToken cancellationToken)
    {
        var syntax = GetMethodSyntax(method, cancellationToken);
        if (syntax is null
            || method.MethodKind != MethodKind.Ordinary
            || !method.IsPartialDefinition
            || (method.PartialImplementationPart is { } implementation && !IsGeneratedByUs(implementation, known))
            || !AllContainingTypesPartial(method.ContainingType, cancellationToken)
            || HasErrorTypes(method))
        {
            return null;
        }

        var silent = new Reporter(new List<DiagnosticInfo>());
        var containingTypes = BuildContainingTypes(method.ContainingType, Location.None, string.Empty, silent);
        CheckSignature(method, syntax, Location.None, string.Empty, silent);
        if (containingTypes is null || silent.HasErrors)
        {
            return null;
        }

        var parameters = method.Parameters
            .Select(p => new ParameterSpec(SymbolText.Escape(p.Name), ParameterDeclaration(method, p, syntax, known, out var prefix), prefix, null))
            .ToEquatableArray();
        var type = method.ContainingType;
        return new MonitoredMethodSpec(
            TypeLocation(type, containingTypes.Value),
            MonitorKind.Stage,
            string.Empty,
            SymbolText.Escape(method.Name),
            SymbolText.Escape(method.Name + "Core"),
            Modifiers(syntax),
            method.ReturnsVoid ? "void" : known.FullName(method.ReturnType),
            ReturnShape.Value,
            method.IsStatic,
            method.TypeParameters.Select(static t => SymbolText.Escape(t.Name)).ToEquatableArray(),
            ConstraintClauses(method, syntax),
            parameters,
            string.Empty,
            null,
            null,
            skippedBy);
    }

    private static TypeLocationSpec TypeLocation(INamedTypeSymbol type, EquatableArray<ContainingTypeSpec> containingTypes)
    {
        var names = s_typeNamesByType.GetValue(type, static t => new TypeNames(
            HintName(t),
            t.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString(SymbolText.Namespace) : null,
            t.ToDisplayString(SymbolText.FullyQualified)));
        return new(names.HintName, names.Namespace, names.FullName, containingTypes);
    }

    /// <summary>
    /// A type's names for <see cref="TypeLocation"/>, written once per type symbol instead of once per method (the
    /// generator classifies every method again on each compilation change; a symbol belongs to one compilation, so
    /// an entry can never be stale).
    /// </summary>
    private static readonly ConditionalWeakTable<INamedTypeSymbol, TypeNames> s_typeNamesByType = new();

    private sealed class TypeNames
    {
        public TypeNames(string hintName, string? @namespace, string fullName)
        {
            HintName = hintName;
            Namespace = @namespace;
            FullName = fullName;
        }

        public string HintName { get; }

        public string? Namespace { get; }

        public string FullName { get; }
    }

    /// <summary>What a <c>[Stage]</c> or <c>[MonitoredRequest]</c> is on when it is not an ordinary method, else <see langword="null"/>.</summary>
    private static string? UnwrappableTarget(IMethodSymbol method) => method.MethodKind switch
    {
        MethodKind.Ordinary => null,
        MethodKind.LocalFunction => "a local function",
        MethodKind.AnonymousFunction => "a lambda",
        MethodKind.PropertyGet or MethodKind.PropertySet => "a property accessor",
        MethodKind.EventAdd or MethodKind.EventRemove or MethodKind.EventRaise => "an event accessor",
        MethodKind.Constructor or MethodKind.StaticConstructor => "a constructor",
        MethodKind.Destructor => "a finalizer",
        MethodKind.UserDefinedOperator or MethodKind.Conversion => "an operator",
        MethodKind.ExplicitInterfaceImplementation => "an explicit interface implementation",
        _ => "a " + method.MethodKind.ToString().ToLowerInvariant(),
    };

    private static string TargetDisplayName(IMethodSymbol method)
    {
        var name = method.AssociatedSymbol?.Name ?? method.Name;
        if (method.MethodKind == MethodKind.LocalFunction && method.ContainingSymbol is IMethodSymbol outer)
        {
            name = outer.Name + "." + name;
        }

        return $"{method.ContainingType?.Name}.{name}";
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
                && (KnownTypes.Is(attributeClass, known.GeneratedCodeAttribute)
                    || (attributeClass.Name == "GeneratedCodeAttribute" && attributeClass.ToDisplayString() == "System.CodeDom.Compiler.GeneratedCodeAttribute"))
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

    /// <summary>Collects the problems found, as equatable data.</summary>
    private sealed class Reporter
    {
        private readonly List<DiagnosticInfo> _diagnostics;

        public Reporter(List<DiagnosticInfo> diagnostics)
        {
            _diagnostics = diagnostics;
        }

        public bool HasErrors { get; private set; }

        /// <summary>Set when later checks would only repeat the same problem.</summary>
        public bool Stopped { get; private set; }

        public void Stop() => Stopped = true;

        public void Report(DiagnosticDescriptor descriptor, Location location, params string[] arguments) =>
            ReportWithCoreName(descriptor, location, null, arguments);

        public void ReportWithCoreName(DiagnosticDescriptor descriptor, Location location, string? coreName, params string[] arguments)
        {
            HasErrors = true;
            if (descriptor == DiagnosticDescriptors.NameNotConstant || descriptor == DiagnosticDescriptors.EmptyName)
            {
                Stopped = true;
            }

            _diagnostics.Add(new DiagnosticInfo(descriptor, LocationInfo.From(location), arguments.ToEquatableArray(), coreName));
        }
    }
}
