using System;

namespace RagMonitor.Tests.Monitor;

/// <summary>A manually advanced clock for deterministic durations.</summary>
internal sealed class FakeClock : TimeProvider
{
    private long _ticks;
    private DateTimeOffset _utcNow = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public override DateTimeOffset GetUtcNow() => _utcNow;

    public void Advance(TimeSpan by)
    {
        _ticks += by.Ticks;
        _utcNow += by;
    }
}
