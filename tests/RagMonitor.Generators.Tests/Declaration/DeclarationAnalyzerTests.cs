using System.Threading.Tasks;
using RagMonitor.Generators.Diagnostics;
using static RagMonitor.Generators.Tests.Declaration.DeclarationVerifier;

namespace RagMonitor.Generators.Tests.Declaration;

/// <summary>RMON001–RMON008, positive and negative, with markup on the reported span.</summary>
public sealed class DeclarationAnalyzerTests
{
    // ------------------------------------------------------------------ valid declarations: nothing reported

    [Fact]
    public Task Valid_declarations_report_nothing() => VerifyAsync("""
        namespace Demo;

        public static class Names
        {
            public const string Retrieval = "retrieval";
        }

        public sealed partial class Pipeline
        {
            private readonly PerformanceMonitor _monitor = new();

            [MonitoredRequest]
            public partial Task<string> AskAsync([RequestId] string id, CancellationToken ct = default);
            private Task<string> AskAsyncCore(string id, CancellationToken ct) => Task.FromResult(id);

            [MonitoredRequest(null)]
            public partial void Run();
            private void RunCore() { }

            [Stage(Names.Retrieval)]
            [return: StageMetadata("documents_retrieved")]
            public partial Task<IReadOnlyList<string>> RetrieveAsync([StageMetadata] string question, [StageMetadata("k")] int topK);
            private Task<IReadOnlyList<string>> RetrieveAsyncCore(string question, int topK) => Task.FromResult<IReadOnlyList<string>>(new[] { question });

            [Stage("generic")]
            public partial T Pick<T>(T[] values) where T : class, IComparable<T>, new();
            private TItem PickCore<TItem>(TItem[] values) where TItem : class, IComparable<TItem> => values[0];

            [Stage("refs")]
            public partial int Refs(ref int a, in int b, out int c, params int[] d);
            private int RefsCore(ref int a, ref readonly int b, out int c, int[] d) { c = 0; return a + b; }

            [Stage("stream")]
            public partial IAsyncEnumerable<int> StreamAsync();
            private IAsyncEnumerable<int> StreamAsyncCore() => throw new InvalidOperationException();

            [Stage("implicit")]
            partial void Implicit();
            private void ImplicitCore() { }
        }

        public static partial class Statics
        {
            private static readonly PerformanceMonitor s_monitor = new();

            [Stage("static")]
            public static partial void Run(this string text);
            private static void RunCore(string text) { }
        }
        """);

    [Fact]
    public Task Methods_without_attributes_are_ignored() => VerifyAsync("""
        public class Plain
        {
            public int Run() => 1;
        }
        """);

    // ------------------------------------------------------------------ RMON001

    [Fact]
    public Task RMON001_method_not_partial() => VerifyAsync("""
        public partial class Pipeline
        {
            [Stage("retrieval")]
            public int {|RMON001:Retrieve|}() => 1;
        }
        """);

    [Fact]
    public Task RMON001_containing_type_not_partial() => VerifyAsync("""
        public class Pipeline
        {
            [Stage("retrieval")]
            public partial int {|RMON001:Retrieve|}();
            private int RetrieveCore() => 1;
        }
        """);

    [Fact]
    public Task RMON001_outer_type_not_partial() => VerifyAsync("""
        public class Outer
        {
            public partial class Pipeline
            {
                [Stage("retrieval")]
                public partial int {|RMON001:Retrieve|}();
                private int RetrieveCore() => 1;
            }
        }
        """);

    [Fact]
    public Task RMON001_message_names_the_method() => VerifyAsync("""
        public partial class Pipeline
        {
            [Stage("retrieval")]
            public int Retrieve() => 1;
        }
        """,
        Diagnostic(DiagnosticDescriptors.NotPartialId).WithSpan(9, 16, 9, 24).WithArguments("Pipeline.Retrieve"));

    // ------------------------------------------------------------------ RMON002

    [Fact]
    public Task RMON002_user_wrote_the_implementation_part() => VerifyAsync("""
        public partial class Pipeline
        {
            [Stage("retrieval")]
            public partial int {|RMON002:Retrieve|}();
            public partial int Retrieve() => 1;
            private int RetrieveCore() => 1;
        }
        """);

    [Fact]
    public Task RMON002_attribute_on_the_implementation_part() => VerifyAsync("""
        public partial class Pipeline
        {
            public partial int {|RMON002:Retrieve|}();
            [Stage("retrieval")]
            public partial int Retrieve() => 1;
            private int RetrieveCore() => 1;
        }
        """);

    [Fact]
    public Task RMON002_implementation_without_definition() => VerifyAsync("""
        public partial class Pipeline
        {
            [Stage("retrieval")]
            public partial int {|RMON002:Retrieve|}() => 1;
            private int RetrieveCore() => 1;
        }
        """);

    /// <summary>The generator's implementation part carries [GeneratedCode("RagMonitor.Generators", …)]; it is not the user's body.</summary>
    [Fact]
    public Task RMON002_not_reported_for_the_generators_own_implementation() => VerifyAsync("""
        public partial class Pipeline
        {
            [Stage("retrieval")]
            public partial int Retrieve();
            [System.CodeDom.Compiler.GeneratedCode("RagMonitor.Generators", "1.0.0.0")]
            public partial int Retrieve() => RetrieveCore();
            private int RetrieveCore() => 1;
        }
        """);

    // ------------------------------------------------------------------ RMON003

    [Fact]
    public Task RMON003_no_Core_method() => VerifyAsync("""
        public partial class Pipeline
        {
            [Stage("retrieval")]
            public partial Task<int> Retrieve(string question, CancellationToken ct);
        }
        """,
        Diagnostic(DiagnosticDescriptors.MissingCoreMethodId).WithSpan(9, 30, 9, 38)
            .WithArguments("Pipeline.Retrieve", "RetrieveCore", "Task<int> RetrieveCore(string question, CancellationToken ct)"));

    [Theory]
    [InlineData("private int RetrieveCore(int question) => 1;")]
    [InlineData("private long RetrieveCore(string question) => 1;")]
    [InlineData("private static int RetrieveCore(string question) => 1;")]
    [InlineData("private int RetrieveCore(ref string question) => 1;")]
    [InlineData("private int RetrieveCore(string question, int extra) => 1;")]
    [InlineData("private int RetrieveCore<T>(string question) => 1;")]
    [InlineData("private ref int RetrieveCore(string question) => throw null;")]
    [InlineData("private int RetrieveCor(string question) => 1;")]
    public Task RMON003_Core_signature_mismatch(string core) => VerifyAsync($$"""
        public partial class Pipeline
        {
            [Stage("retrieval")]
            public partial int {|RMON003:Retrieve|}(string question);
            {{core}}
        }
        """);

    [Fact]
    public Task RMON003_Core_with_stronger_constraints() => VerifyAsync("""
        public partial class Pipeline
        {
            [Stage("pick")]
            public partial T {|RMON003:Pick|}<T>(T value) where T : class;
            private T PickCore<T>(T value) where T : class, IDisposable => value;
        }
        """);

    [Fact]
    public Task RMON003_static_wrapper_needs_static_Core() => VerifyAsync("""
        public partial class Pipeline
        {
            [Stage("pick")]
            public static partial int {|RMON003:Pick|}();
            private int PickCore() => 1;
        }
        """);

    [Fact]
    public Task RMON003_readonly_member_needs_readonly_Core() => VerifyAsync("""
        public partial struct Counter
        {
            private int _count;

            [Stage("peek")]
            public readonly partial int {|RMON003:Peek|}();
            private int PeekCore() => _count;
        }
        """);

    [Fact]
    public Task RMON003_Core_matches_with_other_type_parameter_names_and_weaker_constraints() => VerifyAsync("""
        public partial class Pipeline
        {
            [Stage("pick")]
            public partial Dictionary<TKey, List<TValue>> Pick<TKey, TValue>(TKey key, TValue[] values) where TKey : notnull, IComparable<TKey> where TValue : struct;
            private Dictionary<K, List<V>> PickCore<K, V>(K key, V[] values) where K : notnull where V : struct => new();
        }
        """);

    // ------------------------------------------------------------------ RMON004

    [Theory]
    [InlineData("public partial ref int {|RMON004:Run|}();\n private ref int RunCore() => throw null;")]
    [InlineData("public unsafe partial int {|RMON004:Run|}(int* value);\n private unsafe int RunCore(int* value) => *value;")]
    [InlineData("public partial System.Runtime.CompilerServices.ConfiguredTaskAwaitable {|RMON004:Run|}();\n private System.Runtime.CompilerServices.ConfiguredTaskAwaitable RunCore() => Task.CompletedTask.ConfigureAwait(false);")]
    [InlineData("public partial Awaitable {|RMON004:Run|}();\n private Awaitable RunCore() => new();")]
    [InlineData("partial int {|RMON004:Run|}();\n private int RunCore() => 1;")]
    [InlineData("partial void {|RMON004:Run|}(out int value);\n private void RunCore(out int value) => value = 1;")]
    [InlineData("[return: StageMetadata(\"count\")] public partial Task {|RMON004:Run|}();\n private Task RunCore() => Task.CompletedTask;")]
    [InlineData("[return: StageMetadata(\"count\")] public partial int {|RMON004:Run|}();\n private int RunCore() => 1;")]
    [InlineData("[return: StageMetadata] public partial int[] {|RMON004:Run|}();\n private int[] RunCore() => new int[0];")]
    [InlineData("[return: StageMetadata(\"count\")] public partial IAsyncEnumerable<int> {|RMON004:Run|}();\n private IAsyncEnumerable<int> RunCore() => throw null;")]
    [InlineData("public partial IAsyncEnumerable<int> {|RMON004:Run|}([StageMetadata] int value);\n private IAsyncEnumerable<int> RunCore(int value) => throw null;")]
    [InlineData("public partial int {|RMON004:Run|}([StageMetadata] Span<int> values);\n private int RunCore(Span<int> values) => 1;")]
    public Task RMON004_unsupported_stage_shapes(string members) => VerifyAsync($$"""
        public partial class Pipeline
        {
            [Stage("stage")]
            {{members}}
        }

        public sealed class Awaitable
        {
            public System.Runtime.CompilerServices.TaskAwaiter GetAwaiter() => Task.CompletedTask.GetAwaiter();
        }
        """);

    [Theory]
    [InlineData("public partial IAsyncEnumerable<int> {|RMON004:Run|}();\n private IAsyncEnumerable<int> RunCore() => throw null;")]
    [InlineData("public partial int {|RMON004:Run|}([StageMetadata] int value);\n private int RunCore(int value) => 1;")]
    [InlineData("[return: StageMetadata(\"count\")] public partial int[] {|RMON004:Run|}();\n private int[] RunCore() => new int[0];")]
    [InlineData("public partial int {|RMON004:Run|}([RequestId] string a, [RequestId] string b);\n private int RunCore(string a, string b) => 1;")]
    [InlineData("public partial int {|RMON004:Run|}([RequestId] out string a);\n private int RunCore(out string a) { a = \"\"; return 1; }")]
    public Task RMON004_unsupported_request_shapes(string members) => VerifyAsync($$"""
        public partial class Pipeline
        {
            [MonitoredRequest]
            {{members}}
        }
        """);

    [Fact]
    public Task RMON004_interface_members() => VerifyAsync("""
        public partial interface IPipeline
        {
            [Stage("stage")]
            public partial int {|RMON004:Run|}();
            private int RunCore() => 1;
        }
        """);

    [Fact]
    public Task RMON004_file_local_type() => VerifyAsync("""
        file partial class Pipeline
        {
            [Stage("stage")]
            public partial int {|RMON004:Run|}();
            private int RunCore() => 1;
        }
        """);

    [Fact]
    public Task RMON004_message_says_why() => VerifyAsync("""
        public partial class Pipeline
        {
            [Stage("stage")]
            public partial ref int Run();
            private ref int RunCore() => throw null;
        }
        """,
        Diagnostic(DiagnosticDescriptors.UnsupportedShapeId).WithSpan(9, 28, 9, 31)
            .WithArguments("Pipeline.Run", "it returns by reference; a wrapper cannot time a ref return without exposing the reference past the stage's end"));

    // ------------------------------------------------------------------ RMON005

    [Fact]
    public Task RMON005_stage_name_not_constant() => VerifyAsync("""
        public partial class Pipeline
        {
            private static readonly string s_name = "retrieval";

            [Stage({|RMON005:s_name|})]
            public partial int Run();
            private int RunCore() => 1;
        }
        """);

    [Fact]
    public Task RMON005_metadata_key_not_constant() => VerifyAsync("""
        public partial class Pipeline
        {
            private static string Key => "k";

            [Stage("retrieval")]
            public partial int Run([StageMetadata({|RMON005:Key|})] int value);
            private int RunCore(int value) => 1;
        }
        """);

    [Fact]
    public Task RMON005_request_name_not_constant() => VerifyAsync("""
        public partial class Pipeline
        {
            private static string Name => "ask";

            [MonitoredRequest({|RMON005:Name|})]
            public partial int Run();
            private int RunCore() => 1;
        }
        """);

    // ------------------------------------------------------------------ RMON006

    [Theory]
    [InlineData("[Stage({|RMON006:\"\"|})]")]
    [InlineData("[Stage({|RMON006:\"   \"|})]")]
    [InlineData("[Stage({|RMON006:null|})]")]
    [InlineData("[MonitoredRequest({|RMON006:\"\"|})]")]
    [InlineData("[MonitoredRequest({|RMON006:\" \\t\"|})]")]
    public Task RMON006_empty_names(string attribute) => VerifyAsync($$"""
        public partial class Pipeline
        {
            {{attribute}}
            public partial int Run();
            private int RunCore() => 1;
        }
        """);

    [Fact]
    public Task RMON006_empty_metadata_key() => VerifyAsync("""
        public partial class Pipeline
        {
            [Stage("stage")]
            public partial int Run([StageMetadata({|RMON006:" "|})] int value);
            private int RunCore(int value) => 1;
        }
        """);

    // ------------------------------------------------------------------ RMON007

    [Fact]
    public Task RMON007_both_attributes() => VerifyAsync("""
        public partial class Pipeline
        {
            [Stage("stage")]
            [MonitoredRequest]
            public partial int {|RMON007:Run|}();
            private int RunCore() => 1;
        }
        """);

    // ------------------------------------------------------------------ RMON008

    [Fact]
    public Task RMON008_two_monitor_members() => VerifyAsync("""
        public partial class Pipeline
        {
            private readonly PerformanceMonitor _first = new();
            private PerformanceMonitor Second { get; } = new();

            [Stage("stage")]
            public partial int Run();
            private int RunCore() => 1;
        }
        """,
        Diagnostic(DiagnosticDescriptors.AmbiguousMonitorId).WithSpan(12, 24, 12, 27).WithArguments("Pipeline", "_first, Second"));

    [Fact]
    public Task RMON008_static_and_instance_monitor_are_ambiguous_only_for_instance_methods() => VerifyAsync("""
        public partial class Pipeline
        {
            private static readonly PerformanceMonitor s_shared = new();
            private readonly PerformanceMonitor _own = new();

            [Stage("instance")]
            public partial int {|RMON008:Instance|}();
            private int InstanceCore() => 1;

            [Stage("static")]
            public static partial int Static();
            private static int StaticCore() => 1;
        }
        """);

    [Fact]
    public Task RMON008_two_primary_constructor_monitors() => VerifyAsync("""
        public partial class Pipeline(PerformanceMonitor first, PerformanceMonitor second)
        {
            [Stage("stage")]
            public partial int {|RMON008:Run|}();
            private int RunCore() => 1;
        }
        """);

    [Fact]
    public Task Primary_constructor_monitor_copied_into_a_field_uses_the_field() => VerifyAsync("""
        public partial class Pipeline(PerformanceMonitor monitor)
        {
            private readonly PerformanceMonitor _monitor = monitor;

            [Stage("stage")]
            public partial int Run();
            private int RunCore() => 1;
        }
        """);

    [Theory]
    [InlineData("private readonly object _inner = new Inner(monitor);", "")]
    [InlineData("", " : Base(monitor)")]
    public Task RMON004_primary_constructor_monitor_also_used_by_an_initializer(string member, string baseCall) => VerifyAsync($$"""
        public class Base(PerformanceMonitor monitor)
        {
            public PerformanceMonitor Monitor => monitor;
        }

        public sealed class Inner(PerformanceMonitor monitor)
        {
            public PerformanceMonitor Monitor => monitor;
        }

        public partial class Pipeline(PerformanceMonitor monitor){{baseCall}}
        {
            {{member}}

            [Stage("stage")]
            public partial int {|RMON004:Run|}();
            private int RunCore() => 1;
        }
        """);

    [Fact]
    public Task RMON004_parameter_hides_primary_constructor_monitor() => VerifyAsync("""
        public partial class Pipeline(PerformanceMonitor monitor)
        {
            [Stage("stage")]
            public partial int {|RMON004:Run|}(string monitor);
            private int RunCore(string monitor) => 1;
        }
        """);

    [Fact]
    public Task RMON008_not_reported_for_one_monitor_or_none() => VerifyAsync("""
        public partial class One
        {
            private readonly PerformanceMonitor? _monitor = null;

            [Stage("one")]
            public partial int Run();
            private int RunCore() => 1;
        }

        public partial class None
        {
            [Stage("none")]
            public partial int Run();
            private int RunCore() => 1;
        }
        """);
}
