using System;
using System.Collections.Generic;
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

        return StageCall.Track(stage, (Client: this, messages, options, cancellationToken),
            static s => s.Client.RespondAsync(s.messages, s.options, s.cancellationToken));
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        new MonitoredChatStream(this, messages, options, cancellationToken);

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

    /// <summary>The model asked for: the options' model, else the client's default model (<see langword="null"/> when neither names one).</summary>
    internal string? RequestedModel(ChatOptions? options) => options?.ModelId ?? _defaultModelId;

    /// <summary>Sends a stream's updates through the inner client.</summary>
    internal IAsyncEnumerable<ChatResponseUpdate> InnerStream(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) =>
        base.GetStreamingResponseAsync(messages, options, cancellationToken);

    /// <summary>Records what is known before the call (operation, model, provider, and the prompt when opted in) on <paramref name="stage"/>.</summary>
    internal void RecordRequest(in StageScope stage, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        try
        {
            stage.AddMetadata(AiStageMetadata.Operation, "chat");
            if (RequestedModel(options) is { } model)
            {
                stage.AddMetadata(AiStageMetadata.ModelId, model);
            }

            if (_providerName is not null)
            {
                stage.AddMetadata(AiStageMetadata.Provider, _providerName);
            }

            if (EnableSensitiveData)
            {
                stage.AddMetadata(AiStageMetadata.Prompt, PromptText(messages));
            }
        }
        catch (Exception)
        {
            // First law: recording never throws into the call (a user ChatMessage subclass could).
        }
    }

    private void RecordRequest(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        try
        {
            StageContext.AddMetadata(AiStageMetadata.Operation, "chat");
            if (RequestedModel(options) is { } model)
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
            if (RequestedModel(options) is null && response.ModelId is { } model)
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
}
