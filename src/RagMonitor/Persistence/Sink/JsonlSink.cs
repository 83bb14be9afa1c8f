using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace RagMonitor;

/// <summary>
/// Writes finished requests as JSON lines to <c>&lt;log_dir&gt;/&lt;yyyyMMdd&gt;_performance.jsonl</c>: a bounded
/// queue drained by one background writer thread. The thread that ends a request only enqueues (it never
/// waits on disk and never throws); when the queue is full the record is dropped and counted.
/// </summary>
/// <remarks>
/// <para>
/// The writer wakes on its own schedule (<see cref="PerformanceMonitorOptions.FlushInterval"/>, default 10 ms),
/// never per record: waking a parked thread costs the producer microseconds. After 100 wake-ups without a record
/// it goes idle (sleeps up to a second) and the first record after that wakes it once. Each wake-up it serializes every
/// queued record with <see cref="System.Text.Json.Utf8JsonWriter"/> into a reused buffer and appends it to the
/// file in chunks of about 64 KiB, each chunk made of whole lines and written with one append system call
/// (<c>O_APPEND</c>), so a line is never split and two processes appending to the same file never tear each
/// other's lines. A record goes to the file of the date its request ended (UTC by default,
/// <see cref="PerformanceMonitorOptions.UseUtcFileDates"/>). The directory is created when missing. Every append starts on
/// a fresh line (a line torn by a crash is ended first), and the file is never a symbolic link or anything but a regular
/// file (refused, counted in <see cref="FilesRefused"/>, logged once, retried like a write failure).
/// </para>
/// <para>
/// Every sink is flushed when the process exits normally (<see cref="AppDomain.ProcessExit"/>, at most 5 seconds for all
/// sinks together), whether or not it was disposed; its writer is a background thread, so a sink nobody disposes never
/// keeps the process alive. <see cref="Dispose"/> and <see cref="DisposeAsync"/> wait at most 10 seconds; whatever is not
/// written then is counted as dropped (<see cref="RecordsGivenUpAtClose"/>), so written + dropped = accepted.
/// </para>
/// <para>
/// When a write fails (for example an unwritable directory) the failure is counted (<see cref="WriteFailures"/>),
/// logged once per failure streak, and retried with a back-off of up to one second; the unwritten records stay
/// in memory, bounded by the queue's capacity (newer records are then dropped and counted). On a change of date
/// (and once at start), when <see cref="PerformanceMonitorOptions.RetentionDays"/> or
/// <see cref="PerformanceMonitorOptions.ArchiveAfterDays"/> is set, <see cref="LogRetention"/> runs on a pool thread.
/// </para>
/// <para>
/// The parts, one job each: <see cref="SinkQueue"/> (the hand-off and the writer's wake-up policy), <see cref="JsonlWriter"/>
/// (the writer thread: formatting, chunking, back-off), <see cref="JsonlRecordFormatter"/> (one line per record),
/// <see cref="DatedLogFile"/> and <see cref="AppendOnlyFile"/> (the file), <see cref="RetentionSchedule"/> (when retention
/// runs), <see cref="SinkCounters"/> (written + dropped + pending = accepted) and <see cref="FlushWaiters"/>.
/// </para>
/// </remarks>
public sealed class JsonlSink : IRequestSink, IDisposable
{
    /// <summary>The size at which the writer sends a chunk of lines to the file.</summary>
    internal const int ChunkSize = JsonlWriter.ChunkSize;

    /// <summary>How long <see cref="Dispose"/> and <see cref="DisposeAsync"/> wait for the writer: 10 seconds.</summary>
    internal static readonly TimeSpan DisposeTimeout = TimeSpan.FromSeconds(10);

    private readonly int _capacity;
    private readonly SinkQueue _queue = new();
    private readonly SinkCounters _counters = new();
    private readonly FlushWaiters _flushWaiters = new();
    private readonly DatedLogFile _file;
    private readonly SinkLog _log;
    private readonly JsonlWriter _writer;

    /// <summary>Creates a sink and starts its writer thread.</summary>
    /// <param name="options">Uses <see cref="PerformanceMonitorOptions.LogDirectory"/>, <see cref="PerformanceMonitorOptions.QueueCapacity"/>,
    /// <see cref="PerformanceMonitorOptions.FlushInterval"/>, <see cref="PerformanceMonitorOptions.UseUtcFileDates"/>,
    /// <see cref="PerformanceMonitorOptions.ReleaseWrittenLogPages"/>, <see cref="PerformanceMonitorOptions.RetentionDays"/>
    /// and <see cref="PerformanceMonitorOptions.ArchiveAfterDays"/>.</param>
    /// <param name="logger">Receives write failures (once per failure streak) and retention errors; optional.</param>
    /// <param name="timeProvider">The clock for today's date and the local time zone; <see cref="TimeProvider.System"/> by default.</param>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public JsonlSink(PerformanceMonitorOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
        : this(options, logger, timeProvider, owner: null)
    {
    }

    /// <summary>A monitor's sink: holds its monitor (<paramref name="owner"/>) weakly; when it is collected undisposed, the writer drains and stops.</summary>
    internal JsonlSink(PerformanceMonitorOptions options, ILogger? logger, TimeProvider? timeProvider, WeakReference<object>? owner)
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        options.Validate();
        var clock = timeProvider ?? TimeProvider.System;
        _capacity = options.QueueCapacity;
        _log = new SinkLog(logger);
        _file = new DatedLogFile(Path.GetFullPath(options.LogDirectory), options.ReleaseWrittenLogPages);
        var retention = options.RetentionDays is null && options.ArchiveAfterDays is null
            ? null
            : new RetentionSchedule(_file.Directory, new RetentionPolicy(options.RetentionDays, options.ArchiveAfterDays), _log);
        var formatter = new JsonlRecordFormatter(options.UseUtcFileDates, clock.LocalTimeZone);
        _writer = new JsonlWriter(_queue, _counters, _flushWaiters, _file, retention, formatter, _log, clock, options.FlushInterval, owner);
        // A background thread: a sink nobody disposed never keeps the process alive. It runs a method of this sink, so
        // while it runs it keeps the sink alive for OpenSinks (which holds sinks weakly) to flush at normal exit.
        new Thread(RunWriter) { IsBackground = true, Name = "RagMonitor JSONL writer" }.Start();
        OpenSinks.Add(this);
    }

    /// <summary>The full path of the log directory.</summary>
    public string LogDirectory => _file.Directory;

    /// <summary>Records written to disk so far.</summary>
    public long RecordsWritten => _counters.Written;

    /// <summary>Records dropped: the queue was full, the sink was closed, or they could not be written before it closed.</summary>
    public long RecordsDropped => _counters.Dropped;

    /// <summary>Failed attempts to write; the records stay queued and are retried.</summary>
    public long WriteFailures => _counters.WriteFailures;

    /// <summary>Of <see cref="RecordsDropped"/>: records given up because closing the sink ran out of time.</summary>
    public long RecordsGivenUpAtClose => _counters.GivenUpAtClose;

    /// <summary>Times a log file was not opened because it was a symbolic link or not a regular file.</summary>
    public long FilesRefused => _counters.FilesRefused;

    /// <summary>Records accepted and not yet written.</summary>
    public long RecordsPending => _counters.Pending;

    /// <summary>When the writer is stopping and a write keeps failing, how long it keeps retrying before giving the records up. Default 2 s.</summary>
    internal TimeSpan CloseTimeout
    {
        get => _writer.CloseTimeout;
        set => _writer.CloseTimeout = value;
    }

    /// <summary>The path of the log file for <paramref name="date"/>.</summary>
    public string GetFilePath(DateOnly date) => _file.PathFor(date);

    /// <summary>
    /// Queues a finished request for writing. Never blocks and never throws: returns <see langword="false"/>
    /// (and counts a drop) when the queue is full or the sink is closed.
    /// </summary>
    public bool TryEnqueue(RequestSummary summary)
    {
        if (summary is null)
        {
            _counters.CountRefused();
            return false;
        }

        return TryEnqueue(CompletedRequest.Carrying(summary));
    }

    /// <inheritdoc />
    void IRequestSink.CountDropped() => _counters.CountRefused();

    /// <inheritdoc cref="IRequestSink.TryEnqueue(CompletedRequest)" />
    bool IRequestSink.TryEnqueue(CompletedRequest record) => TryEnqueue(record);

    private bool TryEnqueue(CompletedRequest record)
    {
        if (_queue.IsClosed)
        {
            _counters.CountRefused();
            return false;
        }

        if (!_counters.TryAccept(_capacity))
        {
            return false;
        }

        _queue.Add(record);
        if (_writer.HasStopped)
        {
            // The writer has exited (disposal raced with this call): whatever is left will never be written.
            _writer.DropLeftovers();
        }

        return true;
    }

    /// <summary>Completes when every record queued before the call is written (or given up on at close), or when <paramref name="cancellationToken"/> fires.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var target = _counters.Accepted;
        if (_counters.Finished >= target || _writer.HasStopped)
        {
            return Task.CompletedTask;
        }

        var done = _flushWaiters.Add(target);
        _queue.Wake();
        if (_writer.HasStopped)
        {
            _flushWaiters.Release(_counters.Finished, all: true);
        }

        return cancellationToken.CanBeCanceled ? done.WaitAsync(cancellationToken) : done;
    }

    /// <summary>
    /// Stops accepting records, writes everything queued, then stops the writer thread. Waits at most 10 seconds; what is
    /// not written by then is counted as dropped (<see cref="RecordsGivenUpAtClose"/>).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        BeginClose();
        try
        {
            await _writer.Stopped.WaitAsync(DisposeTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            GiveUp();
        }
    }

    /// <summary>
    /// Stops accepting records, writes everything queued (waiting at most 10 seconds; what is not written by then is
    /// counted as dropped, <see cref="RecordsGivenUpAtClose"/>), then stops the writer thread.
    /// </summary>
    public void Dispose() => Close(DisposeTimeout);

    /// <summary>
    /// Stops accepting records and waits at most <paramref name="timeout"/> for the writer to write what is queued. On
    /// time-out every record not yet written is counted as dropped and given up (the counters are then final).
    /// </summary>
    /// <param name="timeout">How long to wait for the writer.</param>
    /// <returns><see langword="true"/> when everything was written (or dropped for a reason of its own) in time.</returns>
    public bool Close(TimeSpan timeout)
    {
        BeginClose();
        return WaitClosed(timeout);
    }

    /// <summary>Waits for the writer after <see cref="BeginClose"/>; gives up on what is left when <paramref name="timeout"/> passes.</summary>
    internal bool WaitClosed(TimeSpan timeout)
    {
        if (_writer.Stopped.Wait(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout))
        {
            return true;
        }

        GiveUp();
        return false;
    }

    private void RunWriter() => _writer.Run();

    /// <summary>Starts closing: no record is accepted any more; the writer drains what is queued and stops.</summary>
    internal void BeginClose()
    {
        if (_queue.Close())
        {
            _writer.RequestStop();
        }
    }

    /// <summary>
    /// Counts every accepted record not yet written as dropped and given up at close, once, and makes the counters final:
    /// a write still in progress (a disk that hangs) changes them no more. Lets flush waiters go.
    /// </summary>
    private void GiveUp()
    {
        var pending = _counters.GiveUpPending();
        _queue.Close();
        _writer.RequestStop();
        if (pending > 0)
        {
            _log.RecordsLost(pending);
        }

        _flushWaiters.Release(_counters.Finished, all: true);
    }
}
