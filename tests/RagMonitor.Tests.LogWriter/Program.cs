using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using RagMonitor;

// Usage: RagMonitor.Tests.LogWriter <logDirectory> <requestIdPrefix> <requestCount>
// Writes <requestCount> requests (three stages each, ids "<prefix>-<n>") through a PerformanceMonitor into
// <logDirectory>, drains the sink, and prints "written=<n> dropped=<n> failures=<n>". Exit code 0 when every
// record was written.
if (args.Length != 3 || !int.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
{
    Console.Error.WriteLine("usage: RagMonitor.Tests.LogWriter <logDirectory> <requestIdPrefix> <requestCount>");
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
