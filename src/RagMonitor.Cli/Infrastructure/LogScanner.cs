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

    internal static PerformanceLogReadStatistics Scan(CliEnvironment environment, LogSelection selection, PerformanceLogEntryHandler handler, bool includeMetadata = false)
    {
        if (!Directory.Exists(selection.Directory))
        {
            throw new CliException($"log directory '{selection.Directory}' does not exist (use --log-dir)");
        }

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

        if (files.Count == 0)
        {
            environment.Error.WriteLine($"ragmon: no log files (<yyyyMMdd>_performance.jsonl or .jsonl.gz) in '{selection.Directory}' for the selected period");
        }

        long totalBytes = files.Sum(f => f.Length);
        PerformanceLogReadStatistics statistics;
        try
        {
            if (environment.ShowProgress && totalBytes >= ProgressThresholdBytes)
            {
                statistics = ScanWithProgress(files, selection, handler, includeMetadata, totalBytes);
            }
            else
            {
                statistics = PerformanceLog.Read(files, selection.ToReadOptions(includeMetadata: includeMetadata), handler);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new CliException($"cannot read the logs in '{selection.Directory}': {ex.Message}");
        }

        ReportSkipped(environment, statistics);
        if (files.Count > 0 && statistics.RecordsMatched == 0)
        {
            environment.Error.WriteLine($"ragmon: no records match ({selection.Describe()}) in {files.Count} file(s)");
        }

        return statistics;
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

    private static PerformanceLogReadStatistics ScanWithProgress(IReadOnlyList<PerformanceLogFile> files, LogSelection selection, PerformanceLogEntryHandler handler, bool includeMetadata, long totalBytes)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
        });
        PerformanceLogReadStatistics? statistics = null;
        console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask($"Reading {files.Count} log file(s)", maxValue: totalBytes);
                statistics = PerformanceLog.Read(files, selection.ToReadOptions(bytes => task.Value = bytes, includeMetadata), handler);
                task.Value = totalBytes;
            });
        return statistics!;
    }
}
