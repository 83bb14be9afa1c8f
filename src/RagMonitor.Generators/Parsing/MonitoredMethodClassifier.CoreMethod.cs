using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace RagMonitor.Generators.Parsing;

// Finding the user's <Name>Core method with a matching signature.
internal static partial class MonitoredMethodClassifier
{
    // ------------------------------------------------------------------ Core method

    private static IMethodSymbol? FindMatchingCore(IMethodSymbol method, string coreName)
    {
        foreach (var member in method.ContainingType.GetMembers(coreName))
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } core && CoreMatches(method, core))
            {
                return core;
            }
        }

        return null;
    }

    /// <summary>
    /// Where the nullability of <paramref name="core"/>'s signature differs from the declaration's in a direction the
    /// wrapper cannot pass on without a nullable warning, described for the message; <see langword="null"/> when every
    /// value flows safely: the Core's result into the declaration's result, the declaration's arguments into the
    /// Core's parameters (out parameters the other way, ref parameters both ways). Oblivious types (nullable disabled)
    /// always agree.
    /// </summary>
    private static string? NullabilityMismatch(IMethodSymbol method, IMethodSymbol core)
    {
        if (!method.ReturnsVoid && !FlowsSafely(core.ReturnType, method.ReturnType, topLevel: true))
        {
            return $"'{method.Name}' returns '{SymbolText.ShortName(method.ReturnType)}' but '{core.Name}' returns '{SymbolText.ShortName(core.ReturnType)}'";
        }

        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var declared = method.Parameters[i].Type;
            var accepted = core.Parameters[i].Type;
            var safe = method.Parameters[i].RefKind switch
            {
                RefKind.Out => FlowsSafely(accepted, declared, topLevel: true),
                RefKind.Ref => FlowsSafely(declared, accepted, topLevel: true) && FlowsSafely(accepted, declared, topLevel: true),
                _ => FlowsSafely(declared, accepted, topLevel: true),
            };
            if (!safe)
            {
                return $"parameter '{method.Parameters[i].Name}' is '{SymbolText.ShortName(declared)}' on '{method.Name}' but '{SymbolText.ShortName(accepted)}' on '{core.Name}'";
            }
        }

        return null;
    }

    /// <summary>Whether a value of <paramref name="source"/> can be used as <paramref name="target"/> without a nullable warning (type arguments must agree exactly).</summary>
    private static bool FlowsSafely(ITypeSymbol source, ITypeSymbol target, bool topLevel)
    {
        var sourceAnnotation = source.NullableAnnotation;
        var targetAnnotation = target.NullableAnnotation;
        if (sourceAnnotation != NullableAnnotation.None && targetAnnotation != NullableAnnotation.None && sourceAnnotation != targetAnnotation)
        {
            var widening = sourceAnnotation == NullableAnnotation.NotAnnotated && targetAnnotation == NullableAnnotation.Annotated;
            if (!topLevel || !widening)
            {
                return false;
            }
        }

        switch (source)
        {
            case IArrayTypeSymbol sourceArray when target is IArrayTypeSymbol targetArray:
                return FlowsSafely(sourceArray.ElementType, targetArray.ElementType, topLevel: false)
                    && FlowsSafely(targetArray.ElementType, sourceArray.ElementType, topLevel: false);
            case INamedTypeSymbol { IsGenericType: true } sourceNamed when target is INamedTypeSymbol { IsGenericType: true } targetNamed
                && sourceNamed.TypeArguments.Length == targetNamed.TypeArguments.Length:
                for (var i = 0; i < sourceNamed.TypeArguments.Length; i++)
                {
                    if (!FlowsSafely(sourceNamed.TypeArguments[i], targetNamed.TypeArguments[i], topLevel: false))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }

    private static bool CoreMatches(IMethodSymbol method, IMethodSymbol core)
    {
        if (core.IsStatic != method.IsStatic
            || core.ReturnsByRef != method.ReturnsByRef
            || core.ReturnsByRefReadonly != method.ReturnsByRefReadonly
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
}
