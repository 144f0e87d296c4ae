#!/usr/bin/env bash
# CI's fuzz smoke test: each target runs briefly (SECONDS_PER_TARGET, default 10) over its
# seeds. A crash, a timeout or a memory blow-up fails the run and prints libFuzzer's report.
# How to run them for longer, and what the long runs found: docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${SECONDS_PER_TARGET:-10}"
command -v cargo-fuzz >/dev/null || cargo install -q cargo-fuzz --locked --version 0.13.2
fuzz/seed.sh >/dev/null
# No sanitizer: the project has no unsafe code of its own to check, and without one the
# stable toolchain builds the targets (no nightly needed).
cargo fuzz build -s none -O 2>&1 | tail -n 1
log=$(mktemp)
for target in $(cargo fuzz list); do
  # A target's dictionary (fuzz/<target>.dict), where it has one, guides the mutations.
  dict=()
  [ -f "fuzz/$target.dict" ] && dict=(-dict="fuzz/$target.dict")
  if cargo fuzz run -s none -O "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 \
      -timeout=20 "${dict[@]}" >"$log" 2>&1; then
    echo "fuzz $target: $(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1)"
  else
    tail -n 40 "$log"
    echo "fuzz $target: FAILED"
    exit 1
  fi
done
