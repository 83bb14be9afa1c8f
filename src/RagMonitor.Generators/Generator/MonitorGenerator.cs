using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RagMonitor.Generators.Emitting;
using RagMonitor.Generators.Helpers;
using RagMonitor.Generators.Model;
using RagMonitor.Generators.Parsing;

namespace RagMonitor.Generators.Generator;

/// <summary>
/// Implements partial methods marked <c>[Stage("name")]</c> or <c>[MonitoredRequest]</c>: each wrapper times
/// the call to the user's <c>&lt;Name&gt;Core</c> method and feeds the ambient <c>PerformanceMonitor</c>.
/// Declarations it cannot handle are skipped; the declaration analyzer (same classifier) says why.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class MonitorGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var stages = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypes.StageAttributeName,
                static (node, _) => node is MethodDeclarationSyntax,
                static (attributeContext, cancellationToken) => Parse(attributeContext, cancellationToken))
            .WithTrackingName(TrackingNames.StageMethods)
            .Where(static spec => spec is not null)
            .WithTrackingName(TrackingNames.ValidStageMethods);

        var requests = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypes.MonitoredRequestAttributeName,
                static (node, _) => node is MethodDeclarationSyntax,
                static (attributeContext, cancellationToken) => Parse(attributeContext, cancellationToken))
            .WithTrackingName(TrackingNames.RequestMethods)
            .Where(static spec => spec is not null)
            .WithTrackingName(TrackingNames.ValidRequestMethods);

        var files = stages.Collect()
            .Combine(requests.Collect())
            .WithTrackingName(TrackingNames.AllMethods)
            .SelectMany(static (pair, cancellationToken) => GroupByType(pair.Left, pair.Right, cancellationToken))
            .WithTrackingName(TrackingNames.TypeFiles);

        context.RegisterSourceOutput(files, static (output, file) => output.AddSource(file.Location.HintName, WrapperEmitter.Emit(file)));
    }

    private static MonitoredMethodSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method)
        {
            return null;
        }

        var known = KnownTypes.Create(context.SemanticModel.Compilation);
        return known is null ? null : MonitoredMethodClassifier.Classify(method, known, diagnostics: null, cancellationToken);
    }

    /// <summary>One file per containing type, in ordinal order of file name; methods ordered by name, then signature.</summary>
    private static ImmutableArray<TypeFileSpec> GroupByType(
        ImmutableArray<MonitoredMethodSpec?> stages,
        ImmutableArray<MonitoredMethodSpec?> requests,
        CancellationToken cancellationToken)
    {
        var byType = new Dictionary<string, (TypeLocationSpec Location, List<MonitoredMethodSpec> Methods)>(StringComparer.Ordinal);
        foreach (var spec in Concat(stages, requests))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!byType.TryGetValue(spec.Location.HintName, out var entry))
            {
                entry = (spec.Location, new List<MonitoredMethodSpec>());
                byType.Add(spec.Location.HintName, entry);
            }

            entry.Methods.Add(spec);
        }

        var keys = new List<string>(byType.Keys);
        keys.Sort(StringComparer.Ordinal);
        var files = ImmutableArray.CreateBuilder<TypeFileSpec>(keys.Count);
        foreach (var key in keys)
        {
            var (location, methods) = byType[key];
            methods.Sort(static (a, b) =>
            {
                var byName = string.CompareOrdinal(a.MethodName, b.MethodName);
                return byName != 0 ? byName : string.CompareOrdinal(Signature(a), Signature(b));
            });
            files.Add(new TypeFileSpec(location, methods.ToEquatableArray()));
        }

        return files.MoveToImmutable();
    }

    private static IEnumerable<MonitoredMethodSpec> Concat(ImmutableArray<MonitoredMethodSpec?> first, ImmutableArray<MonitoredMethodSpec?> second)
    {
        foreach (var spec in first)
        {
            if (spec is not null)
            {
                yield return spec;
            }
        }

        foreach (var spec in second)
        {
            if (spec is not null)
            {
                yield return spec;
            }
        }
    }

    private static string Signature(MonitoredMethodSpec method)
    {
        var parts = new string[method.Parameters.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = method.Parameters[i].Declaration;
        }

        return method.TypeParameters.Count + "(" + string.Join(", ", parts) + ")";
    }
}
