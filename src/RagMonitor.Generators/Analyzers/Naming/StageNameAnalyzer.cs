using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using RagMonitor.Generators.Diagnostics;

namespace RagMonitor.Generators.Analyzers.Naming;

/// <summary>
/// Checks every stage name in a compilation — <c>[Stage("…")]</c> arguments and the stage-name
/// argument of <c>PerformanceMonitor.BeginStage</c>, <c>BeginAsyncStage</c>, <c>TrackStageStream</c>,
/// <c>LogStage</c> and <c>MarkStageStatus</c> — against the naming rules:
/// RMON011 (outside the declared catalog) and RMON012 (breaks the configured style) as each name is
/// seen; RMON009 (case or separator variants) and RMON010 (probable typos) once per compilation,
/// from the names gathered while it was analysed.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class StageNameAnalyzer : DiagnosticAnalyzer
{
    private const string StageAttributeName = "RagMonitor.StageAttribute";
    private const string CatalogAttributeName = "RagMonitor.StageCatalogAttribute";
    private const string MonitorTypeName = "RagMonitor.PerformanceMonitor";
    private const string StageNameParameter = "stageName";

    // Set on the instance the generator runs (it reports what this analyzer finds, and has added its marker file).
    private bool _reportForGenerator;

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.CaseOrSeparatorVariant,
        DiagnosticDescriptors.ProbableTypo,
        DiagnosticDescriptors.OutsideCatalog,
        DiagnosticDescriptors.NamingStyle);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(OnCompilationStart);
    }

    /// <summary>
    /// Runs this analyzer over <paramref name="compilation"/> for the generator, which reports its diagnostics when the
    /// compilation has RagMonitor declaration errors (the command-line compiler runs no analyzer then).
    /// </summary>
    internal static void ReportFromGenerator(
        Compilation compilation,
        AnalyzerConfigOptionsProvider options,
        ImmutableArray<AdditionalText> additionalTexts,
        System.Action<Diagnostic> report,
        System.Threading.CancellationToken cancellationToken)
    {
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new StageNameAnalyzer { _reportForGenerator = true });
        var withAnalyzers = compilation.WithAnalyzers(analyzers, new AnalyzerOptions(additionalTexts, options));
        foreach (var diagnostic in withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellationToken).GetAwaiter().GetResult())
        {
            report(diagnostic);
        }
    }

    private void OnCompilationStart(CompilationStartAnalysisContext context)
    {
        var compilation = context.Compilation;
        if (!_reportForGenerator && GeneratorReportsNaming(compilation))
        {
            return;
        }

        // Nothing is looked up here: at compilation start the compiler has not yet merged the declarations of the
        // generated files, and the first GetTypeByMetadataName would do that (and parse them) on this analyzer's
        // clock, about 0.5 s of a cold 2,000-method build (issue 14) that the compiler does right after anyway. The
        // actions below run once the compiler has bound the declarations, and the first one looks the types up.
        var options = context.Options;
        var cancellationToken = context.CancellationToken;
        var setup = new Lazy<Setup?>(() => Setup.Create(compilation, options, cancellationToken), LazyThreadSafetyMode.ExecutionAndPublication);

        // Not a symbol action: the generator marks its implementation part [GeneratedCode], and attributes of
        // partial-method parts merge, so Roslyn treats every wrapped method as generated code and would skip it. The
        // user's file itself is not generated.
        context.RegisterSemanticModelAction(c =>
        {
            if (setup.Value is { StageAttribute: { } stageAttribute } current)
            {
                AnalyzeStageAttributes(c, stageAttribute, current.AnyUsingAlias, current.Session);
            }
        });

        // A syntax action filtered by the invoked name binds only the few candidate calls; an operation action would
        // build operation trees for every method body.
        context.RegisterSyntaxNodeAction(
            c =>
            {
                if (setup.Value is { MonitorType: { } monitorType } current && current.StageNameArguments.Count > 0)
                {
                    AnalyzeInvocation(c, monitorType, current.MethodNames, current.StageNameArguments, current.Session);
                }
            },
            SyntaxKind.InvocationExpression);

        context.RegisterCompilationEndAction(c =>
        {
            if (setup.IsValueCreated && setup.Value is { } current)
            {
                current.Session.ReportCompilationWide(c);
            }
        });
    }

    /// <summary>Whether the generator reported this compilation's naming warnings (it had declaration errors).</summary>
    private static bool GeneratorReportsNaming(Compilation compilation)
    {
        foreach (var tree in compilation.SyntaxTrees)
        {
            if (tree.FilePath.EndsWith(Generator.MonitorGenerator.NamingMarkerHintName, System.StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The monitor's methods that take a stage name, with the parameter's position.</summary>
    private static Dictionary<IMethodSymbol, int> StageNameOrdinals(INamedTypeSymbol monitorType)
    {
        var methods = new Dictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default);
        foreach (var member in monitorType.GetMembers())
        {
            if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary, DeclaredAccessibility: Accessibility.Public } method)
            {
                continue;
            }

            foreach (var parameter in method.Parameters)
            {
                if (parameter.Name == StageNameParameter && parameter.Type.SpecialType == SpecialType.System_String)
                {
                    methods.Add(method, parameter.Ordinal);
                    break;
                }
            }
        }

        return methods;
    }

    /// <summary>
    /// Whether any file has a <c>using X = ...;</c> directive (also <c>global using</c>): <c>[Stage]</c> may then be written
    /// under another name, so every attribute is bound; without one, only attributes named <c>Stage</c> are.
    /// </summary>
    private static bool AnyUsingAlias(Compilation compilation, System.Threading.CancellationToken cancellationToken)
    {
        foreach (var tree in compilation.SyntaxTrees)
        {
            if (tree.GetRoot(cancellationToken) is CompilationUnitSyntax root && (HasAlias(root.Usings) || AnyNamespaceHasAlias(root.Members)))
            {
                return true;
            }
        }

        return false;

        static bool HasAlias(SyntaxList<UsingDirectiveSyntax> usings) => usings.Any(static u => u.Alias is not null);

        static bool AnyNamespaceHasAlias(SyntaxList<MemberDeclarationSyntax> members)
        {
            foreach (var member in members)
            {
                if (member is BaseNamespaceDeclarationSyntax ns && (HasAlias(ns.Usings) || AnyNamespaceHasAlias(ns.Members)))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private static void AnalyzeStageAttributes(SemanticModelAnalysisContext context, INamedTypeSymbol stageAttribute, bool anyUsingAlias, CompilationSession session)
    {
        var model = context.SemanticModel;
        var root = model.SyntaxTree.GetRoot(context.CancellationToken);
        foreach (var node in root.DescendantNodes(static n => n is not (BlockSyntax or ArrowExpressionClauseSyntax or ExpressionSyntax)))
        {
            if (node is not AttributeSyntax { Parent: AttributeListSyntax { Parent: MethodDeclarationSyntax declaration } list } attribute
                || (list.Target is { } target && !target.Identifier.IsKind(SyntaxKind.MethodKeyword))
                || attribute.ArgumentList is not { Arguments.Count: > 0 } arguments
                || (!anyUsingAlias && Generator.DeclarationFingerprint.RightmostName(attribute.Name) is not ("Stage" or "StageAttribute")))
            {
                // Bind only what can be [Stage]: attributes written with its name, unless an alias may rename it.
                continue;
            }

            context.CancellationToken.ThrowIfCancellationRequested();
            if (StageNameOf(model, declaration, attribute, stageAttribute, context.CancellationToken) is { } name)
            {
                session.Add(name, arguments.Arguments[0].Expression.GetLocation(), context.ReportDiagnostic);
            }
        }
    }

    /// <summary>
    /// The stage name <paramref name="attribute"/> gives <paramref name="declaration"/>, when it is <c>[Stage]</c> with a
    /// constant string. Read from the method symbol's attributes, which the compiler binds once for the build anyway
    /// (binding each attribute again through the semantic model was most of this analyzer's time, issue 14).
    /// </summary>
    private static string? StageNameOf(SemanticModel model, MethodDeclarationSyntax declaration, AttributeSyntax attribute, INamedTypeSymbol stageAttribute, System.Threading.CancellationToken cancellationToken)
    {
        if (model.GetDeclaredSymbol(declaration, cancellationToken) is not { } method)
        {
            return null;
        }

        foreach (var data in method.GetAttributes())
        {
            if (data.ApplicationSyntaxReference is { } reference
                && reference.Span == attribute.Span
                && reference.SyntaxTree == attribute.SyntaxTree
                && SymbolEqualityComparer.Default.Equals(data.AttributeClass, stageAttribute))
            {
                return data.ConstructorArguments.Length == 1 && data.ConstructorArguments[0] is { Kind: TypedConstantKind.Primitive, Value: string name } ? name : null;
            }
        }

        return null;
    }

    private static void AnalyzeInvocation(
        SyntaxNodeAnalysisContext context,
        INamedTypeSymbol monitorType,
        HashSet<string> methodNames,
        Dictionary<IMethodSymbol, int> stageNameArguments,
        CompilationSession session)
    {
        var invocation = (InvocationExpressionSyntax)context.Node;
        var invokedName = invocation.Expression switch
        {
            MemberAccessExpressionSyntax memberAccess => memberAccess.Name.Identifier.ValueText,
            MemberBindingExpressionSyntax memberBinding => memberBinding.Name.Identifier.ValueText,
            SimpleNameSyntax simpleName => simpleName.Identifier.ValueText,
            _ => null,
        };
        if (invokedName is null || !methodNames.Contains(invokedName) || invocation.ArgumentList.Arguments.Count == 0)
        {
            return;
        }

        var model = context.SemanticModel;
        if (model.GetSymbolInfo(invocation, context.CancellationToken).Symbol is not IMethodSymbol target
            || !SymbolEqualityComparer.Default.Equals(target.ContainingType, monitorType)
            || !stageNameArguments.TryGetValue(target.OriginalDefinition, out var ordinal))
        {
            return;
        }

        var arguments = invocation.ArgumentList.Arguments;
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            var matches = argument.NameColon is { } nameColon
                ? nameColon.Name.Identifier.ValueText == StageNameParameter
                : i == ordinal;
            if (!matches)
            {
                continue;
            }

            if (model.GetConstantValue(argument.Expression, context.CancellationToken) is { HasValue: true, Value: string name })
            {
                session.Add(name, argument.Expression.GetLocation(), context.ReportDiagnostic);
            }

            return;
        }
    }

    /// <summary>What one compilation's analysis needs from the compilation, looked up by the first action that runs.</summary>
    private sealed class Setup
    {
        private Setup(INamedTypeSymbol? stageAttribute, INamedTypeSymbol? monitorType, bool anyUsingAlias, CompilationSession session)
        {
            StageAttribute = stageAttribute;
            MonitorType = monitorType;
            AnyUsingAlias = anyUsingAlias;
            Session = session;
            StageNameArguments = monitorType is null ? new Dictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default) : StageNameOrdinals(monitorType);
            MethodNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var method in StageNameArguments.Keys)
            {
                MethodNames.Add(method.Name);
            }
        }

        public INamedTypeSymbol? StageAttribute { get; }

        public INamedTypeSymbol? MonitorType { get; }

        public bool AnyUsingAlias { get; }

        public CompilationSession Session { get; }

        /// <summary>The monitor's methods that take a stage name, with the parameter's position.</summary>
        public Dictionary<IMethodSymbol, int> StageNameArguments { get; }

        /// <summary>Their names, to skip other invocations before binding them.</summary>
        public HashSet<string> MethodNames { get; }

        /// <summary>The setup, or <see langword="null"/> when the project does not reference RagMonitor.</summary>
        public static Setup? Create(Compilation compilation, AnalyzerOptions options, CancellationToken cancellationToken)
        {
            var stageAttribute = compilation.GetTypeByMetadataName(StageAttributeName);
            var monitorType = compilation.GetTypeByMetadataName(MonitorTypeName);
            if (stageAttribute is null && monitorType is null)
            {
                return null;
            }

            var session = new CompilationSession(
                StageCatalog.Read(compilation, compilation.GetTypeByMetadataName(CatalogAttributeName), options.AdditionalFiles, cancellationToken),
                options.AnalyzerConfigOptionsProvider);
            return new Setup(stageAttribute, monitorType, stageAttribute is not null && AnyUsingAlias(compilation, cancellationToken), session);
        }
    }

    /// <summary>What one compilation's analysis gathers. Created at compilation start, dropped at its end.</summary>
    private sealed class CompilationSession
    {
        private readonly StageCatalog? _catalog;
        private readonly AnalyzerConfigOptionsProvider _options;
        private readonly ConcurrentDictionary<SyntaxTree, StageNameStyle> _styles = new();
        private readonly ConcurrentQueue<StageNameSite> _sites = new();

        public CompilationSession(StageCatalog? catalog, AnalyzerConfigOptionsProvider options)
        {
            _catalog = catalog;
            _options = options;
        }

        /// <summary>Records a site and reports the rules that need no other name: RMON011 and RMON012.</summary>
        public void Add(string name, Location location, System.Action<Diagnostic> report)
        {
            if (string.IsNullOrWhiteSpace(name) || location.SourceTree is not { } tree)
            {
                // Empty names are a declaration error (RMON006), not a naming question.
                return;
            }

            var allowed = true;
            var distance = (EditDistance?)null;
            if (_catalog is not null && !_catalog.Contains(name))
            {
                allowed = false;
                distance = new EditDistance();
                var closest = _catalog.Closest(name, distance);
                var properties = closest is null
                    ? ImmutableDictionary<string, string?>.Empty
                    : ImmutableDictionary<string, string?>.Empty.Add(StageNameProperties.Replacement, closest);
                var suggestion = closest is null ? " (the catalog is empty)" : $"; the closest entry is '{closest}'";
                report(Diagnostic.Create(DiagnosticDescriptors.OutsideCatalog, location, properties, name, suggestion));
            }

            var style = _styles.GetOrAdd(tree, ReadStyle);
            if (!StageNameStyles.Follows(name, style))
            {
                allowed = false;
                var styled = StageNameStyles.Convert(name, style);
                if (styled.Length > 0)
                {
                    var properties = ImmutableDictionary<string, string?>.Empty.Add(StageNameProperties.Replacement, styled);
                    report(Diagnostic.Create(DiagnosticDescriptors.NamingStyle, location, properties, name, StageNameStyles.DisplayName(style), styled));
                }
            }

            _sites.Enqueue(new StageNameSite(name, location, allowed));
        }

        public void ReportCompilationWide(CompilationAnalysisContext context)
        {
            if (_sites.IsEmpty)
            {
                return;
            }

            var treeOrder = new Dictionary<SyntaxTree, int>();
            var index = 0;
            foreach (var tree in context.Compilation.SyntaxTrees)
            {
                treeOrder[tree] = index++;
            }

            var sites = _sites.ToArray();
            System.Array.Sort(sites, (x, y) =>
            {
                var byTree = Order(treeOrder, x).CompareTo(Order(treeOrder, y));
                return byTree != 0 ? byTree : x.Location.SourceSpan.Start.CompareTo(y.Location.SourceSpan.Start);
            });

            StageNameConsistency.Report(sites, _catalog, context.ReportDiagnostic, context.CancellationToken);
        }

        private static int Order(Dictionary<SyntaxTree, int> treeOrder, StageNameSite site) =>
            site.Location.SourceTree is { } tree && treeOrder.TryGetValue(tree, out var order) ? order : int.MaxValue;

        private StageNameStyle ReadStyle(SyntaxTree tree)
        {
            var options = _options.GetOptions(tree);
            if (options.TryGetValue(StageNameStyles.OptionKey, out var value)
                || _options.GlobalOptions.TryGetValue(StageNameStyles.OptionKey, out value))
            {
                return StageNameStyles.Parse(value);
            }

            return StageNameStyle.SnakeCase;
        }
    }
}
