#!/usr/bin/env bash
# Rewrites PublicAPI.Shipped.txt of each shipped library (projects with TrackPublicApi=true) from what it declares
# now, and empties PublicAPI.Unshipped.txt. Use it when a release is cut; between releases add new public members to
# PublicAPI.Unshipped.txt (the IDE's RS0016 code fix does it). Usage: bash src/update-public-api.sh [project.csproj ...]
set -euo pipefail
cd "$(dirname "$0")/.."
projects=("$@")
if [ ${#projects[@]} -eq 0 ]; then
  mapfile -t projects < <(grep -l '<TrackPublicApi>true</TrackPublicApi>' src/*/*.csproj)
fi
for project in "${projects[@]}"; do
  dir=$(dirname "$project")
  printf '#nullable enable\n' > "$dir/PublicAPI.Shipped.txt"
  printf '#nullable enable\n' > "$dir/PublicAPI.Unshipped.txt"
  log=$(mktemp)
  # Every public symbol is now undeclared: RS0016 names each in the baseline's own format.
  dotnet build "$project" -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= -nologo -clp:NoSummary >"$log" 2>&1 || true
  # Only this project's lines (a referenced project's own warnings name that project).
  symbols=$(grep -F "[$(realpath "$project")" "$log" | grep -o "RS0016: Symbol '.*' is not part of the declared public API" \
    | sed -e "s/^RS0016: Symbol '//" -e "s/' is not part of the declared public API$//" | LC_ALL=C sort -u)
  rm -f "$log"
  if [ -z "$symbols" ]; then
    echo "update-public-api: no public symbols found for $project (did it build?)" >&2
    exit 1
  fi
  { printf '#nullable enable\n'; printf '%s\n' "$symbols"; } > "$dir/PublicAPI.Shipped.txt"
  echo "$project: $(printf '%s\n' "$symbols" | wc -l) public symbols"
done
