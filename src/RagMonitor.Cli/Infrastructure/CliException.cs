using System;

namespace RagMonitor.Cli;

/// <summary>A problem the user can fix (bad argument, missing directory): printed as one line, exit code 2.</summary>
internal sealed class CliException : Exception
{
    internal CliException(string message, int exitCode = ExitCodes.Usage)
        : base(message)
    {
        ExitCode = exitCode;
    }

    internal int ExitCode { get; }
}

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    internal const int Ok = 0;

    /// <summary>A check failed: a budget was exceeded, a regression was found (with <c>--fail-on-regression</c>), or cleanup could not handle a file.</summary>
    internal const int CheckFailed = 1;

    /// <summary>Bad arguments, a missing log directory, or an I/O error.</summary>
    internal const int Usage = 2;
}
