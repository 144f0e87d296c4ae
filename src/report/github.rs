//! GitHub Actions workflow commands: `::error file=...,line=...,title=DP001::message`,
//! which GitHub turns into annotations on the pull request's diff.
//!
//! A command is a log line that starts with `::`, so nothing quoted from input may end a
//! line: CR and LF are %-encoded as GitHub's escaping says, other control characters
//! escaped visibly, and secrets hidden (see `redact`).

use std::fmt::Write as _;

use super::Report;
use super::redact;

/// Workflow command data: `%`, CR and LF are escaped (other control characters too, as
/// `\x1b`, so the log line carries no terminal escape).
fn data(s: &str) -> String {
    redact::escape_controls_to_encode_newlines(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow command property values also escape `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for r in &report.results {
        for (command, findings) in [("error", &r.failures), ("warning", &r.warnings)] {
            for f in findings {
                let title = f
                    .metadata
                    .get("id")
                    .and_then(|v| v.as_str())
                    .unwrap_or(&r.namespace);
                let mut props = format!(
                    "file={}",
                    property(f.file.as_deref().unwrap_or(&r.filename))
                );
                if let Some(line) = f.line {
                    let _ = write!(props, ",line={line}");
                    if let Some(end) = f.end_line.filter(|&e| e > line) {
                        let _ = write!(props, ",endLine={end}");
                    }
                }
                let _ = write!(props, ",title={}", property(title));
                let _ = writeln!(
                    out,
                    "::{command} {props}::{}",
                    data(&redact::redact_message(&f.msg))
                );
            }
        }
    }
    for e in &report.errors {
        let line = e.line.map(|l| format!(",line={l}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "::error file={}{line},title=dockpolicy::{}",
            property(&e.filename),
            data(&redact::redact_error(&e.message))
        );
    }
    let c = report.counts();
    let _ = writeln!(out, "{}", super::stdout::summary(&c));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_workflow_command_syntax() {
        assert_eq!(data("50% of\nlines"), "50%25 of%0Alines");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
        // A file name that would end the command and start another.
        assert_eq!(
            property("a\n::error file=x::INJECTED\r\x1b[31m.Dockerfile"),
            "a%0A%3A%3Aerror file=x%3A%3AINJECTED%0D\\x1b[31m.Dockerfile"
        );
    }
}
