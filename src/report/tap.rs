//! TAP (Test Anything Protocol), as conftest prints it: one test line per result,
//! warnings and successes under `#` headings. Each test line is one line: whatever it
//! quotes is redacted and its control characters escaped (see `redact`).

use std::fmt::Write as _;

use super::Report;
use super::redact;

pub fn render(report: &Report) -> String {
    let c = report.counts();
    let total = c.tests + c.errors;
    let mut out = String::new();
    if total == 0 {
        return "0..0\n".into();
    }
    let _ = writeln!(out, "1..{total}");
    let mut n = 0;
    // Everything given to `line` is already safe: a result's file and namespace are made
    // so once, its messages each.
    let mut line = |out: &mut String, ok: bool, file: &str, ns: &str, msg: &str| {
        n += 1;
        let status = if ok { "ok" } else { "not ok" };
        let _ = writeln!(out, "{status} {n}{file} - {ns} - {msg}");
    };
    let shown = |file: &str| {
        if file == "-" {
            String::new()
        } else {
            format!(" - {}", redact::message(file))
        }
    };
    for r in &report.results {
        let file = shown(&r.filename);
        let ns = redact::message(&r.namespace);
        for f in &r.failures {
            line(&mut out, false, &file, &ns, &redact::message(&f.msg));
        }
        if !r.warnings.is_empty() {
            out.push_str("# warnings\n");
            for f in &r.warnings {
                line(&mut out, false, &file, &ns, &redact::message(&f.msg));
            }
        }
        if !r.exceptions.is_empty() {
            out.push_str("# exceptions\n");
            for f in &r.exceptions {
                line(&mut out, true, &file, &ns, &redact::message(&f.msg));
            }
        }
        if r.successes > 0 {
            out.push_str("# successes\n");
            for _ in 0..r.successes {
                line(&mut out, true, &file, &ns, "SUCCESS");
            }
        }
    }
    if !report.errors.is_empty() {
        out.push_str("# errors\n");
        for e in &report.errors {
            line(
                &mut out,
                false,
                &shown(&e.filename),
                "dockpolicy",
                &redact::error_text(&e.message.replace('\n', " ")),
            );
        }
    }
    out
}
