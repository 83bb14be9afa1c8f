using System;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RagMonitor.Generators.Generator;

/// <summary>
/// What a syntax tree declares, as text: every token outside member bodies, the preprocessor directives, and a marker
/// where a body was left out. Editing inside a method body (a Core method's, typically) leaves it equal, so the
/// generator knows that no classification outside that tree can have changed (issue 14: the generator classified all
/// 2,000 methods of a project again on every keystroke). Left out as well: the arguments of <c>[Stage(...)]</c> and
/// <c>[MonitoredRequest(...)]</c>, which only the attributed method's own classification reads.
/// A body is kept when it declares attributes (a local function or lambda with <c>[Stage]</c>) or holds directives
/// (a <c>#nullable</c> in a body changes the declarations after it).
/// </summary>
internal sealed class DeclarationFingerprint : IEquatable<DeclarationFingerprint>
{
    private static readonly ConditionalWeakTable<SyntaxTree, DeclarationFingerprint> s_perTree = new();

    private DeclarationFingerprint(string filePath, ParseOptions options, string text, bool hasUsingAlias, bool hasAttributeLists)
    {
        FilePath = filePath;
        Options = options;
        Text = text;
        HasUsingAlias = hasUsingAlias;
        HasAttributeLists = hasAttributeLists;
    }

    /// <summary>The tree's path.</summary>
    public string FilePath { get; }

    /// <summary>The tree's parse options (language version, preprocessor symbols).</summary>
    public ParseOptions Options { get; }

    /// <summary>The declaration tokens, separated by spaces.</summary>
    public string Text { get; }

    /// <summary>Whether the tree has a <c>using X = ...;</c> directive (an attribute may then be written under another name).</summary>
    public bool HasUsingAlias { get; }

    /// <summary>Whether the tree has any attribute list (else it declares nothing for the generator).</summary>
    public bool HasAttributeLists { get; }

    /// <summary>The fingerprint of <paramref name="tree"/>, computed once per tree object (unchanged trees are shared between compilations).</summary>
    public static DeclarationFingerprint For(SyntaxTree tree, CancellationToken cancellationToken)
    {
        if (s_perTree.TryGetValue(tree, out var known))
        {
            return known;
        }

        var root = tree.GetRoot(cancellationToken);
        var builder = new StringBuilder(tree.Length / 2);
        var hasAlias = false;
        Append(root, builder, ref hasAlias, cancellationToken);
        var hasAttributeLists = false;
        foreach (var node in root.DescendantNodes())
        {
            if (node is AttributeListSyntax)
            {
                hasAttributeLists = true;
                break;
            }
        }

        var fingerprint = new DeclarationFingerprint(tree.FilePath, tree.Options, builder.ToString(), hasAlias, hasAttributeLists);
        return s_perTree.GetValue(tree, _ => fingerprint);
    }

    /// <inheritdoc />
    public bool Equals(DeclarationFingerprint? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && HasUsingAlias == other.HasUsingAlias
            && HasAttributeLists == other.HasAttributeLists
            && string.Equals(FilePath, other.FilePath, StringComparison.Ordinal)
            && string.Equals(Text, other.Text, StringComparison.Ordinal)
            && (ReferenceEquals(Options, other.Options) || Options.Equals(other.Options)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as DeclarationFingerprint);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    private static void Append(SyntaxNode node, StringBuilder builder, ref bool hasAlias, CancellationToken cancellationToken)
    {
        if (node is UsingDirectiveSyntax { Alias: not null })
        {
            hasAlias = true;
        }

        foreach (var child in node.ChildNodesAndTokens())
        {
            if (child.IsToken)
            {
                AppendToken(child.AsToken(), builder);
                continue;
            }

            var childNode = child.AsNode()!;
            if (IsLeftOut(childNode))
            {
                // Where the body was: "{}" for a block, "=>" for an expression body.
                builder.Append(childNode is BlockSyntax ? "{} " : "=> ");
                continue;
            }

            if (childNode is AttributeArgumentListSyntax && childNode.Parent is AttributeSyntax attribute && IsMonitorAttributeName(attribute.Name))
            {
                builder.Append("(...) ");
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            Append(childNode, builder, ref hasAlias, cancellationToken);
        }
    }

    private static void AppendToken(SyntaxToken token, StringBuilder builder)
    {
        if (token.ContainsDirectives)
        {
            foreach (var trivia in token.LeadingTrivia)
            {
                if (trivia.IsDirective)
                {
                    builder.Append(trivia.ToString()).Append('\n');
                }
            }
        }

        builder.Append(token.Text).Append(' ');
    }

    /// <summary>A member's body that no declaration depends on.</summary>
    private static bool IsLeftOut(SyntaxNode node) =>
        node is BlockSyntax or ArrowExpressionClauseSyntax
        && node.Parent is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax
        && !node.ContainsDirectives
        && !DeclaresAttributes(node);

    private static bool DeclaresAttributes(SyntaxNode body)
    {
        foreach (var descendant in body.DescendantNodes())
        {
            if (descendant is AttributeListSyntax)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether an attribute is written with the name of <c>[Stage]</c> or <c>[MonitoredRequest]</c> (any qualification).</summary>
    internal static bool IsMonitorAttributeName(NameSyntax name) => RightmostName(name) is "Stage" or "StageAttribute" or "MonitoredRequest" or "MonitoredRequestAttribute";

    /// <summary>The last identifier of a (qualified) name.</summary>
    internal static string RightmostName(NameSyntax name) => name switch
    {
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax aliased => aliased.Name.Identifier.ValueText,
        _ => string.Empty,
    };
}

/// <summary>
/// Everything outside a syntax tree that the classification of its methods can depend on: the other trees'
/// declarations (<see cref="DeclarationFingerprint"/>), the references, the compilation options and the assembly name.
/// Kept once per compilation; equal between two compilations that differ only inside member bodies.
/// </summary>
internal sealed class CompilationDeclarations : IEquatable<CompilationDeclarations>
{
    private static readonly ConditionalWeakTable<Compilation, CompilationDeclarations> s_perCompilation = new();

    // The last distinct value seen: an equal one for the next compilation is replaced by it, so the per-tree cache
    // usually compares by reference.
    private static CompilationDeclarations? s_last;

    private readonly ImmutableArray<DeclarationFingerprint> _trees;
    private readonly ImmutableArray<MetadataReference> _references;
    private readonly CompilationOptions _options;
    private readonly string? _assemblyName;

    private CompilationDeclarations(ImmutableArray<DeclarationFingerprint> trees, ImmutableArray<MetadataReference> references, CompilationOptions options, string? assemblyName, bool hasUsingAlias)
    {
        _trees = trees;
        _references = references;
        _options = options;
        _assemblyName = assemblyName;
        HasUsingAlias = hasUsingAlias;
    }

    /// <summary>Whether any tree has a <c>using</c> alias.</summary>
    public bool HasUsingAlias { get; }

    /// <summary>The declarations of <paramref name="compilation"/>, computed once per compilation.</summary>
    public static CompilationDeclarations For(Compilation compilation, CancellationToken cancellationToken)
    {
        if (s_perCompilation.TryGetValue(compilation, out var known))
        {
            return known;
        }

        var trees = ImmutableArray.CreateBuilder<DeclarationFingerprint>();
        var hasAlias = false;
        foreach (var tree in compilation.SyntaxTrees)
        {
            var fingerprint = DeclarationFingerprint.For(tree, cancellationToken);
            hasAlias |= fingerprint.HasUsingAlias;
            trees.Add(fingerprint);
        }

        var declarations = new CompilationDeclarations(trees.ToImmutable(), compilation.ExternalReferences, compilation.Options, compilation.AssemblyName, hasAlias);
        var last = s_last;
        if (last is not null && last.Equals(declarations))
        {
            declarations = last;
        }
        else
        {
            s_last = declarations;
        }

        return s_perCompilation.GetValue(compilation, _ => declarations);
    }

    /// <inheritdoc />
    public bool Equals(CompilationDeclarations? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null
            || _trees.Length != other._trees.Length
            || _references.Length != other._references.Length
            || !string.Equals(_assemblyName, other._assemblyName, StringComparison.Ordinal)
            || !SameOptions(_options, other._options))
        {
            return false;
        }

        for (var i = 0; i < _references.Length; i++)
        {
            // References are compared as objects: a new reference object (a rebuilt project) counts as a change.
            if (!ReferenceEquals(_references[i], other._references[i]))
            {
                return false;
            }
        }

        for (var i = 0; i < _trees.Length; i++)
        {
            if (!_trees[i].Equals(other._trees[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CompilationDeclarations);

    /// <inheritdoc />
    public override int GetHashCode() => _trees.Length;

    /// <summary>
    /// Whether two compilations' options are equal, leaving out the host's resolvers and providers. The compiler server
    /// gives each build a new LoggingMetadataFileReferenceResolver whose Equals always throws (Roslyn never wrote it), so
    /// comparing this build's options with the previous build's in the same server process failed the generator
    /// (CS8785 on every build after the first). The resolvers decide how #r and file references are found; the
    /// references themselves are compared separately, so what they resolved to is covered.
    /// </summary>
    private static bool SameOptions(CompilationOptions first, CompilationOptions second)
    {
        if (ReferenceEquals(first, second))
        {
            return true;
        }

        try
        {
            return WithoutHostServices(first).Equals(WithoutHostServices(second));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Another host's service with an Equals that throws: treat as changed (only the cache is lost).
            return false;
        }
    }

    private static CompilationOptions WithoutHostServices(CompilationOptions options) => options
        .WithMetadataReferenceResolver(null)
        .WithSourceReferenceResolver(null)
        .WithXmlReferenceResolver(null)
        .WithStrongNameProvider(null)
        .WithAssemblyIdentityComparer(AssemblyIdentityComparer.Default);
}
