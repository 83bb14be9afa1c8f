using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor;

/// <summary>What <see cref="PerformanceLog.ReadAsync"/> went through; filled in while the records are enumerated.</summary>
public sealed class PerformanceLogReadStatistics
{
    private long _skippedLines;
    private long _records;
    private int _files;

    /// <summary>Files opened (<c>.jsonl</c> and <c>.jsonl.gz</c>).</summary>
    public int FilesRead => Volatile.Read(ref _files);

    /// <summary>Records returned.</summary>
    public long RecordsRead => Interlocked.Read(ref _records);

    /// <summary>Non-empty lines that were skipped because they are not valid JSON or lack <c>start_time</c>/<c>total_time</c> (for example a torn last line after a crash).</summary>
    public long SkippedLines => Interlocked.Read(ref _skippedLines);

    internal void CountFile() => Interlocked.Increment(ref _files);

    internal void CountRecord() => Interlocked.Increment(ref _records);

    internal void CountSkipped() => Interlocked.Increment(ref _skippedLines);
}

/// <summary>Reads the JSONL performance logs written by <see cref="JsonlSink"/> (and by the Python module it replaces).</summary>
public static class PerformanceLog
{
    private const long UnixEpochTicks = 621_355_968_000_000_000;

    /// <summary>
    /// Streams the requests logged in <paramref name="directory"/>'s <c>&lt;yyyyMMdd&gt;_…performance.jsonl</c> and
    /// <c>….jsonl.gz</c> files whose file-name date lies in [<paramref name="from"/>, <paramref name="to"/>] (inclusive;
    /// <see langword="null"/> = unbounded), in date order (for one date, the archive before the plain file). Lines that
    /// do not parse are skipped and counted in <paramref name="statistics"/>.
    /// </summary>
    /// <param name="directory">The log directory (not searched recursively).</param>
    /// <param name="from">The first file date to read, or <see langword="null"/>.</param>
    /// <param name="to">The last file date to read, or <see langword="null"/>.</param>
    /// <param name="statistics">Receives the number of files, records and skipped lines; optional.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>One completed <see cref="RequestSummary"/> per line. Lines of the Python module have no
    /// <c>request</c>/<c>request_id</c>/<c>status</c>: they read as request <c>"request"</c>, id <c>""</c>, success.</returns>
    /// <exception cref="ArgumentException">The directory is empty or does not exist.</exception>
    public static async IAsyncEnumerable<RequestSummary> ReadAsync(
        string directory,
        DateOnly? from = null,
        DateOnly? to = null,
        PerformanceLogReadStatistics? statistics = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var path in FindFiles(directory, from, to))
        {
            cancellationToken.ThrowIfCancellationRequested();
            FileStream file;
            try
            {
                file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            }
            catch (FileNotFoundException)
            {
                continue; // archived or deleted by retention between listing and opening
            }

            statistics?.CountFile();
            await using (file.ConfigureAwait(false))
            {
                Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
                using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 65536);
                while (true)
                {
                    string? line;
                    try
                    {
                        line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (InvalidDataException)
                    {
                        statistics?.CountSkipped(); // a truncated or corrupt .gz: keep what was read
                        break;
                    }

                    if (line is null)
                    {
                        break;
                    }

                    if (string.IsNullOrWhiteSpace(line))
                    {
                        continue;
                    }

                    var summary = TryParseLine(line);
                    if (summary is null)
                    {
                        statistics?.CountSkipped();
                        continue;
                    }

                    statistics?.CountRecord();
                    yield return summary;
                }
            }
        }
    }

    /// <summary>Parses one log line, or returns <see langword="null"/> when it is not valid JSON or lacks <c>start_time</c>/<c>total_time</c>.</summary>
    public static RequestSummary? TryParseLine(string line)
    {
        if (line is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            return FromJson(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static List<string> FindFiles(string directory, DateOnly? from, DateOnly? to)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new ArgumentException("The log directory must not be empty.", nameof(directory));
        }

        if (!Directory.Exists(directory))
        {
            throw new ArgumentException($"The log directory '{directory}' does not exist.", nameof(directory));
        }

        var found = new List<(DateOnly Date, int Order, string Path)>();
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(path);
            var order = name.EndsWith("performance.jsonl.gz", StringComparison.Ordinal) ? 0
                : name.EndsWith("performance.jsonl", StringComparison.Ordinal) ? 1 : -1;
            if (order < 0 || !LogRetention.TryParseFileDate(name, out var date) || date < from || date > to)
            {
                continue;
            }

            found.Add((date, order, path));
        }

        found.Sort((a, b) =>
        {
            var c = a.Date.CompareTo(b.Date);
            c = c != 0 ? c : a.Order.CompareTo(b.Order);
            return c != 0 ? c : string.CompareOrdinal(a.Path, b.Path);
        });
        return found.ConvertAll(f => f.Path);
    }

    private static RequestSummary? FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("start_time", out var startElement) || startElement.ValueKind != JsonValueKind.Number
            || !root.TryGetProperty("total_time", out var totalElement) || totalElement.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        var start = new DateTimeOffset(UnixEpochTicks + SecondsToTicks(startElement.GetDouble()), TimeSpan.Zero);
        var total = TimeSpan.FromTicks(SecondsToTicks(totalElement.GetDouble()));
        var stages = new List<StageSummary>();
        if (root.TryGetProperty("stages", out var stagesElement) && stagesElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var stage in stagesElement.EnumerateObject())
            {
                if (stage.Value.ValueKind != JsonValueKind.Object
                    || !stage.Value.TryGetProperty("duration", out var durationElement) || durationElement.ValueKind != JsonValueKind.Number)
                {
                    return null;
                }

                var duration = TimeSpan.FromTicks(SecondsToTicks(durationElement.GetDouble()));
                var share = Number(stage.Value, "share") ?? (total.Ticks > 0 ? duration.Ticks / (double)total.Ticks : 0);
                var calls = stage.Value.TryGetProperty("calls", out var callsElement) && callsElement.ValueKind == JsonValueKind.Number && callsElement.TryGetInt32(out var c) ? c : 1;
                stages.Add(new StageSummary(stage.Name, duration, calls, share, Status(stage.Value), Text(stage.Value, "error_type"), Metadata(stage.Value)));
            }
        }

        var bottlenecks = new List<Bottleneck>();
        if (root.TryGetProperty("bottlenecks", out var bottlenecksElement) && bottlenecksElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in bottlenecksElement.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && Text(item, "stage") is { } stageName)
                {
                    var share = Number(item, "share") ?? 0;
                    var rule = Text(item, "rule") switch
                    {
                        "absolute_threshold" => BottleneckRule.AbsoluteThreshold,
                        "adaptive" => BottleneckRule.Adaptive,
                        _ => BottleneckRule.Share,
                    };
                    bottlenecks.Add(new Bottleneck(stageName, share, rule, Text(item, "reason") ?? string.Empty));
                }
                else if (item.ValueKind == JsonValueKind.String && TryParseBottleneckText(item.GetString()!, out var parsed))
                {
                    bottlenecks.Add(parsed);
                }
            }
        }

        OperationStatusText.TryParse(Text(root, "status"), out var status);
        long? allocated = root.TryGetProperty("allocated_bytes", out var a) && a.ValueKind == JsonValueKind.Number && a.TryGetInt64(out var av) ? av : null;
        int? collections = root.TryGetProperty("gc_collections", out var g) && g.ValueKind == JsonValueKind.Number && g.TryGetInt32(out var gv) ? gv : null;
        return new RequestSummary(
            Text(root, "request") ?? "request",
            Text(root, "request_id") ?? string.Empty,
            start,
            total,
            status,
            Text(root, "error_type"),
            stages,
            bottlenecks,
            isCompleted: true,
            allocated,
            collections);
    }

    /// <summary>Reads the reference text form <c>"retrieval (45.0%)"</c>.</summary>
    private static bool TryParseBottleneckText(string text, out Bottleneck bottleneck)
    {
        bottleneck = null!;
        var open = text.LastIndexOf(" (", StringComparison.Ordinal);
        if (open <= 0 || !text.EndsWith("%)", StringComparison.Ordinal))
        {
            return false;
        }

        var number = text.AsSpan(open + 2, text.Length - open - 4);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
        {
            return false;
        }

        bottleneck = new Bottleneck(text.Substring(0, open), percent / 100, BottleneckRule.Share, string.Empty);
        return true;
    }

    private static IReadOnlyList<KeyValuePair<string, MetadataValue>> Metadata(JsonElement stage)
    {
        if (!stage.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object)
        {
            return Array.Empty<KeyValuePair<string, MetadataValue>>();
        }

        var list = new List<KeyValuePair<string, MetadataValue>>();
        foreach (var property in metadata.EnumerateObject())
        {
            var value = property.Value;
            var converted = value.ValueKind switch
            {
                JsonValueKind.String => MetadataValue.FromString(value.GetString()),
                JsonValueKind.Number => value.TryGetInt64(out var integer) ? MetadataValue.FromInteger(integer) : MetadataValue.FromNumber(value.GetDouble()),
                JsonValueKind.True => MetadataValue.FromBoolean(true),
                JsonValueKind.False => MetadataValue.FromBoolean(false),
                JsonValueKind.Null => MetadataValue.Null,
                _ => MetadataValue.FromString(value.GetRawText()),
            };
            list.Add(new KeyValuePair<string, MetadataValue>(property.Name, converted));
        }

        return list;
    }

    private static OperationStatus Status(JsonElement element)
    {
        OperationStatusText.TryParse(Text(element, "status"), out var status);
        return status;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static long SecondsToTicks(double seconds)
    {
        if (!double.IsFinite(seconds) || Math.Abs(seconds) > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            throw new FormatException("The number of seconds is out of range.");
        }

        return (long)Math.Round(seconds * TimeSpan.TicksPerSecond);
    }
}
