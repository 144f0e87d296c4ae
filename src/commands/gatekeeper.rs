//! `dockpolicy gatekeeper export|test|verify`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cli::{GatekeeperArgs, GatekeeperCommand};
use crate::config::Config;
use crate::gatekeeper::export::{self, Module};
use crate::gatekeeper::run::{Constraint, Template, reviews};
use crate::gatekeeper::suite;
use crate::input::{self, confine, walk};
use crate::policy::eval::PrintLog;
use crate::policy::{self, bundled, load};
use crate::report::{self, CheckResult, ExitPolicy, FileError, Finding, Report, exit};

pub fn run(args: &GatekeeperArgs) -> anyhow::Result<i32> {
    match &args.command {
        GatekeeperCommand::Export {
            policy,
            no_bundled,
            output,
            config,
            rego_version,
        } => {
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
            let config = Config::discover(config.as_deref())?
                .map(|(_, c)| c)
                .unwrap_or_default();
            let exported =
                export::export(&modules, &config, *rego_version).map_err(anyhow::Error::msg)?;
            for e in &exported {
                for (rel, text) in [&e.template, &e.constraint] {
                    // Names come from the policies' metadata: only plain relative paths
                    // stay inside the output directory.
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
                        report::redact::message(&path.display().to_string())
                    );
                }
            }
            Ok(exit::CLEAN)
        }
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
        GatekeeperCommand::Verify { paths, limits } => {
            policy::set_memory_limit(limits.memory_limit());
            verify(paths, limits.timeout())
        }
    }
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
    output: crate::cli::OutputFormat,
    timeout: Option<std::time::Duration>,
) -> anyhow::Result<i32> {
    let mut report = Report::default();
    let mut compiled: Vec<Template> = Vec::new();
    for (file, doc) in yaml_docs(templates, &mut report.errors) {
        if doc.get("kind").and_then(Value::as_str) == Some("ConstraintTemplate") {
            match Template::load(&doc, timeout) {
                Ok(t) => {
                    if t.cel {
                        eprintln!(
                            "note: {}: template {} also has K8sNativeValidation (CEL) code, \
                             which Gatekeeper may run instead of its Rego; dockpolicy evaluates \
                             the Rego",
                            report::redact::message(&file),
                            report::redact::message(&t.name)
                        );
                    }
                    compiled.push(t)
                }
                Err(message) => report.errors.push(FileError {
                    filename: file,
                    line: None,
                    message,
                }),
            }
        }
    }
    let mut loaded: Vec<Constraint> = Vec::new();
    for (file, doc) in yaml_docs(constraints, &mut report.errors) {
        if doc
            .pointer("/apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|a| a.starts_with("constraints.gatekeeper.sh/"))
        {
            match Constraint::load(&doc) {
                Ok(c) => loaded.push(c),
                Err(message) => report.errors.push(FileError {
                    filename: file,
                    line: None,
                    message,
                }),
            }
        }
    }
    let mut docs = yaml_docs(paths, &mut report.errors).into_iter().peekable();
    while let Some((file, doc)) = docs.next() {
        // One log per file (its documents are consecutive), shown once it is done.
        let mut prints = PrintLog::new(&file);
        let mut doc = Some(doc);
        while let Some(current) = doc.take().or_else(|| {
            docs.next_if(|(next, _)| *next == file)
                .map(|(_, next_doc)| next_doc)
        }) {
            review_document(
                &file,
                &current,
                &compiled,
                &loaded,
                &mut report,
                &mut prints,
            );
        }
        prints.emit();
    }
    report.finish();
    print!("{}", report::render(output, &report, &Default::default()));
    Ok(report.counts().exit_code(ExitPolicy::default()))
}

/// Reviews every object of one document against the constraints that match it.
fn review_document(
    file: &str,
    doc: &Value,
    compiled: &[Template],
    loaded: &[Constraint],
    report: &mut Report,
    prints: &mut PrintLog,
) {
    for review in reviews(doc) {
        for c in loaded.iter().filter(|c| c.matches(&review.object)) {
            let Some(t) = compiled.iter().find(|t| t.kind == c.kind) else {
                report.errors.push(FileError {
                    filename: file.to_owned(),
                    line: None,
                    message: format!("constraint {} has no template of kind {}", c.name, c.kind),
                });
                continue;
            };
            let mut result = CheckResult::new(file, &c.name);
            match t.review(c, &review, &Value::Null, prints) {
                Ok(violations) if violations.is_empty() => result.successes += 1,
                Ok(violations) => {
                    for v in violations {
                        let mut f = Finding::new(v.msg);
                        f.metadata.insert(
                            "enforcementAction".into(),
                            Value::String(c.enforcement.clone()),
                        );
                        f.metadata.insert("details".into(), v.details);
                        if c.enforcement == "deny" {
                            result.failures.push(f)
                        } else {
                            result.warnings.push(f)
                        }
                    }
                }
                Err(e) => {
                    // The error says it all: no empty result ("no policies found") beside it.
                    report.errors.push(FileError {
                        filename: file.to_owned(),
                        line: None,
                        message: e,
                    });
                    continue;
                }
            }
            merge(&mut report.results, result);
        }
    }
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

fn verify(paths: &[PathBuf], timeout: Option<std::time::Duration>) -> anyhow::Result<i32> {
    let (mut failed, mut errors, mut total) = (0, 0, 0);
    // Suites come from the scanned tree: nothing they name may drive the terminal or
    // start a line of its own (see report::redact).
    use report::redact::{lines, message};
    for root in paths {
        // A suite names its templates, constraints and objects by path: all of them must
        // stay in the tree of the path given (see `input::confine`).
        let found = walk::resolve_named(root)
            .map_err(|e| format!("{}: {e}", root.display()))
            .and_then(|(tree, _)| {
                suite::find_suites(Path::new(root), &tree).map(|suites| (tree, suites))
            });
        let (tree, suites) = match found {
            Ok(found) => found,
            Err(why) => {
                // The other paths are still run; the run ends as a tool error.
                errors += 1;
                total += 1;
                println!(
                    "ERROR {}\n      {}",
                    message(&root.display().to_string()),
                    lines(&why)
                );
                continue;
            }
        };
        for suite_path in suites {
            for r in suite::run_suite(&suite_path, &tree, timeout) {
                total += 1;
                let (suite, test, case) = (message(&r.suite), message(&r.test), message(&r.case));
                match &r.outcome {
                    suite::Outcome::Pass => println!("PASS  {suite} / {test} / {case}"),
                    suite::Outcome::Fail(why) => {
                        failed += 1;
                        println!("FAIL  {suite} / {test} / {case}\n      {}", lines(why));
                    }
                    suite::Outcome::Error(why) => {
                        errors += 1;
                        println!("ERROR {suite} / {test} / {case}\n      {}", lines(why));
                    }
                }
            }
        }
    }
    println!(
        "\n{} cases, {} passed, {} failed, {} errors",
        total,
        total - failed - errors,
        failed,
        errors
    );
    // As in `test`: a case that could not be run (an unreadable object, a template that
    // does not compile, an evaluation out of time) is a tool error, whatever the others did.
    Ok(if errors > 0 {
        exit::TOOL_ERROR
    } else if failed > 0 {
        exit::FAILURES
    } else {
        exit::CLEAN
    })
}
