using System;
using System.CommandLine;

namespace RagMonitor.Cli;

/// <summary>Which records a command reads: directory, time range and request name.</summary>
internal sealed record LogSelection(string Directory, DateTimeOffset? From, DateTimeOffset? To, string? Request)
{
    /// <summary>The share above which a stage of a Python-module line (which records no bottlenecks) counts as one.</summary>
    internal double BottleneckShareThreshold { get; init; } = 0.30;

    internal PerformanceLogReadOptions ToReadOptions(Action<long>? progress = null, bool includeMetadata = false) => new()
    {
        From = From,
        To = To,
        RequestName = Request,
        IncludeMetadata = includeMetadata,
        Progress = progress,
        BottleneckShareThreshold = BottleneckShareThreshold,
    };

    /// <summary>A one-line description of the selection for headers.</summary>
    internal string Describe()
    {
        string range = (From, To) switch
        {
            (null, null) => "all records",
            (DateTimeOffset f, null) => "since " + DisplayFormat.Time(f),
            (null, DateTimeOffset t) => "until " + DisplayFormat.Time(t),
            (DateTimeOffset f, DateTimeOffset t) => DisplayFormat.Time(f) + " – " + DisplayFormat.Time(t),
        };
        return Request is null ? range : range + ", request " + Request;
    }
}

/// <summary>The options every reading command shares: <c>--log-dir</c>, <c>--since</c>, <c>--until</c>, <c>--request</c>.</summary>
internal sealed class LogSelectionOptions
{
    /// <summary>The monitor's own default (<see cref="PerformanceMonitorOptions.DefaultLogDirectory"/>): ragmon reads where the sample and a default monitor write.</summary>
    internal const string DefaultLogDirectory = PerformanceMonitorOptions.DefaultLogDirectory;

    internal LogSelectionOptions(CliEnvironment environment, bool includeLogDir = true)
    {
        LogDir = includeLogDir
            ? new Option<string>("--log-dir", "-d")
            {
                Description = "Directory with the <yyyyMMdd>_performance.jsonl(.gz) files.",
                HelpName = "DIR",
                DefaultValueFactory = _ => DefaultLogDirectory,
            }
            : null;
        Since = TimeOption("--since", "Only records at or after this time: a span before now (24h, 7d, 90m), a date (2026-11-29, UTC), an ISO 8601 time, today or yesterday.", environment, isUpperBound: false);
        Until = TimeOption("--until", "Only records before this time (same forms as --since; a bare date includes that whole day).", environment, isUpperBound: true);
        Request = new Option<string?>("--request", "-r")
        {
            Description = "Only requests with this name (the \"request\" field; Python-module lines have none).",
            HelpName = "NAME",
        };
        BottleneckThreshold = new Option<double>("--bottleneck-threshold")
        {
            Description = "For Python-module lines, which record no bottlenecks: a stage is one when its duration is strictly more than this fraction of the request's total_time.",
            HelpName = "FRACTION",
            DefaultValueFactory = _ => 0.30,
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
                if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value) && value is >= 0 and <= 1)
                {
                    return value;
                }

                result.AddError($"invalid --bottleneck-threshold value '{text}': expected a fraction from 0 to 1, such as 0.3");
                return 0.30;
            },
        };
    }

    internal Option<string>? LogDir { get; }

    internal Option<DateTimeOffset?> Since { get; }

    internal Option<DateTimeOffset?> Until { get; }

    internal Option<string?> Request { get; }

    internal Option<double> BottleneckThreshold { get; }

    internal void AddTo(Command command)
    {
        if (LogDir is not null)
        {
            command.Options.Add(LogDir);
        }

        command.Options.Add(Since);
        command.Options.Add(Until);
        command.Options.Add(Request);
        command.Options.Add(BottleneckThreshold);
    }

    internal LogSelection Get(ParseResult parseResult, string? directory = null)
    {
        DateTimeOffset? from = parseResult.GetValue(Since);
        DateTimeOffset? to = parseResult.GetValue(Until);
        if (from is DateTimeOffset f && to is DateTimeOffset t && f >= t)
        {
            throw new CliException("--since must be before --until");
        }

        string dir = directory ?? (LogDir is null ? DefaultLogDirectory : parseResult.GetValue(LogDir) ?? DefaultLogDirectory);
        string? request = parseResult.GetValue(Request);
        return new LogSelection(dir, from, to, string.IsNullOrEmpty(request) ? null : request)
        {
            BottleneckShareThreshold = parseResult.GetValue(BottleneckThreshold),
        };
    }

    private static Option<DateTimeOffset?> TimeOption(string name, string description, CliEnvironment environment, bool isUpperBound)
        => new(name)
        {
            Description = description,
            HelpName = "TIME",
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
                if (ValueParsers.TryParseTimeBound(text, environment.Time.GetUtcNow(), isUpperBound, out DateTimeOffset value))
                {
                    return value;
                }

                result.AddError($"invalid {name} value '{text}': expected a span before now (24h, 7d), a date (2026-11-29), an ISO 8601 time, today or yesterday");
                return null;
            },
        };
}
