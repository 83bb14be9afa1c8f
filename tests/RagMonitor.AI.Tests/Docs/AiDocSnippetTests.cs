using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace RagMonitor.AI.Tests.Docs;

/// <summary>docs/ai.md and the README show code that compiles (it lives in <see cref="AiDocSnippets"/>) and works.</summary>
public sealed class AiDocSnippetTests
{
    private static readonly Regex s_region = new(@"^[ \t]*// snippet: (?<name>[\w-]+)[ \t]*\r?\n(?<code>.*?)^[ \t]*// end snippet", RegexOptions.Singleline | RegexOptions.Multiline);

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    private static string RepositoryRoot => Path.GetFullPath(Path.Combine(SourceDirectory(), "..", "..", ".."));

    private static string Read(params string[] path) => File.ReadAllText(Path.Combine(new[] { RepositoryRoot }.Concat(path).ToArray())).Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string? DocBlock(string doc, string name)
    {
        var match = Regex.Match(doc, @"<!-- snippet: " + Regex.Escape(name) + @" -->\s*\n```\w*\n(?<code>.*?)\n```", RegexOptions.Singleline);
        return match.Success ? match.Groups["code"].Value : null;
    }

    private static string Dedent(string code)
    {
        var lines = code.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n', ' ').Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l.Substring(indent) : l.TrimStart()));
    }

    private static string Region(string name)
    {
        var source = File.ReadAllText(Path.Combine(SourceDirectory(), "AiDocSnippets.cs"));
        return Dedent(s_region.Matches(source).Single(m => m.Groups["name"].Value == name).Groups["code"].Value);
    }

    public static IEnumerable<object[]> Snippets()
    {
        var source = File.ReadAllText(Path.Combine(SourceDirectory(), "AiDocSnippets.cs"));
        return s_region.Matches(source).Select(m => new object[] { m.Groups["name"].Value });
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Each_snippet_appears_verbatim_in_docs_ai_md(string name)
    {
        var block = DocBlock(Read("docs", "ai.md"), name);
        Assert.NotNull(block);
        Assert.Equal(Region(name), Dedent(block!));
        if (DocBlock(Read("README.md"), name) is { } readmeBlock)
        {
            Assert.Equal(Region(name), Dedent(readmeBlock));
        }
    }

    [Fact]
    public void The_readme_section_shows_the_compiled_quick_start()
    {
        var readme = Read("README.md");
        Assert.Contains("## LLM and embedding calls (Microsoft.Extensions.AI)", readme, StringComparison.Ordinal);
        Assert.True(readme.IndexOf("## OpenTelemetry", StringComparison.Ordinal) < readme.IndexOf("## LLM and embedding calls", StringComparison.Ordinal));
        Assert.Equal(Region("ai-quickstart"), Dedent(DocBlock(readme, "ai-quickstart")!));
    }

    [Fact]
    public async Task The_quick_start_records_both_stages_of_the_request()
    {
        using var monitor = TestMonitors.Create();
        RequestSummary? summary = null;
        monitor.RequestCompleted += (_, s) => summary = s;

        var answer = await AiDocSnippets.QuickStart(monitor, new FakeChatClient { Latency = TimeSpan.Zero }, new FakeEmbeddingGenerator { Latency = TimeSpan.Zero });

        Assert.Equal("Retrieval augmented generation.", answer);
        Assert.Equal(new[] { "embedding", "generation" }, summary!.Stages.Select(s => s.Name).ToArray());
        Assert.NotNull(TestMonitors.Metadata(summary.Stages[1], "time_to_first_token_ms"));
    }

    [Fact]
    public async Task The_options_snippet_names_the_stage()
    {
        using var monitor = TestMonitors.Create();
        var chat = AiDocSnippets.Configured(monitor, new FakeChatClient { Latency = TimeSpan.Zero });

        var summary = await TestMonitors.InRequest(monitor, () => chat.GetResponseAsync("q"));

        Assert.Equal("answer_generation", summary.Stages[0].Name);
        Assert.Null(TestMonitors.Metadata(summary.Stages[0], "prompt"));
    }

    [Fact]
    public void The_hosting_snippet_wires_the_registered_monitor()
    {
        using var host = AiDocSnippets.Hosted(Array.Empty<string>(), new FakeChatClient(), new FakeEmbeddingGenerator());
        var monitor = host.Services.GetRequiredService<PerformanceMonitor>();

        Assert.Same(monitor, host.Services.GetRequiredService<IChatClient>().GetService<MonitoredChatClient>()!.Monitor);
        Assert.Same(monitor, host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>().GetService<MonitoredEmbeddingGenerator<string, Embedding<float>>>()!.Monitor);
    }
}
