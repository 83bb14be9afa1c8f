using Spectre.Console;

namespace RagMonitor.Cli.Output;

/// <summary>Spectre.Console consoles over the tool's writers.</summary>
internal static class Consoles
{
    /// <summary>A console for standard output: colours only on a terminal; wide tables when redirected.</summary>
    internal static IAnsiConsole ForOutput(CliEnvironment environment)
    {
        bool terminal = environment.ConsoleWidth is not null;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(environment.Output),
        });
        console.Profile.Width = environment.ConsoleWidth ?? 200;
        return console;
    }
}
