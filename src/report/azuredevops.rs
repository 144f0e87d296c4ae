//! Azure Pipelines logging commands, as conftest's `-o azuredevops` writes them: per file
//! and namespace a `##[section]` heading and a `##[group]` with a `##vso[task.logissue]`
//! per failure (`type=error`), warning and exception (`type=warning`) and the number of
//! successes, then the summary line.
//!
//! A logging command is a log line, so nothing quoted from input may end a line: CR and
//! LF are %-encoded as Azure's escaping says (conftest writes them raw), other control
//! characters escaped visibly, and secrets hidden (see `redact`). Files that could not be
//! checked are `type=error` issues before the summary.

use std::fmt::Write as _;

use super::Report;
use super::redact;

/// Command data on one line: CR and LF %-encoded, other control characters escaped.
fn data(s: &str) -> String {
    redact::percent_encode_newlines(s)
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for r in &report.results {
        let file = data(&r.filename);
        let tests = r.tests();
        let _ = writeln!(
            out,
            "##[section]Testing '{file}' against {tests} policies in namespace '{}'",
            data(&r.namespace)
        );
        out.push_str("##[group]See conftest results\n");
        for (kind, findings) in [
            ("error", &r.failures),
            ("warning", &r.warnings),
            ("warning", &r.exceptions),
        ] {
            for f in findings {
                let _ = writeln!(
                    out,
                    "##vso[task.logissue type={kind}] file={file} --> {}",
                    data(&redact::redact_message(&f.msg))
                );
            }
        }
        for f in &r.skipped {
            let _ = writeln!(
                out,
                "skipped file={file} {}",
                data(&redact::redact_message(&f.msg))
            );
        }
        if r.successes > 0 {
            let _ = writeln!(out, "success file={file} {}", r.successes);
        }
        out.push_str("##[endgroup]\n");
    }
    for e in &report.errors {
        let _ = writeln!(
            out,
            "##vso[task.logissue type=error] file={} --> {}",
            data(&e.filename),
            data(&redact::redact_error(&e.message))
        );
    }
    let _ = writeln!(out, "{}", super::stdout::summary(&report.counts()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_quoted_ends_the_line() {
        assert_eq!(
            data("a\r\n##vso[task.setvariable]x\x1b"),
            "a%0D%0A##vso[task.setvariable]x\\x1b"
        );
    }
}
