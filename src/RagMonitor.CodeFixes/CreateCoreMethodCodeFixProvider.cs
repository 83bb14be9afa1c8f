using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using RagMonitor.Generators.Diagnostics;

namespace RagMonitor.CodeFixes;

/// <summary>
/// RMON003: creates the missing <c>&lt;Name&gt;Core</c> method right after the monitored partial
/// method, with the same signature and a body that throws, for the user to fill in.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CreateCoreMethodCodeFixProvider)), Shared]
public sealed class CreateCoreMethodCodeFixProvider : CodeFixProvider
{
    /// <summary>The fix's equivalence key.</summary>
    public const string EquivalenceKey = "RagMonitor.CreateCoreMethod";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.MissingCoreMethodId);

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
            var method = root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>();
            if (method?.Parent is not TypeDeclarationSyntax)
            {
                continue;
            }

            var coreName = method.Identifier.ValueText + DeclarationSyntax.CoreSuffix;
            context.RegisterCodeFix(
                CodeAction.Create($"Create method '{coreName}'", ct => CreateAsync(context.Document, method, ct), EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Document> CreateAsync(Document document, MethodDeclarationSyntax method, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        // The new body is laid out by the formatter when the fix is applied.
        var core = DeclarationSyntax.CoreMethod(method, DeclarationSyntax.ThrowingBody(), expressionBody: null, semicolon: default, keepAsync: false)
            .WithAdditionalAnnotations(Formatter.Annotation)
            .WithLeadingTrivia(BlankLineThenIndentation(method))
            .WithTrailingTrivia(DeclarationSyntax.EndOfLine(method));
        return document.WithSyntaxRoot(root.InsertNodesAfter(method, new[] { core }));
    }

    // A blank line, then the monitored method's indentation.
    private static SyntaxTriviaList BlankLineThenIndentation(MethodDeclarationSyntax method) =>
        DeclarationSyntax.Indentation(method).Insert(0, DeclarationSyntax.EndOfLine(method));
}
