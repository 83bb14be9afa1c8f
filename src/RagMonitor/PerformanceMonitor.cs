using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace RagMonitor;

/// <summary>
/// Records requests and their stages, finds bottlenecks, keeps live statistics, raises alerts and
/// hands each finished request to the JSONL sink. Thread-safe. Never throws into the monitored code
/// (only bad arguments to the explicit API are rejected), and never waits on disk.
/// </summary>
/// <remarks>
/// Two ways to use it: the ambient scopes (<see cref="BeginRequest(string, string?)"/>,
/// <see cref="BeginStage(string)"/>; this is what the source generator calls), and the explicit,
/// id-based API of the Python module it replaces (<see cref="StartRequest(string, string?)"/>,
/// <see cref="LogStage(string, string, TimeSpan, IReadOnlyDictionary{string, object?}?)"/>,
/// <see cref="EndRequest(string)"/>, <see cref="GetSummary(string)"/>).
/// </remarks>
public sealed partial class PerformanceMonitor : IDisposable, IAsyncDisposable
{
    private const int CompletedSummaryCapacity = 1024;

    private static readonly Action<ILogger, string, string, double, double, Exception?> s_logSlowRequest =
        LoggerMessage.Define<string, string, double, double>(LogLevel.Warning, new EventId(1, "SlowRequest"),
            "Slow request {RequestName} {RequestId}: {TotalSeconds:F3} s (threshold {ThresholdSeconds:F3} s)");

    private static readonly Action<ILogger, string, string, string, Exception?> s_logBottleneck =
        LoggerMessage.Define<string, string, string>(LogLevel.Warning, new EventId(2, "Bottleneck"),
            "Bottleneck in {RequestName} {RequestId}: {Bottlenecks}");

    private static readonly Action<ILogger, string, Exception?> s_logCallbackFailure =
        LoggerMessage.Define<string>(LogLevel.Error, new EventId(3, "CallbackFailed"),
            "A RagMonitor {Callback} handler threw; the exception was contained.");

    private static readonly Action<ILogger, string, Exception?> s_logInternalError =
        LoggerMessage.Define<string>(LogLevel.Warning, new EventId(4, "InternalError"),
            "RagMonitor contained an internal error ({ErrorType}); monitoring goes on. Later ones are counted (GetStatistics().Counters.InternalErrors) and the last is kept in LastInternalError.");

    private static readonly Action<ILogger, int, Exception?> s_logRequestsAbandoned =
        LoggerMessage.Define<int>(LogLevel.Warning, new EventId(5, "RequestsAbandoned"),
            "RagMonitor: more than {MaxRequestsInFlight} requests started with StartRequest are in flight; the oldest are abandoned (never ended? call EndRequest). Counted in GetStatistics().Counters.RequestsAbandoned.");

    /// <summary>How long <see cref="Dispose"/> and <see cref="DisposeAsync"/> wait for the log writer: 10 seconds.</summary>
    private static readonly TimeSpan s_disposeTimeout = TimeSpan.FromSeconds(10);

    private static readonly string s_idPrefix = CreateIdPrefix();

    private static long s_idCounter;

    private readonly PerformanceMonitorOptions _options;
    private readonly ILogger? _logger;
    private readonly TimeProvider _timeProvider;
    private readonly bool _useStopwatch;
    private readonly bool _enabled;
    private readonly bool _measureResources;
    private readonly LiveStatistics _statistics;
    private readonly IRequestSink? _sink;
    private readonly CompletedRequestPool _records;
    private WallClockAnchor? _wallClockAnchor;
    private readonly ConcurrentDictionary<string, RequestState> _explicitRequests = new(StringComparer.Ordinal);

    /// <summary>Entries of <see cref="_explicitRequests"/> (its own Count takes every lock of the table: too slow per start).</summary>
    private int _explicitCount;
    private readonly ConcurrentDictionary<string, (RequestSummary Summary, long EndTimestamp)> _completedSummaries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _completedOrder = new();
    private long _started;
    private long _completed;
    private long _stagesOutsideRequests;
    private long _callbackFailures;
    private long _internalErrors;
    private long _abandoned;
    private Exception? _lastInternalError;
    private int _internalErrorLogged;
    private int _abandonLogged;
    private int _disposed;

    /// <summary>Explicit requests in start order, for abandoning the oldest past the cap; may hold ended ones (pruned lazily). Guarded by itself.</summary>
    private readonly Queue<(string Key, RequestState State)> _explicitOrder = new();

    /// <summary>Creates a monitor.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults. They are copied and validated.</param>
    /// <param name="logger">Receives slow-request and bottleneck warnings and sink problems; optional.</param>
    /// <param name="timeProvider">Clock for timestamps and durations; <see cref="TimeProvider.System"/> by default.</param>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public PerformanceMonitor(PerformanceMonitorOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        _options = (options ?? new PerformanceMonitorOptions()).Clone();
        _options.Validate();
        _logger = logger;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _useStopwatch = ReferenceEquals(_timeProvider, TimeProvider.System);
        _enabled = _options.Enabled;
        _measureResources = _options.MeasureResources;
        _statistics = new LiveStatistics(_options.StatisticsWindow, _timeProvider);
        _sink = _enabled && _options.WriteLogs ? CreateSink() : null;
        _records = new CompletedRequestPool(_options.QueueCapacity);
        if (_enabled)
        {
            MonitorMetrics.Register(this);
        }
    }

    /// <summary>Raised (synchronously, on the thread that ended the request) for every finished request. Handler exceptions are contained and counted.</summary>
    public event EventHandler<RequestSummary>? RequestCompleted;

    /// <summary>Raised for slow requests and bottlenecks. Handler exceptions are contained and counted.</summary>
    public event EventHandler<PerformanceAlert>? AlertRaised;

    /// <summary>A new copy of the settings this monitor runs with, on every read: changing it does not change the monitor.</summary>
    public PerformanceMonitorOptions Options => _options.Clone();

    /// <summary>
    /// The last exception RagMonitor contained inside itself (a bug, or a failing logger, listener or exporter), for
    /// diagnosis; <see langword="null"/> when there was none. The first one is also logged as a warning; all are counted
    /// (<see cref="MonitorCounters.InternalErrors"/>). Exceptions of event handlers are counted in
    /// <see cref="MonitorCounters.CallbackFailures"/> and logged as errors instead.
    /// </summary>
    public Exception? LastInternalError => Volatile.Read(ref _lastInternalError);

    /// <summary>Whether requests measure allocated bytes and collections (read once per request).</summary>
    internal bool MeasuresResources => _measureResources;

    /// <summary>Whether this monitor records anything.</summary>
    public bool IsEnabled => _enabled;

    /// <summary>The clock this monitor uses.</summary>
    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>The logger given to this monitor, if any.</summary>
    internal ILogger? Logger => _logger;

    /// <summary>JSONL records dropped so far (read by the metrics).</summary>
    internal long LogRecordsDropped => _sink?.RecordsDropped ?? 0;

    /// <summary>Finished-request records waiting in the pool for reuse (for tests).</summary>
    internal int PooledRecordsIdle => _records.Count;

    /// <summary>Records the pool created because none was idle (for tests and benchmarks).</summary>
    internal long PooledRecordsCreated => _records.Created;

    /// <summary>Requests started and not yet ended nor abandoned (read by the metrics).</summary>
    internal long RequestsInFlight => Math.Max(0, Interlocked.Read(ref _started) - Interlocked.Read(ref _completed) - Interlocked.Read(ref _abandoned));

    // ---------------------------------------------------------------- ambient API

    /// <summary>
    /// Starts a request and makes it the ambient request of the current flow until the returned scope is
    /// disposed (or, for asynchronous work, tracked). Stages begun in this flow belong to it.
    /// </summary>
    /// <param name="requestName">The request name, for example <c>"ask"</c>.</param>
    /// <param name="requestId">The request id; <see langword="null"/> for a new unique id.</param>
    /// <exception cref="ArgumentException"><paramref name="requestName"/> is null, empty or white space.</exception>
    public RequestScope BeginRequest(string requestName, string? requestId = null)
    {
        ValidateName(requestName, nameof(requestName));
        if (!_enabled)
        {
            return default;
        }

        var start = GetTimestamp();
        var state = string.IsNullOrEmpty(requestId)
            ? new RequestState(this, requestName, null, NextGeneratedId(), start, WallClockAt(start))
            : new RequestState(this, requestName, requestId, 0, start, WallClockAt(start));
        Interlocked.Increment(ref _started);
        return new RequestScope(state);
    }

    /// <summary>
    /// Starts a stage of the ambient request; dispose the scope to end it. Allocation-free. Outside a
    /// request (or on a disabled monitor) it records nothing and the call is counted in the statistics.
    /// </summary>
    /// <param name="stageName">The stage name, for example <c>"retrieval"</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="stageName"/> is null, empty or white space.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public StageScope BeginStage(string stageName)
    {
        var request = AmbientRequestForStage(stageName, out var thread);
        return request is null ? default : new StageScope(request, stageName, thread);
    }

    /// <summary>
    /// Starts a stage whose work may continue asynchronously: the stage's body, across its awaits, sees the
    /// stage as current (for <see cref="StageContext.AddMetadata(string, MetadataValue)"/>). End it with one
    /// of <see cref="StageScope"/>'s <c>Track</c> methods, or by disposing it if the call threw synchronously.
    /// Allocation-free when the work completes synchronously. Used by the generated wrappers.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="stageName"/> is null, empty or white space.</exception>
    public StageScope BeginAsyncStage(string stageName)
    {
        var request = AmbientRequestForStage(stageName);
        return request is null ? default : new StageScope(request, stageName, detached: false);
    }

    /// <summary>
    /// Starts a stage of the ambient request (captured now) without making it current anywhere: the caller's flow,
    /// its thread and <see cref="System.Diagnostics.Activity.Current"/> stay as they are, so
    /// <see cref="StageContext"/> does not see it; add metadata through the scope. End it by disposing the scope, from
    /// any thread or flow, exactly once (or with a <c>Track</c> method). Allocation-free. Made for work whose end
    /// is seen by an object rather than a task, such as a stream ended from its enumerator's
    /// <see cref="IAsyncDisposable.DisposeAsync"/>. Outside a request (or on a disabled monitor) it records nothing
    /// and the call is counted in the statistics.
    /// </summary>
    /// <param name="stageName">The stage name, for example <c>"generation"</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="stageName"/> is null, empty or white space.</exception>
    public StageScope BeginDetachedStage(string stageName)
    {
        var request = AmbientRequestForStage(stageName);
        return request is null ? default : new StageScope(request, stageName, detached: true);
    }

    /// <summary>
    /// Times the enumeration of <paramref name="source"/> as one stage of the ambient request (captured now):
    /// the stage starts when enumeration starts and ends when it ends, fails or is abandoned (disposed early,
    /// recorded as metadata <c>abandoned: true</c>). Records <c>time_to_first_item_ms</c> and <c>items</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="stageName"/> is null, empty or white space.</exception>
    public IAsyncEnumerable<T> TrackStageStream<T>(string stageName, IAsyncEnumerable<T> source)
    {
        ValidateName(stageName, nameof(stageName));
        if (source is null)
        {
            throw new ArgumentNullException(nameof(source));
        }

        var request = AmbientRequestForStage(stageName);
        return request is null ? source : new TrackedStageStream<T>(request, stageName, source);
    }

    // ---------------------------------------------------------------- explicit API (mirrors the Python module)

    /// <summary>Starts a request identified by <paramref name="requestId"/> (the explicit API; no ambient scope).</summary>
    /// <remarks>
    /// At most <see cref="PerformanceMonitorOptions.MaxRequestsInFlight"/> such requests are kept: past that, the oldest
    /// in flight is abandoned (see <see cref="MonitorCounters.RequestsAbandoned"/>). The id is written cut to
    /// <see cref="PerformanceMonitorOptions.MaxRequestIdLength"/> characters; the calls that take it use it as given.
    /// </remarks>
    /// <param name="requestId">The request id.</param>
    /// <param name="requestName">The request name written to the log; default <c>"request"</c>.</param>
    /// <returns><see langword="false"/> when a request with this id is already in flight (it is left as it is) or the monitor is disabled.</returns>
    /// <exception cref="ArgumentException">An argument is null, empty or white space.</exception>
    public bool StartRequest(string requestId, string? requestName = null)
    {
        ValidateName(requestId, nameof(requestId));
        if (requestName is not null)
        {
            ValidateName(requestName, nameof(requestName));
        }

        if (!_enabled)
        {
            return false;
        }

        var start = GetTimestamp();
        var state = new RequestState(this, requestName ?? "request", requestId, 0, start, WallClockAt(start));
        if (!_explicitRequests.TryAdd(requestId, state))
        {
            return false;
        }

        Interlocked.Increment(ref _explicitCount);

        _completedSummaries.TryRemove(requestId, out _);
        Interlocked.Increment(ref _started);
        TrackExplicitRequest(requestId, state);
        if (MonitorTracing.IsObserved)
        {
            state.Activity = MonitorTracing.StartDetachedRequest(state);
        }

        return true;
    }

    /// <summary>
    /// Remembers the start order of explicit requests and abandons the oldest ones in flight past
    /// <see cref="PerformanceMonitorOptions.MaxRequestsInFlight"/>. The order queue drops ended requests at its head, and is
    /// rebuilt from the requests in flight when ended ones pile up behind a long-running one, so it stays bounded too.
    /// </summary>
    private void TrackExplicitRequest(string requestId, RequestState state)
    {
        var cap = _options.MaxRequestsInFlight;
        List<RequestState>? abandoned = null;
        lock (_explicitOrder)
        {
            _explicitOrder.Enqueue((requestId, state));
            while (_explicitOrder.Count > 0 && _explicitOrder.Peek().State.IsEnded)
            {
                _explicitOrder.Dequeue();
            }

            while (Volatile.Read(ref _explicitCount) > cap && _explicitOrder.Count > 0)
            {
                var (key, oldest) = _explicitOrder.Dequeue();
                if (!oldest.IsEnded && _explicitRequests.TryRemove(new KeyValuePair<string, RequestState>(key, oldest)))
                {
                    Interlocked.Decrement(ref _explicitCount);
                    if (oldest.TryMarkEnded())
                    {
                        (abandoned ??= new List<RequestState>()).Add(oldest);
                    }
                }
            }

            if (_explicitOrder.Count > (2 * cap) + 1024)
            {
                var live = new List<(string Key, RequestState State)>(Volatile.Read(ref _explicitCount));
                foreach (var pair in _explicitRequests)
                {
                    live.Add((pair.Key, pair.Value));
                }

                live.Sort(static (a, b) => a.State.StartTimestamp.CompareTo(b.State.StartTimestamp));
                _explicitOrder.Clear();
                foreach (var entry in live)
                {
                    _explicitOrder.Enqueue(entry);
                }
            }
        }

        if (abandoned is not null)
        {
            Abandon(abandoned);
        }
    }

    /// <summary>Counts, logs (once) and ends the spans of explicit requests abandoned past the cap. They are not written.</summary>
    private void Abandon(List<RequestState> requests)
    {
        Interlocked.Add(ref _abandoned, requests.Count);
        foreach (var request in requests)
        {
            request.Seal();
            if (request.Activity is { } activity)
            {
                try
                {
                    activity.SetTag(MonitorTracing.StatusTag, "abandoned");
                    activity.Stop();
                }
                catch (Exception ex)
                {
                    CountInternalError(ex);
                }
            }
        }

        if (_logger is not null && Interlocked.Exchange(ref _abandonLogged, 1) == 0)
        {
            try
            {
                s_logRequestsAbandoned(_logger, _options.MaxRequestsInFlight, null);
            }
            catch (Exception ex)
            {
                CountInternalError(ex);
            }
        }
    }

    /// <summary>
    /// Records a stage of the request <paramref name="requestId"/> that took <paramref name="duration"/>.
    /// Logging the same stage twice adds the durations and counts both calls (it never overwrites).
    /// </summary>
    /// <param name="requestId">The id given to <see cref="StartRequest(string, string?)"/>.</param>
    /// <param name="stageName">The stage name.</param>
    /// <param name="duration">How long the stage took.</param>
    /// <param name="metadata">Optional metadata: string, number and boolean values (others are recorded as their text; a value whose
    /// conversion throws is recorded as <c>"&lt;error: ExceptionType&gt;"</c>, a dictionary whose enumeration throws keeps what was read).</param>
    /// <returns><see langword="false"/> when no request with this id is in flight.</returns>
    /// <exception cref="ArgumentException">An id or name is null, empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative.</exception>
    public bool LogStage(string requestId, string stageName, TimeSpan duration, IReadOnlyDictionary<string, object?>? metadata = null)
    {
        ValidateName(requestId, nameof(requestId));
        ValidateName(stageName, nameof(stageName));
        if (duration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A stage duration must not be negative.");
        }

        if (!_enabled || !_explicitRequests.TryGetValue(requestId, out var state))
        {
            return false;
        }

        // Stages logged after the fact keep the order in which they were logged.
        state.RecordStage(stageName, GetTimestamp(), ToTimestampTicks(duration), OperationStatus.Success, null);
        if (metadata is not null)
        {
            try
            {
                foreach (var pair in metadata)
                {
                    if (!string.IsNullOrEmpty(pair.Key))
                    {
                        AddStageMetadata(state, stageName, pair.Key, MetadataValue.FromObject(pair.Value));
                    }
                }
            }
            catch (Exception ex)
            {
                // The caller's dictionary threw while it was enumerated: keep what was read, go on.
                CountInternalError(ex);
            }
        }

        if (state.Activity is not null)
        {
            MonitorTracing.RecordLoggedStage(state, stageName, duration);
        }

        return true;
    }

    /// <summary>Marks a stage of an explicit request failed or cancelled (its duration is logged with <see cref="LogStage"/>).</summary>
    /// <returns><see langword="false"/> when no request with this id is in flight.</returns>
    public bool MarkStageStatus(string requestId, string stageName, OperationStatus status, string? errorType = null)
    {
        ValidateName(requestId, nameof(requestId));
        ValidateName(stageName, nameof(stageName));
        if (!_enabled || !_explicitRequests.TryGetValue(requestId, out var state))
        {
            return false;
        }

        state.MarkStageStatus(stageName, GetTimestamp(), status, errorType);
        return true;
    }

    /// <summary>Ends the request <paramref name="requestId"/> with success and returns its summary.</summary>
    /// <returns>The summary, or <see langword="null"/> when no request with this id is in flight (never started, already
    /// ended, or abandoned past <see cref="PerformanceMonitorOptions.MaxRequestsInFlight"/>).</returns>
    public RequestSummary? EndRequest(string requestId) => EndRequest(requestId, OperationStatus.Success, null);

    /// <summary>Ends the request <paramref name="requestId"/> with the given status and returns its summary.</summary>
    /// <returns>The summary, or <see langword="null"/> when no request with this id is in flight.</returns>
    /// <exception cref="ArgumentException"><paramref name="requestId"/> is null, empty or white space.</exception>
    public RequestSummary? EndRequest(string requestId, OperationStatus status, string? errorType = null)
    {
        ValidateName(requestId, nameof(requestId));
        if (!_enabled || !_explicitRequests.TryRemove(requestId, out var state))
        {
            return null;
        }

        Interlocked.Decrement(ref _explicitCount);

        if (status != OperationStatus.Success)
        {
            state.SetOutcome(status, errorType);
        }

        var summary = Complete(state, summaryWanted: true);
        if (summary is not null)
        {
            RememberCompleted(requestId, summary);
        }

        return summary;
    }

    /// <summary>
    /// The summary of request <paramref name="requestId"/>: a snapshot while it is in flight (no division by
    /// zero: shares are 0 until time has passed), the final summary for a short while after it ended
    /// (<see cref="PerformanceMonitorOptions.CompletedSummaryRetention"/>), else <see langword="null"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="requestId"/> is null, empty or white space.</exception>
    public RequestSummary? GetSummary(string requestId)
    {
        ValidateName(requestId, nameof(requestId));
        if (_explicitRequests.TryGetValue(requestId, out var state))
        {
            if (Snapshot(state) is { } running)
            {
                return running;
            }

            // It ended meanwhile: unless it was abandoned, its final summary is about to be remembered (EndRequest builds
            // it before it returns). Wait a few spins for it, never long.
            var spinner = default(SpinWait);
            while (!_completedSummaries.ContainsKey(requestId) && spinner.Count < 50)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        if (_completedSummaries.TryGetValue(requestId, out var entry))
        {
            if (ToDuration(GetTimestamp() - entry.EndTimestamp) <= _options.CompletedSummaryRetention)
            {
                return entry.Summary;
            }

            _completedSummaries.TryRemove(requestId, out _);
        }

        return null;
    }

    // ---------------------------------------------------------------- statistics and lifetime

    /// <summary>Live statistics: per request name and stage, over the process lifetime and the sliding window, plus counters and process figures.</summary>
    /// <remarks>
    /// A request's statistics are recorded by the thread that ends it, before <see cref="EndRequest(string)"/> or the
    /// request scope's end returns: this call counts every such request and never waits for the log writer.
    /// </remarks>
    public MonitorStatistics GetStatistics()
{
        var completed = Interlocked.Read(ref _completed);
        var counters = new MonitorCounters(
            RequestsInFlight: Math.Max(0, Interlocked.Read(ref _started) - completed - Interlocked.Read(ref _abandoned)),
            RequestsCompleted: completed,
            StagesOutsideRequests: Interlocked.Read(ref _stagesOutsideRequests),
            CallbackFailures: Interlocked.Read(ref _callbackFailures),
            InternalErrors: Interlocked.Read(ref _internalErrors),
            LogRecordsWritten: _sink?.RecordsWritten ?? 0,
            LogRecordsDropped: _sink?.RecordsDropped ?? 0,
            LogWriteFailures: _sink?.WriteFailures ?? 0,
            LogRecordsPending: _sink?.RecordsPending ?? 0)
        {
            MetadataConversionFailures = MetadataValue.ConversionFailureCount,
            RequestsAbandoned = Interlocked.Read(ref _abandoned),
            LogRecordsGivenUpAtClose = _sink?.RecordsGivenUpAtClose ?? 0,
            LogFilesRefused = _sink?.FilesRefused ?? 0,
        };
        return _statistics.Snapshot(counters);
    }

    /// <summary>Waits until every finished request handed to the sink so far is written (or <paramref name="cancellationToken"/> fires).</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _sink is null ? Task.CompletedTask : _sink.FlushAsync(cancellationToken);

    /// <summary>Like <see cref="FlushAsync(CancellationToken)"/>, waiting at most <paramref name="timeout"/>. Returns <see langword="false"/> on time-out.</summary>
    public bool Flush(TimeSpan timeout)
    {
        if (_sink is null)
        {
            return true;
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            _sink.FlushAsync(cts.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Flushes and stops the background writer, waiting at most 10 seconds; records not written by then are counted as
    /// dropped (<see cref="MonitorCounters.LogRecordsGivenUpAtClose"/>). Never throws.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_sink is not null)
        {
            // The sink waits at most 10 seconds too, then counts what is left as given up.
            await _sink.DisposeAsync().ConfigureAwait(false);
        }

        MonitorMetrics.Unregister(this);
    }

    /// <summary>
    /// Flushes and stops the background writer, waiting at most 10 seconds; records not written by then are counted as
    /// dropped (<see cref="MonitorCounters.LogRecordsGivenUpAtClose"/>). Never throws.
    /// </summary>
    /// <remarks>A monitor that is never disposed is flushed when the process exits normally (at most 5 seconds for all monitors).</remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _sink?.Close(s_disposeTimeout);
        MonitorMetrics.Unregister(this);
    }

    // ---------------------------------------------------------------- internals used by scopes

    /// <summary>Timestamps are <see cref="Stopwatch.GetTimestamp"/> (the time provider is <see cref="TimeProvider.System"/>).</summary>
    internal bool UsesSystemClock => _useStopwatch;

    internal long GetTimestamp() => _useStopwatch ? Stopwatch.GetTimestamp() : _timeProvider.GetTimestamp();

    /// <summary>
    /// The wall-clock time of <paramref name="timestamp"/> (from <see cref="GetTimestamp"/>). On the system clock it is
    /// derived from a (timestamp, UTC) pair read at most a second earlier, which saves a clock read per request; the
    /// error is the wall clock's drift against the monotonic clock within that second (or one second of a clock step).
    /// On any other <see cref="System.TimeProvider"/> it is <see cref="TimeProvider.GetUtcNow"/>.
    /// </summary>
    internal DateTimeOffset WallClockAt(long timestamp)
    {
        if (!_useStopwatch)
        {
            return _timeProvider.GetUtcNow();
        }

        var anchor = Volatile.Read(ref _wallClockAnchor);
        if (anchor is null || timestamp - anchor.Timestamp > Stopwatch.Frequency)
        {
            anchor = new WallClockAnchor(Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow);
            Volatile.Write(ref _wallClockAnchor, anchor);
        }

        return anchor.UtcTime + Stopwatch.GetElapsedTime(anchor.Timestamp, timestamp);
    }

    internal TimeSpan ToDuration(long timestampTicks) => _useStopwatch
        ? Stopwatch.GetElapsedTime(0, timestampTicks)
        : _timeProvider.GetElapsedTime(0, timestampTicks);

    internal long ToTimestampTicks(TimeSpan duration)
    {
        var frequency = _useStopwatch ? Stopwatch.Frequency : _timeProvider.TimestampFrequency;
        return (long)(duration.Ticks * ((double)frequency / TimeSpan.TicksPerSecond));
    }

    /// <summary>
    /// Validates a stage name and returns the ambient request a stage of this monitor records into, or
    /// <see langword="null"/> (disabled monitor, or no active request: counted as a stage outside requests).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RequestState? AmbientRequestForStage(string stageName) => AmbientRequestForStage(stageName, out _);

    /// <summary>The ambient request a new stage belongs to (null: none, or the monitor is disabled), and this thread's stage state as the lookup found it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RequestState? AmbientRequestForStage(string stageName, out ThreadStage? thread)
    {
        ValidateName(stageName, nameof(stageName));
        if (!_enabled)
        {
            thread = null;
            return null;
        }

        var request = AmbientContext.GetCurrentRequest(out thread);
        if (request is null || request.IsEnded)
        {
            Interlocked.Increment(ref _stagesOutsideRequests);
            return null;
        }

        return request;
    }

    internal static OperationStatus StatusOf(Exception exception) =>
        exception is OperationCanceledException ? OperationStatus.Cancelled : OperationStatus.Failure;

    internal void MarkStage(RequestState request, string stageName, Exception exception)
    {
        request.MarkStageStatus(stageName, GetTimestamp(), StatusOf(exception), exception.GetType().Name);
    }

    /// <summary>Adds metadata to a stage whose start the caller does not know (now stands in for it).</summary>
    internal void AddStageMetadata(RequestState request, string stageName, string key, MetadataValue value, bool accumulate = false) =>
        AddStageMetadata(request, stageName, GetTimestamp(), key, value, accumulate);

    /// <summary>
    /// Adds metadata to a stage (see <see cref="RequestState.AddMetadata"/>) after limiting the value and key lengths;
    /// <paramref name="stageStart"/> is the stage's start when the caller knows it (a stage scope), else now.
    /// </summary>
    internal void AddStageMetadata(RequestState request, string stageName, long stageStart, string key, MetadataValue value, bool accumulate)
    {
        var max = _options.MaxMetadataValueLength;
        if (value.Kind == MetadataValueKind.String && value.StringValue!.Length > max)
        {
            value = MetadataValue.FromString(RecordNames.Truncate(value.StringValue, max));
        }

        // Keys: at most MaxNameLength, or MaxMetadataValueLength when that is smaller.
        request.AddMetadata(stageName, stageStart, RecordNames.Limit(key, Math.Min(PerformanceMonitorOptions.MaxNameLength, max)), value, accumulate);
    }

    /// <summary>A pooled record for a new request to record into (see <see cref="RequestState"/>).</summary>
    internal CompletedRequest RentRecord() => _records.Rent();

    /// <summary>
    /// The summary of a running request so far: share and absolute rules only (the adaptive rule judges finished requests).
    /// <see langword="null"/> once the request has ended (its record has gone to the sink; the finished summary is what
    /// <see cref="RequestCompleted"/> and <see cref="EndRequest(string)"/> give).
    /// </summary>
    internal RequestSummary? Snapshot(RequestState state)
    {
        // A throw-away record (never released to the pool): snapshots are rare and their summary must not share it.
        var record = new CompletedRequest(null);
        if (!state.SnapshotInto(record, GetTimestamp()))
        {
            return null;
        }

        MarkBottlenecks(record, completed: false);
        return record.ToSummary(isCompleted: false);
    }

    /// <summary>Counts a contained internal error, keeps it as <see cref="LastInternalError"/> and logs the first one. Never throws.</summary>
    internal void CountInternalError(Exception exception)
    {
        Interlocked.Increment(ref _internalErrors);
        Volatile.Write(ref _lastInternalError, exception);
        if (_logger is not null && Interlocked.Exchange(ref _internalErrorLogged, 1) == 0)
        {
            try
            {
                s_logInternalError(_logger, exception.GetType().Name, exception);
            }
            catch (Exception)
            {
                // The logger itself failed: the error stays counted and kept.
            }
        }
    }

    private void RememberCompleted(string requestId, RequestSummary summary)
    {
        _completedSummaries[requestId] = (summary, GetTimestamp());
        _completedOrder.Enqueue(requestId);
        while (_completedOrder.Count > CompletedSummaryCapacity && _completedOrder.TryDequeue(out var oldest))
        {
            _completedSummaries.TryRemove(oldest, out _);
        }
    }

    private static void ValidateName(string value, string parameterName)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("The value must not be null, empty or white space.", parameterName);
        }
    }

    /// <summary>A monotonic timestamp and the wall-clock time read right after it.</summary>
    private sealed record WallClockAnchor(long Timestamp, DateTimeOffset UtcTime);

    private static ulong NextGeneratedId() => (ulong)Interlocked.Increment(ref s_idCounter);

    /// <summary>The length of a generated request id: 12 hex digits, a dash, 16 hex digits.</summary>
    internal const int GeneratedIdLength = 29;

    /// <summary>Formats a generated request id: the process's random prefix, a dash, the counter in 16 hex digits.</summary>
    internal static string FormatGeneratedId(ulong value)
    {
        return string.Create(GeneratedIdLength, value, static (span, number) =>
        {
            s_idPrefix.AsSpan().CopyTo(span);
            span[12] = '-';
            for (var i = GeneratedIdLength - 1; i >= 13; i--)
            {
                span[i] = "0123456789abcdef"[(int)(number & 0xF)];
                number >>= 4;
            }
        });
    }

    /// <summary>Formats a generated request id as UTF-8 into <paramref name="destination"/> (<see cref="GeneratedIdLength"/> bytes): the same text as <see cref="FormatGeneratedId(ulong)"/>.</summary>
    internal static void FormatGeneratedId(ulong value, Span<byte> destination)
    {
        for (var i = 0; i < 12; i++)
        {
            destination[i] = (byte)s_idPrefix[i];
        }

        destination[12] = (byte)'-';
        for (var i = GeneratedIdLength - 1; i >= 13; i--)
        {
            destination[i] = (byte)"0123456789abcdef"[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    private static string CreateIdPrefix()
    {
        Span<byte> bytes = stackalloc byte[6];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexString(bytes).ToLowerInvariant();
    }
}
