using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using RagMonitor.Tests.Persistence;
using Xunit.Abstractions;

namespace RagMonitor.Tests.Reliability;

/// <summary>No writing through links or onto files that are not regular files; a full disk loses nothing silently.</summary>
public sealed class FileSafetyTests(ITestOutputHelper output)
{
    private static PerformanceMonitor NewMonitor(string directory, RecordingLogger? logger = null) =>
        new(new PerformanceMonitorOptions { LogDirectory = directory, AdaptiveBottlenecks = false, SlowRequestThreshold = null }, logger);

    private static void EndRequests(PerformanceMonitor monitor, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var request = monitor.BeginRequest("ask");
            using var stage = monitor.BeginStage("retrieval");
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "timed out");
            await Task.Delay(20);
        }
    }

    [UnixFact]
    public async Task A_symbolic_link_in_place_of_the_day_file_is_refused_counted_and_logged_once_and_its_target_is_untouched()
    {
        using var dir = new TempDirectory();
        var logs = dir.Combine("logs");
        Directory.CreateDirectory(logs);
        var victim = dir.Combine("victim.txt");
        File.WriteAllText(victim, "precious");
        var dayFile = Path.Combine(logs, LogFileNames.For(DateOnly.FromDateTime(DateTime.UtcNow)));
        File.CreateSymbolicLink(dayFile, victim);
        var logger = new RecordingLogger();
        await using (var monitor = NewMonitor(logs, logger))
        {
            EndRequests(monitor, 10);
            await WaitUntil(() => monitor.GetStatistics().Counters.LogFilesRefused >= 3);
            var counters = monitor.GetStatistics().Counters;
            Assert.Equal(0, counters.LogRecordsWritten);
            Assert.Equal(10, counters.LogRecordsPending);
            Assert.Equal("precious", File.ReadAllText(victim));
            Assert.Equal(1, logger.Count("LogFileRefused"));

            // The link removed: the queued records are written to a regular file of their own.
            File.Delete(dayFile);
            await monitor.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(10, monitor.GetStatistics().Counters.LogRecordsWritten);
        }

        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Null(new FileInfo(Path.Combine(logs, Path.GetFileName(dayFile))).LinkTarget);
        Assert.Equal(10, LogFiles.ReadLines(logs).Count);
    }

    [UnixFact]
    public async Task A_dangling_link_in_place_of_the_day_file_never_creates_its_target()
    {
        using var dir = new TempDirectory();
        var logs = dir.Combine("logs");
        Directory.CreateDirectory(logs);
        var target = dir.Combine("created-by-attacker-wish");
        File.CreateSymbolicLink(Path.Combine(logs, LogFileNames.For(DateOnly.FromDateTime(DateTime.UtcNow))), target);
        var monitor = NewMonitor(logs);
        EndRequests(monitor, 5);
        await WaitUntil(() => monitor.GetStatistics().Counters.LogFilesRefused >= 2);
        Assert.False(File.Exists(target));
        monitor.Dispose();
        var counters = monitor.GetStatistics().Counters;
        Assert.Equal(5, counters.LogRecordsDropped); // given up at close: counted, never written through the link
        Assert.False(File.Exists(target));
    }

    [UnixFact]
    public async Task A_fifo_in_place_of_the_day_file_is_refused_without_blocking_the_writer()
    {
        using var dir = new TempDirectory();
        var fifo = Path.Combine(dir.Path, LogFileNames.For(DateOnly.FromDateTime(DateTime.UtcNow)));
        var mkfifo = await LogFiles.RunAsync("mkfifo", new[] { fifo }, TimeSpan.FromSeconds(30));
        Assert.Equal(0, mkfifo.ExitCode);
        await using var monitor = NewMonitor(dir.Path);
        EndRequests(monitor, 3);
        await WaitUntil(() => monitor.GetStatistics().Counters.LogFilesRefused >= 2);
        Assert.Equal(0, monitor.GetStatistics().Counters.LogRecordsWritten);
    }

    [UnixFact]
    public void Cleanup_never_writes_through_a_linked_temporary_file_or_archive_nor_archives_a_linked_log()
    {
        using var dir = new TempDirectory();
        var logs = dir.Combine("logs");
        Directory.CreateDirectory(logs);
        var victim = dir.Combine("victim.txt");
        File.WriteAllText(victim, "precious");
        var secret = dir.Combine("secret.txt");
        File.WriteAllText(secret, "secret");
        var today = new DateOnly(2026, 12, 2);

        // 1: the temporary archive name is a link to the victim: the link is removed, the archive is made, the victim is untouched.
        var old1 = Path.Combine(logs, "20261101_performance.jsonl");
        File.WriteAllText(old1, "{\"a\":1}\n");
        File.CreateSymbolicLink(old1 + ".gz.tmp", victim);

        // 2: the archive name is a link to the victim: refused (never read into the new archive nor written through).
        var old2 = Path.Combine(logs, "20261102_performance.jsonl");
        File.WriteAllText(old2, "{\"b\":2}\n");
        File.CreateSymbolicLink(old2 + ".gz", victim);

        // 3: the log file itself is a link to a secret: refused (its target is never copied into an archive).
        var old3 = Path.Combine(logs, "20261103_performance.jsonl");
        File.CreateSymbolicLink(old3, secret);

        var result = LogRetention.Apply(logs, new RetentionPolicy(null, ArchiveAfterDays: 7), today);

        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Equal("secret", File.ReadAllText(secret));
        Assert.Contains(result.Actions, a => a.Path == old1 && a.Kind == RetentionActionKind.Archive);
        Assert.Equal("{\"a\":1}\n", ReadGzip(old1 + ".gz"));
        Assert.False(File.Exists(old1 + ".gz.tmp") || AppendOnlyFile.IsLink(old1 + ".gz.tmp"));
        Assert.True(File.Exists(old2)); // left for the next run
        Assert.NotNull(new FileInfo(old2 + ".gz").LinkTarget);
        Assert.False(File.Exists(old3 + ".gz"));
        Assert.Equal(3, result.Refused);
        Assert.Equal(2, result.Errors.Count);
    }

    /// <summary>
    /// A 1 MiB tmpfs fills up while requests keep ending: writes fail and are retried, nothing is lost silently, every line
    /// but a line torn by the full disk parses, and once there is room again the queued records are written on a fresh line.
    /// </summary>
    [RootFact]
    public async Task A_full_disk_is_survived_counted_and_writing_resumes_on_a_fresh_line()
    {
        using var dir = new TempDirectory();
        var mount = dir.Combine("tmpfs");
        Directory.CreateDirectory(mount);
        var mounted = await LogFiles.RunAsync("mount", new[] { "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount }, TimeSpan.FromSeconds(30));
        Assert.True(mounted.ExitCode == 0, "mount failed: " + mounted.Error);
        try
        {
            var logger = new RecordingLogger();
            var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { LogDirectory = mount, AdaptiveBottlenecks = false, SlowRequestThreshold = null, MaxMetadataValueLength = 2048 }, logger);
            var padding = new string('p', 1500);
            for (var i = 0; i < 2_000; i++) // ~3.5 MB of lines for 1 MiB of disk
            {
                using var request = monitor.BeginRequest("ask");
                using var stage = monitor.BeginStage("retrieval");
                stage.AddMetadata("padding", padding);
            }

            await WaitUntil(() => monitor.GetStatistics().Counters.LogWriteFailures >= 2);
            var full = monitor.GetStatistics().Counters;
            Assert.Equal(2_000, full.LogRecordsWritten + full.LogRecordsDropped + full.LogRecordsPending);
            Assert.True(full.LogRecordsPending > 0);
            Assert.Equal(1, logger.Count("LogWriteFailed"));

            var remount = await LogFiles.RunAsync("mount", new[] { "-o", "remount,size=16m", mount }, TimeSpan.FromSeconds(30));
            Assert.True(remount.ExitCode == 0, "remount failed: " + remount.Error);
            await monitor.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
            monitor.Dispose();
            var counters = monitor.GetStatistics().Counters;
            Assert.Equal(2_000, counters.LogRecordsWritten + counters.LogRecordsDropped);
            Assert.Equal(0, counters.LogRecordsPending);

            var lines = LogFiles.ReadLines(mount);
            output.WriteLine($"full tmpfs: while full written={full.LogRecordsWritten} dropped={full.LogRecordsDropped} pending={full.LogRecordsPending} failures={full.LogWriteFailures}; after remount and dispose written={counters.LogRecordsWritten} dropped={counters.LogRecordsDropped} pending={counters.LogRecordsPending}; {lines.Count} lines in the file");
            var valid = lines.Count(l => l.Length > 0 && l.EndsWith('}') && TryParse(l));
            Assert.Equal(counters.LogRecordsWritten, valid);
            Assert.True(lines.Count - valid <= counters.LogRecordsDropped, $"{lines.Count - valid} bad lines, {counters.LogRecordsDropped} dropped");
            Assert.DoesNotContain(lines, l => l.Length == 0);
            Assert.DoesNotContain(lines, l => l.IndexOf("{\"start_time\"", 1, StringComparison.Ordinal) >= 0);
        }
        finally
        {
            await LogFiles.RunAsync("umount", new[] { "-l", mount }, TimeSpan.FromSeconds(30));
        }
    }

    private static bool TryParse(string line)
    {
        try
        {
            JsonChecks.ParseWithUniqueKeys(line);
            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static string ReadGzip(string path)
    {
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
