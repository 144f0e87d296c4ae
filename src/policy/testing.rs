//! Rego unit tests (`verify`): discovery, execution and coverage.
//!
//! regorus has no test runner, so this is ours, with OPA's semantics: every rule named
//! `test_*` is a test and passes only when it evaluates to `true`; `todo_test_*` rules are
//! skipped. A test that raises is an *error* and the run goes on, so every error can be
//! named (the command then stops as conftest does, see `commands::verify`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use regorus::unstable::{Rule, RuleHead};

use super::eval_trace::{self, TraceEvent};

/// How one test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    Error,
    Skip,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Error => "ERROR",
            Status::Skip => "SKIP",
        }
    }
}

/// One test's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    /// Package path without `data.`.
    pub package: String,
    pub name: String,
    /// Where the test is defined.
    pub file: String,
    pub line: u32,
    pub status: Status,
    pub duration: Duration,
    /// For failures: what the test evaluated to; for errors: the error.
    pub message: Option<String>,
    /// What the test printed (`print`), one entry per call, without the `file:line: `
    /// regorus puts first (OPA's test report shows the text alone). Not yet redacted.
    pub output: Vec<String>,
    /// The evaluation trace, when the run records one (`--trace`, `--report`).
    pub trace: Vec<TraceEvent>,
}

impl TestCase {
    /// `package.name`, the string `--run` matches.
    pub fn id(&self) -> String {
        format!("{}.{}", self.package, self.name)
    }

    /// The name OPA and conftest give the test: `data.package.name`.
    pub fn query(&self) -> String {
        format!("data.{}.{}", self.package, self.name)
    }
}

/// OPA's prefixes: a rule named `test_*` is a test, `todo_test_*` a test skipped.
const TEST_PREFIX: &str = "test_";
const SKIP_PREFIX: &str = "todo_test_";

/// A test rule found in the loaded modules.
struct Declared {
    package: String,
    name: String,
    file: String,
    line: u32,
    todo: bool,
}

/// Finds every `test_*` and `todo_*` rule, once per (package, name), in source order.
fn discover(engine: &mut regorus::Engine) -> Vec<Declared> {
    let mut found: BTreeMap<(String, String), Declared> = BTreeMap::new();
    for module in engine.get_modules() {
        let Ok(package) = regorus::utils::get_path_string(&module.package.refr, None) else {
            continue;
        };
        let file = lexically_clean(module.package.span.source.get_path());
        for rule in &module.policy {
            let Rule::Spec { span, head, .. } = rule.as_ref() else {
                continue;
            };
            let refr = match head {
                RuleHead::Compr { refr, .. } | RuleHead::Set { refr, .. } => refr,
                RuleHead::Func { .. } => continue,
            };
            let Ok(name) = regorus::utils::get_path_string(refr, None) else {
                continue;
            };
            let todo = name.starts_with(SKIP_PREFIX);
            if !(name.starts_with(TEST_PREFIX) || todo) {
                continue;
            }
            found
                .entry((package.clone(), name.clone()))
                .or_insert(Declared {
                    package: package.clone(),
                    name,
                    file: file.clone(),
                    line: span.line,
                    todo,
                });
        }
    }
    let mut tests: Vec<Declared> = found.into_values().collect();
    tests.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    tests
}

/// Runs the tests whose `package.name` matches `filter` (all when `None`). `timeout` is
/// the limit the engine was given (`load::set_time_limit`), which each test has on its
/// own; a test that runs out of it is an error, and the next test starts afresh. What a
/// test prints is kept in its `output`; with `trace`, how it was evaluated in `trace`.
pub fn run(
    engine: &mut regorus::Engine,
    filter: Option<&regex::Regex>,
    timeout: Option<Duration>,
    trace: bool,
) -> Vec<TestCase> {
    engine.set_eval_trace(trace);
    let mut out = Vec::new();
    // regorus's interpreter can keep state from an evaluation that failed half-way (the
    // same rule then gives nothing the next time it is asked): after an error the next
    // test starts from the engine as compiled.
    let pristine = engine.clone();
    for test in discover(engine) {
        let id = format!("{}.{}", test.package, test.name);
        if filter.is_some_and(|re| !re.is_match(&id)) {
            continue;
        }
        let mut case = TestCase {
            package: test.package,
            name: test.name,
            file: test.file,
            line: test.line,
            status: Status::Skip,
            duration: Duration::ZERO,
            message: None,
            output: Vec::new(),
            trace: Vec::new(),
        };
        if !test.todo {
            let start = Instant::now();
            let result = engine.eval_rule(format!("data.{id}"));
            case.duration = start.elapsed();
            (case.status, case.message) = match result {
                Ok(regorus::Value::Bool(true)) => (Status::Pass, None),
                Ok(regorus::Value::Undefined) => (Status::Fail, Some("undefined".to_owned())),
                Ok(other) => (Status::Fail, Some(format!("evaluated to {other}"))),
                Err(e) => {
                    let mut message = e.to_string().trim().to_owned();
                    if let Some(limit) = timeout
                        && message.contains("exceeded time limit")
                    {
                        message.push_str(&format!(" (--timeout {limit:?} per test)"));
                    }
                    (Status::Error, Some(message))
                }
            };
            // Taken after every test, so they never pile up over a run.
            case.output = engine
                .take_prints()
                .unwrap_or_default()
                .iter()
                .map(|p| without_location(p).to_owned())
                .collect();
            if trace {
                let (recorded, dropped) = engine.take_eval_trace();
                case.trace = eval_trace::of_test(
                    &case.query(),
                    recorded,
                    dropped,
                    case.status == Status::Pass,
                );
            }
            if case.status == Status::Error {
                *engine = pristine.clone();
            }
        }
        out.push(case);
    }
    out
}

/// A path as OPA names a policy file (Go's `filepath.Clean`): `./policy//a.rego` is
/// `policy/a.rego`, `a/../b.rego` is `b.rego`.
pub(crate) fn lexically_clean(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// A print as regorus gives it, `policy/a.rego:3: text`, without its location.
fn without_location(print: &str) -> &str {
    let mut rest = print;
    while let Some(at) = rest.find(": ") {
        let (before, after) = (&rest[..at], &rest[at + 2..]);
        let line = before.rsplit(':').next().unwrap_or_default();
        if before.contains(':') && !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) {
            return after;
        }
        rest = after;
    }
    print
}

/// Line coverage of one policy file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileCoverage {
    pub file: String,
    pub covered: Vec<u32>,
    pub not_covered: Vec<u32>,
}

impl FileCoverage {
    pub fn percent(&self) -> f64 {
        percent(self.covered.len(), self.not_covered.len())
    }
}

fn percent(covered: usize, not_covered: usize) -> f64 {
    let total = covered + not_covered;
    if total == 0 {
        100.0
    } else {
        covered as f64 * 100.0 / total as f64
    }
}

/// Overall coverage over several files.
pub fn total_percent(files: &[FileCoverage]) -> f64 {
    let covered = files.iter().map(|f| f.covered.len()).sum();
    let not_covered = files.iter().map(|f| f.not_covered.len()).sum();
    percent(covered, not_covered)
}

/// Coverage of the policy files (test files are not measured: they are the measure).
pub fn coverage(engine: &mut regorus::Engine) -> Result<Vec<FileCoverage>, String> {
    let report = engine.get_coverage_report().map_err(|e| e.to_string())?;
    let mut files: Vec<FileCoverage> = report
        .files
        .into_iter()
        .filter(|f| !f.path.ends_with("_test.rego"))
        .map(|f| FileCoverage {
            file: f.path,
            covered: f.covered.into_iter().collect(),
            not_covered: f.not_covered.into_iter().collect(),
        })
        .collect();
    // regorus reports only files that evaluated something. A policy file no test touched
    // is 0% covered: every line of its rules counts as not covered.
    for module in engine.get_modules() {
        let source = &module.package.span.source;
        let path = source.get_path().to_string();
        if path.ends_with("_test.rego") || files.iter().any(|f| f.file == path) {
            continue;
        }
        let mut lines: Vec<u32> = Vec::new();
        for rule in &module.policy {
            let span = rule.span();
            let text = &source.contents()[span.start as usize..span.end as usize];
            let rule_lines = u32::try_from(text.lines().count()).unwrap_or(1).max(1);
            for (offset, line) in text.lines().enumerate() {
                let trimmed = line.trim();
                if offset < rule_lines as usize
                    && !trimmed.is_empty()
                    && !trimmed.starts_with('#')
                    && trimmed != "}"
                {
                    lines.push(span.line + offset as u32);
                }
            }
        }
        lines.sort_unstable();
        lines.dedup();
        files.push(FileCoverage {
            file: path,
            covered: Vec::new(),
            not_covered: lines,
        });
    }
    files.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_cleaned_as_go_cleans_them() {
        assert_eq!(
            lexically_clean("./policy//a_test.rego"),
            "policy/a_test.rego"
        );
        assert_eq!(lexically_clean("a/../b.rego"), "b.rego");
        assert_eq!(lexically_clean("../x/./y.rego"), "../x/y.rego");
        assert_eq!(lexically_clean("/r/../p.rego"), "/p.rego");
    }

    #[test]
    fn prints_lose_the_location_regorus_puts_first() {
        assert_eq!(
            without_location("policy/a.rego:3: hello: world"),
            "hello: world"
        );
        assert_eq!(without_location("c:/x.rego:12: v"), "v");
        assert_eq!(without_location("no location"), "no location");
    }
}
