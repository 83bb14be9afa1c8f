#!/usr/bin/env bash
# ragmon summary vs a plain Python json.loads script over the same 1,000,000 generated request lines.
# Usage: tests/RagMonitor.Benchmarks/cli-benchmark.sh [DIR] [LINES]   (needs python3 and clang; uses hyperfine when installed)
# Results go to docs/benchmarks.md by hand (date, machine, command, figures).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${1:-/tmp/ragmon-bench}"
lines="${2:-1000000}"
# Measure what `dotnet tool install` puts on this machine: the tool package that dotnet pack makes for the platform it
# runs on is exactly this publish (Native AOT; needs clang; see src/RagMonitor.Cli/RagMonitor.Cli.csproj).
# NATIVE_AOT=false measures the ReadyToRun publish (tiered compilation off) that the other platforms' packages hold.
rid=$(dotnet --info | awk '/ RID:/ { print $2; exit }')
if [ "${NATIVE_AOT:-true}" = true ]; then
  out="$dir/ragmon-$rid-aot"
  dotnet publish -c Release -r "$rid" -p:RagmonNativeAot=true "$root/src/RagMonitor.Cli/RagMonitor.Cli.csproj" -o "$out" -nologo -v q
else
  out="$dir/ragmon-$rid"
  dotnet publish -c Release -r "$rid" --self-contained false "$root/src/RagMonitor.Cli/RagMonitor.Cli.csproj" -o "$out" -nologo -v q
fi
ragmon=("$out/ragmon")
if [ ! -d "$dir/logs" ]; then
  "${ragmon[@]}" generate --out "$dir/logs" --requests "$lines" --days 1 --end 2026-11-29 --seed 42
fi
bytes=$(cat "$dir"/logs/*_performance.jsonl | wc -c)
count=$(cat "$dir"/logs/*_performance.jsonl | wc -l)
echo "input: $count lines, $bytes bytes ($((bytes / count)) bytes/line) in $dir/logs"
cat "$dir"/logs/*_performance.jsonl > /dev/null   # warm the page cache for both
echo "load before: $(uptime)"   # the machine is shared: record how busy it was
if command -v hyperfine > /dev/null; then
  hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$dir/hyperfine.json" \
    -n ragmon "${ragmon[*]} summary --log-dir $dir/logs --format csv" \
    -n python "python3 $root/tests/RagMonitor.Benchmarks/python/stage_averages.py $dir/logs"
  python3 - "$dir/hyperfine.json" "$bytes" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
size = int(sys.argv[2])
r, p = results["ragmon"], results["python"]
print(f"ragmon summary: mean {r['mean']:.3f} s (min {r['min']:.3f}) = {size / r['mean'] / 1e6:.0f} MB/s (best {size / r['min'] / 1e6:.0f} MB/s)")
print(f"python json.loads: mean {p['mean']:.3f} s (min {p['min']:.3f}) = {size / p['mean'] / 1e6:.1f} MB/s")
print(f"ratio (python / ragmon, means): {p['mean'] / r['mean']:.1f}x (mins: {p['min'] / r['min']:.1f}x)")
print(f"user CPU (mean): ragmon {r['user']:.3f} s, python {p['user']:.3f} s")
PY
  echo "load after: $(uptime)"
else
  /usr/bin/time -f "ragmon: %e s" "${ragmon[@]}" summary --log-dir "$dir/logs" --format csv > /dev/null
  /usr/bin/time -f "python: %e s" python3 "$root/tests/RagMonitor.Benchmarks/python/stage_averages.py" "$dir/logs" > /dev/null
fi
