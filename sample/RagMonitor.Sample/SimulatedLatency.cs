using System;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor.Sample;

/// <summary>Simulated network and model latency, scaled by the sample's <c>--latency-scale</c>.</summary>
public sealed class SimulatedLatency
{
    private readonly double _scale;

    /// <summary>Creates the latency; <paramref name="scale"/> multiplies every delay (0 = no waiting).</summary>
    public SimulatedLatency(double scale) => _scale = scale;

    /// <summary>Waits <paramref name="milliseconds"/> × the scale.</summary>
    public Task DelayAsync(double milliseconds, CancellationToken cancellationToken)
    {
        var scaled = milliseconds * _scale;
        return scaled < 1 ? Task.CompletedTask : Task.Delay(TimeSpan.FromMilliseconds(scaled), cancellationToken);
    }

    /// <summary>A hash of <paramref name="text"/> that is the same in every process (FNV-1a).</summary>
    public static int StableHash(string text)
    {
        unchecked
        {
            var hash = (int)2166136261;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 16777619;
            }

            return hash;
        }
    }
}
