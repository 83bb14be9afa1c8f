using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace RagMonitor.AI;

/// <summary>
/// A delegating <see cref="IChatClient"/> that records each call as a stage of the ambient monitored request:
/// duration, status (failure with the exception type, or cancelled), model id, provider, input and output
/// tokens, finish reason, and for streaming the time to the first token and the output tokens per second.
/// Outside a monitored request (or with a disabled monitor) calls pass straight through, untimed, and are
/// counted in the monitor's statistics as stages outside requests.
/// </summary>
/// <remarks>
/// Build it with <see cref="RagMonitorChatClientBuilderExtensions.UseRagMonitor(ChatClientBuilder, PerformanceMonitor?, string, Action{MonitoredChatClient}?)"/>.
/// Exceptions of the inner client propagate unchanged (the same object); the middleware itself never throws
/// into the call.
/// </remarks>
public sealed class MonitoredChatClient : DelegatingChatClient
{
    private readonly PerformanceMonitor _monitor;
    private readonly string _stageName;
    private readonly string? _defaultModelId;
    private readonly string? _providerName;

    /// <summary>Creates the middleware around <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The client that does the work.</param>
    /// <param name="monitor">The monitor; <see langword="null"/> for <see cref="PerformanceMonitor.Default"/>.</param>
    /// <param name="stageName">The stage name; default <c>generation</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stageName"/> is empty, white space, has leading or trailing white space or control characters.</exception>
    public MonitoredChatClient(IChatClient innerClient, PerformanceMonitor? monitor = null, string stageName = AiStageNames.Generation)
        : base(innerClient)
    {
        _stageName = AiStageNames.Validate(stageName, nameof(stageName));
        _monitor = monitor ?? PerformanceMonitor.Default;
        var metadata = AiClientMetadata.Read<ChatClientMetadata>(innerClient);
        _defaultModelId = metadata?.DefaultModelId;
        _providerName = metadata?.ProviderName;
    }

    /// <summary>The stage each call is recorded as.</summary>
    public string StageName => _stageName;

    /// <summary>The monitor the stages are recorded with.</summary>
    public PerformanceMonitor Monitor => _monitor;

    /// <summary>
    /// Records the prompt messages (<c>prompt</c>) and the answer's text (<c>completion</c>) as stage metadata,
    /// and so in the JSONL logs and span tags. <b>Sensitive:</b> prompts and answers may hold personal or
    /// confidential data. Off by default; long texts are cut to <see cref="PerformanceMonitorOptions.MaxMetadataValueLength"/>.
    /// </summary>
    public bool EnableSensitiveData { get; set; }

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var stage = _monitor.BeginAsyncStage(_stageName);
        if (!stage.IsRecording)
        {
            return base.GetResponseAsync(messages, options, cancellationToken);
        }

        Task<ChatResponse> task;
        var started = false;
        try
        {
            task = RespondAsync(messages, options, cancellationToken);
            started = true;
        }
        catch (Exception ex) when (stage.Fail(ex))
        {
            throw;
        }
        finally
        {
            if (!started)
            {
                stage.Dispose();
            }
        }

        return stage.Track(task);
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!_monitor.IsEnabled || StageContext.CurrentRequestId is null)
        {
            // Not recorded: TrackStageStream counts the stage outside a request and hands the stream back as it is.
            return _monitor.TrackStageStream(_stageName, base.GetStreamingResponseAsync(messages, options, cancellationToken));
        }

        return _monitor.TrackStageStream(_stageName, StreamAsync(messages, options, cancellationToken));
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(MonitoredChatClient) ? this : base.GetService(serviceType, serviceKey);

    /// <summary>The stage's body: runs with the stage current, so the metadata lands on this call's stage.</summary>
    private async Task<ChatResponse> RespondAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        RecordRequest(messages, options);
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        RecordResponse(response, options);
        return response;
    }

    /// <summary>The stream's body, enumerated inside the stage that <see cref="PerformanceMonitor.TrackStageStream{T}"/> times.</summary>
    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var time = _monitor.TimeProvider;
        var start = time.GetTimestamp();
        var stream = new StreamObservation(EnableSensitiveData);
        RecordRequest(messages, options);
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                if (stream.Observe(update) && stream.FirstContentTimestamp == 0)
                {
                    stream.FirstContentTimestamp = time.GetTimestamp();
                    AiMetadataRecorder.Add(AiStageMetadata.TimeToFirstTokenMs, Math.Round(time.GetElapsedTime(start, stream.FirstContentTimestamp).TotalMilliseconds, 3));
                }

                yield return update;
            }
        }
        finally
        {
            // Also when the stream fails or the caller stops early: what arrived is recorded.
            RecordStreamEnd(stream, options, start, time.GetTimestamp());
        }
    }

    private void RecordRequest(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        try
        {
            StageContext.AddMetadata(AiStageMetadata.Operation, "chat");
            if ((options?.ModelId ?? _defaultModelId) is { } model)
            {
                StageContext.AddMetadata(AiStageMetadata.ModelId, model);
            }

            if (_providerName is not null)
            {
                StageContext.AddMetadata(AiStageMetadata.Provider, _providerName);
            }

            if (EnableSensitiveData)
            {
                StageContext.AddMetadata(AiStageMetadata.Prompt, PromptText(messages));
            }
        }
        catch (Exception)
        {
            // First law: recording never throws into the call (a user ChatMessage subclass could).
        }
    }

    private void RecordResponse(ChatResponse response, ChatOptions? options)
    {
        try
        {
            if (options?.ModelId is null && _defaultModelId is null && response.ModelId is { } model)
            {
                StageContext.AddMetadata(AiStageMetadata.ModelId, model);
            }

            AiMetadataRecorder.AddUsage(response.Usage);
            if (response.FinishReason is { } reason)
            {
                StageContext.AddMetadata(AiStageMetadata.FinishReason, reason.Value);
            }

            if (EnableSensitiveData)
            {
                StageContext.AddMetadata(AiStageMetadata.Completion, response.Text);
            }
        }
        catch (Exception)
        {
            // First law: recording never throws into the call.
        }
    }

    private void RecordStreamEnd(StreamObservation stream, ChatOptions? options, long start, long end)
    {
        try
        {
            if (options?.ModelId is null && _defaultModelId is null && stream.ModelId is { } model)
            {
                StageContext.AddMetadata(AiStageMetadata.ModelId, model);
            }

            AiMetadataRecorder.AddUsage(stream.Usage);
            if (stream.FinishReason is { } reason)
            {
                StageContext.AddMetadata(AiStageMetadata.FinishReason, reason.Value);
            }

            if (stream.Usage?.OutputTokenCount is > 0 and var outputTokens && stream.FirstContentTimestamp != 0)
            {
                var time = _monitor.TimeProvider;
                var generating = time.GetElapsedTime(stream.FirstContentTimestamp, end);
                if (generating <= TimeSpan.Zero)
                {
                    // Everything arrived in one update: the whole stream is the generation time.
                    generating = time.GetElapsedTime(start, end);
                }

                if (generating > TimeSpan.Zero)
                {
                    StageContext.AddMetadata(AiStageMetadata.OutputTokensPerSecond, Math.Round(outputTokens / generating.TotalSeconds, 3));
                }
            }

            if (stream.Completion is not null)
            {
                StageContext.AddMetadata(AiStageMetadata.Completion, stream.Completion.ToString());
            }
        }
        catch (Exception)
        {
            // First law: recording never throws into the stream.
        }
    }

    private static string PromptText(IEnumerable<ChatMessage> messages)
    {
        var text = new StringBuilder();
        foreach (var message in messages)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(message.Role.Value).Append(": ").Append(message.Text);
        }

        return text.ToString();
    }

    /// <summary>What one stream carried so far.</summary>
    private sealed class StreamObservation
    {
        internal StreamObservation(bool recordCompletion)
        {
            Completion = recordCompletion ? new StringBuilder() : null;
        }

        internal long FirstContentTimestamp;
        internal UsageDetails? Usage;
        internal ChatFinishReason? FinishReason;
        internal string? ModelId;
        internal StringBuilder? Completion;

        /// <summary>Takes usage, finish reason and model from the update; true when it carries content other than usage.</summary>
        internal bool Observe(ChatResponseUpdate update)
        {
            FinishReason = update.FinishReason ?? FinishReason;
            ModelId ??= update.ModelId;
            var hasContent = false;
            foreach (var content in update.Contents)
            {
                if (content is UsageContent usage)
                {
                    // Usually one usage update per stream; a second one is added to a copy, never to the caller's object.
                    if (Usage is null)
                    {
                        Usage = usage.Details;
                    }
                    else
                    {
                        var sum = new UsageDetails();
                        sum.Add(Usage);
                        sum.Add(usage.Details);
                        Usage = sum;
                    }
                }
                else if (content is not TextContent { Text.Length: 0 })
                {
                    hasContent = true;
                }
            }

            if (Completion is not null && hasContent)
            {
                Completion.Append(update.Text);
            }

            return hasContent;
        }
    }
}
