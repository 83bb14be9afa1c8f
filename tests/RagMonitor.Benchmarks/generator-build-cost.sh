#!/usr/bin/env bash
# Issue 14: what RagMonitor's generator and analyzers add to a build.
#   1. `dotnet build` (forced rebuild) of 2,000 monitored methods in 200 files, with the generator and analyzers,
#      and of the same methods written by hand as plain forwarders without them (median of RUNS). The compiler
#      server is used only if the environment allows it (UseSharedCompilation; this machine sets it to false);
#   2. the generator's and analyzers' own time, from the compiler (-p:ReportAnalyzer=true), fresh compiler process;
#   3. the compiler alone (csc, fresh process, RUNS interleaved): with the generator and analyzers, against the same
#      generated files given as plain sources without them. Their difference is what running the generator adds;
#      ReportAnalyzer also charges the generator with binding the compiler does anyway (declarations, attributes,
#      signatures), which the second build then does itself;
#   4. with SHARED=1: the ReportAnalyzer build four times with the compiler server (-p:UseSharedCompilation=true);
#   5. edit-to-output: the generator in a GeneratorDriver, one Core body (or stage name) edited at a time
#      (tests/RagMonitor.Benchmarks -- generator-edit).
# Usage: tests/RagMonitor.Benchmarks/generator-build-cost.sh   (RUNS=5 WORK=/tmp/x SHARED=1 to override)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
runs=${RUNS:-5}
work=${WORK:-$(mktemp -d /tmp/ragmon-build-cost.XXXXXX)}
echo "work dir: $work; load: $(uptime | sed 's/.*load average: //')"

dotnet build "$repo/src/RagMonitor/RagMonitor.csproj" -c Release -f net10.0 -nologo -v:q >/dev/null
dotnet build "$repo/src/RagMonitor.Generators/RagMonitor.Generators.csproj" -c Release -nologo -v:q >/dev/null
lib="$repo/src/RagMonitor/bin/Release/net10.0"
generator="$repo/src/RagMonitor.Generators/bin/Release/netstandard2.0/RagMonitor.Generators.dll"

python3 - "$work" "$lib" "$generator" <<'PY'
import os, sys
work, lib, generator = sys.argv[1:4]
files, per_file = 200, 10
for variant in ("with", "without"):
    root = os.path.join(work, variant)
    os.makedirs(root, exist_ok=True)
    for name in ("Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props"):
        open(os.path.join(root, name), "w").write("<Project />\n")
    analyzer = f'    <Analyzer Include="{generator}" />\n' if variant == "with" else ""
    open(os.path.join(root, "BuildCost.csproj"), "w").write(f"""<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>disable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <Reference Include="{lib}/RagMonitor.dll" />
    <Reference Include="{lib}/Microsoft.Extensions.Logging.Abstractions.dll" />
{analyzer}  </ItemGroup>
</Project>
""")
    for f in range(files):
        lines = ["using System.Threading.Tasks;", "using RagMonitor;", "", "namespace BuildCost;", "",
                 f"public sealed partial class Stages{f:03d}", "{"]
        for i in range(per_file):
            name = f"stage_{f:03d}_{i}"
            if variant == "with":
                lines.append(f'    [Stage("{name}")]')
            if i % 2 == 0:
                if variant == "with":
                    lines.append(f"    public partial int Step{i}([StageMetadata] string input, [StageMetadata] int limit);")
                else:
                    lines.append(f"    public int Step{i}(string input, int limit) => Step{i}Core(input, limit);")
                lines.append(f"    private int Step{i}Core(string input, int limit) => input.Length + limit;")
            else:
                if variant == "with":
                    lines.append(f"    public partial Task<string> Step{i}Async(string input);")
                else:
                    lines.append(f"    public Task<string> Step{i}Async(string input) => Step{i}AsyncCore(input);")
                lines.append(f"    private Task<string> Step{i}AsyncCore(string input) => Task.FromResult(input);")
        lines.append("}")
        open(os.path.join(root, f"Stages{f:03d}.cs"), "w").write("\n".join(lines) + "\n")
PY

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for variant in with without; do
  dotnet restore "$work/$variant" -nologo -v:q >/dev/null
  dotnet build "$work/$variant" -c Release --no-restore -nologo -v:q >/dev/null   # warm the build server
  : > "$work/$variant.times"
  for _ in $(seq "$runs"); do
    start=$(date +%s.%N)
    dotnet build "$work/$variant" -c Release --no-restore --no-incremental -nologo -v:q >/dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc >> "$work/$variant.times"
  done
  echo "dotnet build --no-incremental, $variant generator: median $(median < "$work/$variant.times") s of $runs ($(tr '\n' ' ' < "$work/$variant.times"))"
done

echo "compiler's own figures (-p:ReportAnalyzer=true), with the generator:"
dotnet build "$work/with" -c Release --no-restore --no-incremental -nologo -v:d -p:ReportAnalyzer=true > "$work/report.log"
grep -E "Total (analyzer|generator) execution time|^ *[0-9.<]+ +[0-9<]+ +RagMonitor\.Generators" "$work/report.log" | sed 's/^ *//' | sort -u

# 3. The compiler alone: csc with the generator against csc with the generated files as plain sources.
line=$(grep -m1 -oE '/[^ ]*/Roslyn/bincore/csc .*' "$work/report.log")
csc="${line%% *}.dll"
args="${line#* }"
args="${args// \/reportanalyzer/}"
mkdir -p "$work/generated"
printf '%s\n' "$args" > "$work/csc-with.rsp"
{ printf '%s' "${args// \/analyzer:$generator/}"; (cd "$work/with" && dotnet "$csc" @"$work/csc-with.rsp" /generatedfilesout:"$work/generated" >/dev/null)
  find "$work/generated" -name '*.g.cs' | sort | sed 's/^/ "/; s/$/"/' | tr -d '\n'; echo; } > "$work/csc-pregenerated.rsp"
: > "$work/csc.times"
for _ in $(seq "$runs"); do
  for variant in with pregenerated; do
    TIMEFORMAT="$variant %R %U"
    { time (cd "$work/with" && dotnet "$csc" @"$work/csc-$variant.rsp" >/dev/null); } 2>> "$work/csc.times"
  done
done
for variant in with pregenerated; do
  echo "csc alone, $variant: median wall $(grep "^$variant " "$work/csc.times" | awk '{print $2}' | median) s, user CPU $(grep "^$variant " "$work/csc.times" | awk '{print $3}' | median) s of $runs ($(grep "^$variant " "$work/csc.times" | awk '{printf "%s/%s ", $2, $3}'))"
done

if [ "${SHARED:-0}" = 1 ]; then
  echo "compiler server (-p:UseSharedCompilation=true), builds 1-4:"
  for build in 1 2 3 4; do
    dotnet build "$work/with" -c Release --no-restore --no-incremental -nologo -v:d -p:ReportAnalyzer=true -p:UseSharedCompilation=true > "$work/shared$build.log" \
      || { echo "  build $build failed:"; grep -m3 -E "error (CS|RMON)" "$work/shared$build.log"; exit 1; }
    echo "  build $build: $(grep -E "^ *[0-9.<]+ +[0-9<]+ +RagMonitor\.Generators\.(Generator|Analyzers)" "$work/shared$build.log" | sed 's/^ *//' | sort -u | awk '{printf "%s %s; ", $1, $3}')"
  done
fi

echo "edit-to-output (GeneratorDriver):"
dotnet run -c Release --project "$repo/tests/RagMonitor.Benchmarks" -- generator-edit
echo "load after: $(uptime | sed 's/.*load average: //')"
