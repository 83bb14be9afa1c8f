using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RagMonitor.Generators.Diagnostics;

namespace RagMonitor.CodeFixes;

/// <summary>
/// RMON001: makes a monitored method and every type that contains it <c>partial</c>. When the method
/// already has a body (the usual case: an attribute was just added to an existing method), the body
/// moves to a new <c>&lt;Name&gt;Core</c> method and the method becomes a body-less partial declaration,
/// which is the shape the generator implements. RMON002 (a partial method written with a body) gets the
/// same body move.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPartialCodeFixProvider)), Shared]
public sealed class AddPartialCodeFixProvider : CodeFixProvider
{
    /// <summary>The fix's equivalence key (RMON001).</summary>
    public const string EquivalenceKey = "RagMonitor.AddPartial";

    /// <summary>The equivalence key of the body move offered for RMON002.</summary>
    public const string MoveBodyEquivalenceKey = "RagMonitor.MoveBodyToCore";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.NotPartialId,
        DiagnosticDescriptors.PartialHasBodyId);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindToken(diagnostic.Location.SourceSpan.Start).Parent;
            var method = node?.FirstAncestorOrSelf<MethodDeclarationSyntax>();
            var start = (SyntaxNode?)method ?? node?.FirstAncestorOrSelf<TypeDeclarationSyntax>();
            if (start is null)
            {
                continue;
            }

            var hasBody = method is not null && (method.Body is not null || method.ExpressionBody is not null);
            if (diagnostic.Id == DiagnosticDescriptors.PartialHasBodyId)
            {
                // Only a partial method written with its body; a separate hand-written implementing part
                // is left to the user.
                if (method is not null && hasBody)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create(
                            $"Move the body of '{method.Identifier.ValueText}' to '{method.Identifier.ValueText}{DeclarationSyntax.CoreSuffix}'",
                            ct => FixAsync(context.Document, method, ct),
                            MoveBodyEquivalenceKey),
                        diagnostic);
                }

                continue;
            }

            var title = method is null
                ? "Make the containing types partial"
                : hasBody
                    ? $"Make '{method.Identifier.ValueText}' partial and move its body to '{method.Identifier.ValueText}{DeclarationSyntax.CoreSuffix}'"
                    : $"Make '{method.Identifier.ValueText}' and its containing types partial";
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => FixAsync(context.Document, start, ct), EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Document> FixAsync(Document document, SyntaxNode start, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var types = start.AncestorsAndSelf().OfType<TypeDeclarationSyntax>()
            .Where(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword))
            .ToList();
        var method = start as MethodDeclarationSyntax;
        var targets = new HashSet<SyntaxNode>(types);
        if (method is not null)
        {
            targets.Add(method);
            if (HasBody(method) && method.Parent is TypeDeclarationSyntax parent)
            {
                // The parent receives the Core method even when it is already partial.
                targets.Add(parent);
            }
        }

        var newRoot = root.ReplaceNodes(targets, (original, rewritten) => original == method
            ? Rewrite((MethodDeclarationSyntax)rewritten)
            : RewriteType((TypeDeclarationSyntax)rewritten, method is not null && original == method.Parent ? method : null));
        return document.WithSyntaxRoot(newRoot);
    }

    private static SyntaxNode RewriteType(TypeDeclarationSyntax type, MethodDeclarationSyntax? movedBodyOf)
    {
        // ReplaceNodes rewrites the method first; when its body moved, its Core method is inserted here.
        if (movedBodyOf is not null && HasBody(movedBodyOf))
        {
            var index = type.Members.IndexOf(m => m is MethodDeclarationSyntax candidate
                && candidate.Identifier.ValueText == movedBodyOf.Identifier.ValueText
                && candidate.Body is null && candidate.ExpressionBody is null
                && candidate.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (index >= 0)
            {
                var core = DeclarationSyntax.CoreMethod(movedBodyOf, movedBodyOf.Body, movedBodyOf.ExpressionBody, movedBodyOf.SemicolonToken, keepAsync: true);
                if (movedBodyOf.Body is { } body)
                {
                    // Keep the line break (or space) the user had between the signature and the block.
                    var beforeBody = core.Body!.GetFirstToken().GetPreviousToken();
                    core = core.ReplaceToken(beforeBody, beforeBody.WithTrailingTrivia(body.GetFirstToken().GetPreviousToken().TrailingTrivia));
                }

                core = core
                    .WithLeadingTrivia(DeclarationSyntax.Indentation(movedBodyOf).Insert(0, DeclarationSyntax.EndOfLine(movedBodyOf)))
                    .WithTrailingTrivia(DeclarationSyntax.EndOfLine(movedBodyOf));
                type = type.WithMembers(type.Members.Insert(index + 1, core));
            }
        }

        return DeclarationSyntax.AddPartial(type);
    }

    private static bool HasBody(MethodDeclarationSyntax method) => method.Body is not null || method.ExpressionBody is not null;

    private static SyntaxNode Rewrite(MethodDeclarationSyntax method)
    {
        if (!HasBody(method))
        {
            return DeclarationSyntax.AddPartial(DeclarationSyntax.AddPrivateWhenRequired(method));
        }

        // A partial declaration has no body and cannot be async.
        SyntaxNode body = (SyntaxNode?)method.Body ?? method.ExpressionBody!;
        var trailing = method.Body is not null ? method.Body.GetTrailingTrivia() : method.SemicolonToken.TrailingTrivia;
        var beforeBody = body.GetFirstToken().GetPreviousToken();
        var declaration = method.ReplaceToken(beforeBody, beforeBody.WithTrailingTrivia())
            .WithBody(null)
            .WithExpressionBody(null)
            .WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken).WithTrailingTrivia(trailing));
        var asyncIndex = declaration.Modifiers.IndexOf(SyntaxKind.AsyncKeyword);
        if (asyncIndex >= 0)
        {
            declaration = declaration.WithModifiers(declaration.Modifiers.RemoveAt(asyncIndex));
        }

        return DeclarationSyntax.AddPartial(DeclarationSyntax.AddPrivateWhenRequired(declaration));
    }
}
