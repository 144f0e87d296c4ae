#!/usr/bin/env bash
# Time per file from 1k to 100k files: no step of a run (walking, evaluating, merging,
# sorting, rendering) may grow faster than the number of files.
#
#   bench/scaling.sh [SOURCE_DIR] [SIZES...]
#       (defaults: ../shared/corpus/dockerfiles, 1000 10000 100000)
#
# Builds a tree of copies of SOURCE_DIR's files (100 per directory, in a temporary
# directory that is removed afterwards), runs `dockpolicy test -o json` over each size
# with the full bundled library, and prints wall time, peak memory and time per file.
# Flat means the last column stays within noise as the size grows 100x.
set -euo pipefail
cd "$(dirname "$0")/.."
src="${1:-../shared/corpus/dockerfiles}"
shift || true
sizes=("${@:-1000 10000 100000}")
read -r -a sizes <<< "${sizes[*]}"
cargo build --release -q
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mapfile -t files < <(find "$src" -type f | sort)

printf '%8s %10s %10s %12s %12s\n' files "wall s" "peak MB" "µs/file" "files/s"
for n in "${sizes[@]}"; do
  tree="$work/$n"
  mkdir -p "$tree"
  for ((i = 0; i < n; i++)); do
    d="$tree/d$((i / 100))"
    [ -d "$d" ] || mkdir "$d"
    ln "${files[i % ${#files[@]}]}" "$d/$i.Dockerfile" 2>/dev/null || cp "${files[i % ${#files[@]}]}" "$d/$i.Dockerfile"
  done
  # Warm the page cache, then measure.
  target/release/dockpolicy test -o json "$tree" >/dev/null 2>&1 || true
  /usr/bin/time -f '%e %M' -o "$work/time" target/release/dockpolicy test -o json "$tree" >/dev/null 2>&1 || true
  read -r wall kb < <(tail -n 1 "$work/time")
  python3 -c "n=$n; w=$wall; kb=$kb; print(f'{n:>8} {w:>10.2f} {kb/1024:>10.0f} {w/n*1e6:>12.0f} {n/w:>12.0f}')"
  rm -rf "$tree"
done
