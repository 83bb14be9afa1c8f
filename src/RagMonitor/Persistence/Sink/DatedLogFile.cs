using System;
using System.IO;

namespace RagMonitor;

/// <summary>
/// The log file a sink appends to: <c>&lt;log_dir&gt;/&lt;yyyyMMdd&gt;_performance.jsonl</c> for the date of the lines
/// given, opened through <see cref="AppendOnlyFile"/> (append only, whole lines per write, never a symbolic link) and
/// kept open until <see cref="Close"/> or a line of another date. Used by the sink's writer thread only.
/// </summary>
internal sealed class DatedLogFile : IDisposable
{
    /// <summary>Bytes appended to a file between two page releases (<see cref="PerformanceMonitorOptions.ReleaseWrittenLogPages"/>).</summary>
    internal const long PageReleaseBytes = 8L << 20;

    private readonly string _directory;
    private readonly bool _releasePages;
    private AppendOnlyFile? _file;
    private DateOnly _date;
    private bool _lineTorn;

    // Page release for the current date's file (kept while the file is closed and reopened between wake-ups).
    private bool _pageReleaseFailed;
    private long _appendedSinceRelease;
    private long _droppedUpTo;
    private long _writeOutFrom;

    /// <param name="directory">The full path of the log directory.</param>
    /// <param name="releasePages">See <see cref="PerformanceMonitorOptions.ReleaseWrittenLogPages"/>.</param>
    internal DatedLogFile(string directory, bool releasePages)
    {
        _directory = directory;
        _releasePages = releasePages;
    }

    /// <summary>The full path of the log directory.</summary>
    internal string Directory => _directory;

    /// <summary>The full path of the file for <paramref name="date"/>.</summary>
    internal string PathFor(DateOnly date) => Path.Combine(_directory, LogFileNames.For(date));

    /// <summary>
    /// Appends whole lines to the file of <paramref name="date"/> with one write. Throws what opening or writing throws
    /// (<see cref="PartialWriteException"/> after a short write; <see cref="UnsafeLogFileException"/> for a refused file).
    /// </summary>
    internal void Append(DateOnly date, ReadOnlySpan<byte> lines)
    {
        if (_file is null || _date != date)
        {
            Close();
            _file = AppendOnlyFile.Open(PathFor(date));
            if (_date != date)
            {
                _date = date;
                _pageReleaseFailed = false;
                _appendedSinceRelease = _droppedUpTo = _writeOutFrom = 0;
            }
        }

        if (_lineTorn && !_file.StartsLinesFresh)
        {
            // An earlier write stopped in the middle of a line: end that torn line so the next ones stay whole. (Where
            // the file can be read back, WriteLines checks the last byte of the file before every write instead.)
            _file.WriteLines("\n"u8);
        }

        _lineTorn = false;
        _file.WriteLines(lines);
        if (_releasePages && !_pageReleaseFailed)
        {
            _appendedSinceRelease += lines.Length;
            if (_appendedSinceRelease >= PageReleaseBytes)
            {
                // Drops the lines whose write-out the previous release started, starts the write-out of the newer ones.
                _appendedSinceRelease = 0;
                _pageReleaseFailed = !_file.ReleaseWrittenPages(ref _droppedUpTo, ref _writeOutFrom);
            }
        }
    }

    /// <summary>Remembers that the last write stopped in the middle of a line.</summary>
    internal void MarkLineTorn() => _lineTorn = true;

    /// <summary>Closes the file (the next append opens it again).</summary>
    internal void Close()
    {
        _file?.Dispose();
        _file = null;
    }

    /// <inheritdoc />
    public void Dispose() => Close();
}
