//! GitHub Actions workflow commands: `::error file=...,line=...,title=DP001::message`,
//! which GitHub turns into annotations on the pull request's diff.

use std::fmt::Write as _;

use super::Report;

/// Workflow command data: `%`, CR and LF are escaped.
fn data(s: &str) -> String {
    s.replace('%', "%25")
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
                let _ = writeln!(out, "::{command} {props}::{}", data(&f.msg));
            }
        }
    }
    for e in &report.errors {
        let line = e.line.map(|l| format!(",line={l}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "::error file={}{line},title=dockpolicy::{}",
            property(&e.filename),
            data(&e.message)
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
    }
}
