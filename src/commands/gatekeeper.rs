//! `dockpolicy gatekeeper export|test|verify`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::cli::{GatekeeperArgs, GatekeeperCommand};
use crate::config::Config;
use crate::findings::{CheckResult, FileError, Finding};
use crate::gatekeeper::expansion::{self, Expander};
use crate::gatekeeper::export::{self, Module};
use crate::gatekeeper::run::{Constraint, Inventory, Review, Source, Template, Violation, reviews};
use crate::gatekeeper::{str_at, suite};
use crate::input::{self, confine, walk};
use crate::policy::eval::PrintLog;
use crate::policy::{self, bundled, load};
use crate::report::{self, ExitPolicy, Report, exit};

pub fn run(args: &GatekeeperArgs) -> anyhow::Result<i32> {
    match &args.command {
        GatekeeperCommand::Export {
            policy,
            no_bundled,
            output,
            config,
            rego_version,
            enforcement_action,
        } => export_rules(
            policy,
            *no_bundled,
            output,
            config.as_deref(),
            *rego_version,
            *enforcement_action,
        ),
        GatekeeperCommand::Test {
            templates,
            constraints,
            paths,
            output,
            limits,
        } => {
            policy::set_memory_limit(limits.memory_limit());
            test(templates, constraints, paths, *output, limits.timeout())
        }
        GatekeeperCommand::Verify {
            paths,
            output,
            run,
            limits,
        } => {
            policy::set_memory_limit(limits.memory_limit());
            let filter =
                suite::Filter::new(run.as_deref().unwrap_or("")).map_err(anyhow::Error::msg)?;
            verify(paths, *output, &filter, limits.timeout())
        }
    }
}

/// `gatekeeper export`: the bundled rules (unless left out) and those under `policy`,
/// exported with the config's settings, each file written under `output`.
fn export_rules(
    policy: &[PathBuf],
    no_bundled: bool,
    output: &Path,
    config: Option<&Path>,
    rego_version: crate::policy::RegoVersion,
    enforcement_action: Option<crate::config::EnforcementAction>,
) -> anyhow::Result<i32> {
    let modules = rule_modules(policy, no_bundled)?;
    let mut config = Config::discover(config)?
        .map(|(_, c)| c)
        .unwrap_or_default();
    if let Some(action) = enforcement_action {
        config.gatekeeper.enforcement_action = action;
    }
    let exported = export::export(&modules, &config, rego_version).map_err(anyhow::Error::msg)?;
    for e in &exported {
        for (rel, text) in [&e.template, &e.constraint] {
            write_exported(output, rel, text)?;
        }
    }
    Ok(exit::CLEAN)
}

/// The bundled policies (unless left out), then the Rego files under each `policy` path.
fn rule_modules(policy: &[PathBuf], no_bundled: bool) -> anyhow::Result<Vec<Module>> {
    let mut modules: Vec<Module> = Vec::new();
    if !no_bundled {
        modules.extend(bundled::policies().map(|(path, source)| Module {
            path,
            source: source.to_owned(),
        }));
    }
    for root in policy {
        for file in load::rego_files(root, false)? {
            modules.push(Module {
                path: file.display().to_string(),
                source: load::read_policy(&file)?,
            });
        }
    }
    Ok(modules)
}

/// Writes one exported file at `rel` under `output`, and says so.
fn write_exported(output: &Path, rel: &str, text: &str) -> anyhow::Result<()> {
    // Names come from the policies' metadata: only plain relative paths stay inside the
    // output directory.
    let plain = Path::new(rel)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain {
        anyhow::bail!("exported file name {rel:?} is not a plain relative path");
    }
    let path = output.join(rel);
    if let Some(dir) = path.parent() {
        confine::create_dirs(dir).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    confine::write_file(&path, &mut |out| out.write_all(text.as_bytes()))
        .map_err(|e| anyhow::anyhow!("cannot write {e}"))?;
    println!(
        "wrote {}",
        crate::redact::message(&path.display().to_string())
    );
    Ok(())
}

/// Every YAML/JSON document under `paths`, with the files that could not be read or
/// parsed reported separately (one bad file never hides the others). Like every input, a
/// file is read only when it resolves inside its tree (see `input::confine`).
fn yaml_docs(paths: &[PathBuf], errors: &mut Vec<FileError>) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut error = |path: &Path, line: Option<usize>, message: String| {
        errors.push(FileError {
            filename: path.display().to_string(),
            line,
            message,
        })
    };
    for root in paths {
        let (tree, real) = match walk::resolve_named(root) {
            Ok(found) => found,
            Err(e) => {
                error(root, None, e.to_string());
                continue;
            }
        };
        let files: Vec<PathBuf> = if real.is_dir() {
            let is_yaml = |p: &Path| {
                matches!(
                    walk::detect(p),
                    Some(input::Format::Yaml | input::Format::Json)
                )
            };
            let rules = walk::Rules {
                skip_hidden: true,
                ignore: None,
                wanted: &is_yaml,
            };
            let mut v = Vec::new();
            walk::walk(&tree, root, &rules, &mut vec![real], &mut |found| {
                match found {
                    walk::Found::File(p) if is_yaml(&p) => v.push(p),
                    walk::Found::Error(p, e) => error(&p, None, e.to_string()),
                    _ => {}
                }
                true
            });
            v.sort();
            v
        } else {
            vec![root.clone()]
        };
        for f in files {
            let name = f.display().to_string();
            let parsed = confine::read_capped_at(&f, input::MAX_DOCUMENT)
                .map_err(|e| (None, e.reason()))
                .and_then(|bytes| {
                    String::from_utf8(bytes).map_err(|_| (None, "not valid UTF-8 text".into()))
                })
                .and_then(|text| input::yaml::parse(&text).map_err(|e| (e.line(), e.to_string())));
            match parsed {
                Ok(docs) => out.extend(docs.into_iter().map(|d| (name.clone(), d))),
                Err((line, message)) => error(&f, line, message),
            }
        }
    }
    out
}

fn test(
    templates: &[PathBuf],
    constraints: &[PathBuf],
    paths: &[PathBuf],
    output: crate::report::OutputFormat,
    timeout: Option<std::time::Duration>,
) -> anyhow::Result<i32> {
    let mut report = Report::default();
    let compiled = compile_templates(templates, timeout, &mut report.errors);
    let loaded = load_constraints(constraints, &compiled, &mut report.errors);
    let docs = yaml_docs(paths, &mut report.errors);
    let context = TestContext::new(&docs, &compiled, &loaded, &mut report.errors);
    let mut docs = docs.into_iter().peekable();
    while let Some((file, doc)) = docs.next() {
        // One log per file (its documents are consecutive), shown once it is done.
        let mut prints = PrintLog::new(&file);
        let mut doc = Some(doc);
        while let Some(current) = doc.take().or_else(|| {
            docs.next_if(|(next, _)| *next == file)
                .map(|(_, next_doc)| next_doc)
        }) {
            context.review_document(&file, &current, &mut report, &mut prints);
        }
        prints.emit();
    }
    report.finish();
    print!("{}", report::render(output, &report, &Default::default()));
    Ok(report.counts().exit_code(ExitPolicy::default()))
}

/// The ConstraintTemplates among the `templates` documents, compiled; one that does not
/// compile is an error naming its file.
fn compile_templates(
    templates: &[PathBuf],
    timeout: Option<std::time::Duration>,
    errors: &mut Vec<FileError>,
) -> Vec<Template> {
    let mut compiled: Vec<Template> = Vec::new();
    for (file, doc) in yaml_docs(templates, errors) {
        if doc.get("kind").and_then(Value::as_str) == Some("ConstraintTemplate") {
            match Template::load(&doc, timeout) {
                Ok(t) => {
                    if t.cel {
                        eprintln!(
                            "note: {}: template {} also has K8sNativeValidation (CEL) code, \
                             which Gatekeeper may run instead of its Rego; dockpolicy evaluates \
                             the Rego",
                            crate::redact::message(&file),
                            crate::redact::message(&t.name)
                        );
                    }
                    compiled.push(t)
                }
                Err(message) => errors.push(FileError {
                    filename: file,
                    line: None,
                    message,
                }),
            }
        }
    }
    compiled
}

/// Each Constraint is checked against its template's CRD (schema defaults applied), as
/// gator adds it; one it would refuse is an error naming its file.
fn load_constraints(
    constraints: &[PathBuf],
    compiled: &[Template],
    errors: &mut Vec<FileError>,
) -> Vec<Constraint> {
    let mut loaded: Vec<Constraint> = Vec::new();
    for (file, doc) in yaml_docs(constraints, errors) {
        if !str_at(&doc, "/apiVersion").is_some_and(|a| a.starts_with("constraints.gatekeeper.sh/"))
        {
            continue;
        }
        let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
        let name = str_at(&doc, "/metadata/name").unwrap_or("");
        let checked = match compiled.iter().find(|t| t.kind == kind) {
            None => Err(format!("constraint {name} has no template of kind {kind}")),
            Some(t) => t
                .constraint(&doc)
                .map_err(String::from)
                .and_then(|c| suite::scoped_actions_readable(&doc).map(|()| c)),
        };
        match checked {
            Ok(c) => loaded.push(c),
            Err(message) => errors.push(FileError {
                filename: file,
                line: None,
                message,
            }),
        }
    }
    loaded
}

/// What every object of a `test` run is reviewed with: as `gator test` does, the
/// objects given are the inventory (`data.inventory`, and the Namespaces a
/// namespaceSelector looks at), and the ExpansionTemplates among them expand the others.
struct TestContext<'a> {
    compiled: &'a [Template],
    loaded: &'a [Constraint],
    /// `data.inventory`: every object given (a List's items), but AdmissionReviews. The
    /// matcher's view (`inventory.json`) also knows a `default` Namespace (without
    /// labels) when none is given, as gator does; the templates' data does not.
    inventory: Inventory,
    expander: Option<Expander>,
}

impl<'a> TestContext<'a> {
    fn new(
        docs: &[(String, Value)],
        compiled: &'a [Template],
        loaded: &'a [Constraint],
        errors: &mut Vec<FileError>,
    ) -> TestContext<'a> {
        let (objects, expansions) = given_objects(docs);
        // The engine's data is taken from the objects as given; the default Namespace is
        // added to the matcher's view only, so the inventory is held once, not twice.
        let mut inventory = Inventory::new(suite::inventory(&objects));
        add_default_namespace(&mut inventory.json);
        TestContext {
            compiled,
            loaded,
            inventory,
            expander: expander(&expansions, errors),
        }
    }

    /// Reviews every object of one document against the constraints that select it
    /// (an AdmissionReview's request when its object or old object is selected), and
    /// what the ExpansionTemplates make of a plain object.
    fn review_document(&self, file: &str, doc: &Value, report: &mut Report, prints: &mut PrintLog) {
        let reviews = match reviews(doc) {
            Ok(reviews) => reviews,
            Err(message) => {
                // A malformed AdmissionReview is not a clean manifest.
                report.errors.push(FileError {
                    filename: file.to_owned(),
                    line: None,
                    message,
                });
                return;
            }
        };
        let is_request = doc.get("kind").and_then(Value::as_str) == Some("AdmissionReview");
        let mut error = |message: String| {
            report.errors.push(FileError {
                filename: file.to_owned(),
                line: None,
                message,
            })
        };
        let mut found: Vec<CheckResult> = Vec::new();
        for review in reviews {
            let resultants = match self.expander.as_ref().filter(|_| !is_request) {
                Some(e) => e.expand(&review.object).unwrap_or_else(|message| {
                    error(message);
                    Vec::new()
                }),
                None => Vec::new(),
            };
            for c in self.loaded {
                // gator does not run a constraint scoped to other enforcement points.
                if c.enforcement == "scoped" && c.scoped_actions.is_empty() {
                    continue;
                }
                let Some(t) = self.compiled.iter().find(|t| t.kind == c.kind) else {
                    continue;
                };
                match self.constraint_result(file, c, t, &review, &resultants, prints) {
                    Ok(Some(result)) => found.push(result),
                    Ok(None) => {}
                    // The error says it all: no empty result ("no policies found") beside it.
                    Err(e) => error(e),
                }
            }
        }
        for r in found {
            merge(&mut report.results, r);
        }
    }

    /// One constraint's result for a review and for what the ExpansionTemplates made of
    /// its object; `None` when the constraint selects none of them.
    fn constraint_result(
        &self,
        file: &str,
        c: &Constraint,
        t: &Template,
        review: &Review,
        resultants: &[expansion::Resultant],
        prints: &mut PrintLog,
    ) -> Result<Option<CheckResult>, String> {
        let mut result = CheckResult::new(file, &c.name);
        let mut selected = false;
        if let Some(violations) = self.violations(c, t, review, prints)? {
            selected = true;
            add_findings(&mut result, c, violations, None, &review.object);
        }
        for res in resultants {
            let generated = Review::of_object(&res.object, Source::Generated);
            let violations = self
                .violations(c, t, &generated, prints)
                .map_err(|e| format!("reviewing expanded resource: {e}"))?;
            if let Some(violations) = violations {
                selected = true;
                add_findings(&mut result, c, violations, Some(res), &review.object);
            }
        }
        if !selected {
            return Ok(None);
        }
        if result.failures.is_empty() && result.warnings.is_empty() {
            result.successes += 1;
        }
        Ok(Some(result))
    }

    /// The constraint's violations of a review; `None` when it does not select it.
    fn violations(
        &self,
        c: &Constraint,
        t: &Template,
        r: &Review,
        prints: &mut PrintLog,
    ) -> Result<Option<Vec<Violation>>, String> {
        match c.selects(r, &self.inventory.json) {
            Ok(false) => Ok(None),
            Ok(true) => t.review(c, r, &self.inventory, prints).map(Some),
            // Gatekeeper's autoreject: the constraint cannot tell.
            Err(msg) => Ok(Some(vec![Violation {
                msg,
                details: json!({}),
            }])),
        }
    }
}

/// The objects of the documents (a List's items), but AdmissionReviews, and the
/// ExpansionTemplates among them with their files.
fn given_objects(docs: &[(String, Value)]) -> (Vec<Value>, Vec<(&str, Value)>) {
    let mut objects: Vec<Value> = Vec::new();
    let mut expansions: Vec<(&str, Value)> = Vec::new();
    for (file, doc) in docs {
        let Ok(reviews) = reviews(doc) else { continue };
        if doc.get("kind").and_then(Value::as_str) == Some("AdmissionReview") {
            continue;
        }
        for r in reviews {
            if r.object.get("kind").and_then(Value::as_str) == Some("ExpansionTemplate")
                && r.object
                    .get("apiVersion")
                    .and_then(Value::as_str)
                    .is_some_and(|a| a.starts_with("expansion.gatekeeper.sh/"))
            {
                expansions.push((file, r.object.clone()));
            }
            if suite::has_version_and_kind(&r.object).is_ok() {
                objects.push(r.object);
            }
        }
    }
    (objects, expansions)
}

/// A `default` Namespace (without labels) in the inventory when none is given, as gator
/// has.
fn add_default_namespace(inventory: &mut Value) {
    let namespaces = inventory
        .as_object_mut()
        .expect("an inventory is an object")
        .entry("cluster")
        .or_insert_with(|| json!({}));
    let namespaces = namespaces
        .as_object_mut()
        .expect("the inventory's levels are objects")
        .entry("v1")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("the inventory's levels are objects")
        .entry("Namespace")
        .or_insert_with(|| json!({}));
    if let Some(map) = namespaces.as_object_mut() {
        map.entry("default").or_insert_with(
            || json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}}),
        );
    }
}

/// The ExpansionTemplates given, if any; when they cannot be used, an error naming the
/// first one's file.
fn expander(expansions: &[(&str, Value)], errors: &mut Vec<FileError>) -> Option<Expander> {
    if expansions.is_empty() {
        return None;
    }
    let templates: Vec<Value> = expansions.iter().map(|(_, d)| d.clone()).collect();
    match Expander::load(&templates) {
        Ok(e) => Some(e),
        Err(message) => {
            errors.push(FileError {
                filename: expansions[0].0.to_owned(),
                line: None,
                message,
            });
            None
        }
    }
}

/// The violations as findings of the constraint's result: failures when its action
/// denies, else warnings. A violation of a resultant is implied by its ExpansionTemplate,
/// whose action replaces the constraint's; `object` is the object reviewed.
fn add_findings(
    result: &mut CheckResult,
    c: &Constraint,
    violations: Vec<Violation>,
    implied: Option<&expansion::Resultant>,
    object: &Value,
) {
    for v in violations {
        let (msg, action) = match implied {
            Some(res) => (
                format!("[Implied by {}] {}", res.template, v.msg),
                if res.enforcement_action.is_empty() {
                    c.enforcement.clone()
                } else {
                    res.enforcement_action.clone()
                },
            ),
            None => (v.msg, c.enforcement.clone()),
        };
        let deny = action == "deny"
            || (action == "scoped" && c.scoped_actions.iter().any(|a| a == "deny"));
        let mut f = Finding::new(msg);
        f.metadata
            .insert("enforcementAction".into(), Value::String(action.clone()));
        if action == "scoped" {
            f.metadata
                .insert("scopedActions".into(), json!(c.scoped_actions));
        }
        f.metadata.insert("details".into(), v.details);
        f.metadata
            .insert("constraint".into(), json!({"kind": c.kind, "name": c.name}));
        f.metadata.insert("object".into(), object_identity(object));
        if deny {
            result.failures.push(f)
        } else {
            result.warnings.push(f)
        }
    }
}

/// Which object a violation is about: gator's `violatingObject`, without its body.
fn object_identity(obj: &Value) -> Value {
    let s = |p: &str| str_at(obj, p).unwrap_or("");
    json!({
        "apiVersion": s("/apiVersion"),
        "kind": s("/kind"),
        "namespace": s("/metadata/namespace"),
        "name": s("/metadata/name"),
    })
}

fn merge(results: &mut Vec<CheckResult>, r: CheckResult) {
    match results
        .iter_mut()
        .find(|x| x.filename == r.filename && x.namespace == r.namespace)
    {
        Some(existing) => existing.absorb(r),
        None => results.push(r),
    }
}

/// Counts of a verify run, over every case and every test or suite that ended on its
/// own (skipped, unreadable, or an `invalid: true` test).
#[derive(Default)]
struct Tally {
    total: usize,
    passed: usize,
    failed: usize,
    errors: usize,
    skipped: usize,
}

impl Tally {
    /// Every case, and every suite or test that ended on its own.
    fn of(results: &[suite::SuiteResult]) -> Tally {
        let mut tally = Tally::default();
        for s in results {
            if s.outcome != suite::Outcome::Pass {
                tally.add(&s.outcome);
            }
            for t in &s.tests {
                if t.outcome != suite::Outcome::Pass || t.invalid {
                    tally.add(&t.outcome);
                }
                t.cases.iter().for_each(|c| tally.add(&c.outcome));
            }
        }
        tally
    }

    fn add(&mut self, outcome: &suite::Outcome) {
        self.total += 1;
        match outcome {
            suite::Outcome::Pass => self.passed += 1,
            suite::Outcome::Fail(_) => self.failed += 1,
            suite::Outcome::Error(_) => self.errors += 1,
            suite::Outcome::Skip => self.skipped += 1,
        }
    }

    /// As in `test`: a case that could not be run (an unreadable object, a template that
    /// does not compile, an evaluation out of time) is a tool error, whatever the others
    /// did; a skipped one is neither.
    fn exit_code(&self) -> i32 {
        if self.errors > 0 {
            exit::TOOL_ERROR
        } else if self.failed > 0 {
            exit::FAILURES
        } else {
            exit::CLEAN
        }
    }
}

/// One result line (and its reason) of the text output; names come from the scanned
/// tree, so nothing they hold may drive the terminal or start a line of its own (see
/// crate::redact).
fn print_line(outcome: &suite::Outcome, label: &str, note: &str) {
    use crate::redact::lines;
    let word = match outcome {
        suite::Outcome::Pass => "PASS ",
        suite::Outcome::Fail(_) => "FAIL ",
        suite::Outcome::Error(_) => "ERROR",
        suite::Outcome::Skip => "SKIP ",
    };
    println!("{word} {label}{note}");
    if let Some(why) = outcome.message() {
        // Every line of a reason (a parse error's snippet, gator's list of disallowed
        // references) indented under its result, never one of its own.
        println!("      {}", lines(why).replace('\n', "\n      "));
    }
}

fn verify(
    paths: &[PathBuf],
    output: crate::cli::SuiteOutput,
    filter: &suite::Filter,
    timeout: Option<std::time::Duration>,
) -> anyhow::Result<i32> {
    let results = run_suites(paths, output, filter, timeout);
    let tally = Tally::of(&results);
    match output {
        crate::cli::SuiteOutput::Stdout => {
            println!(
                "\n{} cases, {} passed, {} failed, {} errors, {} skipped",
                tally.total, tally.passed, tally.failed, tally.errors, tally.skipped
            );
        }
        crate::cli::SuiteOutput::Json => print_json(&results, &tally)?,
    }
    Ok(tally.exit_code())
}

/// Runs every suite under `paths`, printing each one's lines as it ends when the output
/// is text.
fn run_suites(
    paths: &[PathBuf],
    output: crate::cli::SuiteOutput,
    filter: &suite::Filter,
    timeout: Option<std::time::Duration>,
) -> Vec<suite::SuiteResult> {
    let mut results: Vec<suite::SuiteResult> = Vec::new();
    let mut ended = |r: suite::SuiteResult| {
        if output == crate::cli::SuiteOutput::Stdout {
            print_suite(&r);
        }
        results.push(r);
    };
    for root in paths {
        // `dir/...` is gator's way to say "recursively", which a directory always is here.
        let given = root.to_string_lossy();
        let root = match given.strip_suffix("/...") {
            Some(dir) => PathBuf::from(if dir.is_empty() { "/" } else { dir }),
            None => root.clone(),
        };
        // A suite names its templates, constraints and objects by path: all of them must
        // stay in the tree of the path given (see `input::confine`).
        let found = walk::resolve_named(&root)
            .map_err(|e| format!("{}: {e}", root.display()))
            .and_then(|(tree, _)| suite::find_suites(&root, &tree).map(|suites| (tree, suites)));
        match found {
            // The other paths are still run; the run ends as a tool error.
            Err(why) => ended(suite::SuiteResult {
                path: root.display().to_string(),
                outcome: suite::Outcome::Error(why),
                tests: Vec::new(),
            }),
            Ok((tree, suites)) => {
                for suite_path in suites {
                    ended(suite::run_suite(&suite_path, &tree, filter, timeout));
                }
            }
        }
    }
    results
}

/// The `--output json` document: every suite, test and case with its outcome, and the
/// counts.
fn print_json(results: &[suite::SuiteResult], tally: &Tally) -> anyhow::Result<()> {
    use crate::redact::redact_message;
    let text = |s: &str| Value::String(redact_message(s).into_owned());
    let entry = |name: &str, outcome: &suite::Outcome| {
        let mut e = serde_json::Map::new();
        e.insert("name".into(), text(name));
        e.insert("outcome".into(), outcome.word().into());
        if let Some(why) = outcome.message() {
            e.insert("message".into(), text(why));
        }
        e
    };
    let suites: Vec<Value> = results
        .iter()
        .map(|s| {
            let mut e = entry(&s.path, &s.outcome);
            e.remove("name");
            e.insert("path".into(), text(&s.path));
            let tests: Vec<Value> = s
                .tests
                .iter()
                .map(|t| {
                    let mut e = entry(&t.name, &t.outcome);
                    e.insert("invalid".into(), Value::Bool(t.invalid));
                    let cases: Vec<Value> = t
                        .cases
                        .iter()
                        .map(|c| Value::Object(entry(&c.name, &c.outcome)))
                        .collect();
                    e.insert("cases".into(), Value::Array(cases));
                    Value::Object(e)
                })
                .collect();
            e.insert("tests".into(), Value::Array(tests));
            Value::Object(e)
        })
        .collect();
    let doc = serde_json::json!({
        "suites": suites,
        "summary": {
            "cases": tally.total,
            "passed": tally.passed,
            "failed": tally.failed,
            "errors": tally.errors,
            "skipped": tally.skipped,
        },
    });
    println!("{}", serde_json::to_string_pretty(&doc)?);
    Ok(())
}

/// A suite's lines: a line per case, and one for a suite or test that ended on its own.
fn print_suite(s: &suite::SuiteResult) {
    use crate::redact::message;
    let path = message(&s.path);
    if s.outcome != suite::Outcome::Pass {
        print_line(&s.outcome, &path, "");
        return;
    }
    for t in &s.tests {
        let test = format!("{path} / {}", message(&t.name));
        if t.invalid || t.outcome != suite::Outcome::Pass {
            let note = match (&t.outcome, t.invalid) {
                (suite::Outcome::Pass, true) => "  (invalid: true; the constraint is rejected)",
                _ => "",
            };
            print_line(&t.outcome, &test, note);
        }
        for c in &t.cases {
            print_line(&c.outcome, &format!("{test} / {}", message(&c.name)), "");
        }
    }
}
