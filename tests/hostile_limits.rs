//! The scanned repository is untrusted (issue 19): its config file and `policy/` directory
//! must not switch checks off unseen, its policies must not exhaust memory inside one
//! builtin or time per rule, and ordinary pipelines (`| head`, `-j 1000`) must not crash
//! or bloat the run.

#[allow(dead_code)]
mod catalog;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

const TOOL_ERROR: i32 = 3;

fn dockpolicy() -> Command {
    let mut cmd = Command::cargo_bin("dockpolicy").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Runs `test -o json` in `dir`; returns the report, stderr and exit code.
fn run_in(dir: &Path, args: &[&str]) -> (Value, String, i32) {
    let out = dockpolicy()
        .current_dir(dir)
        .args(["test", "-o", "json"])
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    (
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// The error message reported for `name`, if any.
fn error_for(report: &Value, name: &str) -> Option<String> {
    report.as_array()?.iter().find_map(|e| {
        (e["filename"] == name)
            .then(|| e["error"]["message"].as_str().map(str::to_owned))
            .flatten()
    })
}

/// The results (not errors) reported for `name`.
fn results_for(report: &Value, name: &str) -> Vec<Value> {
    report
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["filename"] == name && e.get("error").is_none())
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

fn write(path: PathBuf, text: &str) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_config_that_disables_every_rule_is_an_error_not_a_clean_run() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path().join("Dockerfile"), "FROM alpine:3.20\n");
    let ids: Vec<String> = catalog::bundled_rules().into_iter().map(|r| r.id).collect();
    write(
        dir.path().join(".dockpolicy.yaml"),
        &format!("disabled_rules: [{}]\n", ids.join(", ")),
    );
    let (_, stderr, code) = run_in(dir.path(), &["Dockerfile"]);
    // Not `0 tests`, exit 0: that would be indistinguishable from a clean run.
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    assert!(
        stderr.contains(".dockpolicy.yaml disables every rule"),
        "{stderr}"
    );
}

#[test]
fn every_run_says_which_policy_set_and_config_file_ran() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.20\nUSER 1000\n",
    );
    write(
        dir.path().join(".dockpolicy.yaml"),
        "disabled_rules: [DP001, DP004]\nseverity: {DP002: warn}\n",
    );
    let (report, stderr, _) = run_in(dir.path(), &["Dockerfile"]);
    for expected in [
        "policy set: the bundled library",
        "config: .dockpolicy.yaml",
        "disabled: DP001, DP004",
        "severity changed: DP002=warn",
    ] {
        assert!(stderr.contains(expected), "{expected:?} in {stderr}");
    }
    // The JSON report stays conftest's array of per-file results.
    assert!(
        report
            .as_array()
            .is_some_and(|a| a.iter().all(|e| e["filename"] == "Dockerfile"))
    );

    let out = dockpolicy()
        .current_dir(dir.path())
        .args(["test", "-o", "sarif", "Dockerfile"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &sarif["runs"][0]["invocations"][0]["properties"]["dockpolicy"];
    assert_eq!(run["configFile"], ".dockpolicy.yaml", "{sarif}");
    assert_eq!(run["disabledRules"], serde_json::json!(["DP001", "DP004"]));
    assert_eq!(run["bundledLibrary"], true);

    // A one-rule `policy/` in the repository replaces the bundled library: said so.
    write(
        dir.path().join("policy/only.rego"),
        "package main\n\ndeny contains \"never\" if false\n",
    );
    std::fs::remove_file(dir.path().join(".dockpolicy.yaml")).unwrap();
    let (_, stderr, code) = run_in(dir.path(), &["Dockerfile"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("policy set: policy (1 file); 1 rule package evaluated (bundled library off); no config file"),
        "{stderr}"
    );
}

/// Runs `dockpolicy test` on `paths` in `dir` with its address space capped, so that a
/// guard that failed would end this one process rather than exhaust the shared machine.
fn run_capped(dir: &Path, args: &[&str]) -> (Value, String, i32) {
    let binary = assert_cmd::cargo::cargo_bin("dockpolicy");
    let out = StdCommand::new("sh")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .arg("-c")
        .arg("ulimit -v 6000000 && exec \"$0\" test -o json \"$@\"")
        .arg(&binary)
        .args(args)
        .output()
        .unwrap();
    (
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn a_builtin_building_a_huge_value_is_an_error_for_that_file_only() {
    // Each package blows up on its own input (whose second RUN carries 1 MiB); before,
    // `replace(s, "a", s)` grew to 4.2 GB and the process aborted (exit 134).
    let doubling = |step: &str| {
        let mut body = "x0 := s\n".to_owned();
        for i in 1..=20 {
            body.push_str(&format!(
                "\tx{i} := {}\n",
                step.replace("{}", &format!("x{}", i - 1))
            ));
        }
        body.push_str("\tcount(x20) > 0");
        body
    };
    let cases: Vec<(&str, String)> = vec![
        ("replace", "count(replace(s, \"a\", s)) > 0".into()),
        (
            "concat",
            "many := [s | some _ in numbers.range(1, 100000)]\n\tcount(concat(\"\", many)) > 0"
                .into(),
        ),
        (
            "sprintf",
            "count(sprintf(\"%999999999999s\", [s])) > 0".into(),
        ),
        (
            "replace_n",
            "count(strings.replace_n({\"a\": s}, s)) > 0".into(),
        ),
        ("doubling", doubling("concat(\"\", [{}, {}])")),
        ("arrays", {
            let mut b = doubling("array.concat({}, {})");
            b = b.replacen("x0 := s", "x0 := [s | some _ in numbers.range(1, 1000)]", 1);
            b
        }),
        (
            "marshal",
            doubling("[{}, {}]").replace("count(x20) > 0", "count(json.marshal(x20)) > 0"),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let big = "a".repeat(1 << 20);
    for (name, body) in &cases {
        write(
            dir.path().join(format!("policy/{name}.rego")),
            &format!(
                "package {name}\n\ndeny contains \"x\" if {{\n\tsome i in input\n\ti.Value[0] == \"{name}\"\n\ts := input[2].Value[0]\n\t{body}\n}}\n\ndeny contains \"seen\" if true\n"
            ),
        );
        write(
            dir.path().join(format!("{name}.Dockerfile")),
            &format!("FROM alpine:3.20\nRUN {name}\nRUN {big}\n"),
        );
    }
    // A rule whose value shares its parts: 2^20 copies of the 1 MiB input in the report.
    write(
        dir.path().join("policy/result.rego"),
        &format!(
            "package result\n\ndeny contains {{\"msg\": \"r\", \"v\": x20}} if {{\n\tsome i in input\n\ti.Value[0] == \"result\"\n\t{}\n}}\n",
            doubling("[{}, {}]")
                .replace("x0 := s", "x0 := input")
                .replace("\n\tcount(x20) > 0", "")
        ),
    );
    write(
        dir.path().join("result.Dockerfile"),
        &format!("FROM alpine:3.20\nRUN result\nRUN {big}\n"),
    );
    write(dir.path().join("good.Dockerfile"), "FROM alpine:3.20\n");
    let started = Instant::now();
    let (report, stderr, code) = run_capped(
        dir.path(),
        &["--all-namespaces", "--memory-limit", "256MiB", "."],
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    for name in cases.iter().map(|(n, _)| *n).chain(["result"]) {
        let msg = error_for(&report, &format!("./{name}.Dockerfile"))
            .unwrap_or_else(|| panic!("no error for {name}: {stderr}"));
        assert!(
            msg.contains("execution exceeded memory limit"),
            "{name}: {msg}"
        );
    }
    // The other file's results are all there: one per package, each with its finding.
    let good = results_for(&report, "./good.Dockerfile");
    assert_eq!(good.len(), cases.len() + 1, "{report}");
    for name in cases.iter().map(|(n, _)| *n) {
        assert!(
            good.iter()
                .any(|r| r["namespace"] == name && r["failures"][0]["msg"] == "seen"),
            "{name}: {report}"
        );
    }
}

#[test]
fn the_timeout_is_per_input_not_per_rule_package() {
    // Six packages that each loop for ever: the limit once applied to each of them
    // (6 s per input here), now to the input as a whole.
    let dir = tempfile::tempdir().unwrap();
    for i in 0..6 {
        write(
            dir.path().join(format!("policy/loop{i}.rego")),
            &format!(
                "package loop{i}\n\ndeny contains \"never\" if {{\n\tsome x in numbers.range(1, 100000)\n\tsome y in numbers.range(1, 100000)\n\tx + y == 0\n}}\n"
            ),
        );
    }
    write(dir.path().join("a.Dockerfile"), "FROM alpine:3.20\n");
    write(dir.path().join("b.Dockerfile"), "FROM alpine:3.20\n");
    let started = Instant::now();
    let (report, stderr, code) = run_in(
        dir.path(),
        &[
            "--all-namespaces",
            "--timeout",
            "1s",
            "-j",
            "1",
            "a.Dockerfile",
            "b.Dockerfile",
        ],
    );
    let elapsed = started.elapsed();
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    // One error per input (there was one per package), naming the time limit.
    for name in ["a.Dockerfile", "b.Dockerfile"] {
        let errors: Vec<&Value> = report
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["filename"] == name && e.get("error").is_some())
            .collect();
        assert_eq!(errors.len(), 1, "{report}");
        let msg = errors[0]["error"]["message"].as_str().unwrap();
        assert!(msg.contains("time limit"), "{msg}");
        assert!(
            msg.contains("--timeout 1s covers all rules of one input"),
            "{msg}"
        );
    }
    // Two inputs one after the other: about 2 s, where per-package limits took 12 s.
    assert!(elapsed < Duration::from_secs(8), "{elapsed:?}");
}

/// Runs `dockpolicy <args>` in `dir`, reads one byte of its output and closes the pipe;
/// returns its stderr and how it ended.
fn read_one_byte_then_close(dir: &Path, args: &[&str]) -> (String, std::process::ExitStatus) {
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("dockpolicy"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    stdout.read_exact(&mut byte).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (stderr, child.wait().unwrap())
}

#[test]
fn a_reader_that_stops_early_ends_the_run_quietly() {
    use std::os::unix::process::ExitStatusExt as _;
    let dir = tempfile::tempdir().unwrap();
    // Output well over a pipe's 64 KiB buffer, so writes go on after the reader left.
    for i in 0..200 {
        write(
            dir.path().join(format!("{i:03}.Dockerfile")),
            "FROM alpine:3.1\nRUN apt-get update && apt-get install -y curl\n",
        );
    }
    for args in [
        &["parse", "."][..],
        &["test", "."],
        &["test", "-o", "json", "."],
        &["test", "-o", "sarif", "."],
        &["test", "-o", "tap", "."],
    ] {
        let (stderr, status) = read_one_byte_then_close(dir.path(), args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        // Ended by SIGPIPE, as `cat` or `grep` are, or finished before it wrote again.
        assert!(
            status.signal() == Some(13) || matches!(status.code(), Some(0 | 1)),
            "{args:?}: {status:?}"
        );
    }
}

#[test]
fn a_thousand_workers_are_capped_at_what_the_run_can_use() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.20\nUSER 1000\n",
    );
    let started = Instant::now();
    let (report, stderr, code) = run_in(dir.path(), &["-j", "1000", "Dockerfile"]);
    assert_ne!(code, TOOL_ERROR, "{stderr}");
    assert!(!results_for(&report, "Dockerfile").is_empty());
    // One input, one worker (1,000 evaluators took 3 s and 600 MB): `worker_count`'s
    // unit test holds the arithmetic, this the end-to-end time.
    assert!(started.elapsed() < Duration::from_secs(30));
    let out = dockpolicy()
        .current_dir(dir.path())
        .args(["parse", "-j", "1000", "Dockerfile"])
        .output()
        .unwrap();
    assert!(out.status.success());
}

#[test]
fn guarded_builtins_keep_their_results_and_their_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.20\nUSER 1000\n",
    );
    write(
        dir.path().join("policy/ok.rego"),
        "package main\n\ndeny contains msg if {\n\tmsg := concat(\"-\", [replace(\"a.b\", \".\", \"/\"), sprintf(\"%d\", [7])])\n}\n",
    );
    let (report, stderr, code) = run_in(dir.path(), &["Dockerfile"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        results_for(&report, "Dockerfile")[0]["failures"][0]["msg"],
        "a/b-7"
    );
    // A type error is an error, as it is without the guard (and in OPA), never a silent
    // undefined that lets the file pass.
    write(
        dir.path().join("policy/ok.rego"),
        "package main\n\ndeny contains msg if {\n\tmsg := sprintf(\"%d\", \"not an array\")\n}\n",
    );
    let (report, stderr, code) = run_in(dir.path(), &["Dockerfile"]);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    let error = error_for(&report, "Dockerfile").unwrap_or_default();
    assert!(error.contains("expects array argument"), "{error}");
}

#[test]
fn a_policy_error_on_one_input_leaves_no_state_for_the_next() {
    // regorus's interpreter kept state from an evaluation that failed half-way: with one
    // worker, every other input silently passed where each should have been an error.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path().join("policy/walk.rego"),
        "package main\n\ndeny contains msg if {\n\twalk(input, [_, v])\n\tis_string(v)\n\tx := v + 1\n\tmsg := sprintf(\"%v\", [x])\n}\n",
    );
    let names: Vec<String> = (0..6).map(|i| format!("f{i}.json")).collect();
    for (i, name) in names.iter().enumerate() {
        write(dir.path().join(name), &format!("{{\"a\": \"s{i}\"}}"));
    }
    let mut args = vec!["-j", "1"];
    args.extend(names.iter().map(String::as_str));
    let (report, stderr, code) = run_in(dir.path(), &args);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    for name in &names {
        let error = error_for(&report, name).unwrap_or_default();
        assert!(
            error.contains("expects numeric argument"),
            "{name}: {report}"
        );
    }
}

/// Every configuration format, given a deep, malformed or odd file: an error naming the
/// file and its line where known, never a crash, and the other files still parsed.
#[test]
fn hostile_configuration_files_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let deep = 100_000;
    let cases: &[(&str, String)] = &[
        (
            "deep.toml",
            format!("a = {}{}\n", "[".repeat(deep), "]".repeat(deep)),
        ),
        (
            "deep.hcl",
            format!("a = {}{}\n", "[".repeat(deep), "]".repeat(deep)),
        ),
        (
            "deep.xml",
            format!("{}{}", "<a>".repeat(deep), "</a>".repeat(deep)),
        ),
        (
            "deep.cyclonedx",
            format!("{}{}", "[".repeat(deep), "]".repeat(deep)),
        ),
        (
            "long-line.spdx",
            format!(
                "SPDXVersion: SPDX-2.3\nDocumentComment: {}\n",
                "x".repeat(70_000)
            ),
        ),
        (
            "open-text.spdx",
            format!(
                "SPDXVersion: SPDX-2.3\nDocumentComment: <text>{}",
                "x\n".repeat(deep)
            ),
        ),
        (
            // One package listed again for each repeated SPDXID, with all its files.
            "repeated.spdx",
            format!(
                "SPDXVersion: SPDX-2.3\nPackageName: p\n{}{}",
                "SPDXID: SPDXRef-p\n".repeat(deep),
                (0..2_000)
                    .map(|i| format!("FileName: f{i}\nSPDXID: SPDXRef-f{i}\n"))
                    .collect::<String>()
            ),
        ),
        (
            "unknown-tag.spdx",
            "SPDXVersion: SPDX-2.3\nPackageLicense: MIT\n".to_owned(),
        ),
        ("bad.ini", "[open\n".to_owned()),
        ("bad.properties", "a=${b\n".to_owned()),
        (".env", "not a pair\n".to_owned()),
        ("bad.xml", "<a><b></a>".to_owned()),
    ];
    for (name, text) in cases {
        write(dir.path().join(name), text);
    }
    write(dir.path().join("good.toml"), "a = 1\n");
    let mut args = vec!["parse"];
    args.extend(cases.iter().map(|(name, _)| *name));
    args.push("good.toml");
    let out = dockpolicy()
        .current_dir(dir.path())
        .args(&args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(TOOL_ERROR), "{stderr}");
    for (name, _) in cases {
        assert!(
            stderr.contains(&format!("error: {name}")),
            "{name}: {stderr}"
        );
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("unknown-tag.spdx:2: invalid spdx at line 2: received unknown tag"),
        "{stderr}"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["good.toml"]["a"], 1);
}

#[test]
fn an_unknown_parser_names_the_ones_there_are() {
    let out = dockpolicy()
        .args(["parse", "--parser", "nope", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(TOOL_ERROR));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for name in ["dockerfile", "yaml", "toml", "hcl2", "ini", "dotenv", "xml"] {
        assert!(stderr.contains(name), "{name}: {stderr}");
    }
}

/// conftest's `parse_config_file` reads any path; a policy from the scanned repository
/// must not read the CI machine's files with it, through `..` or a symlink.
#[test]
fn parse_config_file_reads_only_inside_the_working_directory() {
    let root = tempfile::tempdir().unwrap();
    let work = root.path().join("work");
    write(
        root.path().join("outside.toml"),
        "secret = \"leaked-marker\"\n",
    );
    write(work.join("inside.toml"), "replicas = 3\n");
    write(work.join("in.yaml"), "kind: A\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.path().join("outside.toml"), work.join("link.toml")).unwrap();
    for (path, readable) in [
        ("../inside.toml", true),
        ("../../outside.toml", false),
        ("../link.toml", false),
    ] {
        write(
            work.join("policy/main.rego"),
            &format!(
                "package main\n\ndeny contains msg if {{\n\tc := parse_config_file({path:?})\n\tmsg := sprintf(\"%v\", [c])\n}}\n"
            ),
        );
        let (report, stderr, code) = run_in(&work, &["-p", "policy", "in.yaml"]);
        let text = format!("{report}{stderr}");
        assert!(!text.contains("leaked-marker"), "{path}: {text}");
        if readable {
            assert_eq!(code, 1, "{path}: {text}");
            assert!(text.contains("replicas"), "{path}: {text}");
        } else {
            assert_eq!(code, TOOL_ERROR, "{path}: {text}");
            assert!(
                text.contains("inside the working directory"),
                "{path}: {text}"
            );
        }
    }
}
