//! What checking a file found, as every output format reads it: the findings of each
//! rule, grouped per (file, namespace) as conftest groups them, the files that could not
//! be checked, and the summary counts.
//!
//! It sits below both `policy` (which produces results) and `report` (which renders
//! them), so neither depends on the other for it.

pub mod locate;
mod severity;
pub mod yaml_path;

pub use severity::Severity;

use serde_json::{Map, Value};

/// One message from a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub msg: String,
    pub metadata: Map<String, Value>,
    /// 1-based line in the input, when the policy said where (`_loc` or `line`).
    pub line: Option<usize>,
    /// The file the policy named in `_loc.file`, when it differs from the input's name.
    pub file: Option<String>,
    /// What `_loc` pointed at when it gave no line (resolved against the source text).
    pub target: Option<locate::Target>,
    /// Last line of the offending construct (a multi-line Dockerfile instruction).
    pub end_line: Option<usize>,
}

impl Finding {
    pub fn new(msg: impl Into<String>) -> Self {
        Self {
            msg: msg.into(),
            metadata: Map::new(),
            line: None,
            file: None,
            target: None,
            end_line: None,
        }
    }

    /// A result object's message and metadata. conftest's reserved `_loc` key
    /// (`{"file": ..., "line": ...}`) becomes the location and leaves the metadata.
    pub fn with_metadata(msg: String, mut metadata: Map<String, Value>) -> Self {
        let loc = metadata.shift_remove("_loc");
        let loc_line = loc.as_ref().and_then(|l| l.get("line")).and_then(number);
        let file = loc
            .as_ref()
            .and_then(|l| l.get("file"))
            .and_then(|f| f.as_str())
            .filter(|f| !f.is_empty())
            .map(str::to_owned);
        let line = loc_line.or_else(|| line_of(&metadata));
        let target = if line.is_none() {
            loc.as_ref().and_then(locate::Target::from_loc)
        } else {
            None
        };
        Self {
            msg,
            metadata,
            line,
            file,
            target,
            end_line: None,
        }
    }
}

/// conftest's CheckResult: the outcome of one namespace on one file.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    pub filename: String,
    pub namespace: String,
    pub successes: usize,
    pub failures: Vec<Finding>,
    pub warnings: Vec<Finding>,
    pub exceptions: Vec<Finding>,
    /// Findings hidden by `# dockpolicy ignore=` pragmas.
    pub suppressed: Vec<Finding>,
    /// Tests `verify` skipped (`todo_test_` rules), each named as a message, as conftest
    /// reports them; `test` has none.
    pub skipped: Vec<Finding>,
    /// Keep the findings in the order the policy gave them (document by document, rule
    /// by rule as first defined, each rule's values in set order), as conftest reports a
    /// user's policies; `sort` then leaves them be.
    pub in_policy_order: bool,
    /// Where the namespace stands in the run's order: conftest reports namespaces in the
    /// order `--namespace` names them (0 for every namespace when that order says nothing).
    pub namespace_rank: usize,
}

impl CheckResult {
    pub fn new(filename: &str, namespace: &str) -> Self {
        Self {
            filename: filename.to_owned(),
            namespace: namespace.to_owned(),
            successes: 0,
            failures: Vec::new(),
            warnings: Vec::new(),
            exceptions: Vec::new(),
            suppressed: Vec::new(),
            skipped: Vec::new(),
            in_policy_order: false,
            namespace_rank: 0,
        }
    }

    /// Adds another document's outcome for the same file and namespace.
    pub fn absorb(&mut self, other: CheckResult) {
        self.successes += other.successes;
        self.failures.extend(other.failures);
        self.warnings.extend(other.warnings);
        self.exceptions.extend(other.exceptions);
        self.suppressed.extend(other.suppressed);
        self.skipped.extend(other.skipped);
    }

    /// Puts the findings in their canonical order: by line (findings without one last),
    /// then message; unless they are kept in the policy's order (`in_policy_order`).
    pub fn sort(&mut self) {
        if self.in_policy_order {
            return;
        }
        let order = |a: &Finding, b: &Finding| {
            (a.line.is_none(), a.line, &a.msg).cmp(&(b.line.is_none(), b.line, &b.msg))
        };
        self.failures.sort_by(order);
        self.warnings.sort_by(order);
        self.exceptions.sort_by(order);
        self.suppressed.sort_by(order);
    }

    /// How many policy checks (or `verify` tests) this result reports, as conftest counts
    /// them in "Testing ... against N policies".
    pub fn tests(&self) -> usize {
        self.successes
            + self.failures.len()
            + self.warnings.len()
            + self.exceptions.len()
            + self.skipped.len()
    }

    /// This result's part of the summary counts (`tests` and `errors` are left to
    /// `Report::counts`).
    pub fn counts(&self) -> Counts {
        Counts {
            passed: self.successes,
            warnings: self.warnings.len(),
            failures: self.failures.len(),
            exceptions: self.exceptions.len(),
            suppressed: self.suppressed.len(),
            skipped: self.skipped.len(),
            ..Counts::default()
        }
    }
}

/// A file that could not be checked, or a policy that failed on it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileError {
    pub filename: String,
    pub line: Option<usize>,
    pub message: String,
}

/// Totals for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub tests: usize,
    pub passed: usize,
    pub warnings: usize,
    pub failures: usize,
    pub exceptions: usize,
    pub suppressed: usize,
    pub skipped: usize,
    pub errors: usize,
}

impl Counts {
    /// Adds the findings `other` counts (`tests` and `errors` are `Report::counts`'s).
    pub fn add(&mut self, other: &Counts) {
        self.passed += other.passed;
        self.warnings += other.warnings;
        self.failures += other.failures;
        self.exceptions += other.exceptions;
        self.suppressed += other.suppressed;
        self.skipped += other.skipped;
    }
}

/// Result metadata that says where the finding is: a `line` key (1-based), or `loc.line`.
/// (conftest's reserved `_loc` is taken out of the metadata before this; see `Finding`.)
pub fn line_of(metadata: &Map<String, Value>) -> Option<usize> {
    let line = metadata
        .get("line")
        .or_else(|| metadata.get("loc").and_then(|l| l.get("line")))?;
    number(line)
}

/// A positive line number from a JSON number or numeric string.
pub fn number(value: &Value) -> Option<usize> {
    let n = match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    n.and_then(|l| usize::try_from(l).ok()).filter(|&l| l > 0)
}
