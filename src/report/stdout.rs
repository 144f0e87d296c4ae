//! conftest's text output (`FAIL - file - namespace - message` and its summary line),
//! plus what conftest lacks: the location and the offending source line with a caret.

use std::fmt::Write as _;

use super::{Counts, Finding, Report};

/// Renders the report as text.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for r in &report.results {
        for (label, findings) in [
            ("WARN", &r.warnings),
            ("FAIL", &r.failures),
            ("EXCP", &r.exceptions),
        ] {
            for f in findings {
                let _ = writeln!(
                    out,
                    "{label} - {} - {} - {}",
                    r.filename, r.namespace, f.msg
                );
                snippet(&mut out, report, &r.filename, f);
            }
        }
    }
    for e in &report.errors {
        let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
        let _ = writeln!(out, "ERROR - {}{at} - {}", e.filename, e.message);
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&summary(&report.counts()));
    out.push('\n');
    out
}

fn snippet(out: &mut String, report: &Report, filename: &str, finding: &Finding) {
    let Some(line) = finding.line else { return };
    let _ = writeln!(out, "  --> {filename}:{line}");
    if let Some(text) = report.source_line(filename, line) {
        let width = line.to_string().len();
        let indent = text.len() - text.trim_start().len();
        let marks = text.trim().chars().count().max(1);
        let _ = writeln!(out, "{:width$} |", "");
        let _ = writeln!(out, "{line} | {text}");
        let _ = writeln!(
            out,
            "{:width$} | {}{}",
            "",
            " ".repeat(indent),
            "^".repeat(marks)
        );
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `N tests, P passed, W warnings, F failures, E exceptions` (conftest's wording).
pub fn summary(c: &Counts) -> String {
    let mut s = format!(
        "{}, {} passed, {}, {}, {}",
        plural(c.tests, "test"),
        c.passed,
        plural(c.warnings, "warning"),
        plural(c.failures, "failure"),
        plural(c.exceptions, "exception"),
    );
    if c.errors > 0 {
        s.push_str(&format!(", {}", plural(c.errors, "error")));
    }
    s
}
