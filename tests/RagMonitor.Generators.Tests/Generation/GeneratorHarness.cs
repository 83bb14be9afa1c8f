using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.Extensions.Logging;
using RagMonitor.Generators.Analyzers.Declaration;
using RagMonitor.Generators.Generator;

namespace RagMonitor.Generators.Tests.Generation;

/// <summary>Compiles test sources with the RagMonitor generator, checks caching, and loads the result.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
        Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(PerformanceMonitor).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(ILogger).Assembly.Location))
            .ToImmutableArray());

    public static ImmutableArray<MetadataReference> References => s_references.Value;

    /// <summary>Nullable enabled, every warning an error (so "no diagnostics" also means "no warnings").</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) => CreateCompilation(ParseOptions, sources);

    public static CSharpCompilation CreateCompilation(CSharpParseOptions parseOptions, params string[] sources) =>
        CSharpCompilation.Create(
            "Tests" + Guid.NewGuid().ToString("N"),
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, parseOptions, path: $"Source{i}.cs")),
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: ReportDiagnostic.Error,
                optimizationLevel: OptimizationLevel.Debug));

    public static GeneratorDriver CreateDriver(CSharpParseOptions? parseOptions = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new MonitorGenerator().AsSourceGenerator() },
            parseOptions: parseOptions ?? ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>
    /// Runs the generator, asserts that a second run on an equal compilation is fully cached and that no
    /// Roslyn object is reachable from any tracked step's value, and returns the first run.
    /// </summary>
    public static GeneratorResult Run(params string[] sources) => Run(ParseOptions, sources);

    public static GeneratorResult Run(CSharpParseOptions parseOptions, params string[] sources)
    {
        var compilation = CreateCompilation(parseOptions, sources);
        var driver = CreateDriver(parseOptions).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var firstRun = driver.GetRunResult();
        AssertNoRoslynObjects(firstRun);

        var second = driver.RunGenerators(compilation.Clone()).GetRunResult();
        AssertFullyCached(second);

        var generated = firstRun.Results.Single().GeneratedSources
            .Where(static s => s.HintName is not (MonitorGenerator.MarkerHintName or MonitorGenerator.NamingMarkerHintName))
            .Select(static s => (s.HintName, Text: s.SourceText.ToString()))
            .ToImmutableArray();
        return new GeneratorResult((CSharpCompilation)output, generatorDiagnostics, generated, firstRun);
    }

    /// <summary>Every tracked step of <paramref name="run"/> has only Cached or Unchanged outputs.</summary>
    public static void AssertFullyCached(GeneratorDriverRunResult run)
    {
        var result = run.Results.Single();
        foreach (var (name, steps) in result.TrackedSteps.Where(static s => TrackingNames.All.Contains(s.Key)))
        {
            foreach (var step in steps)
            {
                foreach (var (_, reason) in step.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                        $"Step '{name}' produced a {reason} output on a second run over an equal compilation.");
                }
            }
        }

        foreach (var (_, steps) in result.TrackedOutputSteps)
        {
            foreach (var step in steps)
            {
                foreach (var (value, reason) in step.Outputs)
                {
                    if (IsDiagnosticReport(value))
                    {
                        // A declaration with problems is reported again with each compilation, to place its
                        // diagnostics in that compilation's trees (and, while there are such problems, the naming
                        // warnings are computed again); the cached steps above are checked all the same.
                        continue;
                    }

                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                        $"An output step produced a {reason} output ({value?.GetType()}) on a second run over an equal compilation.");
                }
            }
        }
    }

    /// <summary>
    /// An output that adds no source, only diagnostics: the generator's report of a declaration's problems, or of the
    /// naming warnings when there are such problems (both read the current compilation).
    /// </summary>
    public static bool IsDiagnosticReport(object value) =>
        value is ITuple { Length: 2 } output
        && output[0] is IEnumerable sources && !sources.Cast<object>().Any()
        && output[1] is IEnumerable<Diagnostic>;

    /// <summary>Walks every value produced by our tracked steps and fails on any ISymbol, SyntaxNode, Compilation, SemanticModel or Location.</summary>
    public static void AssertNoRoslynObjects(GeneratorDriverRunResult run)
    {
        var result = run.Results.Single();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var (name, steps) in result.TrackedSteps.Where(static s => TrackingNames.All.Contains(s.Key)))
        {
            foreach (var step in steps)
            {
                foreach (var (value, _) in step.Outputs)
                {
                    Walk(value, name, seen);
                }
            }
        }
    }

    private static void Walk(object? value, string path, HashSet<object> seen)
    {
        if (value is null)
        {
            return;
        }

        var type = value.GetType();
        Assert.False(
            value is ISymbol or SyntaxNode or Compilation or SemanticModel or Location or SyntaxTree or SyntaxToken or AttributeData,
            $"{path} holds a Roslyn object of type {type}, which would keep a compilation alive and defeat caching.");

        if (type.IsPrimitive || type.IsEnum || value is string || value is decimal)
        {
            return;
        }

        if (!type.IsValueType && !seen.Add(value))
        {
            return;
        }

        if (value is IEnumerable enumerable)
        {
            var index = 0;
            foreach (var item in enumerable)
            {
                Walk(item, $"{path}[{index++}]", seen);
            }
        }

        for (var current = type; current is not null && current != typeof(object); current = current.BaseType)
        {
            foreach (var field in current.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer)
                {
                    continue;
                }

                Walk(field.GetValue(value), $"{path}.{field.Name}", seen);
            }
        }
    }

    /// <summary>Diagnostics of the compilation including generated code (warnings count: they are errors here).</summary>
    public static ImmutableArray<Diagnostic> Problems(Compilation compilation) =>
        compilation.GetDiagnostics().Where(static d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();

    /// <summary>RagMonitor's declaration analyzer over <paramref name="compilation"/> (with generated code).</summary>
    public static ImmutableArray<Diagnostic> AnalyzerDiagnostics(Compilation compilation) =>
        compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new DeclarationAnalyzer()))
            .GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>RagMonitor's stage name analyzer over <paramref name="compilation"/> (with generated code).</summary>
    public static ImmutableArray<Diagnostic> NamingAnalyzerDiagnostics(Compilation compilation) =>
        compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new RagMonitor.Generators.Analyzers.Naming.StageNameAnalyzer()))
            .GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Emits <paramref name="compilation"/> (which must be error free) and loads it.</summary>
    public static Assembly Load(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join(Environment.NewLine, emit.Diagnostics));
        return Assembly.Load(stream.ToArray());
    }
}

internal sealed record GeneratorResult(
    CSharpCompilation Compilation,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<(string HintName, string Text)> Sources,
    GeneratorDriverRunResult Run)
{
    /// <summary>Asserts the output compiles with no warning or error and that RagMonitor's analyzer reports nothing.</summary>
    public GeneratorResult AssertClean()
    {
        Assert.Empty(GeneratorDiagnostics);
        var problems = GeneratorHarness.Problems(Compilation);
        Assert.True(problems.IsEmpty, "Generated code does not compile cleanly:" + Environment.NewLine
            + string.Join(Environment.NewLine, problems) + Environment.NewLine + string.Join(Environment.NewLine, Sources.Select(static s => s.Text)));
        var analyzer = GeneratorHarness.AnalyzerDiagnostics(Compilation);
        Assert.True(analyzer.IsEmpty, "RagMonitor analyzer reported: " + string.Join(Environment.NewLine, analyzer));
        return this;
    }

    public string Single() => Assert.Single(Sources).Text;
}

/// <summary>Runs code from a loaded test assembly.</summary>
internal static class Invoker
{
    public static object? Call(Assembly assembly, string typeName, string methodName, params object?[] arguments)
    {
        var type = assembly.GetType(typeName, throwOnError: true)!;
        var method = type.GetMethod(methodName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{typeName}.{methodName} not found");
        try
        {
            return method.Invoke(null, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    public static async Task<object?> CallAsync(Assembly assembly, string typeName, string methodName, params object?[] arguments)
    {
        var result = Call(assembly, typeName, methodName, arguments);
        switch (result)
        {
            case Task task:
                await task.ConfigureAwait(false);
                var property = task.GetType().GetProperty("Result");
                return property is not null && task.GetType().IsGenericType ? property.GetValue(task) : null;
            default:
                return result;
        }
    }

    public static object? Get(Assembly assembly, string typeName, string fieldName)
    {
        var type = assembly.GetType(typeName, throwOnError: true)!;
        var field = type.GetField(fieldName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{typeName}.{fieldName} not found");
        return field.GetValue(null);
    }
}
