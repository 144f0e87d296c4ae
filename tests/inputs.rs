//! One policy set, every place an image appears: the same rule ids fire on Kubernetes
//! manifests, Compose files and built image configs, located on the offending line.

mod common;

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inputs")
        .join(rel)
        .display()
        .to_string()
}

/// (file name, id, line or 0) of every failure and warning.
fn findings(args: &[&str]) -> Vec<(String, String, u64)> {
    let out = Command::cargo_bin("dockpolicy")
        .unwrap()
        .args(["test", "-o", "json"])
        .args(args)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found: Vec<_> = report
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| {
            let file = Path::new(e["filename"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            common::failures_and_warnings(e).map(move |f| {
                (
                    file.clone(),
                    f["metadata"]["id"].as_str().unwrap().to_owned(),
                    f["loc"]["line"].as_u64().unwrap_or(0),
                )
            })
        })
        .collect();
    found.sort();
    found
}

fn ids(found: &[(String, String, u64)]) -> Vec<(String, u64)> {
    found
        .iter()
        .map(|(_, id, line)| (id.clone(), *line))
        .collect()
}

#[test]
fn kubernetes_workloads_of_every_kind_fire_on_their_image_lines() {
    let found = findings(&[&fixture("workloads.yaml")]);
    assert_eq!(
        ids(&found),
        vec![
            // Deployment container "app": image nginx (line 15), a literal DB_PASSWORD (17).
            ("DP001".into(), 15),
            ("DP001".into(), 52),
            ("DP002".into(), 15),
            ("DP002".into(), 52),
            ("DP004".into(), 15),
            ("DP004".into(), 52),
            // The sidecar sets runAsUser: 0 (the pod's runAsNonRoot does not help);
            // the List's Pod sets nothing. The CronJob's container is non-root.
            ("DP005".into(), 23),
            ("DP005".into(), 52),
            ("DP006".into(), 17),
        ]
    );
}

#[test]
fn compose_services_fire_and_built_dockerfiles_are_checked_once() {
    let found = findings(&[&fixture("compose.yaml")]);
    let compose: Vec<_> = found
        .iter()
        .filter(|f| f.0 == "compose.yaml")
        .map(|f| (f.1.clone(), f.2))
        .collect();
    assert_eq!(
        compose,
        vec![
            ("DP002".into(), 6),
            ("DP004".into(), 6),
            ("DP006".into(), 8),
            ("DP006".into(), 14)
        ]
    );
    let dockerfile: Vec<_> = found
        .iter()
        .filter(|f| f.0 == "Dockerfile")
        .map(|f| f.1.clone())
        .collect();
    assert_eq!(
        dockerfile,
        // node:22 is no minimal variant (DP007), has no labels (DP009), and its base is
        // written in FROM (DP010).
        vec!["DP007", "DP009", "DP010"],
        "the build's Dockerfile is checked with the compose file"
    );
    // Named explicitly as well: still reported once.
    let twice = findings(&[&fixture("compose.yaml"), &fixture("api/Dockerfile")]);
    assert_eq!(twice, found);
}

#[test]
fn docker_inspect_output_is_judged_as_a_built_image() {
    let found = findings(&[&fixture("docker-inspect.json")]);
    let got: Vec<String> = found.iter().map(|f| f.1.clone()).collect();
    assert_eq!(got, vec!["DP001", "DP002", "DP005", "DP006", "DP009"]);
}

#[test]
fn an_oci_image_config_that_follows_the_practices_is_clean() {
    assert!(findings(&[&fixture("oci-config.json")]).is_empty());
}

#[test]
fn secrets_in_manifests_and_configs_are_redacted_everywhere() {
    for file in ["workloads.yaml", "compose.yaml", "docker-inspect.json"] {
        for format in ["stdout", "json"] {
            let out = Command::cargo_bin("dockpolicy")
                .unwrap()
                .args(["test", "-o", format, &fixture(file)])
                .output()
                .unwrap();
            let all = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            for secret in [
                "hunter2hunter2",
                "s3cr3tpassword",
                "abcdefabcdef",
                "abcdefghijklmnopqrstuvwxyz0123456789ABCD",
            ] {
                assert!(!all.contains(secret), "{file} {format} leaks {secret}");
            }
        }
    }
}

#[test]
fn the_kubernetes_corpus_is_checked_without_policy_errors() {
    let Some(corpus) = std::env::var_os("DOCKPOLICY_CORPUS")
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_dir())
    else {
        eprintln!("SKIPPED: DOCKPOLICY_CORPUS is not set; the Kubernetes corpus was not checked");
        return;
    };
    let out = Command::cargo_bin("dockpolicy")
        .unwrap()
        .args(["test", "-o", "json"])
        .arg(corpus.join("k8s"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> = report
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| {
            e.get("error")
                .map(|err| format!("{}: {}", e["filename"], err["message"]))
        })
        .collect();
    // Three manifests of the corpus repeat a mapping key, which YAML forbids (kubectl
    // refuses them too); nothing else may fail, and no policy may error.
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(
        errors
            .iter()
            .all(|e| e.contains("duplicate entry with key")),
        "{errors:#?}"
    );
    let unlocated = report
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["failures"].as_array().cloned().unwrap_or_default())
        .filter(|f| f.get("loc").is_none())
        .count();
    assert_eq!(unlocated, 0, "every Kubernetes finding points at a line");
}

#[test]
fn findings_on_nodes_with_the_same_text_are_on_their_own_lines() {
    let found = findings(&[&fixture("same-text.yaml")]);
    assert_eq!(
        ids(&found),
        vec![
            // The init and main containers share an image (lines 11 and 15); the Compose
            // image's `${TAG:-latest}` is latest (27).
            ("DP001".into(), 11),
            ("DP001".into(), 15),
            ("DP001".into(), 27),
            ("DP002".into(), 11),
            ("DP002".into(), 15),
            ("DP002".into(), 27),
            // Flow-style env entries (12, 17), an unquoted number (18), a flag in flow-style
            // args (20); the two services' DB_PASSWORD (25, 29), a URL's password (30), and
            // a flag in a command string (31).
            ("DP006".into(), 12),
            ("DP006".into(), 17),
            ("DP006".into(), 18),
            ("DP006".into(), 20),
            ("DP006".into(), 25),
            ("DP006".into(), 29),
            ("DP006".into(), 30),
            ("DP006".into(), 31),
        ]
    );
}

#[test]
fn json_findings_are_on_their_own_lines() {
    let found = findings(&[&fixture("twins.json")]);
    assert_eq!(
        ids(&found),
        vec![
            ("DP001".into(), 7),
            ("DP001".into(), 9),
            ("DP002".into(), 7),
            ("DP002".into(), 9),
            ("DP006".into(), 10),
        ]
    );
}
