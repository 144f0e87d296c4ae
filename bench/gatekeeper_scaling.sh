#!/usr/bin/env bash
# Time per object of `gatekeeper test` from 250 to 4,000 Pods: every object given is the
# inventory of every review (as in gator test), so nothing may grow with the square of
# the number of objects.
#
#   bench/gatekeeper_scaling.sh [SIZES...]   (default: 250 1000 4000)
#
# Generates Pods (distinct names and images, one per file, in a temporary directory),
# runs the exported practices in examples/gatekeeper over each size, and prints wall
# time, peak memory and time per object. Flat means the last column stays within noise.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-250 1000 4000}")
read -r -a sizes <<< "${sizes[*]}"
cargo build --release -q
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%8s %10s %10s %12s\n' objects "wall s" "peak MB" "µs/object"
for n in "${sizes[@]}"; do
  tree="$work/$n"
  python3 - "$tree" "$n" <<'PY'
import os, sys
tree, n = sys.argv[1], int(sys.argv[2])
os.makedirs(tree)
for i in range(n):
    with open(f"{tree}/pod{i}.yaml", "w") as f:
        f.write(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: pod{i}, namespace: default}}\n"
                f"spec:\n  containers:\n  - name: app\n    image: registry.example.com/app:1.{i}\n")
PY
  args=(gatekeeper test -t examples/gatekeeper/templates -c examples/gatekeeper/constraints -o json "$tree")
  target/release/dockpolicy "${args[@]}" >/dev/null 2>&1 || true
  /usr/bin/time -f '%e %M' -o "$work/time" target/release/dockpolicy "${args[@]}" >/dev/null 2>&1 || true
  read -r wall kb < <(tail -n 1 "$work/time")
  python3 -c "n=$n; w=$wall; kb=$kb; print(f'{n:>8} {w:>10.2f} {kb/1024:>10.0f} {w/n*1e6:>12.0f}')"
  rm -rf "$tree"
done
