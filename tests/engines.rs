//! The bytecode VM and the interpreter must report the same thing. `test` runs the bundled
//! practices on regorus's VM for speed (see `src/policy/vm.rs`); these tests hold the two
//! engines to byte-identical JSON reports on every fixture, with user policies beside the
//! bundled ones, and on the real-world corpus when `DOCKPOLICY_CORPUS` is set.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The JSON report (and exit code) of `dockpolicy test` on one engine.
fn report(engine: &str, args: &[&str], inputs: &[PathBuf]) -> (String, Option<i32>) {
    let out = Command::cargo_bin("dockpolicy")
        .unwrap()
        .args(["test", "--no-color", "-o", "json", "--engine", engine])
        .args(args)
        .args(inputs)
        .output()
        .unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code())
}

fn assert_engines_agree(args: &[&str], inputs: &[PathBuf], fast: &str) {
    let (slow_report, slow_code) = report("interpreter", args, inputs);
    let (fast_report, fast_code) = report(fast, args, inputs);
    assert!(
        slow_report.len() > 100,
        "the comparison checked something: {slow_report}"
    );
    if slow_report != fast_report {
        let first = slow_report
            .lines()
            .zip(fast_report.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        let context = |r: &str| {
            r.lines()
                .skip(first.saturating_sub(8))
                .take(16)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "engines differ at line {}:\n--- interpreter\n{}\n--- {fast}\n{}",
            first + 1,
            context(&slow_report),
            context(&fast_report)
        );
    }
    assert_eq!(slow_code, fast_code);
}

#[test]
fn bundled_practices_agree_on_every_fixture() {
    // Dockerfiles, manifests, compose files, image configs and archives, valid or not.
    assert_engines_agree(&[], &[fixtures()], "auto");
}

#[test]
fn bundled_practices_agree_with_a_config_file() {
    assert_engines_agree(
        &[
            "--config",
            &fixtures().join("rules/config.yaml").to_string_lossy(),
        ],
        &[fixtures().join("inputs"), fixtures().join("dockerfiles")],
        "auto",
    );
}

#[test]
fn bundled_and_user_policies_together_agree() {
    // conftest-style v0 and v1 policies, exceptions, warn/violation prefixes, runtime
    // errors: the user's namespaces stay on the interpreter, the bundled ones on the VM.
    for (dir, args) in [
        ("policies/conftest_v0", vec!["--rego-version", "v0"]),
        ("policies/conventions", vec![]),
        ("policies/k8s", vec![]),
        ("policies/latest", vec![]),
        ("policies/runtime_error", vec![]),
    ] {
        let path = fixtures().join(dir);
        if !path.exists() {
            panic!("fixture {dir} is missing");
        }
        let mut all = vec![
            "--bundled",
            "-p",
            path.to_str().unwrap(),
            "--all-namespaces",
        ];
        all.extend(args);
        assert_engines_agree(
            &all,
            &[fixtures().join("dockerfiles"), fixtures().join("project")],
            "auto",
        );
    }
}

#[test]
fn bundled_practices_agree_on_the_corpus() {
    let Some(root) = std::env::var_os("DOCKPOLICY_CORPUS").map(PathBuf::from) else {
        eprintln!("SKIPPED: DOCKPOLICY_CORPUS is not set; the corpus comparison checked nothing");
        return;
    };
    assert_engines_agree(&[], &[root.join("dockerfiles"), root.join("k8s")], "auto");
}
