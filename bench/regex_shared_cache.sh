#!/usr/bin/env bash
# What regorus's regex cache costs us: the corpus run with and without a fresh regex
# cache on every `regex.*` call.
#
#   bench/regex_shared_cache.sh [RUNS]      (default 11; needs ../shared/corpus)
#
# regorus keeps compiled regexes in an LRU cache but hands out a *clone* for every call,
# and cloning a `regex::Regex` gives it a new, empty cache pool: each call builds its lazy
# DFA from scratch (5-25 us, whatever the text's length). The fix belongs upstream (cache
# `Arc<Regex>` and lend it out). This script measures what that fix would give without
# changing the project: it builds a throwaway copy of the checked-out commit whose
# `regex::Regex` holds its engine behind an `Arc` (so clones share one cache pool),
# patched in through `[patch.crates-io]`, into target/regex-shared-cache (a full build,
# several minutes the first time), and times both binaries with bench/ab.sh, on one
# thread and on two. Nothing in the working tree changes.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-11}"
corpus="${DOCKPOLICY_CORPUS:-../shared/corpus}/dockerfiles"
[ -d "$corpus" ] || { echo "no corpus at $corpus (set DOCKPOLICY_CORPUS)"; exit 2; }

cargo build --release -q
# The regex crate the build uses: its version and its source directory, one per line.
read -r -d '' version registry_src < <(cargo metadata --format-version 1 2>/dev/null |
  python3 -c 'import json, os, sys
regex = next(p for p in json.load(sys.stdin)["packages"] if p["name"] == "regex")
print(regex["version"]); print(os.path.dirname(regex["manifest_path"]))') || true
[ -d "$registry_src" ] || { echo "cannot find the regex crate's source (cargo metadata)"; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$registry_src" "$work/regex"
# The one change: `meta: meta::Regex` becomes `meta: Arc<meta::Regex>` in the string API
# (the one regorus uses), so `Regex::clone` shares the engine and its cache pool.
sed -i 's/^    pub(crate) meta: meta::Regex,$/    pub(crate) meta: alloc::sync::Arc<meta::Regex>,/' \
  "$work/regex/src/regex/string.rs"
sed -i 's/crate::Regex { meta, pattern }/crate::Regex { meta: alloc::sync::Arc::new(meta), pattern }/' \
  "$work/regex/src/builders.rs"
grep -q 'Arc<meta::Regex>' "$work/regex/src/regex/string.rs" ||
  { echo "regex $version: the patch no longer applies"; exit 2; }

mkdir "$work/repo"
git archive HEAD | tar -x -C "$work/repo"
printf '\n[patch.crates-io]\nregex = { path = "%s" }\n' "$work/regex" >> "$work/repo/Cargo.toml"
cp Cargo.lock "$work/repo/"
CARGO_TARGET_DIR="$PWD/target/regex-shared-cache" \
  cargo build --release -q --manifest-path "$work/repo/Cargo.toml" --bin dockpolicy
patched=target/regex-shared-cache/release/dockpolicy

echo "regex $version, $runs interleaved runs each; A: as shipped, B: regex clones share their cache"
for threads in 1 2; do
  echo "-- $threads thread(s)"
  bench/ab.sh "$runs" \
    "target/release/dockpolicy test -j $threads $corpus" \
    "$patched test -j $threads $corpus"
done
