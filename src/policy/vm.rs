//! The fast path: the result rules of a run compiled once to regorus's bytecode VM (RVM).
//!
//! Profiling the corpus run showed the tree-walking interpreter spending most of its time
//! re-deriving what the bytecode compiler settles once (rule lookups, path strings, scope
//! set-up); on the bundled set the VM is about 2.5x faster with identical findings. The
//! VM does not cover all of Rego (it refuses `with`) and differs from the interpreter in
//! places (see `VmUse::Bundled`), so it is an optimisation, never a requirement: it runs
//! only the bundled practices, whose results CI compares with the interpreter's on every
//! fixture and the corpus (`tests/engines.rs`); a policy set that does not compile runs on
//! the interpreter; a rule that fails in the VM is evaluated again by the interpreter,
//! whose error (or result) is what the user sees. `--engine interpreter` turns it off.

use std::collections::HashMap;
use std::sync::Arc;

use regorus::rvm::{Program, RegoVM};

/// A program compiled for one run: an entry point per result rule.
#[derive(Clone)]
pub struct Compiled {
    program: Arc<Program>,
    /// `data.<namespace>.<rule>` → entry point index.
    entries: Arc<HashMap<String, usize>>,
    data: regorus::Value,
    timeout: Option<std::time::Duration>,
}

/// Compiles `rules` (full paths, `data.ns.rule`) from the prepared interpreter `engine`.
pub fn compile(
    engine: &regorus::Engine,
    rules: &[String],
    data: regorus::Value,
    timeout: Option<std::time::Duration>,
) -> Result<Compiled, String> {
    let Some(first) = rules.first() else {
        return Err("no rules to compile".into());
    };
    // Compiling marks the engine with an entry point; keep the caller's engine untouched.
    let mut engine = engine.clone();
    let policy = engine
        .compile_with_entrypoint(&first.as_str().into())
        .map_err(|e| e.to_string())?;
    let names: Vec<&str> = rules.iter().map(String::as_str).collect();
    let program =
        regorus::languages::rego::compiler::Compiler::compile_from_policy(&policy, &names)
            .map_err(|e| e.to_string())?;
    let entries = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.clone(), i))
        .collect();
    Ok(Compiled {
        program,
        entries: Arc::new(entries),
        data,
        timeout,
    })
}

/// One worker's VM: created once per worker and reused for every input.
pub struct Machine {
    vm: RegoVM,
    entries: Arc<HashMap<String, usize>>,
}

/// Why the VM did not produce a rule's value.
pub enum VmFailure {
    /// The time limit ended the evaluation: final, the interpreter would time out too.
    TimedOut(String),
    /// Anything else: the interpreter evaluates the rule instead.
    Other,
}

impl Machine {
    pub fn new(compiled: &Compiled) -> Result<Machine, String> {
        let mut vm = RegoVM::new();
        vm.load_program(compiled.program.clone());
        vm.set_data(compiled.data.clone())
            .map_err(|e| e.to_string())?;
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
        })
    }

    pub fn set_input(&mut self, input: regorus::Value) {
        self.vm.set_input(input);
    }

    /// The value of `data.<namespace>.<rule>` for the current input.
    pub fn eval(&mut self, path: &str) -> Result<regorus::Value, VmFailure> {
        let Some(&index) = self.entries.get(path) else {
            return Err(VmFailure::Other);
        };
        self.vm
            .execute_entry_point_by_index(index)
            .map_err(|e| match e {
                // Worded as the interpreter words it, so the report does not depend on
                // which engine ran.
                regorus::rvm::vm::VmError::TimeLimitExceeded { elapsed, limit, .. } => {
                    VmFailure::TimedOut(format!(
                        "execution exceeded time limit (elapsed={}ns, limit={}ns)",
                        elapsed.as_nanos(),
                        limit.as_nanos()
                    ))
                }
                _ => VmFailure::Other,
            })
    }
}
