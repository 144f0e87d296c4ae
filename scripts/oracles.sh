#!/usr/bin/env bash
# Builds the real engines the tests compare against (Go is only for these oracles; the
# product is pure Rust). Pinned releases are installed with `go install` into a cache outside
# the repository and reused when present. Prints `export` lines for the binaries built, so
# callers can `eval "$(scripts/oracles.sh)"`; progress and errors go to stderr.
#
#   scripts/oracles.sh [NAME...]   NAME: gator, gator-old, opa, conftest (default: all)
#   DOCKPOLICY_ORACLES             cache directory (default: ~/.cache/dockpolicy-oracles)
set -uo pipefail

cache="${DOCKPOLICY_ORACLES:-${XDG_CACHE_HOME:-$HOME/.cache}/dockpolicy-oracles}"
mkdir -p "$cache"

# short name|cache directory|module path|version|environment variable the tests read
oracles=(
  "gator|gator-v3.23.1|github.com/open-policy-agent/gatekeeper/v3/cmd/gator|v3.23.1|DOCKPOLICY_GATOR"
  # The newest release before 3.19: proves the v0 export on clusters without Rego v1 support.
  "gator-old|gator-v3.17.0|github.com/open-policy-agent/gatekeeper/v3/cmd/gator|v3.17.0|DOCKPOLICY_GATOR_OLD"
  "opa|opa-v1.22.4|github.com/open-policy-agent/opa|v1.22.4|DOCKPOLICY_OPA"
  "conftest|conftest-v0.71.1|github.com/open-policy-agent/conftest|v0.71.1|DOCKPOLICY_CONFTEST"
)
wanted=" ${*:-gator gator-old opa conftest} "

if ! command -v go >/dev/null 2>&1; then
  echo "oracles: go not found; no oracle built (tests that need one say they are skipped)" >&2
  exit 0
fi

status=0
for entry in "${oracles[@]}"; do
  IFS='|' read -r short name module version var <<<"$entry"
  [[ "$wanted" == *" $short "* ]] || continue
  dir="$cache/$name"
  case "$module" in */cmd/gator) bin="$dir/gator" ;; *) bin="$dir/$(basename "$module")" ;; esac
  if [ ! -x "$bin" ]; then
    echo "oracles: building $module@$version" >&2
    mkdir -p "$dir"
    if ! GOBIN="$dir" CGO_ENABLED=0 go install -trimpath -ldflags="-s -w" "$module@$version" >"$dir/build.log" 2>&1; then
      echo "oracles: FAILED to build $module@$version:" >&2
      tail -20 "$dir/build.log" >&2
      status=1
      continue
    fi
  fi
  echo "export $var=$bin"
done
exit "$status"
