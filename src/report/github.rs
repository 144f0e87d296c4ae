//! GitHub Actions workflow commands, as conftest writes them: per file and namespace a
//! `::group::` with an annotation per failure (`::error`), warning (`::warning`) and
//! exception (`::notice`) and a notice counting the successful checks, then the summary
//! line. An annotation points at the line the policy gave (`_loc`), else line 1 of the
//! file; a location in another file is annotated there and, `(ORIGINATING FROM ...)`, in
//! the file checked.
//!
//! What conftest's form leaves out, where a workflow command has room for it: the lines
//! dockpolicy found itself, the end line of a multi-line instruction (`endLine`), and for
//! a rule declared in METADATA its id as the annotation's `title`. Files that could not be
//! checked are `::error` annotations before the summary.
//!
//! A command is a log line that starts with `::`, so nothing quoted from input may end a
//! line: CR and LF are %-encoded as GitHub's escaping says (conftest writes messages raw),
//! other control characters escaped visibly, and secrets hidden (see `redact`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::redact;
use super::{CheckResult, Finding, Report};
use crate::policy::Namespace;

/// Workflow command data: `%`, CR and LF are escaped (other control characters too, as
/// `\x1b`, so the log line carries no terminal escape).
fn data(s: &str) -> String {
    // `%` first, so the encoding of a line break is not encoded again.
    redact::percent_encode_newlines(&s.replace('%', "%25"))
}

/// Workflow command property values also escape `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report, catalog: &BTreeMap<String, Namespace>) -> String {
    let mut out = String::new();
    for r in &report.results {
        let all_passed = r.failures.is_empty() && r.warnings.is_empty() && r.exceptions.is_empty();
        if report.options.github_hide_passed && all_passed {
            continue;
        }
        let id = catalog.get(&r.namespace).and_then(Namespace::id);
        group(&mut out, r, id);
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
    let _ = writeln!(out, "{}", super::stdout::summary(&report.counts()));
    out
}

/// One file and namespace's group of annotations; `id` is the namespace's rule id, when
/// METADATA declares one.
fn group(out: &mut String, r: &CheckResult, id: Option<&str>) {
    let tests = r.tests();
    let _ = writeln!(
        out,
        "::group::Testing {} against {tests} policies in namespace {}",
        redact::go_quoted(&r.filename),
        redact::go_quoted(&r.namespace)
    );
    for (command, findings) in [
        ("error", &r.failures),
        ("warning", &r.warnings),
        ("notice", &r.exceptions),
    ] {
        for f in findings {
            annotate(out, command, &r.filename, f, id);
        }
    }
    for f in &r.skipped {
        let _ = writeln!(
            out,
            "::notice file={},line=1::Test was skipped: {}",
            property(&r.filename),
            data(&redact::redact_message(&f.msg))
        );
    }
    let _ = writeln!(
        out,
        "::notice file={},line=1::Number of successful checks: {}",
        property(&r.filename),
        r.successes
    );
    out.push_str("::endgroup::\n");
}

/// The annotation of one finding: at its line in the file checked, or at line 1; a
/// finding located in another file is annotated there, and again in the file checked
/// with where it came from.
fn annotate(out: &mut String, command: &str, filename: &str, f: &Finding, id: Option<&str>) {
    let message = data(&redact::redact_message(&f.msg));
    let title = id
        .map(|id| format!(",title={}", property(id)))
        .unwrap_or_default();
    match f.file.as_deref().filter(|other| *other != filename) {
        Some(other) => {
            let other = relative(other);
            let other = other.as_str();
            let line = f.line.map(|l| l.to_string()).unwrap_or_default();
            let _ = writeln!(
                out,
                "::{command} file={},line={line}{title}::{message}",
                property(other)
            );
            let _ = writeln!(
                out,
                "::{command} file={},line=1{title}::(ORIGINATING FROM {} L{line}) {message}",
                property(filename),
                data(other)
            );
        }
        None => {
            let mut lines = format!("line={}", f.line.unwrap_or(1));
            if let (Some(line), Some(end)) = (f.line, f.end_line)
                && end > line
            {
                let _ = write!(lines, ",endLine={end}");
            }
            let _ = writeln!(
                out,
                "::{command} file={},{lines}{title}::{message}",
                property(filename)
            );
        }
    }
}

/// `path` relative to the working directory when it is an absolute path under it, as
/// conftest names another file (inputs may be named by long absolute paths).
fn relative(path: &str) -> String {
    let absolute = std::path::Path::new(path);
    std::env::current_dir()
        .ok()
        .filter(|_| absolute.is_absolute())
        .and_then(|cwd| {
            absolute
                .strip_prefix(cwd)
                .ok()
                .map(|p| p.display().to_string())
        })
        .unwrap_or_else(|| path.to_owned())
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

    #[test]
    fn hide_passed_leaves_out_the_groups_where_everything_passed() {
        let mut report = Report::default();
        let mut passed = CheckResult::new("ok.yaml", "main");
        passed.successes = 2;
        let mut failed = CheckResult::new("bad.yaml", "main");
        failed.failures.push(Finding::new("no"));
        report.results = vec![failed, passed];
        let shown = render(&report, &BTreeMap::new());
        assert!(shown.contains("\"ok.yaml\""), "{shown}");
        report.options.github_hide_passed = true;
        let hidden = render(&report, &BTreeMap::new());
        assert!(!hidden.contains("ok.yaml") && hidden.contains("::error file=bad.yaml,line=1::no"));
        assert!(
            hidden.ends_with("3 tests, 2 passed, 0 warnings, 1 failure, 0 exceptions\n"),
            "{hidden}"
        );
    }

    #[test]
    fn another_file_under_the_working_directory_is_named_relative_to_it() {
        let cwd = std::env::current_dir().unwrap();
        let inside = cwd.join("charts/values.yaml");
        assert_eq!(
            relative(&inside.display().to_string()),
            "charts/values.yaml"
        );
        assert_eq!(relative("/elsewhere/values.yaml"), "/elsewhere/values.yaml");
        assert_eq!(relative("values.yaml"), "values.yaml");
    }

    #[test]
    fn names_are_quoted_as_go_quotes_them() {
        assert_eq!(redact::go_quoted("deployment.yaml"), "\"deployment.yaml\"");
        assert_eq!(
            redact::go_quoted("a\"b\\c\nd\x1b\u{202e}é"),
            "\"a\\\"b\\\\c\\nd\\x1b\\u202eé\""
        );
    }
}
