using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using RagMonitor.Generators.Generator;

namespace RagMonitor.Benchmarks;

/// <summary>
/// Issue 14's edit-to-output time: the RagMonitor generator in a <see cref="GeneratorDriver"/> (as the IDE and the
/// compiler server keep it) over 2,000 monitored methods in 200 files, then one edit at a time, timed until the
/// driver has its outputs. Run:
/// <c>dotnet run -c Release --project tests/RagMonitor.Benchmarks -- generator-edit</c>.
/// </summary>
public static class GeneratorEditStopwatch
{
    private const int Files = 200;
    private const int MethodsPerFile = 10;

    public static void Run(int edits = 41)
    {
        Console.WriteLine($"Generator edit-to-output: {Files * MethodsPerFile:N0} monitored methods in {Files} files; {Environment.ProcessorCount} logical cores, .NET {Environment.Version}, Roslyn {typeof(Compilation).Assembly.GetName().Version}");
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = Enumerable.Range(0, Files).Select(f => CSharpSyntaxTree.ParseText(Source(f, coreBody: 0, stageSuffix: string.Empty), parseOptions, path: $"Stages{f:D3}.cs")).ToArray();
        var compilation = CSharpCompilation.Create("BuildCost", trees, References(), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        // The first run: everything is new (what a clean build's generator pass does). Each run gets newly parsed trees
        // in a new compilation, so that nothing the generator keeps per syntax tree or compilation can be reused.
        var first = new List<double>();
        for (var run = 0; run < 5; run++)
        {
            var newTrees = Enumerable.Range(0, Files).Select(f => CSharpSyntaxTree.ParseText(Source(f, coreBody: 0, stageSuffix: string.Empty), parseOptions, path: $"Stages{f:D3}.cs")).ToArray();
            var newCompilation = compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(newTrees);
            var watch = Stopwatch.StartNew();
            var fresh = NewDriver(parseOptions).RunGenerators(newCompilation);
            watch.Stop();
            first.Add(watch.Elapsed.TotalMilliseconds);
            if (run == 0)
            {
                var result = fresh.GetRunResult();
                Console.WriteLine($"  outputs: {result.GeneratedTrees.Length} files, {result.Diagnostics.Length} diagnostics");
            }
        }

        var driver = NewDriver(parseOptions).RunGenerators(compilation);
        var coreEdits = new List<double>();
        var attributeEdits = new List<double>();
        var current = compilation;
        for (var edit = 1; edit <= edits; edit++)
        {
            var file = edit % Files;
            var old = current.SyntaxTrees.Single(t => t.FilePath == $"Stages{file:D3}.cs");

            // One Core method body changes: the wrappers stay cached.
            var edited = current.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(Source(file, coreBody: edit, stageSuffix: string.Empty), parseOptions, path: old.FilePath));
            var watch = Stopwatch.StartNew();
            driver = driver.RunGenerators(edited);
            watch.Stop();
            coreEdits.Add(watch.Elapsed.TotalMilliseconds);

            // One stage name changes: that type's file is generated again.
            var renamedOld = edited.SyntaxTrees.Single(t => t.FilePath == old.FilePath);
            current = edited.ReplaceSyntaxTree(renamedOld, CSharpSyntaxTree.ParseText(Source(file, coreBody: edit, stageSuffix: "_" + edit), parseOptions, path: old.FilePath));
            watch.Restart();
            driver = driver.RunGenerators(current);
            watch.Stop();
            attributeEdits.Add(watch.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"  first run (all new), median of 5: {Median(first):F0} ms (min {first.Min():F0})");
        Console.WriteLine($"  edit one Core body -> outputs, median of {edits}: {Median(coreEdits):F1} ms (p90 {Percentile(coreEdits, 0.9):F1})");
        Console.WriteLine($"  edit one stage name -> outputs, median of {edits}: {Median(attributeEdits):F1} ms (p90 {Percentile(attributeEdits, 0.9):F1})");
    }

    /// <summary>
    /// Where an edit's time goes: after each one-file edit (a new compilation, as the driver sees it), the work the
    /// generator's transform does for all 2,000 methods, measured cumulatively in separate new compilations:
    /// declared symbols only (the floor of any ForAttributeWithMetadataName transform), plus attributes, plus the
    /// full classification. Run: <c>dotnet run -c Release --project tests/RagMonitor.Benchmarks -- generator-profile</c>.
    /// </summary>
    public static void Profile(int edits = 21)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = Enumerable.Range(0, Files).Select(f => CSharpSyntaxTree.ParseText(Source(f, coreBody: 0, stageSuffix: string.Empty), parseOptions, path: $"Stages{f:D3}.cs")).ToArray();
        Compilation current = CSharpCompilation.Create("BuildCost", trees, References(), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var steps = new (string Name, Func<Compilation, int> Work)[]
        {
            ("declared symbols", static c => Symbols(c).Count()),
            ("+ GetAttributes", static c => Symbols(c).Sum(static m => m.GetAttributes().Length)),
            ("+ ToDisplayString of return and parameter types", static c => Symbols(c).Sum(static m => m.GetAttributes().Length
                + m.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Length
                + m.Parameters.Sum(static p => p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Length))),
            ("+ parameter attributes and Core lookup", static c => Symbols(c).Sum(static m => m.GetAttributes().Length
                + m.Parameters.Sum(static p => p.GetAttributes().Length) + m.ContainingType.GetMembers(m.Name + "Core").Length)),
            ("+ KnownTypes.Create per method (before issue 14's caching)", static c => Symbols(c).Count(m => m.GetAttributes().Length > 0 && Generators.Parsing.KnownTypes.Create(c) is not null)),
            ("+ Classify with KnownTypes.For per method (as the generator)", static c => Symbols(c).Count(m =>
                Generators.Parsing.MonitoredMethodClassifier.Classify(m, Generators.Parsing.KnownTypes.For(c)!, new List<Generators.Model.DiagnosticInfo>(), default) is not null)),
        };
        var times = steps.Select(static _ => new List<double>()).ToArray();
        var counts = new int[steps.Length];
        for (var edit = 1; edit <= edits; edit++)
        {
            for (var step = 0; step < steps.Length; step++)
            {
                var file = (edit * steps.Length + step) % Files;
                var old = current.SyntaxTrees.Single(t => t.FilePath == $"Stages{file:D3}.cs");
                current = current.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(Source(file, coreBody: edit * 10 + step, stageSuffix: string.Empty), parseOptions, path: old.FilePath));
                var watch = Stopwatch.StartNew();
                var count = steps[step].Work(current);
                watch.Stop();
                counts[step] = count;
                times[step].Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        for (var step = 0; step < steps.Length; step++)
        {
            Console.WriteLine($"  {steps[step].Name}, 2,000 methods after one edit, median of {edits}: {Median(times[step]):F1} ms (p90 {Percentile(times[step], 0.9):F1}; count {counts[step]})");
        }

        ProfileAnalyzers(parseOptions);
    }

    /// <summary>
    /// The analyzers on the same 2,000 methods with their generated wrappers (as in a build): Roslyn's own execution
    /// time per analyzer (what <c>-p:ReportAnalyzer=true</c> reports), each run on a fresh compilation, median of 5.
    /// </summary>
    private static void ProfileAnalyzers(CSharpParseOptions parseOptions)
    {
        var trees = Enumerable.Range(0, Files).Select(f => CSharpSyntaxTree.ParseText(Source(f, coreBody: 0, stageSuffix: string.Empty), parseOptions, path: $"Stages{f:D3}.cs")).ToArray();
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);
        var references = References();
        NewDriver(parseOptions).RunGeneratorsAndUpdateCompilation(CSharpCompilation.Create("BuildCost", trees, references, options), out var generated, out _);
        var naming = new List<double>();
        var declaration = new List<double>();
        var diagnostics = 0;
        for (var run = 0; run < 5; run++)
        {
            var stageNames = new Generators.Analyzers.Naming.StageNameAnalyzer();
            var declarations = new Generators.Analyzers.Declaration.DeclarationAnalyzer();
            var analyzerOptions = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: true);
            var withAnalyzers = CSharpCompilation.Create("BuildCost", generated.SyntaxTrees, references, options)
                .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(stageNames, declarations), analyzerOptions);
            diagnostics = withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult().Length;
            naming.Add(withAnalyzers.GetAnalyzerTelemetryInfoAsync(stageNames, default).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds);
            declaration.Add(withAnalyzers.GetAnalyzerTelemetryInfoAsync(declarations, default).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds);
        }

        Console.WriteLine($"  analyzers on a fresh compilation with the wrappers, Roslyn's execution time, median of 5: StageNameAnalyzer {Median(naming):F1} ms (p90 {Percentile(naming, 0.9):F1}), DeclarationAnalyzer {Median(declaration):F1} ms; {diagnostics} diagnostics");
    }

    private static IEnumerable<IMethodSymbol> Symbols(Compilation compilation)
    {
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>())
            {
                if (declaration.AttributeLists.Count > 0 && model.GetDeclaredSymbol(declaration) is { } method)
                {
                    yield return method;
                }
            }
        }
    }

    private static GeneratorDriver NewDriver(CSharpParseOptions parseOptions) =>
        CSharpGeneratorDriver.Create(new[] { new MonitorGenerator().AsSourceGenerator() }, parseOptions: parseOptions);

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.OrderBy(static v => v).ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Round(p * (sorted.Count - 1)))];
    }

    /// <summary>The same file shape as generator-build-cost.sh writes: ten stage methods (five sync, five async) per type.</summary>
    internal static string Source(int file, int coreBody, string stageSuffix)
    {
        var builder = new StringBuilder();
        builder.AppendLine("using System.Threading.Tasks;");
        builder.AppendLine("using RagMonitor;");
        builder.AppendLine();
        builder.AppendLine("namespace BuildCost;");
        builder.AppendLine();
        builder.AppendLine($"public sealed partial class Stages{file:D3}");
        builder.AppendLine("{");
        for (var i = 0; i < MethodsPerFile; i++)
        {
            var name = $"stage_{file:D3}_{i}" + (i == 0 ? stageSuffix : string.Empty);
            builder.AppendLine($"    [Stage(\"{name}\")]");
            if (i % 2 == 0)
            {
                builder.AppendLine($"    public partial int Step{i}([StageMetadata] string input, [StageMetadata] int limit);");
                builder.AppendLine($"    private int Step{i}Core(string input, int limit) => input.Length + limit + {(i == 0 ? coreBody : 0)};");
            }
            else
            {
                builder.AppendLine($"    public partial Task<string> Step{i}Async(string input);");
                builder.AppendLine($"    private Task<string> Step{i}AsyncCore(string input) => Task.FromResult(input);");
            }
        }

        builder.AppendLine("}");
        return builder.ToString();
    }

    private static ImmutableArray<MetadataReference> References()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return platform
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal)
                || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll" or "Microsoft.Extensions.Logging.Abstractions.dll")
            .Append(typeof(PerformanceMonitor).Assembly.Location)
            .Distinct()
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }
}
