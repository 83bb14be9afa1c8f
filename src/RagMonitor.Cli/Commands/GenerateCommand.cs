using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace RagMonitor.Cli.Commands;

/// <summary>
/// Writes realistic, reproducible sample logs (3 stages per request, ≈ 590 bytes a line in the writer's format) for demos, tests and
/// benchmarks. Hidden from the help: it is not an analysis command.
/// </summary>
internal static class GenerateCommand
{
    internal static Command Build(CliEnvironment environment)
    {
        var output = new Option<string>("--out", "-o") { Description = "Directory to write the log files to (created if needed).", HelpName = "DIR", Required = true };
        var requests = new Option<int>("--requests", "-n") { Description = "Number of request lines.", DefaultValueFactory = _ => 10_000 };
        var days = new Option<int>("--days") { Description = "Number of days (one file per day), ending today (UTC).", DefaultValueFactory = _ => 7 };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same files).", DefaultValueFactory = _ => 42 };
        var end = new Option<DateOnly?>("--end") { Description = "Last day (UTC) instead of today.", HelpName = "DATE" };
        var python = new Option<bool>("--python-format") { Description = "Write the Python module's line shape (start_time, total_time, timestamp without offset, stages.*.duration/metadata)." };
        var gzip = new Option<int?>("--gzip-older-than") { Description = "Gzip the files of days more than N days before the last day.", HelpName = "N" };
        var torn = new Option<bool>("--torn-last-line") { Description = "End the last file with a torn (half-written) line, as after a crash." };
        var command = new Command("generate", "Writes realistic sample logs (for demos, tests and benchmarks).") { Hidden = true };
        command.Options.Add(output);
        command.Options.Add(requests);
        command.Options.Add(days);
        command.Options.Add(seed);
        command.Options.Add(end);
        command.Options.Add(python);
        command.Options.Add(gzip);
        command.Options.Add(torn);
        command.SetAction(parseResult =>
        {
            int n = parseResult.GetValue(requests);
            int d = parseResult.GetValue(days);
            if (n < 0 || d < 1 || d > 3660)
            {
                throw new CliException("--requests must be ≥ 0 and --days 1–3660");
            }

            DateTimeOffset now = environment.Time.GetUtcNow();
            DateOnly today = DateOnly.FromDateTime(now.UtcDateTime);
            DateOnly lastDay = parseResult.GetValue(end) ?? today;
            if (lastDay > today)
            {
                throw new CliException($"--end {lastDay:yyyy-MM-dd} is in the future (today is {today:yyyy-MM-dd} UTC); generated logs never reach past now");
            }

            var options = new SampleLogOptions
            {
                Requests = n,
                Days = d,
                Seed = parseResult.GetValue(seed),
                LastDay = lastDay,
                Now = now,
                PythonFormat = parseResult.GetValue(python),
                GzipOlderThanDays = parseResult.GetValue(gzip),
                TornLastLine = parseResult.GetValue(torn),
            };
            string dir = parseResult.GetValue(output)!;
            SampleLogGenerator.Write(dir, options);
            environment.Error.WriteLine($"ragmon: wrote {n} request line(s) over {d} day(s) to {dir}");
            return ExitCodes.Ok;
        });
        return command;
    }
}

/// <summary>What <see cref="SampleLogGenerator"/> writes.</summary>
internal sealed class SampleLogOptions
{
    internal int Requests { get; init; } = 10_000;

    internal int Days { get; init; } = 7;

    internal int Seed { get; init; } = 42;

    internal DateOnly LastDay { get; init; } = new(2026, 11, 29);

    /// <summary>No record ends after this (the requests of today are spread over the part of the day that has passed).</summary>
    internal DateTimeOffset? Now { get; init; }

    internal bool PythonFormat { get; init; }

    internal int? GzipOlderThanDays { get; init; }

    internal bool TornLastLine { get; init; }

    /// <summary>Multiplies every retrieval duration (to make a "current" run slower than a baseline).</summary>
    internal double RetrievalFactor { get; init; } = 1;
}

/// <summary>
/// Sample RAG request logs: requests <c>ask</c> (85 %) and <c>summarize</c>, each with stages embedding → retrieval →
/// generation; log-normal durations, busier (slower) working hours, rare retrieval spikes, ~1 % failures and
/// cancellations; bottlenecks by the 30 % share rule.
/// </summary>
internal static class SampleLogGenerator
{
    internal static void Write(string directory, SampleLogOptions options)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(options.Seed);
        var line = new StringBuilder(640);
        int remaining = options.Requests;
        string? lastPath = null;
        for (int day = 0; day < options.Days; day++)
        {
            DateOnly date = options.LastDay.AddDays(day - options.Days + 1);
            int count = remaining / (options.Days - day);
            remaining -= count;
            string path = Path.Combine(directory, LogFileNames.For(date));
            using (var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16))
            {
                DateTimeOffset dayStart = new(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                double daySeconds = options.Now is DateTimeOffset now ? Math.Clamp((now - dayStart).TotalSeconds, 0, 86400.0) : 86400.0;
                double step = daySeconds / Math.Max(1, count);
                for (int i = 0; i < count; i++)
                {
                    double offset = (i + random.NextDouble()) * step;
                    line.Clear();
                    AppendRecord(line, random, dayStart.AddSeconds(offset), options);
                    line.Append('\n');
                    writer.Write(line);
                }

                if (options.TornLastLine && day == options.Days - 1)
                {
                    writer.Write("{\"start_time\":1764403200.5,\"total_time\":2.25,\"timestamp\":\"2026-11-29T08:0");
                }
            }

            lastPath = path;
            if (options.GzipOlderThanDays is int gzipAfter && options.LastDay.DayNumber - date.DayNumber > gzipAfter)
            {
                using (FileStream source = File.OpenRead(path))
                using (FileStream target = File.Create(path + ".gz"))
                using (var gzip = new GZipStream(target, CompressionLevel.Fastest))
                {
                    source.CopyTo(gzip);
                }

                File.Delete(path);
            }
        }

        _ = lastPath;
    }

    private static void AppendRecord(StringBuilder line, Random random, DateTimeOffset start, SampleLogOptions options)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        bool summarize = random.NextDouble() < 0.15;
        double hour = start.UtcDateTime.TimeOfDay.TotalHours;
        double load = 1 + (0.6 * Math.Exp(-Math.Pow((hour - 14) / 3.5, 2)));
        double embedding = LogNormal(random, 0.035, 0.35);
        double retrieval = LogNormal(random, summarize ? 0.5 : 0.32, 0.45) * load * options.RetrievalFactor;
        if (random.NextDouble() < 0.02)
        {
            retrieval *= 4 + (4 * random.NextDouble());
        }

        int promptTokens = random.Next(600, summarize ? 6000 : 2600);
        int completionTokens = random.Next(40, summarize ? 700 : 380);
        double generation = (LogNormal(random, 0.35, 0.3) + (completionTokens * 0.004)) * (0.8 + (0.2 * load));
        string status = "success";
        string? errorType = null;
        double roll = random.NextDouble();
        if (roll < 0.008)
        {
            status = "failure";
            errorType = "TimeoutException";
            generation = 30 + random.NextDouble();
        }
        else if (roll < 0.010)
        {
            status = "cancelled";
            errorType = "TaskCanceledException";
            generation *= random.NextDouble();
        }

        double overhead = 0.004 + (0.01 * random.NextDouble());
        double total = embedding + retrieval + generation + overhead;
        DateTimeOffset end = start.AddSeconds(total);
        if (options.Now is DateTimeOffset now && end > now)
        {
            // A request of the last moments: it started earlier, so that it ended by now.
            start = now.AddSeconds(-total);
            end = now;
        }

        line.Append("{\"start_time\":").Append(Fixed((start - DateTimeOffset.UnixEpoch).Ticks / 1e7))
            .Append(",\"total_time\":").Append(Fixed(total))
            .Append(",\"timestamp\":\"").Append(end.UtcDateTime.ToString(options.PythonFormat ? "yyyy-MM-dd'T'HH:mm:ss.ffffff" : "yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", c)).Append('"')
            .Append(",\"stages\":{");
        Stage(line, "embedding", embedding, total, string.Empty, "success", null, options, first: true);
        Stage(line, "retrieval", retrieval, total, "\"documents\":" + (summarize ? 20 : 50).ToString(c), "success", null, options, first: false);
        Stage(line, "generation", generation, total, "\"tokens\":" + (promptTokens + completionTokens).ToString(c), status, errorType, options, first: false);
        line.Append('}');
        if (!options.PythonFormat)
        {
            line.Append(",\"request\":\"").Append(summarize ? "summarize" : "ask").Append("\",\"request_id\":\"").Append(NewId(random)).Append("\",\"status\":\"").Append(status).Append('"');
            if (errorType is not null)
            {
                line.Append(",\"error_type\":\"").Append(errorType).Append('"');
            }

            line.Append(",\"bottlenecks\":[");
            bool any = false;
            foreach ((string name, double seconds) in new[] { ("embedding", embedding), ("retrieval", retrieval), ("generation", generation) })
            {
                double share = seconds / total;
                if (share > 0.3)
                {
                    line.Append(any ? "," : string.Empty).Append("{\"stage\":\"").Append(name).Append("\",\"share\":").Append(Share(share)).Append(",\"rule\":\"share\"}");
                    any = true;
                }
            }

            line.Append(']');
        }

        line.Append('}');
    }

    private static void Stage(StringBuilder line, string name, double seconds, double total, string metadata, string status, string? errorType, SampleLogOptions options, bool first)
    {
        line.Append(first ? "\"" : ",\"").Append(name).Append("\":{\"duration\":").Append(Fixed(seconds)).Append(",\"metadata\":{").Append(metadata).Append('}');
        if (!options.PythonFormat)
        {
            line.Append(",\"calls\":1,\"share\":").Append(Share(seconds / total)).Append(",\"status\":\"").Append(status).Append('"');
            if (errorType is not null)
            {
                line.Append(",\"error_type\":\"").Append(errorType).Append('"');
            }
        }

        line.Append('}');
    }

    private static string Fixed(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Share(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private static double LogNormal(Random random, double median, double sigma)
    {
        double u1 = 1 - random.NextDouble();
        double u2 = random.NextDouble();
        double normal = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return median * Math.Exp(sigma * normal);
    }

    private static string NewId(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString("N");
    }
}
