//! JUnit XML (through `quick-junit`, the serializer cargo-nextest uses), for CI dashboards.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::verify::VerifyReport;
use crate::policy::testing::Status;

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
                let message = t.message.clone().unwrap_or_default();
                s.set_message(format!(
                    "{}:{}: {}",
                    t.file,
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
