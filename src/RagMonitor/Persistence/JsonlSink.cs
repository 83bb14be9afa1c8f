using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
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
/// </remarks>
public sealed class JsonlSink : IRequestSink, IDisposable
{
    /// <summary>The size at which the writer sends a chunk of lines to the file.</summary>
    internal const int ChunkSize = 64 * 1024;

    private const int IdleAfterEmptyCycles = 100;

    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_idleWait = TimeSpan.FromSeconds(1);

    private static readonly Action<ILogger, string, Exception?> s_logWriteFailed =
        LoggerMessage.Define<string>(LogLevel.Warning, new EventId(20, "LogWriteFailed"),
            "RagMonitor cannot write performance logs to {LogDirectory}; records stay queued (up to the queue capacity) and writing is retried.");

    private static readonly Action<ILogger, string, Exception?> s_logWriteResumed =
        LoggerMessage.Define<string>(LogLevel.Information, new EventId(21, "LogWriteResumed"),
            "RagMonitor writes performance logs to {LogDirectory} again.");

    private static readonly Action<ILogger, long, Exception?> s_logRecordsLost =
        LoggerMessage.Define<long>(LogLevel.Warning, new EventId(22, "LogRecordsLost"),
            "RagMonitor dropped {Count} performance log records that could not be written before the sink closed.");

    private static readonly Action<ILogger, string, Exception?> s_logRetentionError =
        LoggerMessage.Define<string>(LogLevel.Warning, new EventId(23, "LogRetentionFailed"),
            "RagMonitor log retention: {Error}");

    private static readonly Action<ILogger, Exception?> s_logWriterStopped =
        LoggerMessage.Define(LogLevel.Error, new EventId(25, "LogWriterStopped"),
            "The RagMonitor JSONL writer stopped after an unexpected error; further records are counted as dropped.");

    private static readonly Action<ILogger, string, Exception?> s_logFileRefused =
        LoggerMessage.Define<string>(LogLevel.Warning, new EventId(26, "LogFileRefused"),
            "RagMonitor refuses to write to a log file that is a symbolic link or not a regular file: {Reason} The records stay queued and writing is retried.");

    private static readonly Action<ILogger, Exception?> s_logSerializationFailed =
        LoggerMessage.Define(LogLevel.Error, new EventId(24, "LogSerializationFailed"),
            "RagMonitor could not serialize a performance record; it was dropped.");

    private readonly string _directory;
    private readonly int _capacity;
    private readonly TimeSpan _interval;
    private readonly ILogger? _logger;
    private readonly TimeProvider _timeProvider;
    private readonly RetentionPolicy? _retention;
    // Items are RequestSummary (public API, and monitor requests someone needed a summary of), CompletedRequest
    // (a monitor's pooled record; the writer formats it directly and returns it to the pool) or RequestState (a
    // monitor's sealed request, whose record the writer builds when it takes it off the queue: _buildQueuedRecord).
    private readonly ConcurrentQueue<object> _queue = new();

    /// <summary>Records taken off <see cref="_queue"/> (their statistics recorded) and not yet written; the writer's alone.</summary>
    private readonly Queue<object> _backlog = new();
    private readonly Action<CompletedRequest>? _deferredStatistics;
    private readonly Func<RequestState, CompletedRequest>? _buildQueuedRecord;

    /// <summary>Items taken off <see cref="_queue"/> so far (by the writer, or dropped at close): their statistics are recorded.</summary>
    private long _observed;
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 1);
    private readonly object _flushLock = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _flushWaiters = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;

    // Writer-thread state.
    private readonly JsonlRecordFormatter _formatter;
    private readonly ChunkBuffer _chunk = new(ChunkSize + 8192);
    // Written for every record: kept in its own object so that the cache line the request threads read on every
    // TryEnqueue (_accepted, _closed, _idle, ...) is not invalidated by the writer once per record.
    private readonly ChunkState _state = new();
    private bool _chunkNeedsNewline;

    // Formatted pooled records waiting to go back to their pool (writer thread only).
    private const int RecycleBatch = 64;
    private readonly List<CompletedRequest> _recycled = new(RecycleBatch);
    private AppendOnlyFile? _file;
    private DateOnly _fileDate;
    private bool _failing;
    private TimeSpan _backoff;
    private DateOnly _lastRetentionDay;
    private int _retentionRunning;
    private int _flushWaiterCount;
    private int _idle;
    private int _emptyCycles;
    private long _acceptedAtLastCycle;

    // Counters. _accepted: records taken by TryEnqueue; _finished: written or given up on. Pending = _accepted - _finished.
    private long _accepted;
    private long _finished;
    private long _written;
    private long _dropped;
    private long _writeFailures;
    private long _givenUpAtClose;
    private long _filesRefused;
    private int _closed;
    private int _writerStopped;
    private int _stopRequested;

    /// <summary>Set once a close ran out of time and counted what was left as dropped; the counters are final from then on.</summary>
    private int _givenUp;

    /// <summary>Guards the counters' settlement (<see cref="Settle"/>, <see cref="GiveUp"/>) so a record is never counted twice.</summary>
    private readonly object _countGate = new();

    /// <summary>The monitor this sink writes for, held weakly: when it is collected without being disposed, the writer drains and stops.</summary>
    private readonly WeakReference<object>? _owner;
    private int _refusalLogged;

    /// <summary>Creates a sink and starts its writer thread.</summary>
    /// <param name="options">Uses <see cref="PerformanceMonitorOptions.LogDirectory"/>, <see cref="PerformanceMonitorOptions.QueueCapacity"/>,
    /// <see cref="PerformanceMonitorOptions.FlushInterval"/>, <see cref="PerformanceMonitorOptions.UseUtcFileDates"/>,
    /// <see cref="PerformanceMonitorOptions.RetentionDays"/> and <see cref="PerformanceMonitorOptions.ArchiveAfterDays"/>.</param>
    /// <param name="logger">Receives write failures (once per failure streak) and retention errors; optional.</param>
    /// <param name="timeProvider">The clock for today's date and the local time zone; <see cref="TimeProvider.System"/> by default.</param>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public JsonlSink(PerformanceMonitorOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
        : this(options, logger, timeProvider, deferredStatistics: null, buildQueuedRecord: null)
    {
    }

    /// <summary>
    /// A monitor's sink: <paramref name="deferredStatistics"/> records the live statistics of the records queued with
    /// <see cref="CompletedRequest.StatisticsDeferred"/>; <paramref name="buildQueuedRecord"/> builds the record (with its
    /// statistics recorded) of a sealed request queued as it is.
    /// </summary>
    internal JsonlSink(PerformanceMonitorOptions options, ILogger? logger, TimeProvider? timeProvider, Action<CompletedRequest>? deferredStatistics, Func<RequestState, CompletedRequest>? buildQueuedRecord, WeakReference<object>? owner = null)
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        options.Validate();
        _directory = Path.GetFullPath(options.LogDirectory);
        _capacity = options.QueueCapacity;
        _interval = options.FlushInterval;
        _logger = logger;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _formatter = new JsonlRecordFormatter(options.UseUtcFileDates, _timeProvider.LocalTimeZone);
        _retention = options.RetentionDays is null && options.ArchiveAfterDays is null
            ? null
            : new RetentionPolicy(options.RetentionDays, options.ArchiveAfterDays);
        _backoff = _interval;
        _deferredStatistics = deferredStatistics;
        _buildQueuedRecord = buildQueuedRecord;
        _owner = owner;
        // A background thread: a sink nobody disposed never keeps the process alive. Records already queued are written
        // at normal exit (OpenSinks flushes every open sink on AppDomain.ProcessExit).
        _thread = new Thread(Run) { IsBackground = true, Name = "RagMonitor JSONL writer" };
        _thread.Start();
        OpenSinks.Add(this);
    }

    /// <summary>The full path of the log directory.</summary>
    public string LogDirectory => _directory;

    /// <summary>Records written to disk so far.</summary>
    public long RecordsWritten => Interlocked.Read(ref _written);

    /// <summary>Records dropped: the queue was full, the sink was closed, or they could not be written before it closed.</summary>
    public long RecordsDropped => Interlocked.Read(ref _dropped);

    /// <summary>Failed attempts to write; the records stay queued and are retried.</summary>
    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    /// <summary>Of <see cref="RecordsDropped"/>: records given up because closing the sink ran out of time.</summary>
    public long RecordsGivenUpAtClose => Interlocked.Read(ref _givenUpAtClose);

    /// <summary>Times a log file was not opened because it was a symbolic link or not a regular file.</summary>
    public long FilesRefused => Interlocked.Read(ref _filesRefused);

    /// <summary>Records accepted and not yet written.</summary>
    public long RecordsPending => Math.Max(0, Interlocked.Read(ref _accepted) - Interlocked.Read(ref _finished));

    /// <summary>When the writer is stopping and a write keeps failing, how long it keeps retrying before giving the records up. Default 2 s.</summary>
    internal TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The path of the log file for <paramref name="date"/>.</summary>
    public string GetFilePath(DateOnly date) => Path.Combine(_directory, FileName(date));

    /// <summary>
    /// Queues a finished request for writing. Never blocks and never throws: returns <see langword="false"/>
    /// (and counts a drop) when the queue is full or the sink is closed.
    /// </summary>
    public bool TryEnqueue(RequestSummary summary) => TryEnqueueItem(summary);

    /// <inheritdoc />
    void IRequestSink.CountDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>Queues a monitor's pooled record (released by the writer once written, or here when refused).</summary>
    bool IRequestSink.TryEnqueue(CompletedRequest record) => TryEnqueueItem(record);

    /// <summary>Queues a monitor's sealed request; the writer builds its record (a monitor's sink always has a record builder).</summary>
    bool IRequestSink.TryEnqueue(RequestState request)
    {
        Debug.Assert(_buildQueuedRecord is not null, "Only a monitor's sink, which has a record builder, queues sealed requests.");
        return TryEnqueueItem(request);
    }

    private bool TryEnqueueItem(object? item)
    {
        if (item is null || Volatile.Read(ref _closed) != 0)
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }

        // Records accepted and not yet written (queued, or serialized and waiting for a write that succeeds) are
        // held to the capacity. The check and the increment are not one atomic step: under contention the count may
        // exceed the capacity by at most the number of threads enqueuing at that instant. It stays bounded.
        if (Volatile.Read(ref _accepted) - Volatile.Read(ref _finished) >= _capacity)
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }

        Interlocked.Increment(ref _accepted);
        _queue.Enqueue(item);
        if (Volatile.Read(ref _idle) != 0 && Interlocked.Exchange(ref _idle, 0) != 0)
        {
            // The writer went idle after a second without records: wake it once (not per record).
            _wake.Set();
        }

        if (Volatile.Read(ref _writerStopped) != 0)
        {
            // The writer has exited (disposal raced with this call): whatever is left will never be written.
            DropLeftovers();
        }

        return true;
    }

    /// <summary>Completes when every record queued before the call is written (or given up on at close), or when <paramref name="cancellationToken"/> fires.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var target = Interlocked.Read(ref _accepted);
        if (Interlocked.Read(ref _finished) >= target || Volatile.Read(ref _writerStopped) != 0)
        {
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_flushLock)
        {
            _flushWaiters.Add((target, done));
            Volatile.Write(ref _flushWaiterCount, _flushWaiters.Count);
        }

        _wake.Set();
        if (Volatile.Read(ref _writerStopped) != 0)
        {
            CompleteFlushWaiters(all: true);
        }

        return cancellationToken.CanBeCanceled ? done.Task.WaitAsync(cancellationToken) : done.Task;
    }

    /// <summary>
    /// Stops accepting records, writes everything queued, then stops the writer thread. Waits at most 10 seconds; what is
    /// not written by then is counted as dropped (<see cref="RecordsGivenUpAtClose"/>).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Stop();
        try
        {
            await _stopped.Task.WaitAsync(DisposeTimeout).ConfigureAwait(false);
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

    /// <summary>How long <see cref="Dispose"/> and <see cref="DisposeAsync"/> wait for the writer: 10 seconds.</summary>
    internal static readonly TimeSpan DisposeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Stops accepting records and waits at most <paramref name="timeout"/> for the writer to write what is queued. On
    /// time-out every record not yet written is counted as dropped and given up (the counters are then final).
    /// </summary>
    /// <param name="timeout">How long to wait for the writer.</param>
    /// <returns><see langword="true"/> when everything was written (or dropped for a reason of its own) in time.</returns>
    public bool Close(TimeSpan timeout)
    {
        Stop();
        return WaitClosed(timeout);
    }

    /// <summary>Waits for the writer after <see cref="Stop"/>; gives up on what is left when <paramref name="timeout"/> passes.</summary>
    internal bool WaitClosed(TimeSpan timeout)
    {
        if (_stopped.Task.Wait(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout))
        {
            return true;
        }

        GiveUp();
        return false;
    }

    /// <summary>Starts closing: no record is accepted any more; the writer drains what is queued and stops.</summary>
    internal void BeginClose() => Stop();

    /// <summary>
    /// Counts every accepted record not yet written as dropped and given up at close, once, and makes the counters final:
    /// a write still in progress (a disk that hangs) changes them no more. Lets flush waiters go.
    /// </summary>
    private void GiveUp()
    {
        long pending;
        lock (_countGate)
        {
            if (_givenUp != 0)
            {
                return;
            }

            _givenUp = 1;
            Volatile.Write(ref _closed, 1);
            pending = Math.Max(0, Interlocked.Read(ref _accepted) - Interlocked.Read(ref _finished));
            Interlocked.Add(ref _dropped, pending);
            Interlocked.Add(ref _givenUpAtClose, pending);
            Interlocked.Add(ref _finished, pending);
        }

        Volatile.Write(ref _stopRequested, 1);
        _wake.Set();
        if (pending > 0)
        {
            TryLog(l => s_logRecordsLost(l, pending, null));
        }

        CompleteFlushWaiters(all: true);
    }

    /// <summary>Counts records written and dropped by the writer (or at close); nothing once <see cref="GiveUp"/> has run.</summary>
    private void Settle(long written, long dropped)
    {
        if (written == 0 && dropped == 0)
        {
            return;
        }

        lock (_countGate)
        {
            if (_givenUp != 0)
            {
                return;
            }

            if (written != 0)
            {
                Interlocked.Add(ref _written, written);
            }

            if (dropped != 0)
            {
                Interlocked.Add(ref _dropped, dropped);
            }

            Interlocked.Add(ref _finished, written + dropped);
        }
    }

    /// <summary>Whether the monitor this sink writes for was collected without being disposed.</summary>
    private bool OwnerCollected() => _owner is not null && !_owner.TryGetTarget(out _);

    internal static string FileName(DateOnly date) =>
        date.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) + "_performance.jsonl";

    private void Stop()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            Volatile.Write(ref _stopRequested, 1);
            _wake.Set();
        }
    }

    private void Run()
    {
        long stopDeadline = 0;
        try
        {
            while (true)
            {
                var stopping = Volatile.Read(ref _stopRequested) != 0;
                if (!stopping)
                {
                    _wake.Wait(NextWait());
                    _wake.Reset();
                    stopping = Volatile.Read(ref _stopRequested) != 0;
                }

                if (Volatile.Read(ref _givenUp) != 0)
                {
                    break;
                }

                if (!stopping && _emptyCycles >= IdleAfterEmptyCycles && OwnerCollected())
                {
                    // Nobody can queue records any more (a queued request keeps its monitor alive): write what is left and stop.
                    Stop();
                    stopping = true;
                }

                MaybeRunRetention();
                var before = Interlocked.Read(ref _accepted);
                var drained = DrainOnce();
                CompleteFlushWaiters(all: false);
                _emptyCycles = before == _acceptedAtLastCycle ? _emptyCycles + 1 : 0;
                _acceptedAtLastCycle = before;
                if (stopping)
                {
                    if (drained && _queue.IsEmpty && _backlog.Count == 0)
                    {
                        break;
                    }

                    if (!drained)
                    {
                        if (stopDeadline == 0)
                        {
                            stopDeadline = Stopwatch.GetTimestamp();
                        }

                        if (Stopwatch.GetElapsedTime(stopDeadline) > CloseTimeout)
                        {
                            break;
                        }

                        Thread.Sleep(_backoff);
                    }
                }
            }
        }
        catch (Exception ex)
        {
            // Nothing above is expected to throw; if it does, the sink stops and its records are counted as dropped.
            TryLog(l => s_logWriterStopped(l, ex));
        }
        finally
        {
            CloseFile();
            Volatile.Write(ref _closed, 1);
            Interlocked.Exchange(ref _writerStopped, 1);
            var lost = GiveUpPending();
            if (lost > 0)
            {
                TryLog(l => s_logRecordsLost(l, lost, null));
            }

            CompleteFlushWaiters(all: true);
            _stopped.TrySetResult();
        }
    }

    /// <summary>
    /// How long to sleep: the flush interval, the back-off while failing, or — after a second without records —
    /// up to one second in idle mode, from which the next <see cref="TryEnqueue"/> wakes the writer once.
    /// </summary>
    private TimeSpan NextWait()
    {
        if (_failing)
        {
            return _backoff;
        }

        if (_emptyCycles < IdleAfterEmptyCycles || _interval >= s_idleWait)
        {
            return _interval;
        }

        Interlocked.Exchange(ref _idle, 1);
        if (!_queue.IsEmpty || Volatile.Read(ref _flushWaiterCount) != 0)
        {
            // A record arrived between the last drain and going idle (TryEnqueue may not have seen the flag).
            Volatile.Write(ref _idle, 0);
            return TimeSpan.Zero;
        }

        return s_idleWait;
    }

    /// <summary>Writes everything queued. Returns <see langword="false"/> when a write failed (the rest stays queued).</summary>
    private bool DrainOnce()
    {
        try
        {
            // Statistics first: they never wait for the disk, not even while writes fail.
            ObserveQueued();
            if (_state.Records > 0 || _chunk.Length > 0)
            {
                if (!WriteChunk())
                {
                    return false;
                }
            }

            while (true)
            {
                var item = _state.Held;
                _state.Held = null;
                if (item is null && !_backlog.TryDequeue(out item))
                {
                    if (!ObserveQueued())
                    {
                        break;
                    }

                    continue;
                }

                DateOnly date;
                try
                {
                    date = item is CompletedRequest pooled ? _formatter.FileDate(pooled) : _formatter.FileDate((RequestSummary)item!);
                }
                catch (ArgumentException)
                {
                    date = _formatter.FileDate(_timeProvider.GetUtcNow());
                }

                if (_state.Records > 0 && date != _state.Date)
                {
                    _state.Held = item;
                    if (!WriteChunk())
                    {
                        return false;
                    }

                    continue;
                }

                _state.Date = date;
                var before = _chunk.Length;
                try
                {
                    if (item is CompletedRequest record)
                    {
                        _formatter.WriteLine(record, _chunk);
                    }
                    else
                    {
                        _formatter.WriteLine((RequestSummary)item!, _chunk);
                    }

                    _state.Records++;
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
                {
                    _chunk.Truncate(before);
                    Settle(0, 1);
                    TryLog(l => s_logSerializationFailed(l, ex));
                }
                finally
                {
                    // The line is in the chunk (or given up on): a pooled record can be reused.
                    if (item is CompletedRequest done)
                    {
                        Recycle(done);
                    }
                }

                if (_chunk.Length >= ChunkSize && !WriteChunk())
                {
                    return false;
                }
            }

            ReturnRecycled();
            return _chunk.Length == 0 || WriteChunk();
        }
        finally
        {
            ReturnRecycled();
            if (!_failing)
            {
                // Open the file per wake-up, not for the process's lifetime: retention may archive or delete old
                // files, and a directory that was removed or fixed is picked up again.
                CloseFile();
            }
        }
    }

    /// <summary>Appends the chunk (whole lines of one date) with one write. Returns <see langword="false"/> on failure.</summary>
    private bool WriteChunk()
    {
        if (_chunk.Length == 0)
        {
            return true;
        }

        try
        {
            if (_file is null || _fileDate != _state.Date)
            {
                CloseFile();
                _file = AppendOnlyFile.Open(GetFilePath(_state.Date));
                _fileDate = _state.Date;
            }

            if (_chunkNeedsNewline && !_file.StartsLinesFresh)
            {
                // An earlier write stopped in the middle of a line: end that torn line so the next ones stay whole. (Where
                // the file can be read back, WriteLines checks the last byte of the file before every write instead.)
                _file.WriteLines("\n"u8);
            }

            _chunkNeedsNewline = false;
            _file.WriteLines(_chunk.WrittenSpan);
            Settle(_state.Records, 0);
            _chunk.Clear(ChunkSize + 8192);
            _state.Records = 0;
            if (Volatile.Read(ref _flushWaiterCount) != 0)
            {
                // Under a steady stream the drain loop may not end for a while: answer flushes as soon as their records are out.
                CompleteFlushWaiters(all: false);
            }

            if (_failing)
            {
                _failing = false;
                _backoff = _interval;
                TryLog(l => s_logWriteResumed(l, _directory, null));
            }

            return true;
        }
        catch (PartialWriteException ex)
        {
            DropWrittenPrefix(ex.BytesWritten);
            OnWriteFailure(ex);
            return false;
        }
        catch (UnsafeLogFileException ex)
        {
            Interlocked.Increment(ref _filesRefused);
            if (Interlocked.Exchange(ref _refusalLogged, 1) == 0)
            {
                TryLog(l => s_logFileRefused(l, ex.Message, null));
            }

            OnWriteFailure(ex);
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException or System.Security.SecurityException)
        {
            OnWriteFailure(ex);
            return false;
        }
    }

    /// <summary>After a short write: the whole lines that reached the file are written; a torn line is counted as dropped.</summary>
    private void DropWrittenPrefix(int bytesWritten)
    {
        var span = _chunk.WrittenSpan.Slice(0, bytesWritten);
        var whole = span.LastIndexOf((byte)'\n') + 1;
        var wholeLines = span.Slice(0, whole).Count((byte)'\n');
        var cut = whole;
        var torn = 0;
        if (whole < bytesWritten)
        {
            var next = _chunk.WrittenSpan.Slice(whole).IndexOf((byte)'\n');
            cut = next < 0 ? _chunk.Length : whole + next + 1;
            torn = 1;
            _chunkNeedsNewline = true;
        }

        _chunk.RemovePrefix(cut);
        _state.Records -= wholeLines + torn;
        Settle(wholeLines, torn);
    }

    private void OnWriteFailure(Exception exception)
    {
        Interlocked.Increment(ref _writeFailures);
        CloseFile();
        if (!_failing)
        {
            _failing = true;
            _backoff = _interval;
            TryLog(l => s_logWriteFailed(l, _directory, exception));
        }
        else
        {
            _backoff = TimeSpan.FromTicks(Math.Min(s_maxBackoff.Ticks, _backoff.Ticks * 2));
        }
    }

    private void CloseFile()
    {
        _file?.Dispose();
        _file = null;
    }

    private void MaybeRunRetention()
    {
        if (_retention is null)
        {
            return;
        }

        DateOnly today;
        try
        {
            today = _formatter.FileDate(_timeProvider.GetUtcNow());
        }
        catch (ArgumentException)
        {
            return;
        }

        if (today == _lastRetentionDay || Interlocked.CompareExchange(ref _retentionRunning, 1, 0) != 0)
        {
            return;
        }

        _lastRetentionDay = today;
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Sink.RunRetention(state.Today), (Sink: this, Today: today), preferLocal: false);
    }

    private void RunRetention(DateOnly today)
    {
        try
        {
            if (!Directory.Exists(_directory))
            {
                return;
            }

            var result = LogRetention.Apply(_directory, _retention!, today);
            foreach (var error in result.Errors)
            {
                TryLog(l => s_logRetentionError(l, error, null));
            }
        }
        catch (Exception ex)
        {
            TryLog(l => s_logRetentionError(l, ex.Message, ex));
        }
        finally
        {
            Volatile.Write(ref _retentionRunning, 0);
        }
    }

    /// <summary>The writer's per-record state (see the comment on <c>_state</c>).</summary>
    private sealed class ChunkState
    {
        /// <summary>Records serialized into the chunk and not yet written.</summary>
        internal int Records;

        /// <summary>The file date of the records in the chunk.</summary>
        internal DateOnly Date;

        /// <summary>A record of another date, kept until the chunk is written.</summary>
        internal object? Held;
    }

    /// <summary>
    /// Moves what is queued now (not what arrives meanwhile, so that a steady stream cannot hold the writer here) to
    /// the backlog, recording each record's deferred statistics. Returns whether anything moved.
    /// </summary>
    private bool ObserveQueued()
    {
        var limit = Interlocked.Read(ref _accepted) - Interlocked.Read(ref _observed);
        var moved = false;
        while (limit-- > 0 && _queue.TryDequeue(out var item))
        {
            _backlog.Enqueue(Observe(item));
            moved = true;
        }

        return moved;
    }

    /// <summary>
    /// Records the deferred statistics of an item taken off the queue (on the writer, or on any thread at close) and
    /// returns what is to be written: the item, or the record built for a sealed request.
    /// </summary>
    private object Observe(object item)
    {
        if (item is RequestState request)
        {
            item = _buildQueuedRecord!(request);
        }
        else if (item is CompletedRequest record && record.StatisticsDeferred)
        {
            record.StatisticsDeferred = false;
            _deferredStatistics?.Invoke(record);
        }

        Interlocked.Increment(ref _observed);
        return item;
    }

    /// <inheritdoc />
    bool IRequestSink.WaitForDeferredStatistics(TimeSpan timeout)
    {
        var target = Interlocked.Read(ref _accepted);
        if (Interlocked.Read(ref _observed) >= target)
        {
            return true;
        }

        var start = Stopwatch.GetTimestamp();
        var spin = default(SpinWait);
        while (Interlocked.Read(ref _observed) < target && Volatile.Read(ref _writerStopped) == 0)
        {
            if (Stopwatch.GetElapsedTime(start) > timeout)
            {
                return false;
            }

            // Again each round: a record counted as accepted may reach the queue just after the writer looked.
            _wake.Set();
            spin.SpinOnce();
        }

        return true;
    }

    /// <summary>Collects a formatted pooled record; they go back to their pool in batches (see <see cref="ReturnRecycled"/>).</summary>
    private void Recycle(CompletedRequest record)
    {
        record.Clear();
        if (_recycled.Count > 0 && !ReferenceEquals(_recycled[0].Pool, record.Pool))
        {
            ReturnRecycled();
        }

        _recycled.Add(record);
        if (_recycled.Count >= RecycleBatch)
        {
            ReturnRecycled();
        }
    }

    private void ReturnRecycled()
    {
        if (_recycled.Count > 0)
        {
            _recycled[0].Pool.ReturnMany(_recycled);
            _recycled.Clear();
        }
    }

    /// <summary>Counts every record not yet written as dropped (the writer has stopped). Returns how many.</summary>
    private long GiveUpPending()
    {
        long lost = _state.Records + (_state.Held is null ? 0 : 1) + _backlog.Count;
        _state.Records = 0;
        _state.Held = null;
        _backlog.Clear();
        _chunk.Clear(ChunkSize + 8192);
        Settle(0, lost);
        return lost + DropLeftovers();
    }

    private long DropLeftovers()
    {
        long count = 0;
        while (_queue.TryDequeue(out var item))
        {
            Observe(item);
            Settle(0, 1);
            count++;
        }

        if (count > 0)
        {
            CompleteFlushWaiters(all: true);
        }

        return count;
    }

    private void CompleteFlushWaiters(bool all)
    {
        List<TaskCompletionSource>? ready = null;
        lock (_flushLock)
        {
            if (_flushWaiters.Count == 0)
            {
                return;
            }

            var finished = Interlocked.Read(ref _finished);
            for (var i = _flushWaiters.Count - 1; i >= 0; i--)
            {
                if (all || _flushWaiters[i].Target <= finished)
                {
                    (ready ??= new List<TaskCompletionSource>()).Add(_flushWaiters[i].Done);
                    _flushWaiters.RemoveAt(i);
                }
            }

            Volatile.Write(ref _flushWaiterCount, _flushWaiters.Count);
        }

        if (ready is not null)
        {
            foreach (var done in ready)
            {
                done.TrySetResult();
            }
        }
    }

    private void TryLog(Action<ILogger> log)
    {
        if (_logger is null)
        {
            return;
        }

        try
        {
            log(_logger);
        }
        catch (Exception)
        {
            // A failing logger must not stop the writer.
        }
    }
}
