using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor;

public static partial class PerformanceLog
{
    /// <summary>A line in the writer's layout, parsed by <see cref="PrepareForRead"/>.</summary>
    private static ReadOnlySpan<byte> SampleLine =>
        "{\"start_time\":1795910400.05772,\"total_time\":1.511233,\"timestamp\":\"2026-11-29T00:00:01.568957+00:00\",\"stages\":{\"embedding\":{\"duration\":0.029251,\"metadata\":{},\"calls\":1,\"share\":0.019356,\"status\":\"success\"},\"retrieval\":{\"duration\":0.489315,\"metadata\":{\"documents\":20},\"calls\":1,\"share\":0.323785,\"status\":\"success\"}},\"request\":\"ask\",\"request_id\":\"6f3abfad4db75525175dcc6e8b091457\",\"status\":\"success\",\"bottlenecks\":[{\"stage\":\"retrieval\",\"share\":0.323785,\"rule\":\"share\"}]}"u8;

    /// <summary>
    /// Compiles the reader's per-line code ahead of a read by parsing one built-in sample line. Optional: a one-shot
    /// tool can call it on another thread while it starts up, so that the compilation of the (fully optimized)
    /// parsing code overlaps its own start-up instead of delaying the first lines of the read.
    /// </summary>
    /// <param name="handler">Called once with the parsed sample entry (to prepare the code that consumes entries as well), or <see langword="null"/>.</param>
    public static void PrepareForRead(PerformanceLogEntryHandler? handler = null)
    {
        byte[] line = SampleLine.ToArray();
        var parser = new PerformanceLogLineParser(true);
        var entry = new PerformanceLogEntry { FilePath = "(sample)", LineNumber = 1 };
        if (parser.Parse(line, 0, line.Length, entry, includeMetadata: false) is null)
        {
            handler?.Invoke(entry);
        }
    }

    /// <summary>Plain files larger than this are split into chunks of about this size for a parallel read.</summary>
    internal const long ParallelChunkSize = 32L * 1024 * 1024;

    /// <summary>
    /// Reads the given files on several threads: large plain files are split into chunks at line boundaries, each
    /// chunk (and each gzip file) is read by one thread into its own <typeparamref name="TState"/>, and the states are
    /// handed to <paramref name="merge"/> in file and chunk order, one at a time, as soon as a chunk and all chunks
    /// before it are read (while the other threads go on reading) — so the result does not depend on thread timing.
    /// </summary>
    /// <typeparam name="TState">Per-chunk aggregation state.</typeparam>
    /// <param name="files">The files (see <see cref="ListFiles(string, PerformanceLogReadOptions?)"/>).</param>
    /// <param name="options">Filters and options. <see cref="PerformanceLogReadOptions.LineSkipped"/> is called after the read, in file order, for the skipped lines kept (at most <see cref="PerformanceLogReadOptions.MaxSkippedLinesKept"/> per chunk; all are counted); <see cref="PerformanceLogReadOptions.Progress"/> may be called from any thread (never concurrently).</param>
    /// <param name="createState">Creates the state of one chunk.</param>
    /// <param name="visit">Adds a record to a chunk's state (never called concurrently for one state). <see cref="PerformanceLogEntry.LineNumber"/> is 0 in chunks other than a file's first.</param>
    /// <param name="merge">Receives each chunk's state, in order, never concurrently (possibly on a worker thread, so it must not depend on the calling thread).</param>
    /// <param name="maxDegreeOfParallelism">Threads to use; 0 or less means <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The counts of the read, with the skipped lines (with their true line numbers).</returns>
    public static PerformanceLogReadStatistics ReadParallel<TState>(
        IReadOnlyList<PerformanceLogFile> files,
        PerformanceLogReadOptions? options,
        Func<TState> createState,
        Action<TState, PerformanceLogEntry> visit,
        Action<TState> merge,
        int maxDegreeOfParallelism = 0,
        CancellationToken cancellationToken = default)
        => ReadParallel(files, options, createState, visit, merge, maxDegreeOfParallelism, ParallelChunkSize, cancellationToken);

    /// <summary>As the public overload, with the chunk size as a parameter (tests use small chunks).</summary>
    internal static PerformanceLogReadStatistics ReadParallel<TState>(
        IReadOnlyList<PerformanceLogFile> files,
        PerformanceLogReadOptions? options,
        Func<TState> createState,
        Action<TState, PerformanceLogEntry> visit,
        Action<TState> merge,
        int maxDegreeOfParallelism,
        long chunkSize,
        CancellationToken cancellationToken)
    {
        if (files is null)
        {
            throw new ArgumentNullException(nameof(files));
        }

        if (createState is null || visit is null || merge is null)
        {
            throw new ArgumentNullException(createState is null ? nameof(createState) : visit is null ? nameof(visit) : nameof(merge));
        }

        options ??= PerformanceLogReadOptions.Default;
        var chunks = new List<(PerformanceLogFile File, long Start, long End, bool First)>();
        foreach (PerformanceLogFile file in files)
        {
            if (file.IsCompressed || file.Length < chunkSize * 3 / 2)
            {
                chunks.Add((file, 0, long.MaxValue, true));
                continue;
            }

            long count = (file.Length + chunkSize - 1) / chunkSize;
            for (long i = 0; i < count; i++)
            {
                long start = file.Length * i / count;
                long end = i == count - 1 ? long.MaxValue : file.Length * (i + 1) / count;
                chunks.Add((file, start, end, i == 0));
            }
        }

        var results = new ChunkResult[chunks.Count];
        var states = new TState?[chunks.Count];
        var done = new bool[chunks.Count];
        int merged = 0;
        object mergeGate = new();
        var chunkOptions = new PerformanceLogReadOptions
        {
            From = options.From,
            To = options.To,
            RequestName = options.RequestName,
            IncludeMetadata = options.IncludeMetadata,
            TimestampsWithoutOffsetAreUtc = options.TimestampsWithoutOffsetAreUtc,
            MaxLineLength = options.MaxLineLength,
            MaxSkippedLinesKept = options.MaxSkippedLinesKept,
            BottleneckShareThreshold = options.BottleneckShareThreshold,
        };
        long progress = 0;
        long lastReported = 0;
        object progressGate = new();
        void Report(long delta)
        {
            long total = Interlocked.Add(ref progress, delta);
            if (options.Progress is { } callback)
            {
                lock (progressGate)
                {
                    if (total > lastReported)
                    {
                        lastReported = total;
                        callback(total);
                    }
                }
            }
        }

        int threads = Math.Max(1, Math.Min(maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount, chunks.Count));
        int next = -1;
        int failed = 0;

        // Workers take the chunks in order (so that the in-order merge below can keep up with the read); the calling
        // thread is one of them.
        void Work()
        {
            int index;
            while (Volatile.Read(ref failed) == 0 && (index = Interlocked.Increment(ref next)) < chunks.Count)
            {
                try
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    ReadChunk(index);
                }
                catch
                {
                    Volatile.Write(ref failed, 1);
                    throw;
                }
            }
        }

        void ReadChunk(int index)
        {
            (PerformanceLogFile file, long start, long end, bool first) = chunks[index];
            TState state = createState();
            var statistics = new PerformanceLogReadStatistics();
            var session = new ReadSession(chunkOptions, statistics);
            if (!first)
            {
                session.HideLineNumbers();
            }

            using PerformanceLogLineSource? source = session.TryOpen(file, start, end);
            if (source is null)
            {
                results[index] = new ChunkResult(statistics, 0);
                Merged(index, state);
                return;
            }

            PerformanceLogEntryHandler handler = entry => visit(state, entry);
            long reported = 0;
            while (session.Drain(source, handler) != LineRead.End)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!session.TryFill(source))
                {
                    break;
                }

                long now = file.IsCompressed ? source.FilePosition : Math.Min(source.FilePosition - start, end - start);
                if (now > reported)
                {
                    Report(now - reported);
                    reported = now;
                }
            }

            long consumed = file.IsCompressed ? source.FilePosition : source.RangeBytesConsumed;
            statistics.BytesRead = consumed;
            statistics.UncompressedBytesRead = file.IsCompressed ? source.BytesOut : consumed;
            if (consumed > reported)
            {
                Report(consumed - reported);
            }

            results[index] = new ChunkResult(statistics, source.LineNumber);
            Merged(index, state);
        }

        // Merge every chunk read so far, in order, while the other threads go on reading: the merge work
        // overlaps the read instead of following it, and merged states can be collected early.
        void Merged(int index, TState state)
        {
            lock (mergeGate)
            {
                states[index] = state;
                done[index] = true;
                while (merged < chunks.Count && done[merged])
                {
                    TState ready = states[merged]!;
                    states[merged] = default;
                    merged++;
                    merge(ready);
                }
            }
        }

        var helpers = new Task[threads - 1];
        for (int t = 0; t < helpers.Length; t++)
        {
            helpers[t] = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        Exception? error = null;
        try
        {
            Work();
        }
        catch (Exception ex)
        {
            error = ex;
        }

        foreach (Task helper in helpers)
        {
            try
            {
                helper.GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                error ??= ex;
            }
        }

        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        }

        var total = new PerformanceLogReadStatistics();
        long lineOffset = 0;
        for (int i = 0; i < results.Length; i++)
        {
            ChunkResult result = results[i];
            if (chunks[i].First)
            {
                lineOffset = 0;
                total.FilesRead++;
            }

            total.Add(result.Statistics, lineOffset, options);
            lineOffset += result.Lines;
        }

        return total;
    }

    private sealed record ChunkResult(PerformanceLogReadStatistics Statistics, long Lines);
}
