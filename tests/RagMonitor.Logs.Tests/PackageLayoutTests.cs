using System;
using System.Linq;
using System.Reflection;

namespace RagMonitor.Logs.Tests;

/// <summary>
/// Log reading lives in RagMonitor.Logs, not in the core package every application ships: the core assembly has none
/// of the reader's types, and the reader's public types kept their namespace (RagMonitor), so code written against
/// them before the split compiles unchanged with a reference to RagMonitor.Logs. (The packed packages are checked the
/// same way by RagMonitor.Packaging.Tests.)
/// </summary>
public sealed class PackageLayoutTests
{
    private static readonly Type[] s_publicReaderTypes =
    {
        typeof(PerformanceLog), typeof(PerformanceLogEntry), typeof(PerformanceLogEntryHandler), typeof(LogStageEntry),
        typeof(LogBottleneckEntry), typeof(PerformanceLogFile), typeof(PerformanceLogReadOptions), typeof(SkippedLogLine),
        typeof(PerformanceLogReadStatistics), typeof(PerformanceLogRecord), typeof(LogStageRecord), typeof(LogBottleneckRecord),
    };

    [Fact]
    public void The_core_assembly_defines_no_log_reading_type()
    {
        Assembly core = typeof(PerformanceMonitor).Assembly;
        Assert.Equal("RagMonitor", core.GetName().Name);
        string[] readerNames = s_publicReaderTypes.Select(t => t.Name).ToArray();
        Assert.Empty(core.GetTypes().Where(t => t.Name.StartsWith("PerformanceLog", StringComparison.Ordinal) || readerNames.Contains(t.Name)).Select(t => t.FullName));
        // What writer and readers share stays in the core, defined once.
        Assert.Same(core, typeof(JsonlFieldNames).Assembly);
        Assert.Same(core, typeof(OperationStatus).Assembly);
        Assert.Same(core, typeof(MetadataValue).Assembly);
    }

    [Fact]
    public void Every_reader_type_is_in_RagMonitor_Logs_under_the_namespace_it_had_in_the_core()
    {
        Assembly logs = typeof(PerformanceLog).Assembly;
        Assert.Equal("RagMonitor.Logs", logs.GetName().Name);
        Assert.All(s_publicReaderTypes, t =>
        {
            Assert.Same(logs, t.Assembly);
            Assert.Equal("RagMonitor", t.Namespace);
        });
        // Every public type of the assembly is one of those (a new one is added to the list above deliberately).
        Assert.Equal(s_publicReaderTypes.Select(t => t.FullName).Order(), logs.GetExportedTypes().Select(t => t.FullName).Order());
    }
}
