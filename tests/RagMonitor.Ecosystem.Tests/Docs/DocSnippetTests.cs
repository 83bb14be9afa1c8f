using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RagMonitor.Hosting;

namespace RagMonitor.Ecosystem.Tests.Docs;

/// <summary>The docs show code that compiles (it lives in <see cref="DocSnippets"/>) and settings that bind.</summary>
public sealed class DocSnippetTests
{
    private static readonly Regex s_region = new(@"^[ \t]*// snippet: (?<name>[\w-]+)[ \t]*\r?\n(?<code>.*?)^[ \t]*// end snippet", RegexOptions.Singleline | RegexOptions.Multiline);

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    private static string RepositoryRoot => Path.GetFullPath(Path.Combine(SourceDirectory(), "..", "..", ".."));

    private static string ReadReadme() => File.ReadAllText(Path.Combine(RepositoryRoot, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string ReadDoc(string name) => File.ReadAllText(Path.Combine(RepositoryRoot, "docs", name)).Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>The fenced block that follows <c>&lt;!-- snippet: NAME --&gt;</c> in a doc.</summary>
    internal static string? DocBlock(string doc, string name)
    {
        var match = Regex.Match(doc, @"<!-- snippet: " + Regex.Escape(name) + @" -->\s*\n```\w*\n(?<code>.*?)\n```", RegexOptions.Singleline);
        return match.Success ? match.Groups["code"].Value : null;
    }

    /// <summary>The block without its leading <c>using</c> directives (a doc shows them so that the block compiles as shown; DocSnippets.cs has them at its top).</summary>
    private static string WithoutUsings(string code)
    {
        var lines = code.Split('\n').ToList();
        while (lines.Count > 0 && (lines[0].StartsWith("using ", StringComparison.Ordinal) && lines[0].TrimEnd().EndsWith(';') && !lines[0].Contains('(', StringComparison.Ordinal) || lines[0].Trim().Length == 0))
        {
            lines.RemoveAt(0);
        }

        return string.Join("\n", lines);
    }

    private static string Dedent(string code)
    {
        var lines = code.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n', ' ').Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l.Substring(indent) : l.TrimStart()));
    }

    public static IEnumerable<object[]> Snippets()
    {
        var source = File.ReadAllText(Path.Combine(SourceDirectory(), "DocSnippets.cs"));
        foreach (Match match in s_region.Matches(source))
        {
            yield return new object[] { match.Groups["name"].Value };
        }
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Each_snippet_appears_verbatim_in_a_doc(string name)
    {
        var source = File.ReadAllText(Path.Combine(SourceDirectory(), "DocSnippets.cs"));
        var code = Dedent(s_region.Matches(source).Single(m => m.Groups["name"].Value == name).Groups["code"].Value);
        var blocks = new[] { "opentelemetry.md", "hosting.md" }.Select(d => DocBlock(ReadDoc(d), name)).Where(b => b is not null).ToList();
        var block = Assert.Single(blocks);
        Assert.Equal(code, WithoutUsings(Dedent(block!)));

        // The README repeats some snippets: where it does, it must show the same compiled code.
        if (DocBlock(ReadReadme(), name) is { } readmeBlock)
        {
            Assert.Equal(code, WithoutUsings(Dedent(readmeBlock)));
        }
    }

    [Theory]
    [InlineData("otel-sdk")]
    [InlineData("otel-hosting")]
    [InlineData("prometheus-endpoint")]
    [InlineData("hosting")]
    [InlineData("appsettings")]
    public void The_readme_sections_show_the_compiled_snippets(string name)
    {
        var readmeBlock = DocBlock(ReadReadme(), name);
        Assert.NotNull(readmeBlock);
        var docBlock = new[] { "opentelemetry.md", "hosting.md" }.Select(d => DocBlock(ReadDoc(d), name)).Single(b => b is not null);
        Assert.Equal(Dedent(docBlock!), Dedent(readmeBlock!));   // usings included
    }

    [Fact]
    public void The_appsettings_example_in_the_docs_binds()
    {
        var json = DocBlock(ReadDoc("hosting.md"), "appsettings");
        Assert.NotNull(json);
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json!))).Build();
        var services = new ServiceCollection();
        services.AddRagMonitor(configuration.GetSection("RagMonitor"), o => o.WriteLogs = false);
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<PerformanceMonitor>().Options;

        Assert.Equal("./logs/performance", options.LogDirectory);
        Assert.Equal(0.3, options.BottleneckShareThreshold);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.StageDurationThresholds["retrieval"]);
        Assert.Equal(TimeSpan.FromSeconds(8), options.StageDurationThresholds["generation"]);
        Assert.Equal(TimeSpan.FromSeconds(10), options.SlowRequestThreshold);
        Assert.Equal(30, options.RetentionDays);
        Assert.Equal(7, options.ArchiveAfterDays);
        Assert.Equal(65536, options.QueueCapacity);
        Assert.True(options.MeasureResources);
    }
}
