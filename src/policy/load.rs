//! Loading policies into one compiled engine: the bundled library, `-p` files and
//! directories, `-d` data.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regorus::unstable::{Expr, Rule, RuleHead};

use super::engine_choice::{EngineChoice, RunSize, SetTraits, VmProgram, vm_program};
use super::metadata::{self, Annotations};
use super::{BUNDLED_PREFIX, Namespace, PolicySet, bundled, data, rule_severity};
use crate::config::Config;
use crate::findings::Severity;
use crate::input::{confine, walk};

/// Rego syntax version of user policies. The bundled library is always v1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegoVersion {
    V0,
    #[default]
    V1,
}

impl RegoVersion {
    /// The name `--rego-version` takes.
    pub fn name(self) -> &'static str {
        match self {
            RegoVersion::V0 => "v0",
            RegoVersion::V1 => "v1",
        }
    }
}

/// Where policies and data come from, and which namespaces to evaluate.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub policy_paths: Vec<PathBuf>,
    pub data_paths: Vec<PathBuf>,
    pub bundled: bool,
    pub namespaces: Vec<String>,
    pub all_namespaces: bool,
    pub rego_version: RegoVersion,
    /// Load `*_test.rego` files too (for `verify`); `test` skips them.
    pub include_tests: bool,
    /// The config file's settings; `None` means the defaults.
    pub config: Option<Config>,
    /// Wall-clock limit for one evaluation (one input against the policies); `None` for
    /// no limit.
    pub timeout: Option<std::time::Duration>,
    /// The engine the user asked for (see `engine_choice::vm_program`).
    pub engine: EngineChoice,
    /// How many inputs the run checks, as far as the command knows (see `vm_program`).
    pub run_size: RunSize,
    /// `--strict`: OPA's strict-mode checks on the user's policies (see `strict`).
    pub strict: bool,
    /// `--capabilities`: an OPA capabilities file; the user's policies may call only the
    /// builtins it lists.
    pub capabilities: Option<PathBuf>,
    /// A failing builtin in a user's policy leaves its expression undefined, as in OPA
    /// (`test` without `--show-builtin-errors`); otherwise it is an error, regorus's
    /// default.
    pub lenient_builtins: bool,
}

/// A problem with the policies or data themselves: always a tool error.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("policy {path} does not compile:\n{message}")]
    Policy { path: String, message: String },
    #[error("policies do not compile:\n{0}")]
    Compile(String),
    #[error("data file {path}: {message}")]
    Data { path: String, message: String },
    #[error("no policies found{0}; pass -p/--policy, or drop --no-bundled")]
    NoPolicies(String),
    #[error("--namespace {pattern:?}: {message}")]
    Namespace { pattern: String, message: String },
    #[error(
        "{path}:{line}: rule {rule} is using `if` without `contains`: a v1 `{rule}[x] if` rule is an object whose values are `true`, not a set of results; write `{rule} contains x if`"
    )]
    IfWithoutContains {
        path: String,
        line: u32,
        rule: String,
    },
    #[error("--capabilities {path}: {message}")]
    Capabilities { path: String, message: String },
}

/// Largest policy file read. Real ones are kilobytes; the whole text is parsed in memory.
pub const MAX_POLICY: u64 = 16 * 1024 * 1024;

/// A `LoadError::Io` for `path` from a walk or confinement error (whose message does not
/// repeat the path).
fn walk_error(path: &Path, e: &walk::WalkError) -> LoadError {
    LoadError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Finds `.rego` files under `path` (recursively for directories), sorted. The policy
/// directory is part of the untrusted checkout: a file or directory that resolves outside
/// its tree is an error naming it (see `input::confine`), never read; hidden entries are
/// skipped as before, and `.gitignore` no longer hides a policy.
pub fn rego_files(path: &Path, include_tests: bool) -> Result<Vec<PathBuf>, LoadError> {
    let (tree, real) = walk::resolve_named(path).map_err(|e| walk_error(path, &e))?;
    if !real.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let is_rego = |p: &Path| p.extension().is_some_and(|e| e == "rego");
    let rules = walk::Rules {
        skip_hidden: true,
        ignore: None,
        wanted: &is_rego,
    };
    let mut files = Vec::new();
    let mut first_error = None;
    walk::walk(&tree, path, &rules, &mut vec![real], &mut |found| {
        match found {
            walk::Found::File(p) => {
                let is_test = p.to_string_lossy().ends_with("_test.rego");
                if is_rego(&p) && (include_tests || !is_test) {
                    files.push(p);
                }
            }
            walk::Found::Error(p, e) => {
                first_error.get_or_insert_with(|| walk_error(&p, &e));
            }
            walk::Found::Dir(_) => {}
        }
        true
    });
    if let Some(e) = first_error {
        return Err(e);
    }
    files.sort();
    Ok(files)
}

/// Reads a policy file found by `rego_files` (so inside its tree), bounded.
pub fn read_policy(file: &Path) -> Result<String, LoadError> {
    let display = file.display().to_string();
    let bytes = confine::read_capped_at(file, MAX_POLICY).map_err(|e| LoadError::Io {
        path: display.clone(),
        message: e.reason(),
    })?;
    String::from_utf8(bytes).map_err(|_| LoadError::Policy {
        path: display,
        message: "not valid UTF-8 text".into(),
    })
}

/// Builds the policy set: compiles everything once and discovers the rules to run.
pub fn load(options: &Options) -> Result<PolicySet, LoadError> {
    super::conftest_builtins::set_base(&options.policy_paths);
    let mut engine = new_engine().map_err(LoadError::Compile)?;
    let (annotations, user_policies, reads_file_info) = add_policies(&mut engine, options)?;
    let config = options.config.clone().unwrap_or_default();
    let (data, data_json) = add_data(&mut engine, options, &config)?;
    // Semantic checks (unsafe variables, unknown functions) run when the engine first
    // prepares for evaluation. A user's policies are prepared now, so that their errors
    // surface as compile errors. The bundled library on its own is held to those checks by
    // its tests, and when the VM runs it the interpreter may never be asked at all: its
    // preparation, a good part of the start-up before the workers begin, then waits for
    // its first use, unless the run has no VM program.
    // OPA leaves an expression whose builtin fails undefined unless asked to report it;
    // regorus reports it by default. `test` gives user policies OPA's behaviour; the
    // bundled library alone keeps reporting (its tests hold it to that).
    if user_policies > 0 && options.lenient_builtins {
        engine.set_strict_builtin_errors(false);
    }
    let prepare_now = user_policies > 0 || options.engine == EngineChoice::Interpreter;
    if prepare_now {
        prepare(&mut engine)?;
    }
    if let Some(limit) = options.timeout {
        set_time_limit(&mut engine, limit);
    }
    let mut namespaces = discover(&mut engine, options)?;
    for (name, ns) in namespaces.iter_mut() {
        ns.meta = annotations.get(name).cloned();
    }
    let applied = apply_config(&mut namespaces, &config);
    let info = set_info(options, user_policies, &namespaces, applied);
    let compiled = compile_for_vm(&mut engine, options, &namespaces, data, user_policies);
    if !prepare_now && compiled.is_none() {
        prepare(&mut engine)?;
    }
    Ok(PolicySet {
        engine,
        compiled,
        namespaces,
        metadata: annotations,
        info,
        timeout: options.timeout,
        file_data: reads_file_info.then_some(data_json),
        trace: false,
    })
}

/// Adds the bundled library (when on) and the user's policy files to `engine`; returns
/// the METADATA of every package, how many files were the user's, and whether one of them
/// may read `data.conftest` (conftest's `data.conftest.file`). No policy at all is an
/// error, as in conftest.
fn add_policies(
    engine: &mut regorus::Engine,
    options: &Options,
) -> Result<(BTreeMap<String, Annotations>, usize, bool), LoadError> {
    let mut annotations: BTreeMap<String, Annotations> = BTreeMap::new();
    let mut count = 0;
    let mut user_policies = 0;
    let mut user_sources: Vec<(String, String)> = Vec::new();
    if options.bundled {
        engine.set_rego_v0(false);
        let tests = options
            .include_tests
            .then(bundled::tests)
            .into_iter()
            .flatten();
        for (path, source) in bundled::policies().chain(tests) {
            record_metadata(&mut annotations, &path, source)?;
            add(engine, path, source.to_owned())?;
            count += 1;
        }
    }
    engine.set_rego_v0(options.rego_version == RegoVersion::V0);
    for root in &options.policy_paths {
        for file in rego_files(root, options.include_tests)? {
            let display = file.display().to_string();
            let source = read_policy(&file)?;
            record_metadata(&mut annotations, &display, &source)?;
            check_as_opa(options, &source).map_err(|message| LoadError::Policy {
                path: display.clone(),
                message,
            })?;
            user_sources.push((display.clone(), source.clone()));
            add(engine, display, source)?;
            count += 1;
            user_policies += 1;
        }
    }
    if count == 0 {
        return Err(no_policies(options));
    }
    if let Some(path) = &options.capabilities {
        super::capabilities::check(path, engine, &user_sources)?;
    }
    let reads_file_info = user_sources
        .iter()
        .any(|(_, source)| code_only(source).contains("conftest"));
    Ok((annotations, user_policies, reads_file_info))
}

/// The checks OPA makes on a user's policy text that regorus does not (see `syntax`):
/// v1 keywords under v0 without their import, and `--strict`'s.
fn check_as_opa(options: &Options, source: &str) -> Result<(), String> {
    if options.rego_version == RegoVersion::V0 {
        super::syntax::check_v0_keywords(source)?;
    }
    if options.strict {
        super::syntax::check_strict(source)?;
    }
    Ok(())
}

/// The error for a run with no policy, naming where they were looked for.
fn no_policies(options: &Options) -> LoadError {
    let searched = if options.policy_paths.is_empty() {
        String::new()
    } else {
        let paths: Vec<_> = options
            .policy_paths
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        format!(" in {}", paths.join(", "))
    };
    LoadError::NoPolicies(searched)
}

/// Loads the `-d` data files, adds the config file's settings under `dockpolicy_config`,
/// and gives the whole to `engine`; returns it for the VM, and as JSON.
fn add_data(
    engine: &mut regorus::Engine,
    options: &Options,
    config: &Config,
) -> Result<(regorus::Value, serde_json::Value), LoadError> {
    let mut value = data::load(&options.data_paths)?;
    if let serde_json::Value::Object(map) = &mut value {
        if map.contains_key("dockpolicy_config") {
            return Err(LoadError::Data {
                path: "-d".into(),
                message: "the key dockpolicy_config is reserved for the config file's settings"
                    .into(),
            });
        }
        map.insert("dockpolicy_config".into(), config.to_data());
    }
    let data = regorus::Value::from(value.clone());
    engine.add_data(data.clone()).map_err(|e| LoadError::Data {
        path: "-d".into(),
        message: e.to_string(),
    })?;
    Ok((data, value))
}

/// The selected result rules compiled to the bytecode VM, when `vm_program` decides the
/// run uses it; `None` runs the set on the interpreter alone.
fn compile_for_vm(
    engine: &mut regorus::Engine,
    options: &Options,
    namespaces: &BTreeMap<String, Namespace>,
    data: regorus::Value,
    user_policies: usize,
) -> Option<super::vm::Compiled> {
    let user_in_bundled = engine.get_modules().iter().any(|m| {
        let bundled = m.package.span.source.get_path().starts_with("<bundled>");
        !bundled
            && regorus::utils::get_path_string(&m.package.refr, None)
                .is_ok_and(|p| p.starts_with(BUNDLED_PREFIX))
    });
    let set = SetTraits {
        user_in_bundled,
        bundled_alone: user_policies == 0 && options.data_paths.is_empty(),
    };
    let program = vm_program(options.engine, options.run_size, set);
    if program == VmProgram::None {
        return None;
    }
    let rules = vm_rules(namespaces);
    let embedded = || super::vm::embedded(&rules, data.clone(), options.timeout);
    let compiled = || super::vm::compile(engine, &rules, data.clone(), options.timeout).ok();
    match program {
        VmProgram::None => None,
        VmProgram::Embedded => embedded(),
        VmProgram::EmbeddedOrCompiled => embedded().or_else(compiled),
        VmProgram::Compiled => compiled(),
    }
}

/// What the run summary says about the set (see `SetInfo`).
fn set_info(
    options: &Options,
    policy_files: usize,
    namespaces: &BTreeMap<String, Namespace>,
    applied: Applied,
) -> super::SetInfo {
    super::SetInfo {
        bundled: options.bundled,
        policy_paths: options
            .policy_paths
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        policy_files,
        config: None,
        disabled: applied.disabled,
        severity: applied.severity,
        amended: namespaces
            .iter()
            .filter(|(_, ns)| ns.bundled && ns.user_modules)
            .map(|(name, _)| name.clone())
            .collect(),
        namespaces: namespaces.keys().cloned().collect(),
        inputs: 0,
        workers: 0,
    }
}

/// What the config file changed: the rules it disabled and the severities it set.
#[derive(Default)]
struct Applied {
    disabled: Vec<String>,
    severity: Vec<(String, Severity)>,
}

/// The result rules the VM runs, `(namespace, rule)`: every rule (and `exception`) of the
/// bundled namespaces that no user module adds to.
pub(super) fn vm_rules(namespaces: &BTreeMap<String, Namespace>) -> Vec<(String, String)> {
    namespaces
        .iter()
        .filter(|(_, ns)| ns.bundled && !ns.user_modules)
        .flat_map(|(name, ns)| {
            let exception = ns.has_exception.then_some("exception");
            ns.rules
                .keys()
                .map(String::as_str)
                .chain(exception)
                .map(move |rule| (name.clone(), rule.to_owned()))
        })
        .collect()
}

/// Prepares `engine` for evaluation, which runs regorus's semantic checks.
fn prepare(engine: &mut regorus::Engine) -> Result<(), LoadError> {
    engine.set_input(regorus::Value::new_object());
    engine
        .eval_query("true".to_owned(), false)
        .map(|_| ())
        .map_err(|e| LoadError::Compile(e.to_string()))
}

fn record_metadata(
    into: &mut BTreeMap<String, Annotations>,
    path: &str,
    source: &str,
) -> Result<(), LoadError> {
    match metadata::extract(source) {
        Ok(Some((package, annotations))) => {
            into.insert(package, annotations);
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(message) => Err(LoadError::Policy {
            path: path.to_owned(),
            message,
        }),
    }
}

/// Drops disabled rules and applies severity overrides (matched by id or slug); returns
/// what it changed, by rule id (the package name for a rule without one).
fn apply_config(namespaces: &mut BTreeMap<String, Namespace>, config: &Config) -> Applied {
    let mut applied = Applied::default();
    let label = |name: &str, ns: &Namespace| ns.id().unwrap_or(name).to_owned();
    namespaces.retain(|name, ns| {
        let disabled = config.disabled_rules.iter().any(|d| ns.is_named(d));
        if disabled {
            applied.disabled.push(label(name, ns));
        }
        !disabled
    });
    for (name, ns) in namespaces.iter_mut() {
        if let Some((_, severity)) = config.severity.iter().find(|(n, _)| ns.is_named(n)) {
            ns.severity_override = Some(*severity);
            applied.severity.push((label(name, ns), *severity));
        }
    }
    applied.disabled.sort();
    applied
}

fn add(engine: &mut regorus::Engine, path: String, source: String) -> Result<(), LoadError> {
    add_source(engine, path.clone(), source).map_err(|message| LoadError::Policy { path, message })
}

/// A regorus engine as dockpolicy makes every one that runs policies from the scanned
/// tree (`test`, `verify`, `doc`, Gatekeeper templates): the per-builtin memory guards
/// registered before any policy (they stand in for the builtins they wrap), and `print`
/// output gathered instead of written to standard error as it is, where a policy could
/// write terminal escapes, a forged `::error::` workflow command or the input's secrets
/// (see `eval::PrintLog`, which shows it redacted).
pub fn new_engine() -> Result<regorus::Engine, String> {
    let mut engine = regorus::Engine::new();
    super::guard::register(&mut engine)?;
    super::conftest_builtins::register(&mut engine)?;
    engine.set_gather_prints(true);
    Ok(engine)
}

/// Gives `engine` one policy's text: the one way dockpolicy hands Rego to regorus, so the
/// checks made before parsing (`check_source`: bracket nesting, which the parser takes
/// exponential time over, and builtins that reach out) hold for every policy, a
/// Gatekeeper template's `rego` and `libs` as much as a `-p` file. The error is the
/// message alone; the caller names the policy.
pub fn add_source(
    engine: &mut regorus::Engine,
    path: String,
    source: String,
) -> Result<(), String> {
    check_source(&source)?;
    engine
        .add_policy(path, source)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Stops each evaluation on `engine` (each rule or query it is asked for: regorus restarts
/// the clock every time) that runs longer than `limit`. Cooperative: regorus checks the
/// clock every few hundred steps of work, so a policy that loops over a huge range or
/// builds huge values is stopped with an "exceeded time limit" error.
pub fn set_time_limit(engine: &mut regorus::Engine, limit: std::time::Duration) {
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit,
        check_interval: std::num::NonZeroU32::new(256).expect("non-zero"),
    });
}

/// Deepest nesting of `[` and `{` a policy may use. regorus's parser takes time exponential
/// in this depth (0.4 s at 20 levels, minutes at 30, found by fuzzing), so a deeper file is
/// refused rather than allowed to hang the run; real policies stay under 8.
pub const MAX_NESTING: usize = 16;

/// Builtins that reach the network (`providers.aws.sign_req` signs requests only to send
/// them). They are not compiled into dockpolicy's regorus, which would only say "could not
/// find function" for each input at run time; a policy calling one is refused when it
/// loads, with the reason.
pub const FORBIDDEN_BUILTINS: &[&str] =
    &["http.send", "net.lookup_ip_addr", "providers.aws.sign_req"];

/// Checks a policy's text before regorus parses it: bracket nesting and builtins that reach
/// the network. Errors name the line.
fn check_source(source: &str) -> Result<(), String> {
    let code = code_only(source);
    let mut depth = 0usize;
    for (index, line) in code.lines().enumerate() {
        for c in line.chars() {
            match c {
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(format!(
                            "line {}: brackets nest more than {MAX_NESTING} deep, which the Rego \
                             parser cannot handle in reasonable time",
                            index + 1
                        ));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        for name in FORBIDDEN_BUILTINS {
            let called = line.match_indices(name).any(|(at, _)| {
                let before = line[..at].chars().next_back();
                let after = line[at + name.len()..].trim_start();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
                    && after.starts_with('(')
            });
            if called {
                return Err(format!(
                    "line {}: {name} is not available: dockpolicy policies cannot reach the \
                     network",
                    index + 1
                ));
            }
        }
    }
    Ok(())
}

/// The source with comments and string contents blanked out (line breaks kept), so
/// lexical checks only see code.
pub(super) fn code_only(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                out.push('"');
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        '\n' => {
                            out.push('\n');
                            break;
                        }
                        _ => {}
                    }
                }
                out.push('"');
            }
            '`' => {
                out.push('`');
                for c in chars.by_ref() {
                    match c {
                        '\n' => out.push('\n'),
                        '`' => break,
                        _ => {}
                    }
                }
                out.push('`');
            }
            c => out.push(c),
        }
    }
    out
}

/// Finds the deny/warn/violation/exception rules of every package and keeps the
/// namespaces this run evaluates (see `namespace_pattern` for `--namespace`).
fn discover(
    engine: &mut regorus::Engine,
    options: &Options,
) -> Result<BTreeMap<String, Namespace>, LoadError> {
    let mut all: BTreeMap<String, Namespace> = BTreeMap::new();
    for module in engine.get_modules() {
        let Ok(package) = regorus::utils::get_path_string(&module.package.refr, None) else {
            continue;
        };
        let source = module.package.span.source.get_path();
        let bundled = source.starts_with("<bundled>");
        let ns = all.entry(package).or_default();
        ns.bundled |= bundled;
        ns.user_modules |= !bundled;
        for rule in &module.policy {
            let refr = match rule.as_ref() {
                Rule::Spec { head, .. } => match head {
                    RuleHead::Compr { refr, assign, .. } => {
                        if assign.is_none() && !bundled {
                            refuse_if_without_contains(refr, source)?;
                        }
                        refr
                    }
                    RuleHead::Set { refr, .. } => refr,
                    // Functions take arguments; they are never result rules.
                    RuleHead::Func { .. } => continue,
                },
                Rule::Default { refr, .. } => refr,
            };
            let Some(name) = rule_name(refr) else {
                continue;
            };
            if name == "exception" {
                ns.has_exception = true;
            } else if let Some(kind) = rule_severity(&name) {
                if !ns.rules.contains_key(&name) {
                    ns.rule_order.push(name.clone());
                }
                ns.rules.insert(name, kind);
                ns.definitions += 1;
            }
        }
    }
    select(all, options)
}

/// The namespaces this run evaluates, of every package's: the bundled rules always, the
/// user's by `--namespace` (names or patterns) or `--all-namespaces`.
fn select(
    all: BTreeMap<String, Namespace>,
    options: &Options,
) -> Result<BTreeMap<String, Namespace>, LoadError> {
    let patterns = super::namespace_pattern::any_wildcard(&options.namespaces);
    let mut selected = BTreeMap::new();
    for (name, ns) in all {
        // A user's package without result rules is still reported (0 tests), as conftest
        // reports it; a bundled one holds helpers only.
        let wanted = if ns.bundled {
            !ns.rules.is_empty() && name.starts_with(BUNDLED_PREFIX)
        } else if options.all_namespaces {
            true
        } else if patterns {
            namespace_matches(&options.namespaces, &name)?
        } else {
            options.namespaces.contains(&name)
        };
        if wanted {
            let rank = match (ns.bundled, patterns || options.all_namespaces) {
                (false, false) => options.namespaces.iter().position(|n| *n == name),
                _ => None,
            };
            selected.insert(
                name,
                Namespace {
                    rank: rank.unwrap_or(0),
                    ..ns
                },
            );
        }
    }
    Ok(selected)
}

/// Whether any `--namespace` pattern matches the package `name`.
fn namespace_matches(patterns: &[String], name: &str) -> Result<bool, LoadError> {
    for pattern in patterns {
        let matched = super::namespace_pattern::matches(pattern, name).map_err(|message| {
            LoadError::Namespace {
                pattern: pattern.clone(),
                message,
            }
        })?;
        if matched {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Refuses a Rego v1 result rule written `deny[msg] if { ... }`, as conftest does: under
/// v1 that is an object rule whose values are `true`, so its messages would silently never
/// be reported.
fn refuse_if_without_contains(refr: &Expr, source: &str) -> Result<(), LoadError> {
    if matches!(refr, Expr::Var { .. }) {
        return Ok(());
    }
    match rule_name(refr) {
        Some(name) if rule_severity(&name).is_some() => Err(LoadError::IfWithoutContains {
            path: source.to_owned(),
            line: refr.span().line,
            rule: name,
        }),
        _ => Ok(()),
    }
}

/// The first component of a rule head (`deny` in `deny contains msg`, `deny.x`).
fn rule_name(refr: &Expr) -> Option<String> {
    let path = regorus::utils::get_path_string(refr, None).ok()?;
    let first = path.split(['.', '[']).next()?;
    Some(first.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_library_on_the_vm_leaves_the_interpreter_ready_for_its_first_use() {
        let options = Options {
            bundled: true,
            engine: EngineChoice::Auto,
            ..Options::default()
        };
        let set = load(&options).expect("bundled library loads");
        assert!(
            set.compiled.is_some(),
            "the bundled library compiles to the VM"
        );
        // The interpreter was not prepared at load; it is the fallback when a rule fails
        // on the VM, and must still evaluate (preparing itself) when asked.
        let mut engine = set.engine.clone();
        engine.set_input(regorus::Value::from(serde_json::json!([
            {"Cmd": "from", "Value": ["alpine:latest"], "Flags": [], "Image": "alpine:latest",
             "ImageResolved": true, "BaseStage": null, "Stage": 0, "StartLine": 1}
        ])));
        let denied = engine
            .eval_rule("data.dockpolicy.latest_tag.deny".to_owned())
            .expect("the interpreter evaluates a bundled rule");
        assert_eq!(denied.as_set().map(|s| s.len()).ok(), Some(1), "{denied:?}");
    }

    #[test]
    fn a_small_run_uses_the_vm_only_when_the_program_in_the_binary_applies() {
        let bundled = |config: Option<Config>| Options {
            bundled: true,
            engine: EngineChoice::Auto,
            run_size: RunSize::Counted(1),
            config,
            ..Options::default()
        };
        let set = load(&bundled(None)).expect("bundled library loads");
        assert!(
            set.compiled.is_some(),
            "the bundled library alone: on the VM"
        );
        // A config that turns a rule off changes the program's entry points: the program
        // in the binary does not apply, and nothing is compiled.
        let config = Config {
            disabled_rules: vec!["DP001".into()],
            ..Config::default()
        };
        let set = load(&bundled(Some(config))).expect("bundled library loads");
        assert!(
            set.compiled.is_none(),
            "no VM program compiled for a small run"
        );
        let mut engine = set.engine.clone();
        engine.set_input(regorus::Value::from(serde_json::json!([])));
        assert!(
            engine
                .eval_rule("data.dockpolicy.latest_tag.deny".to_owned())
                .is_ok(),
            "the interpreter is ready"
        );
    }

    #[test]
    fn the_bundled_library_never_prints() {
        // The VM (which runs the bundled rules) has no `print`, so nothing it runs writes
        // to standard error: a print is only ever gathered by the interpreter (see
        // `new_engine`), and this keeps the bundled library from needing one.
        for (path, source) in bundled::policies().chain(bundled::tests()) {
            let code = code_only(source);
            assert!(
                !code.match_indices("print").any(|(at, _)| {
                    code[at + 5..].trim_start().starts_with('(')
                        && !code[..at]
                            .ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.')
                }),
                "{path} calls print"
            );
        }
    }

    #[test]
    fn every_engine_gathers_prints_and_checks_its_policies() {
        let mut engine = new_engine().expect("engine");
        let deep = format!("package p\nx := {}1{}\n", "[".repeat(30), "]".repeat(30));
        let err = add_source(&mut engine, "deep.rego".into(), deep).unwrap_err();
        assert!(err.contains("nest more than 16 deep"), "{err}");
        add_source(
            &mut engine,
            "p.rego".into(),
            "package p\nimport rego.v1\nx if print(\"hi\")\n".into(),
        )
        .expect("compiles");
        engine.eval_rule("data.p.x".into()).expect("evaluates");
        let prints = engine.take_prints().expect("prints");
        assert_eq!(prints, vec!["p.rego:3: hi".to_owned()]);
    }

    #[test]
    fn deep_nesting_is_refused_with_its_line() {
        let deep = format!("package p\n\nx := {}1{}\n", "[".repeat(17), "]".repeat(17));
        let err = check_source(&deep).unwrap_err();
        assert!(err.starts_with("line 3:"), "{err}");
        let ok = format!("package p\nx := {}1{}\n", "[{".repeat(8), "}]".repeat(8));
        assert!(check_source(&ok).is_ok());
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let text = format!(
            "package p\n# {}\ns := \"{}\\\"\"\nr := `{}`\n",
            "[".repeat(40),
            "{".repeat(40),
            "[".repeat(40)
        );
        assert!(check_source(&text).is_ok());
    }

    #[test]
    fn network_builtins_are_refused_but_not_in_strings_or_comments() {
        let call = "package p\n\nx := http.send({\"url\": \"http://x\"})\n";
        let err = check_source(call).unwrap_err();
        assert!(
            err.starts_with("line 3: http.send is not available"),
            "{err}"
        );
        assert!(
            check_source("package p\n# http.send(x)\ns := \"http.send(x)\"\nmy_http.send := 1\n")
                .is_ok()
        );
        assert!(check_source("package p\nx := net.lookup_ip_addr (\"a\")\n").is_err());
    }
}
