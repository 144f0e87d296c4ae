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
seed engines "${dockerfiles[@]}" "${yamls[@]}" "${jsons[@]}"
seed manifests "${yamls[@]}" "${jsons[@]}"
seed compose "${composes[@]}" "${yamls[@]}"
seed image_config "${jsons[@]}"
seed archive "${archives[@]}"
seed config "${configs[@]}"
seed policy "${policies[@]}"
for d in fuzz/corpus/*; do echo "$(ls "$d" | wc -l) seeds in $d"; done
