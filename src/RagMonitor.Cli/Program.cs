namespace RagMonitor.Cli;

/// <summary>Entry point of the <c>ragmon</c> tool.</summary>
public static class Program
{
    /// <summary>Runs the tool.</summary>
    public static int Main(string[] args)
    {
        System.Console.Error.WriteLine("ragmon: no commands are available in this build yet.");
        return 2;
    }
}
