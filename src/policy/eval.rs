//! Evaluating one input document against the compiled policy set, with conftest's rules
//! for turning rule values into results.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::vm::{self, VmFailure};
use super::{Namespace, PolicySet, RuleKind, exception_name};
use crate::input::Document;
use crate::report::{CheckResult, Finding};

/// A policy that failed while evaluating an input (a runtime error in Rego, or a result
/// object without `msg`).
#[derive(Debug, thiserror::Error)]
#[error("policy error in data.{namespace}.{rule}: {message}")]
pub struct EvalError {
    pub namespace: String,
    pub rule: String,
    pub message: String,
}

/// One worker's evaluation state, made once per worker and reused for every input: the
/// bytecode VM when the run's rules compiled to it, and the interpreter beside it for what
/// the VM cannot do (see `vm`).
pub struct Evaluator {
    engine: regorus::Engine,
    machine: Option<vm::Machine>,
    input: regorus::Value,
    /// Whether `engine` has been given `input` yet (the interpreter is only asked when the
    /// VM is off or fails, so its input is set lazily).
    engine_has_input: bool,
    /// `--timeout`: the time one input may take against every rule.
    timeout: Option<Duration>,
    /// When the current input's time is up. regorus restarts its clock on every rule it
    /// is asked for, so each rule is given only what is left of the input's time: a
    /// policy that loops in every rule once took the limit times the number of rules.
    deadline: Option<Instant>,
}

/// The message of an evaluation stopped by `--timeout`, as regorus words its own.
fn time_limit_message(elapsed: Duration, limit: Duration) -> String {
    format!(
        "execution exceeded time limit (elapsed={}ns, limit={}ns)",
        elapsed.as_nanos(),
        limit.as_nanos()
    )
}

impl Evaluator {
    pub fn new(set: &PolicySet) -> Evaluator {
        Evaluator {
            engine: set.engine.clone(),
            machine: set.compiled.as_ref().and_then(|c| vm::Machine::new(c).ok()),
            input: regorus::Value::Undefined,
            engine_has_input: false,
            timeout: set.timeout,
            deadline: None,
        }
    }

    fn set_input(&mut self, input: regorus::Value) {
        if let Some(machine) = &mut self.machine {
            machine.set_input(input.clone());
        }
        self.input = input;
        self.engine_has_input = false;
        self.deadline = self.timeout.map(|t| Instant::now() + t);
    }

    /// Whether the current input has used up its time.
    fn out_of_time(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Gives the engines what is left of the input's time; `Err` with the message when
    /// nothing is.
    fn limit_to_time_left(&mut self) -> Result<(), String> {
        let (Some(deadline), Some(timeout)) = (self.deadline, self.timeout) else {
            return Ok(());
        };
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(time_limit_message(timeout, timeout));
        }
        if let Some(machine) = &mut self.machine {
            machine.set_time_left(remaining);
        }
        self.engine
            .set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
                limit: remaining,
                check_interval: std::num::NonZeroU32::new(256).expect("non-zero"),
            });
        Ok(())
    }

    /// The value of `data.<namespace>.<rule>` for the current input.
    fn rule(&mut self, namespace: &str, rule: &str) -> Result<regorus::Value, EvalError> {
        // regorus states the limit it was given, which is only what was left of the
        // input's time: the message says that `--timeout` covers the whole input.
        let (deadline, timeout) = (self.deadline, self.timeout);
        let error = |mut message: String| {
            if let (Some(deadline), Some(timeout)) = (deadline, timeout)
                && Instant::now() >= deadline
                && message.contains("exceeded time limit")
            {
                message.push_str(&format!(
                    " (--timeout {timeout:?} covers all rules of one input)"
                ));
            }
            EvalError {
                namespace: namespace.to_owned(),
                rule: rule.to_owned(),
                message,
            }
        };
        self.limit_to_time_left().map_err(error)?;
        if let Some(machine) = &mut self.machine {
            match machine.eval(namespace, rule) {
                Ok(value) => return Ok(value),
                Err(VmFailure::Limit(message)) => return Err(error(message)),
                Err(VmFailure::Other) => {}
            }
        }
        if !self.engine_has_input {
            self.engine.set_input(self.input.clone());
            self.engine_has_input = true;
        }
        self.engine
            .eval_rule(format!("data.{namespace}.{rule}"))
            .map_err(|e| error(e.to_string()))
    }
}

/// Evaluates every selected namespace against `input`: one result per namespace that
/// evaluated, and the errors of those that did not (one failing namespace never hides the
/// others).
pub fn evaluate(
    evaluator: &mut Evaluator,
    namespaces: &BTreeMap<String, Namespace>,
    filename: &str,
    input: &Document,
) -> (Vec<CheckResult>, Vec<EvalError>) {
    evaluator.set_input(super::document::to_regorus(input));
    let mut out = Vec::with_capacity(namespaces.len());
    let mut errors: Vec<EvalError> = Vec::new();
    for (name, ns) in namespaces {
        if evaluator.out_of_time() {
            // The input's time is spent: the packages not yet evaluated would each only
            // repeat the time-limit error, so the file gets one.
            if !errors
                .iter()
                .any(|e| e.message.contains("exceeded time limit"))
            {
                let timeout = evaluator.timeout.unwrap_or_default();
                errors.push(EvalError {
                    namespace: name.clone(),
                    rule: "*".into(),
                    message: time_limit_message(timeout, timeout),
                });
            }
            break;
        }
        match evaluate_namespace(evaluator, name, ns, filename) {
            Ok(result) => out.push(result),
            Err(e) => errors.push(e),
        }
    }
    (out, errors)
}

fn evaluate_namespace(
    engine: &mut Evaluator,
    name: &str,
    ns: &Namespace,
    filename: &str,
) -> Result<CheckResult, EvalError> {
    {
        let mut result = CheckResult::new(filename, name);
        let exceptions = if ns.has_exception {
            exception_names(engine, name)?
        } else {
            Vec::new()
        };
        for (rule, kind) in &ns.rules {
            let key = exception_name(rule);
            if exceptions.iter().any(|e| e == key) {
                result.exceptions.push(Finding::new(format!(
                    "data.{name}.exception[_][_] == {key:?}"
                )));
                continue;
            }
            let value = eval_rule(engine, name, rule)?;
            let mut findings = findings(value, name, rule)?;
            if findings.is_empty() {
                result.successes += 1;
            }
            let kind = ns.severity_override.unwrap_or(*kind);
            describe(&mut findings, ns, kind);
            match kind {
                RuleKind::Failure => result.failures.extend(findings),
                RuleKind::Warning => result.warnings.extend(findings),
            }
        }
        // conftest counts one test per rule definition: a name defined by several rules
        // that all passed counts each of them.
        let counted = result.failures.len()
            + result.warnings.len()
            + result.exceptions.len()
            + result.successes;
        if counted < ns.definitions {
            result.successes += ns.definitions - counted;
        }
        Ok(result)
    }
}

/// Adds the rule's METADATA (id, title, effective severity) to its findings, unless the
/// policy set those keys itself.
fn describe(findings: &mut [Finding], ns: &Namespace, kind: RuleKind) {
    let Some(meta) = &ns.meta else { return };
    let Some(id) = &meta.custom.id else { return };
    let severity = match kind {
        RuleKind::Failure => "deny",
        RuleKind::Warning => "warn",
    };
    for f in findings {
        f.metadata
            .entry("id")
            .or_insert_with(|| Value::String(id.clone()));
        if let Some(title) = &meta.title {
            f.metadata
                .entry("title")
                .or_insert_with(|| Value::String(title.clone()));
        }
        f.metadata
            .insert("severity".into(), Value::String(severity.into()));
    }
}

fn eval_rule(engine: &mut Evaluator, namespace: &str, rule: &str) -> Result<Value, EvalError> {
    let value = engine.rule(namespace, rule)?;
    if value == regorus::Value::Undefined {
        return Ok(Value::Null);
    }
    super::guard::check_result(&value).map_err(|message| EvalError {
        namespace: namespace.to_owned(),
        rule: rule.to_owned(),
        message,
    })?;
    serde_json::to_value(&value).map_err(|e| EvalError {
        namespace: namespace.to_owned(),
        rule: rule.to_owned(),
        message: e.to_string(),
    })
}

/// The rule names that `exception` exempts: every string in every array it contains.
fn exception_names(engine: &mut Evaluator, namespace: &str) -> Result<Vec<String>, EvalError> {
    let value = eval_rule(engine, namespace, "exception")?;
    let mut names = Vec::new();
    if let Value::Array(items) = value {
        for item in items {
            if let Value::Array(inner) = item {
                names.extend(
                    inner
                        .into_iter()
                        .filter_map(|v| v.as_str().map(str::to_owned)),
                );
            }
        }
    }
    Ok(names)
}

/// conftest's reading of a rule value: only a collection yields results; each element is
/// a message string or an object with a string `msg` (other keys become metadata).
fn findings(value: Value, namespace: &str, rule: &str) -> Result<Vec<Finding>, EvalError> {
    let Value::Array(items) = value else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(msg) => out.push(Finding::new(msg)),
            Value::Object(mut obj) => {
                let Some(Value::String(msg)) = obj.shift_remove("msg") else {
                    return Err(EvalError {
                        namespace: namespace.to_owned(),
                        rule: rule.to_owned(),
                        message: format!(
                            "result has no string `msg` field: {}",
                            Value::Object(obj)
                        ),
                    });
                };
                out.push(Finding::with_metadata(msg, obj));
            }
            _ => {}
        }
    }
    Ok(out)
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
