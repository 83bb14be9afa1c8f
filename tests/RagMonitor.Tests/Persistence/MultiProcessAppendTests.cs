using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Persistence;

public sealed class MultiProcessAppendTests
{
    private const int Processes = 4;
    private const int RequestsPerProcess = 8_000;

    /// <summary>
    /// Starts several real processes (tests/RagMonitor.Tests.LogWriter, built with this project) that write to the
    /// same log directory at the same time. Their lines (up to ~3 KB, so 64 KiB chunks end at arbitrary
    /// places) must all parse, and every request of every process must appear exactly once.
    /// </summary>
    [Fact]
    public async Task Processes_appending_to_one_file_never_tear_or_lose_a_line()
    {
        using var dir = new TempDirectory();
        var writer = Path.Combine(AppContext.BaseDirectory, "RagMonitor.Tests.LogWriter.dll");
        Assert.True(File.Exists(writer), "the LogWriter project is built with the tests: " + writer);
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet))
        {
            dotnet = "dotnet";
        }

        var runs = Enumerable.Range(0, Processes)
            .Select(p => LogFiles.RunAsync(dotnet, new[] { writer, dir.Path, "p" + p, RequestsPerProcess.ToString() }, TimeSpan.FromMinutes(3)))
            .ToArray();
        var results = await Task.WhenAll(runs);
        foreach (var result in results)
        {
            Assert.True(result.ExitCode == 0, $"writer exited with {result.ExitCode}: {result.Output} {result.Error}");
            Assert.Contains($"written={RequestsPerProcess} dropped=0 failures=0", result.Output);
        }

        var files = LogFiles.JsonlFiles(dir.Path);
        Assert.InRange(files.Length, 1, 2); // two only if the run crossed midnight UTC
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in files.SelectMany(File.ReadLines))
        {
            lineNumber++;
            JsonElement root;
            try
            {
                root = JsonDocument.Parse(line).RootElement;
            }
            catch (JsonException ex)
            {
                throw new Xunit.Sdk.XunitException($"line {lineNumber} does not parse ({ex.Message}): {line[..Math.Min(200, line.Length)]}");
            }

            var id = root.GetProperty("request_id").GetString()!;
            Assert.True(seen.Add(id), "duplicate record " + id);
            Assert.Equal(id[..id.IndexOf('-')], root.GetProperty("stages").GetProperty("retrieval").GetProperty("metadata").GetProperty("writer").GetString());
        }

        Assert.Equal(Processes * RequestsPerProcess, seen.Count);
        var missing = Enumerable.Range(0, Processes).SelectMany(p => Enumerable.Range(0, RequestsPerProcess).Select(i => $"p{p}-{i}")).Where(id => !seen.Contains(id)).ToList();
        Assert.Empty(missing);
    }
}
