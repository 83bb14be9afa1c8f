using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Persistence;

public sealed class LogRetentionTests
{
    private static readonly DateOnly s_today = new(2026, 11, 29);

    private static string Day(int daysAgo) => s_today.AddDays(-daysAgo).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    private static string Line(int n) => "{\"start_time\":1.0,\"total_time\":0.5,\"timestamp\":\"2026-11-29T08:00:00.000000+00:00\",\"stages\":{},\"n\":" + n + "}\n";

    private static void Seed(TempDirectory dir, params string[] names)
    {
        foreach (var name in names)
        {
            File.WriteAllText(dir.Combine(name), Line(1) + Line(2));
        }
    }

    private static string[] Names(TempDirectory dir) =>
        Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void Deletes_files_older_than_the_limit_and_keeps_the_rest()
    {
        using var dir = new TempDirectory();
        Seed(dir, $"{Day(0)}_performance.jsonl", $"{Day(7)}_performance.jsonl", $"{Day(8)}_performance.jsonl", $"{Day(30)}_performance.jsonl.gz");

        var result = LogRetention.Apply(dir.Path, new RetentionPolicy(DeleteAfterDays: 7, ArchiveAfterDays: null), s_today);

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { $"{Day(7)}_performance.jsonl", $"{Day(0)}_performance.jsonl" }, Names(dir));
        Assert.Equal(2, result.Actions.Count);
        Assert.All(result.Actions, a => Assert.Equal(RetentionActionKind.Delete, a.Kind));
        Assert.Contains(result.Actions, a => a.FileDate == s_today.AddDays(-8) && a.Path == dir.Combine($"{Day(8)}_performance.jsonl"));
        Assert.Contains(result.Actions, a => a.FileDate == s_today.AddDays(-30));
    }

    [Fact]
    public void Archives_old_jsonl_files_into_readable_gzip_and_removes_the_original()
    {
        using var dir = new TempDirectory();
        Seed(dir, $"{Day(1)}_performance.jsonl", $"{Day(3)}_performance.jsonl", $"{Day(5)}_performance.jsonl");

        var result = LogRetention.Apply(dir.Path, new RetentionPolicy(DeleteAfterDays: 4, ArchiveAfterDays: 2), s_today);

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { $"{Day(3)}_performance.jsonl.gz", $"{Day(1)}_performance.jsonl" }, Names(dir));
        Assert.Equal(new[] { RetentionActionKind.Delete, RetentionActionKind.Archive }, result.Actions.Select(a => a.Kind));
        Assert.Equal(Line(1) + Line(2), ReadGzip(dir.Combine($"{Day(3)}_performance.jsonl.gz")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void Archiving_again_appends_a_gzip_member_so_nothing_is_lost()
    {
        using var dir = new TempDirectory();
        var name = $"{Day(3)}_performance.jsonl";
        Seed(dir, name);
        LogRetention.Apply(dir.Path, new RetentionPolicy(null, 1), s_today);
        File.WriteAllText(dir.Combine(name), Line(3)); // a late writer appended after the first archive

        var result = LogRetention.Apply(dir.Path, new RetentionPolicy(null, 1), s_today);

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { name + ".gz" }, Names(dir));
        Assert.Equal(Line(1) + Line(2) + Line(3), ReadGzip(dir.Combine(name + ".gz")));
    }

    [Fact]
    public void A_dry_run_reports_without_touching_anything()
    {
        using var dir = new TempDirectory();
        Seed(dir, $"{Day(2)}_performance.jsonl", $"{Day(10)}_performance.jsonl");
        var before = Names(dir);

        var result = LogRetention.Apply(dir.Path, new RetentionPolicy(5, 1), s_today, dryRun: true);

        Assert.Equal(before, Names(dir));
        Assert.Equal(new[] { (RetentionActionKind.Delete, s_today.AddDays(-10)), (RetentionActionKind.Archive, s_today.AddDays(-2)) },
            result.Actions.Select(a => (a.Kind, a.FileDate)));
    }

    [Fact]
    public void Unrecognised_files_are_never_touched()
    {
        using var dir = new TempDirectory();
        var others = new[]
        {
            "notes.txt", "performance.jsonl", "2026_performance.jsonl", "20261332_performance.jsonl", "abcdefgh_performance.jsonl",
            $"{Day(40)}.jsonl", $"{Day(40)}_other.log", $"{Day(40)}_performance.jsonl.gz.tmp", $"{Day(40)}performance.jsonl", "x" + Day(40) + "_performance.jsonl",
        };
        Seed(dir, others);
        Directory.CreateDirectory(dir.Combine($"{Day(40)}_performance.jsonl.d"));

        var result = LogRetention.Apply(dir.Path, new RetentionPolicy(0, 0), s_today);

        Assert.Empty(result.Actions);
        Assert.Empty(result.Errors);
        Assert.Equal(others.Order(StringComparer.Ordinal), Names(dir));
    }

    [Fact]
    public void Bad_arguments_throw_argument_exceptions()
    {
        using var dir = new TempDirectory();
        Assert.Throws<ArgumentException>(() => LogRetention.Apply(dir.Combine("missing"), new RetentionPolicy(1, 1), s_today));
        Assert.Throws<ArgumentException>(() => LogRetention.Apply(" ", new RetentionPolicy(1, 1), s_today));
        Assert.Throws<ArgumentException>(() => LogRetention.Apply(dir.Path, new RetentionPolicy(-1, null), s_today));
        Assert.Throws<ArgumentException>(() => LogRetention.Apply(dir.Path, new RetentionPolicy(null, -2), s_today));
        Assert.Throws<ArgumentNullException>(() => LogRetention.Apply(dir.Path, null!, s_today));
    }

    [Fact]
    public void One_file_that_cannot_be_archived_is_reported_and_the_others_are_still_handled()
    {
        using var dir = new TempDirectory();
        var stuck = $"{Day(3)}_performance.jsonl";
        Seed(dir, stuck, $"{Day(4)}_performance.jsonl");
        // A directory where the temporary archive file must go makes that one archive fail.
        Directory.CreateDirectory(dir.Combine(stuck + ".gz.tmp"));

        var result = LogRetention.Apply(dir.Path, new RetentionPolicy(null, 1), s_today);

        var error = Assert.Single(result.Errors);
        Assert.Contains(stuck, error);
        var action = Assert.Single(result.Actions);
        Assert.Equal(dir.Combine($"{Day(4)}_performance.jsonl"), action.Path);
        Assert.True(File.Exists(dir.Combine(stuck)));
        Assert.Equal(Line(1) + Line(2), ReadGzip(dir.Combine($"{Day(4)}_performance.jsonl.gz")));
    }

    [Fact]
    public async Task The_sink_runs_retention_when_the_day_changes()
    {
        using var dir = new TempDirectory();
        var clock = new ManualWallClock(new DateTimeOffset(2026, 11, 29, 23, 59, 0, TimeSpan.Zero));
        Seed(dir, "20261120_performance.jsonl", "20261127_performance.jsonl");
        await using var monitor = JsonlFormatTests.NewMonitor(dir.Path, clock, o =>
        {
            o.RetentionDays = 5;
            o.ArchiveAfterDays = 1;
        });

        // At start (Nov 29): Nov 20 is deleted, Nov 27 archived.
        await WaitUntil(() => Names(dir).SequenceEqual(new[] { "20261127_performance.jsonl.gz" }));

        monitor.StartRequest("late");
        monitor.EndRequest("late");
        await monitor.FlushAsync();
        Assert.True(File.Exists(dir.Combine("20261129_performance.jsonl")));

        clock.Now = new DateTimeOffset(2026, 12, 1, 0, 1, 0, TimeSpan.Zero);
        monitor.StartRequest("next-day");
        monitor.EndRequest("next-day");
        await monitor.FlushAsync();

        // Dec 1: Nov 29 is older than one day and gets archived; Dec 1's own file stays.
        await WaitUntil(() => Names(dir).SequenceEqual(new[] { "20261127_performance.jsonl.gz", "20261129_performance.jsonl.gz", "20261201_performance.jsonl" }));
        Assert.Contains("\"late\"", ReadGzip(dir.Combine("20261129_performance.jsonl.gz")));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 30 s");
            await Task.Delay(10);
        }
    }

    internal static string ReadGzip(string path)
    {
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
