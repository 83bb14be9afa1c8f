using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;

namespace RagMonitor;

/// <summary>
/// Starts and ends the request and stage spans of <see cref="RagMonitorTelemetry.Source"/>. Every entry point
/// is reached only after a <c>HasListeners()</c> check or with a non-null activity, so an unobserved monitor
/// pays one field test per stage.
/// </summary>
internal static class MonitorTracing
{
    internal const string RequestTag = "ragmonitor.request";
    internal const string RequestIdTag = "ragmonitor.request_id";
    internal const string StageTag = "ragmonitor.stage";
    internal const string StatusTag = "ragmonitor.status";
    internal const string BottlenecksTag = "ragmonitor.bottlenecks";
    internal const string MetadataTagPrefix = "ragmonitor.metadata.";

    private const int MaxCachedTagNames = 1024;
    private static readonly ConcurrentDictionary<string, string> s_metadataTagNames = new(StringComparer.Ordinal);

    internal static bool IsObserved => RagMonitorTelemetry.Source.HasListeners();

    /// <summary>Starts a request span that becomes <see cref="Activity.Current"/> of the calling flow (the ambient API).</summary>
    internal static Activity? StartRequest(RequestState state)
    {
        try
        {
            var activity = RagMonitorTelemetry.Source.StartActivity(state.Name, ActivityKind.Internal);
            if (activity is not null && activity.IsAllDataRequested)
            {
                activity.SetTag(RequestTag, state.Name);
                activity.SetTag(RequestIdTag, state.Id);
            }

            return activity;
        }
        catch (Exception ex)
        {
            // A listener's callback threw: the request goes on without a span.
            state.Monitor.CountInternalError(ex);
            return null;
        }
    }

    /// <summary>Starts a request span for the explicit API: it is not left as the current activity of the caller.</summary>
    internal static Activity? StartDetachedRequest(RequestState state)
    {
        var current = Activity.Current;
        var activity = StartRequest(state);
        RestoreCurrent(activity, current);
        return activity;
    }

    /// <summary>Starts a stage span, a child of the current activity, and makes it current.</summary>
    internal static Activity? StartStage(RequestState request, string stageName)
    {
        try
        {
            var activity = RagMonitorTelemetry.Source.StartActivity(stageName, ActivityKind.Internal);
            if (activity is not null && activity.IsAllDataRequested)
            {
                activity.SetTag(RequestTag, request.Name);
                activity.SetTag(StageTag, stageName);
            }

            return activity;
        }
        catch (Exception ex)
        {
            request.Monitor.CountInternalError(ex);
            return null;
        }
    }

    /// <summary>Makes the span's parent current again when the span is the current activity (the flow leaves the stage's synchronous part).</summary>
    internal static void Leave(Activity activity)
    {
        if (ReferenceEquals(Activity.Current, activity))
        {
            Activity.Current = activity.Parent;
        }
    }

    /// <summary>Marks the span failed (status Error) and adds an OpenTelemetry <c>exception</c> event.</summary>
    internal static void RecordException(Activity activity, Exception exception)
    {
        var status = PerformanceMonitor.StatusOf(exception);
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        if (!activity.IsAllDataRequested)
        {
            return;
        }

        activity.SetTag(StatusTag, status.ToLogText());
        activity.SetTag("error.type", exception.GetType().FullName);
        string stackTrace;
        try
        {
            stackTrace = exception.ToString();
        }
        catch (Exception)
        {
            stackTrace = exception.GetType().FullName ?? "exception";
        }

        activity.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection
        {
            { "exception.type", exception.GetType().FullName },
            { "exception.message", exception.Message },
            { "exception.stacktrace", stackTrace },
        }));
    }

    /// <summary>Ends a stage span: metadata and GenAI tags from the request's record of the stage, status Ok unless it failed.</summary>
    internal static void StopStage(Activity activity, RequestState request, string stageName)
    {
        try
        {
            if (activity.IsAllDataRequested)
            {
                ApplyStageTags(activity, stageName, request.GetStageMetadata(stageName));
            }

            if (activity.Status == ActivityStatusCode.Unset)
            {
                activity.SetStatus(ActivityStatusCode.Ok);
                if (activity.IsAllDataRequested)
                {
                    activity.SetTag(StatusTag, "success");
                }
            }
        }
        finally
        {
            Stop(activity, request.Monitor);
        }
    }

    /// <summary>Ends a request span with the request's status and bottleneck verdict.</summary>
    internal static void StopRequest(Activity activity, RequestSummary summary, PerformanceMonitor monitor)
    {
        try
        {
            if (activity.IsAllDataRequested)
            {
                activity.SetTag(StatusTag, summary.Status.ToLogText());
                if (summary.ErrorType is not null)
                {
                    activity.SetTag("error.type", summary.ErrorType);
                }

                if (summary.Bottlenecks.Count > 0)
                {
                    var texts = new string[summary.Bottlenecks.Count];
                    for (var i = 0; i < texts.Length; i++)
                    {
                        texts[i] = summary.Bottlenecks[i].ToString();
                    }

                    activity.SetTag(BottlenecksTag, texts);
                }
            }

            if (summary.Status == OperationStatus.Success)
            {
                if (activity.Status == ActivityStatusCode.Unset)
                {
                    activity.SetStatus(ActivityStatusCode.Ok);
                }
            }
            else if (activity.Status != ActivityStatusCode.Error)
            {
                activity.SetStatus(ActivityStatusCode.Error, summary.ErrorType ?? summary.Status.ToLogText());
            }
        }
        finally
        {
            Stop(activity, monitor);
        }
    }

    /// <summary>A span for a stage logged after the fact with the explicit API: a child of the request span, ending now, lasting <paramref name="duration"/>.</summary>
    internal static void RecordLoggedStage(RequestState request, string stageName, TimeSpan duration)
    {
        var parent = request.Activity;
        if (parent is null)
        {
            return;
        }

        var current = Activity.Current;
        var end = DateTimeOffset.UtcNow;
        Activity? activity;
        try
        {
            activity = RagMonitorTelemetry.Source.StartActivity(stageName, ActivityKind.Internal, parent.Context, startTime: end - duration);
        }
        catch (Exception ex)
        {
            request.Monitor.CountInternalError(ex);
            return;
        }

        RestoreCurrent(activity, current);
        if (activity is null)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(RequestTag, request.Name);
            activity.SetTag(StageTag, stageName);
        }

        activity.SetEndTime(end.UtcDateTime);
        StopStage(activity, request, stageName);
    }

    /// <summary>The span tag for a metadata key: <c>ragmonitor.metadata.&lt;key&gt;</c>, or the key itself when it already is a <c>gen_ai.</c> attribute.</summary>
    internal static string MetadataTagName(string key)
    {
        if (key.StartsWith("gen_ai.", StringComparison.Ordinal))
        {
            return key;
        }

        if (s_metadataTagNames.TryGetValue(key, out var name))
        {
            return name;
        }

        name = MetadataTagPrefix + key;
        if (s_metadataTagNames.Count < MaxCachedTagNames)
        {
            s_metadataTagNames.TryAdd(key, name);
        }

        return name;
    }

    /// <summary>Sets the metadata tags and the OpenTelemetry GenAI attributes derived from well-known keys (see docs/opentelemetry.md).</summary>
    internal static void ApplyStageTags(Activity activity, string stageName, KeyValuePair<string, MetadataValue>[]? metadata)
    {
        string? operation = null;
        if (metadata is not null)
        {
            foreach (var pair in metadata)
            {
                activity.SetTag(MetadataTagName(pair.Key), pair.Value.ToObject());
                var attribute = GenAiAttributes.ForMetadataKey(pair.Key);
                if (attribute is null)
                {
                    continue;
                }

                if (attribute == GenAiAttributes.OperationName)
                {
                    operation = pair.Value.Kind == MetadataValueKind.String ? pair.Value.StringValue : operation;
                }
                else if (GenAiAttributes.Convert(attribute, pair.Value) is { } value)
                {
                    activity.SetTag(attribute, value);
                }
            }
        }

        operation ??= GenAiAttributes.OperationFromStageName(stageName);
        if (operation is not null)
        {
            activity.SetTag(GenAiAttributes.OperationName, operation);
        }
    }

    /// <summary>Stops <paramref name="activity"/> without changing the caller's <see cref="Activity.Current"/> (Stop would reset it to the span's predecessor).</summary>
    private static void Stop(Activity activity, PerformanceMonitor monitor)
    {
        var current = Activity.Current;
        try
        {
            activity.Stop();
        }
        catch (Exception ex)
        {
            // A listener's ActivityStopped callback threw; it must not reach the monitored code.
            monitor.CountInternalError(ex);
        }

        if (!ReferenceEquals(current, activity))
        {
            RestoreCurrent(activity, current);
        }
    }

    private static void RestoreCurrent(Activity? started, Activity? previous)
    {
        if (started is not null && !ReferenceEquals(Activity.Current, previous) && (previous is null || !previous.IsStopped))
        {
            Activity.Current = previous;
        }
    }
}
