using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
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

/// <summary>
/// A yardstick, not a peer: the least an ambient stage can do. It finds the flow's current request the cheapest way the
/// runtime allows (<see cref="ExecutionContext.Capture"/> compared with the context of this thread's last lookup, an
/// <see cref="AsyncLocal{T}"/> read when it differs: as RagMonitor does), times the call with two timestamps and adds the
/// duration to thread-local totals. No stage names, nesting, ended-request or disabled checks, failure status or
/// exception handling: every real ambient stage costs at least this much.
/// </summary>
internal static class MinimalAmbientStage
{
    private static readonly AsyncLocal<object?> s_request = new();

    [ThreadStatic]
    private static Totals? s_totals;

    /// <summary>Calls timed on this thread so far.</summary>
    internal static int Calls => s_totals?.Calls ?? 0;

    /// <summary>Makes the current flow "in a request".</summary>
    internal static void EnterRequest() => s_request.Value = new object();

    /// <summary>Prints the calls timed on this thread; throws when there were none (the run measured the path outside a request).</summary>
    internal static void ReportCalls()
    {
        Console.WriteLine($"// minimal ambient stage timed {Calls} calls");
        if (Calls == 0)
        {
            throw new InvalidOperationException("The minimal ambient stage timed no call: it measured its path outside a request.");
        }
    }

    /// <summary>The timed call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static int Retrieve(int value)
    {
        var context = ExecutionContext.Capture();
        var totals = s_totals;
        if (context is null || totals is null || !ReferenceEquals(totals.Context, context))
        {
            totals = LookUp(context);
        }

        if (totals.Request is null)
        {
            return PeerStageBenchmarks.Work(value);
        }

        var start = Stopwatch.GetTimestamp();
        var result = PeerStageBenchmarks.Work(value);
        totals.Elapsed += Stopwatch.GetTimestamp() - start;
        totals.Calls++;
        return result;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Totals LookUp(ExecutionContext? context)
    {
        var totals = s_totals ??= new Totals();
        totals.Context = context;
        totals.Request = s_request.Value;
        return totals;
    }

    private sealed class Totals
    {
        internal ExecutionContext? Context;
        internal object? Request;
        internal long Elapsed;
        internal int Calls;
    }
}
