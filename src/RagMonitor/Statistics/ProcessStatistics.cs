using System;
using System.Diagnostics;
using System.Globalization;

namespace RagMonitor;

/// <summary>
/// Process-wide resource figures taken with a statistics snapshot. They describe the whole process, not only
/// the monitored requests.
/// </summary>
public sealed class ProcessStatistics
{
    internal ProcessStatistics(
        int processorCount,
        double cpuUsage,
        TimeSpan cpuUsageInterval,
        TimeSpan processorTime,
        long workingSetBytes,
        long gcHeapSizeBytes,
        long gcCommittedBytes,
        long totalAllocatedBytes,
        int gen0Collections,
        int gen1Collections,
        int gen2Collections,
        TimeSpan gcPauseTime)
    {
        ProcessorCount = processorCount;
        CpuUsage = cpuUsage;
        CpuUsageInterval = cpuUsageInterval;
        ProcessorTime = processorTime;
        WorkingSetBytes = workingSetBytes;
        GcHeapSizeBytes = gcHeapSizeBytes;
        GcCommittedBytes = gcCommittedBytes;
        TotalAllocatedBytes = totalAllocatedBytes;
        Gen0Collections = gen0Collections;
        Gen1Collections = gen1Collections;
        Gen2Collections = gen2Collections;
        GcPauseTime = gcPauseTime;
    }

    /// <summary>The number of processors available to the process (<see cref="Environment.ProcessorCount"/>).</summary>
    public int ProcessorCount { get; }

    /// <summary>
    /// The process's CPU usage over <see cref="CpuUsageInterval"/> as a fraction of all processors (0–1; 0.5 on a
    /// 2-core machine means one core busy): CPU time used divided by wall time and <see cref="ProcessorCount"/>.
    /// The interval runs from the monitor's previous statistics snapshot (or from its creation, for the first).
    /// </summary>
    public double CpuUsage { get; }

    /// <summary>The wall-clock interval <see cref="CpuUsage"/> covers.</summary>
    public TimeSpan CpuUsageInterval { get; }

    /// <summary>The CPU time (user and kernel) the process has used since it started.</summary>
    public TimeSpan ProcessorTime { get; }

    /// <summary>The process's working set (physical memory mapped), in bytes.</summary>
    public long WorkingSetBytes { get; }

    /// <summary>The bytes currently thought to be allocated on the managed heap (<see cref="GC.GetTotalMemory(bool)"/> without collecting).</summary>
    public long GcHeapSizeBytes { get; }

    /// <summary>The bytes the GC has committed from the operating system (as of the last collection).</summary>
    public long GcCommittedBytes { get; }

    /// <summary>The managed bytes allocated by the process since it started (all threads).</summary>
    public long TotalAllocatedBytes { get; }

    /// <summary>Generation 0 collections since the process started.</summary>
    public int Gen0Collections { get; }

    /// <summary>Generation 1 collections since the process started.</summary>
    public int Gen1Collections { get; }

    /// <summary>Generation 2 collections since the process started.</summary>
    public int Gen2Collections { get; }

    /// <summary>The total time the runtime was paused for garbage collection since the process started.</summary>
    public TimeSpan GcPauseTime { get; }

    /// <summary>One line with every figure.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"CPU {CpuUsage * 100:F1}% of {ProcessorCount} cores over {StatisticsFormat.Duration(CpuUsageInterval)}, working set {StatisticsFormat.Bytes(WorkingSetBytes)}, " +
        $"GC heap {StatisticsFormat.Bytes(GcHeapSizeBytes)} (committed {StatisticsFormat.Bytes(GcCommittedBytes)}), allocated {StatisticsFormat.Bytes(TotalAllocatedBytes)}, " +
        $"collections gen0 {Gen0Collections} gen1 {Gen1Collections} gen2 {Gen2Collections}, GC pauses {StatisticsFormat.Duration(GcPauseTime)}");
}

/// <summary>Samples process figures; remembers the previous sample for the CPU usage interval. Thread-safe.</summary>
internal sealed class ProcessSampler
{
    private readonly object _gate = new();
    private long _previousWallTimestamp;
    private TimeSpan _previousCpu;

    internal ProcessSampler()
    {
        _previousWallTimestamp = Stopwatch.GetTimestamp();
        _previousCpu = ReadProcessorTime();
    }

    internal ProcessStatistics Sample()
    {
        var cpu = ReadProcessorTime();
        var now = Stopwatch.GetTimestamp();
        TimeSpan interval;
        TimeSpan usedCpu;
        lock (_gate)
        {
            interval = Stopwatch.GetElapsedTime(_previousWallTimestamp, now);
            usedCpu = cpu - _previousCpu;
            if (interval > TimeSpan.Zero)
            {
                _previousWallTimestamp = now;
                _previousCpu = cpu;
            }
        }

        var processors = Environment.ProcessorCount;
        var usage = interval > TimeSpan.Zero ? Math.Clamp(usedCpu.TotalSeconds / (interval.TotalSeconds * processors), 0d, 1d) : 0d;
        var memoryInfo = GC.GetGCMemoryInfo();
        return new ProcessStatistics(
            processors,
            usage,
            interval,
            cpu,
            Environment.WorkingSet,
            GC.GetTotalMemory(false),
            memoryInfo.TotalCommittedBytes,
            GC.GetTotalAllocatedBytes(false),
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2),
            GC.GetTotalPauseDuration());
    }

    private static TimeSpan ReadProcessorTime()
    {
        try
        {
#if NET9_0_OR_GREATER
            return Environment.CpuUsage.TotalTime;
#else
            using var process = Process.GetCurrentProcess();
            return process.TotalProcessorTime;
#endif
        }
        catch (Exception)
        {
            // Some sandboxes deny access to process times; report zero rather than fail the snapshot.
            return TimeSpan.Zero;
        }
    }
}
