using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace RagMonitor.Generators.Tests.AnalyzerTesting;

/// <summary>
/// References for analyzer and code-fix tests. The testing library's own reference-assembly sets
/// (<c>ReferenceAssemblies.Net.Net90</c> and later) download packages at test time, which does not work
/// offline; instead every test starts from an empty <see cref="ReferenceAssemblies"/> and adds the .NET 10
/// reference assemblies shipped inside Basic.Reference.Assemblies.Net100, plus RagMonitor.dll.
/// </summary>
internal static class AnalyzerTestReferences
{
    /// <summary>A reference-assembly set that resolves to nothing (and so needs no package download).</summary>
    public static ReferenceAssemblies None { get; } = new("net10.0");

    /// <summary>.NET 10 reference assemblies, RagMonitor.dll and its one dependency.</summary>
    public static IReadOnlyList<MetadataReference> All { get; } = Build();

    /// <summary>Sets up a test's references: no package resolution, and <see cref="All"/>.</summary>
    public static void Apply(AnalyzerTest<DefaultVerifier> test)
    {
        test.ReferenceAssemblies = None;
        test.TestState.AdditionalReferences.AddRange(All);
    }

    private static List<MetadataReference> Build()
    {
        var references = new List<MetadataReference>(Basic.Reference.Assemblies.Net100.References.All);
        references.Add(MetadataReference.CreateFromFile(typeof(RagMonitor.StageAttribute).Assembly.Location));
        references.Add(MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location));
        return references;
    }
}
