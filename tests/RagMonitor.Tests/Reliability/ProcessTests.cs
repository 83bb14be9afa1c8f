using System;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using RagMonitor.Tests.Persistence;
using Xunit.Abstractions;

namespace RagMonitor.Tests.Reliability;

/// <summary>Promises about whole processes: the flush at exit, and what a kill -9 can cost.</summary>
public sealed class ProcessTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Monitors_never_disposed_are_flushed_at_normal_exit_even_when_collected(bool collect)
    {
        const int requests = 400;
        const int monitors = 3;
        for (var run = 0; run < 3; run++)
        {
            using var dir = new TempDirectory();
            var result = await LogFiles.RunAsync(
                ChildProcess.Dotnet,
                new[] { ChildProcess.WriterPath, "exit-without-dispose", dir.Path, "run" + run, requests.ToString(), monitors.ToString(), collect.ToString() },
                TimeSpan.FromMinutes(2));
            Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Output} {result.Error}");
            var ids = ChildProcess.Lines(dir.Path).Select(l => JsonChecks.ParseWithUniqueKeys(l).GetProperty("request_id").GetString()).ToList();
            Assert.Equal(requests * monitors, ids.Count);
            Assert.Equal(requests * monitors, ids.Distinct().Count());
        }
    }

    /// <summary>
    /// Kills a writer with SIGKILL at random moments, many times, with small (~300 B) and big (~1 MB) lines, all appending
    /// to one file. After each kill every line parses except a torn last one; the next writer starts on a fresh line, so
    /// no record is ever glued to a torn one. A last, clean writer ends the file.
    /// </summary>
    [UnixFact]
    public async Task Writers_killed_at_random_moments_leave_at_most_a_torn_last_line_and_the_next_writer_starts_clean()
    {
        using var dir = new TempDirectory();
        var random = new Random(15);
        var kills = 0;
        var torn = 0;
        for (var run = 0; run < 12; run++)
        {
            var big = run % 3 == 2;
            var queryLength = big ? 1_000_000 : 200;
            using var process = StartUntilKilled(dir.Path, "k" + run, queryLength);
            var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal("ready", ready);
            Thread.Sleep(random.Next(5, big ? 400 : 150));
            process.Kill(entireProcessTree: false); // SIGKILL on Unix
            await process.WaitForExitAsync();
            kills++;

            var lines = ChildProcess.Lines(dir.Path);
            for (var i = 0; i < lines.Count; i++)
            {
                var parses = TryParse(lines[i]);
                var last = i == lines.Count - 1;
                Assert.True(parses || last || IsTornPrefix(lines[i]), $"run {run}: line {i + 1} of {lines.Count} does not parse and is not a torn line: {Head(lines[i])}");
                Assert.True(lines[i].IndexOf("{\"start_time\"", 1, StringComparison.Ordinal) < 0, $"run {run}: line {i + 1} has a record glued to a torn one: {Head(lines[i])}");
            }
        }

        var clean = await LogFiles.RunAsync(ChildProcess.Dotnet, new[] { ChildProcess.WriterPath, dir.Path, "clean", "50" }, TimeSpan.FromMinutes(2));
        Assert.Equal(0, clean.ExitCode);
        var all = ChildProcess.Lines(dir.Path);
        foreach (var line in all)
        {
            if (!TryParse(line))
            {
                torn++;
                Assert.True(IsTornPrefix(line), Head(line));
            }
        }

        output.WriteLine($"{kills} kills, {all.Count:N0} lines, {torn} torn lines, 0 glued");
        Assert.True(torn <= kills, $"{torn} torn lines after {kills} kills");
        Assert.Equal(50, all.Count(l => TryParse(l) && JsonDocument.Parse(l).RootElement.GetProperty("request_id").GetString()!.StartsWith("clean-", StringComparison.Ordinal)));
        Assert.True(TryParse(all[^1]));
    }

    private static Process StartUntilKilled(string directory, string prefix, int queryLength)
    {
        var start = new ProcessStartInfo(ChildProcess.Dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { ChildProcess.WriterPath, "until-killed", directory, prefix, queryLength.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start the writer");
    }

    private static bool TryParse(string line)
    {
        try
        {
            JsonChecks.ParseWithUniqueKeys(line);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A record cut short: it starts like a record and has no second one inside it.</summary>
    private static bool IsTornPrefix(string line) =>
        line.Length > 0 && (line.StartsWith("{\"start_time\"", StringComparison.Ordinal) || "{\"start_time\"".StartsWith(line, StringComparison.Ordinal));

    private static string Head(string line) => line.Length <= 200 ? line : line[..200] + $"… ({line.Length} chars)";
}
