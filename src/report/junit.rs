//! JUnit XML (through `quick-junit`, the serializer cargo-nextest uses), for CI dashboards.
//!
//! quick-junit drops the characters XML cannot hold (control characters, ANSI escapes) from
//! every string but keeps line breaks, which XML can hold. Everything quoted from input
//! goes through `clean` here: secrets hidden (see `redact`), control characters escaped
//! visibly, and no line of the file beginning with `::` (a GitHub workflow command when
//! the report is printed in a CI log).

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::redact::{escape_controls_but_newlines, redact_error, redact_message};
use super::verify::VerifyReport;
use crate::policy::testing::Status;

/// A string for the report: control characters escaped visibly, line breaks kept but
/// no line starting a workflow command.
fn clean(s: &str) -> String {
    escape_controls_but_newlines(s).into_owned()
}

/// `verify` results: one test suite per package, one test case per test.
pub fn render_verify(report: &VerifyReport) -> String {
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for t in &report.tests {
        let status = match t.status {
            Status::Pass => TestCaseStatus::success(),
            Status::Skip => TestCaseStatus::skipped(),
            Status::Fail | Status::Error => {
                let kind = if t.status == Status::Fail {
                    NonSuccessKind::Failure
                } else {
                    NonSuccessKind::Error
                };
                let mut s = TestCaseStatus::non_success(kind);
                let message = clean(&redact_message(t.message.as_deref().unwrap_or_default()));
                s.set_message(format!(
                    "{}:{}: {}",
                    clean(&t.file),
                    t.line,
                    message.lines().next().unwrap_or_default()
                ));
                s.set_description(message);
                s
            }
        };
        let mut case = TestCase::new(t.name.as_str(), status);
        case.set_classname(t.package.as_str());
        case.set_time(t.duration);
        suites
            .entry(t.package.as_str())
            .or_insert_with(|| TestSuite::new(t.package.as_str()))
            .add_test_case(case);
    }
    let mut junit = Report::new("dockpolicy verify");
    junit.add_test_suites(suites.into_values());
    junit.to_string().unwrap_or_default()
}

/// `test` results: one test suite per file, one test case per rule (namespace)
/// evaluated on it; failures carry every message with its location. Warnings do not fail
/// a test case; they are listed in its system-out.
pub fn render_test(report: &super::Report) -> String {
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for r in &report.results {
        let filename = clean(&r.filename);
        let status = if r.failures.is_empty() {
            TestCaseStatus::success()
        } else {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let lines: Vec<String> = r
                .failures
                .iter()
                .map(|f| match f.line {
                    Some(l) => format!("{filename}:{l}: {}", redact_message(&f.msg)),
                    None => format!("{filename}: {}", redact_message(&f.msg)),
                })
                .collect();
            s.set_message(clean(&redact_message(&r.failures[0].msg)));
            s.set_description(clean(&lines.join("\n")));
            s
        };
        let mut case = TestCase::new(clean(&r.namespace), status);
        case.set_classname(filename.as_str());
        if !r.warnings.is_empty() {
            let text: Vec<String> = r
                .warnings
                .iter()
                .map(|w| format!("warning: {}", redact_message(&w.msg)))
                .collect();
            case.set_system_out(clean(&text.join("\n")));
        }
        suites
            .entry(r.filename.as_str())
            .or_insert_with(|| TestSuite::new(filename.as_str()))
            .add_test_case(case);
    }
    for e in &report.errors {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
        s.set_message(clean(&redact_error(&e.message)));
        let mut case = TestCase::new("dockpolicy", s);
        let filename = clean(&e.filename);
        case.set_classname(filename.as_str());
        suites
            .entry(e.filename.as_str())
            .or_insert_with(|| TestSuite::new(filename.as_str()))
            .add_test_case(case);
    }
    let mut junit = Report::new("dockpolicy test");
    junit.add_test_suites(suites.into_values());
    junit.to_string().unwrap_or_default()
}
