//! The bundled practices end to end: each rule fires on its failing fixture and stays
//! silent on its passing one; the config file, suppression pragmas and secret redaction
//! behave as documented.

mod catalog;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use catalog::{bundled_rules, fixtures, rules_dir};

/// The id of every bundled rule, from its METADATA.
fn ids() -> Vec<String> {
    bundled_rules().into_iter().map(|rule| rule.id).collect()
}

fn dockpolicy() -> Command {
    let mut cmd = Command::cargo_bin("dockpolicy").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// (id, severity, line) of every finding of a JSON report, failures and warnings alike.
fn findings(report: &Value, key: &str) -> Vec<(String, String, u64)> {
    let mut out: Vec<_> = report
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e[key].as_array().cloned().unwrap_or_default())
        .map(|f| {
            (
                f["metadata"]["id"].as_str().unwrap_or("").to_owned(),
                f["metadata"]["severity"].as_str().unwrap_or("").to_owned(),
                f["loc"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    out.sort();
    out
}

fn all_findings(report: &Value) -> Vec<(String, String, u64)> {
    let mut all = findings(report, "failures");
    all.extend(findings(report, "warnings"));
    all.sort();
    all
}

fn run_json(args: &[&str]) -> (Value, i32) {
    let out = dockpolicy()
        .args(["test", "-o", "json"])
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("JSON: {}", String::from_utf8_lossy(&out.stderr)));
    (report, out.status.code().unwrap())
}

fn config() -> String {
    rules_dir().join("config.yaml").display().to_string()
}

#[test]
fn each_rule_fires_on_its_failing_fixture_and_not_on_its_passing_one() {
    for rule in bundled_rules() {
        let id = rule.id;
        for (kind, fires) in [("fail", true), ("pass", false)] {
            let files = fixtures(&id, kind);
            assert!(
                !files.is_empty(),
                "{id} has no {kind}ing fixture; add tests/fixtures/rules/{id}.{kind}.Dockerfile \
                 (or .yaml, .json, an image archive)"
            );
            for file in files {
                let path = rules_dir().join(&file);
                let (report, _) = run_json(&["--config", &config(), path.to_str().unwrap()]);
                let found: Vec<String> = all_findings(&report).into_iter().map(|f| f.0).collect();
                assert_eq!(
                    found.contains(&id),
                    fires,
                    "{id} ({}) should {}fire on {file}: {found:?}",
                    rule.package,
                    if fires { "" } else { "not " }
                );
            }
        }
    }
}

#[test]
fn findings_carry_id_title_severity_and_the_offending_line() {
    let (report, code) = run_json(&[
        "--config",
        &config(),
        rules_dir().join("DP005.fail.Dockerfile").to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let failure = report
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["failures"].as_array().cloned().unwrap_or_default())
        .find(|f| f["metadata"]["id"] == "DP005")
        .unwrap();
    assert_eq!(failure["metadata"]["title"], "Image runs as root");
    assert_eq!(failure["metadata"]["severity"], "deny");
    assert_eq!(
        failure["loc"]["line"], 7,
        "points at the final stage's last USER, empty because its ARG is out of scope"
    );
}

#[test]
fn config_allowed_registries_enable_dp003() {
    let file = rules_dir().join("DP003.fail.Dockerfile");
    let (report, _) = run_json(&[file.to_str().unwrap()]);
    assert!(
        !all_findings(&report).iter().any(|f| f.0 == "DP003"),
        "silent without configuration"
    );
    let (report, _) = run_json(&["--config", &config(), file.to_str().unwrap()]);
    assert!(all_findings(&report).iter().any(|f| f.0 == "DP003"));
}

#[test]
fn config_file_is_found_in_the_working_directory_and_unknown_keys_fail() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".dockpolicy.yaml"),
        "allowed_registries: [registry.example.com]\n",
    )
    .unwrap();
    std::fs::copy(
        rules_dir().join("DP003.fail.Dockerfile"),
        dir.path().join("Dockerfile"),
    )
    .unwrap();
    let out = Command::cargo_bin("dockpolicy")
        .unwrap()
        .current_dir(dir.path())
        .args(["test", "-o", "json", "Dockerfile"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(all_findings(&report).iter().any(|f| f.0 == "DP003"));

    std::fs::write(
        dir.path().join(".dockpolicy.yaml"),
        "allowed_registry: [registry.example.com]\n",
    )
    .unwrap();
    Command::cargo_bin("dockpolicy")
        .unwrap()
        .current_dir(dir.path())
        .args(["test", "Dockerfile"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains(".dockpolicy.yaml:1")
                .and(predicate::str::contains("allowed_registry")),
        );
}

#[test]
fn config_disables_rules_changes_severity_and_exempts_images() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    std::fs::write(
        &cfg,
        "disabled_rules: [DP002, latest-tag]\nseverity: {DP010: deny, docker-hub: warn}\nexempt_images: {DP007: ['**/ubuntu:*']}\n",
    )
    .unwrap();
    let file = dir.path().join("Dockerfile");
    std::fs::write(&file, "FROM ubuntu:24.04\nUSER app\n").unwrap();
    let (report, _) = run_json(&["--config", cfg.to_str().unwrap(), file.to_str().unwrap()]);
    let failures: Vec<String> = findings(&report, "failures")
        .into_iter()
        .map(|f| format!("{}:{}", f.0, f.1))
        .collect();
    let warnings: Vec<String> = findings(&report, "warnings")
        .into_iter()
        .map(|f| format!("{}:{}", f.0, f.1))
        .collect();
    // Only the rules the config names are asserted, so a new practice that also fires on
    // this Dockerfile does not change the test.
    let all: Vec<&String> = failures.iter().chain(&warnings).collect();
    assert!(failures.contains(&"DP010:deny".to_owned()), "{failures:?}");
    assert!(warnings.contains(&"DP004:warn".to_owned()), "{warnings:?}");
    for quiet in ["DP001", "DP002", "DP007"] {
        assert!(
            !all.iter().any(|f| f.starts_with(quiet)),
            "{quiet} is disabled or exempt: {all:?}"
        );
    }
    let namespaces: Vec<&str> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["namespace"].as_str().unwrap())
        .collect();
    assert!(
        !namespaces.contains(&"dockpolicy.unpinned_digest"),
        "disabled rules do not run at all"
    );
}

#[test]
fn config_is_readable_by_user_policies() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    std::fs::write(&cfg, "allowed_registries: [registry.example.com]\n").unwrap();
    let policy = dir.path().join("p.rego");
    std::fs::write(&policy, "package main\n\ndeny contains sprintf(\"allowed: %v\", [data.dockpolicy_config.allowed_registries]) if true\n").unwrap();
    dockpolicy()
        .args([
            "test",
            "--config",
            cfg.to_str().unwrap(),
            "-p",
            policy.to_str().unwrap(),
            rules_dir().join("DP001.pass.Dockerfile").to_str().unwrap(),
        ])
        .assert()
        .stdout(predicate::str::contains(
            r#"allowed: ["registry.example.com"]"#,
        ));
}

#[test]
fn pragmas_suppress_per_instruction_and_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Dockerfile");
    std::fs::write(
        &file,
        "# dockpolicy global ignore=DP004\n\
         # dockpolicy ignore=DP001,hardcoded-base legacy image, tracked in TICKET-1\n\
         FROM nginx\n\
         FROM redis\n\
         USER app\n",
    )
    .unwrap();
    let (report, _) = run_json(&[file.to_str().unwrap()]);
    let ids: Vec<(String, u64)> = all_findings(&report)
        .into_iter()
        .map(|f| (f.0, f.2))
        .collect();
    assert!(
        !ids.iter().any(|(id, _)| id == "DP004"),
        "global ignore: {ids:?}"
    );
    assert!(
        !ids.contains(&("DP001".into(), 3)) && !ids.contains(&("DP010".into(), 3)),
        "{ids:?}"
    );
    assert!(
        ids.contains(&("DP001".into(), 4)) && ids.contains(&("DP010".into(), 4)),
        "the next FROM is not covered: {ids:?}"
    );
    assert!(
        report
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e.get("suppressed").is_none()),
        "hidden without --show-suppressed"
    );

    let out = dockpolicy()
        .args(["test", file.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let summary = text.lines().find(|l| l.contains(" tests, ")).unwrap_or("");
    assert!(summary.ends_with("4 suppressed"), "{text}");
    assert!(!text.contains("SUPP - "));
    let out = dockpolicy()
        .args(["test", "--show-suppressed", file.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("SUPP - ").count(), 4, "{text}");
    let (report, _) = run_json(&["--show-suppressed", file.to_str().unwrap()]);
    let shown: usize = report
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["suppressed"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(shown, 4);
}

#[test]
fn secrets_are_never_printed_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Dockerfile");
    let secrets = [
        "hunter2hunter2",
        "AKIAIOSFODNN7EXAMPLE",
        "s3cr3tPassw0rd",
        "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB",
    ];
    std::fs::write(
        &file,
        format!(
            "FROM registry.example.com/base:1\nENV DB_PASSWORD={}\nENV HARMLESS={}\nRUN curl -u admin:{} https://example.com\nARG GITHUB_TOKEN={}\n",
            secrets[0], secrets[1], secrets[2], secrets[3]
        ),
    )
    .unwrap();
    for format in ["stdout", "json"] {
        let out = dockpolicy()
            .args([
                "test",
                "-o",
                format,
                "--show-suppressed",
                file.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains("DP006") || all.contains("secret"), "{all}");
        for s in secrets {
            assert!(!all.contains(s), "{format} output leaks {s}:\n{all}");
        }
    }
}

/// (The README's copy of the table is written and checked by `cargo xtask generate`.)
#[test]
fn doc_prints_the_rule_table() {
    let out = dockpolicy().arg("doc").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8(out.stdout).unwrap();
    for id in ids() {
        assert!(
            table.contains(&format!("| {id} |")),
            "{id} missing from doc"
        );
    }
    dockpolicy()
        .args(["doc", "secret-in-image"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("DP006 secret-in-image (deny)")
                .and(predicate::str::contains("## Use instead")),
        );
    dockpolicy().args(["doc", "DP999"]).assert().code(3);
}
