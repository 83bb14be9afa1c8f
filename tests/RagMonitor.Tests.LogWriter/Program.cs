using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using RagMonitor;

// A child process for the persistence and reliability tests. Modes:
//
//   <logDirectory> <requestIdPrefix> <requestCount>
//       Writes <requestCount> requests (three stages each, ids "<prefix>-<n>") through a PerformanceMonitor into
//       <logDirectory>, disposes it, and prints "written=<n> dropped=<n> failures=<n>". Exit code 0 when every record
//       was written.
//   until-killed <logDirectory> <requestIdPrefix> <queryLength>
//       Writes requests (a "query" metadata value of <queryLength> characters, so lines of about that size) for ever,
//       flushing every millisecond; prints "ready" once the first record is on disk. The test kills it with SIGKILL.
//   exit-without-dispose <logDirectory> <requestIdPrefix> <requestCount> <monitors> <collect>
//       Ends <requestCount> requests on each of <monitors> monitors (ids "<prefix>-<m>-<n>") and returns from Main
//       without disposing them; with <collect> = true the monitors are dropped and collected first. The flush at
//       process exit must write every record.
if (args.Length == 4 && args[0] == "until-killed")
{
    return RunUntilKilled(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
}

if (args.Length == 6 && args[0] == "exit-without-dispose")
{
    var monitors = int.Parse(args[4], CultureInfo.InvariantCulture);
    var requests = int.Parse(args[3], CultureInfo.InvariantCulture);
    if (bool.Parse(args[5]))
    {
        EndRequestsOnUnreferencedMonitors(args[1], args[2], requests, monitors);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
    else
    {
        var kept = new List<PerformanceMonitor>();
        for (var m = 0; m < monitors; m++)
        {
            kept.Add(EndRequests(args[1], args[2] + "-" + m, requests));
        }

        GC.KeepAlive(kept);
    }

    Console.WriteLine("ended");
    return 0;
}

if (args.Length != 3 || !int.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
{
    Console.Error.WriteLine("usage: RagMonitor.Tests.LogWriter <logDirectory> <requestIdPrefix> <requestCount> | until-killed <dir> <prefix> <queryLength> | exit-without-dispose <dir> <prefix> <count> <monitors> <collect>");
    return 2;
}

var directory = args[0];
var prefix = args[1];
var options = new PerformanceMonitorOptions
{
    LogDirectory = directory,
    QueueCapacity = count + 1,
    AdaptiveBottlenecks = false,
    SlowRequestThreshold = null,
    MaxMetadataValueLength = 4096,
};

var monitor = new PerformanceMonitor(options);
var random = new Random(prefix.GetHashCode(StringComparison.Ordinal));
for (var i = 0; i < count; i++)
{
    var id = prefix + "-" + i.ToString(CultureInfo.InvariantCulture);
    monitor.StartRequest(id, "ask");
    monitor.LogStage(id, "retrieval", TimeSpan.FromMilliseconds(random.Next(1, 500)), new Dictionary<string, object?>
    {
        ["documents_retrieved"] = random.Next(1, 100),
        ["query"] = new string('q', random.Next(0, 3000)), // lines of very different lengths, some near the chunk size's divisors
        ["writer"] = prefix,
    });
    monitor.LogStage(id, "grading", TimeSpan.FromMilliseconds(random.Next(1, 200)), new Dictionary<string, object?> { ["relevant"] = random.Next(0, 50) });
    monitor.LogStage(id, "generation", TimeSpan.FromMilliseconds(random.Next(1, 900)), new Dictionary<string, object?> { ["model"] = "m", ["tokens"] = random.Next(10, 2000) });
    monitor.EndRequest(id);
    if (i % 997 == 0)
    {
        await Task.Yield();
    }
}

await monitor.DisposeAsync();
var counters = monitor.GetStatistics().Counters;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"written={counters.LogRecordsWritten} dropped={counters.LogRecordsDropped} failures={counters.LogWriteFailures}"));
return counters.LogRecordsWritten == count ? 0 : 1;

static int RunUntilKilled(string directory, string prefix, int queryLength)
{
    var monitor = new PerformanceMonitor(new PerformanceMonitorOptions
    {
        LogDirectory = directory,
        AdaptiveBottlenecks = false,
        SlowRequestThreshold = null,
        MaxMetadataValueLength = Math.Max(16, queryLength),
        FlushInterval = TimeSpan.FromMilliseconds(1),
    });
    var query = new string('q', queryLength);
    var ready = false;
    for (long i = 0; ; i++)
    {
        using (var request = monitor.BeginRequest("ask", prefix + "-" + i.ToString(CultureInfo.InvariantCulture)))
        {
            using var stage = monitor.BeginStage("retrieval");
            stage.AddMetadata("query", query);
            stage.AddMetadata("writer", prefix);
        }

        if (!ready && monitor.GetStatistics().Counters.LogRecordsWritten > 0)
        {
            ready = true;
            Console.WriteLine("ready");
            Console.Out.Flush();
        }

        if (i % 64 == 0)
        {
            Thread.Sleep(0);
        }
    }
}

static PerformanceMonitor EndRequests(string directory, string prefix, int count)
{
    var monitor = new PerformanceMonitor(new PerformanceMonitorOptions
    {
        LogDirectory = directory,
        AdaptiveBottlenecks = false,
        SlowRequestThreshold = null,
        FlushInterval = TimeSpan.FromSeconds(30), // nothing is written before exit unless the exit flush writes it
    });
    for (var i = 0; i < count; i++)
    {
        var id = prefix + "-" + i.ToString(CultureInfo.InvariantCulture);
        monitor.StartRequest(id, "ask");
        monitor.LogStage(id, "retrieval", TimeSpan.FromMilliseconds(1));
        monitor.EndRequest(id);
    }

    return monitor;
}

[MethodImpl(MethodImplOptions.NoInlining)]
static void EndRequestsOnUnreferencedMonitors(string directory, string prefix, int count, int monitors)
{
    for (var m = 0; m < monitors; m++)
    {
        EndRequests(directory, prefix + "-" + m, count);
    }
}
