using System.IO;

namespace RagMonitor.Cli;

/// <summary>Entry point of the <c>ragmon</c> tool.</summary>
public static class Program
{
    /// <summary>Runs the tool with the process console.</summary>
    public static int Main(string[] args) => CliApp.Run(args, CliEnvironment.FromConsole());

    /// <summary>Runs the tool in-process with the given writers (no progress bar, wide tables); for tests and embedding.</summary>
    /// <param name="args">The command line arguments.</param>
    /// <param name="output">Receives standard output.</param>
    /// <param name="error">Receives standard error.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error) => CliApp.Run(args, new CliEnvironment(output, error));
}
