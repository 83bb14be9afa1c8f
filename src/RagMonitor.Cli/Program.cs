using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using RagMonitor.Cli.Analysis;

namespace RagMonitor.Cli;

/// <summary>Entry point of the <c>ragmon</c> tool.</summary>
public static class Program
{
    /// <summary>Runs the tool with the process console.</summary>
    public static int Main(string[] args)
    {
        if (RuntimeFeature.IsDynamicCodeCompiled && args.Length > 0 && args[0] is "summary" or "check" or "compare" or "report")
        {
            // The log reader's and the analysis's per-line code is compiled fully optimized on first use; do that on
            // the otherwise idle second core while the command line is parsed and the files are listed. Not when the
            // code is precompiled (Native AOT): there a second thread at start-up only costs, and it once deadlocked
            // with the main thread in the runtime's class constructors.
            var warmUp = new Thread(static () => PerformanceLog.PrepareForRead(static entry => new LogAnalysis(1).Add(entry)))
            {
                IsBackground = true,
                Name = "ragmon warm-up",
            };
            warmUp.Start();
        }

        return CliApp.Run(args, CliEnvironment.FromConsole());
    }

    /// <summary>Runs the tool in-process with the given writers (no progress bar, wide tables); for tests and embedding.</summary>
    /// <param name="args">The command line arguments.</param>
    /// <param name="output">Receives standard output.</param>
    /// <param name="error">Receives standard error.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error) => CliApp.Run(args, new CliEnvironment(output, error));
}
