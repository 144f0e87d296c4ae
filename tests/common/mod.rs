//! Helpers shared by the integration tests (each test file is its own crate and includes
//! this module with `mod common;`).
// Each test crate uses some of these helpers, never all: the others are dead code there.
#![allow(dead_code)]

use std::path::Path;

use serde_json::Value;

/// The first entry of dockpolicy's `test -o json` report for `dir/policy` (package `main`
/// only, no bundled library) on `dir/input.json`, with `extra` flags: how the builtin
/// differential tests ask dockpolicy for a policy's answer.
pub fn main_package_entry(dir: &Path, extra: &[&str]) -> Value {
    let out = assert_cmd::Command::cargo_bin("dockpolicy")
        .unwrap()
        .args(["test", "--no-color", "-o", "json", "--no-bundled"])
        .args(extra)
        .args(["-n", "main", "-p"])
        .arg(dir.join("policy"))
        .arg(dir.join("input.json"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "no report from dockpolicy: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    report[0].clone()
}

/// The failures and warnings of one entry of a `test -o json` report.
pub fn failures_and_warnings(entry: &Value) -> impl Iterator<Item = Value> {
    let list = |key: &str| entry[key].as_array().cloned().unwrap_or_default();
    list("failures").into_iter().chain(list("warnings"))
}
