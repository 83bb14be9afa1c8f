namespace RagMonitor;

public sealed partial class PerformanceMonitor
{
    /// <summary>Creates the sink for finished requests: a <see cref="JsonlSink"/> built from this monitor's options, logger and clock.</summary>
    private IRequestSink? CreateSink() => new JsonlSink(Options, Logger, TimeProvider);
}
