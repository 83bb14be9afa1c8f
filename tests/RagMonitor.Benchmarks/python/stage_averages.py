#!/usr/bin/env python3
"""Per-stage average durations from RagMonitor / Python-module JSONL logs, the way users' scripts do it.

The baseline for the `ragmon summary` benchmark (docs/benchmarks.md): plain Python, json.loads per line,
no third-party packages. Usage: stage_averages.py LOG_DIR
"""
import glob
import gzip
import json
import os
import sys
from collections import defaultdict


def main(log_dir: str) -> int:
    totals = defaultdict(float)
    counts = defaultdict(int)
    request_total = 0.0
    requests = 0
    skipped = 0
    paths = sorted(glob.glob(os.path.join(log_dir, "*_performance.jsonl")) + glob.glob(os.path.join(log_dir, "*_performance.jsonl.gz")))
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    skipped += 1
                    continue
                requests += 1
                request_total += record["total_time"]
                for stage, data in record.get("stages", {}).items():
                    totals[stage] += data["duration"]
                    counts[stage] += 1
    print(f"requests: {requests}, mean total: {request_total / max(requests, 1):.6f} s, skipped lines: {skipped}")
    for stage in sorted(totals):
        print(f"{stage}: {totals[stage] / counts[stage]:.6f} s over {counts[stage]} calls")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "logs/performance"))
