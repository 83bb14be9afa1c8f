namespace RagMonitor;

public sealed partial class PerformanceMonitor
{
    /// <summary>Creates the sink for finished requests (the JSONL writer).</summary>
    private IRequestSink? CreateSink() => null;
}
