using System;
using Microsoft.Extensions.Options;

namespace RagMonitor.Hosting;

/// <summary>Reports invalid <see cref="PerformanceMonitorOptions"/> (from configuration) as an options validation failure.</summary>
internal sealed class PerformanceMonitorOptionsValidator : IValidateOptions<PerformanceMonitorOptions>
{
    public ValidateOptionsResult Validate(string? name, PerformanceMonitorOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail("RagMonitor: " + ex.Message);
        }
    }
}
