using System;
using System.CommandLine;
using System.IO;

namespace RagMonitor.Cli.Commands;

/// <summary><c>ragmon cleanup</c>: deletes and gzips log files by the date in their names (<see cref="LogRetention"/>).</summary>
internal static class CleanupCommand
{
    internal static Command Build(CliEnvironment environment)
    {
        var logDir = new Option<string>("--log-dir", "-d")
        {
            Description = "Directory with the <yyyyMMdd>_performance.jsonl(.gz) files.",
            HelpName = "DIR",
            DefaultValueFactory = _ => LogSelectionOptions.DefaultLogDirectory,
        };
        var retention = new Option<int?>("--retention-days")
        {
            Description = "Delete files whose file-name date is more than N days before today (UTC). Today's file is never touched.",
            HelpName = "N",
        };
        var archive = new Option<int?>("--archive-after")
        {
            Description = "Gzip .jsonl files whose file-name date is more than M days before today (they stay readable by every command).",
            HelpName = "M",
        };
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Only print what would be deleted or archived.",
        };
        var command = new Command("cleanup", "Deletes and archives (gzips) log files by the date in their file names, like the Python module's cleanup script, and prints what it did or would do.");
        command.Options.Add(logDir);
        command.Options.Add(retention);
        command.Options.Add(archive);
        command.Options.Add(dryRun);
        command.SetAction(parseResult =>
        {
            string directory = parseResult.GetValue(logDir) ?? LogSelectionOptions.DefaultLogDirectory;
            int? deleteAfter = parseResult.GetValue(retention);
            int? archiveAfter = parseResult.GetValue(archive);
            bool dry = parseResult.GetValue(dryRun);
            if (deleteAfter is null && archiveAfter is null)
            {
                throw new CliException("give --retention-days N and/or --archive-after M");
            }

            if (deleteAfter < 0 || archiveAfter < 0)
            {
                throw new CliException("--retention-days and --archive-after must not be negative");
            }

            LogScanner.RequireDirectory(directory);

            if (deleteAfter is int d && archiveAfter is int a && a >= d)
            {
                environment.Error.WriteLine($"ragmon: --archive-after {a} is not below --retention-days {d}: files are deleted before they would be archived");
            }

            DateOnly today = DateOnly.FromDateTime(environment.Time.GetUtcNow().UtcDateTime);
            RetentionResult result;
            try
            {
                result = LogRetention.Apply(directory, new RetentionPolicy(deleteAfter, archiveAfter), today, dry);
            }
            catch (ArgumentException ex)
            {
                throw new CliException(ex.Message);
            }

            string prefix = dry ? "would " : string.Empty;
            foreach (RetentionAction action in result.Actions)
            {
                string verb = action.Kind == RetentionActionKind.Delete ? "delete" : "archive";
                string done = action.Kind == RetentionActionKind.Delete ? "deleted" : "archived";
                environment.Output.WriteLine($"{(dry ? prefix + verb : done)} {Path.GetFileName(action.Path)} ({action.FileDate:yyyy-MM-dd}){(action.Kind == RetentionActionKind.Archive ? " -> " + Path.GetFileName(action.Path) + ".gz" : string.Empty)}");
            }

            int deleted = 0;
            int archived = 0;
            foreach (RetentionAction action in result.Actions)
            {
                if (action.Kind == RetentionActionKind.Delete)
                {
                    deleted++;
                }
                else
                {
                    archived++;
                }
            }

            environment.Output.WriteLine($"{(dry ? "dry run: would delete" : "deleted")} {deleted} file(s), {(dry ? "would archive" : "archived")} {archived} file(s) in {directory} (today is {today:yyyy-MM-dd} UTC)");
            foreach (string error in result.Errors)
            {
                environment.Error.WriteLine("ragmon: " + error);
            }

            return result.Errors.Count > 0 ? ExitCodes.CheckFailed : ExitCodes.Ok;
        });
        return command;
    }
}
