using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using RagMonitor.Generators.Analyzers.Declaration;
using RagMonitor.Generators.Analyzers.Naming;
using RagMonitor.Generators.Generator;

namespace RagMonitor.Benchmarks;

/// <summary>
/// How long RagMonitor's analyzers take on a 2,000-method compilation: 40 files × 50 partial
/// <c>[Stage]</c> methods (with their generated wrappers, as in a build), each Core method also calling
/// <c>PerformanceMonitor.Default.BeginStage("…")</c> — 4,000 stage-name sites.
/// <list type="bullet">
/// <item><c>Realistic</c>: 40 pipeline stage names, with 20 case/separator variants and typos sprinkled in
/// (the analyzers report them).</item>
/// <item><c>Consistent</c> (stopwatch mode only): the same 40 names without mistakes.</item>
/// <item><c>Distinct</c>: 2,000 different names, close to each other in groups of 50
/// (<c>retrieval_ab</c>, <c>retrieval_ac</c>, …) — the worst case for the compilation-wide typo pass.</item>
/// </list>
/// Every iteration starts from a fresh compilation: running analyzers binds the compilation again
/// (<c>CompilationWithAnalyzers</c> works on its own copy), so the analyzers' share is the difference
/// from <see cref="CompileOnly"/>; Roslyn's per-analyzer execution time is printed too.
/// Run: <c>dotnet run -c Release --project tests/RagMonitor.Benchmarks -- --filter '*AnalyzerBenchmarks*'</c>.
/// </summary>
[Config(typeof(AnalyzerBenchmarkConfig))]
[MemoryDiagnoser]
public class AnalyzerBenchmarks
{
    private static readonly string[] s_vocabulary =
    {
        "retrieval", "grading", "generation", "query_rewrite", "embedding", "rerank", "chunking", "tokenize",
        "vector_search", "keyword_search", "hybrid_merge", "dedupe", "summarize", "classify", "moderation",
        "prompt_build", "llm_call", "stream_answer", "citation", "cache_lookup", "cache_store", "spell_check",
        "language_detect", "translate", "parse_pdf", "extract_tables", "ocr", "chunk_merge", "score_filter",
        "context_pack", "guardrails", "intent_detect", "entity_link", "feedback_log", "answer_check",
        "fallback_search", "metadata_filter", "time_decay", "diversify", "final_format",
    };

    private ImmutableArray<SyntaxTree> _trees;
    private ImmutableArray<MetadataReference> _references;
    private CSharpCompilationOptions _options = null!;
    private Compilation _compilation = null!;

    /// <summary>Which stage names the methods use.</summary>
    [Params("Realistic", "Distinct")]
    public string Names { get; set; } = "Realistic";

    /// <summary>Whether the Core methods also call the runtime API with stage names (the stopwatch mode varies it).</summary>
    public bool ExplicitCalls { get; set; } = true;

    /// <summary>Prints Roslyn's per-analyzer execution time in <see cref="Setup"/> (the stopwatch mode measures on its own).</summary>
    public bool PrintExecutionTimes { get; set; } = true;

    /// <summary>The syntax trees of the benchmark compilation (with the generated wrappers), after <see cref="Setup"/>.</summary>
    public ImmutableArray<SyntaxTree> Trees => _trees;

    /// <summary>A fresh compilation of <see cref="Trees"/>.</summary>
    public Compilation NewCompilation() => CSharpCompilation.Create("Pipeline", _trees, _references, _options);

    [GlobalSetup]
    public void Setup()
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = Enumerable.Range(0, 40)
            .Select(file => CSharpSyntaxTree.ParseText(Source(file), parseOptions, path: $"/src/Stages{file:D2}.cs"))
            .ToList();
        _references = References();
        _options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);
        var compilation = CSharpCompilation.Create("Pipeline", trees, _references, _options);
        CSharpGeneratorDriver.Create(new MonitorGenerator()).WithUpdatedParseOptions(parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var withGenerated, out _);
        _trees = withGenerated.SyntaxTrees.ToImmutableArray();

        // Sanity: the code compiles, the generator wrapped every method, and the analyzers really ran.
        var check = CSharpCompilation.Create("Pipeline", _trees, _references, _options);
        var errors = check.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        // One wrapper file per source file, plus the generator's marker file (post-initialization output).
        if (errors.Count > 0 || _trees.Length != (2 * trees.Count) + 1)
        {
            throw new InvalidOperationException($"Benchmark compilation is broken ({_trees.Length} trees): {string.Join("; ", errors.Take(3))}");
        }

        var diagnostics = Analyze(check, new DiagnosticAnalyzer[] { new StageNameAnalyzer(), new DeclarationAnalyzer() });
        var expected = Names == "Realistic" ? (ExplicitCalls ? 40 : 20) : 0;
        var unexpected = Names == "Realistic" ? int.MaxValue : 0;
        if (diagnostics.Length < expected || diagnostics.Length > unexpected || diagnostics.Any(d => d.Id is "RMON001" or "RMON003"))
        {
            throw new InvalidOperationException($"Unexpected diagnostics ({diagnostics.Length}): {string.Join("; ", diagnostics.Take(5))}");
        }

        Console.WriteLine($"// {Names}: {diagnostics.Length} diagnostics, e.g. {diagnostics.FirstOrDefault()}");
        if (PrintExecutionTimes)
        {
            PrintAnalyzerExecutionTimes();
        }
    }

    [IterationSetup]
    public void FreshCompilation() => _compilation = CSharpCompilation.Create("Pipeline", _trees, _references, _options);

    /// <summary>Baseline: compiling (binding every method body) without analyzers, what a build does anyway.</summary>
    [Benchmark(Baseline = true)]
    public int CompileOnly() => _compilation.GetDiagnostics().Length;

    /// <summary>Compiling with the naming analyzer (RMON009–RMON012).</summary>
    [Benchmark]
    public int WithNamingAnalyzer() => Analyze(_compilation, new DiagnosticAnalyzer[] { new StageNameAnalyzer() }).Length;

    /// <summary>Compiling with the naming and declaration analyzers (RMON001–RMON012).</summary>
    [Benchmark]
    public int WithAllAnalyzers() => Analyze(_compilation, new DiagnosticAnalyzer[] { new StageNameAnalyzer(), new DeclarationAnalyzer() }).Length;

    /// <summary>
    /// Roslyn's own measure of the time spent inside each analyzer's callbacks (the figure an IDE or
    /// <c>-p:ReportAnalyzer=true</c> shows), median of 5 fresh compilations; printed with the results.
    /// </summary>
    private void PrintAnalyzerExecutionTimes()
    {
        var naming = new List<double>();
        var declaration = new List<double>();
        for (var run = 0; run < 5; run++)
        {
            var stageNames = new StageNameAnalyzer();
            var declarations = new DeclarationAnalyzer();
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: true);
            var withAnalyzers = CSharpCompilation.Create("Pipeline", _trees, _references, _options)
                .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(stageNames, declarations), options);
            withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
            naming.Add(withAnalyzers.GetAnalyzerTelemetryInfoAsync(stageNames, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds);
            declaration.Add(withAnalyzers.GetAnalyzerTelemetryInfoAsync(declarations, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds);
        }

        naming.Sort();
        declaration.Sort();
        Console.WriteLine($"// {Names}: analyzer execution time (median of 5): StageNameAnalyzer {naming[2]:F1} ms, DeclarationAnalyzer {declaration[2]:F1} ms");
    }

    /// <summary>Runs <paramref name="analyzers"/> over <paramref name="compilation"/> (concurrently, as a build does).</summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation, DiagnosticAnalyzer[] analyzers)
    {
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false);
        return compilation.WithAnalyzers(analyzers.ToImmutableArray(), options).GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    private string StageName(int method)
    {
        if (Names == "Distinct")
        {
            // 40 groups of 50 names that differ in a short last word: the typo pass compares them all.
            var suffix = method / 40;
            return $"{s_vocabulary[method % 40]}_{(char)('a' + (suffix / 26))}{(char)('a' + (suffix % 26))}";
        }

        var name = s_vocabulary[method % 40];
        if (Names == "Consistent")
        {
            return name;
        }

        return (method % 100) switch
        {
            7 => name.ToUpperInvariant(), // a case variant (RMON009, RMON012)
            13 when name.Length > 6 => name.Substring(0, 3) + name[4] + name[3] + name.Substring(5), // a transposition (RMON010)
            _ => name,
        };
    }

    private string Source(int file)
    {
        var builder = new StringBuilder();
        builder.AppendLine("using System.Threading.Tasks;");
        builder.AppendLine("using RagMonitor;");
        builder.AppendLine();
        builder.AppendLine("namespace Pipeline;");
        builder.AppendLine();
        builder.AppendLine($"public sealed partial class Stages{file:D2}");
        builder.AppendLine("{");
        for (var i = 0; i < 50; i++)
        {
            var method = (file * 50) + i;
            var name = StageName(method);
            builder.AppendLine($"    [Stage(\"{name}\")]");
            var call = ExplicitCalls ? string.Empty : "// ";
            if (i % 2 == 0)
            {
                builder.AppendLine($"    public partial int Step{i}(string input, int limit);");
                builder.AppendLine($"    private int Step{i}Core(string input, int limit)");
                builder.AppendLine("    {");
                builder.AppendLine($"        {call}using (PerformanceMonitor.Default.BeginStage(\"{name}\")) {{ }}");
                builder.AppendLine("        return input.Length + limit;");
                builder.AppendLine("    }");
            }
            else
            {
                builder.AppendLine($"    public partial Task<string> Step{i}Async(string input);");
                builder.AppendLine($"    private async Task<string> Step{i}AsyncCore(string input)");
                builder.AppendLine("    {");
                builder.AppendLine("        await Task.Yield();");
                builder.AppendLine($"        {call}PerformanceMonitor.Default.LogStage(\"request\", \"{name}\", System.TimeSpan.Zero);");
                builder.AppendLine("        return input;");
                builder.AppendLine("    }");
            }

            builder.AppendLine();
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

    /// <summary>In-process, one analysis per iteration (each needs a fresh compilation).</summary>
    private sealed class AnalyzerBenchmarkConfig : ManualConfig
    {
        public AnalyzerBenchmarkConfig()
        {
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(1)
                .WithIterationCount(8));
        }
    }
}

/// <summary>
/// A quicker, plainer measure than BenchmarkDotNet for the same compilations: median wall time of
/// compiling alone and of compiling with the analyzers, on fresh compilations, and Roslyn's own
/// per-analyzer execution time. Run:
/// <c>dotnet run -c Release --project tests/RagMonitor.Benchmarks -- analyzers-stopwatch</c>.
/// </summary>
public static class AnalyzerStopwatch
{
    public static void Run(int runs = 9)
    {
        Console.WriteLine($"Analyzer stopwatch: {Environment.ProcessorCount} logical cores, .NET {Environment.Version}, Roslyn {typeof(Compilation).Assembly.GetName().Version}; median of {runs} fresh compilations");
        Console.WriteLine("Wall time is inflated by other load on the machine; process CPU time (all threads) much less so.");
        Console.WriteLine("| names | explicit API calls | compile only: wall / CPU | compile + naming analyzer: wall / CPU | compile + both analyzers: wall / CPU | naming analyzer execution time | declaration analyzer execution time |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var names in new[] { "Realistic", "Consistent", "Distinct" })
        {
            foreach (var calls in new[] { true, false })
            {
                var benchmark = new AnalyzerBenchmarks { Names = names, ExplicitCalls = calls, PrintExecutionTimes = false };
                benchmark.Setup();
                var compile = Median(runs, () => benchmark.NewCompilation().GetDiagnostics());
                var naming = Median(runs, () => AnalyzerBenchmarks.Analyze(benchmark.NewCompilation(), new DiagnosticAnalyzer[] { new StageNameAnalyzer() }));
                var both = Median(runs, () => AnalyzerBenchmarks.Analyze(benchmark.NewCompilation(), new DiagnosticAnalyzer[] { new StageNameAnalyzer(), new DeclarationAnalyzer() }));
                var (namingTime, declarationTime) = ExecutionTimes(benchmark, runs);
                Console.WriteLine($"| {names} | {(calls ? "yes (2,000)" : "no")} | {compile.Wall:F0} / {compile.Cpu:F0} ms | {naming.Wall:F0} / {naming.Cpu:F0} ms | {both.Wall:F0} / {both.Cpu:F0} ms | {namingTime:F1} ms | {declarationTime:F1} ms |");
            }
        }
    }

    private static (double Wall, double Cpu) Median(int runs, Action action)
    {
        var wall = new List<double>();
        var cpu = new List<double>();
        var process = System.Diagnostics.Process.GetCurrentProcess();
        for (var run = 0; run < runs + 1; run++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            action();
            watch.Stop();
            process.Refresh();
            if (run > 0)
            {
                wall.Add(watch.Elapsed.TotalMilliseconds);
                cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
            }
        }

        wall.Sort();
        cpu.Sort();
        return (wall[wall.Count / 2], cpu[cpu.Count / 2]);
    }

    private static (double Naming, double Declaration) ExecutionTimes(AnalyzerBenchmarks benchmark, int runs)
    {
        var naming = new List<double>();
        var declaration = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var stageNames = new StageNameAnalyzer();
            var declarations = new DeclarationAnalyzer();
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: true);
            var withAnalyzers = benchmark.NewCompilation().WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(stageNames, declarations), options);
            withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
            naming.Add(withAnalyzers.GetAnalyzerTelemetryInfoAsync(stageNames, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds);
            declaration.Add(withAnalyzers.GetAnalyzerTelemetryInfoAsync(declarations, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds);
        }

        naming.Sort();
        declaration.Sort();
        return (naming[naming.Count / 2], declaration[declaration.Count / 2]);
    }
}
