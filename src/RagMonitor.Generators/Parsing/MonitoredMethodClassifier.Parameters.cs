using System.Collections.Generic;
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

// Parameters: how they are re-declared and passed on, [StageMetadata], [RequestId] and result counts.
internal static partial class MonitoredMethodClassifier
{
    // ------------------------------------------------------------------ parameters

    private static EquatableArray<ParameterSpec> BuildParameters(
        IMethodSymbol method,
        MethodDeclarationSyntax syntax,
        MonitorKind kind,
        ReturnShape shape,
        KnownTypes known,
        Location identifier,
        string displayName,
        Reporter reporter,
        out RequestIdSpec? requestId,
        out bool ok)
    {
        requestId = null;
        var result = new List<ParameterSpec>(method.Parameters.Length);
        ok = true;
        var requestIdCount = 0;
        foreach (var parameter in method.Parameters)
        {
            var name = SymbolText.Escape(parameter.Name);
            var declaration = ParameterDeclaration(method, parameter, syntax, known, out var argumentPrefix);

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
                    requestId = new RequestIdSpec(name, parameter.Type.SpecialType == SpecialType.System_String);
                }
            }

            result.Add(new ParameterSpec(name, declaration, argumentPrefix, metadata));
        }

        if (requestIdCount > 1)
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName, "more than one parameter is marked [RequestId]; mark one");
            ok = false;
        }

        return result.ToEquatableArray();
    }

    /// <summary>The parameter as declared on the implementing part (modifiers, type, name), and the prefix that passes it on.</summary>
    private static string ParameterDeclaration(IMethodSymbol method, IParameterSymbol parameter, MethodDeclarationSyntax syntax, KnownTypes known, out string argumentPrefix)
    {
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

        return declaration.Append(known.FullName(parameter.Type)).Append(' ').Append(SymbolText.Escape(parameter.Name)).ToString();
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

        if (value is null && known.IsEnumerable(parameter.Type))
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedShape, identifier, displayName,
                $"[StageMetadata] on '{parameter.Name}' would record only the type name of the sequence '{SymbolText.ShortName(parameter.Type)}', and counting it would enumerate a lazy sequence a second time; take a collection with a count (an array, ICollection<T> or IReadOnlyCollection<T>), whose count is recorded, or record a count of your own");
            return null;
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
        // The name first: ToDisplayString costs more than the rest of this method, and most types are not MetadataValue.
        if (type.Name == "MetadataValue" && type.ToDisplayString() == KnownTypes.MetadataValueName)
        {
            return value;
        }

        if (type.TypeKind == TypeKind.Enum || type.SpecialType == SpecialType.System_Char)
        {
            return $"{GlobalMetadataValue}.FromString({GlobalMetadataValue}.ToText({value}))";
        }

        return type.SpecialType switch
        {
            SpecialType.System_String => $"{GlobalMetadataValue}.FromString({value})",
            SpecialType.System_Boolean => $"{GlobalMetadataValue}.FromBoolean({value})",
            SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
                or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 => $"{GlobalMetadataValue}.FromInteger({value})",
            SpecialType.System_UInt64 => $"{GlobalMetadataValue}.FromUnsigned({value})",
            SpecialType.System_Single or SpecialType.System_Double => $"{GlobalMetadataValue}.FromNumber({value})",
            SpecialType.System_Decimal => $"{GlobalMetadataValue}.FromNumber((double){value})",
            _ => null,
        };
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
}
