using System;

namespace RagMonitor;

/// <summary>
/// The field names of a JSONL performance log line, defined once for the writer and every reader. The first four are
/// the Python module's (their names, types and meaning never change: its users' scripts read them); the others are
/// RagMonitor's additions beside them.
/// </summary>
public static class JsonlFieldNames
{
    /// <summary><c>start_time</c>: when the request started, in seconds since the Unix epoch.</summary>
    public const string StartTime = "start_time";

    /// <summary><c>total_time</c>: the request's wall-clock time in seconds.</summary>
    public const string TotalTime = "total_time";

    /// <summary><c>timestamp</c>: when the request ended, ISO 8601 with an offset.</summary>
    public const string Timestamp = "timestamp";

    /// <summary><c>stages</c>: an object with one entry per stage name.</summary>
    public const string Stages = "stages";

    /// <summary><c>duration</c> (of a stage): its summed time in seconds.</summary>
    public const string Duration = "duration";

    /// <summary><c>metadata</c> (of a stage): an object of the values recorded for it.</summary>
    public const string Metadata = "metadata";

    /// <summary><c>calls</c> (of a stage): how many times it ran in the request.</summary>
    public const string Calls = "calls";

    /// <summary><c>share</c> (of a stage or a bottleneck): its duration as a fraction of <c>total_time</c>.</summary>
    public const string Share = "share";

    /// <summary><c>status</c> (of the request or a stage): <c>success</c>, <c>failure</c> or <c>cancelled</c>.</summary>
    public const string Status = "status";

    /// <summary><c>error_type</c>: the exception type name of a failed or cancelled request or stage.</summary>
    public const string ErrorType = "error_type";

    /// <summary><c>request</c>: the request name.</summary>
    public const string Request = "request";

    /// <summary><c>request_id</c>: the request's id.</summary>
    public const string RequestId = "request_id";

    /// <summary><c>bottlenecks</c>: the stages flagged when the request ended.</summary>
    public const string Bottlenecks = "bottlenecks";

    /// <summary><c>stage</c> (of a bottleneck): the stage name.</summary>
    public const string Stage = "stage";

    /// <summary><c>rule</c> (of a bottleneck): the rule that flagged it.</summary>
    public const string Rule = "rule";

    /// <summary><c>allocated_bytes</c>: managed bytes allocated in the process while the request ran.</summary>
    public const string AllocatedBytes = "allocated_bytes";

    /// <summary><c>gc_collections</c>: garbage collections in the process while the request ran.</summary>
    public const string GcCollections = "gc_collections";

    /// <summary>The same names as UTF-8 bytes, for code that compares or writes bytes.</summary>
    public static class Utf8
    {
        /// <summary><c>start_time</c>.</summary>
        public static ReadOnlySpan<byte> StartTime => "start_time"u8;

        /// <summary><c>total_time</c>.</summary>
        public static ReadOnlySpan<byte> TotalTime => "total_time"u8;

        /// <summary><c>timestamp</c>.</summary>
        public static ReadOnlySpan<byte> Timestamp => "timestamp"u8;

        /// <summary><c>stages</c>.</summary>
        public static ReadOnlySpan<byte> Stages => "stages"u8;

        /// <summary><c>duration</c>.</summary>
        public static ReadOnlySpan<byte> Duration => "duration"u8;

        /// <summary><c>metadata</c>.</summary>
        public static ReadOnlySpan<byte> Metadata => "metadata"u8;

        /// <summary><c>calls</c>.</summary>
        public static ReadOnlySpan<byte> Calls => "calls"u8;

        /// <summary><c>share</c>.</summary>
        public static ReadOnlySpan<byte> Share => "share"u8;

        /// <summary><c>status</c>.</summary>
        public static ReadOnlySpan<byte> Status => "status"u8;

        /// <summary><c>error_type</c>.</summary>
        public static ReadOnlySpan<byte> ErrorType => "error_type"u8;

        /// <summary><c>request</c>.</summary>
        public static ReadOnlySpan<byte> Request => "request"u8;

        /// <summary><c>request_id</c>.</summary>
        public static ReadOnlySpan<byte> RequestId => "request_id"u8;

        /// <summary><c>bottlenecks</c>.</summary>
        public static ReadOnlySpan<byte> Bottlenecks => "bottlenecks"u8;

        /// <summary><c>stage</c>.</summary>
        public static ReadOnlySpan<byte> Stage => "stage"u8;

        /// <summary><c>rule</c>.</summary>
        public static ReadOnlySpan<byte> Rule => "rule"u8;

        /// <summary><c>allocated_bytes</c>.</summary>
        public static ReadOnlySpan<byte> AllocatedBytes => "allocated_bytes"u8;

        /// <summary><c>gc_collections</c>.</summary>
        public static ReadOnlySpan<byte> GcCollections => "gc_collections"u8;
    }
}
