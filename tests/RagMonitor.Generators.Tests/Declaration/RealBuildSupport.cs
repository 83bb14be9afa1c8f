using System;
using System.Diagnostics;
using System.IO;

namespace RagMonitor.Generators.Tests.Declaration;

/// <summary>
/// What the tests that run a real <c>dotnet build</c> share: a directory cut off from the repository's MSBuild files,
/// a project that loads RagMonitor and its generator the way the package gives them to the compiler (the assemblies this
/// test project was built with), and running <c>dotnet</c>.
/// </summary>
internal static class RealBuildSupport
{
    /// <summary>Empty Directory.Build.* files, so that the repository's own settings do not reach the test projects.</summary>
    public static void IsolateFromRepository(string root)
    {
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(root, "Directory.Packages.props"), "<Project />");
    }

    /// <summary>A net10.0 project (nullable, warnings as errors) referencing RagMonitor with its generator and analyzers.</summary>
    public static string ProjectFile(string outputType = "Library")
    {
        var binaries = AppContext.BaseDirectory;
        return $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>{outputType}</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <ImplicitUsings>disable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <Reference Include="{Path.Combine(binaries, "RagMonitor.dll")}" />
                <Reference Include="{Path.Combine(binaries, "Microsoft.Extensions.Logging.Abstractions.dll")}" />
                <Analyzer Include="{Path.Combine(binaries, "RagMonitor.Generators.dll")}" />
              </ItemGroup>
            </Project>
            """;
    }

    /// <summary>Runs <c>dotnet <paramref name="arguments"/></c> (no MSBuild node reuse) and returns its exit code and output.</summary>
    public static (int ExitCode, string Output) RunDotnet(string workingDirectory, string arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {arguments} did not finish in {timeout}");
        }

        return (process.ExitCode, output.Result + error.Result);
    }
}
