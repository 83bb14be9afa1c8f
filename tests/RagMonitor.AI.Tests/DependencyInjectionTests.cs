using System;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RagMonitor.Hosting;
using static RagMonitor.AI.Tests.TestMonitors;

namespace RagMonitor.AI.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task Without_a_monitor_the_middleware_uses_the_one_registered_by_AddRagMonitor()
    {
        var services = new ServiceCollection();
        services.AddRagMonitor(o =>
        {
            o.WriteLogs = false;
            o.AdaptiveBottlenecks = false;
        });
        services.AddChatClient(new FakeChatClient { Latency = TimeSpan.Zero }).UseRagMonitor();
        services.AddEmbeddingGenerator(new FakeEmbeddingGenerator { Latency = TimeSpan.Zero }).UseRagMonitor();
        await using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<PerformanceMonitor>();
        var chat = provider.GetRequiredService<IChatClient>();
        var embed = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        Assert.Same(monitor, chat.GetService<MonitoredChatClient>()!.Monitor);
        var summary = await InRequest(monitor, async () =>
        {
            await embed.GenerateAsync(new[] { "what is rag" });
            await chat.GetResponseAsync("what is rag?");
        });

        Assert.Equal(new[] { "embedding", "generation" }, new[] { summary.Stages[0].Name, summary.Stages[1].Name });
    }

    [Fact]
    public void A_monitor_given_explicitly_wins_over_the_registered_one()
    {
        using var explicitMonitor = Create();
        var services = new ServiceCollection();
        services.AddRagMonitor(o => o.WriteLogs = false);
        services.AddChatClient(new FakeChatClient()).UseRagMonitor(explicitMonitor);
        using var provider = services.BuildServiceProvider();

        Assert.Same(explicitMonitor, provider.GetRequiredService<IChatClient>().GetService<MonitoredChatClient>()!.Monitor);
    }

    [Fact]
    public void Without_a_registered_monitor_the_default_monitor_is_used()
    {
        var services = new ServiceCollection();
        services.AddChatClient(new FakeChatClient()).UseRagMonitor();
        using var provider = services.BuildServiceProvider();

        Assert.Same(PerformanceMonitor.Default, provider.GetRequiredService<IChatClient>().GetService<MonitoredChatClient>()!.Monitor);
    }
}
