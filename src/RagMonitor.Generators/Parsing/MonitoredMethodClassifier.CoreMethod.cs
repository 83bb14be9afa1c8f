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

// Finding the user's <Name>Core method with a matching signature.
internal static partial class MonitoredMethodClassifier
{
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
