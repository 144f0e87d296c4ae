#!/usr/bin/env bash
# A/B timing of two commands with their runs interleaved (A, B, A, B, ...), medians in ms.
#
#   bench/ab.sh RUNS 'command A' 'command B'
#   e.g. bench/ab.sh 9 '/tmp/old test -o json ../shared/corpus/dockerfiles' \
#                      'target/release/dockpolicy test -o json ../shared/corpus/dockerfiles'
#
# Why interleave: on the 2-CPU machine this project is measured on, the wall time of a
# two-thread run drifts by up to 30% from one minute to the next (the same binary took
# 0.44 s and 0.59 s), so timing all of A and then all of B can report a drift as a
# speed-up. Interleaved runs see the same drift. Output is discarded; exit codes ignored.
set -uo pipefail
runs="$1"
a="$2"
b="$3"
ms() {
  local start end
  start=$(date +%s%N)
  bash -c "$1" >/dev/null 2>&1
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}
median() { sort -n | sed -n "$(((runs + 1) / 2))p"; }
times_a=()
times_b=()
for _ in $(seq 1 "$runs"); do
  times_a+=("$(ms "$a")")
  times_b+=("$(ms "$b")")
done
median_a=$(printf '%s\n' "${times_a[@]}" | median)
median_b=$(printf '%s\n' "${times_b[@]}" | median)
echo "A: median ${median_a} ms  (${times_a[*]})"
echo "B: median ${median_b} ms  (${times_b[*]})"
awk -v a="$median_a" -v b="$median_b" 'BEGIN { printf "B/A: %.3f\n", b / a }'
