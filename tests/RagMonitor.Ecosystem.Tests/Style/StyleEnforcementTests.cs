using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace RagMonitor.Ecosystem.Tests.Style;

/// <summary>
/// The team's style (the root <c>.editorconfig</c>) is enforced by the build, not only shown in the IDE: a real
/// <c>dotnet build</c> of a small project inside the repository (so it picks up the root <c>.editorconfig</c>,
/// <c>Directory.Build.props</c> and <c>Directory.Build.targets</c>, as every project here does) fails on each agreed rule
/// and on nothing else.
/// </summary>
public sealed class StyleEnforcementTests
{
    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    private static string ProjectDirectory => Path.GetFullPath(Path.Combine(SourceDirectory(), ".."));

    /// <summary>Follows every rule: the build must not report anything in this file.</summary>
    private const string CompliantFile = """
        using System.Text;

        namespace Probe;

        /// <summary>Follows the style.</summary>
        public sealed class Compliant
        {
            private const int MaxItems = 3;
            private static readonly string s_prefix = "p";
            private readonly StringBuilder _text = new();

            /// <summary>Adds a value.</summary>
            public string Add(int value)
            {
                if (value > MaxItems)
                {
                    return s_prefix;
                }

                return _text.Append(value).ToString();
            }
        }
        """;

    /// <summary>Breaks one rule per marked line (<c>// expect IDEnnnn</c>).</summary>
    private const string ViolatingFile = """
        using System.Text; // expect IDE0005
        using System;

        namespace Probe // expect IDE0161
        {
            /// <summary>Breaks the style.</summary>
            public sealed class Violating
            {
                private static int Counter; // expect IDE1006
                private int count; // expect IDE1006
                private int _never = 1; // expect IDE0044
                int _noModifier; // expect IDE0040
                static private int s_order; // expect IDE0036

                /// <summary>Reads the fields.</summary>
                public int Read(int value)
                {
                    if (value > 0) return Counter + count + _never + _noModifier + s_order; // expect IDE0011
                    count = value;
                    _noModifier = value;
                    s_order = value;
                    Counter = Math.Abs(value);
                    return 0;
                }
            }
        }
        """;

    [Fact]
    public void A_real_build_fails_on_each_agreed_style_rule_and_only_there()
    {
        // Under obj/ (ignored by git and by this project's own globs) but inside the repository, so that the
        // repository's .editorconfig and Directory.Build.* apply to the probe as they apply to every project here.
        var directory = Path.Combine(ProjectDirectory, "obj", "style-probe-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllText(Path.Combine(directory, "Probe.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                  </PropertyGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(directory, "Compliant.cs"), CompliantFile);
            File.WriteAllText(Path.Combine(directory, "Violating.cs"), ViolatingFile);

            var (exitCode, log) = Build(directory);

            var reported = Regex.Matches(log, @"(?<file>\w+)\.cs\((?<line>\d+),\d+\): error (?<id>[A-Z]+\d+)")
                .Select(m => (File: m.Groups["file"].Value, Line: int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), Id: m.Groups["id"].Value))
                .Distinct()
                .OrderBy(d => d.Line)
                .ThenBy(d => d.Id, StringComparer.Ordinal)
                .ToList();
            var expected = Expected(ViolatingFile);

            Assert.True(exitCode != 0, "The build should fail on the style violations.\n" + log);
            Assert.DoesNotContain(reported, d => d.File != "Violating");
            Assert.Equal(expected, reported.Select(d => (d.Line, d.Id)).ToList());
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left under obj/; a clean removes it.
            }
        }
    }

    /// <summary>The (line, id) pairs that the file's <c>// expect</c> comments name, in line order.</summary>
    private static List<(int Line, string Id)> Expected(string source)
    {
        var lines = source.Split('\n');
        var expected = new List<(int Line, string Id)>();
        for (var i = 0; i < lines.Length; i++)
        {
            var match = Regex.Match(lines[i], @"// expect (?<id>IDE\d+)");
            if (match.Success)
            {
                expected.Add((i + 1, match.Groups["id"].Value));
            }
        }

        return expected;
    }

    private static (int ExitCode, string Log) Build(string directory)
    {
        var start = new ProcessStartInfo("dotnet", "build Probe.csproj -nologo -clp:NoSummary -v:q -nodeReuse:false")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(600_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet build of the style probe did not finish in 10 minutes");
        }

        return (process.ExitCode, output.Result + error.Result);
    }
}
