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

use super::run::{Constraint, Template, inventory, reviews};
use crate::input;
use crate::input::confine::Tree;

/// One case's outcome.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub suite: String,
    pub test: String,
    pub case: String,
    /// None when the case passed; otherwise why it failed.
    pub failure: Option<String>,
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

/// Runs one suite file.
pub fn run_suite(path: &Path, tree: &Tree) -> Result<Vec<CaseResult>, String> {
    let base = path.parent().unwrap_or(Path::new("."));
    let suite = first(path, tree)?;
    if suite.get("kind").and_then(Value::as_str) != Some("Suite") {
        return Err(format!(
            "{}: not a Suite (kind: Suite, apiVersion: test.gatekeeper.sh/v1alpha1)",
            path.display()
        ));
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
        let rel = |key: &str| test.get(key).and_then(Value::as_str).map(|p| base.join(p));
        let template = rel("template")
            .ok_or_else(|| format!("{}: test {test_name:?} has no template", path.display()))?;
        let constraint = rel("constraint")
            .ok_or_else(|| format!("{}: test {test_name:?} has no constraint", path.display()))?;
        let template = Template::load(&first(&template, tree)?)?;
        let constraint = Constraint::load(&first(&constraint, tree)?)?;
        if constraint.kind != template.kind {
            return Err(format!(
                "{}: constraint kind {} does not match template kind {}",
                path.display(),
                constraint.kind,
                template.kind
            ));
        }
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
            let failure = run_case(base, tree, &template, &constraint, case).err();
            out.push(CaseResult {
                suite: path.display().to_string(),
                test: test_name.clone(),
                case: case_name,
                failure,
            });
        }
    }
    Ok(out)
}

fn run_case(
    base: &Path,
    tree: &Tree,
    template: &Template,
    constraint: &Constraint,
    case: &Value,
) -> Result<(), String> {
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
        for review in reviews(&doc) {
            if constraint.matches(&review.object) {
                violations.extend(template.review(constraint, &review, &inventory)?);
            }
        }
    }
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
            return Err(format!(
                "expected violations: {}, got {n} matching (all: {all:?})",
                assertion.get("violations").cloned().unwrap_or(Value::Null)
            ));
        }
    }
    Ok(())
}
