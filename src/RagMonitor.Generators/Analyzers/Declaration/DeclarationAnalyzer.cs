using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using RagMonitor.Generators.Diagnostics;
using RagMonitor.Generators.Parsing;

namespace RagMonitor.Generators.Analyzers.Declaration;

/// <summary>
/// Reports RMON001–RMON008: every reason a <c>[Stage]</c> or <c>[MonitoredRequest]</c> method is not wrapped by
/// the generator. Uses the generator's own classifier, so the two never disagree.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DeclarationAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.NotPartial,
        DiagnosticDescriptors.PartialHasBody,
        DiagnosticDescriptors.MissingCoreMethod,
        DiagnosticDescriptors.UnsupportedShape,
        DiagnosticDescriptors.NameNotConstant,
        DiagnosticDescriptors.EmptyName,
        DiagnosticDescriptors.BothAttributes,
        DiagnosticDescriptors.AmbiguousMonitor);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var known = KnownTypes.Create(start.Compilation);
            if (known is null)
            {
                return;
            }

            start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, known), SymbolKind.Method);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, KnownTypes known)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (method.PartialDefinitionPart is not null)
        {
            // The implementing part of a partial method: its definition is analysed instead.
            return;
        }

        if (!HasMonitorAttribute(method, known))
        {
            return;
        }

        var diagnostics = new List<Diagnostic>();
        MonitoredMethodClassifier.Classify(method, known, diagnostics, context.CancellationToken);
        foreach (var diagnostic in diagnostics)
        {
            context.ReportDiagnostic(diagnostic);
        }
    }

    private static bool HasMonitorAttribute(IMethodSymbol method, KnownTypes known)
    {
        foreach (var attribute in method.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, known.StageAttribute)
                || SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, known.MonitoredRequestAttribute))
            {
                return true;
            }
        }

        return false;
    }
}
