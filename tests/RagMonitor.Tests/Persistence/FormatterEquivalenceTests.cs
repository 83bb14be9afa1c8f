using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using RagMonitor.Tests.Reliability;

namespace RagMonitor.Tests.Persistence;

/// <summary>
/// The formatter writes bytes directly (pre-encoded field names, cached names, plain ASCII copied as it is); every line
/// must be byte for byte what the earlier <see cref="System.Text.Json.Utf8JsonWriter"/> formatter wrote
/// (<see cref="ReferenceJsonlFormatter"/>), for any names, ids, metadata, statuses, bottlenecks and resource figures.
/// </summary>
public sealed class FormatterEquivalenceTests
{
    private static readonly Gen<OperationStatus> s_status = Gen.OneOf(OperationStatus.Success, OperationStatus.Failure, OperationStatus.Cancelled);

    [Fact]
    public void A_monitor_record_is_written_byte_for_byte_as_the_Utf8JsonWriter_formatter_wrote_it()
    {
        var monitor = new PerformanceMonitor(new PerformanceMonitorOptions { WriteLogs = false, AdaptiveBottlenecks = false, SlowRequestThreshold = null, BottleneckShareThreshold = 0.2 });
        var formatter = new JsonlRecordFormatter(useUtc: true, TimeZoneInfo.Utc);
        var reference = new ReferenceJsonlFormatter();
        Gen.Select(JsonPropertyTests.s_request, s_status, Gen.Bool, Gen.Long[0, long.MaxValue]).Sample(sample =>
        {
            var (request, status, resources, allocated) = sample;
            // Half the requests have a generated id (written without a string by the formatter).
            var state = new RequestState(monitor, request.Name, resources ? null : request.Id, (ulong)allocated, monitor.GetTimestamp(), DateTimeOffset.UtcNow);
            foreach (var stage in request.Stages)
            {
                state.RecordStage(stage.Stage, monitor.GetTimestamp(), monitor.ToTimestampTicks(TimeSpan.FromSeconds(stage.Seconds)), status, status == OperationStatus.Success ? null : stage.Stage);
                foreach (var (key, value) in stage.Metadata)
                {
                    if (!string.IsNullOrEmpty(key))
                    {
                        monitor.AddStageMetadata(state, stage.Stage, key, MetadataValue.FromObject(value));
                    }
                }
            }

            state.SetOutcome(status, status == OperationStatus.Success ? null : request.Name);
            var record = state.SealRecord(monitor.GetTimestamp() + monitor.ToTimestampTicks(TimeSpan.FromSeconds(1)), resources ? allocated : null, resources ? (int)(allocated % 1000) : null)!;
            var flagged = 0;
            foreach (ref var stage in record.Stages)
            {
                stage.IsBottleneck = stage.Share > 0.2;
                stage.BottleneckRule = (BottleneckRule)(flagged % 3);
                flagged += stage.IsBottleneck ? 1 : 0;
            }

            record.BottleneckCount = flagged;
            AssertSameBytes(reference, formatter, record);
        }, iter: 400, threads: 1);
    }

    [Fact]
    public void A_summary_given_to_the_sink_is_written_byte_for_byte_as_before_repeated_names_included()
    {
        var formatter = new JsonlRecordFormatter(useUtc: true, TimeZoneInfo.Utc);
        var reference = new ReferenceJsonlFormatter();
        Gen.Select(JsonPropertyTests.s_request, s_status, Gen.Bool).Sample(sample =>
        {
            var (request, status, repeat) = sample;
            var stages = request.Stages
                .Select(s => new StageSummary(s.Stage, TimeSpan.FromSeconds(s.Seconds), 1, Math.Min(1, s.Seconds / 100), status, status == OperationStatus.Success ? null : "Err",
                    s.Metadata.Where(m => !string.IsNullOrEmpty(m.Key)).Select(m => new KeyValuePair<string, MetadataValue>(m.Key, MetadataValue.FromObject(m.Value))).ToArray()))
                .ToList();
            if (repeat && stages.Count > 0)
            {
                stages.Add(stages[0]); // a name repeated: the writer makes the keys unique
            }

            var bottlenecks = stages.Where(s => s.Share > 0.3).Select(s => new Bottleneck(s.Name, s.Share, BottleneckRule.Share, "over 30%")).ToArray();
            var summary = new RequestSummary(request.Name, request.Id, DateTimeOffset.UnixEpoch.AddSeconds(request.Stages.Length * 1234.5678), TimeSpan.FromMilliseconds(request.Stages.Length * 17.3),
                status, status == OperationStatus.Success ? null : "Failed", stages, bottlenecks, isCompleted: true, allocatedBytes: repeat ? 1234 : null, gcCollections: repeat ? 2 : null);
            AssertSameBytes(reference, formatter, CompletedRequest.Carrying(summary));
        }, iter: 400, threads: 1);
    }

    [Fact]
    public void Strings_with_every_ASCII_character_are_escaped_as_before()
    {
        var formatter = new JsonlRecordFormatter(useUtc: true, TimeZoneInfo.Utc);
        var reference = new ReferenceJsonlFormatter();
        for (var c = 0; c < 0x80; c++)
        {
            var text = "a" + (char)c + "b";
            var stage = new StageSummary(text, TimeSpan.FromSeconds(1), 1, 0.5, OperationStatus.Success, null,
                new KeyValuePair<string, MetadataValue>[] { new(text, MetadataValue.FromString(text)), new("d", MetadataValue.FromNumber(c / 7.0)) });
            var summary = new RequestSummary(text, text, DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(2), OperationStatus.Success, null, new[] { stage }, Array.Empty<Bottleneck>(), true, null, null);
            AssertSameBytes(reference, formatter, CompletedRequest.Carrying(summary));
        }
    }

    private static void AssertSameBytes(ReferenceJsonlFormatter reference, JsonlRecordFormatter formatter, CompletedRequest record)
    {
        var expected = new ChunkBuffer(256);
        if (record.Summary is { } summary)
        {
            reference.WriteLine(new SummaryView(summary), expected);
        }
        else
        {
            reference.WriteLine(new CompletedRequestView(record), expected);
        }

        var actual = new ChunkBuffer(256);
        formatter.WriteLine(record, actual);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(expected.WrittenSpan), System.Text.Encoding.UTF8.GetString(actual.WrittenSpan));
        Assert.True(expected.WrittenSpan.SequenceEqual(actual.WrittenSpan));
    }
}
