using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor;

/// <summary>
/// A sink's writer thread: takes records off the <see cref="SinkQueue"/>, formats them into a chunk of whole lines of one
/// date (<see cref="JsonlRecordFormatter"/>, <see cref="ChunkBuffer"/>) and appends each chunk with one write
/// (<see cref="DatedLogFile"/>). It wakes every flush interval (at once again after a wake-up that found at least
/// <see cref="BusyCycleRecords"/> records), goes idle after <see cref="IdleAfterEmptyCycles"/> empty
/// wake-ups, backs off (up to a second) while writes fail, and settles every record in <see cref="SinkCounters"/>.
/// </summary>
internal sealed class JsonlWriter
{
    /// <summary>The size at which the writer sends a chunk of lines to the file.</summary>
    internal const int ChunkSize = 64 * 1024;

    private const int ChunkCapacity = ChunkSize + 8192;
    private const int IdleAfterEmptyCycles = 100;
    private const int RecycleBatch = 64;

    /// <summary>
    /// A wake-up that formatted at least this many records found a busy producer: the writer looks again at once instead of
    /// sleeping the flush interval, so the backlog (and the records the request threads must create while the writer holds
    /// the pooled ones) stays small.
    /// </summary>
    private const int BusyCycleRecords = 1024;

    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_idleWait = TimeSpan.FromSeconds(1);

    private readonly SinkQueue _queue;
    private readonly SinkCounters _counters;
    private readonly FlushWaiters _flushWaiters;
    private readonly DatedLogFile _file;
    private readonly RetentionSchedule? _retention;
    private readonly JsonlRecordFormatter _formatter;
    private readonly SinkLog _log;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _interval;
    private readonly WeakReference<object>? _owner;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Writer-thread state.
    private readonly ChunkBuffer _chunk = new(ChunkCapacity);
    private readonly List<CompletedRequest> _recycled = new(RecycleBatch);
    private int _chunkRecords;
    private DateOnly _chunkDate;

    /// <summary>The records taken off the queue at once (<see cref="SinkQueue.TakeAll"/>); those from <see cref="_batchNext"/> on are not formatted yet.</summary>
    private List<CompletedRequest> _batch = new();
    private int _batchNext;

    /// <summary>A record of another date than the chunk's, kept until the chunk is written.</summary>
    private CompletedRequest? _held;
    private bool _failing;
    private TimeSpan _backoff;
    private int _emptyCycles;

    /// <summary>Records formatted in the current (or last) wake-up.</summary>
    private int _formattedThisCycle;
    private long _acceptedAtLastCycle;
    private int _stopRequested;
    private int _hasStopped;

    internal JsonlWriter(SinkQueue queue, SinkCounters counters, FlushWaiters flushWaiters, DatedLogFile file, RetentionSchedule? retention,
        JsonlRecordFormatter formatter, SinkLog log, TimeProvider timeProvider, TimeSpan interval, WeakReference<object>? owner)
    {
        _queue = queue;
        _counters = counters;
        _flushWaiters = flushWaiters;
        _file = file;
        _retention = retention;
        _formatter = formatter;
        _log = log;
        _timeProvider = timeProvider;
        _interval = interval;
        _backoff = interval;
        _owner = owner;
    }

    /// <summary>When stopping while a write keeps failing, how long the writer keeps retrying before giving the records up.</summary>
    internal TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether the writer thread has exited (what is queued from now on is never written).</summary>
    internal bool HasStopped => Volatile.Read(ref _hasStopped) != 0;

    /// <summary>Completes when the writer thread has exited.</summary>
    internal Task Stopped => _stopped.Task;

    /// <summary>Asks the writer to write what is queued and stop.</summary>
    internal void RequestStop()
    {
        Volatile.Write(ref _stopRequested, 1);
        _queue.Wake();
    }

    /// <summary>Counts the records still queued as dropped (the writer has stopped; any thread). Returns how many.</summary>
    internal long DropLeftovers()
    {
        long count = _queue.DiscardAll();
        _counters.Settle(0, count);
        if (count > 0)
        {
            _flushWaiters.Release(_counters.Finished, all: true);
        }

        return count;
    }

    /// <summary>The writer thread's body (started by the sink, see <see cref="JsonlSink"/>). Returns when the writer has stopped.</summary>
    internal void Run()
    {
        long stopDeadline = 0;
        try
        {
            while (true)
            {
                var stopping = Volatile.Read(ref _stopRequested) != 0;
                if (!stopping)
                {
                    _queue.Wait(NextWait());
                    stopping = Volatile.Read(ref _stopRequested) != 0;
                }

                if (_counters.GivenUp)
                {
                    break;
                }

                if (!stopping && _emptyCycles >= IdleAfterEmptyCycles && OwnerCollected())
                {
                    // Nobody can queue records any more: write what is left and stop.
                    _queue.Close();
                    Volatile.Write(ref _stopRequested, 1);
                    stopping = true;
                }

                RunRetentionIfNewDay();
                var accepted = _counters.Accepted;
                var drained = DrainOnce();
                _flushWaiters.Release(_counters.Finished, all: false);
                _emptyCycles = accepted == _acceptedAtLastCycle ? _emptyCycles + 1 : 0;
                _acceptedAtLastCycle = accepted;
                if (stopping)
                {
                    if (drained && _batchNext >= _batch.Count && _queue.IsEmpty)
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
            _log.WriterStopped(ex);
        }
        finally
        {
            _file.Close();
            _queue.Close();
            Volatile.Write(ref _hasStopped, 1);
            var lost = GiveUpUnwritten();
            if (lost > 0)
            {
                _log.RecordsLost(lost);
            }

            _flushWaiters.Release(_counters.Finished, all: true);
            _stopped.TrySetResult();
        }
    }

    /// <summary>
    /// How long to sleep: the flush interval, the back-off while failing, or — after a second without records — up to one
    /// second in idle mode, from which the next record wakes the writer once.
    /// </summary>
    private TimeSpan NextWait()
    {
        if (_failing)
        {
            return _backoff;
        }

        if (_formattedThisCycle >= BusyCycleRecords)
        {
            return TimeSpan.Zero;
        }

        if (_emptyCycles < IdleAfterEmptyCycles || _interval >= s_idleWait)
        {
            return _interval;
        }

        return _queue.TryGoIdle(_flushWaiters.Any) ? s_idleWait : TimeSpan.Zero;
    }

    /// <summary>Writes everything queued. Returns <see langword="false"/> when a write failed (the rest stays queued).</summary>
    private bool DrainOnce()
    {
        _formattedThisCycle = 0;
        try
        {
            if (_chunkRecords > 0 || _chunk.Length > 0)
            {
                if (!WriteChunk())
                {
                    return false;
                }
            }

            while (true)
            {
                var record = _held;
                _held = null;
                if (record is null)
                {
                    if (_batchNext >= _batch.Count)
                    {
                        _batch.Clear();
                        _batchNext = 0;
                        _batch = _queue.TakeAll(_batch);
                        if (_batch.Count == 0)
                        {
                            break;
                        }
                    }

                    record = _batch[_batchNext++];
                }

                var date = FileDate(record);
                if (_chunkRecords > 0 && date != _chunkDate)
                {
                    _held = record;
                    if (!WriteChunk())
                    {
                        return false;
                    }

                    continue;
                }

                _chunkDate = date;
                Format(record);
                if (_chunk.Length >= ChunkSize && !WriteChunk())
                {
                    return false;
                }
            }

            return _chunk.Length == 0 || WriteChunk();
        }
        finally
        {
            ReturnRecycled();
            if (!_failing && _formattedThisCycle < BusyCycleRecords)
            {
                // Open the file per wake-up, not for the process's lifetime: retention may archive or delete old
                // files, and a directory that was removed or fixed is picked up again. A busy writer, which looks again
                // at once, keeps it open until the stream slows down.
                _file.Close();
            }
        }
    }

    private DateOnly FileDate(CompletedRequest record)
    {
        try
        {
            return _formatter.FileDate(record);
        }
        catch (ArgumentException)
        {
            return _formatter.FileDate(_timeProvider.GetUtcNow());
        }
    }

    /// <summary>Appends the record's line to the chunk (or drops and counts a record that cannot be formatted), then recycles the record.</summary>
    private void Format(CompletedRequest record)
    {
        var before = _chunk.Length;
        try
        {
            _formatter.WriteLine(record, _chunk);
            _chunkRecords++;
            _formattedThisCycle++;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            _chunk.Truncate(before);
            _counters.Settle(0, 1);
            _log.SerializationFailed(ex);
        }
        finally
        {
            // The line is in the chunk (or given up on): a pooled record can be reused.
            Recycle(record);
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
            _file.Append(_chunkDate, _chunk.WrittenSpan);
            _counters.Settle(_chunkRecords, 0);
            _chunk.Clear(ChunkCapacity);
            _chunkRecords = 0;
            if (_flushWaiters.Any)
            {
                // Under a steady stream the drain loop may not end for a while: answer flushes as soon as their records are out.
                _flushWaiters.Release(_counters.Finished, all: false);
            }

            if (_failing)
            {
                _failing = false;
                _backoff = _interval;
                _log.WriteResumed(_file.Directory);
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
            _counters.CountFileRefused();
            _log.FileRefusedOnce(ex.Message);
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
            _file.MarkLineTorn();
        }

        _chunk.RemovePrefix(cut);
        _chunkRecords -= wholeLines + torn;
        _counters.Settle(wholeLines, torn);
    }

    private void OnWriteFailure(Exception exception)
    {
        _counters.CountWriteFailure();
        _file.Close();
        if (!_failing)
        {
            _failing = true;
            _backoff = _interval;
            _log.WriteFailed(_file.Directory, exception);
        }
        else
        {
            _backoff = TimeSpan.FromTicks(Math.Min(s_maxBackoff.Ticks, _backoff.Ticks * 2));
        }
    }

    private void RunRetentionIfNewDay()
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

        _retention.RunIfNewDay(today);
    }

    /// <summary>Collects a formatted pooled record; they go back to their pool in batches (see <see cref="ReturnRecycled"/>).</summary>
    private void Recycle(CompletedRequest record)
    {
        if (record.Pool is null)
        {
            return;
        }

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
            _recycled[0].Pool!.ReturnMany(_recycled);
            _recycled.Clear();
        }
    }

    /// <summary>Counts every record not yet written as dropped (the writer has stopped). Returns how many.</summary>
    private long GiveUpUnwritten()
    {
        long lost = _chunkRecords + (_held is null ? 0 : 1) + (_batch.Count - _batchNext);
        _chunkRecords = 0;
        _held = null;
        _batch.Clear();
        _batchNext = 0;
        _chunk.Clear(ChunkCapacity);
        _counters.Settle(0, lost);
        return lost + DropLeftovers();
    }

    /// <summary>Whether the monitor this sink writes for was collected without being disposed.</summary>
    private bool OwnerCollected() => _owner is not null && !_owner.TryGetTarget(out _);
}
