using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Persistence;

/// <summary>
/// <see cref="PerformanceMonitorOptions.ReleaseWrittenLogPages"/> on a real file: how much of the log stays in the page
/// cache, as <c>fincore</c> (util-linux) reports it.
/// </summary>
public sealed class PageCacheReleaseTests
{
    private const int MiB = 1 << 20;

    [LinuxToolFact("fincore")]
    public async Task A_busy_log_keeps_only_its_last_megabytes_in_the_page_cache()
    {
        using var dir = new TempDirectory();
        var (requests, lines, size, resident) = await WriteInBursts(dir.Path, release: true);

        Assert.Equal(requests, lines);
        Assert.True(size >= 50 * MiB, $"log of {size:N0} bytes");
        Assert.True(resident <= 24 * MiB, $"{resident:N0} of {size:N0} bytes still cached");
    }

    [LinuxToolFact("fincore")]
    public async Task With_the_release_turned_off_the_whole_log_stays_in_the_page_cache()
    {
        using var dir = new TempDirectory();
        var (requests, lines, size, resident) = await WriteInBursts(dir.Path, release: false);

        Assert.Equal(requests, lines);
        Assert.True(resident >= size * 9 / 10, $"{resident:N0} of {size:N0} bytes cached");
    }

    /// <summary>
    /// Writes about 55 MiB in six bursts of about 9 MiB (each flushed, then a pause that gives the disk time for the
    /// write-out the writer started), and returns the requests, the lines in the file, its size and its cached bytes.
    /// </summary>
    private static async Task<(int Requests, int Lines, long Size, long Resident)> WriteInBursts(string directory, bool release)
    {
        var text = new string('x', 1000);
        var requests = 0;
        await using (var monitor = JsonlFormatTests.NewMonitor(directory, configure: o =>
        {
            o.ReleaseWrittenLogPages = release;
            o.QueueCapacity = 1 << 16;
        }))
        {
            for (var burst = 0; burst < 6; burst++)
            {
                for (var i = 0; i < 7_000; i++)
                {
                    using var request = monitor.BeginRequest("ask");
                    using var stage = monitor.BeginStage("retrieval");
                    stage.AddMetadata("text", text);
                    requests++;
                }

                await monitor.FlushAsync();
                await Task.Delay(300);
            }

            Assert.Equal(0, monitor.GetStatistics().Counters.LogRecordsDropped);
        }

        var file = LogFiles.JsonlFiles(directory).Single();

        // Before reading the file, which brings it back into the page cache.
        var (exitCode, output, error) = await LogFiles.RunAsync("fincore", new[] { "--bytes", "--noheadings", "--output", "RES,SIZE", file }, TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, error);
        var fields = output.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var lines = File.ReadLines(file).Count();
        return (requests, lines, long.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[0], CultureInfo.InvariantCulture));
    }
}
