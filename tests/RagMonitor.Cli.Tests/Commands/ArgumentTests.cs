using System.IO;
using System.Linq;
using RagMonitor.Cli.Tests.Infrastructure;

namespace RagMonitor.Cli.Tests.Commands;

public sealed class ArgumentTests
{
    public static TheoryData<string> CommandPaths => new() { "", "summary", "trend", "report", "export", "export prometheus", "cleanup", "check", "compare" };

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void Every_command_has_help_with_examples(string command)
    {
        string[] args = command.Split(' ', System.StringSplitOptions.RemoveEmptyEntries).Append("--help").ToArray();
        CliResult result = CliRun.Expect(0, args);
        Assert.Contains("Usage:", result.Output);
        Assert.Contains("Examples:", result.Output);
        Assert.Contains("  ragmon ", result.Output);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void Version_prints_the_version()
    {
        CliResult result = CliRun.Expect(0, "--version");
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Output.Trim());
    }

    [Theory]
    [InlineData("summary", "--bogus")]
    [InlineData("summary", "--format", "xml")]
    [InlineData("summary", "--since", "yesterdayish")]
    [InlineData("summary", "--until", "13x")]
    [InlineData("summary", "--top", "-3")]
    [InlineData("nosuchcommand")]
    [InlineData("trend")]
    [InlineData("compare", "onlyone")]
    [InlineData("compare", "a", "b", "--alpha", "1")]
    public void Bad_arguments_exit_2_with_one_line(params string[] args)
    {
        CliResult result = CliRun.Expect(2, args);
        string line = CliRun.Single(result.Error);
        Assert.StartsWith("ragmon: ", line);
        Assert.Equal(string.Empty, result.Output);
    }

    [Theory]
    [InlineData("summary")]
    [InlineData("trend", "--out", "-")]
    [InlineData("report")]
    [InlineData("export", "prometheus")]
    [InlineData("check", "--budget", "total.p95=1s")]
    [InlineData("cleanup", "--retention-days", "3")]
    public void Missing_log_directory_exits_2_with_one_line(params string[] args)
    {
        using var temp = new TempDirectory();
        string missing = temp.Combine("does-not-exist");
        CliResult result = CliRun.Expect(2, args.Concat(new[] { "--log-dir", missing }).ToArray());
        string line = CliRun.Single(result.Error);
        Assert.Contains("does not exist", line);
        Assert.Contains(missing, line);
        Assert.False(File.Exists(Path.Combine(temp.Path, "report.html")));
    }

    [Fact]
    public void Compare_with_a_missing_directory_exits_2()
    {
        using var temp = new TempDirectory();
        CliResult result = CliRun.Expect(2, "compare", temp.Path, temp.Combine("nope"));
        Assert.Contains("does not exist", CliRun.Single(result.Error));
    }

    [Theory]
    [InlineData("--since", "2026-11-29", "--until", "2026-11-28")]
    [InlineData("--since", "1h", "--until", "2h")]
    public void Since_after_until_is_rejected(params string[] range)
    {
        using var temp = new TempDirectory();
        CliResult result = CliRun.Expect(2, new[] { "summary", "--log-dir", temp.Path }.Concat(range).ToArray());
        Assert.Contains("--since must be before --until", CliRun.Single(result.Error));
    }

    [Theory]
    [InlineData("--budget", "retrieval=2s")]
    [InlineData("--budget", "retrieval.p96=2s")]
    [InlineData("--budget", "retrieval.p95=fast")]
    [InlineData("--budget", "total.share=10%")]
    public void Invalid_budgets_exit_2(params string[] budget)
    {
        using var temp = new TempDirectory();
        CliResult result = CliRun.Expect(2, new[] { "check", "--log-dir", temp.Path }.Concat(budget).ToArray());
        Assert.StartsWith("ragmon: invalid budget", CliRun.Single(result.Error));
    }

    [Fact]
    public void Check_without_budgets_exits_2()
    {
        using var temp = new TempDirectory();
        CliResult result = CliRun.Expect(2, "check", "--log-dir", temp.Path);
        Assert.Contains("--budget", CliRun.Single(result.Error));
    }

    [Fact]
    public void Trend_rejects_unknown_chart_types_and_bad_buckets()
    {
        using var temp = new TempDirectory();
        Assert.Contains(".png or .svg", CliRun.Single(CliRun.Expect(2, "trend", "--log-dir", temp.Path, "--out", "chart.gif").Error));
        Assert.Contains("--bucket", CliRun.Single(CliRun.Expect(2, "trend", "--log-dir", temp.Path, "--out", "-", "--bucket", "soon").Error));
    }

    [Fact]
    public void Cleanup_needs_a_limit_and_rejects_negative_days()
    {
        using var temp = new TempDirectory();
        Assert.Contains("--retention-days", CliRun.Single(CliRun.Expect(2, "cleanup", "--log-dir", temp.Path).Error));
        Assert.Contains("negative", CliRun.Single(CliRun.Expect(2, "cleanup", "--log-dir", temp.Path, "--retention-days", "-1").Error));
    }

    [Fact]
    public void Export_rejects_bad_buckets()
    {
        using var temp = new TempDirectory();
        Assert.Contains("--buckets", CliRun.Single(CliRun.Expect(2, "export", "prometheus", "--log-dir", temp.Path, "--buckets", "0.1,abc").Error));
        Assert.Contains("distinct", CliRun.Single(CliRun.Expect(2, "export", "prometheus", "--log-dir", temp.Path, "--buckets", "1,1").Error));
    }

    [Fact]
    public void An_empty_directory_is_reported_but_not_an_error()
    {
        using var temp = new TempDirectory();
        CliResult result = CliRun.Expect(0, "summary", "--log-dir", temp.Path, "--format", "json");
        Assert.Contains("no log files", result.Error);
        Assert.Contains("\"records\": 0", result.Output);
    }
}
