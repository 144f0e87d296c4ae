//! `gatekeeper verify`: Gatekeeper's published test `Suite` format
//! (`test.gatekeeper.sh/v1alpha1`), run with `gator verify`'s semantics, so Gatekeeper
//! policies are tested in CI without a cluster and without gator.
//!
//! ```yaml
//! kind: Suite
//! apiVersion: test.gatekeeper.sh/v1alpha1
//! skip: false                         # true: the whole suite is skipped
//! tests:
//! - name: latest-tag
//!   template: templates/x.yaml        # paths relative to the suite file
//!   constraint: constraints/x.yaml
//!   expansion: expansion.yaml         # optional: ExpansionTemplates (Deployment -> Pod)
//!   skip: false                       # true: the test is skipped
//!   invalid: false                    # true: the constraint must fail its schema
//!   cases:
//!   - name: pinned image is allowed
//!     object: samples/good.yaml       # exactly one object (or an AdmissionReview)
//!     inventory: [samples/ns.yaml]    # objects for data.inventory
//!     skip: false
//!     assertions:                     # at least one
//!     - violations: no                # yes | no | a number; default yes
//!       message: latest               # optional regex: count only matching messages
//! ```
//!
//! What gator does, and so what this does (pkg/gator/verify):
//! * a test first loads its template, checked as Gatekeeper checks one (see
//!   [`super::validate`]), and its constraint, checked against the template's CRD (see
//!   `Template::constraint` and [`super::schema`]); with `invalid: true` the test passes
//!   exactly when that check fails with a schema error, and its cases are not run;
//! * a case errs (never passes) without an object, without assertions, or when its object
//!   file holds other than one object;
//! * `data.inventory` holds the case's `inventory` objects only (the object under review
//!   is not added), as `cluster[groupVersion][kind][name]` and
//!   `namespace[ns][groupVersion][kind][name]`; it is `{}` without inventory;
//! * the object is reviewed as an `Original` resource with no admission operation, an
//!   AdmissionReview as the request it carries (see [`super::review`]); the constraint's
//!   `spec.match` decides (see [`super::matching`]), its `namespaceSelector` reading the
//!   inventory's Namespace objects; with an `expansion`, each resource a plain object
//!   stands for is reviewed as `Generated`, its violations counted with the object's and
//!   their messages prefixed `[Implied by <template>]`;
//! * a constraint with `enforcementAction: scoped` is only enforced when one of its
//!   `scopedEnforcementActions` names the `gator.gatekeeper.sh` enforcement point (or `*`);
//! * an assertion counts the violations whose message its `message` regex matches (all,
//!   without one), and needs at least one (`yes`), none (`no`) or exactly N. The regex is
//!   only compiled when there is a violation to match, as in gator.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::expansion::Expander;
use super::run::{
    Constraint, ConstraintError, Inventory, Review, Source, Template, reaches_gator, review,
};
use crate::input;
use crate::input::confine::Tree;
use crate::policy::eval::PrintLog;

/// The API group of suites.
const SUITE_GROUP: &str = "test.gatekeeper.sh";

/// How a suite, a test or a case ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// For a case: its assertions hold. For a test: it could run (its cases say the
    /// rest), or, with `invalid: true`, its constraint was rejected as expected.
    Pass,
    /// The assertions do not hold (or an `invalid: true` constraint was accepted): why.
    Fail(String),
    /// It could not be run (a file it names cannot be read, its template does not
    /// compile, the case is malformed, its evaluation failed or ran out of time): a tool
    /// error, as an unreadable input is in every other command, never a verdict on the
    /// policy.
    Error(String),
    /// `skip: true`.
    Skip,
}

impl Outcome {
    /// The word shown and written to JSON.
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail(_) => "fail",
            Outcome::Error(_) => "error",
            Outcome::Skip => "skip",
        }
    }

    /// Why it failed or erred.
    pub fn message(&self) -> Option<&str> {
        match self {
            Outcome::Fail(why) | Outcome::Error(why) => Some(why),
            _ => None,
        }
    }
}

/// `--run`: which tests and cases run, as gator's `--run` selects them; the others are
/// reported skipped. `A` alone runs the cases whose name, or whose test's name, `A`
/// matches (and the tests holding one); `A//B` runs the cases matching `B` in the tests
/// matching `A`. Both are regexes, unanchored.
#[derive(Debug, Clone, Default)]
pub enum Filter {
    #[default]
    All,
    Either(regex::Regex),
    Both(regex::Regex, regex::Regex),
}

impl Filter {
    pub fn new(run: &str) -> Result<Filter, String> {
        let compile =
            |r: &str| regex::Regex::new(r).map_err(|e| format!("invalid test filter {run:?}: {e}"));
        if run.is_empty() {
            return Ok(Filter::All);
        }
        let parts: Vec<&str> = run.split("//").collect();
        match parts.as_slice() {
            [one] => Ok(Filter::Either(compile(one)?)),
            [test, case] => Ok(Filter::Both(compile(test)?, compile(case)?)),
            _ => Err(format!(
                "invalid test filter {run:?}: a filter may include at most one \"//\""
            )),
        }
    }

    fn matches_test(&self, t: &TestSpec) -> bool {
        match self {
            Filter::All => true,
            Filter::Either(re) => {
                re.is_match(&t.name) || t.cases.iter().any(|c| self.matches_case(&t.name, &c.name))
            }
            Filter::Both(test, _) => test.is_match(&t.name),
        }
    }

    fn matches_case(&self, test: &str, case: &str) -> bool {
        match self {
            Filter::All => true,
            Filter::Either(re) => re.is_match(case) || re.is_match(test),
            Filter::Both(t, c) => c.is_match(case) && t.is_match(test),
        }
    }
}

/// One case's outcome.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub name: String,
    pub outcome: Outcome,
}

/// One test's outcome: its own (could it run?) and its cases'.
#[derive(Debug, Clone)]
pub struct TestResult {
    pub name: String,
    /// `invalid: true`: the test is about its constraint being rejected.
    pub invalid: bool,
    pub outcome: Outcome,
    pub cases: Vec<CaseResult>,
}

/// One suite file's outcome.
#[derive(Debug, Clone)]
pub struct SuiteResult {
    pub path: String,
    /// Pass (it was read), Error (it could not be), or Skip (`skip: true`).
    pub outcome: Outcome,
    pub tests: Vec<TestResult>,
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
    input::yaml::parse(&text).map_err(|e| format!("{}: invalid yaml: {e}", path.display()))
}

/// The first document of a file (gator reads one object from a template or constraint
/// file).
fn first(path: &Path, tree: &Tree) -> Result<Value, String> {
    load_yaml(path, tree)?
        .into_iter()
        .next()
        .ok_or_else(|| format!("{}: empty", path.display()))
}

/// Every object of a file named by a case: at least one, each a mapping.
fn objects(path: &Path, tree: &Tree) -> Result<Vec<Value>, String> {
    let docs = load_yaml(path, tree)?;
    if docs.is_empty() {
        return Err(format!(
            "missing objects: path {} defines no YAML objects",
            path.display()
        ));
    }
    if docs.iter().any(|d| !d.is_object()) {
        return Err(format!(
            "{}: invalid yaml: a document is not a mapping",
            path.display()
        ));
    }
    // Gator reads every object as a Kubernetes object, which needs a kind (an apiVersion
    // it only needs for the inventory).
    if docs.iter().any(|d| {
        d.get("kind")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    }) {
        return Err(format!(
            "{}: invalid yaml: Object 'Kind' is missing",
            path.display()
        ));
    }
    Ok(docs)
}

fn group_of(doc: &Value) -> &str {
    doc.get("apiVersion")
        .and_then(Value::as_str)
        .and_then(|a| a.split_once('/'))
        .map_or("", |(g, _)| g)
}

fn is_suite(doc: &Value) -> bool {
    doc.get("kind").and_then(Value::as_str) == Some("Suite") && group_of(doc) == SUITE_GROUP
}

/// Suite files: the file itself, or every `*.yaml`/`*.yml` with `kind: Suite` of group
/// `test.gatekeeper.sh` under a directory, recursively (`dir/...`, gator's recursive
/// form, is read as `dir`).
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
            && load_yaml(p, tree).is_ok_and(|docs| docs.first().is_some_and(is_suite))
        {
            out.push(p.to_path_buf());
        }
    }
    out.sort();
    Ok(out)
}

/// A suite as written, its fields type-checked as gator's reader does: a field of the
/// wrong type makes the whole file unreadable.
struct SuiteSpec {
    skip: bool,
    tests: Vec<TestSpec>,
}

struct TestSpec {
    name: String,
    template: String,
    constraint: String,
    expansion: String,
    invalid: bool,
    skip: bool,
    cases: Vec<CaseSpec>,
}

struct CaseSpec {
    name: String,
    object: String,
    inventory: Vec<String>,
    assertions: Vec<Assertion>,
    skip: bool,
}

/// `violations:` as written: a number or a word.
#[derive(Debug, Clone, PartialEq)]
enum Count {
    Int(i64),
    Word(String),
}

#[derive(Debug, Clone)]
struct Assertion {
    violations: Count,
    message: Option<String>,
}

/// Field readers: absent or null is the zero value, another type an error naming `at`.
fn str_field(v: &Value, key: &str, at: &str) -> Result<String, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!("{at}.{key} must be a string, got {other}")),
    }
}

fn bool_field(v: &Value, key: &str, at: &str) -> Result<bool, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(format!("{at}.{key} must be true or false, got {other}")),
    }
}

fn list_field<'a>(v: &'a Value, key: &str, at: &str) -> Result<&'a [Value], String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(format!("{at}.{key} must be a list, got {other}")),
    }
}

fn parse_suite(doc: &Value) -> Result<SuiteSpec, String> {
    let mut tests = Vec::new();
    for (i, t) in list_field(doc, "tests", "suite")?.iter().enumerate() {
        tests.push(parse_test(t, &format!("tests[{i}]"))?);
    }
    Ok(SuiteSpec {
        skip: bool_field(doc, "skip", "suite")?,
        tests,
    })
}

/// One of the suite's `tests`; `at` is where it is (`tests[0]`).
fn parse_test(t: &Value, at: &str) -> Result<TestSpec, String> {
    if !t.is_object() {
        return Err(format!("{at} must be a mapping"));
    }
    let mut cases = Vec::new();
    for (j, c) in list_field(t, "cases", at)?.iter().enumerate() {
        cases.push(parse_case(c, &format!("{at}.cases[{j}]"))?);
    }
    Ok(TestSpec {
        name: str_field(t, "name", at)?,
        template: str_field(t, "template", at)?,
        constraint: str_field(t, "constraint", at)?,
        expansion: str_field(t, "expansion", at)?,
        invalid: bool_field(t, "invalid", at)?,
        skip: bool_field(t, "skip", at)?,
        cases,
    })
}

/// One of a test's `cases`.
fn parse_case(c: &Value, at: &str) -> Result<CaseSpec, String> {
    if !c.is_object() {
        return Err(format!("{at} must be a mapping"));
    }
    let mut inventory = Vec::new();
    for (k, p) in list_field(c, "inventory", at)?.iter().enumerate() {
        match p {
            Value::String(s) => inventory.push(s.clone()),
            other => {
                return Err(format!("{at}.inventory[{k}] must be a path, got {other}"));
            }
        }
    }
    let mut assertions = Vec::new();
    for (k, a) in list_field(c, "assertions", at)?.iter().enumerate() {
        assertions.push(parse_assertion(a, &format!("{at}.assertions[{k}]"))?);
    }
    Ok(CaseSpec {
        name: str_field(c, "name", at)?,
        object: str_field(c, "object", at)?,
        inventory,
        assertions,
        skip: bool_field(c, "skip", at)?,
    })
}

/// One of a case's `assertions`.
fn parse_assertion(a: &Value, at: &str) -> Result<Assertion, String> {
    if !a.is_object() {
        return Err(format!("{at} must be a mapping"));
    }
    let violations = match a.get("violations") {
        None | Some(Value::Null) => Count::Word("yes".into()),
        Some(Value::String(s)) => Count::Word(s.clone()),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) if i32::try_from(i).is_ok() => Count::Int(i),
            _ => {
                return Err(format!("{at}.violations must be a whole number, got {n}"));
            }
        },
        Some(other) => {
            return Err(format!(
                "{at}.violations must be a number or a word (yes, no), got {other}"
            ));
        }
    };
    let message = match a.get("message") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            return Err(format!("{at}.message must be a string, got {other}"));
        }
    };
    Ok(Assertion {
        violations,
        message,
    })
}

/// Runs one suite file. A suite that cannot be read is one `Error` outcome; a test whose
/// template or constraint cannot be loaded is one test `Error`; the others still run.
pub fn run_suite(
    path: &Path,
    tree: &Tree,
    filter: &Filter,
    timeout: Option<std::time::Duration>,
) -> SuiteResult {
    let mut result = SuiteResult {
        path: path.display().to_string(),
        outcome: Outcome::Pass,
        tests: Vec::new(),
    };
    let spec = first(path, tree).and_then(|doc| {
        if !is_suite(&doc) {
            return Err(format!(
                "{}: not a Suite (kind: Suite, apiVersion: test.gatekeeper.sh/v1alpha1)",
                path.display()
            ));
        }
        parse_suite(&doc).map_err(|e| format!("{}: invalid yaml: {e}", path.display()))
    });
    let spec = match spec {
        Ok(spec) => spec,
        Err(why) => {
            result.outcome = Outcome::Error(why);
            return result;
        }
    };
    if spec.skip {
        result.outcome = Outcome::Skip;
        return result;
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let ctx = Context {
        suite: &result.path,
        base,
        tree,
        filter,
        timeout,
    };
    result.tests = spec.tests.iter().map(|t| ctx.run_test(t)).collect();
    result
}

/// What every test of a suite shares.
struct Context<'a> {
    suite: &'a str,
    base: &'a Path,
    tree: &'a Tree,
    filter: &'a Filter,
    timeout: Option<std::time::Duration>,
}

/// A test's loaded policy.
struct Loaded {
    template: Template,
    /// Checked against the template's CRD, with its schema's defaults.
    constraint: Constraint,
    /// The constraint as written (its scoped enforcement actions).
    constraint_doc: Value,
}

/// Why a test's template and constraint could not be used.
enum LoadError {
    /// The constraint was rejected as the CRD would reject it.
    Rejected(ConstraintError),
    /// Anything else: a file, the template, a malformed constraint.
    Other(String),
}

impl<'a> Context<'a> {
    fn run_test(&self, t: &TestSpec) -> TestResult {
        let mut result = TestResult {
            name: t.name.clone(),
            invalid: t.invalid,
            outcome: Outcome::Pass,
            cases: Vec::new(),
        };
        if t.skip || !self.filter.matches_test(t) {
            result.outcome = Outcome::Skip;
            return result;
        }
        let loaded = self.load(t);
        if t.invalid {
            result.outcome = invalid_test_outcome(loaded);
            return result;
        }
        let loaded = match loaded {
            Ok(loaded) => loaded,
            Err(LoadError::Rejected(why)) => {
                result.outcome = Outcome::Error(format!("adding constraint: {why}"));
                return result;
            }
            Err(LoadError::Other(why)) => {
                result.outcome = Outcome::Error(why);
                return result;
            }
        };
        if loaded.template.cel {
            self.note_cel(t, &loaded.template);
        }
        let expander = match self.expander(t) {
            Ok(expander) => expander,
            Err(why) => {
                result.outcome = Outcome::Error(why);
                return result;
            }
        };
        result.cases = t
            .cases
            .iter()
            .map(|c| self.case_result(t, c, &loaded, expander.as_ref()))
            .collect();
        result
    }

    /// Says that `gator` would run the template's CEL where dockpolicy runs its Rego.
    fn note_cel(&self, t: &TestSpec, template: &Template) {
        use crate::redact::message;
        eprintln!(
            "note: {} / {}: template {} also has K8sNativeValidation (CEL) code, which gator \
             runs instead of its Rego; dockpolicy evaluates the Rego",
            message(self.suite),
            message(&t.name),
            message(&template.name)
        );
    }

    /// The test's `expansion:` templates, if it names a file.
    fn expander(&self, t: &TestSpec) -> Result<Option<Expander>, String> {
        if t.expansion.is_empty() {
            return Ok(None);
        }
        let path = self.base.join(&t.expansion);
        load_yaml(&path, self.tree)
            .and_then(|docs| Expander::load(&docs).map_err(|e| format!("{}: {e}", path.display())))
            .map(Some)
    }

    /// Runs one case, unless it is skipped or filtered out; what it printed goes out
    /// when it is done.
    fn case_result(
        &self,
        t: &TestSpec,
        c: &CaseSpec,
        loaded: &Loaded,
        expander: Option<&Expander>,
    ) -> CaseResult {
        let outcome = if c.skip || !self.filter.matches_case(&t.name, &c.name) {
            Outcome::Skip
        } else {
            let mut prints = PrintLog::new(&format!("{} / {} / {}", self.suite, t.name, c.name));
            let outcome = self.run_case(loaded, expander, c, &mut prints);
            prints.emit();
            outcome
        };
        CaseResult {
            name: c.name.clone(),
            outcome,
        }
    }

    /// The template and the constraint, checked as gator's client checks them.
    fn load(&self, t: &TestSpec) -> Result<Loaded, LoadError> {
        let other = LoadError::Other;
        if t.template.is_empty() {
            return Err(other("invalid Suite: missing template".into()));
        }
        let template_path = self.base.join(&t.template);
        let template_doc = first(&template_path, self.tree).map_err(other)?;
        if group_of(&template_doc) != "templates.gatekeeper.sh"
            || template_doc.get("kind").and_then(Value::as_str) != Some("ConstraintTemplate")
        {
            return Err(other(format!(
                "{}: not a ConstraintTemplate",
                template_path.display()
            )));
        }
        // Its errors are gator's words, "adding template: ..." included.
        let template = Template::load(&template_doc, self.timeout).map_err(other)?;
        if t.constraint.is_empty() {
            return Err(other("invalid Suite: missing constraint".into()));
        }
        let constraint_path = self.base.join(&t.constraint);
        let constraint_doc = first(&constraint_path, self.tree).map_err(other)?;
        if group_of(&constraint_doc) != "constraints.gatekeeper.sh" {
            return Err(other(format!(
                "{}: not a Constraint",
                constraint_path.display()
            )));
        }
        let constraint = template
            .constraint(&constraint_doc)
            .map_err(LoadError::Rejected)?;
        scoped_actions_readable(&constraint_doc).map_err(other)?;
        Ok(Loaded {
            template,
            constraint,
            constraint_doc,
        })
    }

    fn run_case(
        &self,
        loaded: &Loaded,
        expander: Option<&Expander>,
        c: &CaseSpec,
        prints: &mut PrintLog,
    ) -> Outcome {
        if c.object.is_empty() {
            return Outcome::Error("invalid Case: must define object".into());
        }
        if c.assertions.is_empty() {
            return Outcome::Error("invalid Case: assertions must be non-empty".into());
        }
        match self.violations(loaded, expander, c, prints) {
            Ok(messages) => check_assertions(&c.assertions, &messages),
            Err(why) => Outcome::Error(why),
        }
    }

    /// The messages of every violation of the case's object (and of what it expands to).
    fn violations(
        &self,
        loaded: &Loaded,
        expander: Option<&Expander>,
        c: &CaseSpec,
        prints: &mut PrintLog,
    ) -> Result<Vec<String>, String> {
        let object_path = self.base.join(&c.object);
        let mut docs = objects(&object_path, self.tree)?;
        if docs.len() != 1 {
            return Err(format!(
                "object file must contain exactly one object: {} defines {} objects",
                object_path.display(),
                docs.len()
            ));
        }
        let object = docs.remove(0);
        let mut inventory_objects = Vec::new();
        for p in &c.inventory {
            let path = self.base.join(p);
            for o in objects(&path, self.tree)? {
                has_version_and_kind(&o).map_err(|e| {
                    format!(
                        "unable to add object to data.inventory: {}: {e}",
                        path.display()
                    )
                })?;
                inventory_objects.push(o);
            }
        }
        let inventory = Inventory::new(inventory(&inventory_objects));
        // An AdmissionReview is the request it carries, checked as Kubernetes decodes
        // one, and is not expanded; any other object is reviewed as Original.
        let is_request = object.get("kind").and_then(Value::as_str) == Some("AdmissionReview")
            && group_of(&object) == "admission.k8s.io";
        let original = review(&object)?;
        let mut messages = self.review(loaded, &original, &inventory, prints)?;
        if let Some(expander) = expander.filter(|_| !is_request) {
            for r in expander.expand(&object)? {
                let generated = Review::of_object(&r.object, Source::Generated);
                let found = self
                    .review(loaded, &generated, &inventory, prints)
                    .map_err(|e| format!("reviewing expanded resource: {e}"))?;
                messages.extend(
                    found
                        .into_iter()
                        .map(|m| format!("[Implied by {}] {m}", r.template)),
                );
            }
        }
        Ok(messages)
    }

    /// The violation messages of one review against the test's constraint: none when
    /// gator does not enforce it or its match does not select the review (see
    /// `Template::evaluate`, which also knows the inventory's Namespace objects).
    fn review(
        &self,
        loaded: &Loaded,
        review: &Review,
        inventory: &Inventory,
        prints: &mut PrintLog,
    ) -> Result<Vec<String>, String> {
        if !enforced_by_gator(&loaded.constraint_doc) {
            return Ok(Vec::new());
        }
        let found = loaded
            .template
            .evaluate(&loaded.constraint, review, inventory, prints)?;
        Ok(found.into_iter().map(|v| v.msg).collect())
    }
}

/// A test that expects its constraint to fail the CRD's schema passes when it does.
fn invalid_test_outcome(loaded: Result<Loaded, LoadError>) -> Outcome {
    match loaded {
        Err(LoadError::Rejected(why)) if why.schema => Outcome::Pass,
        Err(LoadError::Rejected(why)) => Outcome::Fail(format!(
            "constraint should have failed schema validation, but was rejected otherwise: {why}"
        )),
        Ok(_) => Outcome::Fail(
            "constraint should have failed schema validation, but it was accepted".into(),
        ),
        Err(LoadError::Other(why)) => Outcome::Error(why),
    }
}

/// An object gator can put in the inventory: it has a version and a kind.
pub fn has_version_and_kind(obj: &Value) -> Result<(), String> {
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let version = api_version.split_once('/').map_or(api_version, |(_, v)| v);
    if version.is_empty() {
        return Err(format!("resource {name} has no version"));
    }
    if obj
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .is_empty()
    {
        return Err(format!("resource {name} has no kind"));
    }
    Ok(())
}

/// Gatekeeper's `data.inventory` from a set of objects: cluster-scoped objects under
/// `cluster[groupVersion][kind][name]`, namespaced ones under
/// `namespace[ns][groupVersion][kind][name]`; a level with nothing is absent, so no
/// objects give `{}`. A later object of the same place replaces an earlier one.
pub fn inventory(objects: &[Value]) -> Value {
    let mut root = Map::new();
    for o in objects {
        let s = |p: &str| o.pointer(p).and_then(Value::as_str).unwrap_or("");
        let namespace = s("/metadata/namespace");
        let mut path: Vec<&str> = if namespace.is_empty() {
            vec!["cluster"]
        } else {
            vec!["namespace", namespace]
        };
        path.extend([s("/apiVersion"), s("/kind")]);
        let mut node = &mut root;
        for key in path {
            let next = node
                .entry(key.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !next.is_object() {
                *next = Value::Object(Map::new());
            }
            node = next.as_object_mut().expect("made an object above");
        }
        node.insert(s("/metadata/name").to_owned(), o.clone());
    }
    Value::Object(root)
}

/// `enforcementAction: scoped` needs its list of scoped actions, each with a list of
/// enforcement points: gator refuses the constraint otherwise.
pub fn scoped_actions_readable(doc: &Value) -> Result<(), String> {
    if doc
        .pointer("/spec/enforcementAction")
        .and_then(Value::as_str)
        != Some("scoped")
    {
        return Ok(());
    }
    let Some(actions) = doc
        .pointer("/spec/scopedEnforcementActions")
        .and_then(Value::as_array)
    else {
        return Err(
            "adding constraint: missing required field: spec.scopedEnforcementActions must be defined"
                .into(),
        );
    };
    let bad = "adding constraint: scopedEnforcementActions value must be a [{action: string, enforcementPoints: [{name: string}]}]";
    for a in actions {
        let points_ok = match a.get("enforcementPoints") {
            None | Some(Value::Null) => true,
            Some(Value::Array(points)) => points.iter().all(Value::is_object),
            Some(_) => false,
        };
        if !a.is_object() || !points_ok {
            return Err(bad.into());
        }
    }
    Ok(())
}

/// Whether gator enforces the constraint at all: always, unless its action is `scoped`
/// to enforcement points that leave gator out.
fn enforced_by_gator(doc: &Value) -> bool {
    if doc
        .pointer("/spec/enforcementAction")
        .and_then(Value::as_str)
        != Some("scoped")
    {
        return true;
    }
    doc.pointer("/spec/scopedEnforcementActions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(reaches_gator)
}

/// Gator's assertions over the violation messages, first failing one wins.
fn check_assertions(assertions: &[Assertion], messages: &[String]) -> Outcome {
    for a in assertions {
        let matching = match &a.message {
            // Gator compiles the regex when it first has a violation to match.
            Some(pattern) if !messages.is_empty() => {
                let re = match regex::Regex::new(pattern) {
                    Ok(re) => re,
                    Err(e) => {
                        return Outcome::Error(format!(
                            "message contains invalid regular expression: {e}"
                        ));
                    }
                };
                messages.iter().filter(|m| re.is_match(m)).count()
            }
            _ => messages.len(),
        };
        let containing = a
            .message
            .as_ref()
            .map(|m| format!(" containing {m:?}"))
            .unwrap_or_default();
        let want = match &a.violations {
            Count::Int(n) if *n < 0 => None,
            Count::Int(n) if *n as usize == matching => continue,
            Count::Int(n) => Some(format!("exactly {n}")),
            Count::Word(w) if w == "yes" && matching > 0 => continue,
            Count::Word(w) if w == "yes" => Some("at least 1".to_owned()),
            Count::Word(w) if w == "no" && matching == 0 => continue,
            Count::Word(w) if w == "no" => Some("none".to_owned()),
            Count::Word(_) => None,
        };
        return match want {
            Some(want) => Outcome::Fail(format!(
                "unexpected number of violations: got {matching} violations{containing} but want {want}: got messages {messages:?}"
            )),
            None => Outcome::Error(
                "invalid yaml: assertion.violations, if set, must be a nonnegative integer, \"yes\", or \"no\""
                    .into(),
            ),
        };
    }
    Outcome::Pass
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn assertion(violations: Count, message: Option<&str>) -> Assertion {
        Assertion {
            violations,
            message: message.map(str::to_owned),
        }
    }

    fn msgs(m: &[&str]) -> Vec<String> {
        m.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn assertions_count_matching_messages() {
        let two = msgs(&["container a is privileged", "initContainer b is privileged"]);
        let check = |a: Assertion, m: &[String]| check_assertions(&[a], m).word();
        assert_eq!(check(assertion(Count::Int(2), None), &two), "pass");
        assert_eq!(
            check(assertion(Count::Int(1), Some("^container")), &two),
            "pass"
        );
        assert_eq!(
            check(assertion(Count::Word("yes".into()), Some("zzz")), &two),
            "fail"
        );
        assert_eq!(
            check(assertion(Count::Word("no".into()), Some("zzz")), &two),
            "pass"
        );
        assert_eq!(
            check(assertion(Count::Word("maybe".into()), None), &two),
            "error"
        );
        assert_eq!(check(assertion(Count::Int(-1), None), &two), "error");
        assert_eq!(
            check(assertion(Count::Word("yes".into()), Some("(")), &two),
            "error"
        );
        // No violation: the regex is never compiled, as in gator.
        assert_eq!(
            check(assertion(Count::Word("no".into()), Some("(")), &[]),
            "pass"
        );
    }

    #[test]
    fn inventory_follows_gatekeepers_layout() {
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}});
        let ing = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "shop"}});
        let inv = inventory(&[ns.clone(), ing.clone()]);
        assert_eq!(inv["cluster"]["v1"]["Namespace"]["shop"], ns);
        assert_eq!(
            inv["namespace"]["shop"]["networking.k8s.io/v1"]["Ingress"]["web"],
            ing
        );
        assert_eq!(inventory(&[]), json!({}));
        assert!(inventory(&[ns]).get("namespace").is_none());
    }

    #[test]
    fn scoped_constraints_run_only_where_gator_is_named() {
        let scoped = |points: Value| json!({"spec": {"enforcementAction": "scoped", "scopedEnforcementActions": [{"action": "deny", "enforcementPoints": points}]}});
        assert!(enforced_by_gator(&json!({"spec": {}})));
        assert!(enforced_by_gator(&scoped(
            json!([{"name": "gator.gatekeeper.sh"}])
        )));
        assert!(enforced_by_gator(&scoped(json!([{"name": "*"}]))));
        assert!(!enforced_by_gator(&scoped(
            json!([{"name": "validation.gatekeeper.sh"}])
        )));
        assert!(
            scoped_actions_readable(&json!({"spec": {"enforcementAction": "scoped"}})).is_err()
        );
    }

    #[test]
    fn run_filters_select_as_gators_do() {
        let test = |name: &str, cases: &[&str]| TestSpec {
            name: name.into(),
            template: String::new(),
            constraint: String::new(),
            expansion: String::new(),
            invalid: false,
            skip: false,
            cases: cases
                .iter()
                .map(|c| CaseSpec {
                    name: c.to_string(),
                    object: String::new(),
                    inventory: Vec::new(),
                    assertions: Vec::new(),
                    skip: false,
                })
                .collect(),
        };
        let labels = test("require-foo-label", &["missing-label", "with-label"]);
        let other = test("forbid-bar", &["empty-object"]);
        let either = Filter::new("missing-label").unwrap();
        assert!(either.matches_test(&labels) && !either.matches_test(&other));
        assert!(either.matches_case("require-foo-label", "missing-label"));
        assert!(!either.matches_case("require-foo-label", "with-label"));
        let by_test = Filter::new("^require-foo-label$//").unwrap();
        assert!(by_test.matches_case("require-foo-label", "with-label"));
        assert!(!by_test.matches_test(&other));
        let by_case = Filter::new("//empty").unwrap();
        assert!(
            by_case.matches_test(&labels)
                && !by_case.matches_case("require-foo-label", "with-label")
        );
        assert!(by_case.matches_case("forbid-bar", "empty-object"));
        assert!(Filter::new("a//b//c").is_err());
        assert!(Filter::new("(").is_err());
    }

    #[test]
    fn files_a_suite_names_stay_inside_its_tree() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("repo");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(
            dir.path().join("secret.yaml"),
            "kind: Secret\napiVersion: v1\nmetadata: {name: s3cr3t-value}\n",
        )
        .unwrap();
        std::fs::write(
            inner.join("template.yaml"),
            "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata: {name: fxok}\nspec:\n  crd: {spec: {names: {kind: FxOk}}}\n  targets:\n  - target: admission.k8s.gatekeeper.sh\n    rego: |\n      package fxok\n      violation[{\"msg\": \"m\"}] { false }\n",
        )
        .unwrap();
        std::fs::write(
            inner.join("constraint.yaml"),
            "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: FxOk\nmetadata: {name: ok}\n",
        )
        .unwrap();
        std::fs::write(
            inner.join("pod.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
        )
        .unwrap();
        std::fs::write(
            inner.join("suite.yaml"),
            "apiVersion: test.gatekeeper.sh/v1alpha1\nkind: Suite\ntests:\n- name: out\n  template: template.yaml\n  constraint: constraint.yaml\n  cases:\n  - {name: inventory, object: pod.yaml, inventory: [../secret.yaml], assertions: [{violations: no}]}\n  - {name: object, object: ../secret.yaml, assertions: [{violations: no}]}\n- name: expansion\n  template: template.yaml\n  constraint: constraint.yaml\n  expansion: ../secret.yaml\n",
        )
        .unwrap();
        let tree = Tree::at(&inner).unwrap();
        let r = run_suite(&inner.join("suite.yaml"), &tree, &Filter::All, None);
        assert_eq!(r.outcome, Outcome::Pass, "{r:?}");
        let mut why: Vec<&str> = r.tests[0]
            .cases
            .iter()
            .map(|c| c.outcome.message().unwrap())
            .collect();
        why.push(r.tests[1].outcome.message().unwrap());
        for w in why {
            assert!(w.contains("resolves outside"), "{w}");
            assert!(!w.contains("s3cr3t"), "{w}");
        }
    }

    #[test]
    fn suite_fields_of_the_wrong_type_make_the_suite_unreadable() {
        let suite = |tests: Value| json!({"apiVersion": "test.gatekeeper.sh/v1alpha1", "kind": "Suite", "tests": tests});
        assert!(parse_suite(&suite(json!([{"skip": "yes"}]))).is_err());
        assert!(
            parse_suite(&suite(
                json!([{"cases": [{"assertions": [{"violations": true}]}]}])
            ))
            .is_err()
        );
        assert!(
            parse_suite(&suite(
                json!([{"cases": [{"assertions": [{"violations": 1.5}]}]}])
            ))
            .is_err()
        );
        let ok = parse_suite(&suite(
            json!([{"name": "t", "cases": [{"assertions": [{}, {"violations": "no"}]}]}]),
        ))
        .unwrap();
        assert_eq!(
            ok.tests[0].cases[0].assertions[0].violations,
            Count::Word("yes".into())
        );
    }
}
