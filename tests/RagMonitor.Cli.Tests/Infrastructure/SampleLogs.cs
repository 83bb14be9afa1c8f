using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using RagMonitor.Cli.Commands;

namespace RagMonitor.Cli.Tests.Infrastructure;

/// <summary>
/// Generated sample logs shared by a test class: 7 days ending 2026-11-29 (the three oldest gzipped), 20,000 requests
/// and a torn last line.
/// </summary>
public sealed class SampleLogsFixture : IDisposable
{
    public const int Requests = 20_000;

    private readonly TempDirectory _root = new();

    public SampleLogsFixture()
    {
        Directory = _root.Sub("logs");
        SampleLogGenerator.Write(Directory, new SampleLogOptions
        {
            Requests = Requests,
            Days = 7,
            LastDay = new DateOnly(2026, 11, 29),
            GzipOlderThanDays = 3,
            TornLastLine = true,
        });
    }

    public string Directory { get; }

    public void Dispose() => _root.Dispose();
}

/// <summary>Hand-written log lines in RagMonitor's and the Python module's shapes.</summary>
public static class LogLines
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    /// <summary>A RagMonitor line; stages are (name, seconds[, status]); bottlenecks computed by the 30 % rule.</summary>
    public static string RagMonitor(string request, string id, DateTimeOffset timestamp, double total, IEnumerable<(string Name, double Seconds)> stages, string status = "success", string? errorType = null)
    {
        var stageList = stages.ToList();
        string stageJson = string.Join(",", stageList.Select(s =>
            $"{Json(s.Name)}:{{\"duration\":{s.Seconds.ToString("R", s_invariant)},\"metadata\":{{\"k\":1}},\"calls\":1,\"share\":{(total > 0 ? s.Seconds / total : 0).ToString("0.###", s_invariant)},\"status\":\"success\"}}"));
        string bottlenecks = string.Join(",", stageList.Where(s => total > 0 && s.Seconds / total > 0.3)
            .Select(s => $"{{\"stage\":{Json(s.Name)},\"share\":{(s.Seconds / total).ToString("0.###", s_invariant)},\"rule\":\"share\"}}"));
        string error = errorType is null ? string.Empty : $",\"error_type\":{Json(errorType)}";
        return $"{{\"start_time\":{(timestamp.ToUnixTimeMilliseconds() / 1000.0 - total).ToString("0.000", s_invariant)},\"total_time\":{total.ToString("R", s_invariant)},\"timestamp\":\"{timestamp.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.ffffff}+00:00\",\"stages\":{{{stageJson}}},\"request\":{Json(request)},\"request_id\":{Json(id)},\"status\":\"{status}\"{error},\"bottlenecks\":[{bottlenecks}]}}";
    }

    /// <summary>A line of the Python module: no request, id, status; timestamp without offset.</summary>
    public static string Python(DateTimeOffset timestamp, double total, IEnumerable<(string Name, double Seconds)> stages)
    {
        string stageJson = string.Join(", ", stages.Select(s => $"{Json(s.Name)}: {{\"duration\": {s.Seconds.ToString("R", s_invariant)}, \"metadata\": {{\"documents_retrieved\": 5}}}}"));
        return $"{{\"start_time\": {(timestamp.ToUnixTimeMilliseconds() / 1000.0 - total).ToString("0.000", s_invariant)}, \"total_time\": {total.ToString("R", s_invariant)}, \"timestamp\": \"{timestamp.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.ffffff}\", \"stages\": {{{stageJson}}}}}";
    }

    public static string Json(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    public static void Write(string directory, string fileName, IEnumerable<string> lines)
        => File.WriteAllText(Path.Combine(directory, fileName), string.Join("\n", lines) + "\n");
}
