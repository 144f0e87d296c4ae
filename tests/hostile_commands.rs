//! The scanned repository is untrusted (issue 19), in every command that evaluates its
//! Rego, not only `test`: what a policy prints reaches standard error redacted and
//! escaped, and bounded; `verify`, `gatekeeper test` and `gatekeeper verify` stop a
//! policy that loops (`--timeout`) or builds huge values (`--memory-limit`); a Gatekeeper
//! template gets the same checks before parsing as a policy file; a case whose object
//! cannot be read is a tool error.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::{TOOL_ERROR, dockpolicy};

/// What a run left: stdout, stderr, exit code and how long it took.
struct Run {
    stdout: String,
    stderr: String,
    code: i32,
    took: Duration,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let start = Instant::now();
    let out = dockpolicy()
        .current_dir(dir)
        .args(args)
        // Far above what any case here needs with its --timeout, far below the minutes
        // the unbounded loops below would run.
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
        took: start.elapsed(),
    }
}

fn write(path: PathBuf, text: &str) -> PathBuf {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// A print that tries everything: a terminal escape, a line of its own that is a GitHub
/// workflow command, and a token (as Rego source, inside a string literal).
const HOSTILE_PRINT: &str = r#""\u001b[31mP\n::error::forged ghp_abcdefghijklmnopqrstuvwx""#;

/// The token of `HOSTILE_PRINT`, which must never be shown whole.
const TOKEN: &str = "ghp_abcdefghijklmnopqrstuvwx";

/// A secret value the scanned input holds, which a policy prints along with the input.
const SECRET: &str = "hunterIN";

/// Asserts `stderr` shows the hostile print made safe: after `origin`, the escape
/// written out, no line that starts a workflow command, no token or secret.
fn assert_print_made_safe(stderr: &str, origin: &str) {
    assert!(
        stderr.contains(origin),
        "the print is shown, with where it came from:\n{stderr}"
    );
    assert!(!stderr.contains('\x1b'), "no raw escape:\n{stderr}");
    assert!(
        stderr.contains("\\x1b[31mP"),
        "the escape written out:\n{stderr}"
    );
    for line in stderr.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "a line starts a workflow command: {line:?}"
        );
    }
    assert!(!stderr.contains(TOKEN), "the token is hidden:\n{stderr}");
    assert!(
        !stderr.contains(SECRET),
        "the input's secret is hidden:\n{stderr}"
    );
}

#[test]
fn test_shows_a_policys_print_redacted_escaped_and_with_its_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path().join("policy/a.rego"),
        &format!(
            "package main\nimport rego.v1\ndeny contains \"x\" if {{ print({HOSTILE_PRINT}, input) }}\n"
        ),
    );
    write(
        dir.path().join("Dockerfile"),
        &format!("FROM alpine:3\nENV DB_PASSWORD={SECRET}\n"),
    );
    // Kubernetes keeps a secret apart from its name: `{name: DB_PASSWORD, value: ...}`.
    write(
        dir.path().join("pod.yaml"),
        &format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    \
             image: nginx\n    env:\n    - name: DB_PASSWORD\n      value: {SECRET}\n"
        ),
    );
    // conftest's form, `PRNT  <policy>:<line>: <message>`: leading the text report, and
    // on standard error beside the other formats (conftest shows them nowhere there).
    for format in ["stdout", "json"] {
        let r = run(
            dir.path(),
            &["test", "-o", format, "Dockerfile", "pod.yaml"],
        );
        assert_eq!(r.code, 1, "the deny still fails the run: {}", r.stderr);
        let shown = if format == "stdout" {
            assert!(!r.stderr.contains("PRNT"), "{}", r.stderr);
            &r.stdout
        } else {
            assert!(
                !r.stdout.contains("PRNT"),
                "prints stay off the JSON report"
            );
            &r.stderr
        };
        assert_print_made_safe(shown, "PRNT   policy/a.rego:3: ");
        assert_eq!(
            shown.matches("PRNT ").count(),
            2,
            "one print per file:\n{shown}"
        );
    }
}

#[test]
fn print_output_is_capped_per_file() {
    let dir = tempfile::tempdir().unwrap();
    // 20,000 prints of 100 bytes: 2 MB, which a policy could repeat for every file.
    write(
        dir.path().join("policy/a.rego"),
        &format!(
            "package main\nimport rego.v1\ndeny contains \"x\" if {{ some i in numbers.range(1, 20000); print(\"{}\", i); false }}\n",
            "y".repeat(100)
        ),
    );
    write(dir.path().join("Dockerfile"), "FROM alpine:3\n");
    let r = run(dir.path(), &["test", "-o", "json", "Dockerfile"]);
    // Each print is a `PRNT   <print>` line (and a blank one): the prints themselves are
    // what is capped.
    let printed: usize = r
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("PRNT   "))
        .map(|l| l.len() + 1)
        .sum();
    assert!(printed > 32 * 1024, "prints are shown: {printed} bytes");
    assert!(
        printed <= 64 * 1024 + 200,
        "at most 64 KiB of prints per file, was {printed} bytes"
    );
    assert!(
        r.stderr.contains("(print output truncated at 64 KiB)"),
        "the cut is said: {}",
        &r.stderr[r.stderr.len().saturating_sub(300)..]
    );
}

#[test]
fn verify_shows_a_tests_print_made_safe() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path().join("policy/a_test.rego"),
        &format!(
            "package p\nimport rego.v1\ntest_print if {{ print({HOSTILE_PRINT}, \"DB_PASSWORD={SECRET}\") }}\n"
        ),
    );
    let r = run(dir.path(), &["verify"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_print_made_safe(&r.stderr, "p.test_print");
}

/// A Rego v1 test rule that would run for minutes: 10^10 iterations.
const LOOP_TEST: &str = "test_loop if { count([1 | some a in numbers.range(1, 100000); some b in numbers.range(1, 100000); a == -1]) == 0 }";

#[test]
fn verify_stops_a_test_at_its_timeout_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path().join("policy/a_test.rego"),
        &format!("package p\nimport rego.v1\n{LOOP_TEST}\ntest_ok if {{ true }}\n"),
    );
    let r = run(dir.path(), &["verify", "--timeout", "2s", "-o", "json"]);
    assert!(r.took < Duration::from_secs(60), "took {:?}", r.took);
    // A test that raises an error stops `verify` before it reports, as in conftest: a
    // tool error, naming the test and the limit.
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("data.p.test_loop")
            && r.stderr.contains("exceeded time limit")
            && r.stderr.contains("--timeout 2s per test"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("test_ok"), "{}", r.stderr);
}

#[test]
fn verify_has_the_memory_limit_of_test() {
    let dir = tempfile::tempdir().unwrap();
    // 10,000 `a`s each replaced by the whole string: 100 MB from one call, over a quarter
    // of 64 MiB; under the default 4 GiB it is built.
    write(
        dir.path().join("policy/a_test.rego"),
        "package p\nimport rego.v1\ntest_big if { s := concat(\"\", [\"a\" | some i in numbers.range(1, 10000)]); count(replace(s, \"a\", s)) > 0 }\ntest_ok if { true }\n",
    );
    let r = run(
        dir.path(),
        &["verify", "--memory-limit", "64MiB", "-o", "json"],
    );
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("data.p.test_big") && r.stderr.contains("memory limit"),
        "{}",
        r.stderr
    );
}

/// A ConstraintTemplate (Rego v0, as Gatekeeper's `rego:` field) whose `violation` is
/// `body` (indented Rego lines), with `libs` when given.
/// (Gatekeeper requires a template's name to be its kind lowercased: K8sHostile.)
fn template(name: &str, body: &str, libs: Option<&str>) -> String {
    let indent = |text: &str| -> String {
        text.lines()
            .map(|l| format!("        {l}\n"))
            .collect::<String>()
    };
    let libs = libs
        .map(|l| format!("    libs:\n    - |\n{}", indent(l)))
        .unwrap_or_default();
    let head = [
        "apiVersion: templates.gatekeeper.sh/v1",
        "kind: ConstraintTemplate",
        "metadata:",
        &format!("  name: {name}"),
        "spec:",
        "  crd:",
        "    spec:",
        "      names:",
        "        kind: K8sHostile",
        "  targets:",
        "  - target: admission.k8s.gatekeeper.sh",
    ]
    .join("\n");
    format!(
        "{head}\n{libs}    rego: |\n{}",
        indent(&format!("package {name}\n{body}"))
    )
}

const CONSTRAINT: &str = "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sHostile\n\
    metadata:\n  name: hostile\nspec:\n  match:\n    kinds:\n    - apiGroups: [\"\"]\n      kinds: [\"Pod\"]\n";

fn pod(name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: c\n    \
         image: nginx\n    env:\n    - name: DB_PASSWORD\n      value: {SECRET}\n"
    )
}

/// A v0 `violation` that loops for minutes on the object named `loop`, and prints.
fn looping_violation() -> String {
    format!(
        "violation[{{\"msg\": msg}}] {{\n  print({HOSTILE_PRINT}, input.review.object)\n  \
         input.review.object.metadata.name == \"loop\"\n  a := numbers.range(1, 100000)[_]\n  \
         b := numbers.range(1, 100000)[_]\n  a == -1\n  msg := \"never\"\n}}"
    )
}

#[test]
fn gatekeeper_test_stops_a_review_at_its_timeout_and_shows_prints_made_safe() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path().join("template.yaml"),
        &template("k8shostile", &looping_violation(), None),
    );
    write(dir.path().join("constraint.yaml"), CONSTRAINT);
    write(dir.path().join("a-loop.yaml"), &pod("loop"));
    write(dir.path().join("b-fine.yaml"), &pod("fine"));
    let r = run(
        dir.path(),
        &[
            "gatekeeper",
            "test",
            "-t",
            "template.yaml",
            "-c",
            "constraint.yaml",
            "-o",
            "json",
            "--timeout",
            "2s",
            "a-loop.yaml",
            "b-fine.yaml",
        ],
    );
    assert!(r.took < Duration::from_secs(60), "took {:?}", r.took);
    assert_eq!(r.code, TOOL_ERROR, "{}{}", r.stdout, r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let entries = report.as_array().unwrap();
    let entry = |file: &str| entries.iter().find(|e| e["filename"] == file).unwrap();
    assert!(
        entry("a-loop.yaml")["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("exceeded time limit")),
        "{report}"
    );
    assert_eq!(
        entry("b-fine.yaml")["successes"],
        1,
        "the other file is checked"
    );
    assert_print_made_safe(&r.stderr, "a-loop.yaml");
    assert_print_made_safe(&r.stderr, "b-fine.yaml");
}

#[test]
fn gatekeeper_test_has_the_memory_limit_of_test() {
    let dir = tempfile::tempdir().unwrap();
    let body = "violation[{\"msg\": \"big\"}] {\n  s := concat(\"\", [\"a\" | numbers.range(1, 10000)[_]])\n  count(replace(s, \"a\", s)) > 0\n}";
    write(
        dir.path().join("template.yaml"),
        &template("k8shostile", body, None),
    );
    write(dir.path().join("constraint.yaml"), CONSTRAINT);
    write(dir.path().join("pod.yaml"), &pod("p"));
    let r = run(
        dir.path(),
        &[
            "gatekeeper",
            "test",
            "-t",
            "template.yaml",
            "-c",
            "constraint.yaml",
            "-o",
            "json",
            "--memory-limit",
            "64MiB",
            "pod.yaml",
        ],
    );
    assert_eq!(r.code, TOOL_ERROR, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("memory limit"), "{}", r.stdout);
}

/// Rego whose brackets nest `n` deep: regorus's parser takes time exponential in `n`
/// (0.8 s at 20 levels, 22.6 s at 25, doubling per level).
fn nested(n: usize) -> String {
    format!("x := {}1{}", "[".repeat(n), "]".repeat(n))
}

#[test]
fn gatekeeper_templates_get_the_nesting_cap_of_policies() {
    let dir = tempfile::tempdir().unwrap();
    let deep = nested(40);
    write(
        dir.path().join("templates/rego.yaml"),
        &template(
            "k8shostile",
            &format!("{deep}\nviolation[{{\"msg\": \"m\"}}] {{ x == 1 }}"),
            None,
        ),
    );
    write(
        dir.path().join("templates/libs.yaml"),
        &template(
            "k8shostile",
            "violation[{\"msg\": \"m\"}] { false }",
            Some(&format!("package lib.deep\n{deep}")),
        ),
    );
    write(dir.path().join("constraint.yaml"), CONSTRAINT);
    write(dir.path().join("pod.yaml"), &pod("p"));
    let r = run(
        dir.path(),
        &[
            "gatekeeper",
            "test",
            "-t",
            "templates",
            "-c",
            "constraint.yaml",
            "-o",
            "json",
            "pod.yaml",
        ],
    );
    assert!(r.took < Duration::from_secs(60), "took {:?}", r.took);
    assert_eq!(r.code, TOOL_ERROR, "{}{}", r.stdout, r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    for file in ["templates/rego.yaml", "templates/libs.yaml"] {
        let message = report
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["filename"] == file)
            .and_then(|e| e["error"]["message"].as_str())
            .unwrap_or_default()
            .to_owned();
        assert!(
            message.contains("nest more than 16 deep"),
            "{file}: {report}"
        );
    }
}

/// A Gatekeeper suite in `dir` over `template.yaml`: a case for each `(name, object)`.
fn suite(dir: &Path, cases: &[(&str, &str)]) -> PathBuf {
    let cases: String = cases
        .iter()
        .map(|(name, object)| {
            format!(
                "  - name: {name}\n    object: {object}\n    assertions:\n    - violations: no\n"
            )
        })
        .collect();
    write(
        dir.join("suite.yaml"),
        &format!(
            "kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\ntests:\n- name: hostile\n  \
             template: template.yaml\n  constraint: constraint.yaml\n  cases:\n{cases}"
        ),
    )
}

#[test]
fn gatekeeper_verify_stops_a_case_at_its_timeout_and_runs_the_others() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path().join("template.yaml"),
        &template("k8shostile", &looping_violation(), None),
    );
    write(dir.path().join("constraint.yaml"), CONSTRAINT);
    write(dir.path().join("loop.yaml"), &pod("loop"));
    write(dir.path().join("fine.yaml"), &pod("fine"));
    suite(dir.path(), &[("loops", "loop.yaml"), ("fine", "fine.yaml")]);
    let r = run(
        dir.path(),
        &["gatekeeper", "verify", "--timeout", "2s", "suite.yaml"],
    );
    assert!(r.took < Duration::from_secs(60), "took {:?}", r.took);
    assert_eq!(r.code, TOOL_ERROR, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("ERROR suite.yaml / hostile / loops")
            && r.stdout.contains("exceeded time limit"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("PASS  suite.yaml / hostile / fine"),
        "{}",
        r.stdout
    );
    assert_print_made_safe(&r.stderr, "suite.yaml / hostile / fine");
}

#[test]
fn gatekeeper_verify_refuses_a_deeply_nested_template() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path().join("template.yaml"),
        &template(
            "k8shostile",
            &format!("{}\nviolation[{{\"msg\": \"m\"}}] {{ x == 1 }}", nested(40)),
            None,
        ),
    );
    write(dir.path().join("constraint.yaml"), CONSTRAINT);
    write(dir.path().join("pod.yaml"), &pod("p"));
    suite(dir.path(), &[("deep", "pod.yaml")]);
    let r = run(dir.path(), &["gatekeeper", "verify", "suite.yaml"]);
    assert!(r.took < Duration::from_secs(60), "took {:?}", r.took);
    assert_eq!(r.code, TOOL_ERROR, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("nest more than 16 deep"), "{}", r.stdout);
}

#[test]
fn gatekeeper_verify_an_unreadable_object_is_a_tool_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path().join("template.yaml"),
        &template("k8shostile", "violation[{\"msg\": \"m\"}] { false }", None),
    );
    write(dir.path().join("constraint.yaml"), CONSTRAINT);
    write(dir.path().join("pod.yaml"), &pod("p"));
    suite(
        dir.path(),
        &[("missing", "nothere.yaml"), ("fine", "pod.yaml")],
    );
    let r = run(dir.path(), &["gatekeeper", "verify", "suite.yaml"]);
    assert_eq!(r.code, TOOL_ERROR, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("ERROR suite.yaml / hostile / missing")
            && r.stdout.contains("nothere.yaml"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("PASS  suite.yaml / hostile / fine"),
        "{}",
        r.stdout
    );
}

#[test]
fn the_limits_flags_default_as_in_test() {
    for args in [
        &["verify", "--help"][..],
        &["gatekeeper", "test", "--help"],
        &["gatekeeper", "verify", "--help"],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let r = run(dir.path(), args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(
            r.stdout.contains("--timeout <DURATION>") && r.stdout.contains("[default: 10s]"),
            "{args:?}: {}",
            r.stdout
        );
        assert!(
            r.stdout.contains("--memory-limit <SIZE>") && r.stdout.contains("[default: 4GiB]"),
            "{args:?}: {}",
            r.stdout
        );
    }
}
