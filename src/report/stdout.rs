//! conftest's text output (`FAIL - file - namespace - message` and its summary line),
//! plus what conftest lacks: the location and the offending source line with a caret.
//!
//! Everything quoted from input (file names, messages, source lines, errors) goes through
//! `redact`: secrets hidden, control characters escaped, one line per line printed.

use std::fmt::Write as _;

use super::redact;
use super::{Counts, Finding, Report, Style};

/// Renders the report as text.
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    match write(report, &mut out) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Writes the report as text to `out`.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // Findings rendered in parallel, each part written as it is (a large tree's report
    // need never exist whole), then the errors and the summary.
    let style = report.style;
    super::write_in_parallel(
        &report.results,
        |results| {
            let mut part = String::new();
            for r in results {
                render_result(&mut part, &style, r, &|line| {
                    report.source_line(&r.filename, line)
                });
            }
            Ok(part.into_bytes())
        },
        b"",
        out,
    )?;
    let ending = Ending {
        errors: &report.errors,
        counts: report.counts(),
        color: style.color,
    };
    out.write_all(ending.render().as_bytes())
}

/// One file's results as text, with its source lines (`pointed_lines`) quoted: what
/// `write` prints for those results, made by the worker that checked the file.
pub fn render_file(
    results: &[super::CheckResult],
    lines: &std::collections::BTreeMap<usize, String>,
    style: &Style,
) -> Vec<u8> {
    let mut out = String::new();
    for r in results {
        render_result(&mut out, style, r, &|line| {
            lines.get(&line).map(String::as_str)
        });
    }
    out.into_bytes()
}

/// What ends the text report, after every file's findings: the errors and the summary.
pub struct Ending<'a> {
    pub errors: &'a [super::FileError],
    pub counts: Counts,
    pub color: bool,
}

impl Ending<'_> {
    /// The errors and the summary line, as text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for e in self.errors {
            let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "{} - {}{at} - {}",
                paint(self.color, "ERROR"),
                redact::message(&e.filename),
                redact::error_lines(&e.message)
            );
        }
        out.push('\n');
        let counts = &self.counts;
        let text = summary(counts);
        let tone = if counts.errors > 0 || counts.failures > 0 {
            "FAIL"
        } else if counts.warnings > 0 {
            "WARN"
        } else {
            "PASS"
        };
        out.push_str(&paint_as(self.color, tone, &text));
        out.push('\n');
        out
    }
}

/// One (file, namespace) result: its findings, each with its location and quoted line.
fn render_result<'a>(
    out: &mut String,
    style: &Style,
    r: &super::CheckResult,
    source: &dyn Fn(usize) -> Option<&'a str>,
) {
    let suppressed: &[Finding] = if style.show_suppressed {
        &r.suppressed
    } else {
        &[]
    };
    let exceptions: &[Finding] = if style.suppress_exceptions {
        &[]
    } else {
        &r.exceptions
    };
    // Made safe once per result, not once per finding.
    let filename = redact::message(&r.filename);
    let (indicator, namespace) = (indicator(&r.filename), redact::message(&r.namespace));
    for (label, findings) in [
        ("WARN", r.warnings.as_slice()),
        ("FAIL", r.failures.as_slice()),
        ("EXCP", exceptions),
        ("SUPP", suppressed),
    ] {
        for f in findings {
            let _ = writeln!(
                out,
                "{} {indicator} - {namespace} - {}",
                paint(style.color, label),
                redact::message_lines(&f.msg)
            );
            snippet(out, source, &filename, f);
        }
    }
}

/// The finding's location and quoted line; `filename` is already made safe to print.
fn snippet<'a>(
    out: &mut String,
    source: &dyn Fn(usize) -> Option<&'a str>,
    filename: &str,
    finding: &Finding,
) {
    let Some(line) = finding.line else { return };
    let _ = writeln!(out, "  --> {filename}:{line}");
    if let Some(raw) = source(line) {
        // Never quote a secret or a terminal escape, whichever policy pointed at the line.
        let text = redact::text(raw);
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
        format!("- {}", redact::message(filename))
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
