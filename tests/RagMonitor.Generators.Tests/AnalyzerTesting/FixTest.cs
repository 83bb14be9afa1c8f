using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using RagMonitor.Generators.Generator;

namespace RagMonitor.Generators.Tests.AnalyzerTesting;

/// <summary>
/// A code-fix test with the offline references. With <see cref="RunGenerator"/> the RagMonitor
/// generator runs too (its output is not compared here; the generator tests do that), so partial
/// methods get their implementations and fixed code must compile cleanly: a created Core method
/// that did not match what the generated wrapper calls would fail the test.
/// </summary>
internal sealed class FixTest<TAnalyzer, TFix> : CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TFix : CodeFixProvider, new()
{
    public FixTest(string source, string fixedSource, bool runGenerator = true)
    {
        AnalyzerTestReferences.Apply(this);
        RunGenerator = runGenerator;
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        TestCode = source;
        FixedCode = fixedSource;
    }

    /// <summary>Whether the RagMonitor generator runs on the test and fixed sources.</summary>
    public bool RunGenerator { get; set; }

    /// <summary>Adds <c>/.editorconfig</c> with a <c>[*.cs]</c> section holding <paramref name="lines"/>.</summary>
    public FixTest<TAnalyzer, TFix> WithEditorConfig(params string[] lines)
    {
        var text = "root = true\n\n[*.cs]\n" + string.Join("\n", lines) + "\n";
        TestState.AnalyzerConfigFiles.Add(("/.editorconfig", text));
        FixedState.AnalyzerConfigFiles.Add(("/.editorconfig", text));
        return this;
    }

    /// <inheritdoc />
    protected override IEnumerable<Type> GetSourceGenerators() =>
        RunGenerator ? new[] { typeof(MonitorGenerator) } : Array.Empty<Type>();
}
