#!/usr/bin/env python3
"""Differential check: OPA's own engine and dockpolicy (regorus) must agree.

1. Gatekeeper templates: every exported ConstraintTemplate is loaded into OPA exactly as
   Gatekeeper would (libs + rego), and evaluated on the same objects as
   `dockpolicy gatekeeper test`; the violations must be identical.
2. The CLI's bundled rules: every `dockpolicy.*` package is evaluated by OPA on the
   documents `dockpolicy parse` prints for a set of inputs (Dockerfiles, manifests), with
   the default config as `data.dockpolicy_config`; the findings must be identical to
   `dockpolicy test -o json`.
3. The same for every Dockerfile with the parser's `ImageRef` and `Pairs` fields removed,
   so that OPA computes them with the bundled Rego helpers (as for documents made
   elsewhere, and as Gatekeeper always does): still identical findings.

Usage: opa_differential.py DOCKPOLICY_BINARY POLICIES_DIR INPUT... 
OPA comes from the `opa-golib-python-bindings` package (install it with
`pip install --ignore-requires-python opa-golib-python-bindings`).
Prints "N passed, M failed" and exits 1 on any disagreement.
"""

import json
import os
import subprocess
import sys
import tempfile

from opa_bindings import OpaEngine, OpaUndefinedError


def run(binary, *args):
    out = subprocess.run([binary, *args], capture_output=True, text=True)
    return out


def parse_json(binary, path):
    out = run(binary, "parse", path)
    if out.returncode != 0:
        return None
    return json.loads(out.stdout)


def documents(value, multi_file):
    if isinstance(value, list) and multi_file:
        return value
    return [value]


def reviews(doc):
    """Gatekeeper's view of a manifest document (same rules as dockpolicy's run.rs)."""
    if not isinstance(doc, dict):
        return []
    kind = doc.get("kind", "")
    if kind == "AdmissionReview":
        req = doc.get("request", {})
        op = req.get("operation", "CREATE")
        obj = req.get("oldObject") if op == "DELETE" else req.get("object")
        return [(obj, op)] if obj else []
    if kind.endswith("List") and isinstance(doc.get("items"), list):
        return [(o, "CREATE") for o in doc["items"]]
    return [(doc, "CREATE")] if kind else []


def namespace_matches(namespace, pattern):
    """Gatekeeper's namespace globs: `prefix*`, `*suffix`, `*infix*`, or the exact name."""
    if len(pattern) > 1 and pattern.startswith("*") and pattern.endswith("*"):
        return pattern[1:-1] in namespace
    if pattern.startswith("*"):
        return namespace.endswith(pattern[1:])
    if pattern.endswith("*"):
        return namespace.startswith(pattern[:-1])
    return namespace == pattern


def gatekeeper_check(binary, inputs, failures):
    """Compares the exported templates on the manifests among inputs; returns the number
    of comparisons made (none without manifests: `gatekeeper test` then has nothing to do)."""
    if not inputs:
        print("SKIP  gatekeeper templates: no manifests among the inputs")
        return 0
    with tempfile.TemporaryDirectory() as out_dir:
        for version in ("v0", "v1"):
            res = run(binary, "gatekeeper", "export", "--rego-version", version, "-o", out_dir)
            assert res.returncode == 0, res.stderr
            opa_found = set()
            templates = sorted(os.listdir(os.path.join(out_dir, "templates")))
            for name in templates:
                tmpl = parse_json(binary, os.path.join(out_dir, "templates", name))
                target = tmpl["spec"]["targets"][0]
                if "rego" in target:
                    rego, libs = target["rego"], target.get("libs", [])
                else:
                    src = target["code"][0]["source"]
                    rego, libs = src["rego"], src.get("libs", [])
                rule_id = tmpl["metadata"]["annotations"]["dockpolicy.dev/rule"]
                package = tmpl["metadata"]["name"]
                # Matching is Gatekeeper's, not the Rego's: the exported Constraint's
                # excludedNamespaces are left out here as `gatekeeper test` leaves them out.
                constraint = parse_json(binary, os.path.join(out_dir, "constraints", name))
                excluded = constraint["spec"]["match"].get("excludedNamespaces", [])
                engine = OpaEngine()
                for i, lib in enumerate(libs):
                    engine.add_policy(f"{package}/lib{i}.rego", lib)
                engine.add_policy(f"{package}/main.rego", rego)
                for path in inputs:
                    parsed = parse_json(binary, path)
                    if parsed is None:
                        continue
                    for doc in documents(parsed, True):
                        for obj, op in reviews(doc):
                            namespace = obj.get("metadata", {}).get("namespace", "")
                            if any(namespace_matches(namespace, p) for p in excluded):
                                continue
                            api = obj.get("apiVersion", "v1")
                            group, _, ver = api.rpartition("/")
                            review = {
                                "object": obj,
                                "kind": {"group": group, "version": ver or api, "kind": obj.get("kind", "")},
                                "operation": op,
                                "namespace": obj.get("metadata", {}).get("namespace", ""),
                                "name": obj.get("metadata", {}).get("name", ""),
                            }
                            try:
                                value = engine.eval_document(f"{package}.violation", {"review": review, "parameters": {}})
                            except OpaUndefinedError:
                                value = []
                            for v in value:
                                opa_found.add((rule_id, v["msg"]))
            res = run(binary, "gatekeeper", "test", "-o", "json", "-t", os.path.join(out_dir, "templates"),
                      "-c", os.path.join(out_dir, "constraints"), *inputs)
            ours = set()
            for entry in json.loads(res.stdout):
                if "error" in entry:
                    continue  # a file neither engine can read (reported by dockpolicy)
                rule_id = entry["namespace"].split("-")[0].upper()
                for f in entry.get("failures", []) + entry.get("warnings", []):
                    ours.add((rule_id, f["msg"]))
            compare(f"gatekeeper templates ({version})", opa_found, ours, failures)
    return 2


def cli_check(binary, policies, inputs, failures):
    engine = OpaEngine()
    packages = []
    for root, _, files in os.walk(policies):
        for f in sorted(files):
            if not f.endswith(".rego") or f.endswith("_test.rego"):
                continue
            path = os.path.join(root, f)
            source = open(path, encoding="utf-8").read()
            engine.add_policy(path, source)
            package = next(l.split()[1] for l in source.splitlines() if l.startswith("package "))
            if package.startswith("dockpolicy."):
                packages.append((package, "warn" if "\nwarn contains" in source else "deny"))
    engine.add_data({"dockpolicy_config": default_config(binary)})
    opa_found = set()
    # Findings on Dockerfiles with the parser's ImageRef/Pairs removed (check 3).
    opa_helpers_found = set()
    dockerfiles = set()
    checked = []
    for path in inputs:
        parsed = parse_json(binary, path)
        if parsed is None:
            continue
        checked.append(path)
        is_dockerfile = isinstance(parsed, list) and parsed and isinstance(parsed[0], dict) and "Cmd" in parsed[0]
        for doc in ([parsed] if is_dockerfile else documents(parsed, True)):
            for package, value in evaluate(engine, packages, doc):
                for v in value:
                    opa_found.add((path, package, v["msg"]))
        if is_dockerfile:
            dockerfiles.add(path)
            stripped = [{k: v for k, v in i.items() if k not in ("ImageRef", "Pairs")} for i in parsed]
            for package, value in evaluate(engine, packages, stripped):
                for v in value:
                    opa_helpers_found.add((path, package, v["msg"]))
    ours = set()
    res = run(binary, "test", "-o", "json", *checked)
    for entry in json.loads(res.stdout):
        if entry["filename"] not in checked:
            continue  # a Dockerfile a Compose file builds, added by `test` itself
        for f in entry.get("failures", []) + entry.get("warnings", []):
            ours.add((entry["filename"], entry["namespace"], f["msg"]))
    compare(f"bundled rules on {len(checked)} inputs", opa_found, ours, failures)
    compare(
        f"bundled rules on {len(dockerfiles)} Dockerfiles without ImageRef/Pairs (Rego helpers in OPA)",
        opa_helpers_found,
        {x for x in ours if x[0] in dockerfiles},
        failures,
    )
    return 2


def default_config(binary):
    """`data.dockpolicy_config` as dockpolicy hands it to Rego without a config file: read
    back through a one-line policy, so that no default is copied here."""
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "show.rego"), "w", encoding="utf-8") as f:
            f.write("package main\n\ndeny contains json.marshal(data.dockpolicy_config)\n")
        with open(os.path.join(tmp, "input.json"), "w", encoding="utf-8") as f:
            f.write("{}\n")
        out = subprocess.run([os.path.abspath(binary), "test", "-o", "json", "-p", "show.rego", "input.json"],
                             capture_output=True, text=True, cwd=tmp)
    failures = json.loads(out.stdout)[0]["failures"]
    return json.loads(failures[0]["msg"])


def evaluate(engine, packages, doc):
    """(package, findings) of each bundled rule on doc, in OPA."""
    for package, rule in packages:
        try:
            yield package, engine.eval_document(f"{package}.{rule}", doc)
        except OpaUndefinedError:
            yield package, []


def compare(what, opa, ours, failures):
    if opa == ours:
        print(f"PASS  {what}: {len(ours)} findings, identical in OPA and dockpolicy")
        return
    failures.append(what)
    print(f"FAIL  {what}")
    for x in sorted(opa - ours)[:20]:
        print(f"      only OPA:        {x}")
    for x in sorted(ours - opa)[:20]:
        print(f"      only dockpolicy: {x}")


def main():
    binary, policies, *inputs = sys.argv[1:]
    expanded = []
    for p in inputs:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                expanded += sorted(os.path.join(root, f) for f in files if not f.startswith("."))
        else:
            expanded.append(p)
    failures = []
    manifests = [p for p in expanded if p.endswith((".yaml", ".yml", ".json"))]
    checks = gatekeeper_check(binary, manifests, failures)
    checks += cli_check(binary, policies, expanded, failures)
    print(f"\nopa differential: {checks - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
