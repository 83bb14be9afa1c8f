using System;

namespace RagMonitor;

public sealed partial class PerformanceMonitor
{
    /// <summary>Creates the sink for finished requests: a <see cref="JsonlSink"/> built from this monitor's options, logger and clock.</summary>
    /// <remarks>
    /// The sink holds this monitor only weakly (its queued records do not reference the monitor): a monitor that is
    /// dropped without <see cref="Dispose"/> can be collected; its writer then writes what is left and stops.
    /// </remarks>
    private IRequestSink? CreateSink() => new JsonlSink(_options, _logger, _timeProvider, new WeakReference<object>(this));
}
