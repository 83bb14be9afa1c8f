using System;
using System.Diagnostics;
using System.Threading;
using AspectInjector.Broker;
using OpenTelemetry;

namespace RagMonitor.Benchmarks.Peers;

/// <summary>An OpenTelemetry exporter that accepts every batch and does nothing with it (the peers' export cost is zero).</summary>
internal sealed class DiscardingActivityExporter : BaseExporter<Activity>
{
    /// <inheritdoc />
    public override ExportResult Export(in Batch<Activity> batch) => ExportResult.Success;
}

/// <summary>AspectInjector around-advice that times each call with two timestamps into static counters.</summary>
[Aspect(Scope.Global)]
public sealed class TimingAspect
{
    private static long s_calls;
    private static long s_elapsed;

    /// <summary>Calls timed so far.</summary>
    public static long Calls => Interlocked.Read(ref s_calls);

    /// <summary>Times the call to the woven method.</summary>
    [Advice(Kind.Around, Targets = Target.Method)]
    public object Around([Argument(Source.Target)] Func<object[], object> target, [Argument(Source.Arguments)] object[] arguments)
    {
        var start = Stopwatch.GetTimestamp();
        var result = target(arguments);
        s_elapsed += Stopwatch.GetTimestamp() - start;
        s_calls++;
        return result;
    }
}

/// <summary>Marks a method for <see cref="TimingAspect"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
[Injection(typeof(TimingAspect))]
public sealed class TimedAttribute : Attribute
{
}

/// <summary>The method AspectInjector times.</summary>
public sealed class TimedByAspect
{
    /// <summary>The timed call.</summary>
    [Timed]
    public int Retrieve(int value) => PeerStageBenchmarks.Work(value);
}
