#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with starting inputs: the test fixtures, and the real-world
# corpus when DOCKPOLICY_CORPUS points at it. The seeds stay out of git (.gitignore).
#
#   fuzz/seed.sh && cargo fuzz run -s none dockerfile -- -max_total_time=600
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures=tests/fixtures
corpus="${DOCKPOLICY_CORPUS:-}"
seed() { # target, then files
  local target=$1; shift
  mkdir -p "fuzz/corpus/$target"
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "fuzz/corpus/$target/$(echo "$f" | tr '/' '_' | sed 's/^[._]*//')"
  done
  return 0
}
mapfile -t dockerfiles < <(find "$fixtures" -name '*Dockerfile*' -type f; [ -n "$corpus" ] && find "$corpus/dockerfiles" -type f | head -400)
mapfile -t yamls < <(find "$fixtures" \( -name '*.yaml' -o -name '*.yml' \) -type f; [ -n "$corpus" ] && find "$corpus/k8s" -type f | head -150)
mapfile -t jsons < <(find "$fixtures" -name '*.json' -type f)
mapfile -t composes < <(find "$fixtures" -name '*compose*' -type f)
mapfile -t archives < <(find "$fixtures" \( -name '*.tar' -o -name '*.tar.gz' -o -name '*.tgz' \) -type f)
mapfile -t configs < <(find "$fixtures" -name '*config*.yaml' -type f; find . -maxdepth 2 -name '.dockpolicy.yaml' -type f)
mapfile -t policies < <(find policies "$fixtures/policies" -name '*.rego' -type f)
# A small docker save archive (config, a layer with a whiteout and a key file), as the tests
# build theirs: no archive is committed.
mkdir -p fuzz/corpus/archive
python3 - fuzz/corpus/archive/docker-save.tar <<'PY'
import io, json, sys, tarfile
def tar_bytes(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, data in entries:
            info = tarfile.TarInfo(name); info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()
layer = tar_bytes([("etc/passwd", b"root:x:0:0::/root:/bin/sh\n"), ("app/.wh.old", b""),
                   ("app/server.key", b"-----BEGIN PRIVATE KEY-----\nx\n")])
config = json.dumps({"config": {"User": "", "Env": ["PATH=/bin"], "Labels": {"a": "b"}},
                     "rootfs": {"type": "layers", "diff_ids": ["sha256:0"]},
                     "history": [{"created_by": "COPY . /app"}]}).encode()
manifest = json.dumps([{"Config": "config.json", "RepoTags": ["x:1"], "Layers": ["layer.tar"]}]).encode()
open(sys.argv[1], "wb").write(tar_bytes([("manifest.json", manifest), ("config.json", config), ("layer.tar", layer)]))
PY
seed dockerfile "${dockerfiles[@]}"
# ARG expansion: every form, and recipes (byte 1, a 16-bit count, then prefix, open, middle,
# close and suffix separated by byte 1; see fuzz_targets/dockerfile.rs) for the inputs too
# large to mutate: 10,000 nested defaults, 60,000 unclosed `${${`, 26 doubling ARGs.
d=fuzz/corpus/dockerfile
printf 'ARG R=registry.example.com\nARG A=${X:-${Y:-${R}/base}}\nARG T\nFROM ${A}:${T:-1}-slim AS b\nFROM $A\n' >"$d/expand-forms"
printf 'ARG A=a\nARG E=\nARG B=\\$A "$A" '"'"'$A'"'"' ${A:+alt} ${E-} ${E:-d} ${A?x} ${A#a} ${A%%a} ${ ${A\nFROM ${B}\n' >"$d/expand-quotes"
printf '# escape=`\nARG A=`$X ${X:-`}}\nFROM ${A:-alpine}\n' >"$d/expand-backtick"
printf 'ARG A0=x\nARG A1=${A0}${A0}\nARG A2=${A1}${A1}\nARG A3=${A2}${A2}\nFROM ${A3}\n' >"$d/expand-chain"
printf '\001\047\020ARG A=\001${a:-\001x\001}\001\nFROM alpine\n' >"$d/recipe-nested"
printf '\001\352\140ARG A=\001${${\001\001\001\nFROM alpine\n' >"$d/recipe-unclosed"
printf '\001\000\032ARG A=x\n\001ARG A=$A$A\n\001FROM $A\n\001\001' >"$d/recipe-doubling"
printf '\001\000\100FROM \001${B:-\001alpine\001}\001\n' >"$d/recipe-from"
seed engines "${dockerfiles[@]}" "${yamls[@]}" "${jsons[@]}"
seed manifests "${yamls[@]}" "${jsons[@]}"
seed compose "${composes[@]}" "${yamls[@]}"
seed image_config "${jsons[@]}"
seed archive "${archives[@]}"
seed config "${configs[@]}"
seed policy "${policies[@]}"
for d in fuzz/corpus/*; do echo "$(ls "$d" | wc -l) seeds in $d"; done
