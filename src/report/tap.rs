//! TAP (Test Anything Protocol), as conftest prints it: one test line per result,
//! warnings and successes under `#` headings, nothing at all when there is no result.
//! Whatever a test line quotes is redacted and its control characters escaped (see
//! `redact`); a message's line breaks are kept, as conftest keeps them.

use std::fmt::Write as _;

use super::Report;
use super::redact;

pub fn render(report: &Report) -> String {
    let c = report.counts();
    let total = c.tests + c.errors;
    if total == 0 {
        return String::new();
    }
    let mut tap = Tap::default();
    let _ = writeln!(tap.out, "1..{total}");
    for r in &report.results {
        let file = shown(&r.filename);
        let ns = redact::message(&r.namespace);
        for f in &r.failures {
            tap.line(false, &file, &ns, &redact::message_lines(&f.msg));
        }
        if !r.skipped.is_empty() {
            tap.out.push_str("# skip\n");
            for f in &r.skipped {
                tap.line(true, &file, &ns, &redact::message_lines(&f.msg));
            }
        }
        if !r.warnings.is_empty() {
            tap.out.push_str("# warnings\n");
            for f in &r.warnings {
                tap.line(false, &file, &ns, &redact::message_lines(&f.msg));
            }
        }
        if !r.exceptions.is_empty() {
            tap.out.push_str("# exceptions\n");
            for f in &r.exceptions {
                tap.line(true, &file, &ns, &redact::message_lines(&f.msg));
            }
        }
        if r.successes > 0 {
            tap.out.push_str("# successes\n");
            for _ in 0..r.successes {
                tap.line(true, &file, &ns, "SUCCESS");
            }
        }
    }
    if !report.errors.is_empty() {
        tap.out.push_str("# errors\n");
        for e in &report.errors {
            tap.line(
                false,
                &shown(&e.filename),
                "dockpolicy",
                &redact::error_text(&e.message.replace('\n', " ")),
            );
        }
    }
    tap.out
}

/// The text so far and the number of the last test line.
#[derive(Default)]
struct Tap {
    out: String,
    n: usize,
}

impl Tap {
    /// One numbered test line. Everything given to it is already safe: a result's file
    /// and namespace are made so once, its messages each.
    fn line(&mut self, ok: bool, file: &str, ns: &str, msg: &str) {
        self.n += 1;
        let status = if ok { "ok" } else { "not ok" };
        let _ = writeln!(self.out, "{status} {}{file} - {ns} - {msg}", self.n);
    }
}

/// A file as a test line names it (` - path`), or nothing for standard input.
fn shown(file: &str) -> String {
    if file == "-" {
        String::new()
    } else {
        format!(" - {}", redact::message(file))
    }
}
