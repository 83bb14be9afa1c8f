#!/usr/bin/env python3
"""Runs shell commands alternately, RUNS rounds, and compares them per round.

On this project's machine the speed drifts by up to 2x from one minute to the next, so two commands measured one
after the other (as hyperfine does) are not comparable; the ratio of two runs made back to back is. Prints, per
command, the wall and CPU (user + sys of the child) minimum and median, then, for each command after the first, the
median and geometric mean of its per-round ratio to the first.

Usage: interleave.py RUNS name=command [name=command ...]
Example: interleave.py 10 "before=/tmp/a/ragmon summary --log-dir L --format csv" "after=/tmp/b/ragmon summary ..."
"""
import math
import os
import statistics
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    runs = int(sys.argv[1])
    commands = [argument.split("=", 1) for argument in sys.argv[2:]]
    results = {name: [] for name, _ in commands}
    for _ in range(runs):
        for name, command in commands:
            start = time.perf_counter()
            process = subprocess.Popen(command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - start
            if status != 0:
                print(f"{name}: exit status {status}", file=sys.stderr)
            results[name].append((wall, usage.ru_utime + usage.ru_stime))
    for name, _ in commands:
        walls = [w for w, _ in results[name]]
        cpus = [c for _, c in results[name]]
        print(f"{name:24s} wall min {min(walls):.3f} median {statistics.median(walls):.3f} | cpu min {min(cpus):.3f} median {statistics.median(cpus):.3f}")
    base = commands[0][0]
    for name, _ in commands[1:]:
        ratios = [results[name][k][0] / results[base][k][0] for k in range(runs)]
        cpu_ratios = [results[name][k][1] / results[base][k][1] for k in range(runs)]
        geometric = math.exp(statistics.mean(math.log(r) for r in ratios))
        print(f"{name} / {base}: wall ratio median {statistics.median(ratios):.3f} (geometric mean {geometric:.3f}), cpu ratio median {statistics.median(cpu_ratios):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
