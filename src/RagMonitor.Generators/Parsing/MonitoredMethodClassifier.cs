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
internal static class MonitoredMethodClassifier
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

        if (syntax is null)
        {
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

        var monitorExpression = ResolveMonitor(method, known, identifier, reporter);

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

    // ------------------------------------------------------------------ parameters

    private static EquatableArray<ParameterSpec>? BuildParameters(
        IMethodSymbol method,
        MethodDeclarationSyntax syntax,
        MonitorKind kind,
        ReturnShape shape,
        KnownTypes known,
        Location identifier,
        string displayName,
        Reporter reporter,
        out string? requestIdExpression)
    {
        requestIdExpression = null;
        var result = new List<ParameterSpec>(method.Parameters.Length);
        var ok = true;
        var requestIdCount = 0;
        foreach (var parameter in method.Parameters)
        {
            var name = SymbolText.Escape(parameter.Name);
            var parameterSyntax = parameter.Ordinal < syntax.ParameterList.Parameters.Count ? syntax.ParameterList.Parameters[parameter.Ordinal] : null;
            var declaration = new StringBuilder();
            if (method.IsExtensionMethod && parameter.Ordinal == 0)
            {
                declaration.Append("this ");
            }

            if (parameterSyntax is not null && parameterSyntax.Modifiers.Any(SyntaxKind.ScopedKeyword))
            {
                declaration.Append("scoped ");
            }

            if (parameter.IsParams)
            {
                declaration.Append("params ");
            }

            string argumentPrefix;
            switch (parameter.RefKind)
            {
                case RefKind.Ref:
                    declaration.Append("ref ");
                    argumentPrefix = "ref ";
                    break;
                case RefKind.Out:
                    declaration.Append("out ");
                    argumentPrefix = "out ";
                    break;
                case RefKind.In:
                    declaration.Append("in ");
                    argumentPrefix = "in ";
                    break;
                case RefKind.RefReadOnlyParameter:
                    declaration.Append("ref readonly ");
                    argumentPrefix = "in ";
                    break;
                default:
                    argumentPrefix = string.Empty;
                    break;
            }

            declaration.Append(SymbolText.Full(parameter.Type)).Append(' ').Append(name);

            ParameterMetadataSpec? metadata = null;
            var attributes = parameter.GetAttributes();
            if (FindAttribute(attributes, known.StageMetadataAttribute) is { } metadataAttribute)
            {
                metadata = BuildParameterMetadata(parameter, metadataAttribute, known, kind, shape, identifier, displayName, reporter);
                ok &= metadata is not null;
            }

            if (FindAttribute(attributes, known.RequestIdAttribute) is not null && kind == MonitorKind.Request)
            {
                requestIdCount++;
                if (parameter.RefKind == RefKind.Out)
                {
                    reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                        $"the [RequestId] parameter '{parameter.Name}' is an out parameter, which has no value when the request starts");
                    ok = false;
                }
                else
                {
                    requestIdExpression = RequestIdExpression(parameter.Type, name);
                }
            }

            result.Add(new ParameterSpec(name, declaration.ToString(), argumentPrefix, metadata));
        }

        if (requestIdCount > 1)
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName, "more than one parameter is marked [RequestId]; mark one");
            ok = false;
        }

        return ok ? result.ToEquatableArray() : null;
    }

    private static ParameterMetadataSpec? BuildParameterMetadata(
        IParameterSymbol parameter,
        AttributeData attribute,
        KnownTypes known,
        MonitorKind kind,
        ReturnShape shape,
        Location identifier,
        string displayName,
        Reporter reporter)
    {
        if (kind == MonitorKind.Request)
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                $"[StageMetadata] on '{parameter.Name}' has no effect on a [MonitoredRequest] (a request has no metadata); record it on a [Stage] method");
            return null;
        }

        if (shape == ReturnShape.AsyncEnumerable)
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                $"[StageMetadata] on '{parameter.Name}' is not supported on an IAsyncEnumerable<T> stage, whose stage starts only when enumeration starts; call StageContext.AddMetadata inside the stream instead");
            return null;
        }

        if (parameter.Type.IsRefLikeType)
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                $"[StageMetadata] on '{parameter.Name}' cannot record a ref struct ('{SymbolText.ShortName(parameter.Type)}')");
            return null;
        }

        var key = ReadMetadataKey(attribute, reporter) ?? (reporter.Stopped ? null : MetadataKeys.ToSnakeCase(parameter.Name));
        if (key is null)
        {
            return null;
        }

        var name = SymbolText.Escape(parameter.Name);
        var value = MetadataValueExpression(parameter.Type, name);
        var afterCall = parameter.RefKind == RefKind.Out;
        if (value is null && CountAccess(parameter.Type, key, known) is { } count)
        {
            // A collection is recorded as its count: its ToString() would only name its type.
            return new ParameterMetadataSpec(key, name, afterCall, count);
        }

        return new ParameterMetadataSpec(key, value ?? $"{GlobalMetadataValue}.FromObject({name})", afterCall, null);
    }

    /// <summary>The explicit key of a <c>[StageMetadata]</c>, or <see langword="null"/> (default key, or a problem that was reported).</summary>
    private static string? ReadMetadataKey(AttributeData attribute, Reporter reporter)
    {
        if (attribute.ConstructorArguments.Length == 0)
        {
            if (attribute.AttributeConstructor is null)
            {
                reporter.Report(DiagnosticDescriptors.NameNotConstant, ArgumentLocation(attribute, 0, default), "StageMetadata");
                reporter.Stop();
            }

            return null;
        }

        var argument = attribute.ConstructorArguments[0];
        if (argument.Kind == TypedConstantKind.Error || (argument.Value is not null && argument.Value is not string))
        {
            reporter.Report(DiagnosticDescriptors.NameNotConstant, ArgumentLocation(attribute, 0, default), "StageMetadata");
            reporter.Stop();
            return null;
        }

        if (argument.Value is string key && string.IsNullOrWhiteSpace(key))
        {
            reporter.Report(DiagnosticDescriptors.EmptyName, ArgumentLocation(attribute, 0, default), "StageMetadata");
            reporter.Stop();
            return null;
        }

        return argument.Value as string;
    }

    /// <summary>
    /// An expression converting a parameter to <c>MetadataValue</c> without boxing where a typed factory exists,
    /// or <see langword="null"/> when only <c>MetadataValue.FromObject</c> fits.
    /// </summary>
    private static string? MetadataValueExpression(ITypeSymbol type, string name)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            var inner = Factory(nullable.TypeArguments[0], name + ".GetValueOrDefault()");
            return inner is null
                ? $"{GlobalMetadataValue}.FromObject({name})"
                : $"{name}.HasValue ? {inner} : {GlobalMetadataValue}.Null";
        }

        return Factory(type, name);
    }

    private static string? Factory(ITypeSymbol type, string value)
    {
        if (type.ToDisplayString() == KnownTypes.MetadataValueName)
        {
            return value;
        }

        if (type.TypeKind == TypeKind.Enum || type.SpecialType == SpecialType.System_Char)
        {
            return $"{GlobalMetadataValue}.FromString({value}.ToString())";
        }

        return type.SpecialType switch
        {
            SpecialType.System_String => $"{GlobalMetadataValue}.FromString({value})",
            SpecialType.System_Boolean => $"{GlobalMetadataValue}.FromBoolean({value})",
            SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
                or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 => $"{GlobalMetadataValue}.FromInteger({value})",
            SpecialType.System_Single or SpecialType.System_Double => $"{GlobalMetadataValue}.FromNumber({value})",
            SpecialType.System_Decimal => $"{GlobalMetadataValue}.FromNumber((double){value})",
            _ => null,
        };
    }

    /// <summary><c>ToString()</c> of the [RequestId] parameter, null-safe.</summary>
    private static string RequestIdExpression(ITypeSymbol type, string name)
    {
        if (type.SpecialType == SpecialType.System_String)
        {
            return name;
        }

        if (type.TypeKind == TypeKind.TypeParameter)
        {
            return $"({name} is null ? null : {name}.ToString())";
        }

        if (type.IsReferenceType || type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T })
        {
            return $"{name}?.ToString()";
        }

        return $"{name}.ToString()";
    }

    // ------------------------------------------------------------------ return metadata

    private static ResultCountSpec? BuildResultCount(
        IMethodSymbol method,
        ReturnShape shape,
        ITypeSymbol? resultType,
        KnownTypes known,
        Location identifier,
        string displayName,
        Reporter reporter,
        CancellationToken cancellationToken)
    {
        var attribute = FindAttribute(method.GetReturnTypeAttributes(), known.StageMetadataAttribute);
        if (attribute is null)
        {
            return null;
        }

        var key = ReadMetadataKey(attribute, reporter);
        if (reporter.Stopped)
        {
            return null;
        }

        if (key is null)
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                "[return: StageMetadata] needs an explicit key, for example [return: StageMetadata(\"documents_retrieved\")]");
            return null;
        }

        switch (shape)
        {
            case ReturnShape.Void:
            case ReturnShape.Task:
            case ReturnShape.ValueTask:
                reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                    $"[return: StageMetadata(\"{key}\")] needs a result to count, and this method returns none");
                return null;
            case ReturnShape.AsyncEnumerable:
                reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                    $"[return: StageMetadata(\"{key}\")] is not supported on an IAsyncEnumerable<T> stage; its item count is recorded automatically as 'items'");
                return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var count = CountAccess(resultType!, key, known);
        if (count is null)
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                $"[return: StageMetadata(\"{key}\")] counts a collection, but '{SymbolText.ShortName(resultType!)}' has no Count or Length (use an array, ICollection<T>, IReadOnlyCollection<T> or a type with a Count property)");
        }

        return count;
    }

    private static ResultCountSpec? RejectReturnMetadata(IMethodSymbol method, KnownTypes known, Location identifier, string displayName, Reporter reporter)
    {
        if (FindAttribute(method.GetReturnTypeAttributes(), known.StageMetadataAttribute) is not null)
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                "[return: StageMetadata] has no effect on a [MonitoredRequest] (a request has no metadata); put it on a [Stage] method");
        }

        return null;
    }

    private static ResultCountSpec? CountAccess(ITypeSymbol type, string key, KnownTypes known)
    {
        if (type.IsRefLikeType || type is IPointerTypeSymbol)
        {
            return null;
        }

        if (type is IArrayTypeSymbol)
        {
            return new ResultCountSpec(key, "Length", null, NullConditional: true);
        }

        var nullableValue = type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable
            ? nullable.TypeArguments[0]
            : null;
        var lookup = nullableValue ?? type;
        var conditional = type.IsReferenceType || nullableValue is not null;

        if (lookup.TypeKind != TypeKind.TypeParameter && lookup.TypeKind != TypeKind.Interface)
        {
            for (var current = lookup; current is not null; current = current.BaseType)
            {
                foreach (var memberName in new[] { "Count", "Length" })
                {
                    if (current.GetMembers(memberName).OfType<IPropertySymbol>().Any(IsCountProperty))
                    {
                        return new ResultCountSpec(key, memberName, null, conditional);
                    }
                }
            }
        }

        if (lookup.TypeKind == TypeKind.Interface)
        {
            foreach (var memberName in new[] { "Count", "Length" })
            {
                if (lookup.GetMembers(memberName).OfType<IPropertySymbol>().Any(IsCountProperty))
                {
                    return new ResultCountSpec(key, memberName, null, conditional);
                }
            }
        }

        // Reach Count through a collection interface (explicit implementations, interfaces, type parameters).
        var interfaces = lookup is ITypeParameterSymbol parameter
            ? parameter.ConstraintTypes.SelectMany(static c => c.TypeKind == TypeKind.Interface ? new[] { c }.Concat(c.AllInterfaces) : c.AllInterfaces).ToList()
            : (lookup.TypeKind == TypeKind.Interface ? new[] { lookup }.Concat(lookup.AllInterfaces) : lookup.AllInterfaces).ToList();
        foreach (var candidate in new[] { known.ReadOnlyCollectionOfT, known.CollectionOfT, known.Collection })
        {
            var match = interfaces.FirstOrDefault(i => KnownTypes.Is(i, candidate));
            if (match is not null)
            {
                return new ResultCountSpec(key, "Count", SymbolText.Full(match.WithNullableAnnotation(NullableAnnotation.NotAnnotated)), NullConditional: true);
            }
        }

        return null;
    }

    private static bool IsCountProperty(IPropertySymbol property) =>
        !property.IsStatic && !property.IsIndexer && property.GetMethod is not null
        && property.DeclaredAccessibility == Accessibility.Public
        && property.Type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64;

    // ------------------------------------------------------------------ Core method

    private static bool HasMatchingCore(IMethodSymbol method, string coreName)
    {
        foreach (var member in method.ContainingType.GetMembers(coreName))
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } core && CoreMatches(method, core))
            {
                return true;
            }
        }

        return false;
    }

    private static bool CoreMatches(IMethodSymbol method, IMethodSymbol core)
    {
        if (core.IsStatic != method.IsStatic
            || core.ReturnsByRef || core.ReturnsByRefReadonly
            || core.TypeParameters.Length != method.TypeParameters.Length
            || core.Parameters.Length != method.Parameters.Length
            || core.ReturnsVoid != method.ReturnsVoid
            || core.IsVararg)
        {
            return false;
        }

        // A readonly member of a mutable struct would copy 'this' to call a mutating Core.
        if (method.IsReadOnly && !core.IsReadOnly && !method.IsStatic)
        {
            return false;
        }

        if (!method.ReturnsVoid && !Equivalent(core.ReturnType, method.ReturnType, core, method))
        {
            return false;
        }

        for (var i = 0; i < core.Parameters.Length; i++)
        {
            var expected = method.Parameters[i];
            var actual = core.Parameters[i];
            if (!RefKindsCompatible(expected.RefKind, actual.RefKind) || !Equivalent(actual.Type, expected.Type, core, method))
            {
                return false;
            }
        }

        for (var i = 0; i < core.TypeParameters.Length; i++)
        {
            if (!ConstraintsImplied(core.TypeParameters[i], method.TypeParameters[i], core, method))
            {
                return false;
            }
        }

        return true;
    }

    private static bool RefKindsCompatible(RefKind expected, RefKind actual) =>
        expected == actual
        || (expected is RefKind.In or RefKind.RefReadOnlyParameter && actual is RefKind.In or RefKind.RefReadOnlyParameter);

    /// <summary>Type equality where the Core method's type parameters stand for the wrapper's (by ordinal); nullability ignored.</summary>
    private static bool Equivalent(ITypeSymbol coreType, ITypeSymbol methodType, IMethodSymbol core, IMethodSymbol method)
    {
        if (coreType is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method } coreParameter
            && SymbolEqualityComparer.Default.Equals(coreParameter.DeclaringMethod, core))
        {
            return methodType is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method } methodParameter
                && SymbolEqualityComparer.Default.Equals(methodParameter.DeclaringMethod, method)
                && methodParameter.Ordinal == coreParameter.Ordinal;
        }

        switch (coreType)
        {
            case IArrayTypeSymbol coreArray:
                return methodType is IArrayTypeSymbol methodArray
                    && coreArray.Rank == methodArray.Rank
                    && Equivalent(coreArray.ElementType, methodArray.ElementType, core, method);
            case INamedTypeSymbol { IsGenericType: true } coreNamed:
                if (methodType is not INamedTypeSymbol { IsGenericType: true } methodNamed
                    || !SymbolEqualityComparer.Default.Equals(coreNamed.OriginalDefinition, methodNamed.OriginalDefinition)
                    || coreNamed.TypeArguments.Length != methodNamed.TypeArguments.Length)
                {
                    return false;
                }

                for (var i = 0; i < coreNamed.TypeArguments.Length; i++)
                {
                    if (!Equivalent(coreNamed.TypeArguments[i], methodNamed.TypeArguments[i], core, method))
                    {
                        return false;
                    }
                }

                return coreNamed.ContainingType is null
                    || methodNamed.ContainingType is null
                    || Equivalent(coreNamed.ContainingType, methodNamed.ContainingType, core, method);
            default:
                return SymbolEqualityComparer.Default.Equals(coreType, methodType);
        }
    }

    /// <summary>Whether every constraint of the Core's type parameter is guaranteed by the wrapper's.</summary>
    private static bool ConstraintsImplied(ITypeParameterSymbol coreParameter, ITypeParameterSymbol methodParameter, IMethodSymbol core, IMethodSymbol method)
    {
        if ((coreParameter.HasReferenceTypeConstraint && !methodParameter.HasReferenceTypeConstraint)
            || (coreParameter.HasValueTypeConstraint && !methodParameter.HasValueTypeConstraint)
            || (coreParameter.HasUnmanagedTypeConstraint && !methodParameter.HasUnmanagedTypeConstraint)
            || (coreParameter.HasConstructorConstraint && !methodParameter.HasConstructorConstraint && !methodParameter.HasValueTypeConstraint)
            || (coreParameter.HasNotNullConstraint && !methodParameter.HasNotNullConstraint && !methodParameter.HasValueTypeConstraint && !methodParameter.HasReferenceTypeConstraint))
        {
            return false;
        }

        foreach (var constraint in coreParameter.ConstraintTypes)
        {
            if (!methodParameter.ConstraintTypes.Any(m => Equivalent(constraint, m, core, method)))
            {
                return false;
            }
        }

        return true;
    }

    private static string ExpectedSignature(IMethodSymbol method, string coreName)
    {
        var builder = new StringBuilder();
        if (method.IsStatic)
        {
            builder.Append("static ");
        }

        builder.Append(method.ReturnsVoid ? "void" : SymbolText.ShortName(method.ReturnType)).Append(' ').Append(coreName);
        if (method.TypeParameters.Length > 0)
        {
            builder.Append('<').Append(string.Join(", ", method.TypeParameters.Select(static t => t.Name))).Append('>');
        }

        builder.Append('(');
        builder.Append(string.Join(", ", method.Parameters.Select(static p =>
        {
            var prefix = p.RefKind switch
            {
                RefKind.Ref => "ref ",
                RefKind.Out => "out ",
                RefKind.In => "in ",
                RefKind.RefReadOnlyParameter => "ref readonly ",
                _ => string.Empty,
            };
            return prefix + SymbolText.ShortName(p.Type) + " " + p.Name;
        })));
        builder.Append(')');
        return builder.ToString();
    }

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
