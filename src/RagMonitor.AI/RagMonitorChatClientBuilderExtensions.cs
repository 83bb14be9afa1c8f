using System;
using Microsoft.Extensions.AI;

namespace RagMonitor.AI;

/// <summary>Adds RagMonitor's middleware to a <see cref="ChatClientBuilder"/>.</summary>
public static class RagMonitorChatClientBuilderExtensions
{
    /// <summary>
    /// Records every call of the chat client as a stage (default <c>generation</c>) of the ambient monitored
    /// request, with model, tokens, finish reason and, for streaming, time to first token (see <see cref="MonitoredChatClient"/>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="monitor">
    /// The monitor; when <see langword="null"/>, the <see cref="PerformanceMonitor"/> registered in the
    /// builder's service provider (RagMonitor.Hosting's <c>AddRagMonitor</c>), else <see cref="PerformanceMonitor.Default"/>.
    /// </param>
    /// <param name="stageName">The stage name, checked now: not empty, no leading or trailing white space, no control characters.</param>
    /// <param name="configure">Configures the middleware, for example <see cref="MonitoredChatClient.EnableSensitiveData"/>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stageName"/> breaks the naming rules.</exception>
    public static ChatClientBuilder UseRagMonitor(
        this ChatClientBuilder builder,
        PerformanceMonitor? monitor = null,
        string stageName = AiStageNames.Generation,
        Action<MonitoredChatClient>? configure = null)
    {
        if (builder is null)
        {
            throw new ArgumentNullException(nameof(builder));
        }

        AiStageNames.Validate(stageName, nameof(stageName));
        return builder.Use((innerClient, services) =>
        {
            var client = new MonitoredChatClient(innerClient, monitor ?? services.GetService(typeof(PerformanceMonitor)) as PerformanceMonitor, stageName);
            configure?.Invoke(client);
            return client;
        });
    }
}
