//! conftest's text output (`FAIL - file - namespace - message` and its summary line),
//! plus what conftest lacks: the location and the offending source line with a caret.

use std::fmt::Write as _;

use super::{Counts, Finding, Report};

/// Renders the report as text.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let none = Vec::new();
    for r in &report.results {
        let suppressed = if report.show_suppressed {
            &r.suppressed
        } else {
            &none
        };
        let total = r.successes
            + r.failures.len()
            + r.warnings.len()
            + r.exceptions.len()
            + r.suppressed.len();
        if total == 0 {
            let _ = writeln!(
                out,
                "? {} - {} - no policies found",
                indicator(&r.filename),
                r.namespace
            );
        }
        for (label, findings) in [
            ("WARN", &r.warnings),
            ("FAIL", &r.failures),
            ("EXCP", &r.exceptions),
            ("SUPP", suppressed),
        ] {
            for f in findings {
                let _ = writeln!(
                    out,
                    "{} {} - {} - {}",
                    paint(report.color, label),
                    indicator(&r.filename),
                    r.namespace,
                    f.msg
                );
                snippet(&mut out, report, &r.filename, f);
            }
        }
    }
    for e in &report.errors {
        let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "{} - {}{at} - {}",
            paint(report.color, "ERROR"),
            e.filename,
            e.message
        );
    }
    out.push('\n');
    let counts = report.counts();
    let text = summary(&counts);
    let tone = if counts.errors > 0 || counts.failures > 0 {
        "FAIL"
    } else if counts.warnings > 0 {
        "WARN"
    } else {
        "PASS"
    };
    out.push_str(&paint_as(report.color, tone, &text));
    out.push('\n');
    out
}

fn snippet(out: &mut String, report: &Report, filename: &str, finding: &Finding) {
    let Some(line) = finding.line else { return };
    let _ = writeln!(out, "  --> {filename}:{line}");
    if let Some(raw) = report.source_line(filename, line) {
        // Never quote a secret, whichever policy pointed at the line.
        let text = super::redact::redact(raw);
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

/// The label in its colour (conftest's: red, yellow, cyan), or plain.
fn paint(color: bool, label: &str) -> String {
    paint_as(color, label, label)
}

fn paint_as(color: bool, tone: &str, text: &str) -> String {
    use anstyle::AnsiColor;
    if !color {
        return text.to_owned();
    }
    let style = match tone {
        "FAIL" | "ERROR" => AnsiColor::Red.on_default(),
        "WARN" => AnsiColor::Yellow.on_default(),
        "EXCP" => AnsiColor::Cyan.on_default(),
        "SUPP" => AnsiColor::BrightBlack.on_default(),
        _ => AnsiColor::Green.on_default(),
    };
    format!("{}{text}{}", style.render(), style.render_reset())
}

/// conftest writes `- file` before the namespace, and a bare `-` for standard input.
fn indicator(filename: &str) -> String {
    if filename == "-" {
        "-".to_owned()
    } else {
        format!("- {filename}")
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
    if c.suppressed > 0 {
        s.push_str(&format!(", {} suppressed", c.suppressed));
    }
    if c.errors > 0 {
        s.push_str(&format!(", {}", plural(c.errors, "error")));
    }
    s
}
