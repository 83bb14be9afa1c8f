using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace RagMonitor;

/// <summary>
/// Every <see cref="JsonlSink"/> of the process, held weakly, so that each one is flushed when the process exits normally
/// (<see cref="AppDomain.ProcessExit"/>), whether or not its monitor was disposed. Holding them weakly keeps no sink
/// alive: a running writer thread keeps its own sink alive until it stops.
/// </summary>
internal static class OpenSinks
{
    /// <summary>How long the exit flush waits in all, for every open sink together: 5 seconds.</summary>
    internal static readonly TimeSpan ExitFlushTimeout = TimeSpan.FromSeconds(5);

    private static readonly object s_gate = new();
    private static readonly List<WeakReference<JsonlSink>> s_sinks = new();
    private static int s_pruneAt = 64;
    private static bool s_hooked;

    /// <summary>Registers <paramref name="sink"/> for the flush at exit (and installs the exit handler once).</summary>
    internal static void Add(JsonlSink sink)
    {
        lock (s_gate)
        {
            if (!s_hooked)
            {
                s_hooked = true;
                AppDomain.CurrentDomain.ProcessExit += static (_, _) => CloseAll(ExitFlushTimeout);
            }

            if (s_sinks.Count >= s_pruneAt)
            {
                s_sinks.RemoveAll(static w => !w.TryGetTarget(out _));
                s_pruneAt = Math.Max(64, s_sinks.Count * 2);
            }

            s_sinks.Add(new WeakReference<JsonlSink>(sink));
        }
    }

    /// <summary>
    /// Closes every open sink: all stop accepting records and drain at the same time; then this waits until they are
    /// done or <paramref name="timeout"/> has passed in all, and what is left is counted as dropped. Never throws.
    /// </summary>
    internal static void CloseAll(TimeSpan timeout)
    {
        List<JsonlSink> sinks;
        lock (s_gate)
        {
            sinks = new List<JsonlSink>(s_sinks.Count);
            foreach (var weak in s_sinks)
            {
                if (weak.TryGetTarget(out var sink))
                {
                    sinks.Add(sink);
                }
            }
        }

        var start = Stopwatch.GetTimestamp();
        foreach (var sink in sinks)
        {
            sink.BeginClose();
        }

        foreach (var sink in sinks)
        {
            try
            {
                sink.WaitClosed(timeout - Stopwatch.GetElapsedTime(start));
            }
            catch (Exception)
            {
                // The process is exiting: nothing may fail here; the sink's counters say what was lost.
            }
        }
    }
}
