#!/usr/bin/env bash
# Issue 14: the floor under the generator's cold ReportAnalyzer figure. A generator that only asks Roslyn for what a
# symbol-based [Stage] generator must know, and emits nothing, run by a fresh compiler process on the build-cost project
# (its generated wrappers given as plain sources, so the compilation is complete), at four levels:
#   1: GetDeclaredSymbol of each attributed method;  2: + its attributes;  3: + return and parameter types and the
#   parameters' attributes;  4: + the Core method's signature.
# Beside it, in the same rounds, RagMonitor's generator on the same project. Roslyn charges each generator with the
# declaration, attribute and signature binding it triggers first, which the compiler would do anyway.
# Usage: first run generator-build-cost.sh with WORK=<dir>, then WORK=<dir> tests/RagMonitor.Benchmarks/generator-floor.sh
# (RUNS=3 by default).
set -euo pipefail
work=${WORK:?set WORK to the work directory of generator-build-cost.sh}
runs=${RUNS:-3}
[ -f "$work/csc-with.rsp" ] && [ -f "$work/csc-pregenerated.rsp" ] || { echo "run generator-build-cost.sh with WORK=$work first"; exit 1; }
line=$(grep -m1 -oE '/[^ ]*/Roslyn/bincore/csc .*' "$work/report.log")
bincore=$(dirname "${line%% *}")
echo "load: $(uptime | sed 's/.*load average: //')"

mkdir -p "$work/floor"
cat > "$work/floor/Floor.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
  </PropertyGroup>
  <ItemGroup>
    <Reference Include="$bincore/Microsoft.CodeAnalysis.dll" Private="false" />
    <Reference Include="$bincore/Microsoft.CodeAnalysis.CSharp.dll" Private="false" />
  </ItemGroup>
</Project>
PROJ
cat > "$work/floor/FloorGenerator.cs" <<'CS'
using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

[Generator(LanguageNames.CSharp)]
public sealed class FloorGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var counts = context.SyntaxProvider.CreateSyntaxProvider(
            static (node, _) => node is CompilationUnitSyntax,
            static (syntax, cancellationToken) =>
            {
                var level = int.Parse(Environment.GetEnvironmentVariable("FLOOR_LEVEL") ?? "4");
                var count = 0;
                if (syntax.Node.SyntaxTree.FilePath.EndsWith(".g.cs", StringComparison.Ordinal))
                {
                    return 0;
                }

                foreach (var declaration in syntax.Node.DescendantNodes().OfType<MethodDeclarationSyntax>())
                {
                    if (declaration.AttributeLists.Count == 0 || syntax.SemanticModel.GetDeclaredSymbol(declaration, cancellationToken) is not IMethodSymbol method)
                    {
                        continue;
                    }

                    count += level >= 2 ? method.GetAttributes().Length : 0;
                    if (level >= 3)
                    {
                        count += method.ReturnType.Name.Length;
                        foreach (var parameter in method.Parameters)
                        {
                            count += parameter.GetAttributes().Length + parameter.Type.Name.Length;
                        }
                    }

                    if (level >= 4)
                    {
                        foreach (var core in method.ContainingType.GetMembers(method.Name + "Core").OfType<IMethodSymbol>())
                        {
                            count += core.ReturnType.Name.Length + core.Parameters.Sum(static p => p.Type.Name.Length);
                        }
                    }
                }

                return count;
            });
        context.RegisterSourceOutput(counts.Collect(), static (_, _) => { });
    }
}
CS
dotnet build "$work/floor/Floor.csproj" -c Release -nologo -v:q -o "$work/floor/bin" >/dev/null
sed 's/$/ \/reportanalyzer/' "$work/csc-with.rsp" > "$work/floor-ours.rsp"
sed "s|\$| /reportanalyzer /analyzer:$work/floor/bin/Floor.dll|" "$work/csc-pregenerated.rsp" > "$work/floor-floor.rsp"
csc="$bincore/csc.dll"
for round in $(seq "$runs"); do
  (cd "$work/with" && dotnet "$csc" @"$work/floor-ours.rsp" > "$work/floor-out.txt")
  echo "round $round: RagMonitor $(grep -E '^ *[0-9.]+ +[0-9<]+ +RagMonitor\.Generators\.Generator\.MonitorGenerator' "$work/floor-out.txt" | awk '{print $1}') s"
  for level in 1 2 3 4; do
    (cd "$work/with" && FLOOR_LEVEL=$level dotnet "$csc" @"$work/floor-floor.rsp" > "$work/floor-out.txt")
    echo "         floor level $level: $(grep -E '^ *[0-9.]+ +[0-9<]+ +FloorGenerator' "$work/floor-out.txt" | awk '{print $1}') s"
  done
done
echo "load after: $(uptime | sed 's/.*load average: //')"
