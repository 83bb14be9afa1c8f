using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RagMonitor.Generators.Analyzers.Naming;
using RagMonitor.Generators.Diagnostics;

namespace RagMonitor.CodeFixes;

/// <summary>
/// Renames a stage name to the spelling its diagnostic suggests: the canonical spelling (RMON009),
/// the name it is probably a typo of (RMON010), the closest catalog entry (RMON011) or the styled
/// spelling (RMON012). Only a string literal is rewritten; a name that comes from a constant is
/// left for the user to change at the constant.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(StageNameCodeFixProvider)), Shared]
public sealed class StageNameCodeFixProvider : CodeFixProvider
{
    /// <summary>The equivalence key prefix; the diagnostic id is appended, so Fix All applies one rule at a time.</summary>
    public const string EquivalenceKeyPrefix = "RagMonitor.RenameStage.";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.CaseOrSeparatorVariantId,
        DiagnosticDescriptors.ProbableTypoId,
        DiagnosticDescriptors.OutsideCatalogId,
        DiagnosticDescriptors.NamingStyleId);

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
            if (!diagnostic.Properties.TryGetValue(StageNameProperties.Replacement, out var replacement) || string.IsNullOrEmpty(replacement)
                || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not LiteralExpressionSyntax literal
                || !literal.IsKind(SyntaxKind.StringLiteralExpression))
            {
                continue;
            }

            var title = Title(diagnostic.Id, replacement!);
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => RenameAsync(context.Document, literal, replacement!, ct), EquivalenceKeyPrefix + diagnostic.Id),
                diagnostic);
        }
    }

    private static string Title(string id, string replacement) => id switch
    {
        DiagnosticDescriptors.OutsideCatalogId => $"Use catalog stage name '{replacement}'",
        DiagnosticDescriptors.NamingStyleId => $"Rename stage to '{replacement}' (naming style)",
        _ => $"Rename stage to '{replacement}'",
    };

    private static async Task<Document> RenameAsync(Document document, LiteralExpressionSyntax literal, string replacement, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var renamed = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(replacement))
            .WithTriviaFrom(literal);
        return document.WithSyntaxRoot(root.ReplaceNode(literal, renamed));
    }
}
