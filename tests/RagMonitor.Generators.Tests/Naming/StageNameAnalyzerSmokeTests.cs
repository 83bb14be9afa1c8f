using System.Threading.Tasks;
using RagMonitor.Generators.Tests.AnalyzerTesting;

namespace RagMonitor.Generators.Tests.Naming;

public sealed class StageNameAnalyzerSmokeTests
{
    [Fact]
    public async Task Variant_is_reported()
    {
        const string source = """
            using RagMonitor;

            public static class Pipeline
            {
                public static void Run()
                {
                    using (PerformanceMonitor.Default.BeginStage("retrieval")) { }
                    using (PerformanceMonitor.Default.BeginStage("retrieval")) { }
                    using (PerformanceMonitor.Default.BeginStage({|RMON009:"re_trieval"|})) { }
                }
            }
            """;
        await new NamingTest(source).RunAsync();
    }
}
