//! `dockpolicy verify`: Rego unit tests for policy bundles.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{Value, json};

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/verify")
        .join(rel)
        .display()
        .to_string()
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn verify() -> Command {
    let mut cmd = Command::cargo_bin("dockpolicy").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).arg("verify");
    cmd
}

fn json_of(cmd: &mut Command) -> (Value, i32) {
    let out = cmd.output().unwrap();
    (
        serde_json::from_slice(&out.stdout).expect("JSON on stdout"),
        out.status.code().unwrap(),
    )
}

fn statuses(report: &Value) -> Vec<(String, String)> {
    report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn pass_fail_undefined_error_and_skip() {
    let (report, code) = json_of(verify().args([
        "-p",
        &fixture("bundle"),
        "-d",
        &fixture("data"),
        "-o",
        "json",
    ]));
    assert_eq!(code, 1, "failures and errors fail the run");
    let got = statuses(&report);
    let want = [
        ("test_root_pod_is_denied", "pass"),
        ("test_non_root_pod_is_allowed", "pass"),
        ("test_registry_from_with_data", "pass"),
        ("test_registry_from_data_file", "pass"),
        ("test_false_fails", "fail"),
        ("test_undefined_fails", "fail"),
        ("test_runtime_error_is_an_error", "error"),
        ("todo_test_service_rules", "skip"),
        ("test_evaluates_to_false", "fail"),
    ];
    assert_eq!(
        got,
        want.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        report["summary"],
        json!({"tests": 9, "passed": 4, "failed": 3, "errors": 1, "skipped": 1})
    );
    let by_name = |n: &str| {
        report["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("test_undefined_fails")["message"], "undefined");
    assert_eq!(
        by_name("test_evaluates_to_false")["message"],
        "evaluated to false"
    );
    assert_eq!(
        by_name("test_false_fails")["location"],
        json!({"file": fixture("bundle/pods_test.rego"), "line": 21})
    );
    assert!(
        by_name("test_runtime_error_is_an_error")["message"]
            .as_str()
            .unwrap()
            .contains("could not parse string as number")
    );
}

#[test]
fn text_output_lists_each_test_with_location_and_summary() {
    verify()
        .args(["-p", &fixture("bundle"), "-d", &fixture("data")])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "PASS  verify.pods_test.test_root_pod_is_denied (",
        ))
        .stdout(predicate::str::contains(
            "FAIL  verify.pods_test.test_false_fails (",
        ))
        .stdout(predicate::str::contains(format!(
            "at {}:21",
            fixture("bundle/pods_test.rego")
        )))
        .stdout(predicate::str::contains(
            "ERROR verify.pods_test.test_runtime_error_is_an_error",
        ))
        .stdout(predicate::str::contains(
            "SKIP  verify.pods_test.todo_test_service_rules",
        ))
        .stdout(predicate::str::ends_with(
            "9 tests, 4 passed, 3 failed, 1 errors, 1 skipped\n",
        ));
}

#[test]
fn run_filters_by_package_and_name() {
    let (report, code) = json_of(verify().args([
        "-p",
        &fixture("bundle"),
        "-d",
        &fixture("data"),
        "--run",
        "pods_test\\.test_.*_pod_",
        "-o",
        "json",
    ]));
    assert_eq!(code, 0);
    assert_eq!(
        statuses(&report),
        vec![
            ("test_root_pod_is_denied".to_owned(), "pass".to_owned()),
            ("test_non_root_pod_is_allowed".to_owned(), "pass".to_owned())
        ]
    );
    verify()
        .args(["-p", &fixture("bundle"), "--run", "("])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("invalid --run pattern"));
}

#[test]
fn coverage_reports_exact_lines() {
    let (report, code) =
        json_of(verify().args(["-p", &fixture("coverage"), "--coverage", "-o", "json"]));
    assert_eq!(code, 0);
    assert_eq!(
        report["coverage"]["files"],
        json!([
            {"file": fixture("coverage/math.rego"), "covered": [3, 4, 12], "not_covered": [7, 8], "percent": 60.0},
            {"file": fixture("coverage/untouched.rego"), "covered": [], "not_covered": [3], "percent": 0.0},
        ])
    );
    assert_eq!(report["coverage"]["percent"], 50.0);
    verify()
        .args(["-p", &fixture("coverage"), "--coverage"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains(" 60.00%  ").and(predicate::str::contains("not covered: 7-8")),
        );
}

#[test]
fn threshold_fails_the_run_below_the_percentage() {
    verify()
        .args(["-p", &fixture("coverage"), "--threshold", "50"])
        .assert()
        .code(0);
    verify()
        .args(["-p", &fixture("coverage"), "--threshold", "75"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "coverage 50.00% is below the threshold of 75%",
        ));
}

#[test]
fn junit_output_is_valid_xml_with_the_right_counts() {
    let out = verify()
        .args([
            "-p",
            &fixture("bundle"),
            "-d",
            &fixture("data"),
            "-o",
            "junit",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("name"), Some("verify.pods_test"));
    assert_eq!(suite.attribute("tests"), Some("9"));
    assert_eq!(suite.attribute("failures"), Some("3"));
    assert_eq!(suite.attribute("errors"), Some("1"));
    assert_eq!(suite.attribute("skipped"), Some("1"));
    let failed = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("test_false_fails"))
        .unwrap();
    let failure = failed
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(
        failure
            .attribute("message")
            .unwrap()
            .contains("pods_test.rego:21")
    );
}

#[test]
fn compile_errors_name_file_line_and_column() {
    verify()
        .args(["-p", &fixture("broken")])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "{}:4:7",
            fixture("broken/bad_test.rego")
        )));
}

#[test]
fn the_bundled_library_passes_its_own_tests() {
    // What CI relies on: every bundled rule's _test.rego passes under `verify`.
    let (report, code) =
        json_of(verify().args(["-p", repo("policies").to_str().unwrap(), "-o", "json"]));
    assert_eq!(code, 0, "{report:#}");
    assert!(report["summary"]["tests"].as_u64().unwrap() >= 5);
    // The same library, embedded in the binary, with no -p at all.
    let (embedded, code) = json_of(verify().args(["-o", "json"]));
    assert_eq!(code, 0);
    assert_eq!(embedded["summary"], report["summary"]);
}

#[test]
fn the_example_bundle_has_one_intentionally_failing_test() {
    let example = repo("examples/bundle");
    let (report, code) = json_of(
        verify()
            .current_dir(&example)
            .args(["-p", "policy", "-d", "data", "-o", "json"]),
    );
    assert_eq!(code, 1);
    let failing: Vec<String> = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] != "pass")
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        failing,
        vec!["test_intentionally_failing_shows_what_a_failure_looks_like"]
    );
}

#[test]
fn an_erroring_test_leaves_no_state_for_the_next() {
    // regorus's interpreter kept state from an evaluation that failed half-way: of three
    // tests failing the same way, the later ones were "failed" instead of errors.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a_test.rego"),
        "package t\nimport rego.v1\nf(x) := y if { walk(x, [_, v]); is_string(v); y := v + 1 }\n\
         test_a if { f({\"a\": \"s\"}) }\ntest_b if { f({\"a\": \"t\"}) }\ntest_c if { f({\"a\": \"u\"}) }\n",
    )
    .unwrap();
    let (report, code) = json_of(verify().args(["-o", "json", "-p"]).arg(dir.path()));
    assert_eq!(code, 1);
    let all: Vec<String> = statuses(&report).into_iter().map(|(_, s)| s).collect();
    assert_eq!(all, ["error", "error", "error"], "{report}");
}
