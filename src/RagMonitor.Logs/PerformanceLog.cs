using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;

namespace RagMonitor;

/// <summary>
/// Reads JSONL performance logs: RagMonitor's lines and the Python module's (which have only
/// <c>start_time</c>, <c>total_time</c>, <c>timestamp</c> and <c>stages.*.duration</c>/<c>metadata</c>).
/// </summary>
/// <remarks>
/// <para>Files are <c>&lt;yyyyMMdd&gt;_…performance.jsonl</c> and <c>…performance.jsonl.gz</c> directly in the directory,
/// read in order of the date in their name, then name. A time range selects files by that date (with one day of
/// margin, since the writer may name files by UTC or by local date) and records by their <c>timestamp</c>.</para>
/// <para>A line that cannot be used — a torn last line after a crash, invalid JSON, no <c>total_time</c> — is skipped
/// and counted in <see cref="PerformanceLogReadStatistics"/> with its file and line number; reading goes on.
/// Python's bare <c>NaN</c>/<c>Infinity</c> are read as null, and a torn record followed by a whole one on the same
/// line keeps the whole one.</para>
/// <para>Two ways to read: <see cref="ReadAsync(string, DateTimeOffset?, DateTimeOffset?, PerformanceLogReadStatistics?, CancellationToken)"/>
/// returns immutable <see cref="PerformanceLogRecord"/>s (easy); <see cref="Read(string, PerformanceLogReadOptions?, PerformanceLogEntryHandler, CancellationToken)"/>
/// calls a handler with a reused <see cref="PerformanceLogEntry"/> (several times faster: no allocation per line
/// unless the handler asks for the request id or metadata).</para>
/// </remarks>
public static partial class PerformanceLog
{
    /// <summary>The default log directory, <c>logs/performance</c> (relative to the working directory).</summary>
    public const string DefaultDirectory = "logs/performance";

    /// <summary>Lists the log files in <paramref name="directory"/> whose file-name date is within the given dates (inclusive), ordered by date then name.</summary>
    /// <param name="directory">The log directory (not searched recursively).</param>
    /// <param name="firstDate">The earliest file date, or <see langword="null"/>.</param>
    /// <param name="lastDate">The latest file date, or <see langword="null"/>.</param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    public static IReadOnlyList<PerformanceLogFile> ListFiles(string directory, DateOnly? firstDate = null, DateOnly? lastDate = null)
    {
        if (directory is null)
        {
            throw new ArgumentNullException(nameof(directory));
        }

        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The log directory '{directory}' does not exist.");
        }

        var files = new List<PerformanceLogFile>();
        foreach (string path in Directory.EnumerateFiles(directory, "*performance.jsonl*"))
        {
            if (!PerformanceLogFile.TryParseFileName(path, out DateOnly date, out bool compressed)
                || (firstDate is DateOnly first && date < first)
                || (lastDate is DateOnly last && date > last))
            {
                continue;
            }

            long length;
            try
            {
                length = new FileInfo(path).Length;
            }
            catch (IOException)
            {
                continue;
            }

            files.Add(new PerformanceLogFile(Path.GetFullPath(path), date, compressed, length));
        }

        files.Sort(static (a, b) =>
        {
            int byDate = a.Date.CompareTo(b.Date);
            return byDate != 0 ? byDate : string.CompareOrdinal(a.Path, b.Path);
        });
        return files;
    }

    /// <summary>Lists the files a read with <paramref name="options"/> would open (see <see cref="PerformanceLogReadOptions.From"/>).</summary>
    public static IReadOnlyList<PerformanceLogFile> ListFiles(string directory, PerformanceLogReadOptions? options)
    {
        options ??= PerformanceLogReadOptions.Default;
        return ListFiles(directory, options.FirstFileDate, options.LastFileDate);
    }

    /// <summary>Reads the records of <paramref name="directory"/> with a <c>timestamp</c> in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    /// <param name="directory">The log directory.</param>
    /// <param name="from">Inclusive lower bound, or <see langword="null"/>.</param>
    /// <param name="to">Exclusive upper bound, or <see langword="null"/>.</param>
    /// <param name="statistics">Filled with counts as the read goes on (skipped lines included), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist (thrown on the first <c>MoveNextAsync</c>).</exception>
    public static IAsyncEnumerable<PerformanceLogRecord> ReadAsync(
        string directory,
        DateTimeOffset? from = null,
        DateTimeOffset? to = null,
        PerformanceLogReadStatistics? statistics = null,
        CancellationToken cancellationToken = default)
        => ReadAsync(directory, new PerformanceLogReadOptions { From = from, To = to }, statistics, cancellationToken);

    /// <summary>Reads the records of <paramref name="directory"/> selected by <paramref name="options"/>.</summary>
    /// <param name="directory">The log directory.</param>
    /// <param name="options">Time range, request filter and other options.</param>
    /// <param name="statistics">Filled with counts as the read goes on, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    public static IAsyncEnumerable<PerformanceLogRecord> ReadAsync(
        string directory,
        PerformanceLogReadOptions? options,
        PerformanceLogReadStatistics? statistics = null,
        CancellationToken cancellationToken = default)
    {
        if (directory is null)
        {
            throw new ArgumentNullException(nameof(directory));
        }

        options ??= PerformanceLogReadOptions.Default;
        return ReadFilesAsync(ListFilesLazily(directory, options), options, statistics ?? new PerformanceLogReadStatistics(), cancellationToken);
    }

    /// <summary>Reads the records of the given files (see <see cref="ListFiles(string, DateOnly?, DateOnly?)"/>).</summary>
    public static IAsyncEnumerable<PerformanceLogRecord> ReadAsync(
        IEnumerable<PerformanceLogFile> files,
        PerformanceLogReadOptions? options = null,
        PerformanceLogReadStatistics? statistics = null,
        CancellationToken cancellationToken = default)
    {
        if (files is null)
        {
            throw new ArgumentNullException(nameof(files));
        }

        return ReadFilesAsync(files, options ?? PerformanceLogReadOptions.Default, statistics ?? new PerformanceLogReadStatistics(), cancellationToken);
    }

    /// <summary>
    /// Reads the records of <paramref name="directory"/> selected by <paramref name="options"/>, calling
    /// <paramref name="handler"/> for each with a reused <see cref="PerformanceLogEntry"/> (the fast path).
    /// </summary>
    /// <returns>The counts of the read, with the skipped lines.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    public static PerformanceLogReadStatistics Read(string directory, PerformanceLogReadOptions? options, PerformanceLogEntryHandler handler, CancellationToken cancellationToken = default)
        => Read(ListFiles(directory, options), options, handler, cancellationToken);

    /// <summary>Reads the given files, calling <paramref name="handler"/> for each matching record (the fast path).</summary>
    /// <returns>The counts of the read, with the skipped lines.</returns>
    public static PerformanceLogReadStatistics Read(IEnumerable<PerformanceLogFile> files, PerformanceLogReadOptions? options, PerformanceLogEntryHandler handler, CancellationToken cancellationToken = default)
    {
        if (files is null)
        {
            throw new ArgumentNullException(nameof(files));
        }

        if (handler is null)
        {
            throw new ArgumentNullException(nameof(handler));
        }

        options ??= PerformanceLogReadOptions.Default;
        var statistics = new PerformanceLogReadStatistics();
        var session = new ReadSession(options, statistics);
        foreach (PerformanceLogFile file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using PerformanceLogLineSource? source = session.TryOpen(file, asyncIo: false);
            if (source is null)
            {
                continue;
            }

            while (true)
            {
                LineRead state = session.Drain(source, handler);
                if (state == LineRead.End)
                {
                    break;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (!session.TryFill(source))
                {
                    break;
                }

                session.ReportProgress(source);
            }

            session.Close(source);
        }

        return statistics;
    }

    private static IEnumerable<PerformanceLogFile> ListFilesLazily(string directory, PerformanceLogReadOptions options)
    {
        foreach (PerformanceLogFile file in ListFiles(directory, options))
        {
            yield return file;
        }
    }

    private static async IAsyncEnumerable<PerformanceLogRecord> ReadFilesAsync(
        IEnumerable<PerformanceLogFile> files,
        PerformanceLogReadOptions options,
        PerformanceLogReadStatistics statistics,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var session = new ReadSession(options, statistics);
        var batch = new List<PerformanceLogRecord>();
        PerformanceLogEntryHandler collect = entry => batch.Add(entry.ToRecord());
        foreach (PerformanceLogFile file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            PerformanceLogLineSource? source = session.TryOpen(file, asyncIo: true);
            if (source is null)
            {
                continue;
            }

            try
            {
                while (true)
                {
                    LineRead state = session.Drain(source, collect);
                    foreach (PerformanceLogRecord record in batch)
                    {
                        yield return record;
                    }

                    batch.Clear();
                    if (state == LineRead.End)
                    {
                        break;
                    }

                    bool filled;
                    try
                    {
                        await source.FillAsync(cancellationToken).ConfigureAwait(false);
                        filled = true;
                    }
                    catch (Exception ex) when (IsUnreadableFile(ex))
                    {
                        session.SkipRestOfFile(source, ex);
                        filled = false;
                    }

                    if (!filled)
                    {
                        break;
                    }

                    session.ReportProgress(source);
                }

                session.Close(source);
            }
            finally
            {
                source.Dispose();
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="exception"/> means the file cannot be read (further): gone, not permitted, an I/O error, or
    /// data that is not gzip. Such a file is counted as one skipped line with its path and the reader goes on with the next.
    /// </summary>
    private static bool IsUnreadableFile(Exception exception)
        => exception is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException;

    /// <summary>State shared by the sync and async loops: parser, filters and counters.</summary>
    private sealed class ReadSession
    {
        private readonly PerformanceLogReadOptions _options;
        private readonly PerformanceLogReadStatistics _statistics;
        private readonly PerformanceLogLineParser _parser;
        private readonly PerformanceLogEntry _entry = new();
        private readonly long _fromTicks;
        private readonly long _toTicks;
        private long _bytesBeforeFile;
        private string _path = string.Empty;
        private bool _hideLineNumbers;

        internal ReadSession(PerformanceLogReadOptions options, PerformanceLogReadStatistics statistics)
        {
            _options = options;
            _statistics = statistics;
            _parser = new PerformanceLogLineParser(options.TimestampsWithoutOffsetAreUtc);
            _fromTicks = options.From?.UtcTicks ?? long.MinValue;
            _toTicks = options.To?.UtcTicks ?? long.MaxValue;
        }

        internal PerformanceLogLineSource Open(PerformanceLogFile file, bool asyncIo)
        {
            _path = file.Path;
            _entry.FilePath = file.Path;
            _statistics.FilesRead++;
            return new PerformanceLogLineSource(file.Path, file.IsCompressed, Math.Max(1024, _options.MaxLineLength), asyncIo);
        }

        /// <summary>Opens a file, or counts it as one skipped line (with the reason) and returns null when it cannot be opened.</summary>
        internal PerformanceLogLineSource? TryOpen(PerformanceLogFile file, bool asyncIo)
        {
            try
            {
                return Open(file, asyncIo);
            }
            catch (Exception ex) when (IsUnreadableFile(ex))
            {
                SkipRestOfFile(null, ex);
                return null;
            }
        }

        /// <summary>Opens one chunk of a file, or counts it as one skipped line and returns null when it cannot be opened.</summary>
        internal PerformanceLogLineSource? TryOpen(PerformanceLogFile file, long start, long end)
        {
            try
            {
                return Open(file, start, end);
            }
            catch (Exception ex) when (IsUnreadableFile(ex))
            {
                SkipRestOfFile(null, ex);
                return null;
            }
        }

        /// <summary>Reads the next block; on a read error or corrupt data counts the rest of the file as one skipped line and returns false.</summary>
        internal bool TryFill(PerformanceLogLineSource source)
        {
            try
            {
                source.Fill();
                return true;
            }
            catch (Exception ex) when (IsUnreadableFile(ex))
            {
                SkipRestOfFile(source, ex);
                return false;
            }
        }

        /// <summary>Counts what is left of the current file (all of it when <paramref name="source"/> is null) as one skipped line.</summary>
        internal void SkipRestOfFile(PerformanceLogLineSource? source, Exception exception)
        {
            long line = (source?.LineNumber ?? 0) + 1;
            string what = source is null ? "cannot open the file" : "cannot read the file from here on";
            _statistics.LinesRead++;
            _statistics.AddSkipped(new SkippedLogLine(_path, line, $"{what} ({exception.GetType().Name}: {exception.Message}); the rest of this file is skipped"), _options);
        }

        /// <summary>Opens one chunk of a file for a parallel read.</summary>
        internal PerformanceLogLineSource Open(PerformanceLogFile file, long start, long end)
        {
            _path = file.Path;
            _entry.FilePath = file.Path;
            return new PerformanceLogLineSource(file.Path, file.IsCompressed, Math.Max(1024, _options.MaxLineLength), false, start, end);
        }

        /// <summary>Entries of this chunk report line number 0 (their true number is known only after the earlier chunks are read).</summary>
        internal void HideLineNumbers() => _hideLineNumbers = true;

        internal void ReportProgress(PerformanceLogLineSource source)
            => _options.Progress?.Invoke(_bytesBeforeFile + source.FilePosition);

        internal void Close(PerformanceLogLineSource source)
        {
            long position = source.FilePosition;
            _bytesBeforeFile += position;
            _statistics.BytesRead += position;
            _statistics.UncompressedBytesRead += source.BytesOut;
        }

        /// <summary>Hands every whole line in the buffer to the parser; returns NeedData or End.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal LineRead Drain(PerformanceLogLineSource source, PerformanceLogEntryHandler handler)
        {
            PerformanceLogEntry entry = _entry;
            PerformanceLogReadStatistics statistics = _statistics;
            string? requestFilter = _options.RequestName;
            bool includeMetadata = _options.IncludeMetadata;
            while (true)
            {
                LineRead state = source.Next(out int offset, out int length);
                if (state == LineRead.TooLong)
                {
                    statistics.LinesRead++;
                    statistics.AddSkipped(new SkippedLogLine(_path, source.LineNumber, string.Create(CultureInfo.InvariantCulture, $"line longer than {_options.MaxLineLength} bytes")), _options);
                    continue;
                }

                if (state != LineRead.Line)
                {
                    return state;
                }

                if (IsBlank(source.Buffer, offset, length))
                {
                    continue;
                }

                statistics.LinesRead++;
                entry.LineNumber = _hideLineNumbers ? 0 : source.LineNumber;
                string? error = _parser.Parse(source.Buffer, offset, length, entry, includeMetadata);
                if (error is not null)
                {
                    statistics.AddSkipped(new SkippedLogLine(_path, source.LineNumber, error), _options);
                    continue;
                }

                if (_parser.DroppedPrefix is string dropped)
                {
                    statistics.AddSkipped(new SkippedLogLine(_path, source.LineNumber, dropped), _options);
                }

                entry.AddShareBottlenecksWhenNoneWritten(_options.BottleneckShareThreshold);
                statistics.RecordsRead++;
                long ticks = entry.Timestamp.UtcTicks;
                if (ticks < _fromTicks || ticks >= _toTicks)
                {
                    continue;
                }

                if (requestFilter is not null && !string.Equals(requestFilter, entry.RequestName, StringComparison.Ordinal))
                {
                    continue;
                }

                statistics.AddMatched(entry.Timestamp);
                handler(entry);
            }
        }

        private static bool IsBlank(byte[] buffer, int offset, int length)
        {
            for (int i = offset; i < offset + length; i++)
            {
                byte b = buffer[i];
                if (b != (byte)' ' && b != (byte)'\t' && b != (byte)'\r')
                {
                    return false;
                }
            }

            return true;
        }
    }
}
