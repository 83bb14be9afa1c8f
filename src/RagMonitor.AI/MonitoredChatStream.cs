using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace RagMonitor.AI;

/// <summary>
/// A streamed chat call of <see cref="MonitoredChatClient"/>. Each enumeration is one call of the inner client and
/// one call of the stage: the stage begins when enumeration begins (in the caller's flow, so it belongs to the
/// ambient request) and ends when the stream ends, fails or is left early.
/// </summary>
internal sealed class MonitoredChatStream : IAsyncEnumerable<ChatResponseUpdate>
{
    private readonly MonitoredChatClient _owner;
    private readonly IEnumerable<ChatMessage> _messages;
    private readonly ChatOptions? _options;
    private readonly CancellationToken _cancellationToken;

    internal MonitoredChatStream(MonitoredChatClient owner, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        _owner = owner;
        _messages = messages;
        _options = options;
        _cancellationToken = cancellationToken;
    }

    public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        // Detached: the caller's flow is left as it is, and the enumerator ends the stage itself (no task to track).
        var stage = _owner.Monitor.BeginDetachedStage(_owner.StageName);
        if (!stage.IsRecording)
        {
            // Outside a request: counted by BeginDetachedStage, the inner stream is handed back as it is.
            return _owner.InnerStream(_messages, _options, _cancellationToken).GetAsyncEnumerator(cancellationToken);
        }

        return new StreamedCall(_owner, stage, _messages, _options, _cancellationToken, cancellationToken);
    }

    /// <summary>
    /// One enumeration. The stage is detached (nothing ambient is switched, not at the start nor per update) and
    /// ends when the stream ends, fails or the enumerator is disposed early; the stage's span is made current around
    /// the inner client's code only while tracing listens.
    /// </summary>
    private sealed class StreamedCall : IAsyncEnumerator<ChatResponseUpdate>
    {
        private readonly MonitoredChatClient _owner;
        private readonly StageScope _stage;
        private readonly long _start;
        private readonly IAsyncEnumerator<ChatResponseUpdate> _inner;
        private readonly StringBuilder? _completion;
        private readonly bool _modelRequested;
        private long _firstContent;
        private UsageDetails? _usage;
        private ChatFinishReason? _finishReason;
        private string? _responseModel;
        private int _ended;

        internal StreamedCall(MonitoredChatClient owner, StageScope stage, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken callToken, CancellationToken enumerationToken)
        {
            _owner = owner;
            _stage = stage;
            _start = owner.Monitor.TimeProvider.GetTimestamp();
            _modelRequested = owner.RequestedModel(options) is not null;
            _completion = owner.EnableSensitiveData ? new StringBuilder() : null;
            owner.RecordRequest(stage, messages, options);
            var span = stage.Activity;
            var previous = Activity.Current;
            var swap = span is not null && !ReferenceEquals(previous, span);
            if (swap)
            {
                Activity.Current = span;
            }

            try
            {
                _inner = owner.InnerStream(messages, options, callToken).GetAsyncEnumerator(enumerationToken);
            }
            catch (Exception ex) when (End(ex))
            {
                throw;
            }
            finally
            {
                if (swap)
                {
                    Activity.Current = previous;
                }
            }
        }

        public ChatResponseUpdate Current => _inner.Current;

        public ValueTask<bool> MoveNextAsync()
        {
            var span = _stage.Activity;
            var previous = Activity.Current;
            var swap = span is not null && !span.IsStopped && !ReferenceEquals(previous, span);
            if (swap)
            {
                Activity.Current = span;
            }

            ValueTask<bool> next;
            try
            {
                next = _inner.MoveNextAsync();
            }
            catch (Exception ex) when (End(ex))
            {
                throw;
            }
            finally
            {
                if (swap)
                {
                    Activity.Current = previous;
                }
            }

            if (next.IsCompletedSuccessfully)
            {
                OnResult(next.Result);
                return next;
            }

            return AwaitNext(next);
        }

        public async ValueTask DisposeAsync()
        {
            if (Volatile.Read(ref _ended) == 0)
            {
                _stage.AddMetadata(AiStageMetadata.Abandoned, true);
                End(null);
            }

            await _inner.DisposeAsync().ConfigureAwait(false);
        }

        private async ValueTask<bool> AwaitNext(ValueTask<bool> next)
        {
            bool hasItem;
            try
            {
                hasItem = await next.ConfigureAwait(false);
            }
            catch (Exception ex) when (End(ex))
            {
                throw;
            }

            OnResult(hasItem);
            return hasItem;
        }

        private void OnResult(bool hasItem)
        {
            if (!hasItem)
            {
                End(null);
                return;
            }

            try
            {
                if (Observe(_inner.Current) && _firstContent == 0)
                {
                    _firstContent = _owner.Monitor.TimeProvider.GetTimestamp();
                    _stage.AddMetadata(AiStageMetadata.TimeToFirstTokenMs, Math.Round(_owner.Monitor.TimeProvider.GetElapsedTime(_start, _firstContent).TotalMilliseconds, 3));
                }
            }
            catch (Exception)
            {
                // First law: recording never throws into the stream.
            }
        }

        /// <summary>Takes usage, finish reason and model from the update; true when it carries content other than usage.</summary>
        private bool Observe(ChatResponseUpdate update)
        {
            _finishReason = update.FinishReason ?? _finishReason;
            _responseModel ??= update.ModelId;
            var hasContent = false;
            foreach (var content in update.Contents)
            {
                if (content is UsageContent usage)
                {
                    // Usually one usage update per stream; a second one is added to a copy, never to the caller's object.
                    if (_usage is null)
                    {
                        _usage = usage.Details;
                    }
                    else
                    {
                        var sum = new UsageDetails();
                        sum.Add(_usage);
                        sum.Add(usage.Details);
                        _usage = sum;
                    }
                }
                else if (content is not TextContent { Text.Length: 0 })
                {
                    hasContent = true;
                }
            }

            if (_completion is not null && hasContent)
            {
                _completion.Append(update.Text);
            }

            return hasContent;
        }

        /// <summary>Ends the stage once: records what the stream carried, then ends the detached stage. Returns false (an exception filter).</summary>
        private bool End(Exception? exception)
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return false;
            }

            var end = _owner.Monitor.TimeProvider.GetTimestamp();
            if (exception is not null)
            {
                _stage.Fail(exception);
            }

            RecordEnd(end);
            _stage.Dispose();
            return false;
        }

        private void RecordEnd(long end)
        {
            try
            {
                if (!_modelRequested && _responseModel is not null)
                {
                    _stage.AddMetadata(AiStageMetadata.ModelId, _responseModel);
                }

                if (_usage?.InputTokenCount is { } input)
                {
                    _stage.AddToMetadata(AiStageMetadata.InputTokens, input);
                }

                if (_usage?.OutputTokenCount is { } output)
                {
                    _stage.AddToMetadata(AiStageMetadata.OutputTokens, output);
                    if (output > 0 && _firstContent != 0)
                    {
                        var generating = _owner.Monitor.TimeProvider.GetElapsedTime(_firstContent, end);
                        if (generating <= TimeSpan.Zero)
                        {
                            // Everything arrived in one update: the whole stream is the generation time.
                            generating = _owner.Monitor.TimeProvider.GetElapsedTime(_start, end);
                        }

                        if (generating > TimeSpan.Zero)
                        {
                            _stage.AddMetadata(AiStageMetadata.OutputTokensPerSecond, Math.Round(output / generating.TotalSeconds, 3));
                        }
                    }
                }

                if (_finishReason is { } reason)
                {
                    _stage.AddMetadata(AiStageMetadata.FinishReason, reason.Value);
                }

                if (_completion is not null)
                {
                    _stage.AddMetadata(AiStageMetadata.Completion, _completion.ToString());
                }
            }
            catch (Exception)
            {
                // First law: recording never throws into the stream.
            }
        }
    }
}
