//! Rendering `verify` outcomes as conftest renders them: each test is one conftest
//! result (file, empty namespace, `data.package.test_name` as the message of a failure
//! or a skip), which every `test` format renders (`results`); the text form, which adds
//! conftest's skipped count (`render_text`); `--trace`'s per-test headers
//! (`render_trace`); and `--report`, OPA's test report (`render_report`). The JSON form
//! with coverage (`render_json`) is dockpolicy's own.
//!
//! The policies under test may come from the scanned repository: in text, names and each
//! line of a message have their control characters escaped and secrets hidden (see
//! `redact`), so a message cannot add lines of its own or drive the terminal.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};

use super::{redact, trace};
use crate::findings::{CheckResult, Counts, Finding};
use crate::policy::eval_trace;
use crate::policy::testing::{FileCoverage, Status, TestCase, total_percent};

/// What a `verify` run produced.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    pub tests: Vec<TestCase>,
    /// Present with `--coverage`.
    pub coverage: Option<Vec<FileCoverage>>,
}

/// Totals of a run's tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerifyCounts {
    pub tests: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
}

impl VerifyReport {
    pub fn counts(&self) -> VerifyCounts {
        let mut c = VerifyCounts {
            tests: self.tests.len(),
            ..Default::default()
        };
        for t in &self.tests {
            match t.status {
                Status::Pass => c.passed += 1,
                Status::Fail => c.failed += 1,
                Status::Error => c.errors += 1,
                Status::Skip => c.skipped += 1,
            }
        }
        c
    }
}

/// The tests as conftest's results: one per test, in the tests' order. Errors have no
/// result (conftest stops at them before it reports).
pub fn results(tests: &[TestCase]) -> Vec<CheckResult> {
    tests
        .iter()
        .filter(|t| t.status != Status::Error)
        .map(|t| {
            let mut result = CheckResult::new(&t.file, "");
            match t.status {
                Status::Pass => result.successes = 1,
                Status::Fail => result.failures.push(Finding::new(t.query())),
                Status::Skip => result.skipped.push(Finding::new(t.query())),
                Status::Error => {}
            }
            result
        })
        .collect()
}

/// conftest's text output of `verify`: a `FAIL` line per failed test, then (our
/// addition, with `--coverage`) the coverage, then the summary with the skipped count.
pub fn render_text(
    results: &[CheckResult],
    coverage: Option<&[FileCoverage]>,
    color: bool,
) -> String {
    let mut out = String::new();
    for r in results {
        for f in &r.failures {
            let _ = writeln!(
                out,
                "{} - {} -  - {}",
                paint(color, Tone::Fail, "FAIL"),
                redact::message(&r.filename),
                redact::message(&f.msg)
            );
        }
    }
    if let Some(files) = coverage {
        out.push_str(&render_coverage(files));
    }
    let mut counts = Counts::default();
    for r in results {
        counts.add(&r.counts());
    }
    counts.tests = counts.passed + counts.failures + counts.skipped;
    let tone = if counts.failures > 0 {
        Tone::Fail
    } else {
        Tone::Pass
    };
    let summary = format!(
        "{}, {} skipped",
        super::stdout::summary(&counts),
        counts.skipped
    );
    let _ = writeln!(out, "\n{}", paint(color, tone, &summary));
    out
}

/// `--trace`: conftest's header for each test (`file: F | query: test_x`), green when it
/// passed, and the test's evaluation trace, a `TRAC` line per event.
pub fn render_trace(tests: &[TestCase], color: bool) -> String {
    let mut out = String::new();
    for t in tests.iter().filter(|t| t.status != Status::Error) {
        let tone = if t.status == Status::Pass {
            Tone::Pass
        } else {
            Tone::Fail
        };
        let header = format!(
            "file: {} | query: {}",
            redact::message(&t.file),
            redact::message(&t.name)
        );
        let _ = writeln!(out, "{}", paint(color, tone, &header));
        for line in eval_trace::event_lines(&t.trace) {
            let _ = writeln!(out, "{}  {line}", paint(color, Tone::Trace, "TRAC "));
        }
    }
    out
}

/// `--report`: OPA's verbose test report, as conftest prints it: each test under its
/// `file:line:`, with what it printed; the failures again, each with its evaluation trace
/// (`kind`: every event, `fails` or `notes` with their context) and the statement it
/// failed at; the totals.
pub fn render_report(tests: &[TestCase], kind: &str) -> String {
    let mut out = String::new();
    let mut last_file: Option<&str> = None;
    for t in tests.iter().filter(|t| t.status != Status::Error) {
        if last_file.is_some_and(|f| f != t.file) {
            out.push('\n');
        }
        last_file = Some(&t.file);
        let _ = writeln!(out, "{}:{}:", redact::message(&t.file), t.line);
        let _ = writeln!(out, "{}", outcome_line(t));
        let printed = t.output.join("\n");
        let printed = printed.trim();
        if !printed.is_empty() {
            out.push('\n');
            for line in redact::lines(printed).lines() {
                let _ = writeln!(out, "  {line}");
            }
            out.push('\n');
        }
    }
    let failed: Vec<&TestCase> = tests.iter().filter(|t| t.status == Status::Fail).collect();
    let rule = format!("{}\n", "-".repeat(80));
    if !failed.is_empty() {
        let _ = write!(out, "{rule}FAILURES\n{rule}");
        for t in failed {
            let events = eval_trace::for_report(&t.trace, kind);
            let _ = write!(
                out,
                "{}\n\n{}\n{}\n",
                outcome_line(t),
                trace::with_locations(&events),
                trace::failing_line(&events).map_or(String::new(), |line| line + "\n")
            );
        }
    }
    let counted: Vec<&TestCase> = tests.iter().filter(|t| t.status != Status::Error).collect();
    if !counted.is_empty() {
        out.push_str(&rule);
    }
    let total = counted.len();
    for (label, status) in [
        ("PASS", Status::Pass),
        ("FAIL", Status::Fail),
        ("SKIPPED", Status::Skip),
    ] {
        let n = counted.iter().filter(|t| t.status == status).count();
        if n > 0 {
            let _ = writeln!(out, "{label}: {n}/{total}");
        }
    }
    out
}

/// `data.main.test_x: PASS (1.2ms)`, as OPA words a test's outcome.
fn outcome_line(t: &TestCase) -> String {
    let query = redact::message(&t.query());
    match t.status {
        Status::Skip => format!("{query}: SKIPPED"),
        Status::Pass => format!("{query}: PASS ({})", go_duration(t.duration)),
        Status::Fail => format!("{query}: FAIL ({})", go_duration(t.duration)),
        Status::Error => format!("{query}: ERROR ({})", go_duration(t.duration)),
    }
}

/// A duration as Go prints one (`0s`, `850ns`, `12.5µs`, `1.234ms`, `2.5s`).
fn go_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    let (value, unit) = match nanos {
        0 => return "0s".to_owned(),
        1..1_000 => return format!("{nanos}ns"),
        1_000..1_000_000 => (nanos as f64 / 1e3, "µs"),
        1_000_000..1_000_000_000 => (nanos as f64 / 1e6, "ms"),
        _ => (nanos as f64 / 1e9, "s"),
    };
    let text = format!("{value:.9}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{unit}")
}

/// The coverage block of the text output (`--coverage`, dockpolicy's own).
fn render_coverage(files: &[FileCoverage]) -> String {
    let mut out = String::from("\nCoverage:\n");
    for f in files {
        let _ = writeln!(out, "  {:6.2}%  {}", f.percent(), redact::message(&f.file));
        if !f.not_covered.is_empty() {
            let _ = writeln!(out, "           not covered: {}", ranges(&f.not_covered));
        }
    }
    let _ = writeln!(out, "  {:6.2}%  total", total_percent(files));
    out
}

#[derive(Clone, Copy)]
enum Tone {
    Pass,
    Fail,
    Trace,
}

/// The text in conftest's colour for it (red for failures, green for passes, blue for
/// `TRAC`), or plain.
fn paint(color: bool, tone: Tone, text: &str) -> String {
    use anstyle::AnsiColor;
    if !color {
        return text.to_owned();
    }
    let style = match tone {
        Tone::Fail => AnsiColor::Red.on_default(),
        Tone::Pass => AnsiColor::Green.on_default(),
        Tone::Trace => AnsiColor::Blue.on_default(),
    };
    format!("{}{text}{}", style.render(), style.render_reset())
}

/// Line ranges (`3-5, 9`) read better than long lists.
fn ranges(lines: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = lines[i];
        let mut end = start;
        while i + 1 < lines.len() && lines[i + 1] == end + 1 {
            i += 1;
            end = lines[i];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    parts.join(", ")
}

/// dockpolicy's JSON document of a run with `--coverage`: every test with its status and
/// location, the totals, and the coverage (conftest's results array has no room for it).
pub fn render_json(report: &VerifyReport) -> String {
    let tests: Vec<Value> = report
        .tests
        .iter()
        .map(|t| {
            json!({
                "package": t.package,
                "name": t.name,
                "status": t.status.label().to_lowercase(),
                "duration_ms": t.duration.as_secs_f64() * 1000.0,
                "location": {"file": t.file, "line": t.line},
                "message": t.message.as_deref().map(redact::redact_message),
            })
        })
        .collect();
    let c = report.counts();
    let mut doc = json!({
        "tests": tests,
        "summary": {"tests": c.tests, "passed": c.passed, "failed": c.failed, "errors": c.errors, "skipped": c.skipped},
    });
    if let Some(files) = &report.coverage {
        let files: Vec<Value> = files
            .iter()
            .map(|f| json!({"file": f.file, "covered": f.covered, "not_covered": f.not_covered, "percent": f.percent()}))
            .collect();
        doc["coverage"] = json!({"files": files, "percent": total_percent(report.coverage.as_deref().unwrap_or_default())});
    }
    let mut text = super::json::to_string_pretty_safe(&doc);
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(name: &str, file: &str, status: Status, output: &[&str]) -> TestCase {
        TestCase {
            package: "main".into(),
            name: name.into(),
            file: file.into(),
            line: 3,
            status,
            duration: Duration::from_micros(1500),
            message: None,
            output: output.iter().map(|s| s.to_string()).collect(),
            trace: Vec::new(),
        }
    }

    #[test]
    fn names_cannot_drive_the_terminal_or_start_a_workflow_command() {
        let tests = vec![case(
            "test_x",
            "policy/a\n::error::INJECTED\x1b[2J.rego",
            Status::Fail,
            &["bad\n  ::error file=x::INJECTED\n\x1b]0;t\x07 DB_PASSWORD=x1234"],
        )];
        for text in [
            render_text(&results(&tests), None, false),
            render_report(&tests, "full"),
            render_trace(&tests, false),
        ] {
            assert!(
                !text.chars().any(|c| c.is_control() && c != '\n'),
                "{text:?}"
            );
            assert!(
                text.lines().all(|l| !l.trim_start().starts_with("::")),
                "{text}"
            );
            assert!(!text.contains("x1234"), "{text}");
        }
    }

    #[test]
    fn text_is_conftests_fail_lines_and_summary_with_skips() {
        let tests = vec![
            case("test_a", "p/a_test.rego", Status::Pass, &[]),
            case("test_b", "p/a_test.rego", Status::Fail, &[]),
            case("todo_test_c", "p/a_test.rego", Status::Skip, &[]),
        ];
        assert_eq!(
            render_text(&results(&tests), None, false),
            "FAIL - p/a_test.rego -  - data.main.test_b\n\n\
             3 tests, 1 passed, 0 warnings, 1 failure, 0 exceptions, 1 skipped\n"
        );
    }

    #[test]
    fn the_report_is_opas_with_prints_failures_and_totals() {
        let tests = vec![
            case("test_a", "p/a_test.rego", Status::Pass, &["hello", "world"]),
            case("test_b", "p/b_test.rego", Status::Fail, &[]),
        ];
        let rule = "-".repeat(80);
        assert_eq!(
            render_report(&tests, "full"),
            format!(
                "p/a_test.rego:3:\ndata.main.test_a: PASS (1.5ms)\n\n  hello\n  world\n\n\
                 \np/b_test.rego:3:\ndata.main.test_b: FAIL (1.5ms)\n\
                 {rule}\nFAILURES\n{rule}\ndata.main.test_b: FAIL (1.5ms)\n\n\n\n\
                 {rule}\nPASS: 1/2\nFAIL: 1/2\n"
            )
        );
    }

    #[test]
    fn durations_read_as_go_prints_them() {
        assert_eq!(go_duration(Duration::ZERO), "0s");
        assert_eq!(go_duration(Duration::from_nanos(850)), "850ns");
        assert_eq!(go_duration(Duration::from_nanos(568_919)), "568.919µs");
        assert_eq!(go_duration(Duration::from_millis(12)), "12ms");
        assert_eq!(go_duration(Duration::from_millis(2500)), "2.5s");
    }

    #[test]
    fn line_ranges_are_compact() {
        assert_eq!(ranges(&[1, 2, 3, 5, 7, 8]), "1-3, 5, 7-8");
        assert_eq!(ranges(&[]), "");
    }
}
