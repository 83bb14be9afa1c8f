using System;
using System.Threading;
using Microsoft.Extensions.Logging;

namespace RagMonitor;

/// <summary>What a sink tells its logger. Every method is contained: a failing logger never stops the writer.</summary>
internal sealed class SinkLog
{
    private static readonly Action<ILogger, string, Exception?> s_writeFailed =
        LoggerMessage.Define<string>(LogLevel.Warning, new EventId(20, "LogWriteFailed"),
            "RagMonitor cannot write performance logs to {LogDirectory}; records stay queued (up to the queue capacity) and writing is retried.");

    private static readonly Action<ILogger, string, Exception?> s_writeResumed =
        LoggerMessage.Define<string>(LogLevel.Information, new EventId(21, "LogWriteResumed"),
            "RagMonitor writes performance logs to {LogDirectory} again.");

    private static readonly Action<ILogger, long, Exception?> s_recordsLost =
        LoggerMessage.Define<long>(LogLevel.Warning, new EventId(22, "LogRecordsLost"),
            "RagMonitor dropped {Count} performance log records that could not be written before the sink closed.");

    private static readonly Action<ILogger, string, Exception?> s_retentionFailed =
        LoggerMessage.Define<string>(LogLevel.Warning, new EventId(23, "LogRetentionFailed"),
            "RagMonitor log retention: {Error}");

    private static readonly Action<ILogger, Exception?> s_serializationFailed =
        LoggerMessage.Define(LogLevel.Error, new EventId(24, "LogSerializationFailed"),
            "RagMonitor could not serialize a performance record; it was dropped.");

    private static readonly Action<ILogger, Exception?> s_writerStopped =
        LoggerMessage.Define(LogLevel.Error, new EventId(25, "LogWriterStopped"),
            "The RagMonitor JSONL writer stopped after an unexpected error; further records are counted as dropped.");

    private static readonly Action<ILogger, string, Exception?> s_fileRefused =
        LoggerMessage.Define<string>(LogLevel.Warning, new EventId(26, "LogFileRefused"),
            "RagMonitor refuses to write to a log file that is a symbolic link or not a regular file: {Reason} The records stay queued and writing is retried.");

    private readonly ILogger? _logger;
    private int _refusalLogged;

    internal SinkLog(ILogger? logger) => _logger = logger;

    internal void WriteFailed(string directory, Exception exception) => Contained(l => s_writeFailed(l, directory, exception));

    internal void WriteResumed(string directory) => Contained(l => s_writeResumed(l, directory, null));

    internal void RecordsLost(long count) => Contained(l => s_recordsLost(l, count, null));

    internal void RetentionFailed(string error, Exception? exception) => Contained(l => s_retentionFailed(l, error, exception));

    internal void SerializationFailed(Exception exception) => Contained(l => s_serializationFailed(l, exception));

    internal void WriterStopped(Exception exception) => Contained(l => s_writerStopped(l, exception));

    /// <summary>Logs the first refused file only (a refusal is retried and would repeat).</summary>
    internal void FileRefusedOnce(string reason)
    {
        if (Interlocked.Exchange(ref _refusalLogged, 1) == 0)
        {
            Contained(l => s_fileRefused(l, reason, null));
        }
    }

    private void Contained(Action<ILogger> log)
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
