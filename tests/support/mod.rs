//! What the hostile-input test files share: running the binary, reading its JSON report,
//! and writing tar entries by hand (the tar crate's builder refuses `..` and absolute
//! paths, which is exactly what a hostile archive contains).
//!
//! Each test file uses part of it; the rest is dead code there.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The exit code of a tool error (a file that could not be checked, a bad policy).
pub const TOOL_ERROR: i32 = 3;

/// The binary, without colours.
pub fn dockpolicy() -> Command {
    let mut cmd = Command::cargo_bin("dockpolicy").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// The error message a JSON report gives for `path`, if any.
pub fn error_for(report: &Value, path: &Path) -> Option<String> {
    let name = path.display().to_string();
    report.as_array()?.iter().find_map(|e| {
        (e["filename"] == name.as_str())
            .then(|| e["error"]["message"].as_str().map(str::to_owned))
            .flatten()
    })
}

/// Whether a JSON report evaluated `path` (has results, not an error).
pub fn checked(report: &Value, path: &Path) -> bool {
    let name = path.display().to_string();
    report.as_array().is_some_and(|a| {
        a.iter()
            .any(|e| e["filename"] == name.as_str() && e.get("error").is_none())
    })
}

/// A Dockerfile that every bundled practice accepts, to show a run goes on.
pub fn good_dockerfile(dir: &Path) -> PathBuf {
    let p = dir.join("good.Dockerfile");
    std::fs::write(&p, "FROM alpine:3.20\nUSER 1000\n").unwrap();
    p
}

/// Appends a tar entry with a raw name and link name.
pub fn raw_entry(out: &mut Vec<u8>, name: &str, kind: tar::EntryType, data: &[u8], link: &str) {
    let mut header = tar::Header::new_gnu();
    header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    header.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
    header.set_entry_type(kind);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
}

/// Ends a tar written with `raw_entry`.
pub fn finish_tar(mut out: Vec<u8>) -> Vec<u8> {
    out.extend_from_slice(&[0u8; 1024]);
    out
}
