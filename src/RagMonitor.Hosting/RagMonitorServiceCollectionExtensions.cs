using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RagMonitor.Hosting;

/// <summary>Registers a <see cref="PerformanceMonitor"/> in a service collection.</summary>
public static class RagMonitorServiceCollectionExtensions
{
    /// <summary>The configuration section conventionally used for the monitor's settings: <c>"RagMonitor"</c>.</summary>
    public const string DefaultSectionName = "RagMonitor";

    /// <summary>
    /// Registers a singleton <see cref="PerformanceMonitor"/> built from <see cref="IOptions{TOptions}"/> of
    /// <see cref="PerformanceMonitorOptions"/>, the container's <see cref="ILogger{TCategoryName}"/> and
    /// <see cref="TimeProvider"/> (<see cref="TimeProvider.System"/> when none is registered), and a hosted
    /// service that flushes the JSONL sink when the host stops. Settings are validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional code configuration of the settings.</param>
    public static IServiceCollection AddRagMonitor(this IServiceCollection services, Action<PerformanceMonitorOptions>? configure = null)
    {
        if (services is null)
        {
            throw new ArgumentNullException(nameof(services));
        }

        var options = services.AddOptions<PerformanceMonitorOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        AddCore(services);
        return services;
    }

    /// <summary>
    /// Like <see cref="AddRagMonitor(IServiceCollection, Action{PerformanceMonitorOptions})"/>, binding the settings
    /// from <paramref name="configuration"/> (for example <c>builder.Configuration.GetSection("RagMonitor")</c>),
    /// then applying <paramref name="configure"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section holding <see cref="PerformanceMonitorOptions"/> properties.</param>
    /// <param name="configure">Optional code configuration applied after binding.</param>
    public static IServiceCollection AddRagMonitor(this IServiceCollection services, IConfiguration configuration, Action<PerformanceMonitorOptions>? configure = null)
    {
        if (services is null)
        {
            throw new ArgumentNullException(nameof(services));
        }

        if (configuration is null)
        {
            throw new ArgumentNullException(nameof(configuration));
        }

        var options = services.AddOptions<PerformanceMonitorOptions>().Bind(configuration);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        AddCore(services);
        return services;
    }

    private static void AddCore(IServiceCollection services)
    {
        services.AddOptions<PerformanceMonitorOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PerformanceMonitorOptions>, PerformanceMonitorOptionsValidator>());
        services.TryAddSingleton(static provider => new PerformanceMonitor(
            provider.GetRequiredService<IOptions<PerformanceMonitorOptions>>().Value,
            provider.GetService<ILogger<PerformanceMonitor>>(),
            provider.GetService<TimeProvider>() ?? TimeProvider.System));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, RagMonitorFlushService>());
    }
}
