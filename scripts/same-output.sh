#!/usr/bin/env bash
# Runs two dockpolicy binaries side by side over the same inputs and fails on any
# difference in what they print or the exit code they return: the check that a refactor
# changed no behaviour.
#
#   scripts/same-output.sh OLD_BINARY NEW_BINARY [CORPUS_DIR]
#
# Inputs: the examples, every test fixture, and CORPUS_DIR (default $DOCKPOLICY_CORPUS,
# skipped when unset), through `test` in every output format, `parse`, `doc`,
# `verify` of the bundled library and `gatekeeper export`.
set -uo pipefail
old=$(realpath "$1") new=$(realpath "$2")
corpus=${3:-${DOCKPOLICY_CORPUS:-}}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runs=0 differ=0

# compare NAME ARGS...: one invocation under both binaries, from the checkout's root.
compare() {
    local name=$1; shift
    for side in old new; do
        local bin=$old; [ $side = new ] && bin=$new
        # Durations (`verify` prints each test's) are the only thing allowed to vary.
        (NO_COLOR=1 "$bin" "$@" 2>"$work/$side.err" | sed -E 's/\([0-9.]+[mµn]?s\)/(TIME)/g' >"$work/$side.out"
         echo "exit ${PIPESTATUS[0]}" >>"$work/$side.err")
        # Export writes into a directory: compare what it wrote.
        if [ -d "$work/export" ]; then
            (cd "$work/export" && find . -type f -print0 | sort -z | xargs -0 cat) >>"$work/$side.out"
            rm -rf "$work/export"
        fi
    done
    runs=$((runs + 1))
    if ! cmp -s "$work/old.out" "$work/new.out" || ! cmp -s "$work/old.err" "$work/new.err"; then
        differ=$((differ + 1))
        echo "DIFFERS: $name: $*"
        diff <(cat "$work/old.out" "$work/old.err") <(cat "$work/new.out" "$work/new.err") | head -20
    fi
}

targets=(examples tests/fixtures/rules tests/fixtures/dockerfiles tests/fixtures/inputs
         tests/fixtures/outputs tests/fixtures/project tests/fixtures/gatekeeper)
[ -n "$corpus" ] && targets+=("$corpus")
for t in "${targets[@]}"; do
    [ -e "$t" ] || continue
    for format in stdout json sarif junit github tap table; do
        compare "test $t $format" test -o "$format" "$t"
    done
    compare "test $t --all-namespaces" test --all-namespaces --show-suppressed "$t"
    compare "test $t --combine" test --combine -o json "$t"
    compare "parse $t" parse "$t"
done
for policy in examples/policy examples/bundle tests/fixtures/policies; do
    [ -e "$policy" ] || continue
    compare "test -p $policy" test -p "$policy" -o json examples tests/fixtures/inputs
done
compare "doc" doc
compare "doc -o json" doc -o json
compare "verify bundled" verify --bundled --coverage
compare "gatekeeper export" gatekeeper export -o "$work/export"
compare "gatekeeper export v1" gatekeeper export --rego-version v1 -o "$work/export"
compare "gatekeeper verify" gatekeeper verify tests/fixtures/gator -o json

echo "$runs runs, $differ differ"
[ "$differ" -eq 0 ]
