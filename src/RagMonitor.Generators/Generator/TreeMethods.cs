using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RagMonitor.Generators.Helpers;
using RagMonitor.Generators.Model;

namespace RagMonitor.Generators.Generator;

/// <summary>
/// The classified <c>[Stage]</c> and <c>[MonitoredRequest]</c> declarations of one syntax tree, in source order — what
/// <c>ForAttributeWithMetadataName</c> would yield for that tree, one entry per attributed declaration.
/// </summary>
/// <param name="Stages">The declarations with <c>[Stage]</c>.</param>
/// <param name="Requests">The declarations with <c>[MonitoredRequest]</c>.</param>
internal sealed record TreeMethods(EquatableArray<ClassifiedMethod> Stages, EquatableArray<ClassifiedMethod> Requests)
{
    /// <summary>A tree without attributed declarations.</summary>
    public static readonly TreeMethods Empty = new(EquatableArray<ClassifiedMethod>.Empty, EquatableArray<ClassifiedMethod>.Empty);
}

/// <summary>
/// Finds and classifies a tree's attributed declarations, and keeps the result for that tree object as long as the rest
/// of the compilation declares the same things (<see cref="CompilationDeclarations"/>). After an edit inside a method
/// body only the edited tree is classified again; the semantic work for every other tree is skipped (issue 14).
/// A tree's result is kept only when it depends on nothing but that tree's text and the declarations: every
/// classified method is declared in that tree alone and every diagnostic points into it.
/// </summary>
internal static class TreeMethodsFinder
{
    private const string StageAttributeName = "StageAttribute";
    private const string RequestAttributeName = "MonitoredRequestAttribute";

    private static readonly ConditionalWeakTable<SyntaxTree, Entry> s_perTree = new();

    /// <summary>The tree's attributed declarations, classified against <paramref name="model"/>'s compilation.</summary>
    public static TreeMethods Find(SyntaxTree tree, Func<SemanticModel> model, Func<SyntaxNode, ISymbol, Compilation, Kind, CancellationToken, ClassifiedMethod> classify, CancellationToken cancellationToken)
    {
        if (!DeclarationFingerprint.For(tree, cancellationToken).HasAttributeLists)
        {
            return TreeMethods.Empty;
        }

        var semanticModel = model();
        var declarations = CompilationDeclarations.For(semanticModel.Compilation, cancellationToken);
        if (s_perTree.TryGetValue(tree, out var entry) && entry.TryGet(declarations, out var kept))
        {
            return kept;
        }

        var root = tree.GetRoot(cancellationToken);

        var stages = new List<ClassifiedMethod>();
        var requests = new List<ClassifiedMethod>();
        var selfContained = true;
        SyntaxNode? previousTarget = null;
        foreach (var node in root.DescendantNodes())
        {
            if (node is not AttributeListSyntax list || list.Parent is not { } target || ReferenceEquals(target, previousTarget))
            {
                continue;
            }

            previousTarget = target;
            cancellationToken.ThrowIfCancellationRequested();
            var (maybeStage, maybeRequest) = declarations.HasUsingAlias ? (true, true) : NamedCandidates(target);
            if (!maybeStage && !maybeRequest)
            {
                continue;
            }

            var symbol = target is CompilationUnitSyntax
                ? semanticModel.Compilation.Assembly
                : semanticModel.GetDeclaredSymbol(target, cancellationToken);
            if (symbol is null)
            {
                continue;
            }

            var (hasStage, hasRequest) = MatchingAttributes(symbol, tree);
            if (hasStage && maybeStage)
            {
                stages.Add(Classified(target, symbol, Kind.Stage));
            }

            if (hasRequest && maybeRequest)
            {
                requests.Add(Classified(target, symbol, Kind.Request));
            }
        }

        var methods = stages.Count == 0 && requests.Count == 0 ? TreeMethods.Empty : new TreeMethods(stages.ToEquatableArray(), requests.ToEquatableArray());
        if (selfContained)
        {
            s_perTree.GetOrCreateValue(tree).Set(declarations, methods);
        }

        return methods;

        ClassifiedMethod Classified(SyntaxNode target, ISymbol symbol, Kind kind)
        {
            var method = classify(target, symbol, semanticModel.Compilation, kind, cancellationToken);
            selfContained &= IsSelfContained(method, symbol, tree);
            return method;
        }
    }

    /// <summary>Which of the two attributes a declaration may carry, judged by the names it is written with.</summary>
    private static (bool Stage, bool Request) NamedCandidates(SyntaxNode target)
    {
        var stage = false;
        var request = false;
        foreach (var child in target.ChildNodes())
        {
            if (child is not AttributeListSyntax list)
            {
                continue;
            }

            foreach (var attribute in list.Attributes)
            {
                switch (DeclarationFingerprint.RightmostName(attribute.Name))
                {
                    case "Stage" or StageAttributeName:
                        stage = true;
                        break;
                    case "MonitoredRequest" or RequestAttributeName:
                        request = true;
                        break;
                }
            }
        }

        return (stage, request);
    }

    /// <summary>
    /// Whether <paramref name="symbol"/> has the attributes, applied in <paramref name="tree"/> (as
    /// <c>ForAttributeWithMetadataName</c> matches them: on the symbol, or on a method's return).
    /// </summary>
    private static (bool Stage, bool Request) MatchingAttributes(ISymbol symbol, SyntaxTree tree)
    {
        var stage = false;
        var request = false;
        Match(symbol.GetAttributes());
        if (symbol is IMethodSymbol method)
        {
            Match(method.GetReturnTypeAttributes());
        }

        return (stage, request);

        void Match(System.Collections.Immutable.ImmutableArray<AttributeData> attributes)
        {
            foreach (var attribute in attributes)
            {
                if (attribute.AttributeClass is not { ContainingType: null, ContainingNamespace: { Name: "RagMonitor", ContainingNamespace.IsGlobalNamespace: true } } attributeClass
                    || attributeClass.Arity != 0
                    || attribute.ApplicationSyntaxReference?.SyntaxTree != tree)
                {
                    continue;
                }

                stage |= attributeClass.Name == StageAttributeName;
                request |= attributeClass.Name == RequestAttributeName;
            }
        }
    }

    private static bool IsSelfContained(ClassifiedMethod method, ISymbol symbol, SyntaxTree tree)
    {
        if (symbol is IMethodSymbol methodSymbol)
        {
            if ((methodSymbol.PartialDefinitionPart ?? methodSymbol).PartialImplementationPart is not null)
            {
                return false;
            }
        }

        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree != tree)
            {
                return false;
            }
        }

        foreach (var diagnostic in method.Diagnostics)
        {
            if (diagnostic.Location is { } location && !string.Equals(location.FilePath, tree.FilePath, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Which attribute a classification is for.</summary>
    internal enum Kind
    {
        Stage,
        Request,
    }

    private sealed class Entry
    {
        private Snapshot? _snapshot;

        public void Set(CompilationDeclarations declarations, TreeMethods methods) => Volatile.Write(ref _snapshot, new Snapshot(declarations, methods));

        public bool TryGet(CompilationDeclarations declarations, out TreeMethods methods)
        {
            var snapshot = Volatile.Read(ref _snapshot);
            if (snapshot is not null && snapshot.Declarations.Equals(declarations))
            {
                methods = snapshot.Methods;
                return true;
            }

            methods = TreeMethods.Empty;
            return false;
        }
    }

    private sealed record Snapshot(CompilationDeclarations Declarations, TreeMethods Methods);
}
