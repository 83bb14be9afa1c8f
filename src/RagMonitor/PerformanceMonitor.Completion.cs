using System;
using System.Globalization;
using System.Threading;
using Microsoft.Extensions.Logging;

namespace RagMonitor;

/// <summary>
/// How a finished request leaves the monitor. There is one route, whatever listens:
/// <list type="number">
/// <item>the request's thread seals the request, whose stages were recorded into a pooled <see cref="CompletedRequest"/>,
/// and takes that record;</item>
/// <item><see cref="JudgeAndCount"/> applies the bottleneck rules and records the live statistics (the only place that
/// does either for a finished request), still on the request's thread, so <see cref="GetStatistics"/> never waits;</item>
/// <item>a <see cref="RequestSummary"/> is built from the record only when someone needs it now (the explicit API's
/// <see cref="EndRequest(string)"/>, a <see cref="RequestCompleted"/> handler, the request's span, a metric listener, an
/// alert that someone listens to);</item>
/// <item>the record goes to the sink's queue, whose writer only formats and writes it, then hands it back to the pool;</item>
/// <item>the listeners get the summary.</item>
/// </list>
/// </summary>
public sealed partial class PerformanceMonitor
{
    /// <summary>Ends a request once and takes it through the one route above. Never throws.</summary>
    /// <returns>The summary when one was built, else <see langword="null"/>.</returns>
    internal RequestSummary? Complete(RequestState state, bool summaryWanted = false)
    {
        if (!state.TryMarkEnded())
        {
            return null;
        }

        // Counted as completed first, so that whatever fails below, the request is counted once, and (with a sink) either
        // handed to it or counted as dropped: written + dropped + pending = completed.
        Interlocked.Increment(ref _completed);
        var handedToSink = false;
        try
        {
            var end = GetTimestamp();
            long? allocated = null;
            int? collections = null;
            if (state.StartAllocatedBytes >= 0)
            {
                allocated = Math.Max(0, GC.GetTotalAllocatedBytes(false) - state.StartAllocatedBytes);
                collections = Math.Max(0, GC.CollectionCount(0) - state.StartGcCollections);
            }

            if (state.SealRecord(end, allocated, collections) is not { } record)
            {
                // Sealed before it ended (not expected: an abandoned request is marked ended first). Keep the counts whole.
                _sink?.CountDropped();
                return null;
            }

            JudgeAndCount(record);
            var summary = SummaryNeeded(state, record, summaryWanted) ? record.ToSummary() : null;

            // From here on the record belongs to the sink's writer (or, refused, back to the pool); the summary does
            // not share anything that changes.
            handedToSink = true;
            if (_sink is null || !_sink.TryEnqueue(record))
            {
                record.Release();
            }

            if (summary is not null)
            {
                Notify(state, summary);
            }

            return summary;
        }
        catch (Exception ex)
        {
            CountInternalError(ex);
            if (!handedToSink && _sink is not null)
            {
                _sink.CountDropped();
            }

            return null;
        }
    }

    /// <summary>
    /// The owner of a finished request's judgement and live statistics: applies the bottleneck rules (the adaptive rule
    /// against the requests recorded before this one), then records the request in the live statistics. Runs once per
    /// finished request, on the thread that ended it.
    /// </summary>
    private void JudgeAndCount(CompletedRequest record)
    {
        MarkBottlenecks(record, completed: true);
        _statistics.Record(record);
    }

    /// <summary>Whether anyone needs this finished request's summary now.</summary>
    private bool SummaryNeeded(RequestState state, CompletedRequest record, bool summaryWanted)
        => summaryWanted
            || state.Activity is not null
            || RequestCompleted is not null
            || MonitorMetrics.IsListened
            || (RaisesAlert(record) && AlertsListened());

    /// <summary>Hands a finished request's summary to its span, the metrics, the alerts and the <see cref="RequestCompleted"/> handlers. Never throws.</summary>
    private void Notify(RequestState state, RequestSummary summary)
    {
        if (state.Activity is { } activity)
        {
            MonitorTracing.StopRequest(activity, summary, this);
        }

        try
        {
            MonitorMetrics.Record(summary, this);
        }
        catch (Exception ex)
        {
            // A metric listener's callback threw.
            CountInternalError(ex);
        }

        RaiseAlerts(summary);
        if (RequestCompleted is { } handlers)
        {
            InvokeContained(handlers, summary, "RequestCompleted");
        }
    }

    /// <summary>Applies the bottleneck rules to a record's stages (no allocation); the adaptive rule only when <paramref name="completed"/>.</summary>
    private void MarkBottlenecks(CompletedRequest record, bool completed)
    {
        var count = 0;
        DateTimeOffset? endTime = completed ? record.StartTime + record.TotalTime : null;
        foreach (ref var stage in record.Stages)
        {
            stage.IsBottleneck = TryFindBottleneck(stage.Name, stage.Share, stage.Duration, endTime, out stage.BottleneckRule, out stage.BottleneckLimit);
            if (stage.IsBottleneck)
            {
                count++;
            }
        }

        record.BottleneckCount = count;
    }

    /// <summary>
    /// The bottleneck rules, in order: share strictly over the threshold; over the stage's absolute threshold; (finished
    /// requests only: <paramref name="endTime"/> is set) slower than the stage's recent p95. <paramref name="limit"/> is the
    /// share threshold or milliseconds.
    /// </summary>
    private bool TryFindBottleneck(string stageName, double share, TimeSpan duration, DateTimeOffset? endTime, out BottleneckRule rule, out double limit)
    {
        var threshold = _options.BottleneckShareThreshold;
        if (share > threshold)
        {
            rule = BottleneckRule.Share;
            limit = threshold;
            return true;
        }

        var thresholds = _options.StageDurationThresholds;
        if (thresholds.Count > 0 && thresholds.TryGetValue(stageName, out var absolute) && duration > absolute)
        {
            rule = BottleneckRule.AbsoluteThreshold;
            limit = absolute.TotalMilliseconds;
            return true;
        }

        if (endTime is { } end && _options.AdaptiveBottlenecks
            && _statistics.TryGetRecentP95(stageName, _options.AdaptiveWarmupCount, end, out var p95)
            && duration > p95)
        {
            rule = BottleneckRule.Adaptive;
            limit = p95.TotalMilliseconds;
            return true;
        }

        rule = default;
        limit = 0;
        return false;
    }

    /// <summary>Whether this finished request, its bottlenecks marked, raises an alert (whether anyone listens is <see cref="AlertsListened"/>'s question).</summary>
    private bool RaisesAlert(CompletedRequest record)
        => IsSlow(record.TotalTime) || (_options.AlertOnBottlenecks && record.BottleneckCount > 0);

    /// <summary>Whether a request that took <paramref name="totalTime"/> is over the slow-request threshold (if one is set).</summary>
    private bool IsSlow(TimeSpan totalTime) => _options.SlowRequestThreshold is { } threshold && totalTime > threshold;

    /// <summary>Whether alerts reach anyone: an <see cref="AlertRaised"/> handler, or a logger with warnings enabled.</summary>
    private bool AlertsListened()
    {
        if (AlertRaised is not null)
        {
            return true;
        }

        if (_logger is null)
        {
            return false;
        }

        try
        {
            return _logger.IsEnabled(LogLevel.Warning);
        }
        catch (Exception ex)
        {
            CountInternalError(ex);
            return false;
        }
    }

    private void RaiseAlerts(RequestSummary summary)
    {
        var alertHandlers = AlertRaised;
        if (_options.SlowRequestThreshold is { } slow && summary.TotalTime > slow)
        {
            if (_logger is not null)
            {
                try
                {
                    s_logSlowRequest(_logger, summary.RequestName, summary.RequestId, summary.TotalTime.TotalSeconds, slow.TotalSeconds, null);
                }
                catch (Exception ex)
                {
                    CountInternalError(ex);
                }
            }

            if (alertHandlers is not null)
            {
                var message = string.Create(CultureInfo.InvariantCulture, $"Request {summary.RequestName} {summary.RequestId} took {summary.TotalTime.TotalSeconds:F3} s (threshold {slow.TotalSeconds:F3} s)");
                InvokeContained(alertHandlers, new PerformanceAlert(PerformanceAlertKind.SlowRequest, message, summary), "AlertRaised");
            }
        }

        if (_options.AlertOnBottlenecks && summary.Bottlenecks.Count > 0)
        {
            if (_logger is not null)
            {
                try
                {
                    if (_logger.IsEnabled(LogLevel.Warning))
                    {
                        s_logBottleneck(_logger, summary.RequestName, summary.RequestId, string.Join(", ", summary.BottleneckTexts), null);
                    }
                }
                catch (Exception ex)
                {
                    CountInternalError(ex);
                }
            }

            if (alertHandlers is not null)
            {
                var message = $"Bottleneck in {summary.RequestName} {summary.RequestId}: {string.Join(", ", summary.BottleneckTexts)}";
                InvokeContained(alertHandlers, new PerformanceAlert(PerformanceAlertKind.Bottleneck, message, summary), "AlertRaised");
            }
        }
    }

    private void InvokeContained<T>(EventHandler<T> handlers, T argument, string name)
    {
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((EventHandler<T>)handler)(this, argument);
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _callbackFailures);
                if (_logger is not null)
                {
                    try
                    {
                        s_logCallbackFailure(_logger, name, ex);
                    }
                    catch (Exception)
                    {
                        // A failing logger must not surface either.
                    }
                }
            }
        }
    }
}
