using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Spectre.Console;

namespace RagMonitor.Cli;

/// <summary>Runs a read over the selected logs: checks the directory, draws progress on a terminal, reports skipped lines on standard error.</summary>
internal static class LogScanner
{
    /// <summary>Scans at least this many bytes before a progress bar is worth drawing.</summary>
    private const long ProgressThresholdBytes = 32L * 1024 * 1024;

    /// <summary>
    /// Reads the selected logs on all cores: each chunk of the files gets its own state from <paramref name="create"/>,
    /// filled by <paramref name="visit"/>; the states are passed to <paramref name="merge"/> in file order.
    /// </summary>
    /// <param name="environment">The console, terminal and error streams of this run.</param>
    /// <param name="selection">The log directory and the files, dates and filters chosen on the command line.</param>
    /// <param name="create">Makes an empty state for one chunk of the files.</param>
    /// <param name="visit">Adds one log entry to a chunk's state.</param>
    /// <param name="merge">Receives each chunk's filled state, in file order.</param>
    /// <param name="quiet">A second read of the same logs: no messages about missing files or skipped lines (the first read gave them).</param>
    internal static PerformanceLogReadStatistics Scan<TState>(CliEnvironment environment, LogSelection selection, Func<TState> create, Action<TState, PerformanceLogEntry> visit, Action<TState> merge, bool quiet = false)
    {
        RequireDirectory(selection.Directory);

        IReadOnlyList<PerformanceLogFile> files;
        PerformanceLogReadOptions probe = selection.ToReadOptions();
        try
        {
            files = PerformanceLog.ListFiles(selection.Directory, probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot list '{selection.Directory}': {ex.Message}");
        }

        if (files.Count == 0 && !quiet)
        {
            environment.Error.WriteLine($"ragmon: no log files (<yyyyMMdd>_performance.jsonl or .jsonl.gz) in '{selection.Directory}' for the selected period");
        }

        long totalBytes = files.Sum(f => f.Length);
        PerformanceLogReadStatistics statistics;
        try
        {
            if (environment.ShowProgress && totalBytes >= ProgressThresholdBytes)
            {
                statistics = ScanWithProgress(files, totalBytes, progress => Read(files, selection.ToReadOptions(progress), create, visit, merge));
            }
            else
            {
                statistics = Read(files, selection.ToReadOptions(), create, visit, merge);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new CliException($"cannot read the logs in '{selection.Directory}': {ex.Message}");
        }

        if (quiet)
        {
            return statistics;
        }

        ReportSkipped(environment, statistics);
        if (files.Count > 0 && statistics.RecordsMatched == 0)
        {
            environment.Error.WriteLine($"ragmon: no records match ({selection.Describe()}) in {files.Count} file(s)");
        }

        return statistics;
    }

    /// <summary>Stops with a one-line message when <paramref name="directory"/> is a file or does not exist.</summary>
    internal static void RequireDirectory(string directory, string option = "--log-dir")
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        if (File.Exists(directory))
        {
            throw new CliException($"log directory '{directory}' is a file, not a directory (give {option} the directory that holds the <yyyyMMdd>_performance.jsonl files)");
        }

        throw new CliException($"log directory '{directory}' does not exist (use {option})");
    }

    internal static void ReportSkipped(CliEnvironment environment, PerformanceLogReadStatistics statistics)
    {
        if (statistics.LinesSkipped == 0)
        {
            return;
        }

        environment.Error.WriteLine($"ragmon: skipped {statistics.LinesSkipped} unreadable line(s) of {statistics.LinesRead}:");
        foreach (SkippedLogLine line in statistics.SkippedLines.Take(5))
        {
            environment.Error.WriteLine($"  {line}");
        }

        if (statistics.LinesSkipped > 5)
        {
            environment.Error.WriteLine($"  … and {statistics.LinesSkipped - 5} more");
        }
    }

    /// <summary>Threads for a scan: the RAGMON_THREADS environment variable, else one per core.</summary>
    internal static int Threads
        => int.TryParse(Environment.GetEnvironmentVariable("RAGMON_THREADS"), out int threads) && threads > 0 ? threads : Environment.ProcessorCount;

    private static PerformanceLogReadStatistics Read<TState>(IReadOnlyList<PerformanceLogFile> files, PerformanceLogReadOptions options, Func<TState> create, Action<TState, PerformanceLogEntry> visit, Action<TState> merge)
        => PerformanceLog.ReadParallel(files, options, create, visit, merge, Threads);

    private static PerformanceLogReadStatistics ScanWithProgress(IReadOnlyList<PerformanceLogFile> files, long totalBytes, Func<Action<long>, PerformanceLogReadStatistics> read)
    {
        // Only called when standard error is a terminal (see CliEnvironment.ShowProgress), so draw a live bar there
        // even when standard output is redirected.
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        PerformanceLogReadStatistics? statistics = null;
        console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask($"Reading {files.Count} log file(s)", maxValue: totalBytes);
                statistics = read(bytes => task.Value = bytes);
                task.Value = totalBytes;
            });
        return statistics!;
    }
}
