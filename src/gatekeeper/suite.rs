//! `gatekeeper verify`: Gatekeeper's published test `Suite` format
//! (`test.gatekeeper.sh/v1alpha1`), so Gatekeeper policies are tested in CI without a
//! cluster.
//!
//! ```yaml
//! kind: Suite
//! apiVersion: test.gatekeeper.sh/v1alpha1
//! tests:
//! - name: latest-tag
//!   template: templates/x.yaml        # paths relative to the suite file
//!   constraint: constraints/x.yaml
//!   cases:
//!   - name: pinned image is allowed
//!     object: samples/good.yaml
//!     inventory: [samples/namespace.yaml]
//!     assertions:
//!     - violations: no                # yes | no | a number
//!       message: latest               # optional regex: count only matching messages
//! ```

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::run::{Constraint, Template, Violation, inventory, review};
use crate::input;
use crate::input::confine::Tree;
use crate::policy::eval::PrintLog;

/// One case's outcome.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub suite: String,
    pub test: String,
    pub case: String,
    pub outcome: Outcome,
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Pass,
    /// The assertions do not hold: why.
    Fail(String),
    /// The case could not be run (a file it names cannot be read, its template does not
    /// compile, its evaluation failed or ran out of time): a tool error, as an unreadable
    /// input is in every other command, never a verdict on the policy.
    Error(String),
}

impl CaseResult {
    fn error(suite: &Path, test: &str, why: String) -> CaseResult {
        CaseResult {
            suite: suite.display().to_string(),
            test: test.to_owned(),
            case: String::new(),
            outcome: Outcome::Error(why),
        }
    }
}

/// Reads a suite's file, only when it resolves inside the tree of the path given (a suite
/// in a pull request may name `/etc/passwd` or a symlink out): the error never quotes a
/// file outside it.
fn load_yaml(path: &Path, tree: &Tree) -> Result<Vec<Value>, String> {
    let bytes = tree
        .read_capped(path, input::MAX_DOCUMENT)
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{}: not valid UTF-8 text", path.display()))?;
    input::yaml::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn first(path: &Path, tree: &Tree) -> Result<Value, String> {
    load_yaml(path, tree)?
        .into_iter()
        .next()
        .ok_or_else(|| format!("{}: empty", path.display()))
}

/// Suite files: the file itself, or every `*.yaml`/`*.yml` with `kind: Suite` under a directory.
pub fn find_suites(path: &Path, tree: &Tree) -> Result<Vec<PathBuf>, String> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    for entry in ignore::WalkBuilder::new(path).hidden(true).build() {
        let entry = entry.map_err(|e| e.to_string())?;
        let p = entry.path();
        let is_yaml = p.extension().is_some_and(|e| e == "yaml" || e == "yml");
        if p.is_file()
            && is_yaml
            && load_yaml(p, tree).is_ok_and(|docs| {
                docs.iter()
                    .any(|d| d.get("kind").and_then(Value::as_str) == Some("Suite"))
            })
        {
            out.push(p.to_path_buf());
        }
    }
    out.sort();
    Ok(out)
}

/// Runs one suite file. A suite that cannot be read, or a test whose template or
/// constraint cannot be, is one `Outcome::Error` result; the suite's other tests still run.
pub fn run_suite(
    path: &Path,
    tree: &Tree,
    timeout: Option<std::time::Duration>,
) -> Vec<CaseResult> {
    let base = path.parent().unwrap_or(Path::new("."));
    let suite = match first(path, tree) {
        Ok(suite) => suite,
        Err(why) => return vec![CaseResult::error(path, "", why)],
    };
    if suite.get("kind").and_then(Value::as_str) != Some("Suite") {
        let why = format!(
            "{}: not a Suite (kind: Suite, apiVersion: test.gatekeeper.sh/v1alpha1)",
            path.display()
        );
        return vec![CaseResult::error(path, "", why)];
    }
    let mut out = Vec::new();
    for test in suite
        .get("tests")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let test_name = test
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        match run_test(path, base, tree, test, &test_name, timeout) {
            Ok(results) => out.extend(results),
            Err(why) => out.push(CaseResult::error(path, &test_name, why)),
        }
    }
    out
}

/// Runs one test of a suite: loads its template and constraint, then runs every case.
fn run_test(
    path: &Path,
    base: &Path,
    tree: &Tree,
    test: &Value,
    test_name: &str,
    timeout: Option<std::time::Duration>,
) -> Result<Vec<CaseResult>, String> {
    let rel = |key: &str| test.get(key).and_then(Value::as_str).map(|p| base.join(p));
    let template = rel("template")
        .ok_or_else(|| format!("{}: test {test_name:?} has no template", path.display()))?;
    let constraint = rel("constraint")
        .ok_or_else(|| format!("{}: test {test_name:?} has no constraint", path.display()))?;
    let template = Template::load(&first(&template, tree)?, timeout)?;
    if template.cel {
        eprintln!(
            "note: {} / {}: template {} also has K8sNativeValidation (CEL) code, which gator \
             runs instead of its Rego; dockpolicy evaluates the Rego",
            crate::report::redact::message(&path.display().to_string()),
            crate::report::redact::message(test_name),
            crate::report::redact::message(&template.name)
        );
    }
    let constraint = template.constraint(&first(&constraint, tree)?)?;
    let mut out = Vec::new();
    for case in test
        .get("cases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let case_name = case
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let suite = path.display().to_string();
        let mut prints = PrintLog::new(&format!("{suite} / {test_name} / {case_name}"));
        let outcome = run_case(base, tree, &template, &constraint, case, &mut prints);
        prints.emit();
        out.push(CaseResult {
            suite,
            test: test_name.to_owned(),
            case: case_name,
            outcome,
        });
    }
    Ok(out)
}

fn run_case(
    base: &Path,
    tree: &Tree,
    template: &Template,
    constraint: &Constraint,
    case: &Value,
    prints: &mut PrintLog,
) -> Outcome {
    match evaluate_case(base, tree, template, constraint, case, prints) {
        Ok(violations) => match check_assertions(case, &violations) {
            Ok(Ok(())) => Outcome::Pass,
            Ok(Err(why)) => Outcome::Fail(why),
            Err(why) => Outcome::Error(why),
        },
        Err(why) => Outcome::Error(why),
    }
}

/// The violations of a case's object(s); `Err` when a file it names cannot be read or
/// the evaluation fails.
fn evaluate_case(
    base: &Path,
    tree: &Tree,
    template: &Template,
    constraint: &Constraint,
    case: &Value,
    prints: &mut PrintLog,
) -> Result<Vec<Violation>, String> {
    let object = case
        .get("object")
        .and_then(Value::as_str)
        .ok_or("case has no object")?;
    let mut inventory_objects = Vec::new();
    for p in case
        .get("inventory")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        inventory_objects.extend(load_yaml(&base.join(p), tree)?);
    }
    let inventory = inventory(&inventory_objects);
    let mut violations = Vec::new();
    for doc in load_yaml(&base.join(object), tree)? {
        let review = review(&doc)?;
        violations.extend(template.evaluate(constraint, &review, &inventory, prints)?);
    }
    Ok(violations)
}

/// Whether the case's assertions hold over `violations`: `Ok(Err(why))` when one does
/// not, `Err` when an assertion is malformed (a bad regex, an unknown `violations`).
fn check_assertions(case: &Value, violations: &[Violation]) -> Result<Result<(), String>, String> {
    for assertion in case
        .get("assertions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let matching: Vec<&str> = match assertion.get("message").and_then(Value::as_str) {
            Some(pattern) => {
                let re =
                    regex::Regex::new(pattern).map_err(|e| format!("bad message regex: {e}"))?;
                violations
                    .iter()
                    .map(|v| v.msg.as_str())
                    .filter(|m| re.is_match(m))
                    .collect()
            }
            None => violations.iter().map(|v| v.msg.as_str()).collect(),
        };
        let n = matching.len();
        let ok = match assertion.get("violations") {
            Some(Value::String(s)) if s == "yes" => n > 0,
            Some(Value::String(s)) if s == "no" => n == 0,
            Some(Value::Bool(true)) => n > 0,
            Some(Value::Bool(false)) => n == 0,
            Some(Value::Number(want)) => want.as_u64() == Some(n as u64),
            None => n > 0,
            Some(other) => {
                return Err(format!(
                    "violations must be yes, no or a number, got {other}"
                ));
            }
        };
        if !ok {
            let all: Vec<&str> = violations.iter().map(|v| v.msg.as_str()).collect();
            return Ok(Err(format!(
                "expected violations: {}, got {n} matching (all: {all:?})",
                assertion.get("violations").cloned().unwrap_or(Value::Null)
            )));
        }
    }
    Ok(Ok(()))
}
