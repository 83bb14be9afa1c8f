using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using RagMonitor.Generators.Diagnostics;

namespace RagMonitor.Generators.Tests.Naming;

/// <summary>Every diagnostic has a page in docs/diagnostics with the four sections, and a help link to it.</summary>
public sealed class DiagnosticDocumentationTests
{
    private static readonly DiagnosticDescriptor[] s_descriptors = typeof(DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .OrderBy(d => d.Id, StringComparer.Ordinal)
        .ToArray();

    [Fact]
    public void Ids_are_RMON001_to_RMON013_without_gaps()
    {
        Assert.Equal(Enumerable.Range(1, 13).Select(i => $"RMON{i:D3}"), s_descriptors.Select(d => d.Id));
    }

    [Fact]
    public void Every_diagnostic_has_a_complete_page_and_a_help_link_to_it()
    {
        var directory = Path.Combine(RepositoryRoot(), "docs", "diagnostics");
        var readme = File.ReadAllText(Path.Combine(directory, "README.md"));
        foreach (var descriptor in s_descriptors)
        {
            var page = Path.Combine(directory, descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"{page} is missing");
            var text = File.ReadAllText(page);
            Assert.StartsWith($"# {descriptor.Id}: {descriptor.Title}", text, StringComparison.Ordinal);
            foreach (var section in new[] { "## What triggers it", "## Example", "## How to fix it", "## Configure or suppress" })
            {
                Assert.True(text.Contains(section, StringComparison.Ordinal), $"{descriptor.Id}.md has no '{section}'");
            }

            Assert.EndsWith($"/docs/diagnostics/{descriptor.Id}.md", descriptor.HelpLinkUri, StringComparison.Ordinal);
            Assert.True(readme.Contains($"[{descriptor.Id}]({descriptor.Id}.md)", StringComparison.Ordinal), $"README.md does not list {descriptor.Id}");
            Assert.True(readme.Contains($"// {descriptor.Id}: ", StringComparison.Ordinal), $"README.md has no example of {descriptor.Id}");
        }
    }

    [Fact]
    public void Naming_warnings_compared_across_the_compilation_are_tagged_compilation_end()
    {
        foreach (var descriptor in s_descriptors)
        {
            var compilationEnd = descriptor.CustomTags.Contains(WellKnownDiagnosticTags.CompilationEnd);
            Assert.Equal(descriptor.Id is "RMON009" or "RMON010", compilationEnd);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Generators.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Generators.sln not found above " + AppContext.BaseDirectory);
    }
}
