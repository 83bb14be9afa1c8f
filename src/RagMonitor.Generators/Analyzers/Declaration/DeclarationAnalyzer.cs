using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using RagMonitor.Generators.Diagnostics;
using RagMonitor.Generators.Generator;
using RagMonitor.Generators.Model;
using RagMonitor.Generators.Parsing;

namespace RagMonitor.Generators.Analyzers.Declaration;

/// <summary>
/// Reports RMON001–RMON008 when RagMonitor's generator does not run on the compilation (it reports them itself,
/// from its pipeline, in every build: see <see cref="MonitorGenerator"/>). Uses the generator's own classifier, so
/// the two never disagree; it stays silent when the generator's marker file is in the compilation, so that no
/// mistake is reported twice.
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
            if (GeneratorRan(start.Compilation) || KnownTypes.Create(start.Compilation) is not { } known)
            {
                return;
            }

            start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, known), SymbolKind.Method);
        });
    }

    /// <summary>Whether the compilation holds the file the generator adds to every compilation it runs on.</summary>
    internal static bool GeneratorRan(Compilation compilation)
    {
        foreach (var tree in compilation.SyntaxTrees)
        {
            if (tree.FilePath.EndsWith(MonitorGenerator.MarkerHintName, System.StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
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

        var diagnostics = new List<DiagnosticInfo>();
        MonitoredMethodClassifier.Classify(method, known, diagnostics, context.CancellationToken);
        foreach (var diagnostic in diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic(context.Compilation));
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
