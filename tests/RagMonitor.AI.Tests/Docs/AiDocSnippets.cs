using System.Threading.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RagMonitor.Hosting;

namespace RagMonitor.AI.Tests.Docs;

/// <summary>
/// The code shown in docs/ai.md and README.md. Each region between <c>// snippet: NAME</c> and
/// <c>// end snippet</c> must appear verbatim (de-indented) in docs/ai.md under <c>&lt;!-- snippet: NAME --&gt;</c>
/// (and in the README where it repeats it); <see cref="AiDocSnippetTests"/> checks that, the compiler the code,
/// and the tests run it.
/// </summary>
internal static class AiDocSnippets
{
    internal static async Task<string> QuickStart(PerformanceMonitor monitor, IChatClient innerChat, IEmbeddingGenerator<string, Embedding<float>> innerEmbed)
    {
        var answer = new System.Text.StringBuilder();

        // snippet: ai-quickstart
        IChatClient chat = innerChat.AsBuilder().UseRagMonitor(monitor).Build();                                     // stage "generation"
        IEmbeddingGenerator<string, Embedding<float>> embed = innerEmbed.AsBuilder().UseRagMonitor(monitor).Build(); // stage "embedding"

        using (monitor.BeginRequest("ask"))             // or inside any [MonitoredRequest] method
        {
            Embedding<float> query = await embed.GenerateAsync("what is rag?");
            await foreach (var update in chat.GetStreamingResponseAsync("what is rag?"))
            {
                answer.Append(update.Text);             // time to first token, tokens and finish reason are recorded
            }
        }
        // end snippet

        return answer.ToString();
    }

    internal static IChatClient Configured(PerformanceMonitor monitor, IChatClient innerChat)
    {
        // snippet: ai-options
        IChatClient chat = innerChat.AsBuilder()
            .UseRagMonitor(monitor, stageName: "answer_generation", configure: c => c.EnableSensitiveData = false)
            .Build();
        // end snippet
        return chat;
    }

    internal static IHost Hosted(string[] args, IChatClient innerChat, IEmbeddingGenerator<string, Embedding<float>> innerEmbed)
    {
        // snippet: ai-hosting
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddRagMonitor(builder.Configuration.GetSection("RagMonitor"));
        builder.Services.AddChatClient(innerChat).UseRagMonitor();            // uses the registered PerformanceMonitor
        builder.Services.AddEmbeddingGenerator(innerEmbed).UseRagMonitor();
        // end snippet
        return builder.Build();
    }
}
