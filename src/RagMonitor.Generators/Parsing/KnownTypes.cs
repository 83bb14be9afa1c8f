using System.Collections.Concurrent;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace RagMonitor.Generators.Parsing;

/// <summary>The symbols the classifier compares against, looked up once per compilation (analyzer and generator).</summary>
internal sealed class KnownTypes
{
    /// <summary>
    /// The generator's transform runs once per attributed method on every compilation change; looking the ~20 types
    /// up each time cost more than the rest of the classification (issue 14), so each compilation's are kept here
    /// while the compilation is alive.
    /// </summary>
    private static readonly ConditionalWeakTable<Compilation, LookupResult> s_perCompilation = new();

    public const string StageAttributeName = "RagMonitor.StageAttribute";
    public const string MonitoredRequestAttributeName = "RagMonitor.MonitoredRequestAttribute";
    public const string RequestIdAttributeName = "RagMonitor.RequestIdAttribute";
    public const string StageMetadataAttributeName = "RagMonitor.StageMetadataAttribute";
    public const string PerformanceMonitorName = "RagMonitor.PerformanceMonitor";
    public const string MetadataValueName = "RagMonitor.MetadataValue";

    /// <summary>The tool name written into <c>[GeneratedCode]</c> on every generated member.</summary>
    public const string GeneratorToolName = "RagMonitor.Generators";

    private readonly ConcurrentDictionary<ITypeSymbol, string> _fullNames = new(SymbolEqualityComparer.IncludeNullability);

    private KnownTypes(Compilation compilation, INamedTypeSymbol stage, INamedTypeSymbol request, INamedTypeSymbol monitor)
    {
        StageAttribute = stage;
        MonitoredRequestAttribute = request;
        PerformanceMonitor = monitor;
        RequestIdAttribute = compilation.GetTypeByMetadataName(RequestIdAttributeName);
        StageMetadataAttribute = compilation.GetTypeByMetadataName(StageMetadataAttributeName);
        MetadataValue = compilation.GetTypeByMetadataName(MetadataValueName);
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        AsyncEnumerableOfT = compilation.GetTypeByMetadataName("System.Collections.Generic.IAsyncEnumerable`1");
        CollectionOfT = compilation.GetTypeByMetadataName("System.Collections.Generic.ICollection`1");
        ReadOnlyCollectionOfT = compilation.GetTypeByMetadataName("System.Collections.Generic.IReadOnlyCollection`1");
        Collection = compilation.GetTypeByMetadataName("System.Collections.ICollection");
        GeneratedCodeAttribute = compilation.GetTypeByMetadataName("System.CodeDom.Compiler.GeneratedCodeAttribute");
        Enumerable = compilation.GetTypeByMetadataName("System.Collections.IEnumerable");
        EnumerableOfT = compilation.GetTypeByMetadataName("System.Collections.Generic.IEnumerable`1");
        Enumerator = compilation.GetTypeByMetadataName("System.Collections.IEnumerator");
        EnumeratorOfT = compilation.GetTypeByMetadataName("System.Collections.Generic.IEnumerator`1");
    }

    public INamedTypeSymbol StageAttribute { get; }

    public INamedTypeSymbol MonitoredRequestAttribute { get; }

    public INamedTypeSymbol PerformanceMonitor { get; }

    public INamedTypeSymbol? RequestIdAttribute { get; }

    public INamedTypeSymbol? StageMetadataAttribute { get; }

    public INamedTypeSymbol? MetadataValue { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? TaskOfT { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? ValueTaskOfT { get; }

    public INamedTypeSymbol? AsyncEnumerableOfT { get; }

    public INamedTypeSymbol? CollectionOfT { get; }

    public INamedTypeSymbol? ReadOnlyCollectionOfT { get; }

    public INamedTypeSymbol? Collection { get; }

    public INamedTypeSymbol? GeneratedCodeAttribute { get; }

    public INamedTypeSymbol? Enumerable { get; }

    public INamedTypeSymbol? EnumerableOfT { get; }

    public INamedTypeSymbol? Enumerator { get; }

    public INamedTypeSymbol? EnumeratorOfT { get; }

    /// <summary>
    /// <paramref name="type"/> as <see cref="SymbolText.Full"/> writes it. The generator classifies every method again
    /// on each compilation change and writes the same few types (<c>string</c>, <c>Task&lt;string&gt;</c>, ...)
    /// thousands of times, which cost about as much as binding the methods' attributes (issue 14); so the strings are
    /// kept with this compilation's known types, keyed by the type with nullability, tuple names and all (types equal
    /// that way display the same).
    /// </summary>
    public string FullName(ITypeSymbol type)
    {
        if (!_fullNames.TryGetValue(type, out var text))
        {
            text = SymbolText.Full(type);
            _fullNames.TryAdd(type, text);
        }

        return text;
    }

    /// <summary>Whether <paramref name="type"/> is one of the lazy sequence interfaces: <c>IEnumerable</c>, <c>IEnumerable&lt;T&gt;</c>, <c>IEnumerator</c>, <c>IEnumerator&lt;T&gt;</c>.</summary>
    public bool IsSequenceInterface(ITypeSymbol type) =>
        Is(type, Enumerable) || Is(type, EnumerableOfT) || Is(type, Enumerator) || Is(type, EnumeratorOfT);

    /// <summary>Whether <paramref name="type"/> is or implements <c>IEnumerable</c> (strings excluded).</summary>
    public bool IsEnumerable(ITypeSymbol type) =>
        type.SpecialType != SpecialType.System_String
        && (Is(type, Enumerable) || Is(type, EnumerableOfT) || type.AllInterfaces.Any(i => Is(i, Enumerable)));

    /// <summary>
    /// The known types of <paramref name="compilation"/>, looked up on the first call for that compilation and
    /// shared by later calls; <see langword="null"/> when the compilation does not reference RagMonitor.
    /// </summary>
    public static KnownTypes? For(Compilation compilation) =>
        s_perCompilation.GetValue(compilation, static c => new LookupResult(Create(c))).Known;

    /// <summary>The known types, or <see langword="null"/> when the compilation does not reference RagMonitor.</summary>
    public static KnownTypes? Create(Compilation compilation)
    {
        var stage = compilation.GetTypeByMetadataName(StageAttributeName);
        var request = compilation.GetTypeByMetadataName(MonitoredRequestAttributeName);
        var monitor = compilation.GetTypeByMetadataName(PerformanceMonitorName);
        return stage is null || request is null || monitor is null ? null : new KnownTypes(compilation, stage, request, monitor);
    }

    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known) =>
        type is not null && known is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, known);

    /// <summary>One compilation's lookup, kept also when it found nothing.</summary>
    private sealed class LookupResult
    {
        public LookupResult(KnownTypes? known)
        {
            Known = known;
        }

        public KnownTypes? Known { get; }
    }
}
