using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using RagMonitor.Generators.Analyzers.Naming;
using RagMonitor.Generators.Generator;

namespace RagMonitor.Generators.Tests.AnalyzerTesting;

/// <summary>
/// An analyzer test of <see cref="StageNameAnalyzer"/> with the offline references, an optional
/// <c>.editorconfig</c> and an optional <c>stages.txt</c>.
/// </summary>
internal sealed class NamingTest : CSharpAnalyzerTest<StageNameAnalyzer, DefaultVerifier>
{
    public NamingTest(params string[] sources)
    {
        AnalyzerTestReferences.Apply(this);
        foreach (var source in sources)
        {
            TestState.Sources.Add(source);
        }
    }

    /// <summary>Adds <c>/.editorconfig</c> with a <c>[*.cs]</c> section holding <paramref name="lines"/>.</summary>
    public NamingTest WithEditorConfig(params string[] lines)
    {
        TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + string.Join("\n", lines) + "\n"));
        return this;
    }

    /// <summary>Sets the stage naming style.</summary>
    public NamingTest WithStyle(string style) => WithEditorConfig("ragmonitor.stage_name_style = " + style);

    /// <summary>Adds an additional file named <c>stages.txt</c>.</summary>
    public NamingTest WithStagesFile(string text, string path = "/stages.txt")
    {
        TestState.AdditionalFiles.Add((path, text));
        return this;
    }

    /// <summary>Whether the RagMonitor generator runs too (its output is not compared here).</summary>
    public bool RunGenerator { get; set; }

    /// <summary>Runs the RagMonitor generator as part of the test, as a real build does.</summary>
    public NamingTest WithGenerator()
    {
        RunGenerator = true;
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        return this;
    }

    /// <inheritdoc />
    protected override IEnumerable<Type> GetSourceGenerators() =>
        RunGenerator ? new[] { typeof(MonitorGenerator) } : Array.Empty<Type>();

    /// <summary>Runs the test.</summary>
    public static Task VerifyAsync(params string[] sources) => new NamingTest(sources).RunAsync();
}
