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

/// conftest's results of `verify -o json`, one per test: the messages of its failures
/// and of its skips (`data.package.test_name`), and its successes.
fn outcomes(results: &Value) -> Vec<(Vec<String>, Vec<String>, u64)> {
    let messages = |r: &Value, key: &str| -> Vec<String> {
        r[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|m| m["msg"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    results
        .as_array()
        .expect("conftest's results array")
        .iter()
        .map(|r| {
            assert_eq!(r["namespace"], "", "{r}");
            (
                messages(r, "failures"),
                messages(r, "skipped"),
                r["successes"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The messages of every failed test in conftest's JSON results.
fn failed(results: &Value) -> Vec<String> {
    outcomes(results)
        .into_iter()
        .flat_map(|(f, _, _)| f)
        .collect()
}

#[test]
fn json_is_conftests_results_one_per_test() {
    let (results, code) = json_of(verify().args([
        "-p",
        &fixture("bundle"),
        "-d",
        &fixture("data"),
        "-o",
        "json",
    ]));
    assert_eq!(code, 1, "failures fail the run");
    let tests = results.as_array().unwrap();
    // The skipped test has a result too (conftest lists it under `skipped`).
    assert_eq!(tests.len(), 9, "{results:#}");
    assert!(
        tests
            .iter()
            .all(|r| r["filename"] == fixture("bundle/pods_test.rego"))
    );
    let passed: u64 = outcomes(&results).iter().map(|(_, _, s)| s).sum();
    assert_eq!(passed, 4);
    // A builtin's error makes its test fail, as in OPA (`--show-builtin-errors` stops).
    assert_eq!(
        failed(&results),
        [
            "data.verify.pods_test.test_false_fails",
            "data.verify.pods_test.test_undefined_fails",
            "data.verify.pods_test.test_runtime_error_is_an_error",
            "data.verify.pods_test.test_evaluates_to_false",
        ]
    );
}

#[test]
fn text_is_conftests_fail_lines_and_summary() {
    let file = fixture("bundle/pods_test.rego");
    let fail = |name: &str| format!("FAIL - {file} -  - data.verify.pods_test.{name}\n");
    verify()
        .args(["-p", &fixture("bundle"), "-d", &fixture("data")])
        .assert()
        .code(1)
        .stdout(format!(
            "{}{}{}{}\n9 tests, 4 passed, 0 warnings, 4 failures, 0 exceptions, 1 skipped\n",
            fail("test_false_fails"),
            fail("test_undefined_fails"),
            fail("test_runtime_error_is_an_error"),
            fail("test_evaluates_to_false"),
        ));
}

#[test]
fn builtin_errors_stop_the_run_when_asked_to_show_them() {
    verify()
        .args(["-p", &fixture("bundle"), "-d", &fixture("data")])
        .arg("--show-builtin-errors")
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains(
            "pods_test.test_runtime_error_is_an_error",
        ))
        .stderr(predicate::str::contains("could not parse string as number"));
}

#[test]
fn run_filters_by_package_and_name() {
    let (results, code) = json_of(verify().args([
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
        outcomes(&results),
        [(vec![], vec![], 1), (vec![], vec![], 1)],
        "{results:#}"
    );
    verify()
        .args(["-p", &fixture("bundle"), "--run", "("])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("invalid --run pattern"));
}

#[test]
fn quiet_prints_nothing_when_every_test_passes() {
    let pattern = "pods_test\\.test_.*_pod_";
    verify()
        .args(["-p", &fixture("bundle"), "--run", pattern, "--quiet"])
        .assert()
        .code(0)
        .stdout("");
    verify()
        .args(["-p", &fixture("bundle"), "-d", &fixture("data"), "--quiet"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("4 failures"));
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
fn junit_output_is_valid_xml_with_a_failure_per_failed_test() {
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
    let failures: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(failures.len(), 4, "{xml}");
    assert!(
        failures
            .iter()
            .any(|f| f.contains("data.verify.pods_test.test_false_fails")),
        "{xml}"
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
    let (results, code) =
        json_of(verify().args(["-p", repo("policies").to_str().unwrap(), "-o", "json"]));
    assert_eq!(code, 0, "{results:#}");
    let tests = outcomes(&results);
    assert!(tests.len() >= 5);
    assert!(tests.iter().all(|(failed, _, _)| failed.is_empty()));
    // The same library, embedded in the binary, with no -p at all.
    let (embedded, code) = json_of(verify().args(["-o", "json"]));
    assert_eq!(code, 0);
    assert_eq!(outcomes(&embedded), tests);
}

#[test]
fn the_example_bundle_has_one_intentionally_failing_test() {
    let example = repo("examples/bundle");
    let (results, code) = json_of(
        verify()
            .current_dir(&example)
            .args(["-p", "policy", "-d", "data", "-o", "json"]),
    );
    assert_eq!(code, 1);
    assert_eq!(
        failed(&results),
        ["data.org.labels_test.test_intentionally_failing_shows_what_a_failure_looks_like"]
    );
}

#[test]
fn an_erroring_test_leaves_no_state_for_the_next() {
    // regorus's interpreter can keep state from an evaluation that failed half-way: each
    // of three tests failing the same way must be named with its own error (the run then
    // stops, as conftest's does, before any result is printed).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a_test.rego"),
        "package t\nimport rego.v1\nf(x) := y if { walk(x, [_, v]); is_string(v); y := v + 1 }\n\
         test_a if { f({\"a\": \"s\"}) }\ntest_b if { f({\"a\": \"t\"}) }\ntest_c if { f({\"a\": \"u\"}) }\n",
    )
    .unwrap();
    let out = verify()
        .arg("--show-builtin-errors")
        .arg("-p")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(out.stdout, b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (test, value) in [("test_a", "s"), ("test_b", "t"), ("test_c", "u")] {
        assert!(
            stderr.contains(&format!("data.t.{test}:"))
                && stderr.contains(&format!("Got `\"{value}\"`")),
            "{stderr}"
        );
    }
}

/// A policy and its tests in a temporary directory: one test fails inside a rule it
/// calls, one fails on its own statement after a note, one passes.
fn traced_bundle() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.rego"),
        "package main\n\nallowed(kind) if {\n\tkind != \"Pod\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("main_test.rego"),
        "package main\n\ntest_pod_allowed if {\n\tallowed(\"Pod\")\n}\n\n\
         test_note if {\n\ttrace(\"checking the count\")\n\tcount([1]) == 2\n}\n\n\
         test_deployment if {\n\tallowed(\"Deployment\")\n}\n",
    )
    .unwrap();
    dir
}

fn stdout_of(cmd: &mut Command) -> String {
    String::from_utf8(cmd.output().unwrap().stdout).unwrap()
}

#[test]
fn report_fails_shows_the_path_to_each_failure_and_the_failing_line() {
    let dir = traced_bundle();
    let out = stdout_of(
        verify()
            .current_dir(dir.path())
            .args(["-p", ".", "--report", "fails"]),
    );
    let failures = out.split("FAILURES").nth(1).expect("a FAILURES section");
    let pod = failures.split("data.main.test_note: FAIL").next().unwrap();
    let widths = "main_test.rego:3".len() + 6;
    for (location, event) in [
        ("query:1", "Enter data.main.test_pod_allowed = _"),
        ("main_test.rego:3", "| Enter data.main.test_pod_allowed"),
        ("main.rego:3", "| | Enter data.main.allowed"),
        ("main.rego:4", "| | | Fail kind != \"Pod\""),
        ("main_test.rego:4", "| | Fail allowed(\"Pod\")"),
        ("query:1", "| Fail data.main.test_pod_allowed = _"),
    ] {
        let line = format!("  {location:<widths$} {event}  \n");
        assert!(pod.contains(&line), "{line:?} missing in\n{pod}");
    }
    // OPA's failing line: the test's own statement, where it stands in its line.
    assert!(
        pod.contains("\n  main_test.rego:4:\n    \tallowed(\"Pod\")\n\n\n"),
        "{pod}"
    );
    // Passing tests have no trace; the note is not a failure's context.
    assert!(!out.contains("test_deployment = _"), "{out}");
    assert!(!failures.contains("Note"), "{failures}");
}

#[test]
fn report_notes_shows_the_notes_in_their_rule() {
    let dir = traced_bundle();
    let out = stdout_of(
        verify()
            .current_dir(dir.path())
            .args(["-p", ".", "--report", "notes"]),
    );
    let note = out
        .split("data.main.test_note: FAIL")
        .nth(2)
        .expect("the note test among the failures");
    assert!(note.contains("| Enter data.main.test_note  \n"), "{note}");
    assert!(
        note.contains("| | Note \"checking the count\"  \n"),
        "{note}"
    );
    assert!(!note.contains("Fail"), "{note}");
}

#[test]
fn trace_prints_each_tests_evaluation() {
    let dir = traced_bundle();
    let out =
        stdout_of(
            verify()
                .current_dir(dir.path())
                .args(["-p", ".", "--trace", "--no-color"]),
        );
    let deployment = out
        .split("query: test_deployment\n")
        .nth(1)
        .expect("the passing test's header");
    assert!(
        deployment.starts_with(
            "TRAC   Enter data.main.test_deployment = _\n\
             TRAC   | Enter data.main.test_deployment\n\
             TRAC   | | Eval allowed(\"Deployment\")\n\
             TRAC   | | Enter data.main.allowed\n\
             TRAC   | | | Eval kind != \"Pod\"\n\
             TRAC   | | | Exit data.main.allowed\n\
             TRAC   | | Exit data.main.test_deployment\n\
             TRAC   | Exit data.main.test_deployment = _\n"
        ),
        "{deployment}"
    );
}
