//! `gatekeeper test` against the real `gator test`: for each set of fixture files below,
//! `gator test -f <each file> -o json` and `dockpolicy gatekeeper test -t <templates>
//! -c <constraints> <each file> -o json` must report the same violations, counted: each
//! (constraint kind and name, object kind, namespace and name, message, enforcement
//! action, scoped actions). Both are given every file as objects, so the templates and
//! constraints are reviewed and in the inventory on both sides, as gator does. Exit codes
//! must agree too.
//!
//! Known differences, left out of the comparison on both sides:
//! * gator test gives a cluster-scoped object an empty Namespace, so that `scope`,
//!   `namespaces`, `excludedNamespaces` and `namespaceSelector` treat it as namespaced
//!   (in ""); Gatekeeper's webhook and audit, and dockpolicy, give it none. A result of a
//!   constraint using one of those for an object without a namespace (but a Namespace) is
//!   not compared.
//! * dockpolicy reviews an AdmissionReview's request (gator test reviews the
//!   AdmissionReview as an object of its own): files holding one are not given.
//!
//! Gator is the judge (`$DOCKPOLICY_GATOR`, built by scripts/oracles.sh); without it the
//! test says it checked nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// One violation, as both tools name it (the object's kind with its apiVersion).
type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Vec<String>,
);

struct Set {
    name: &'static str,
    templates: Vec<PathBuf>,
    constraints: Vec<PathBuf>,
    objects: Vec<PathBuf>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The YAML files of a directory, sorted, but those holding an AdmissionReview.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .filter(|p| {
            !std::fs::read_to_string(p)
                .unwrap()
                .contains("kind: AdmissionReview")
        })
        .collect();
    out.sort();
    out
}

fn sets() -> Vec<Set> {
    let gator = fixtures().join("gator");
    let mut sets = Vec::new();
    for name in [
        "match-kinds",
        "match-labelselector",
        "match-name",
        "match-namespaces",
        "match-namespaceselector",
        "match-scope",
        "match-source",
    ] {
        let dir = gator.join(name);
        sets.push(Set {
            name,
            templates: vec![dir.join("template.yaml")],
            constraints: files(&dir.join("constraints")),
            objects: files(&dir.join("objects")),
        });
    }
    let dir = gator.join("expansion-generators");
    sets.push(Set {
        name: "expansion-generators",
        templates: vec![dir.join("template.yaml")],
        constraints: vec![dir.join("constraint-all.yaml")],
        // deployment-no-template.yaml cannot be expanded: gator stops the whole run.
        objects: [
            "cronjob.yaml",
            "deployment.yaml",
            "deployment-fine.yaml",
            "deployment-no-namespace.yaml",
            "deployment-v1beta1.yaml",
            "expansion.yaml",
            "pod.yaml",
        ]
        .iter()
        .map(|f| dir.join(f))
        .collect(),
    });
    let dir = gator.join("suite-inventory");
    let objects: Vec<PathBuf> = [
        "shop-web.yaml",
        "blog-web.yaml",
        "inventory-taken.yaml",
        "inventory-unrelated.yaml",
    ]
    .iter()
    .map(|f| dir.join(f))
    .collect();
    for (name, t, c) in [
        (
            "suite-inventory/unique-host",
            "unique-host-template.yaml",
            "unique-host-constraint.yaml",
        ),
        (
            "suite-inventory/probe",
            "probe-template.yaml",
            "probe-constraint.yaml",
        ),
    ] {
        sets.push(Set {
            name,
            templates: vec![dir.join(t)],
            constraints: vec![dir.join(c)],
            objects: objects.clone(),
        });
    }
    let dir = gator.join("suite-enforcement");
    for (name, c) in [
        ("suite-enforcement/default-label", "default-label.yaml"),
        ("suite-enforcement/dryrun", "dryrun.yaml"),
        ("suite-enforcement/warn", "warn.yaml"),
        ("suite-enforcement/scoped-all", "scoped-all.yaml"),
        ("suite-enforcement/scoped-gator", "scoped-gator.yaml"),
        (
            "suite-enforcement/scoped-webhook-only",
            "scoped-webhook-only.yaml",
        ),
    ] {
        sets.push(Set {
            name,
            templates: vec![dir.join("template.yaml")],
            constraints: vec![dir.join(c)],
            objects: vec![dir.join("unlabelled.yaml"), dir.join("owned.yaml")],
        });
    }
    let dir = fixtures().join("gator-test/namespaces");
    sets.push(Set {
        name: "gator-test/namespaces",
        templates: vec![dir.join("template.yaml")],
        constraints: vec![dir.join("constraints.yaml")],
        objects: vec![dir.join("namespaces.yaml"), dir.join("pods.yaml")],
    });
    sets
}

fn s(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

fn scoped(v: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = v
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str().map(str::to_owned))
        .collect();
    out.sort();
    out
}

/// The constraints' `spec.match` by (kind, name), to tell the known difference.
fn matches_by_constraint(set: &Set) -> BTreeMap<(String, String), Value> {
    let mut out = BTreeMap::new();
    for p in &set.constraints {
        let text = std::fs::read_to_string(p).unwrap();
        for doc in text.split("\n---") {
            let Ok(v) = yaml_serde::from_str::<Value>(doc) else {
                continue;
            };
            out.insert(
                (s(&v, "/kind"), s(&v, "/metadata/name")),
                v.pointer("/spec/match").cloned().unwrap_or(Value::Null),
            );
        }
    }
    out
}

/// gator test's empty Namespace for a cluster-scoped object changes what these criteria
/// say.
fn known_difference(matches: &BTreeMap<(String, String), Value>, row: &Row) -> bool {
    let (kind, name, object_kind, namespace, ..) = row;
    if !namespace.is_empty() || object_kind == "v1 Namespace" {
        return false;
    }
    let m = matches
        .get(&(kind.clone(), name.clone()))
        .cloned()
        .unwrap_or(Value::Null);
    [
        "scope",
        "namespaces",
        "excludedNamespaces",
        "namespaceSelector",
    ]
    .iter()
    .any(|k| m.get(k).is_some_and(|v| !v.is_null()))
}

fn count(rows: Vec<Row>) -> BTreeMap<Row, usize> {
    let mut out = BTreeMap::new();
    for r in rows {
        *out.entry(r).or_insert(0) += 1;
    }
    out
}

fn all_files(set: &Set) -> Vec<&PathBuf> {
    set.templates
        .iter()
        .chain(&set.constraints)
        .chain(&set.objects)
        .collect()
}

fn run_gator(gator: &str, set: &Set) -> (Vec<Row>, i32) {
    let mut cmd = Command::new(gator);
    cmd.arg("test");
    for f in all_files(set) {
        cmd.arg("-f").arg(f);
    }
    let out = cmd
        .args(["-o", "json"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: gator test said no JSON ({e}): {}",
            set.name,
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let rows = parsed
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                s(r, "/constraint/kind"),
                s(r, "/constraint/metadata/name"),
                format!(
                    "{} {}",
                    s(r, "/violatingObject/apiVersion"),
                    s(r, "/violatingObject/kind")
                ),
                s(r, "/violatingObject/metadata/namespace"),
                s(r, "/violatingObject/metadata/name"),
                s(r, "/msg"),
                s(r, "/enforcementAction"),
                scoped(r.get("scopedActions")),
            )
        })
        .collect();
    (rows, code)
}

fn run_dockpolicy(set: &Set) -> (Vec<Row>, i32) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockpolicy"));
    cmd.args(["gatekeeper", "test"]);
    for t in &set.templates {
        cmd.arg("-t").arg(t);
    }
    for c in &set.constraints {
        cmd.arg("-c").arg(c);
    }
    let out = cmd
        .args(all_files(set))
        .args(["-o", "json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: dockpolicy said no JSON ({e}): {}",
            set.name,
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut rows = Vec::new();
    for result in parsed.as_array().into_iter().flatten() {
        for key in ["failures", "warnings"] {
            for f in result
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                rows.push((
                    s(f, "/metadata/constraint/kind"),
                    s(f, "/metadata/constraint/name"),
                    format!(
                        "{} {}",
                        s(f, "/metadata/object/apiVersion"),
                        s(f, "/metadata/object/kind")
                    ),
                    s(f, "/metadata/object/namespace"),
                    s(f, "/metadata/object/name"),
                    s(f, "/msg"),
                    s(f, "/metadata/enforcementAction"),
                    scoped(f.pointer("/metadata/scopedActions")),
                ));
            }
        }
    }
    (rows, code)
}

#[test]
fn gatekeeper_test_reports_what_gator_test_reports() {
    let Ok(gator) = std::env::var("DOCKPOLICY_GATOR") else {
        eprintln!(
            "SKIPPED: gator test differential (set DOCKPOLICY_GATOR; scripts/oracles.sh builds it)"
        );
        return;
    };
    let mut problems = Vec::new();
    let (mut compared, mut left_out) = (0, 0);
    for set in sets() {
        let matches = matches_by_constraint(&set);
        let (g, g_code) = run_gator(&gator, &set);
        let (d, d_code) = run_dockpolicy(&set);
        let keep = |rows: Vec<Row>, left_out: &mut usize| -> Vec<Row> {
            rows.into_iter()
                .filter(|r| {
                    let known = known_difference(&matches, r);
                    *left_out += usize::from(known);
                    !known
                })
                .collect()
        };
        let g = count(keep(g, &mut left_out));
        let d = count(keep(d, &mut left_out));
        compared += g.values().sum::<usize>();
        if g != d {
            for (row, n) in &g {
                if d.get(row) != Some(n) {
                    problems.push(format!(
                        "{}: gator {n}x, dockpolicy {}x: {row:?}",
                        set.name,
                        d.get(row).unwrap_or(&0)
                    ));
                }
            }
            for (row, n) in &d {
                if !g.contains_key(row) {
                    problems.push(format!("{}: only dockpolicy {n}x: {row:?}", set.name));
                }
            }
        }
        if g_code != d_code {
            problems.push(format!(
                "{}: gator exits {g_code}, dockpolicy {d_code}",
                set.name
            ));
        }
    }
    eprintln!(
        "gator test differential: {compared} violations agree, {left_out} left out (known differences, both sides)"
    );
    assert!(compared > 0, "nothing compared");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
