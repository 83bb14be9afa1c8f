using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace RagMonitor;

/// <summary>What <see cref="LogRetention.Apply"/> keeps: both limits are optional and count whole days.</summary>
/// <param name="DeleteAfterDays">Delete log files whose file-name date is more than this many days before today; <see langword="null"/> deletes nothing.</param>
/// <param name="ArchiveAfterDays">Gzip <c>.jsonl</c> log files whose file-name date is more than this many days before today; <see langword="null"/> archives nothing.</param>
public sealed record RetentionPolicy(int? DeleteAfterDays, int? ArchiveAfterDays);

/// <summary>What retention did (or, in a dry run, would do) to one file.</summary>
public enum RetentionActionKind
{
    /// <summary>The file was deleted.</summary>
    Delete = 0,

    /// <summary>The file was compressed to <c>&lt;name&gt;.gz</c> and the original deleted.</summary>
    Archive = 1,
}

/// <summary>One file handled by <see cref="LogRetention.Apply"/>.</summary>
/// <param name="Kind">Deleted or archived.</param>
/// <param name="Path">The full path of the file acted on (for an archive: the original <c>.jsonl</c>).</param>
/// <param name="FileDate">The date read from the file name.</param>
public sealed record RetentionAction(RetentionActionKind Kind, string Path, DateOnly FileDate);

/// <summary>The outcome of <see cref="LogRetention.Apply"/>.</summary>
/// <param name="Actions">Files deleted or archived (in a dry run: that would be), ordered by path.</param>
/// <param name="Errors">One message per file that could not be handled; the other files were still handled.</param>
public sealed record RetentionResult(IReadOnlyList<RetentionAction> Actions, IReadOnlyList<string> Errors)
{
    /// <summary>
    /// Files not read or written because they (or the archive or temporary file in their place) were symbolic links or not
    /// regular files; each also has a message in <see cref="Errors"/>.
    /// </summary>
    public int Refused { get; init; }
}

/// <summary>
/// Deletes and archives JSONL performance logs by the date in their file names
/// (<c>&lt;yyyyMMdd&gt;_performance.jsonl</c>, the text before the first <c>_</c>), as the scripts of the
/// Python module did. Files whose names do not have that form are never touched.
/// </summary>
/// <remarks>
/// Recognised files are <c>&lt;yyyyMMdd&gt;_…performance.jsonl</c> and <c>&lt;yyyyMMdd&gt;_…performance.jsonl.gz</c> directly in
/// the directory. A file's age is <c>today - fileDate</c> in days; a file is deleted when its age is more than
/// <see cref="RetentionPolicy.DeleteAfterDays"/>, else a <c>.jsonl</c> file is archived when its age is more than
/// <see cref="RetentionPolicy.ArchiveAfterDays"/>. Today's file (age 0) is never touched, so a limit of 0 means
/// "everything before today". Archiving writes <c>&lt;name&gt;.jsonl.gz.tmp</c>, renames it to
/// <c>&lt;name&gt;.jsonl.gz</c> and only then deletes the original; when the <c>.gz</c> exists already (lines were
/// appended after an earlier archive), the new lines are added as a further gzip member, which gzip readers
/// (.NET's <see cref="GZipStream"/>, Python's <c>gzip</c>, <c>zcat</c>) read as one stream. When the original
/// grows while it is being compressed, it is left in place and an error is reported so that the next run retries.
/// <para>
/// Links: nothing is read or written through a symbolic link. A log file, an existing archive or a temporary file that is
/// a link or not a regular file is refused (an error, counted in <see cref="RetentionResult.Refused"/>); the temporary
/// file is created exclusively (<see cref="FileMode.CreateNew"/>), so an existing link is never followed; the rename
/// replaces a link at the archive's name instead of writing through it. Deleting a link deletes the link, not its target.
/// A stale temporary file (a regular file older than ten minutes, left by a crash) is removed; a newer one means another
/// process is archiving, and the file is left for the next run.
/// </para>
/// </remarks>
public static class LogRetention
{
    private const string TempSuffix = ".tmp";

    /// <summary>Applies <paramref name="policy"/> to the log files in <paramref name="logDirectory"/>. Never throws for a single file.</summary>
    /// <param name="logDirectory">The log directory (not searched recursively).</param>
    /// <param name="policy">The limits.</param>
    /// <param name="today">The date ages are counted from (use the same calendar as the file names: UTC by default).</param>
    /// <param name="dryRun">When <see langword="true"/>, only reports what would be done.</param>
    /// <returns>The actions taken and one error message per file that could not be handled.</returns>
    /// <exception cref="ArgumentException">The directory is empty or does not exist, or a limit is negative.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="logDirectory"/> or <paramref name="policy"/> is null.</exception>
    public static RetentionResult Apply(string logDirectory, RetentionPolicy policy, DateOnly today, bool dryRun = false)
    {
        if (logDirectory is null)
        {
            throw new ArgumentNullException(nameof(logDirectory));
        }

        if (policy is null)
        {
            throw new ArgumentNullException(nameof(policy));
        }

        if (string.IsNullOrWhiteSpace(logDirectory))
        {
            throw new ArgumentException("The log directory must not be empty.", nameof(logDirectory));
        }

        if (!Directory.Exists(logDirectory))
        {
            throw new ArgumentException($"The log directory '{logDirectory}' does not exist.", nameof(logDirectory));
        }

        if (policy.DeleteAfterDays is < 0 || policy.ArchiveAfterDays is < 0)
        {
            throw new ArgumentException("DeleteAfterDays and ArchiveAfterDays must not be negative.", nameof(policy));
        }

        var actions = new List<RetentionAction>();
        var errors = new List<string>();
        var refused = 0;
        if (policy.DeleteAfterDays is null && policy.ArchiveAfterDays is null)
        {
            return new RetentionResult(actions, errors);
        }

        string[] files;
        try
        {
            files = Directory.GetFiles(logDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{logDirectory}: {ex.Message}");
            return new RetentionResult(actions, errors);
        }

        Array.Sort(files, StringComparer.Ordinal);
        foreach (var path in files)
        {
            var name = Path.GetFileName(path);
            if (!LogFileNames.TryParse(name, out var fileDate, out var isGzip))
            {
                continue;
            }

            var age = today.DayNumber - fileDate.DayNumber;
            if (policy.DeleteAfterDays is { } deleteAfter && age > deleteAfter)
            {
                actions.Add(new RetentionAction(RetentionActionKind.Delete, path, fileDate));
                if (!dryRun)
                {
                    try
                    {
                        File.Delete(path);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        actions.RemoveAt(actions.Count - 1);
                        errors.Add($"{path}: could not delete: {ex.Message}");
                    }
                }
            }
            else if (!isGzip && policy.ArchiveAfterDays is { } archiveAfter && age > archiveAfter)
            {
                actions.Add(new RetentionAction(RetentionActionKind.Archive, path, fileDate));
                if (!dryRun && !TryArchive(path, out var error, ref refused))
                {
                    actions.RemoveAt(actions.Count - 1);
                    errors.Add($"{path}: could not archive: {error}");
                }
            }
        }

        return new RetentionResult(actions, errors) { Refused = refused };
    }

    /// <summary>A temporary archive older than this was left by a crash and is removed; a newer one belongs to a running archiver.</summary>
    private static readonly TimeSpan s_staleTemporaryAge = TimeSpan.FromMinutes(10);

    private static bool TryArchive(string path, out string? error, ref int refused)
    {
        var target = path + ".gz";
        var temp = target + TempSuffix;
        var ownsTemp = false;
        try
        {
            long copied;
            using (var source = AppendOnlyFile.OpenForReading(path))
            {
                // Created exclusively: never through a link left at its name, and a second process archiving the same file at
                // the same time fails here (and reports it) instead of interleaving.
                using var output = CreateTemporary(temp, ref refused);
                ownsTemp = true;
                if (File.Exists(target) || AppendOnlyFile.IsLink(target))
                {
                    using var existing = AppendOnlyFile.OpenForReading(target);
                    existing.CopyTo(output);
                }

                using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
                {
                    source.CopyTo(gzip);
                }

                copied = source.Position;
                output.Flush(flushToDisk: true);
                if (source.Length != copied)
                {
                    error = "the file grew while it was compressed; it is left in place for the next run";
                    output.Dispose();
                    TryDelete(temp);
                    return false;
                }
            }

            File.Move(temp, target, overwrite: true);
            File.Delete(path);
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            if (ownsTemp)
            {
                TryDelete(temp);
            }

            if (ex is UnsafeLogFileException)
            {
                refused++;
            }

            error = ex.Message;
            return false;
        }
    }

    /// <summary>
    /// Creates the temporary archive exclusively. Something already at its name is removed first when it is a link or not a
    /// regular file (counted as refused; deleting a link leaves its target alone) or a stale regular file; otherwise
    /// another archiver is at work and this throws.
    /// </summary>
    private static FileStream CreateTemporary(string temp, ref int refused)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920);
            }
            catch (IOException) when (attempt == 0 && (File.Exists(temp) || AppendOnlyFile.IsLink(temp) || Directory.Exists(temp)))
            {
                var info = new FileInfo(temp);
                if (AppendOnlyFile.IsLink(temp) || Directory.Exists(temp) || !IsRegularFile(info))
                {
                    refused++;
                    if (Directory.Exists(temp) && !AppendOnlyFile.IsLink(temp))
                    {
                        throw new UnsafeLogFileException($"'{temp}' is a directory; not archived.");
                    }

                    File.Delete(temp);
                    continue;
                }

                if (DateTime.UtcNow - info.LastWriteTimeUtc > s_staleTemporaryAge)
                {
                    File.Delete(temp);
                    continue;
                }

                throw new IOException($"'{temp}' exists: another process is archiving this file; it is left for the next run.");
            }
        }
    }

    /// <summary>Whether <paramref name="info"/> (not a link) is a regular file: not a directory, device, FIFO or socket.</summary>
    private static bool IsRegularFile(FileInfo info)
    {
        if (!info.Exists)
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return (info.Attributes & (FileAttributes.Directory | FileAttributes.Device | FileAttributes.ReparsePoint)) == 0;
        }

        try
        {
            using var probe = AppendOnlyFile.OpenForReading(info.FullName);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _ = ex;
        }
    }
}
