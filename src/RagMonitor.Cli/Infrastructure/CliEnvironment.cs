using System;
using System.IO;

namespace RagMonitor.Cli;

/// <summary>Where the tool writes and what it knows about its surroundings; tests pass their own.</summary>
internal sealed class CliEnvironment
{
    internal CliEnvironment(TextWriter output, TextWriter error, TimeProvider? time = null, bool showProgress = false, int? consoleWidth = null)
    {
        Output = output;
        Error = error;
        Time = time ?? TimeProvider.System;
        ShowProgress = showProgress;
        ConsoleWidth = consoleWidth;
    }

    internal TextWriter Output { get; }

    internal TextWriter Error { get; }

    internal TimeProvider Time { get; }

    /// <summary>Whether long scans may draw a progress bar (on standard error): only on an interactive terminal.</summary>
    internal bool ShowProgress { get; }

    /// <summary>The terminal width when standard output is a terminal; null when redirected.</summary>
    internal int? ConsoleWidth { get; }

    internal static CliEnvironment FromConsole()
    {
        bool errorIsTerminal = !Console.IsErrorRedirected;
        string? term = Environment.GetEnvironmentVariable("TERM");
        bool showProgress = errorIsTerminal && !string.Equals(term, "dumb", StringComparison.Ordinal)
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
        int? width = null;
        if (!Console.IsOutputRedirected)
        {
            try
            {
                width = Console.WindowWidth > 0 ? Console.WindowWidth : null;
            }
            catch (IOException)
            {
            }
        }

        return new CliEnvironment(Console.Out, Console.Error, TimeProvider.System, showProgress, width);
    }
}
