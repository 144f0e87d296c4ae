//! Gatekeeper: exported templates say exactly what `dockpolicy test` says, any
//! template/constraint pair evaluates as Gatekeeper would, and Suites run.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use dockpolicy::policy::bundled;
use serde_json::Value;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn dockpolicy() -> Command {
    let mut cmd = Command::cargo_bin("dockpolicy").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn json(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("JSON: {}", String::from_utf8_lossy(&out.stderr)))
}

/// (rule id, message) of every failure and warning in a JSON report. For `gatekeeper
/// test` the id is the constraint name's prefix (`dp001-latest-tag` → DP001).
fn findings(report: &Value) -> BTreeSet<(String, String)> {
    report
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| {
            let ns = e["namespace"].as_str().unwrap().to_owned();
            common::failures_and_warnings(e).map(move |f| {
                let id = f["metadata"]["id"]
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| ns.split('-').next().unwrap().to_uppercase());
                (id, f["msg"].as_str().unwrap().to_owned())
            })
        })
        .collect()
}

fn export(version: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    dockpolicy()
        .args(["gatekeeper", "export", "--rego-version", version, "-o"])
        .arg(dir.path())
        .assert()
        .code(0);
    dir
}

#[test]
fn exported_templates_give_exactly_the_findings_of_dockpolicy_test() {
    let manifests = [
        repo("tests/fixtures/inputs/workloads.yaml"),
        // Empty collections (null in YAML) and missing fields: `gatekeeper test` runs on
        // the interpreter, which used to stop with an error there where Gatekeeper finds
        // the violation.
        repo("tests/fixtures/inputs/incomplete-manifests.yaml"),
        repo("examples/gatekeeper/samples"),
    ];
    let exported: BTreeSet<String> = bundled::gatekeeper_rules()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let cli: BTreeSet<(String, String)> = findings(&json(
        dockpolicy().args(["test", "-o", "json"]).args(&manifests),
    ))
    .into_iter()
    .filter(|(id, _)| exported.contains(id))
    .collect();
    assert!(cli.len() >= 10, "{cli:#?}");
    for version in ["v0", "v1"] {
        let dir = export(version);
        let gk = findings(&json(
            dockpolicy()
                .args(["gatekeeper", "test", "-o", "json", "-t"])
                .arg(dir.path().join("templates"))
                .arg("-c")
                .arg(dir.path().join("constraints"))
                .args(&manifests),
        ));
        assert_eq!(
            gk, cli,
            "Rego {version} templates disagree with dockpolicy test"
        );
    }
}

#[test]
fn exported_yaml_has_the_structure_gatekeeper_validates() {
    for version in ["v0", "v1"] {
        let dir = export(version);
        let mut count = 0;
        for entry in std::fs::read_dir(dir.path().join("templates")).unwrap() {
            count += 1;
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let t: Value = yaml_serde::from_str(&text).unwrap();
            assert_eq!(t["apiVersion"], "templates.gatekeeper.sh/v1");
            assert_eq!(t["kind"], "ConstraintTemplate");
            let kind = t["spec"]["crd"]["spec"]["names"]["kind"].as_str().unwrap();
            assert_eq!(
                t["metadata"]["name"].as_str().unwrap(),
                kind.to_lowercase(),
                "name must be the lower-cased kind"
            );
            assert_eq!(
                t["spec"]["crd"]["spec"]["validation"]["openAPIV3Schema"]["type"], "object",
                "v1 needs a structural schema"
            );
            let target = &t["spec"]["targets"][0];
            assert_eq!(target["target"], "admission.k8s.gatekeeper.sh");
            let (rego, libs) = if version == "v0" {
                (
                    target["rego"].as_str().unwrap(),
                    target["libs"].as_array().unwrap(),
                )
            } else {
                let source = &target["code"][0]["source"];
                assert_eq!(target["code"][0]["engine"], "Rego");
                assert_eq!(source["version"], "v1");
                (
                    source["rego"].as_str().unwrap(),
                    source["libs"].as_array().unwrap(),
                )
            };
            assert!(rego.contains(&format!("package {}\n", kind.to_lowercase())));
            assert!(rego.contains("violation contains _violation(r) if {"));
            for lib in libs {
                let lib = lib.as_str().unwrap();
                let package = lib
                    .lines()
                    .find_map(|l| l.strip_prefix("package "))
                    .unwrap();
                assert!(
                    package.starts_with("lib."),
                    "lib package {package} must be under lib."
                );
                // Gatekeeper lets templates read only input and data.inventory/lib.
                assert!(
                    !lib.contains("data.dockpolicy_config"),
                    "{package} reads data outside lib/inventory"
                );
            }
            // Gatekeeper allows only `data.lib.*` and `future.*` imports; v0 needs the
            // future keywords for the rules' v1 syntax, v1 none.
            for module in libs.iter().filter_map(Value::as_str).chain([rego]) {
                let imports: Vec<&str> = module
                    .lines()
                    .filter_map(|l| l.strip_prefix("import "))
                    .collect();
                for import in &imports {
                    assert!(
                        import.starts_with("data.lib.")
                            || (version == "v0" && import.starts_with("future.keywords.")),
                        "{version}: import {import}"
                    );
                }
                assert_eq!(
                    imports.contains(&"future.keywords.if"),
                    version == "v0",
                    "{version}: {module}"
                );
            }
        }
        assert_eq!(
            count,
            bundled::gatekeeper_rules().len(),
            "every rule marked for Gatekeeper is exported"
        );
    }
}

#[test]
fn exported_templates_follow_the_constraint_template_crd_when_available() {
    let Some(schemas) = std::env::var_os("DOCKPOLICY_SCHEMAS")
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
    else {
        eprintln!(
            "SKIPPED: DOCKPOLICY_SCHEMAS is not set; exported templates were not checked against the CRD"
        );
        return;
    };
    let crd: Value = yaml_serde::from_str(
        &std::fs::read_to_string(schemas.join("gatekeeper-constrainttemplate-crd.yaml")).unwrap(),
    )
    .unwrap();
    let version = crd["spec"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "v1")
        .expect("CRD serves v1");
    let spec = &version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"];
    let target_props = &spec["targets"]["items"]["properties"];
    for v in ["v0", "v1"] {
        let dir = export(v);
        for entry in std::fs::read_dir(dir.path().join("templates")).unwrap() {
            let t: Value =
                yaml_serde::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap())
                    .unwrap();
            for key in t["spec"].as_object().unwrap().keys() {
                assert!(spec.get(key).is_some(), "spec.{key} is not in the CRD");
            }
            for key in t["spec"]["targets"][0].as_object().unwrap().keys() {
                assert!(
                    target_props.get(key).is_some(),
                    "targets[].{key} is not in the CRD"
                );
            }
        }
    }
}

#[test]
fn committed_example_templates_are_the_current_export() {
    let dir = export("v0");
    for sub in ["templates", "constraints"] {
        for entry in std::fs::read_dir(dir.path().join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let committed = repo("examples/gatekeeper")
                .join(sub)
                .join(path.file_name().unwrap());
            assert_eq!(
                std::fs::read_to_string(&committed).unwrap_or_default(),
                std::fs::read_to_string(&path).unwrap(),
                "{} is stale: run `cargo xtask generate`",
                committed.display()
            );
        }
    }
}

#[test]
fn any_template_evaluates_with_gatekeeper_matching_and_enforcement() {
    let fx = |f: &str| repo("tests/fixtures/gatekeeper").join(f);
    let report = json(
        dockpolicy()
            .args(["gatekeeper", "test", "-o", "json", "-t"])
            .arg(fx("requiredlabels-v0.yaml"))
            .arg("-t")
            .arg(fx("noprivileged-v1.yaml"))
            .arg("-c")
            .arg(fx("constraints.yaml"))
            .arg(fx("pods.yaml")),
    );
    let entries = report.as_array().unwrap();
    let failures: Vec<&str> = entries
        .iter()
        .flat_map(|e| e["failures"].as_array().into_iter().flatten())
        .map(|f| f["msg"].as_str().unwrap())
        .collect();
    let warnings: Vec<&str> = entries
        .iter()
        .flat_map(|e| e["warnings"].as_array().into_iter().flatten())
        .map(|f| f["msg"].as_str().unwrap())
        .collect();
    // Only the unlabelled prod Pod lacks the owner label (kube-system is excluded, the
    // Deployment is not a Pod, the DELETE review carries the label on its oldObject).
    assert_eq!(failures, vec![r#"you must provide labels: {"owner"}"#]);
    // enforcementAction: warn, matched by namespace glob and label expression: only the
    // tier=web pod in prod, not the tier=batch one in team-a.
    assert_eq!(warnings, vec!["container app is privileged"]);
    let tests: u64 = entries
        .iter()
        .map(|e| e["successes"].as_u64().unwrap())
        .sum::<u64>()
        + 2;
    assert_eq!(tests, 4);
}

#[test]
fn gatekeeper_test_refuses_a_malformed_admission_review_as_gator_does() {
    // A DELETE without the object being deleted is no review at all: an error naming
    // the file (exit 3), not a clean result.
    let dir = tempfile::tempdir().unwrap();
    let review = dir.path().join("delete.yaml");
    std::fs::write(
        &review,
        "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  uid: x\n  operation: DELETE\n  object: {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: prod}}\n",
    )
    .unwrap();
    let fx = |f: &str| repo("tests/fixtures/gatekeeper").join(f);
    let out = dockpolicy()
        .args(["gatekeeper", "test", "-t"])
        .arg(fx("requiredlabels-v0.yaml"))
        .arg("-c")
        .arg(fx("constraints.yaml"))
        .arg(&review)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(
        text.contains("delete.yaml")
            && text.contains("oldObject cannot be nil for DELETE operations"),
        "{text}"
    );
}

#[test]
fn an_update_is_selected_by_its_old_object_too() {
    // Gatekeeper selects a request when its object or its old object matches: an UPDATE
    // that removes the selected label is still reviewed (its new object is what the
    // template sees).
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let template = w(
        "template.yaml",
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata: {name: k8sseen}\nspec:\n  crd: {spec: {names: {kind: K8sSeen}}}\n  targets:\n  - target: admission.k8s.gatekeeper.sh\n    rego: |\n      package k8sseen\n      violation[{\"msg\": msg}] { msg := sprintf(\"seen %v\", [object.get(input.review.object.metadata, \"labels\", {})]) }\n",
    );
    let constraint = w(
        "constraint.yaml",
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sSeen\nmetadata: {name: tier-web}\nspec:\n  match:\n    labelSelector: {matchLabels: {tier: web}}\n",
    );
    let review = w(
        "update.yaml",
        "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  uid: x\n  kind: {group: '', version: v1, kind: Pod}\n  resource: {group: '', version: v1, resource: pods}\n  operation: UPDATE\n  namespace: shop\n  name: p\n  object: {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: shop}}\n  oldObject: {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: shop, labels: {tier: web}}}\n",
    );
    let report = json(
        dockpolicy()
            .args(["gatekeeper", "test", "-o", "json", "-t"])
            .arg(&template)
            .arg("-c")
            .arg(&constraint)
            .arg(&review),
    );
    let failures: usize = report
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["failures"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(failures, 1, "{report}");
    let text = report.to_string();
    assert!(text.contains("seen {}"), "{report}");
    assert!(text.contains("\"name\":\"tier-web\""), "{report}");
}

#[test]
fn example_suites_pass_and_failures_are_reported() {
    dockpolicy()
        .args(["gatekeeper", "verify", "examples/gatekeeper"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("12 cases, 12 passed, 0 failed"));
    let out = dockpolicy()
        .args([
            "gatekeeper",
            "verify",
            "tests/fixtures/gatekeeper/failing-suite.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("FAIL  tests/fixtures/gatekeeper/failing-suite.yaml / labels / expects no violation but there is one"), "{text}");
    assert!(
        text.contains(
            "PASS  tests/fixtures/gatekeeper/failing-suite.yaml / labels / message regex selects"
        ),
        "{text}"
    );
}

#[test]
fn a_reason_of_several_lines_stays_under_its_result() {
    // Refused templates give reasons of several lines (a parse error with its snippet,
    // gator's list of disallowed references): every line but the results and the
    // summary is indented.
    let out = dockpolicy()
        .args([
            "gatekeeper",
            "verify",
            "tests/fixtures/gator/validate-template",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("disallowed ref data.other.x"), "{text}");
    for line in text.lines().filter(|l| !l.is_empty()) {
        let result = ["PASS  ", "FAIL  ", "ERROR ", "SKIP  "]
            .iter()
            .any(|w| line.starts_with(w));
        assert!(
            result || line.starts_with("      ") || line.contains(" cases, "),
            "a line of its own: {line:?}\n{text}"
        );
    }
}

#[test]
fn an_organisations_rule_marked_for_gatekeeper_is_exported_with_config_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.yaml");
    std::fs::write(&config, "allowed_registries: [registry.example.com]\nexempt_images: {DP001: ['registry.example.com/legacy/**']}\n").unwrap();
    dockpolicy()
        .args([
            "gatekeeper",
            "export",
            "-p",
            "tests/fixtures/gatekeeper/org",
            "--config",
        ])
        .arg(&config)
        .arg("-o")
        .arg(dir.path())
        .assert()
        .code(0);
    let constraint: Value = yaml_serde::from_str(
        &std::fs::read_to_string(dir.path().join("constraints/dockpolicypullalways.yaml")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        constraint["spec"]["enforcementAction"], "warn",
        "severity warn becomes enforcementAction warn"
    );
    let latest: Value = yaml_serde::from_str(
        &std::fs::read_to_string(dir.path().join("constraints/dockpolicylatesttag.yaml")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        latest["spec"]["parameters"]["exemptImages"][0],
        "registry.example.com/legacy/**"
    );
    assert_eq!(
        latest["spec"]["parameters"]["allowedRegistries"][0],
        "registry.example.com"
    );
    // The user's rule runs in its template, with the bundled helpers as libs.
    let report = json(
        dockpolicy()
            .args(["gatekeeper", "test", "-o", "json", "-t"])
            .arg(dir.path().join("templates"))
            .arg("-c")
            .arg(dir.path().join("constraints/dockpolicypullalways.yaml"))
            .arg("tests/fixtures/inputs/workloads.yaml"),
    );
    let warnings: usize = report
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["warnings"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(
        warnings, 5,
        "every container of workloads.yaml lacks imagePullPolicy: Always"
    );
}

#[test]
fn constraints_follow_the_gatekeeper_settings_and_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let constraints = |out: &Path| -> Vec<Value> {
        let mut v: Vec<Value> = std::fs::read_dir(out.join("constraints"))
            .unwrap()
            .map(|e| {
                yaml_serde::from_str(&std::fs::read_to_string(e.unwrap().path()).unwrap()).unwrap()
            })
            .collect();
        v.sort_by_key(|c| c["metadata"]["name"].as_str().unwrap().to_owned());
        v
    };
    let export_with = |name: &str, config: Option<&str>, flag: &[&str]| -> Vec<Value> {
        let out = dir.path().join(name);
        let mut cmd = dockpolicy();
        cmd.args(["gatekeeper", "export", "-o"])
            .arg(&out)
            .args(flag);
        if let Some(text) = config {
            let file = dir.path().join(format!("{name}.yaml"));
            std::fs::write(&file, text).unwrap();
            cmd.arg("--config").arg(file);
        }
        cmd.assert().code(0);
        constraints(&out)
    };
    // Defaults: each rule's severity, the system namespaces excluded.
    let plain = export_with("plain", None, &[]);
    assert_eq!(plain.len(), bundled::gatekeeper_rules().len());
    for c in &plain {
        assert_eq!(c["spec"]["enforcementAction"], "deny");
        assert_eq!(
            c["spec"]["match"]["excludedNamespaces"],
            serde_json::json!(["kube-system", "gatekeeper-system"])
        );
    }
    // warn is the strongest action left; a disabled rule is not exported.
    let config = "disabled_rules: [unpinned-digest]\nseverity: {DP004: warn}\n\
                  gatekeeper:\n  excluded_namespaces: [kube-*, monitoring]\n  enforcement_action: warn\n";
    let tuned = export_with("tuned", Some(config), &[]);
    let names: Vec<&str> = tuned
        .iter()
        .map(|c| c["metadata"]["name"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = bundled::gatekeeper_rules()
        .into_iter()
        .filter(|(_, slug)| slug != "unpinned-digest")
        .map(|(id, slug)| format!("{}-{slug}", id.to_lowercase()))
        .collect();
    assert_eq!(names, expected);
    for c in &tuned {
        assert_eq!(c["spec"]["enforcementAction"], "warn");
        assert_eq!(
            c["spec"]["match"]["excludedNamespaces"],
            serde_json::json!(["kube-*", "monitoring"])
        );
    }
    // The flag overrides the config; no namespace excluded means no excludedNamespaces.
    let rollout = export_with(
        "rollout",
        Some("gatekeeper: {excluded_namespaces: []}\n"),
        &["--enforcement-action", "dryrun"],
    );
    for c in &rollout {
        assert_eq!(c["spec"]["enforcementAction"], "dryrun");
        assert!(
            c["spec"]["match"].get("excludedNamespaces").is_none(),
            "{c}"
        );
    }
    // A setting Gatekeeper would refuse is refused here, naming the file.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "gatekeeper:\n  enforcement_action: block\n").unwrap();
    let out = dockpolicy()
        .args(["gatekeeper", "export", "-o"])
        .arg(dir.path().join("bad"))
        .arg("--config")
        .arg(&bad)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.yaml:2") && err.contains("block"), "{err}");
    assert!(!dir.path().join("bad").exists(), "nothing is written");
}
