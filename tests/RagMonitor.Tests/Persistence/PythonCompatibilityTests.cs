using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;

namespace RagMonitor.Tests.Persistence;

public sealed class PythonCompatibilityTests
{
    // The way users of the Python module analyse the logs (DESIGN.md): glob, json.loads per line, total_time,
    // datetime.fromisoformat(timestamp), stages.*.duration, and the date before the first "_" of the file name.
    private const string Script = """
        import datetime, glob, json, os, sys
        files = sorted(glob.glob(os.path.join(sys.argv[1], "*_performance.jsonl")))
        assert files, "no log files"
        lines = 0
        per_stage = {}
        for path in files:
            datetime.datetime.strptime(os.path.basename(path).split("_")[0], "%Y%m%d")
            with open(path, encoding="utf-8") as f:
                for line in f:
                    record = json.loads(line)
                    total = float(record["total_time"])
                    assert isinstance(record["total_time"], float), record["total_time"]
                    assert isinstance(record["start_time"], float)
                    ts = datetime.datetime.fromisoformat(record["timestamp"])
                    assert ts.utcoffset() is not None
                    for name, stage in record["stages"].items():
                        assert isinstance(stage["duration"], float)
                        per_stage.setdefault(name, []).append(stage["duration"])
                        assert isinstance(stage["metadata"], dict)
                    lines += 1
        print("lines=%d stages=%s" % (lines, ",".join(sorted(per_stage))))
        """;

    [PythonFact]
    public async Task The_seed_analysis_script_reads_every_line()
    {
        using var dir = new TempDirectory();
        await using (var monitor = JsonlFormatTests.NewMonitor(dir.Path))
        {
            for (var i = 0; i < 50; i++)
            {
                var id = "py-" + i;
                monitor.StartRequest(id, "ask");
                monitor.LogStage(id, "retrieval", TimeSpan.FromMilliseconds(10 + i), new Dictionary<string, object?> { ["documents_retrieved"] = i, ["query"] = "what's \"new\"?\n\u2028 \ud800 ok" });
                monitor.LogStage(id, "grading", TimeSpan.FromMilliseconds(3), new Dictionary<string, object?> { ["score"] = double.NaN, ["threshold"] = 0.75 });
                monitor.LogStage(id, "generation", TimeSpan.FromSeconds(2), new Dictionary<string, object?> { ["model"] = "m\u00e9", ["ok"] = true, ["none"] = null });
                monitor.EndRequest(id);
            }
        }

        var script = Path.Combine(dir.Path, "analyse.py");
        await File.WriteAllTextAsync(script, Script);
        var python = LogFiles.FindPython() ?? "python3";
        var (exitCode, output, error) = await LogFiles.RunAsync(python, new[] { script, dir.Path }, TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, output + error);
        Assert.Contains("lines=50 stages=generation,grading,retrieval", output);
    }
}
