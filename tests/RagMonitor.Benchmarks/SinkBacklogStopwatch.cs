using System;
using System.Diagnostics;
using System.IO;

namespace RagMonitor.Benchmarks;

/// <summary>
/// The whole-request peer's shape (begin, three stages, end; no metadata) persisted by a monitor with a 1M queue, the
/// producer running flat out for four seconds (or the seconds given): every 100 ms the rate produced and written, the writer's backlog, the
/// records dropped and the records the pool had to create; at the end each busy thread's CPU time per request (Linux:
/// /proc/self/task). Shows whether the writer keeps up and how much of a core it needs.
/// Run: dotnet run -c Release --project tests/RagMonitor.Benchmarks -- sink-backlog [seconds]
/// </summary>
internal static class SinkBacklogStopwatch
{
    public static void Run(int seconds)
    {
        var dir = Path.Combine(Path.GetTempPath(), "ragmon-sink-backlog-" + Guid.NewGuid().ToString("N"));
        using var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { LogDirectory = dir, QueueCapacity = 1 << 20 });
        var sw = Stopwatch.StartNew();
        var next = 100;
        long n = 0;
        long lastWritten = 0, lastN = 0;
        while (sw.ElapsedMilliseconds < seconds * 1000L)
        {
            for (var i = 0; i < 1000; i++)
            {
                using var request = monitor.BeginRequest("ask");
                using (monitor.BeginStage("retrieval")) { }
                using (monitor.BeginStage("grading")) { }
                using (monitor.BeginStage("generation")) { }
            }

            n += 1000;
            if (sw.ElapsedMilliseconds >= next)
            {
                var c = monitor.GetStatistics().Counters;
                Console.WriteLine($"{sw.ElapsedMilliseconds,5} ms produced {(n - lastN) * 10,9:N0}/s written {(c.LogRecordsWritten - lastWritten) * 10,9:N0}/s backlog {n - c.LogRecordsWritten - c.LogRecordsDropped,9:N0} dropped {c.LogRecordsDropped:N0} created {monitor.PooledRecordsCreated:N0} gc {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} pause {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms");
                lastWritten = c.LogRecordsWritten;
                lastN = n;
                next += 100;
            }
        }

        foreach (var task in Directory.Exists("/proc/self/task") ? Directory.GetDirectories("/proc/self/task") : Array.Empty<string>())
        {
            var comm = File.ReadAllText(Path.Combine(task, "comm")).Trim();
            var stat = File.ReadAllText(Path.Combine(task, "stat"));
            var fields = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
            var user = long.Parse(fields[11]);
            var system = long.Parse(fields[12]);
            var ticks = user + system;
            if (ticks > 10)
            {
                Console.WriteLine($"thread {comm,-20} cpu {ticks * 10} ms = {ticks * 10_000_000.0 / n:F0} ns per request ({user * 10_000_000.0 / n:F0} user, {system * 10_000_000.0 / n:F0} kernel)");
            }
        }

        monitor.Flush(TimeSpan.FromMinutes(1));
        long bytes = 0;
        foreach (var file in Directory.GetFiles(dir))
        {
            bytes += new FileInfo(file).Length;
        }

        var written = monitor.GetStatistics().Counters.LogRecordsWritten;
        Console.WriteLine($"written {written:N0} lines, {bytes / Math.Max(1, written):N0} bytes a line");
        Directory.Delete(dir, true);
    }
}
