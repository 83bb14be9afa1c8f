using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Threading.Tasks;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace RagMonitor.Packaging.Tests;

/// <summary>
/// Packs RagMonitor and RagMonitor.Logs from a clean copy of their sources (as a fresh clone would), then builds and runs
/// a new console project that takes the packages from a local folder feed, exactly as a user would: it writes a log
/// with the core package and reads it back with the reader package.
/// </summary>
public sealed class PackageConsumptionTests : PackagingTest
{
    public PackageConsumptionTests(ITestOutputHelper output)
        : base(output, "ragmonitor-pack-")
    {
    }

    private Task<string> Run(string workingDirectory, IDictionary<string, string>? environment, params string[] arguments)
        => CleanCheckout.Run(Output, workingDirectory, environment, arguments);

    [Fact]
    public async Task The_packed_package_works_in_a_fresh_console_project()
    {
        // 1. A clean copy of what packing RagMonitor needs (no bin/obj, no ProjectReference from the consumer).
        var source = Directory.CreateDirectory(Path.Combine(Root.FullName, "source")).FullName;
        CleanCheckout.CopySources(source, "RagMonitor", "RagMonitor.Generators", "RagMonitor.CodeFixes", "RagMonitor.Logs");

        // 2. Pack with a version used by no earlier run.
        var version = "0.1.0-pkgtest." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        var feed = Directory.CreateDirectory(Path.Combine(Root.FullName, "feed")).FullName;
        await Run(source, null, "pack", Path.Combine("src", "RagMonitor", "RagMonitor.csproj"), "-c", "Release", "-o", feed, "-p:Version=" + version);
        var package = Path.Combine(feed, $"RagMonitor.{version}.nupkg");
        Assert.True(File.Exists(package), "no package at " + package);
        CheckPackageLayout(package, version);
        await Run(source, null, "pack", Path.Combine("src", "RagMonitor.Logs", "RagMonitor.Logs.csproj"), "-c", "Release", "-o", feed, "-p:Version=" + version);
        var logsPackage = Path.Combine(feed, $"RagMonitor.Logs.{version}.nupkg");
        Assert.True(File.Exists(logsPackage), "no package at " + logsPackage);
        CheckLogsPackageLayout(logsPackage, version);

        // 3. A fresh console project taking the package from the local feed, with its own package folder.
        var app = Path.Combine(Root.FullName, "app");
        var isolated = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(Root.FullName, "packages") };
        await Run(Root.FullName, isolated, "new", "console", "-o", app, "-n", "PackConsumer", "--no-restore");
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <!-- The local feed only is added; the machine's default source stays in effect for dependencies. -->
              <packageSources>
                <add key="ragmonitor-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        await Run(app, isolated, "add", "package", "RagMonitor", "--version", version);
        await Run(app, isolated, "add", "package", "RagMonitor.Logs", "--version", version);
        var csproj = Path.Combine(app, "PackConsumer.csproj");
        var project = XDocument.Load(csproj);
        project.Root!.Element("PropertyGroup")!.Add(new XElement("TreatWarningsAsErrors", "true"), new XElement("Nullable", "enable"));
        project.Save(csproj);
        File.WriteAllText(Path.Combine(app, "Program.cs"), ConsumerProgram);

        await Run(app, isolated, "build", "-c", "Release", "-p:TreatWarningsAsErrors=true");
        var assets = File.ReadAllText(Path.Combine(app, "obj", "project.assets.json"));
        Assert.Contains($"RagMonitor/{version}", assets, StringComparison.Ordinal);
        Assert.Contains($"RagMonitor.Logs/{version}", assets, StringComparison.Ordinal);

        // 4. Run it and read what it wrote.
        var logs = Path.Combine(Root.FullName, "logs");
        var output = await Run(app, isolated, "run", "-c", "Release", "--no-build", "--", logs);
        Assert.Contains("answer: what is rag? (2 documents)", output, StringComparison.Ordinal);
        Assert.Contains("completed ask: retrieval,generation success", output, StringComparison.Ordinal);
        Assert.Contains("read back: ask retrieval,generation success, 0 lines skipped", output, StringComparison.Ordinal);

        var files = Directory.GetFiles(logs, "*_performance.jsonl");
        var file = Assert.Single(files);
        Assert.Matches(@"^\d{8}_", Path.GetFileName(file));
        var line = Assert.Single(File.ReadAllLines(file), l => l.Length > 0);
        using var record = JsonDocument.Parse(line);
        var root = record.RootElement;
        Assert.Equal("ask", root.GetProperty("request").GetString());
        Assert.Equal("success", root.GetProperty("status").GetString());
        Assert.True(root.GetProperty("total_time").GetDouble() > 0);
        var stages = root.GetProperty("stages");
        Assert.Equal(2, stages.GetProperty("retrieval").GetProperty("metadata").GetProperty("documents_retrieved").GetInt32());
        Assert.True(stages.GetProperty("generation").GetProperty("duration").GetDouble() >= 0.015);
    }

    private static void CheckPackageLayout(string package, string version)
    {
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        foreach (var expected in new[]
        {
            "lib/net8.0/RagMonitor.dll", "lib/net8.0/RagMonitor.xml",
            "lib/net10.0/RagMonitor.dll", "lib/net10.0/RagMonitor.xml",
            "analyzers/dotnet/cs/RagMonitor.Generators.dll", "analyzers/dotnet/cs/RagMonitor.CodeFixes.dll",
            "README.md",
        })
        {
            Assert.True(entries.Contains(expected), $"{expected} is missing from the package; it has: {string.Join(", ", entries.Order())}");
        }

        Assert.DoesNotContain(entries, e => e.StartsWith("lib/netstandard2.0/", StringComparison.Ordinal));
        using var nuspecStream = zip.Entries.Single(e => e.FullName == "RagMonitor.nuspec").Open();
        var nuspec = XDocument.Load(nuspecStream);
        XNamespace ns = nuspec.Root!.GetDefaultNamespace();
        var metadata = nuspec.Root!.Element(ns + "metadata")!;
        Assert.Equal(version, metadata.Element(ns + "version")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
        var dependencies = metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).Distinct().ToList();
        Assert.Equal(new[] { "Microsoft.Extensions.Logging.Abstractions" }, dependencies);

        // Log reading is the RagMonitor.Logs package's: the core assembly defines none of the reader's types.
        foreach (var framework in new[] { "net8.0", "net10.0" })
        {
            var types = TypeNames(zip, $"lib/{framework}/RagMonitor.dll");
            Assert.Contains("RagMonitor.PerformanceMonitor", types);
            Assert.Contains("RagMonitor.JsonlFieldNames", types);
            Assert.DoesNotContain(types, IsReaderType);
        }
    }

    private static void CheckLogsPackageLayout(string package, string version)
    {
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        foreach (var expected in new[]
        {
            "lib/net8.0/RagMonitor.Logs.dll", "lib/net8.0/RagMonitor.Logs.xml",
            "lib/net10.0/RagMonitor.Logs.dll", "lib/net10.0/RagMonitor.Logs.xml",
            "README.md",
        })
        {
            Assert.True(entries.Contains(expected), $"{expected} is missing from the package; it has: {string.Join(", ", entries.Order())}");
        }

        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal) || e.EndsWith("/RagMonitor.dll", StringComparison.Ordinal));
        using (var readme = new StreamReader(zip.GetEntry("README.md")!.Open()))
        {
            Assert.Contains("PerformanceLog.ReadAsync", readme.ReadToEnd(), StringComparison.Ordinal);
        }

        using var nuspecStream = zip.Entries.Single(e => e.FullName == "RagMonitor.Logs.nuspec").Open();
        var nuspec = XDocument.Load(nuspecStream);
        XNamespace ns = nuspec.Root!.GetDefaultNamespace();
        var metadata = nuspec.Root!.Element(ns + "metadata")!;
        Assert.Equal(version, metadata.Element(ns + "version")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
        Assert.Contains("JSONL", metadata.Element(ns + "description")!.Value, StringComparison.Ordinal);
        var dependencies = metadata.Descendants(ns + "dependency").Select(d => (Id: d.Attribute("id")!.Value, Version: d.Attribute("version")!.Value)).Distinct().ToList();
        Assert.Equal(new[] { ("RagMonitor", version) }, dependencies);
        foreach (var framework in new[] { "net8.0", "net10.0" })
        {
            var types = TypeNames(zip, $"lib/{framework}/RagMonitor.Logs.dll");
            Assert.Contains("RagMonitor.PerformanceLog", types);
            Assert.Contains("RagMonitor.PerformanceLogRecord", types);
        }
    }

    /// <summary>The public log-reading types (namespace RagMonitor), as they were in the core package before RagMonitor.Logs.</summary>
    private static bool IsReaderType(string fullName)
        => fullName.StartsWith("RagMonitor.PerformanceLog", StringComparison.Ordinal)
            || fullName is "RagMonitor.LogStageEntry" or "RagMonitor.LogBottleneckEntry" or "RagMonitor.LogStageRecord"
                or "RagMonitor.LogBottleneckRecord" or "RagMonitor.SkippedLogLine";

    /// <summary>The full names of the types an assembly in the package defines (read from its metadata, not loaded).</summary>
    private static List<string> TypeNames(ZipArchive zip, string entryName)
    {
        var entry = zip.GetEntry(entryName) ?? throw new InvalidOperationException(entryName + " is missing from the package");
        using var copy = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(copy);
        }

        copy.Position = 0;
        using var pe = new PEReader(copy);
        MetadataReader reader = pe.GetMetadataReader();
        return reader.TypeDefinitions.Select(handle => reader.GetTypeDefinition(handle))
            .Select(type => reader.GetString(type.Namespace) is { Length: > 0 } space ? space + "." + reader.GetString(type.Name) : reader.GetString(type.Name))
            .ToList();
    }

    private const string ConsumerProgram = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;
        using RagMonitor;

        var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { LogDirectory = args[0], AdaptiveBottlenecks = false });
        monitor.RequestCompleted += (_, summary) =>
            Console.WriteLine($"completed {summary.RequestName}: {string.Join(",", summary.Stages.Select(s => s.Name))} {summary.Status.ToLogText()}");
        var pipeline = new Pipeline(monitor);
        Console.WriteLine("answer: " + await pipeline.AskAsync("what is rag?"));
        await monitor.FlushAsync();
        await monitor.DisposeAsync();

        // RagMonitor.Logs: the same line read back.
        var statistics = new PerformanceLogReadStatistics();
        await foreach (PerformanceLogRecord record in PerformanceLog.ReadAsync(args[0], statistics: statistics))
        {
            Console.WriteLine($"read back: {record.RequestName} {string.Join(",", record.Stages.Select(s => s.Name))} {record.Status?.ToLogText()}, {statistics.LinesSkipped} lines skipped");
        }

        public sealed partial class Pipeline
        {
            private readonly PerformanceMonitor _monitor;

            public Pipeline(PerformanceMonitor monitor) => _monitor = monitor;

            [MonitoredRequest("ask")]
            public partial Task<string> AskAsync(string question);

            private async Task<string> AskAsyncCore(string question)
            {
                var documents = Retrieve(question);
                return await GenerateAsync(question, documents);
            }

            [Stage("retrieval")]
            private partial IReadOnlyList<string> Retrieve(string question);

            private IReadOnlyList<string> RetrieveCore(string question)
            {
                StageContext.AddMetadata("documents_retrieved", 2);
                return new[] { question + " 1", question + " 2" };
            }

            [Stage("generation")]
            private partial Task<string> GenerateAsync(string question, IReadOnlyList<string> documents);

            private async Task<string> GenerateAsyncCore(string question, IReadOnlyList<string> documents)
            {
                await Task.Delay(20);
                return $"{question} ({documents.Count} documents)";
            }
        }
        """;
}
