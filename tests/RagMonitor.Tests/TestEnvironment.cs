using System;

namespace RagMonitor.Tests;

/// <summary>Facts about the run the tests are part of.</summary>
internal static class TestEnvironment
{
    /// <summary>
    /// Whether the environment variable <c>CI</c> is <c>true</c>: then a test that needs a tool or a privilege runs (and
    /// fails without it) instead of skipping, so CI never silently skips it.
    /// </summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.Ordinal);
}
