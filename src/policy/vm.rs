//! The fast path: the result rules of a run compiled once to regorus's bytecode VM (RVM).
//!
//! Profiling the corpus run showed the tree-walking interpreter spending most of its time
//! re-deriving what the bytecode compiler settles once (rule lookups, path strings, scope
//! set-up); on the bundled set the VM gives identical findings several times faster. The
//! VM does not cover all of Rego (it refuses `with`) and differs from the interpreter in
//! places (see `engine_choice::vm_program`, which decides when a run uses it), so it is
//! an optimisation, never a requirement: it runs only the bundled practices, whose
//! results CI compares with the interpreter's on every fixture and the corpus
//! (`tests/engines.rs`); a policy set that does not compile runs on the interpreter; a
//! rule that fails in the VM is evaluated again by the interpreter, whose error (or
//! result) is what the user sees. `--engine interpreter` turns it off.

use std::collections::HashMap;
use std::sync::Arc;

use regorus::rvm::program::DeserializationResult;
use regorus::rvm::{Program, RegoVM};

/// Package of the generated module that gathers every compiled rule into one value.
const COLLECTOR: &str = "dockpolicy_vm_collector";

/// A program compiled for one run: an entry point per result rule, and one that evaluates
/// them all at once.
#[derive(Clone)]
pub struct Compiled {
    program: Arc<Program>,
    /// `program` serialised, from which each worker makes its own copy (see `Machine::new`).
    program_bytes: Option<Arc<Vec<u8>>>,
    /// namespace → rule → entry point index (nested so a lookup needs no allocation).
    entries: Arc<HashMap<String, HashMap<String, usize>>>,
    /// Entry point of the collector: `{namespace: {rule: value}}` for every rule.
    collector: usize,
    data: regorus::Value,
    timeout: Option<std::time::Duration>,
    /// Bytes one evaluation may allocate (see `PolicySet::limit_memory`).
    memory_budget: Option<std::num::NonZeroU64>,
}

impl Compiled {
    /// Whether every one of `rules` of `namespace` runs on this program.
    pub fn covers<'a>(&self, namespace: &str, mut rules: impl Iterator<Item = &'a String>) -> bool {
        self.entries
            .get(namespace)
            .is_some_and(|compiled| rules.all(|rule| compiled.contains_key(rule)))
    }

    /// Gives every evaluation on this program a memory budget of `bytes` (`None`: none).
    pub fn set_memory_budget(&mut self, bytes: Option<u64>) {
        self.memory_budget = bytes.and_then(std::num::NonZeroU64::new);
    }
}

/// Compiles `rules` (`(namespace, rule)` pairs) from the prepared interpreter `engine`.
pub fn compile(
    engine: &regorus::Engine,
    rules: &[(String, String)],
    data: regorus::Value,
    timeout: Option<std::time::Duration>,
) -> Result<Compiled, String> {
    if rules.is_empty() {
        return Err("no rules to compile".into());
    }
    // Rules share helpers (the final stage, the parsed base images) that the VM computes
    // once per evaluation, so every rule is evaluated in one go rather than one by one.
    // The collector is added to a copy of the engine, so
    // it is never visible to the interpreter or the user.
    let mut engine = engine.clone();
    engine.set_rego_v0(false);
    super::load::add_source(&mut engine, collector_name(), collector_source(rules))?;
    let names = entry_names(rules);
    let policy = engine
        .compile_with_entrypoint(&names[rules.len()].as_str().into())
        .map_err(|e| e.to_string())?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let program =
        regorus::languages::rego::compiler::Compiler::compile_from_policy(&policy, &names)
            .map_err(|e| e.to_string())?;
    let program_bytes = program.serialize_binary().ok().map(Arc::new);
    Ok(Compiled::new(program, program_bytes, rules, data, timeout))
}

/// The bundled library's rules compiled ahead of time (`EMBEDDED_PROGRAM`), when that is
/// exactly the program `compile` would make for `rules` here: the same entry points, from
/// the same sources (every policy's text is in the program, for its spans). Compiling is
/// most of the start-up before the workers begin; checking and reading the embedded
/// program is a small part of that. A stale copy (a policy edited since) only costs the
/// compile: it is never run. `cargo xtask generate --check` holds the file to a fresh one.
pub fn embedded(
    rules: &[(String, String)],
    data: regorus::Value,
    timeout: Option<std::time::Duration>,
) -> Option<Compiled> {
    let Ok(DeserializationResult::Complete(program)) =
        Program::deserialize_binary(EMBEDDED_PROGRAM)
    else {
        return None;
    };
    if !program.entry_points.keys().eq(entry_names(rules).iter()) {
        return None;
    }
    let mut expected: HashMap<String, String> = super::bundled::policies()
        .map(|(path, source)| (path, source.to_owned()))
        .collect();
    expected.insert(collector_name(), collector_source(rules));
    let same_sources = program.sources.len() == expected.len()
        && program
            .sources
            .iter()
            .all(|s| expected.get(&s.name) == Some(&s.content));
    if !same_sources {
        return None;
    }
    let bytes = Arc::new(EMBEDDED_PROGRAM.to_vec());
    Some(Compiled::new(
        Arc::new(program),
        Some(bytes),
        rules,
        data,
        timeout,
    ))
}

/// The bundled library's program as `compile` makes it for every bundled rule
/// ([`bundled_program`], written to the file by `cargo xtask generate`; see `embedded`).
pub const EMBEDDED_PROGRAM: &[u8] = include_bytes!("bundled.rvm");

/// The bundled library (as built into this binary) compiled for every bundled rule with
/// the default config, serialised: what `EMBEDDED_PROGRAM` must hold for `embedded` to
/// use it.
pub fn bundled_program() -> Result<Vec<u8>, String> {
    let set = super::load(&super::Options {
        bundled: true,
        engine: super::EngineChoice::Auto,
        config: Some(crate::config::Config::default()),
        ..Default::default()
    })
    .map_err(|e| e.to_string())?;
    let rules = set.vm_rules();
    let program = compile(&set.engine, &rules, regorus::Value::new_object(), None)?;
    program
        .program_bytes
        .map(|bytes| bytes.as_ref().clone())
        .ok_or_else(|| "the bundled program does not serialise".into())
}

fn collector_name() -> String {
    format!("<{COLLECTOR}>")
}

/// The generated module whose one rule gathers `rules` into `{namespace: {rule: value}}`.
fn collector_source(rules: &[(String, String)]) -> String {
    let mut collector = format!("package {COLLECTOR}\n\nall := {{\n");
    let mut by_namespace: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (namespace, rule) in rules {
        by_namespace.entry(namespace).or_default().push(rule);
    }
    for (namespace, names) in &by_namespace {
        let fields: Vec<String> = names
            .iter()
            .map(|rule| format!("{rule:?}: data.{namespace}.{rule}"))
            .collect();
        collector.push_str(&format!("\t{namespace:?}: {{{}}},\n", fields.join(", ")));
    }
    collector.push_str("}\n");
    collector
}

/// The program's entry points: one per rule, in order, then the collector's.
fn entry_names(rules: &[(String, String)]) -> Vec<String> {
    rules
        .iter()
        .map(|(namespace, rule)| format!("data.{namespace}.{rule}"))
        .chain([format!("data.{COLLECTOR}.all")])
        .collect()
}

impl Compiled {
    fn new(
        program: Arc<Program>,
        program_bytes: Option<Arc<Vec<u8>>>,
        rules: &[(String, String)],
        data: regorus::Value,
        timeout: Option<std::time::Duration>,
    ) -> Compiled {
        let mut entries: HashMap<String, HashMap<String, usize>> = HashMap::new();
        for (i, (namespace, rule)) in rules.iter().enumerate() {
            entries
                .entry(namespace.clone())
                .or_default()
                .insert(rule.clone(), i);
        }
        Compiled {
            program,
            program_bytes,
            entries: Arc::new(entries),
            collector: rules.len(),
            data,
            timeout,
            memory_budget: None,
        }
    }
}

/// One worker's VM: created once per worker and reused for every input.
pub struct Machine {
    vm: RegoVM,
    entries: Arc<HashMap<String, HashMap<String, usize>>>,
    collector: usize,
    /// The collector's value for the current input: not yet run, or its result (`None`
    /// when it failed, so each rule is evaluated on its own and one failing rule cannot
    /// hide the others).
    collected: Option<Option<regorus::Value>>,
}

/// Why the VM did not produce a rule's value.
pub enum VmFailure {
    /// The time or memory limit ended the evaluation: final, the interpreter would stop
    /// too (and for memory, it would run without the budget).
    Limit(String),
    /// Anything else: the interpreter evaluates the rule instead.
    Other,
}

impl Machine {
    pub fn new(compiled: &Compiled) -> Result<Machine, String> {
        let mut vm = RegoVM::new();
        // Each worker runs its own copy of the program and data, not the shared one: the VM
        // clones the program's `Arc` and its literal values on every rule call, and two
        // threads counting references on the same allocations slowed each other down.
        let program = compiled
            .program_bytes
            .as_ref()
            .and_then(|bytes| match Program::deserialize_binary(bytes) {
                Ok(DeserializationResult::Complete(program)) => Some(Arc::new(program)),
                _ => None,
            })
            .unwrap_or_else(|| compiled.program.clone());
        vm.load_program(program);
        let data = compiled
            .data
            .to_json_str()
            .ok()
            .and_then(|json| regorus::Value::from_json_str(&json).ok())
            .unwrap_or_else(|| compiled.data.clone());
        vm.set_data(data).map_err(|e| e.to_string())?;
        if let Some(limit) = compiled.memory_budget {
            vm.set_memory_budget_config(Some(regorus::MemoryBudgetConfig { limit }));
        }
        // The instruction budget would stop a large but honest input (a Dockerfile with
        // thousands of RUN lines); the wall-clock limit is the guard that matters.
        vm.set_max_instructions(usize::MAX);
        // The VM would turn some builtin errors into undefined where the interpreter
        // reports them; strict errors send those rules to the interpreter, which decides.
        vm.set_strict_builtin_errors(true);
        if let Some(limit) = compiled.timeout {
            vm.set_execution_timer_config(Some(regorus::utils::limits::ExecutionTimerConfig {
                limit,
                check_interval: std::num::NonZeroU32::new(256).expect("non-zero"),
            }));
        }
        Ok(Machine {
            vm,
            entries: compiled.entries.clone(),
            collector: compiled.collector,
            collected: None,
        })
    }

    /// Limits the next evaluations to `remaining` (the input's time left, see
    /// `eval::Evaluator`).
    pub fn set_time_left(&mut self, remaining: std::time::Duration) {
        self.vm
            .set_execution_timer_config(Some(regorus::utils::limits::ExecutionTimerConfig {
                limit: remaining,
                check_interval: std::num::NonZeroU32::new(256).expect("non-zero"),
            }));
    }

    pub fn set_input(&mut self, input: regorus::Value) {
        self.vm.set_input(input);
        self.collected = None;
    }

    /// The value of `data.<namespace>.<rule>` for the current input.
    pub fn eval(&mut self, namespace: &str, rule: &str) -> Result<regorus::Value, VmFailure> {
        let Some(&index) = self
            .entries
            .get(namespace)
            .and_then(|rules| rules.get(rule))
        else {
            return Err(VmFailure::Other);
        };
        if self.collected.is_none() {
            let all = self.vm.execute_entry_point_by_index(self.collector).ok();
            self.collected = Some(all.filter(|v| v != &regorus::Value::Undefined));
        }
        if let Some(Some(all)) = &self.collected {
            let value = &all[&regorus::Value::from(namespace)][&regorus::Value::from(rule)];
            if value != &regorus::Value::Undefined {
                return Ok(value.clone());
            }
        }
        self.vm
            .execute_entry_point_by_index(index)
            .map_err(|e| match e {
                // Worded as the interpreter words it, so the report does not depend on
                // which engine ran.
                regorus::rvm::vm::VmError::TimeLimitExceeded { elapsed, limit, .. } => {
                    VmFailure::Limit(format!(
                        "execution exceeded time limit (elapsed={}ns, limit={}ns)",
                        elapsed.as_nanos(),
                        limit.as_nanos()
                    ))
                }
                regorus::rvm::vm::VmError::MemoryBudgetExceeded { usage, budget, .. } => {
                    VmFailure::Limit(format!(
                        "execution exceeded memory limit (usage={usage} bytes, limit={budget} bytes)"
                    ))
                }
                _ => VmFailure::Other,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled(config: crate::config::Config) -> crate::policy::PolicySet {
        crate::policy::load(&crate::policy::Options {
            bundled: true,
            engine: crate::policy::EngineChoice::Auto,
            config: Some(config),
            ..Default::default()
        })
        .expect("the bundled library loads")
    }

    /// The embedded program is what compiling the bundled library here gives, byte for
    /// byte, and is what a run uses.
    #[test]
    fn embedded_program_is_the_bundled_library_compiled_here() {
        let bytes = bundled_program().expect("the bundled library compiles");
        assert!(
            bytes.as_slice() == EMBEDDED_PROGRAM,
            "src/policy/bundled.rvm is stale: run `cargo xtask generate`"
        );
        let set = bundled(crate::config::Config::default());
        let used = set.compiled.expect("the VM runs the bundled library");
        assert_eq!(
            used.program_bytes.as_deref(),
            Some(&EMBEDDED_PROGRAM.to_vec())
        );
    }

    #[test]
    fn the_embedded_program_is_used_only_for_what_it_was_compiled_from() {
        let set = bundled(crate::config::Config::default());
        let rules = set.vm_rules();
        let data = regorus::Value::new_object();
        assert!(embedded(&rules, data.clone(), None).is_some());
        // Fewer rules (a disabled one): another collector, another program.
        assert!(embedded(&rules[1..], data.clone(), None).is_none());
        // A rule of another name.
        let mut renamed = rules.clone();
        renamed[0].1.push('x');
        assert!(embedded(&renamed, data, None).is_none());
        // A config that disables a rule still compiles, and runs the rest.
        let config = crate::config::Config {
            disabled_rules: vec!["DP001".into()],
            ..Default::default()
        };
        let set = bundled(config);
        let used = set.compiled.expect("compiled at run time");
        assert_ne!(
            used.program_bytes.as_deref(),
            Some(&EMBEDDED_PROGRAM.to_vec())
        );
    }
}
