using System;
using System.Threading;

namespace RagMonitor;

/// <summary>
/// When a sink applies its <see cref="RetentionPolicy"/>: once at start and on each change of date, on a pool thread
/// (never on the writer, never two at once). Errors go to the sink's log.
/// </summary>
internal sealed class RetentionSchedule
{
    private readonly string _directory;
    private readonly RetentionPolicy _policy;
    private readonly SinkLog _log;
    private DateOnly _lastDay;
    private int _running;

    internal RetentionSchedule(string directory, RetentionPolicy policy, SinkLog log)
    {
        _directory = directory;
        _policy = policy;
        _log = log;
    }

    /// <summary>Starts retention on a pool thread when <paramref name="today"/> is a new day and none is running.</summary>
    internal void RunIfNewDay(DateOnly today)
    {
        if (today == _lastDay || Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            return;
        }

        _lastDay = today;
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Schedule.Run(state.Today), (Schedule: this, Today: today), preferLocal: false);
    }

    private void Run(DateOnly today)
    {
        try
        {
            if (!System.IO.Directory.Exists(_directory))
            {
                return;
            }

            var result = LogRetention.Apply(_directory, _policy, today);
            foreach (var error in result.Errors)
            {
                _log.RetentionFailed(error, null);
            }
        }
        catch (Exception ex)
        {
            _log.RetentionFailed(ex.Message, ex);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }
}
