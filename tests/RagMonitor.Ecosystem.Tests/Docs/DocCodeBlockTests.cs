// Every ```csharp block in README.md and docs/*.md compiles as shown. The rule for whoever writes docs:
//
//  * A ```csharp block is one whole C# file, as a reader would paste it into a new console app (`dotnet new console`,
//    which has implicit usings for System, System.Collections.Generic, System.IO, System.Linq, System.Net.Http,
//    System.Threading and System.Threading.Tasks): every other `using` it needs is written in the block
//    (`using RagMonitor;` …). Statements at the top level are fine (the block is then the program's Main); so are
//    types, and partial methods with [Stage]/[MonitoredRequest] — the RagMonitor generator runs on the block.
//    It is compiled against .NET 10 and the RagMonitor assemblies (core, Logs, Hosting, OpenTelemetry, AI)
//    (and what this test project references: OpenTelemetry, Microsoft.Extensions.Hosting); any error fails the test.
//  * A block that is deliberately an excerpt (`{ ... }` bodies, a diagnostic shown on purpose, a fragment of a
//    class, a variable from an earlier block) has the line
//        <!-- snippet: partial -->
//    right above its ``` fence (above a `<!-- snippet: NAME -->` line if it has one). Such a block is not compiled; the test checks what it can: that it is lexically
//    C# (no unterminated strings or comments, no stray characters) and that its brackets balance.
//  * `<!-- snippet: NAME -->` above a block names it (DocSnippetTests compares named blocks with DocSnippets.cs);
//    a named block is compiled like any other.
//  * Other fences (```bash, ```json, ```text, plain ```) are not checked here.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RagMonitor.Ecosystem.Tests.Docs;

/// <summary>Compiles every <c>```csharp</c> block of README.md and docs/*.md (see the rule at the top of this file).</summary>
public sealed class DocCodeBlockTests
{
    /// <summary>The marker, on the line above a block's fence, of a block that is an excerpt and is not compiled.</summary>
    public const string PartialMarker = "<!-- snippet: partial -->";

    /// <summary>The global usings of a new console app (ImplicitUsings in `dotnet new console`).</summary>
    private const string ConsoleImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    private static readonly Regex s_fence = new(@"^(?<indent>[ \t]*)```(?<lang>[\w+-]*)[ \t]*\n(?<code>.*?)^\k<indent>```[ \t]*$", RegexOptions.Singleline | RegexOptions.Multiline);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    private static string RepositoryRoot => Path.GetFullPath(Path.Combine(SourceDirectory(), "..", "..", ".."));

    /// <summary>Every C# block: (file relative to the repository, 1-based line of its fence, whether it is marked partial).</summary>
    public static TheoryData<string, int, bool> CSharpBlocks()
    {
        var data = new TheoryData<string, int, bool>();
        foreach (CodeBlock block in ReadBlocks())
        {
            data.Add(block.File, block.Line, block.IsPartial);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CSharpBlocks))]
    public void Each_csharp_block_compiles_as_shown_or_is_marked_partial(string file, int line, bool isPartial)
    {
        CodeBlock block = ReadBlocks().Single(b => b.File == file && b.Line == line);
        Assert.Equal(isPartial, block.IsPartial);
        if (block.IsPartial)
        {
            CheckLexically(block);
            return;
        }

        IReadOnlyList<string> errors = Compile(block.Code);
        Assert.True(errors.Count == 0, $"{file}:{line}: the ```csharp block does not compile as shown (add its usings, or mark an excerpt with {PartialMarker} on the line above the fence):\n{string.Join("\n", errors)}\n--- block ---\n{block.Code}");
    }

    [Fact]
    public void There_are_csharp_blocks_to_check_in_the_readme_and_the_docs()
    {
        List<CodeBlock> blocks = ReadBlocks().ToList();
        Assert.Contains(blocks, b => b.File == "README.md" && !b.IsPartial);
        Assert.True(blocks.Count(b => !b.IsPartial) >= 8, "expected the docs' C# blocks to be found: " + blocks.Count);
    }

    [Fact]
    public void The_compiler_check_finds_a_missing_using_and_runs_the_generator()
    {
        // A block that forgot `using RagMonitor;` fails, as it would in a reader's new console app.
        Assert.Contains(Compile("public sealed partial class P { [Stage(\"retrieval\")] private partial int Retrieve(); private int RetrieveCore() => 1; }"), e => e.Contains("CS0246", StringComparison.Ordinal));
        // With it, the partial method compiles only because the generator implements it.
        Assert.Empty(Compile("using RagMonitor;\npublic sealed partial class P { [Stage(\"retrieval\")] private partial int Retrieve(); private int RetrieveCore() => 1; }"));
    }

    [Fact]
    public void The_excerpt_check_accepts_placeholders_and_finds_broken_text()
    {
        Assert.Empty(LexicalProblems("public partial Task<string> AskAsync(string q);\nprivate async Task<string> AskAsyncCore(string q) { ... }   // RMON003"));
        Assert.NotEmpty(LexicalProblems("var s = \"unterminated;\n"));
        Assert.NotEmpty(LexicalProblems("void M() { if (x) { }"));
        Assert.NotEmpty(LexicalProblems("var a = (1 + 2]);"));
    }

    private sealed record CodeBlock(string File, int Line, string Code, bool IsPartial);

    private static IEnumerable<CodeBlock> ReadBlocks()
    {
        var files = new List<string> { Path.Combine(RepositoryRoot, "README.md") };
        files.AddRange(Directory.GetFiles(Path.Combine(RepositoryRoot, "docs"), "*.md").OrderBy(f => f, StringComparer.Ordinal));
        foreach (string path in files)
        {
            string text = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
            string relative = Path.GetRelativePath(RepositoryRoot, path).Replace('\\', '/');
            foreach (Match match in s_fence.Matches(text))
            {
                if (!string.Equals(match.Groups["lang"].Value, "csharp", StringComparison.OrdinalIgnoreCase)
                    && !string.Equals(match.Groups["lang"].Value, "cs", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                int line = text.AsSpan(0, match.Index).Count('\n') + 1;
                // The HTML comments on the lines right above the fence (a name marker and the partial marker may both be there).
                var markers = new List<string>();
                string before = text[..match.Index].TrimEnd();
                while (before.Length > 0)
                {
                    string previousLine = before[(before.LastIndexOf('\n') + 1)..].Trim();
                    if (!previousLine.StartsWith("<!--", StringComparison.Ordinal))
                    {
                        break;
                    }

                    markers.Add(previousLine);
                    before = before[..Math.Max(0, before.LastIndexOf('\n'))].TrimEnd();
                }
                string indent = match.Groups["indent"].Value;
                string code = string.Join("\n", match.Groups["code"].Value.TrimEnd('\n').Split('\n')
                    .Select(l => l.StartsWith(indent, StringComparison.Ordinal) ? l[indent.Length..] : l.TrimStart()));
                yield return new CodeBlock(relative, line, code, markers.Contains(PartialMarker));
            }
        }
    }

    /// <summary>Compiler errors that mean the text is not C# at the level of its characters (whatever the code means).</summary>
    private static readonly HashSet<string> s_lexicalErrors = new(StringComparer.Ordinal)
    {
        "CS1010", // newline in constant
        "CS1011", // empty character literal
        "CS1012", // too many characters in character literal
        "CS1035", // end-of-file found, '*/' expected
        "CS1039", // unterminated string literal
        "CS1056", // unexpected character
        "CS8997", // unterminated raw string literal
    };

    private static void CheckLexically(CodeBlock block)
    {
        List<string> problems = LexicalProblems(block.Code);
        Assert.True(problems.Count == 0, $"{block.File}:{block.Line}: the block marked {PartialMarker} is not even lexically C#:\n{string.Join("\n", problems)}\n--- block ---\n{block.Code}");
    }

    private static List<string> LexicalProblems(string code)
    {
        var problems = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest)).GetDiagnostics()
            .Where(d => s_lexicalErrors.Contains(d.Id))
            .Select(d => d.ToString())
            .ToList();
        var open = new Stack<char>();
        foreach (SyntaxToken token in SyntaxFactory.ParseTokens(code))
        {
            string text = token.Text;
            if (text is "(" or "[" or "{")
            {
                open.Push(text[0]);
            }
            else if (text is ")" or "]" or "}")
            {
                char expected = text == ")" ? '(' : text == "]" ? '[' : '{';
                if (open.Count == 0 || open.Pop() != expected)
                {
                    problems.Add($"unbalanced '{text}' at offset {token.SpanStart}");
                }
            }
        }

        if (open.Count > 0)
        {
            problems.Add($"{open.Count} bracket(s) not closed: {string.Join(" ", open)}");
        }

        return problems;
    }

    /// <summary>Compiles one block as a file of a new console app, with the RagMonitor generator; returns the errors.</summary>
    private static IReadOnlyList<string> Compile(string code)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        SyntaxTree tree = CSharpSyntaxTree.ParseText(code, parse, path: "Snippet.cs");
        SyntaxTree usings = CSharpSyntaxTree.ParseText(ConsoleImplicitUsings, parse, path: "GlobalUsings.g.cs");
        bool isProgram = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        var options = new CSharpCompilationOptions(isProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);
        var compilation = CSharpCompilation.Create("Snippet", new[] { tree, usings }, s_references.Value, options);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new RagMonitor.Generators.Generator.MonitorGenerator().AsSourceGenerator() }, parseOptions: parse);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation generated, out ImmutableArray<Diagnostic> generatorDiagnostics);
        return generatorDiagnostics.Concat(generated.GetDiagnostics())
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => d.ToString())
            .ToList();
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var references = new List<MetadataReference>(Basic.Reference.Assemblies.Net100.References.All);
        // The libraries a reader of the docs installs (RagMonitor and its companions, OpenTelemetry, Microsoft.Extensions.*),
        // as built for this test; the .NET libraries themselves come from the reference assemblies above.
        foreach (string dll in Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
        {
            string name = Path.GetFileNameWithoutExtension(dll);
            if (name.StartsWith("RagMonitor", StringComparison.Ordinal) && !name.Contains("Tests", StringComparison.Ordinal) && !name.Contains("Generators", StringComparison.Ordinal)
                || name.StartsWith("OpenTelemetry", StringComparison.Ordinal)
                || name.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal))
            {
                references.Add(MetadataReference.CreateFromFile(dll));
            }
        }

        return references.ToImmutableArray();
    }
}
