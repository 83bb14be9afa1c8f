using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace RagMonitor.Hosting;

/// <summary>Creates the monitor when the host starts and flushes its JSONL sink when the host stops.</summary>
internal sealed class RagMonitorFlushService : IHostedService
{
    private readonly PerformanceMonitor _monitor;

    public RagMonitorFlushService(PerformanceMonitor monitor)
    {
        _monitor = monitor;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Waits until every finished request is written, or until the host's shutdown time-out fires.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _monitor.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (System.OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown time-out: the monitor's Dispose (by the container) still drains what it can.
        }
    }
}
