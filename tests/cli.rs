//! End-to-end behaviour of `dockpolicy test` and `dockpolicy parse`: every flag, the
//! conftest conventions, the output shapes and the exit codes.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const TOOL_ERROR: i32 = 3;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture(rel: &str) -> String {
    fixtures().join(rel).display().to_string()
}

fn dockpolicy() -> Command {
    let mut cmd = Command::cargo_bin("dockpolicy").expect("binary built");
    // Run from a directory without ./policy so the default policy lookup is predictable.
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn json_output(cmd: &mut Command) -> (Value, i32) {
    let out = cmd.output().expect("runs");
    let value: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (value, out.status.code().expect("exit code"))
}

/// All failure messages of a JSON report, sorted.
fn messages(report: &Value, kind: &str) -> Vec<String> {
    let mut out: Vec<String> = report
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e[kind].as_array().cloned().unwrap_or_default())
        .map(|r| r["msg"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

// --- zero configuration: the bundled library -------------------------------------------

#[test]
fn bundled_policies_run_with_zero_configuration() {
    dockpolicy()
        .args(["test", &fixture("project/Dockerfile")])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL - "))
        .stdout(predicate::str::contains("dockpolicy.latest_tag"))
        .stdout(predicate::str::contains("project/Dockerfile:1"))
        .stdout(predicate::str::contains("1 | FROM openjdk:latest"));
}

#[test]
fn clean_file_exits_zero() {
    dockpolicy()
        .args(["test", &fixture("project/Dockerfile.good")])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 failures"));
}

// --- conftest policies and conventions ---------------------------------------------------

#[test]
fn conftest_v0_dockerfile_policy_runs_unchanged() {
    let (report, code) = json_output(dockpolicy().args([
        "test",
        "--rego-version",
        "v0",
        "-p",
        &fixture("policies/conftest_v0"),
        "-o",
        "json",
        &fixture("project/Dockerfile"),
    ]));
    assert_eq!(code, 1);
    assert_eq!(
        messages(&report, "failures"),
        vec![r#"unallowed image found ["openjdk:latest"]"#]
    );
    assert_eq!(
        messages(&report, "warnings"),
        vec!["avoid apt-get upgrade in images"]
    );
    // The bundled library is not evaluated when the user brings policies.
    assert!(
        report
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["namespace"] == "main")
    );
}

#[test]
fn v0_policy_fails_to_compile_as_v1_with_file_and_line() {
    dockpolicy()
        .args([
            "test",
            "-p",
            &fixture("policies/conftest_v0"),
            &fixture("project/Dockerfile"),
        ])
        .assert()
        .code(TOOL_ERROR)
        .stderr(predicate::str::contains("docker.rego"))
        .stderr(predicate::str::is_match(r"docker\.rego:\d+:\d+").unwrap());
}

#[test]
fn deny_violation_warn_prefixes_objects_and_exceptions() {
    let (report, code) = json_output(dockpolicy().args([
        "test",
        "-p",
        &fixture("policies/conventions"),
        "-o",
        "json",
        &fixture("project/Dockerfile"),
    ]));
    assert_eq!(code, 1);
    assert_eq!(
        messages(&report, "failures"),
        vec![
            "add a HEALTHCHECK",
            "do not run as root",
            "openjdk:latest is floating"
        ]
    );
    assert_eq!(
        messages(&report, "warnings"),
        vec!["MAINTAINER is deprecated"]
    );
    let entry = &report[0];
    assert_eq!(entry["namespace"], "main");
    // 4 rules, each with results: no successes.
    assert_eq!(entry["successes"], 0);
    let violation = entry["failures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["msg"] == "openjdk:latest is floating")
        .unwrap();
    assert_eq!(violation["metadata"]["hint"], "pin a version");
    // The line from the `line` key; `loc.file` is only there when the policy names a file
    // (conftest's `_loc`), the entry's filename otherwise.
    assert_eq!(violation["loc"], serde_json::json!({"line": 1}));
    assert_eq!(violation["metadata"]["query"], "data.main.violation");
}

#[test]
fn exception_exempts_a_named_rule() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Dockerfile");
    std::fs::write(&file, "FROM alpine:3.20\nLABEL skip-healthcheck=yes\n").unwrap();
    let (report, code) = json_output(dockpolicy().args([
        "test",
        "-p",
        &fixture("policies/conventions"),
        "-o",
        "json",
        file.to_str().unwrap(),
    ]));
    assert_eq!(code, 0);
    assert_eq!(
        messages(&report, "exceptions"),
        vec![r#"data.main.exception[_][_] == "no_healthcheck""#]
    );
    // deny, violation and warn_maintainer pass; deny_no_healthcheck is excepted.
    assert_eq!(report[0]["successes"], 3);
}

#[test]
fn namespace_flag_and_all_namespaces() {
    let policies = fixture("policies/conventions");
    let project = fixture("project/Dockerfile.good");
    let run = |extra: &[&str]| {
        let mut args = vec!["test", "-p", policies.as_str(), "-o", "json"];
        args.extend_from_slice(extra);
        args.push(project.as_str());
        json_output(dockpolicy().args(args)).0
    };
    let namespaces = |report: &Value| -> Vec<String> {
        report
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["namespace"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(namespaces(&run(&[])), vec!["main"]);
    assert_eq!(namespaces(&run(&["-n", "other"])), vec!["other"]);
    assert_eq!(
        namespaces(&run(&["--namespace", "main", "--namespace", "other"])),
        vec!["main", "other"]
    );
    assert_eq!(
        namespaces(&run(&["--all-namespaces"])),
        vec!["main", "other"]
    );
}

#[test]
fn data_files_are_visible_to_policies() {
    let (report, code) = json_output(dockpolicy().args([
        "test",
        "-p",
        &fixture("policies/data_policy"),
        "-d",
        &fixture("data"),
        "-o",
        "json",
        &fixture("project/Dockerfile"),
        &fixture("project/Dockerfile.good"),
    ]));
    assert_eq!(code, 1);
    assert_eq!(
        messages(&report, "failures"),
        vec!["openjdk:latest is not from an allowed registry"]
    );
}

#[test]
fn policy_directory_defaults_to_dot_policy() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policy")).unwrap();
    std::fs::write(
        dir.path().join("policy/p.rego"),
        "package main\n\ndeny contains \"local policy ran\" if true\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM alpine\n").unwrap();
    let mut cmd = Command::cargo_bin("dockpolicy").unwrap();
    cmd.current_dir(dir.path()).args(["test", "Dockerfile"]);
    cmd.assert()
        .code(1)
        .stdout(predicate::str::contains(
            "FAIL - Dockerfile - main - local policy ran",
        ))
        // ./policy replaces the bundled library, as -p would.
        .stdout(predicate::str::contains("latest_tag").not());
}

#[test]
fn bundled_flag_adds_the_library_and_no_bundled_removes_it() {
    let (report, _) = json_output(dockpolicy().args([
        "test",
        "--bundled",
        "-p",
        &fixture("policies/conventions"),
        "-o",
        "json",
        &fixture("project/Dockerfile"),
    ]));
    let namespaces: Vec<&str> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["namespace"].as_str().unwrap())
        .collect();
    assert!(namespaces.contains(&"main"));
    assert!(namespaces.contains(&"dockpolicy.latest_tag"));

    dockpolicy()
        .args(["test", "--no-bundled", &fixture("project/Dockerfile")])
        .assert()
        .code(TOOL_ERROR)
        .stderr(predicate::str::contains("no policies found"));
}

// --- inputs ------------------------------------------------------------------------------

#[test]
fn top_level_arrays_and_yaml_streams_are_evaluated_per_element() {
    let (report, code) = json_output(dockpolicy().args([
        "test",
        "-p",
        &fixture("policies/k8s"),
        "-n",
        "k8s",
        "-o",
        "json",
        &fixture("project/pods.json"),
        &fixture("project/pods.yaml"),
    ]));
    assert_eq!(code, 1);
    assert_eq!(
        messages(&report, "failures"),
        vec!["pod a", "pod b", "pod first", "pod second"]
    );
    // conftest counts a passed test per rule *definition* (the k8s package defines deny
    // twice): the Service passes both, each Pod fails one and passes the other.
    let json_entry = report
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["filename"].as_str().unwrap().ends_with("pods.json"))
        .unwrap();
    assert_eq!(json_entry["successes"], 4);
}

#[test]
fn combine_evaluates_all_inputs_as_one_document() {
    let (report, _) = json_output(dockpolicy().args([
        "test",
        "--combine",
        "-p",
        &fixture("policies/k8s"),
        "-n",
        "k8s",
        "-o",
        "json",
        &fixture("project/pods.yaml"),
        &fixture("project/Dockerfile.good"),
    ]));
    assert_eq!(report.as_array().unwrap().len(), 1);
    assert_eq!(report[0]["filename"], "Combined");
    let yaml = fixture("project/pods.yaml");
    assert_eq!(
        messages(&report, "failures"),
        vec![
            format!("combined: pod first in {yaml}"),
            format!("combined: pod second in {yaml}")
        ]
    );
}

#[test]
fn directories_are_walked_and_the_ignore_regex_applies() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("svc/api")).unwrap();
    std::fs::create_dir_all(root.join("vendor")).unwrap();
    std::fs::create_dir_all(root.join(".git-hidden")).unwrap();
    std::fs::write(root.join("svc/api/Dockerfile"), "FROM nginx\n").unwrap();
    std::fs::write(root.join("svc/worker.Dockerfile"), "FROM redis\n").unwrap();
    std::fs::write(root.join("vendor/Dockerfile"), "FROM vendored\n").unwrap();
    std::fs::write(root.join(".git-hidden/Dockerfile"), "FROM hidden\n").unwrap();
    std::fs::write(root.join("generated.Dockerfile"), "FROM generated\n").unwrap();
    std::fs::write(root.join(".gitignore"), "generated.Dockerfile\n").unwrap();
    let (report, _) = json_output(dockpolicy().args([
        "test",
        "-p",
        &fixture("policies/latest"),
        // conftest's --ignore: a regular expression searched for in each walked path.
        "--ignore",
        "/vendor/",
        "-o",
        "json",
        root.to_str().unwrap(),
    ]));
    // As conftest: hidden directories are walked and `.gitignore` hides nothing; only
    // `--ignore` skips files.
    assert_eq!(
        messages(&report, "failures"),
        vec![
            "generated floats",
            "hidden floats",
            "nginx floats",
            "redis floats"
        ]
    );
}

#[test]
fn parser_flag_overrides_detection_and_stdin_works() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("build.txt");
    std::fs::write(&file, "FROM nginx\n").unwrap();
    let latest = fixture("policies/latest");
    let test = || {
        let mut cmd = dockpolicy();
        cmd.args(["test", "-p", &latest]);
        cmd
    };
    test()
        .arg(file.to_str().unwrap())
        .assert()
        .code(TOOL_ERROR)
        .stdout(predicate::str::contains("--parser"));
    test()
        .args(["--parser", "dockerfile", file.to_str().unwrap()])
        .assert()
        .code(1);
    // Standard input is shown as conftest shows it: `FAIL - - main - msg`, filename "".
    test()
        .arg("-")
        .write_stdin("FROM nginx\n")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL - - main - nginx floats"));
    let (report, _) = json_output(test().args(["-o", "json", "-"]).write_stdin("FROM nginx\n"));
    assert_eq!(report[0]["filename"], "");
    test()
        .args(["--parser", "dockerfile", "-"])
        .write_stdin("FROM nginx:1.27\n")
        .assert()
        .code(0);
}

#[test]
fn build_args_reach_from() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Dockerfile");
    std::fs::write(&file, "ARG TAG=latest\nFROM nginx:${TAG}\n").unwrap();
    let latest = fixture("policies/latest");
    dockpolicy()
        .args(["test", "-p", &latest, file.to_str().unwrap()])
        .assert()
        .code(1);
    dockpolicy()
        .args([
            "test",
            "-p",
            &latest,
            "--build-arg",
            "TAG=1.27",
            file.to_str().unwrap(),
        ])
        .assert()
        .code(0);
    dockpolicy()
        .args(["test", "--build-arg", "novalue", file.to_str().unwrap()])
        .assert()
        .code(TOOL_ERROR);
}

#[test]
fn parse_prints_the_exact_document() {
    let out = dockpolicy()
        .args(["parse", &fixture("project/Dockerfile.good")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // An array holding the instruction array, as conftest prints a Dockerfile.
    let outer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outer.as_array().map(Vec::len), Some(1), "{outer}");
    let doc = &outer[0];
    assert_eq!(doc[0]["Cmd"], "arg");
    assert_eq!(doc[1]["Cmd"], "from");
    assert_eq!(doc[1]["Value"], serde_json::json!(["${BASE_IMAGE}"]));
    assert!(
        doc[1]["Image"]
            .as_str()
            .unwrap()
            .starts_with("registry.example.com/base/jre:21@sha256:")
    );
    assert_eq!(doc[3]["Cmd"], "healthcheck");
    assert_eq!(doc[3]["JSON"], true);
    assert_eq!(doc[4]["StartLine"], 5);

    let out = dockpolicy()
        .args([
            "parse",
            &fixture("project/pods.yaml"),
            &fixture("project/pods.json"),
        ])
        .output()
        .unwrap();
    let both: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        both[fixture("project/pods.yaml")][1]["metadata"]["name"],
        "second"
    );
    assert_eq!(
        both[fixture("project/pods.json")].as_array().unwrap().len(),
        3
    );

    let out = dockpolicy()
        .args(["parse", "--combine", &fixture("project/pods.yaml")])
        .output()
        .unwrap();
    let combined: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(combined[0]["path"], fixture("project/pods.yaml"));
}

// --- output and exit codes ---------------------------------------------------------------

#[test]
fn text_output_has_conftest_lines_snippets_and_summary() {
    let out = dockpolicy()
        .args([
            "test",
            "-p",
            &fixture("policies/conventions"),
            &fixture("project/Dockerfile"),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let text = text.replace(&fixture(""), "<fixtures>/");
    insta::assert_snapshot!("text_output", text);
}

#[test]
fn json_output_shape_matches_conftest() {
    // The outputs fixture policy, not the bundled library: a new bundled rule must not
    // change this snapshot.
    let (report, _) = json_output(dockpolicy().args([
        "test",
        "-p",
        &fixture("outputs/policy"),
        "--all-namespaces",
        "-o",
        "json",
        &fixture("project/Dockerfile"),
        &fixture("project/Dockerfile.good"),
    ]));
    let text = serde_json::to_string_pretty(&report)
        .unwrap()
        .replace(&fixture(""), "<fixtures>/");
    insta::assert_snapshot!("json_output", text);
    // conftest indents its JSON with tabs.
    let raw = dockpolicy()
        .args(["test", "-o", "json", &fixture("project/Dockerfile.good")])
        .output()
        .unwrap()
        .stdout;
    assert!(
        String::from_utf8(raw)
            .unwrap()
            .starts_with("[\n\t{\n\t\t\"filename\"")
    );
}

#[test]
fn exit_codes_follow_conftest_and_tool_errors_are_distinct() {
    let warn_only = fixture("project/Dockerfile.good");
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.rego");
    std::fs::write(
        &policy,
        "package main\n\nwarn contains \"a warning\" if true\n",
    )
    .unwrap();
    let p = policy.to_str().unwrap();
    dockpolicy()
        .args(["test", "-p", p, &warn_only])
        .assert()
        .code(0);
    dockpolicy()
        .args(["test", "-p", p, "--fail-on-warn", &warn_only])
        .assert()
        .code(1);

    let failing = fixture("project/Dockerfile");
    dockpolicy().args(["test", &failing]).assert().code(1);
    dockpolicy()
        .args(["test", "--fail-on-warn", &failing])
        .assert()
        .code(2);
    dockpolicy()
        .args(["test", "--no-fail", &failing])
        .assert()
        .code(0);

    // Usage errors are tool errors too, never a policy outcome.
    dockpolicy()
        .args(["test", "--no-such-flag", &failing])
        .assert()
        .code(TOOL_ERROR);
    dockpolicy()
        .args(["test", "--no-fail", "/no/such/file"])
        .assert()
        .code(TOOL_ERROR);
    dockpolicy().args(["--help"]).assert().code(0);
}

// --- bad input and bad policies ----------------------------------------------------------

#[test]
fn an_unparsable_file_is_reported_and_the_others_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.Dockerfile");
    std::fs::write(&bad, "FROM alpine:3.20\nRUN ok\nFOO bar\n").unwrap();
    let out = dockpolicy()
        .args([
            "test",
            bad.to_str().unwrap(),
            &fixture("project/Dockerfile"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(TOOL_ERROR));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!(
            "ERROR - {}:3 - invalid Dockerfile: unknown instruction: FOO",
            bad.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("FAIL - "),
        "the good file is still checked: {text}"
    );

    let (report, code) = json_output(dockpolicy().args([
        "test",
        "-o",
        "json",
        bad.to_str().unwrap(),
        &fixture("project/Dockerfile"),
    ]));
    assert_eq!(code, TOOL_ERROR);
    let error = report
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e.get("error").is_some())
        .unwrap();
    assert_eq!(error["error"]["line"], 3);
    assert!(!messages(&report, "failures").is_empty());
}

#[test]
fn binary_non_utf8_and_empty_inputs_have_clear_outcomes() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("binary.Dockerfile");
    std::fs::write(&binary, b"FROM a\0\x01\x02").unwrap();
    let latin1 = dir.path().join("latin1.Dockerfile");
    std::fs::write(&latin1, b"FROM alpine:3.20\nLABEL author=\"J\xfcrgen\"\n").unwrap();
    let empty_docker = dir.path().join("empty.Dockerfile");
    std::fs::write(&empty_docker, b"").unwrap();
    let empty_json = dir.path().join("empty.json");
    std::fs::write(&empty_json, b"").unwrap();
    let empty_yaml = dir.path().join("empty.yaml");
    std::fs::write(&empty_yaml, b"").unwrap();
    let out = dockpolicy()
        .args(["test", "-o", "json"])
        .args([&binary, &latin1, &empty_docker, &empty_json, &empty_yaml])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(TOOL_ERROR));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("binary.Dockerfile: binary file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("latin1.Dockerfile:2: not valid UTF-8 text at line 2"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("empty.Dockerfile:1: invalid Dockerfile: the Dockerfile has no instructions"),
        "{stderr}"
    );
    assert!(stderr.contains("empty.json:1: invalid JSON"), "{stderr}");
    // An empty YAML file is one `null` document, as conftest evaluates it: the rules run
    // on it (and pass), no error.
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let yaml = report
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["filename"].as_str().unwrap().ends_with("empty.yaml"))
        .unwrap();
    assert!(yaml["successes"].as_u64().unwrap() > 0, "{yaml}");
    assert!(yaml.get("error").is_none());
}

#[test]
fn policy_syntax_error_names_file_line_and_column() {
    dockpolicy()
        .args([
            "test",
            "-p",
            &fixture("policies/broken"),
            &fixture("project/Dockerfile"),
        ])
        .assert()
        .code(TOOL_ERROR)
        .stderr(predicate::str::is_match(r"bad\.rego:4:\d+").unwrap());
}

#[test]
fn policy_runtime_error_is_reported_per_file_without_aborting() {
    let run = |show_builtin_errors: bool| {
        let mut args = vec![
            "test".to_owned(),
            "-p".to_owned(),
            fixture("policies/runtime_error"),
            fixture("project/Dockerfile"),
            fixture("project/Dockerfile.good"),
        ];
        if show_builtin_errors {
            args.push("--show-builtin-errors".to_owned());
        }
        dockpolicy().args(args).output().unwrap()
    };
    // As in OPA and conftest, a builtin that fails (`to_number("openjdk:latest")`) leaves
    // its expression undefined...
    let out = run(false);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // ...unless --show-builtin-errors asks for the error, which each file then reports.
    let out = run(true);
    assert_eq!(out.status.code(), Some(TOOL_ERROR));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("ERROR - ").count(), 2, "{text}");
    assert!(text.contains("policy error in data.main.deny"), "{text}");
}

#[test]
fn large_inputs_are_handled() {
    let dir = tempfile::tempdir().unwrap();
    // ~10 MB Dockerfile: one FROM and long instructions (at most 10,000 of them: see
    // `hostile_expand.rs`).
    let big_docker = dir.path().join("big.Dockerfile");
    let mut text = String::from("FROM nginx\n");
    let line = format!(
        "RUN echo '{}'\n",
        "a fairly ordinary instruction ".repeat(40)
    );
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&line);
    }
    std::fs::write(&big_docker, &text).unwrap();
    dockpolicy()
        .args([
            "test",
            "-p",
            &fixture("policies/latest"),
            big_docker.to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("1 failure"));
    // ~50 MB JSON document.
    let big_json = dir.path().join("big.json");
    let item = r#"{"name":"item","labels":{"a":"b"},"values":[1,2,3,4,5,6,7,8,9,10]},"#;
    let mut json = String::from(r#"{"kind":"Pod","metadata":{"name":"big"},"items":["#);
    while json.len() < 50 * 1024 * 1024 {
        json.push_str(item);
    }
    json.pop();
    json.push_str("]}");
    std::fs::write(&big_json, &json).unwrap();
    dockpolicy()
        .args([
            "test",
            "-p",
            &fixture("policies/k8s"),
            "-n",
            "k8s",
            big_json.to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("pod big"));
}

#[test]
fn output_is_identical_whatever_the_thread_count_and_argument_order() {
    let inputs = [
        fixture("dockerfiles"),
        fixture("project"),
        fixture("inputs"),
        fixture("rules"),
    ];
    let run = |threads: &str, format: &str, reversed: bool| {
        let mut args: Vec<&str> = inputs.iter().map(String::as_str).collect();
        if reversed {
            args.reverse();
        }
        dockpolicy()
            .args(["test", "--no-color", "-j", threads, "-o", format])
            .args(args)
            .output()
            .unwrap()
            .stdout
    };
    for format in ["json", "stdout", "sarif", "junit", "github", "tap", "table"] {
        let one = run("1", format, false);
        assert!(one.len() > 100, "{format}");
        assert_eq!(one, run("2", format, false), "{format}, 2 threads");
        assert_eq!(one, run("8", format, true), "{format}, 8 threads, reversed");
        assert_eq!(one, run("1", format, true), "{format}, reversed");
    }
}

#[test]
fn parse_reports_unparsable_files_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("Dockerfile");
    std::fs::write(&bad, "FROM alpine:3.20\nCOPY onlyone\n").unwrap();
    dockpolicy()
        .args(["parse", bad.to_str().unwrap()])
        .assert()
        .code(TOOL_ERROR)
        .stderr(predicate::str::contains(format!(
            "{}:2: invalid Dockerfile: COPY requires at least two arguments",
            bad.display()
        )));
}

#[test]
fn timeout_stops_a_runaway_policy_and_the_other_inputs_complete() {
    let dir = tempfile::tempdir().unwrap();
    let slow = dir.path().join("slow.Dockerfile");
    let fast = dir.path().join("fast.Dockerfile");
    std::fs::write(&slow, "FROM slow:1\n").unwrap();
    std::fs::write(&fast, "FROM fast:1\n").unwrap();
    let start = std::time::Instant::now();
    let out = dockpolicy()
        .args([
            "test",
            "--timeout",
            "500ms",
            "-p",
            &fixture("policies/slow"),
        ])
        .args([&slow, &fast])
        .output()
        .unwrap();
    assert!(
        start.elapsed() < std::time::Duration::from_secs(30),
        "the limit ended the evaluation"
    );
    assert_eq!(out.status.code(), Some(TOOL_ERROR));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!(
            "ERROR - {} - policy error in data.main.deny: execution exceeded time limit",
            slow.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("main - checked"),
        "the other input still completes: {text}"
    );
    dockpolicy()
        .args(["test", "--timeout", "soon", &fixture("project/Dockerfile")])
        .assert()
        .code(TOOL_ERROR);
}

// --- conftest's settings: flags, CONFTEST_* variables, conftest.toml -------------------

/// A directory with `policy/main.rego` (one failure on a Deployment) and `deploy.yaml`.
fn conftest_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policy")).unwrap();
    std::fs::write(
        dir.path().join("policy/main.rego"),
        "package main\n\ndeny contains msg if {\n\tinput.kind == \"Deployment\"\n\tmsg := \"a Deployment\"\n}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("deploy.yaml"), "kind: Deployment\n").unwrap();
    dir
}

#[test]
fn flags_win_over_conftest_variables_which_win_over_conftest_toml() {
    let dir = conftest_project();
    std::fs::write(dir.path().join("conftest.toml"), "output = \"json\"\n").unwrap();
    let run = |env: Option<&str>, args: &[&str]| {
        let mut cmd = dockpolicy();
        cmd.current_dir(dir.path())
            .arg("test")
            .args(args)
            .arg("deploy.yaml");
        if let Some(output) = env {
            cmd.env("CONFTEST_OUTPUT", output);
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    assert!(run(None, &[]).starts_with('['), "the file's json");
    assert!(
        run(Some("tap"), &[]).starts_with("1..1"),
        "the variable's tap"
    );
    assert!(
        run(Some("tap"), &["-o", "stdout"]).starts_with("FAIL - deploy.yaml"),
        "the flag's stdout"
    );
}

#[test]
fn a_bad_conftest_setting_is_named_but_its_value_never_shown() {
    let dir = conftest_project();
    let out = dockpolicy()
        .current_dir(dir.path())
        .env("CONFTEST_OUTPUT", "s3cr3t-value")
        .env("CONFTEST_QUIET", "maybe-s3cr3t")
        .args(["test", "deploy.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(TOOL_ERROR));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("CONFTEST_"), "{stderr}");
    assert!(!stderr.contains("s3cr3t"), "{stderr}");
}

#[test]
fn stdin_filename_names_standard_input() {
    let dir = conftest_project();
    let out = dockpolicy()
        .current_dir(dir.path())
        .args([
            "test",
            "--parser",
            "yaml",
            "--stdin-filename",
            "from-ci.yaml",
            "-",
        ])
        .write_stdin("kind: Deployment\n")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("FAIL - from-ci.yaml - main - a Deployment"),
        "{stdout}"
    );
}

#[test]
fn trace_replaces_the_text_report_and_hides_the_inputs_secrets() {
    let dir = conftest_project();
    std::fs::write(
        dir.path().join("policy/main.rego"),
        "package main\n\ndeny contains msg if {\n\tmsg := sprintf(\"env %v\", [input.env])\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("deploy.yaml"),
        "env:\n- name: DB_PASSWORD\n  value: hunter2hunter2\n",
    )
    .unwrap();
    let out = dockpolicy()
        .current_dir(dir.path())
        .args(["test", "--trace", "deploy.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    assert!(
        stdout.starts_with("file: deploy.yaml | query: data.main.exception[_][_] == \"\"\n"),
        "{stdout}"
    );
    assert!(stdout.contains("| query: data.main.deny\n"), "{stdout}");
    // Each query's evaluation, statement by statement.
    assert!(
        stdout.contains(
            "TRAC   | Enter data.main.deny\nTRAC   | | Eval msg := sprintf(\"env %v\", [input.env])\n"
        ),
        "{stdout}"
    );
    assert!(
        !stdout.contains("FAIL"),
        "the trace instead of the report: {stdout}"
    );
    assert!(stderr.contains("| query: data.main.deny\n"), "{stderr}");
    assert!(!stdout.contains("hunter2") && !stderr.contains("hunter2"));
}
