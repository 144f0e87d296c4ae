//! `dockpolicy test`: evaluates inputs against policies and reports conftest-style.
//!
//! Policies are compiled once; each worker makes one evaluator (a VM over the shared
//! bytecode beside a clone of the prepared interpreter) and then reads, parses and
//! evaluates whole files, so memory stays proportional to the files in flight and results
//! never depend on scheduling (the report is sorted).

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::{Value, json};

use super::{Inputs, Loaded, Purpose, input_error, pool};
use crate::cli::TestArgs;
use crate::config::Config;
use crate::findings::locate;
use crate::findings::{CheckResult, Counts, FileError};
use crate::input::Document;
use crate::policy::{self, PolicySet, eval};
use crate::redact::Secrets;
use crate::report::suppress::Pragmas;
use crate::report::{
    self, ExitPolicy, OutputFormat, PerFileFormat, Prerendered, RenderedFile, Report, Style,
};

/// The policy options a `test` invocation implies (conftest's defaults plus the bundled
/// library when the user brings no policy of their own).
pub fn policy_options(args: &TestArgs) -> policy::Options {
    let policy_paths = super::policy_paths_or_default(&args.policy);
    let bundled = !args.no_bundled && (args.bundled || policy_paths.is_empty());
    policy::Options {
        policy_paths,
        data_paths: args.data.clone(),
        bundled,
        namespaces: args.namespace.clone(),
        all_namespaces: args.all_namespaces,
        rego_version: args.rego_version,
        include_tests: false,
        config: None,
        timeout: (!args.timeout.is_zero()).then_some(args.timeout),
        engine: args.engine,
        // Counted, or found likely many, by `collect_and_load`.
        run_size: policy::RunSize::Many,
        strict: args.strict,
        capabilities: args.capabilities.clone(),
        lenient_builtins: !args.show_builtin_errors,
    }
}

/// The worker threads a run uses: as many as asked (default: one per core), but never
/// more than there are inputs or cores. Each worker holds its own evaluator (a VM and a
/// clone of the compiled policies), and the work is CPU-bound: `-j 1000` would make a
/// thousand evaluators, seconds and hundreds of MB, to check one file.
pub fn worker_count(requested: Option<usize>, inputs: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    requested.unwrap_or(cores).min(cores).min(inputs).max(1)
}

pub fn run(args: &TestArgs) -> anyhow::Result<i32> {
    let (inputs, policies) = prepare(args)?;
    let mut outputs = args.output.clone();
    if let (Some(path), Some(last)) = (&args.output_file, outputs.last_mut()) {
        last.path = Some(path.clone());
    }
    // Which policies ran and what the config changed (the scanned repository can bring
    // both, so a run that checks less than the bundled library says so), on standard
    // error whatever the format: standard output stays exactly conftest's report, and
    // SARIF also carries it in its invocation.
    eprintln!("{}", crate::redact::message(&policies.info.summary()));
    let text_on_stdout = outputs
        .iter()
        .any(|o| o.path.is_none() && o.format == OutputFormat::Stdout);
    let pool = pool(Some(policies.info.workers))?;
    let checking = Checking {
        args,
        inputs: &inputs,
        policies: &policies,
        pool: &pool,
        outputs: &outputs,
        text_on_stdout,
        style: Style {
            color: !args.no_color
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::IsTerminal::is_terminal(&std::io::stdout()),
            show_suppressed: args.show_suppressed,
            suppress_exceptions: args.suppress_exceptions,
        },
    };
    let per_file = (!args.input.combine)
        .then(|| per_file_format(&outputs, &inputs))
        .flatten();
    let code = match per_file {
        Some(format) => checking.report_per_file(format)?,
        None => checking.report_whole()?,
    };
    super::leave_to_exit((policies, inputs));
    Ok(code)
}

/// A run, ready to check its inputs and write its report.
struct Checking<'a> {
    args: &'a TestArgs,
    inputs: &'a Inputs,
    policies: &'a PolicySet,
    pool: &'a rayon::ThreadPool,
    outputs: &'a [crate::cli::OutputSpec],
    text_on_stdout: bool,
    style: Style,
}

impl Checking<'_> {
    /// Checks the inputs with each worker rendering its file's part of the report in
    /// `format`, every output's (see `per_file_format`); returns the exit code.
    fn report_per_file(&self, format: PerFileFormat) -> anyhow::Result<i32> {
        let mut report = Prerendered::new(format, self.style);
        report.errors = self.inputs.errors.clone();
        let style = self.style;
        let checked = check_each_file(self.pool, self.inputs, self.policies, |mut outcome| {
            let aside = std::mem::take(&mut outcome.aside);
            (outcome.rendered(format, &style), aside)
        });
        let mut asides = Aside::default();
        for ((file, errors), aside) in checked {
            report.files.push(file);
            report.errors.extend(errors);
            asides.add(aside);
        }
        report.finish();
        let code = self.deliver(&report.errors, report.counts(), &asides, &|_, out| {
            report.write(out)
        })?;
        super::leave_to_exit(report);
        Ok(code)
    }

    /// Checks the inputs (each file, or all as one with `--combine`) into a `Report`,
    /// rendered at the end in every output's format; returns the exit code.
    fn report_whole(&self) -> anyhow::Result<i32> {
        let mut report = Report {
            errors: self.inputs.errors.clone(),
            style: self.style,
            run: Some(self.policies.info.clone()),
            options: super::format_options(&self.args.format_options),
            ..Report::default()
        };
        let inputs = self.inputs;
        let mut asides = Aside::default();
        if self.args.input.combine {
            let loaded: Vec<Loaded> = self
                .pool
                .install(|| inputs.targets.par_iter().map(|t| inputs.load(t)).collect());
            asides.add(check_combined(self.policies, loaded, &mut report));
        } else {
            for mut outcome in check_each_file(self.pool, inputs, self.policies, |outcome| outcome)
            {
                asides.add(std::mem::take(&mut outcome.aside));
                outcome.add_to(&mut report);
            }
        }
        report.finish();
        let code = self.deliver(&report.errors, report.counts(), &asides, &|format, out| {
            report::write(format, &report, &self.policies.namespaces, out)
        })?;
        super::leave_to_exit(report);
        Ok(code)
    }

    /// Shows the report's `errors` on standard error when no text report does, writes
    /// every output with `write` (the text format led by what the policies printed, or
    /// replaced by the trace with `--trace`, as conftest), and returns the exit code
    /// `counts` imply. A run that stops (see `Aside::stops_run`) writes no report.
    fn deliver(
        &self,
        errors: &[FileError],
        counts: Counts,
        asides: &Aside,
        write: &WriteReport,
    ) -> anyhow::Result<i32> {
        if let Some(message) = &asides.stops_run {
            anyhow::bail!("{message}");
        }
        let exit_code = |no_fail| {
            counts.exit_code(ExitPolicy {
                fail_on_warn: self.args.fail_on_warn,
                no_fail,
            })
        };
        // conftest's --quiet: a run that passes prints nothing at all.
        if self.args.quiet && exit_code(false) == 0 {
            return Ok(0);
        }
        if !self.text_on_stdout {
            super::eprint_errors(errors);
        }
        let trace = asides.trace.concat();
        if self.args.trace {
            eprint!("{trace}");
        }
        let prints = asides.prnt_lines(self.style.color);
        let text_shows_prints = self
            .outputs
            .iter()
            .any(|o| o.format == OutputFormat::Stdout && !self.args.trace);
        if !text_shows_prints {
            eprint!("{prints}");
        }
        let write_text = |format: OutputFormat, out: &mut dyn std::io::Write| {
            if format != OutputFormat::Stdout {
                return write(format, out);
            }
            if self.args.trace {
                return out.write_all(trace.as_bytes());
            }
            out.write_all(prints.as_bytes())?;
            write(format, out)
        };
        // On the run's own pool: the text and JSON reports render their findings in
        // parallel.
        self.pool
            .install(|| write_outputs(self.outputs, &write_text))?;
        Ok(exit_code(self.args.no_fail))
    }
}

/// Writes the run's report in a format to a destination.
type WriteReport<'a> =
    dyn Fn(OutputFormat, &mut dyn std::io::Write) -> std::io::Result<()> + Sync + 'a;

/// Reads the config, finds the inputs and loads the policies, refusing a run whose
/// reports would overwrite what it reads or whose config leaves nothing to check.
fn prepare(args: &TestArgs) -> anyhow::Result<(Inputs, PolicySet)> {
    let mut options = policy_options(args);
    let config = Config::discover(args.config.as_deref())?;
    let config_path = config.as_ref().map(|(path, _)| path.display().to_string());
    options.config = config.map(|(_, c)| c);
    let protected = super::Protected::of(&options, args.config.as_deref());
    let (inputs, mut policies) = collect_and_load(args, options)?;
    // Before any work: a report must not replace an input, a policy, data or the config.
    protected.check_outputs(&args.output, args.output_file.as_deref(), &inputs.targets)?;
    policies.limit_memory((args.memory_limit > 0).then_some(args.memory_limit));
    policies.trace = args.trace;
    policies.info.config = config_path;
    policies.info.inputs = inputs.targets.len();
    policies.info.workers = worker_count(args.input.threads, inputs.targets.len());
    // The scanned repository may bring the config file: one that disables every rule
    // would make a run that checks nothing look like a clean one. conftest treats "no
    // policies" as an error, and so does this.
    if policies.namespaces.is_empty() && !policies.info.disabled.is_empty() {
        anyhow::bail!(
            "{} disables every rule ({}): nothing would be checked",
            policies.info.config.as_deref().unwrap_or("the config file"),
            policies.info.disabled.join(", ")
        );
    }
    Ok((inputs, policies))
}

/// Checks every input on `pool`, each file by one worker, which hands its outcome to
/// `finish` (to render it, say) and returns what that makes, in input order.
fn check_each_file<T: Send>(
    pool: &rayon::ThreadPool,
    inputs: &Inputs,
    policies: &PolicySet,
    finish: impl Fn(FileOutcome) -> T + Sync,
) -> Vec<T> {
    // One evaluator per worker thread, made before the run: rayon's `map_init` would
    // make one per work split (dozens), each a VM and an engine clone.
    let evaluators: Vec<std::sync::Mutex<eval::Evaluator>> = (0..pool.current_num_threads())
        .map(|_| std::sync::Mutex::new(eval::Evaluator::new(policies)))
        .collect();
    let finished = pool.install(|| {
        inputs
            .targets
            .par_iter()
            // One file per job: rayon otherwise splits the list into as many halves as
            // there are threads and only splits a half again when it is stolen, so a
            // thread that finished its half early sat idle (the halves of the corpus,
            // sorted by name, differ by a quarter in cost).
            .with_max_len(1)
            .map(|target| {
                let worker = rayon::current_thread_index().unwrap_or(0) % evaluators.len();
                // Uncontended: only this worker thread ever takes its own evaluator. A
                // poisoned lock (a panic in an earlier file) still holds a usable engine.
                let mut evaluator = evaluators[worker]
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                finish(check_file(&mut evaluator, policies, inputs.load(target)))
            })
            .collect()
    });
    // Each a VM and an engine clone.
    super::leave_to_exit(evaluators);
    finished
}

/// Writes the report in every requested format (`write` renders it in one), to its file
/// or standard output.
fn write_outputs(outputs: &[crate::cli::OutputSpec], write: &WriteReport) -> anyhow::Result<()> {
    for output in outputs {
        let written = match &output.path {
            // Never through a symlink, never into a directory outside the tree: see
            // `confine::write_file`.
            Some(path) => {
                crate::input::confine::write_file(path, &mut |out| write(output.format, out))
                    .map_err(|e| std::io::Error::other(e.reason()))
            }
            None => {
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                write(output.format, &mut out)
                    .and_then(|()| std::io::Write::flush(&mut out))
                    // A reader that stops early (`| head`) is not an error of ours.
                    .or_else(|e| match e.kind() {
                        std::io::ErrorKind::BrokenPipe => Ok(()),
                        _ => Err(e),
                    })
            }
        };
        written.map_err(|e| match &output.path {
            Some(path) => anyhow::anyhow!("cannot write {}: {e}", path.display()),
            None => anyhow::anyhow!("cannot write the report: {e}"),
        })?;
    }
    Ok(())
}

/// Finds the inputs and loads the policies, side by side when the run will likely check
/// many files (see `policy::likely_many`): over the corpus each is a noticeable share of
/// otherwise single-threaded start-up. A run over a few named files counts them first,
/// so the policy layer can tell whether compiling a VM program would pay (see
/// `engine_choice::vm_program`); so does a run with `-j 1`, which asks for one thread,
/// and one with `--engine interpreter`, whose load has no program to compile or read.
fn collect_and_load(
    args: &TestArgs,
    mut options: policy::Options,
) -> anyhow::Result<(Inputs, PolicySet)> {
    let one_thread = args.input.threads.is_some_and(|n| n <= 1);
    let side_by_side = options.engine == policy::EngineChoice::Auto
        && !one_thread
        && policy::likely_many(&args.input.paths);
    if !side_by_side {
        let inputs = Inputs::collect(&args.input, Purpose::Test)?;
        options.run_size = policy::RunSize::Counted(inputs.targets.len());
        return Ok((inputs, policy::load(&options)?));
    }
    options.run_size = policy::RunSize::Many;
    let (inputs, policies) = std::thread::scope(|scope| {
        let walk = scope.spawn(|| Inputs::collect(&args.input, Purpose::Test));
        let policies = policy::load(&options);
        let inputs = walk
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (inputs, policies)
    });
    // The walk's errors first, as when the two ran one after the other.
    Ok((inputs?, policies?))
}

/// The format every output of the run is written in, when the workers can render each
/// file's part of it as they go (see `report::Prerendered`): text or JSON, and every file
/// under its own name (the report is sorted by file, and a file's part is one block).
fn per_file_format(outputs: &[crate::cli::OutputSpec], inputs: &Inputs) -> Option<PerFileFormat> {
    let format = outputs.first()?.format;
    if outputs.iter().any(|o| o.format != format) {
        return None;
    }
    let per_file = PerFileFormat::of(format)?;
    // The walk keeps paths unique, so only a name that is not UTF-8 (printed lossily) can
    // print like another: without one, no name is printed here just to compare.
    if inputs.targets.iter().all(|t| t.path.to_str().is_some()) {
        return Some(per_file);
    }
    let mut names = std::collections::HashSet::with_capacity(inputs.targets.len());
    inputs
        .targets
        .iter()
        .all(|t| names.insert(super::display(&t.path)))
        .then_some(per_file)
}

/// What checking one file gave.
struct FileOutcome {
    filename: String,
    /// The source lines the findings point at (not the whole text, which is dropped here).
    lines: BTreeMap<usize, String>,
    results: Vec<CheckResult>,
    errors: Vec<FileError>,
    aside: Aside,
}

/// What checking leaves beside the results, gathered over the run in input order.
#[derive(Default)]
struct Aside {
    /// What the policies printed, one safe line each (see `eval::PrintLog::bare`).
    prints: String,
    /// `--trace` lines, each ending in a line break, made safe to show.
    trace: Vec<String>,
    /// An error after which conftest stops the whole run with no report (a result
    /// object without `msg`): the first one found.
    stops_run: Option<String>,
}

impl Aside {
    fn add(&mut self, other: Aside) {
        self.prints.push_str(&other.prints);
        self.trace.extend(other.trace);
        if self.stops_run.is_none() {
            self.stops_run = other.stops_run;
        }
    }

    /// Notes what evaluating one document left beside its results: the trace (made safe
    /// with the document's `secrets`, found only when there is one) and the first error
    /// that stops the run.
    fn note(
        &mut self,
        evaluator: &mut eval::Evaluator,
        errors: &[eval::EvalError],
        secrets: impl FnOnce() -> Secrets,
    ) {
        let trace = evaluator.take_trace();
        if !trace.is_empty() {
            let secrets = secrets();
            self.trace
                .extend(trace.iter().map(|line| safe_line(&secrets, line)));
        }
        if let Some(stop) = errors.iter().find(|e| e.stops_run) {
            self.stops_run.get_or_insert_with(|| stop.to_string());
        }
    }

    /// The prints as conftest's text report leads with them: `PRNT  <print>` and a
    /// blank line for each.
    fn prnt_lines(&self, color: bool) -> String {
        let label = if color {
            "\u{1b}[34mPRNT \u{1b}[0m"
        } else {
            "PRNT "
        };
        self.prints
            .lines()
            .map(|line| format!("{label}  {line}\n\n"))
            .collect()
    }
}

impl FileOutcome {
    fn new(filename: String) -> FileOutcome {
        FileOutcome {
            filename,
            lines: BTreeMap::new(),
            results: Vec::new(),
            errors: Vec::new(),
            aside: Aside::default(),
        }
    }

    /// The results and their source lines rendered in `format`, and the errors.
    fn rendered(mut self, format: PerFileFormat, style: &Style) -> (RenderedFile, Vec<FileError>) {
        let file =
            RenderedFile::render(self.filename, &mut self.results, &self.lines, format, style);
        (file, self.errors)
    }

    fn add_to(self, report: &mut Report) {
        if !self.lines.is_empty() {
            report.sources.insert(self.filename, self.lines);
        }
        report.results.extend(self.results);
        report.errors.extend(self.errors);
    }
}

/// Evaluates every document of one file; results of the same namespace are merged.
fn check_file(
    evaluator: &mut eval::Evaluator,
    policies: &PolicySet,
    loaded: Loaded,
) -> FileOutcome {
    let text = loaded.text;
    let mut outcome = FileOutcome::new(loaded.filename);
    let parsed = match loaded.parsed {
        Ok(p) => p,
        Err(e) => {
            outcome.errors.push(input_error(&outcome.filename, &e));
            return outcome;
        }
    };
    let mut merged: BTreeMap<String, CheckResult> = BTreeMap::new();
    let mut prints = eval::PrintLog::bare(&outcome.filename);
    // The file's secret values, found once, when a policy error first needs them.
    let mut file_secrets: Option<Secrets> = None;
    if parsed.documents.is_empty() {
        // A file with no documents (an empty YAML stream) still shows up, with 0 tests.
        for ns in policies.namespaces.keys() {
            merged.insert(ns.clone(), CheckResult::new(&outcome.filename, ns));
        }
    }
    for (index, document) in parsed.documents.iter().enumerate() {
        let (mut results, errors) =
            eval::evaluate(evaluator, &policies.namespaces, &outcome.filename, document);
        let printed = evaluator.take_prints();
        if !printed.is_empty() {
            prints.add(printed, Some(&document.to_json()));
        }
        outcome.aside.note(evaluator, &errors, || {
            secrets_of(&mut file_secrets, text.as_deref(), document)
        });
        if let (Some(text), Some(range)) = (&text, parsed.ranges.get(index)) {
            let root = parsed
                .tree_roots
                .as_ref()
                .and_then(|roots| roots.get(index))
                .map(|item| item.map(locate::Step::Index).into_iter().collect());
            let mut locator = locate::Locator::new(
                text,
                locate::DocumentPlace {
                    range: *range,
                    root,
                },
            );
            for r in &mut results {
                locate_findings(r, &mut locator);
            }
        }
        merge_by_namespace(&mut merged, results);
        if !errors.is_empty() {
            let secrets = secrets_of(&mut file_secrets, text.as_deref(), document);
            outcome.errors.extend(errors.into_iter().map(|e| FileError {
                filename: outcome.filename.clone(),
                line: None,
                message: secrets.hide(&e.to_string()),
            }));
        }
    }
    if let Some(text) = &text {
        apply_pragmas(policies, text, &parsed, &mut merged);
    }
    outcome.aside.prints = prints.text();
    fill_end_lines(&mut merged, &parsed);
    outcome.results = merged.into_values().collect();
    // In the order `--namespace` names them (a stable sort keeps the names' order
    // otherwise).
    outcome.results.sort_by_key(|r| r.namespace_rank);
    if let Some(text) = &text {
        outcome.lines = report::pointed_lines(text, &outcome.results);
    }
    outcome
}

/// Adds one document's results to the file's, one result per namespace.
fn merge_by_namespace(merged: &mut BTreeMap<String, CheckResult>, results: Vec<CheckResult>) {
    for r in results {
        match merged.get_mut(&r.namespace) {
            Some(m) => m.absorb(r),
            None => {
                merged.insert(r.namespace.clone(), r);
            }
        }
    }
}

/// The secret values a policy error on `document` must not show. A policy's runtime
/// error may quote any value of the input (`add expects numeric argument. Got
/// "hunter2"`): they are hidden once, for every format and standard error. They are found
/// in the file's text (once per file, kept in `file_secrets`), and in the document
/// itself, which is all an image archive has.
fn secrets_of(
    file_secrets: &mut Option<Secrets>,
    text: Option<&str>,
    document: &Document,
) -> Secrets {
    let secrets = file_secrets
        .get_or_insert_with(|| text.map_or_else(Secrets::default, |t| Secrets::in_text(t, None)))
        .clone();
    match document {
        Document::Json(doc) => secrets.with(&Secrets::in_document(doc)),
        Document::Dockerfile(_) => secrets,
    }
}

/// Hides the findings that the file's `# dockpolicy ignore=` pragmas name.
fn apply_pragmas(
    policies: &PolicySet,
    text: &str,
    parsed: &crate::input::Parsed,
    results: &mut BTreeMap<String, CheckResult>,
) {
    // A Dockerfile's heredoc bodies are content, not pragmas.
    let heredoc_bodies: Vec<_> = match parsed.documents.first() {
        Some(Document::Dockerfile(instructions)) => instructions
            .iter()
            .flat_map(|i| i.heredocs.iter().map(|h| h.lines.clone()))
            .collect(),
        _ => Vec::new(),
    };
    let pragmas = Pragmas::parse_outside(text, &heredoc_bodies, |name| {
        policies
            .rule_id(name)
            .map_or_else(|| name.to_uppercase(), str::to_owned)
    });
    for r in results.values_mut() {
        pragmas.apply(r);
    }
}

/// Findings on a multi-line Dockerfile instruction span it to its last line (for SARIF
/// regions and GitHub annotations).
fn fill_end_lines(results: &mut BTreeMap<String, CheckResult>, parsed: &crate::input::Parsed) {
    let Some(Document::Dockerfile(instructions)) = parsed.documents.first() else {
        return;
    };
    let ends: BTreeMap<usize, usize> = instructions
        .iter()
        .map(|i| (i.start_line, i.end_line))
        .collect();
    if ends.is_empty() {
        return;
    }
    for r in results.values_mut() {
        for f in r
            .failures
            .iter_mut()
            .chain(r.warnings.iter_mut())
            .chain(r.suppressed.iter_mut())
        {
            if let Some(line) = f.line
                && f.end_line.is_none()
            {
                f.end_line = ends.get(&line).copied();
            }
        }
    }
}

/// Gives a line to findings whose policy pointed at a node (`_loc: {path}`) or at content
/// (`_loc: {key, value}`) rather than at a line, within the document's own part of the file.
fn locate_findings(result: &mut CheckResult, locator: &mut locate::Locator) {
    for f in result.failures.iter_mut().chain(result.warnings.iter_mut()) {
        if f.line.is_none()
            && let Some(target) = &f.target
        {
            f.line = locator.line_of(target);
        }
    }
}

/// `--combine`: one document `[{path, contents}]` (an entry per document of each file),
/// reported under the name `Combined`.
fn check_combined(policies: &PolicySet, loaded: Vec<Loaded>, report: &mut Report) -> Aside {
    let mut docs = Vec::new();
    for l in loaded {
        match l.parsed {
            // As conftest: one entry per document, so a multi-document file gives several.
            Ok(p) => docs.extend(
                p.documents
                    .into_iter()
                    .map(|d| json!({"path": l.filename, "contents": d.into_json()})),
            ),
            Err(e) => report.errors.push(input_error(&l.filename, &e)),
        }
    }
    let mut evaluator = eval::Evaluator::new(policies);
    let input = Document::Json(Value::Array(docs));
    let (mut results, errors) =
        eval::evaluate(&mut evaluator, &policies.namespaces, "Combined", &input);
    results.sort_by_key(|r| r.namespace_rank);
    let mut aside = Aside::default();
    let printed = evaluator.take_prints();
    if !printed.is_empty() {
        let mut prints = eval::PrintLog::bare("Combined");
        prints.add(printed, Some(&input.to_json()));
        aside.prints = prints.text();
    }
    report.results.extend(results);
    // As in `check_file`: an error (or the trace) may quote any file's values.
    let trace = evaluator.take_trace();
    let secrets = match &input {
        Document::Json(doc) if !errors.is_empty() || !trace.is_empty() => Secrets::in_document(doc),
        _ => Secrets::default(),
    };
    aside.trace = trace.iter().map(|line| safe_line(&secrets, line)).collect();
    aside.stops_run = errors.iter().find(|e| e.stops_run).map(ToString::to_string);
    report.errors.extend(errors.into_iter().map(|e| FileError {
        filename: "Combined".into(),
        line: None,
        message: secrets.hide(&e.to_string()),
    }));
    aside
}

/// A trace line made safe to show: the input's secret values hidden, secret-looking
/// values redacted, control characters escaped; with its line break.
fn safe_line(secrets: &Secrets, line: &str) -> String {
    let hidden = secrets.hide(line);
    format!("{}\n", crate::redact::lines(&crate::redact::text(&hidden)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_are_capped_at_the_cores_and_the_inputs() {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        assert_eq!(worker_count(Some(1000), 1), 1);
        assert_eq!(worker_count(Some(1000), 10_000), cores);
        assert_eq!(worker_count(None, 0), 1);
        assert_eq!(worker_count(Some(1), 10_000), 1);
    }
}
