using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;

namespace RagMonitor.Generators.Tests.Generation;

/// <summary>
/// Issue 15 item 1 and the issue 14 shapes, run: nothing a generated wrapper does can throw into or skip the user's
/// code (metadata and request ids are converted by never-throwing runtime calls, and not at all while nothing is
/// recorded), and the shapes issue 14 found broken compile and record.
/// </summary>
public sealed class NeverThrowsBehaviourTests
{
    private const string Source = ShapeCases.Usings + """
        #pragma warning disable CS8981 // a user type named 'var' is one of the shapes under test
        namespace Hostile;

        public static class Calls
        {
            public static int Texts;
            public static int Core;
        }

        public sealed class ThrowingText
        {
            public override string ToString()
            {
                Calls.Texts++;
                throw new InvalidOperationException("no text");
            }
        }

        public sealed class ThrowingFormattable : IFormattable
        {
            public string ToString(string? format, IFormatProvider? provider)
            {
                Calls.Texts++;
                throw new FormatException("no format");
            }

            public override string ToString() => ToString(null, null);
        }

        public readonly struct TicketId
        {
            public TicketId(int value) => Value = value;

            public int Value { get; }

            public override string ToString() => "ticket-" + Value;
        }

        public sealed class var
        {
            public int Value { get; init; }
        }

        public interface IMonitored
        {
            PerformanceMonitor Monitor { get; }
        }

        public sealed partial class Hostile : IMonitored
        {
            private readonly PerformanceMonitor _monitor;

            public Hostile(PerformanceMonitor monitor) => _monitor = monitor;

            PerformanceMonitor IMonitored.Monitor => _monitor;

            [MonitoredRequest("hostile")]
            public partial int Run(object? value);

            private int RunCore(object? value)
            {
                Calls.Core++;
                return Convert(value as ThrowingText ?? new ThrowingText()) + Format(new ThrowingFormattable());
            }

            [Stage("text")]
            public partial int Convert([StageMetadata] ThrowingText value);

            private int ConvertCore(ThrowingText value)
            {
                Calls.Core++;
                return 1;
            }

            [Stage("formattable")]
            public partial int Format([StageMetadata] ThrowingFormattable value);

            private int FormatCore(ThrowingFormattable value)
            {
                Calls.Core++;
                return 2;
            }

            [MonitoredRequest("throwing_id")]
            public partial Task<int> WithThrowingIdAsync([RequestId] ThrowingText id);

            private async Task<int> WithThrowingIdAsyncCore(ThrowingText id)
            {
                Calls.Core++;
                await Task.Yield();
                return 3;
            }

            [MonitoredRequest("ticket")]
            public partial string? Ticket<TId>([RequestId] TId id) where TId : struct;

            private string? TicketCore<TId>(TId id) where TId : struct => Store(ulong.MaxValue, 5);

            [Stage("store")]
            public partial string? Store([StageMetadata] ulong offset, [StageMetadata] ulong? limit);

            private string StoreCore(ulong offset, ulong? limit) => "stored";

            [MonitoredRequest(null)]
            public partial var Build([RequestId] int id);

            private var BuildCore(int id) => new var { Value = id };
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(static () =>
        GeneratorHarness.Load(GeneratorHarness.Run(Source.Replace("public partial Task<int> WithThrowingIdAsync", "public partial Task<int> WithThrowingIdAsync", StringComparison.Ordinal)).AssertClean().Compilation));

    // The scenario's static counters are shared: these tests run one at a time.
    private static readonly object s_gate = new();

    [Fact]
    public void Metadata_whose_ToString_or_IFormattable_throws_records_a_placeholder_and_the_Core_still_runs()
    {
        using var recorder = new Recorder();
        var failuresBefore = recorder.Monitor.GetStatistics().Counters.MetadataConversionFailures;
        ResetCalls();

        var result = Invoke(recorder.NewHostile(), "Run", new object?[] { null });

        Assert.Equal(3, result);
        Assert.Equal(3, Calls("Core"));
        var summary = Assert.Single(recorder.Summaries);
        Assert.Equal(OperationStatus.Success, summary.Status);
        Assert.Equal(MetadataValue.FromString("<error: InvalidOperationException>"), summary.Stage("text").Meta("value"));
        Assert.Equal(MetadataValue.FromString("<error: FormatException>"), summary.Stage("formattable").Meta("value"));
        Assert.True(recorder.Monitor.GetStatistics().Counters.MetadataConversionFailures >= failuresBefore + 2);
    }

    [Fact]
    public async Task A_request_id_whose_ToString_throws_records_a_placeholder_id_and_the_Core_still_runs()
    {
        using var recorder = new Recorder();
        var failuresBefore = recorder.Monitor.GetStatistics().Counters.MetadataConversionFailures;
        var hostile = recorder.NewHostile();
        var id = Activator.CreateInstance(s_assembly.Value.GetType("Hostile.ThrowingText", throwOnError: true)!);

        var result = await (Task<int>)Invoke(hostile, "WithThrowingIdAsync", id)!;

        Assert.Equal(3, result);
        var summary = Assert.Single(recorder.Summaries);
        Assert.Equal("<error: InvalidOperationException>", summary.RequestId);
        Assert.Equal(OperationStatus.Success, summary.Status);
        Assert.True(recorder.Monitor.GetStatistics().Counters.MetadataConversionFailures >= failuresBefore + 1);
    }

    [Fact]
    public async Task A_disabled_monitor_converts_no_argument_and_only_calls_the_Core()
    {
        using var recorder = new Recorder(enabled: false);
        ResetCalls();
        var hostile = recorder.NewHostile();

        Assert.Equal(3, Invoke(hostile, "Run", new object?[] { null }));
        var id = Activator.CreateInstance(s_assembly.Value.GetType("Hostile.ThrowingText", throwOnError: true)!);
        Assert.Equal(3, await (Task<int>)Invoke(hostile, "WithThrowingIdAsync", id)!);

        Assert.Equal(4, Calls("Core"));
        Assert.Equal(0, Calls("Texts"));
        Assert.Empty(recorder.Summaries);
    }

    [Fact]
    public void A_stage_outside_any_request_converts_no_argument()
    {
        using var recorder = new Recorder();
        ResetCalls();
        var value = Activator.CreateInstance(s_assembly.Value.GetType("Hostile.ThrowingText", throwOnError: true)!);

        Assert.Equal(1, Invoke(recorder.NewHostile(), "Convert", value));

        Assert.Equal(1, Calls("Core"));
        Assert.Equal(0, Calls("Texts"));
    }

    [Fact]
    public void The_issue_14_shapes_run_and_record()
    {
        using var recorder = new Recorder();
        var hostile = recorder.NewHostile();
        var ticketType = s_assembly.Value.GetType("Hostile.TicketId", throwOnError: true)!;
        var ticket = Activator.CreateInstance(ticketType, 7)!;

        var stored = hostile.GetType().GetMethod("Ticket")!.MakeGenericMethod(ticketType).Invoke(hostile, new[] { ticket });
        var built = Invoke(hostile, "Build", 42)!;

        Assert.Equal("stored", stored);
        Assert.Equal(42, built.GetType().GetProperty("Value")!.GetValue(built));
        var summaries = recorder.Summaries;
        Assert.Equal(new[] { "ticket", "Build" }, summaries.Select(static s => s.RequestName));
        Assert.Equal("ticket-7", summaries[0].RequestId);
        var store = summaries[0].Stage("store");
        Assert.Equal(MetadataValue.FromString("18446744073709551615"), store.Meta("offset"));
        Assert.Equal(MetadataValue.FromInteger(5), store.Meta("limit"));
        Assert.Equal("42", summaries[1].RequestId);
    }

    private static void ResetCalls()
    {
        var calls = s_assembly.Value.GetType("Hostile.Calls", throwOnError: true)!;
        calls.GetField("Texts")!.SetValue(null, 0);
        calls.GetField("Core")!.SetValue(null, 0);
    }

    private static int Calls(string name) =>
        (int)s_assembly.Value.GetType("Hostile.Calls", throwOnError: true)!.GetField(name)!.GetValue(null)!;

    private static object? Invoke(object target, string method, params object?[] arguments)
    {
        try
        {
            return target.GetType().GetMethod(method)!.Invoke(target, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    /// <summary>A monitor that writes no files and keeps every finished request.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly ConcurrentQueue<RequestSummary> _summaries = new();

        public Recorder(bool enabled = true)
        {
            Monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false, Enabled = enabled });
            Monitor.RequestCompleted += (_, summary) => _summaries.Enqueue(summary);
        }

        public PerformanceMonitor Monitor { get; }

        public RequestSummary[] Summaries => _summaries.ToArray();

        public object NewHostile() => Activator.CreateInstance(s_assembly.Value.GetType("Hostile.Hostile", throwOnError: true)!, Monitor)!;

        public void Dispose() => Monitor.Dispose();
    }
}
