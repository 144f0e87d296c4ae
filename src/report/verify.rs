//! Rendering `verify` outcomes: text, JSON. (JUnit lives in `junit.rs`.)
//!
//! The policies under test may come from the scanned repository: in text, names and each
//! line of a message have their control characters escaped and secrets hidden (see
//! `redact`), so a message cannot add lines of its own or drive the terminal.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::redact;
use crate::policy::testing::{FileCoverage, Status, TestCase, total_percent};

/// What a `verify` run produced.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    pub tests: Vec<TestCase>,
    /// Present with `--coverage`.
    pub coverage: Option<Vec<FileCoverage>>,
}

/// Totals for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerifyCounts {
    pub tests: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
}

impl VerifyReport {
    pub fn counts(&self) -> VerifyCounts {
        let mut c = VerifyCounts {
            tests: self.tests.len(),
            ..Default::default()
        };
        for t in &self.tests {
            match t.status {
                Status::Pass => c.passed += 1,
                Status::Fail => c.failed += 1,
                Status::Error => c.errors += 1,
                Status::Skip => c.skipped += 1,
            }
        }
        c
    }
}

fn ms(t: &TestCase) -> String {
    format!("{:.3}ms", t.duration.as_secs_f64() * 1000.0)
}

pub fn summary(c: &VerifyCounts) -> String {
    format!(
        "{} tests, {} passed, {} failed, {} errors, {} skipped",
        c.tests, c.passed, c.failed, c.errors, c.skipped
    )
}

/// Line ranges (`3-5, 9`) read better than long lists.
fn ranges(lines: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = lines[i];
        let mut end = start;
        while i + 1 < lines.len() && lines[i + 1] == end + 1 {
            i += 1;
            end = lines[i];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    parts.join(", ")
}

pub fn render_text(report: &VerifyReport) -> String {
    let mut out = String::new();
    for t in &report.tests {
        let id = redact::message(&t.id());
        let _ = write!(out, "{:<5} {id} ({})", t.status.label(), ms(t));
        if matches!(t.status, Status::Fail | Status::Error) {
            let _ = write!(out, "\n      at {}:{}", redact::message(&t.file), t.line);
            if let Some(m) = &t.message {
                for line in m.lines() {
                    let _ = write!(out, "\n      {}", redact::lines(line));
                }
            }
        }
        out.push('\n');
    }
    if let Some(files) = &report.coverage {
        out.push_str("\nCoverage:\n");
        for f in files {
            let _ = writeln!(out, "  {:6.2}%  {}", f.percent(), redact::message(&f.file));
            if !f.not_covered.is_empty() {
                let _ = writeln!(out, "           not covered: {}", ranges(&f.not_covered));
            }
        }
        let _ = writeln!(out, "  {:6.2}%  total", total_percent(files));
    }
    out.push('\n');
    out.push_str(&summary(&report.counts()));
    out.push('\n');
    out
}

pub fn render_json(report: &VerifyReport) -> String {
    let tests: Vec<Value> = report
        .tests
        .iter()
        .map(|t| {
            json!({
                "package": t.package,
                "name": t.name,
                "status": t.status.label().to_lowercase(),
                "duration_ms": t.duration.as_secs_f64() * 1000.0,
                "location": {"file": t.file, "line": t.line},
                "message": t.message.as_deref().map(redact::redact_message),
            })
        })
        .collect();
    let c = report.counts();
    let mut doc = json!({
        "tests": tests,
        "summary": {"tests": c.tests, "passed": c.passed, "failed": c.failed, "errors": c.errors, "skipped": c.skipped},
    });
    if let Some(files) = &report.coverage {
        let files: Vec<Value> = files
            .iter()
            .map(|f| json!({"file": f.file, "covered": f.covered, "not_covered": f.not_covered, "percent": f.percent()}))
            .collect();
        doc["coverage"] = json!({"files": files, "percent": total_percent(report.coverage.as_deref().unwrap_or_default())});
    }
    let mut text = super::json::to_string_pretty_safe(&doc);
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_cannot_drive_the_terminal_or_start_a_workflow_command() {
        let report = VerifyReport {
            tests: vec![TestCase {
                package: "p".into(),
                name: "test_x".into(),
                file: "policy/a\n::error::INJECTED\x1b[2J.rego".into(),
                line: 3,
                status: Status::Error,
                duration: std::time::Duration::ZERO,
                message: Some(
                    "bad\n  ::error file=x::INJECTED\n\x1b]0;t\x07 DB_PASSWORD=x1234".into(),
                ),
            }],
            coverage: None,
        };
        let text = render_text(&report);
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert!(
            text.lines().all(|l| !l.trim_start().starts_with("::")),
            "{text}"
        );
        assert!(text.contains(r"\x3a:error file=x::INJECTED"), "{text}");
        assert!(!text.contains("x1234"), "{text}");
        assert!(!render_json(&report).contains("x1234"));
    }

    #[test]
    fn line_ranges_are_compact() {
        assert_eq!(ranges(&[1, 2, 3, 5, 7, 8]), "1-3, 5, 7-8");
        assert_eq!(ranges(&[]), "");
    }
}
