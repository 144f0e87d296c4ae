//! Evaluating one input document against the compiled policy set, with conftest's rules
//! for turning rule values into results.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::eval_trace;
use super::vm::{self, VmFailure};
use super::{Namespace, PolicySet, exception_name};
use crate::findings::{CheckResult, Finding, Severity};
use crate::input::Document;
use crate::redact;

/// A policy that failed while evaluating an input (a runtime error in Rego, or a result
/// object without `msg`).
#[derive(Debug, thiserror::Error)]
#[error("policy error in data.{namespace}.{rule}: {message}")]
pub struct EvalError {
    pub namespace: String,
    pub rule: String,
    pub message: String,
    /// conftest stops the whole run on this error (a result object without a string
    /// `msg`), printing no report; so does `test`.
    pub stops_run: bool,
}

/// One worker's evaluation state, made once per worker and reused for every input: the
/// bytecode VM when the run's rules compiled to it, and the interpreter beside it for what
/// the VM cannot do (see `vm`).
pub struct Evaluator {
    engine: regorus::Engine,
    /// The compiled engine as it was before any evaluation. regorus's interpreter can keep
    /// state from an evaluation that failed half-way: the next input then silently got no
    /// result from the failing rule (every other file of a worker passed where each should
    /// have been an error). After an error the engine is replaced by a copy of this.
    pristine: regorus::Engine,
    /// Prints of the current input gathered by an engine since replaced (see `pristine`).
    printed_before_reset: Vec<String>,
    machine: Option<vm::Machine>,
    input: regorus::Value,
    /// Whether `engine` has been given `input` yet (the interpreter is only asked when the
    /// VM is off or fails, so its input is set lazily).
    engine_has_input: bool,
    /// `--timeout`: the time one input may take against every rule.
    timeout: Option<Duration>,
    /// When the current input's time is up. regorus restarts its clock on every rule it
    /// is asked for, so each rule is given only what is left of the input's time: a
    /// policy that loops in every rule would otherwise take the limit times its rules.
    deadline: Option<Instant>,
    /// The run's data, when a user's policy reads `data.conftest.file` (see
    /// `PolicySet::file_data`); `None` otherwise.
    file_data: Option<Value>,
    /// The current input's file name, for `data.conftest.file` and the trace.
    filename: String,
    /// `--trace`: the current input's trace lines; `None` when not tracing.
    trace: Option<Vec<String>>,
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
        let mut engine = set.engine.clone();
        // A trace is of what the interpreter does: the VM records none.
        engine.set_eval_trace(set.trace);
        let machine = match &set.compiled {
            Some(program) if !set.trace => vm::Machine::new(program).ok(),
            _ => None,
        };
        Evaluator {
            pristine: engine.clone(),
            engine,
            printed_before_reset: Vec::new(),
            machine,
            input: regorus::Value::Undefined,
            engine_has_input: false,
            timeout: set.timeout,
            deadline: None,
            file_data: set.file_data.clone(),
            filename: String::new(),
            trace: set.trace.then(Vec::new),
        }
    }

    /// The trace of the current input (`--trace`), taken out of the evaluator: for each
    /// query conftest makes, a `file: F | query: Q` line and a `TRAC` line per event of
    /// its evaluation. Empty when not tracing.
    pub fn take_trace(&mut self) -> Vec<String> {
        self.trace.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Records a query in the trace, when tracing: what the interpreter recorded since the
    /// last query (the rules it evaluated for this one), between the `Enter` of the query
    /// as evaluated (`asked`, `data.main.deny = _`) and its `Exit` (`Fail` when the result
    /// is undefined or false).
    fn trace_query(&mut self, filename: &str, query: &str, asked: &str, result: &Value) {
        let Some(trace) = &mut self.trace else {
            return;
        };
        trace.push(format!("file: {filename} | query: {query}"));
        let (recorded, dropped) = self.engine.take_eval_trace();
        let succeeded = !matches!(result, Value::Null | Value::Bool(false));
        let events = eval_trace::of_query(asked, recorded, dropped, succeeded);
        trace.extend(
            eval_trace::event_lines(&events)
                .into_iter()
                .map(|line| format!("TRAC   {line}")),
        );
    }

    /// Gives the interpreter the run's data with `data.conftest.file` describing the
    /// current input, as conftest does before each file: `name` and `dir` of its absolute
    /// path.
    fn apply_file_data(&mut self) {
        let Some(Value::Object(base)) = &self.file_data else {
            return;
        };
        let mut data = base.clone();
        let path = std::path::absolute(&self.filename)
            .unwrap_or_else(|_| std::path::PathBuf::from(&self.filename));
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let dir = path
            .parent()
            .map_or_else(String::new, |d| d.to_string_lossy().into_owned());
        let conftest = data
            .entry("conftest")
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let Value::Object(conftest) = conftest {
            conftest.insert("file".into(), serde_json::json!({"name": name, "dir": dir}));
        }
        self.engine.clear_data();
        // The data loaded at start-up merged; adding it again with one more key cannot
        // conflict.
        let _ = self
            .engine
            .add_data(regorus::Value::from(Value::Object(data)));
    }

    /// What the policies printed (`print`) while evaluating the current input, taken out
    /// of the engine. The engine only gathers prints (see `load::new_engine`); taking them
    /// after each input is what keeps them from piling up over a run.
    pub fn take_prints(&mut self) -> Vec<String> {
        let mut printed = std::mem::take(&mut self.printed_before_reset);
        printed.extend(self.engine.take_prints().unwrap_or_default());
        printed
    }

    fn set_input(&mut self, input: regorus::Value, filename: &str) {
        // A caller that did not take the last input's prints does not want them: they
        // must not pile up from one input to the next.
        drop(self.take_prints());
        if self.filename != filename {
            filename.clone_into(&mut self.filename);
            self.apply_file_data();
        }
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
        super::load::set_time_limit(&mut self.engine, remaining);
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
                stops_run: false,
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
        let value = self.engine.eval_rule(format!("data.{namespace}.{rule}"));
        if value.is_err() {
            // What was printed before the error stays with this input.
            let printed = self.take_prints();
            self.engine = self.pristine.clone();
            self.apply_file_data();
            self.engine.set_input(self.input.clone());
            self.printed_before_reset = printed;
        }
        value.map_err(|e| error(e.to_string()))
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
    evaluator.set_input(super::document::to_regorus(input), filename);
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
                    stops_run: false,
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
        // A user's rules report in conftest's order; the bundled practices' findings are
        // sorted by line with the report.
        result.in_policy_order = !ns.bundled;
        result.namespace_rank = ns.rank;
        let exceptions = if ns.has_exception {
            exception_names(engine, name)?
        } else {
            Vec::new()
        };
        for rule in &ns.rule_order {
            let Some(severity) = ns.rules.get(rule) else {
                continue;
            };
            let key = exception_name(rule);
            let query = format!("data.{name}.exception[_][_] == {key:?}");
            let exempt = exceptions.iter().any(|e| e == key);
            engine.trace_query(filename, &query, &query, &Value::Bool(exempt));
            // conftest evaluates an exempted rule too (what it prints is shown), and
            // reports only the exemption.
            let value = eval_rule(engine, name, rule)?;
            let rule_query = format!("data.{name}.{rule}");
            engine.trace_query(filename, &rule_query, &format!("{rule_query} = _"), &value);
            if exempt {
                result.exceptions.push(Finding::new(query));
                continue;
            }
            let mut findings = findings(value, name, rule)?;
            if findings.is_empty() {
                result.successes += 1;
            }
            let severity = ns.severity_override.unwrap_or(*severity);
            describe(&mut findings, ns, severity);
            match severity {
                Severity::Deny => result.failures.extend(findings),
                Severity::Warn => result.warnings.extend(findings),
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
fn describe(findings: &mut [Finding], ns: &Namespace, severity: Severity) {
    let Some(meta) = &ns.meta else { return };
    let Some(id) = &meta.custom.id else { return };
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
            .insert("severity".into(), Value::String(severity.name().into()));
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
        stops_run: false,
    })?;
    serde_json::to_value(&value).map_err(|e| EvalError {
        namespace: namespace.to_owned(),
        rule: rule.to_owned(),
        message: e.to_string(),
        stops_run: false,
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
/// a message string or an object with a string `msg` (other keys become metadata). As
/// conftest, every result's metadata names the query that produced it (`query`:
/// `data.main.deny`), in place of any `query` key of the policy's own.
fn findings(value: Value, namespace: &str, rule: &str) -> Result<Vec<Finding>, EvalError> {
    let Value::Array(items) = value else {
        return Ok(Vec::new());
    };
    let query = || Value::String(format!("data.{namespace}.{rule}"));
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(msg) => {
                let mut finding = Finding::new(msg);
                finding.metadata.insert("query".into(), query());
                out.push(finding);
            }
            Value::Object(mut obj) => {
                let Some(Value::String(msg)) = obj.shift_remove("msg") else {
                    return Err(EvalError {
                        namespace: namespace.to_owned(),
                        rule: rule.to_owned(),
                        message: "\"msg\" field must be present and a string".into(),
                        stops_run: true,
                    });
                };
                obj.insert("query".into(), query());
                out.push(Finding::with_metadata(msg, obj));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Most bytes of `print` output shown for one input file (or one test, one Gatekeeper
/// case); what comes after is cut, with a note saying so. Policies from the scanned tree
/// can print in a loop: this keeps a run's standard error, and the memory that holds what
/// is printed, bounded by the number of files.
pub const MAX_PRINT_BYTES: usize = 64 * 1024;

/// The `print` output of the evaluations of one input file (or test), made safe for
/// standard error. conftest users expect `print` to show for debugging, but a policy from
/// the scanned repository prints whatever it likes, the input included: every line is
/// prefixed with where it came from, has the secret values of the input hidden (the
/// values that input gives to secret-like names, wherever the policy put them), the
/// secret-looking values of any text redacted, control characters escaped (one print is
/// one line, and drives no terminal), and no line starts a `::` workflow command.
pub struct PrintLog {
    /// Where the prints come from (the input file, the test), as shown.
    origin: String,
    /// Whether each line starts with `origin` (`bare` logs leave that to their caller).
    labelled: bool,
    out: String,
    truncated: bool,
}

impl PrintLog {
    pub fn new(origin: &str) -> PrintLog {
        PrintLog {
            origin: origin.to_owned(),
            labelled: true,
            out: String::new(),
            truncated: false,
        }
    }

    /// A log whose lines are the prints alone (`policy.rego:3: message`), for a caller
    /// that shows them in its own form (conftest's `PRNT` lines); made as safe as
    /// `new`'s.
    pub fn bare(origin: &str) -> PrintLog {
        PrintLog {
            labelled: false,
            ..PrintLog::new(origin)
        }
    }

    /// Adds one evaluation's prints (`Evaluator::take_prints`, `Engine::take_prints`),
    /// given the input they were printed for, whose secret values are hidden from them.
    pub fn add(&mut self, prints: Vec<String>, input: Option<&Value>) {
        if prints.is_empty() || self.truncated {
            return;
        }
        // The raw text is cut to what the log can still show before any work is done on
        // it, at a space where there is one near, so a value is seldom cut in two.
        let mut kept: Vec<String> = Vec::new();
        let mut room = MAX_PRINT_BYTES.saturating_sub(self.out.len());
        for print in prints {
            if room == 0 {
                self.truncated = true;
                break;
            }
            let (text, cut) = cut_at(&print, room);
            room -= text.len();
            kept.push(text.to_owned());
            if cut {
                self.truncated = true;
                break;
            }
        }
        // One pass hides the input's secret values from every print at once: NUL cannot
        // be part of a hidden value (lines with control characters are not searched), so
        // it separates them again afterwards.
        let joined = kept.join("\0");
        let hidden = match input {
            // The values that input gives to secret-like names, wherever the policy put
            // them: a policy prints the input as it sees it, where a secret stands apart
            // from its name (`"Value": ["DB_PASSWORD", "x"]`) and no pattern finds it.
            Some(input) => {
                redact::Secrets::in_document(input).hide_within(&joined, MAX_PRINT_BYTES)
            }
            None => joined,
        };
        for print in hidden.split('\0') {
            let line = if self.labelled {
                format!("{}: print at {print}", self.origin)
            } else {
                print.to_owned()
            };
            let clean = redact::lines(&redact::text(&line));
            let room = MAX_PRINT_BYTES.saturating_sub(self.out.len());
            let (clean, cut) = cut_at(&clean, room);
            self.out.push_str(clean);
            self.out.push('\n');
            if cut {
                self.truncated = true;
                break;
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// The lines to show, and the note when some were cut.
    pub fn text(&self) -> String {
        let mut text = self.out.clone();
        if self.truncated {
            let origin = redact::lines(&redact::text(&self.origin));
            text.push_str(&format!(
                "{origin}: … (print output truncated at {} KiB)\n",
                MAX_PRINT_BYTES / 1024
            ));
        }
        text
    }

    /// Writes the log to standard error in one write, so the logs of files checked in
    /// parallel never interleave line by line.
    pub fn emit(&self) {
        if self.is_empty() {
            return;
        }
        let text = self.text();
        let mut err = std::io::stderr().lock();
        // Nothing to do about a closed standard error: the report goes on.
        let _ = std::io::Write::write_all(&mut err, text.as_bytes());
    }
}

/// `text` cut to at most `max` bytes (at a character boundary, and at the last space in
/// the second half of that when there is one); whether it was cut.
fn cut_at(text: &str, max: usize) -> (&str, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if let Some(space) = text[..end].rfind(char::is_whitespace)
        && space >= end / 2
    {
        end = space;
    }
    (&text[..end], true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_print_is_one_safe_line_with_its_origin() {
        let mut log = PrintLog::new("::x/Dockerfile");
        log.add(
            vec!["p.rego:3: \u{1b}[2Ja\n::error::b\r\u{202e}c ghp_abcdefghijklmnopqrstuvwx".into()],
            None,
        );
        let text = log.text();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(
            text.starts_with("\\x3a:x/Dockerfile: print at p.rego:3: "),
            "{text}"
        );
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert!(!text.contains('\u{202e}'), "{text:?}");
        assert!(text.contains("ghp_****"), "{text}");
    }

    #[test]
    fn the_inputs_secret_values_are_hidden_wherever_printed() {
        let input = serde_json::json!([
            {"Original": "ENV DB_PASSWORD=hunter2a", "Value": ["DB_PASSWORD", "hunter2a"]},
            {"env": [{"name": "API_TOKEN", "value": "tok with spaces"}]},
            {"environment": {"SMTP_PASS": "mailpass1"}, "Env": ["AWS_SECRET_ACCESS_KEY=awskey12"]},
        ]);
        let printed = format!("{input} HUNTER2A");
        let mut log = PrintLog::new("f");
        log.add(
            vec![printed, "second print: mailpass1".into()],
            Some(&input),
        );
        let text = log.text();
        for secret in [
            "hunter2a",
            "HUNTER2A",
            "tok with spaces",
            "mailpass1",
            "awskey12",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.contains("f: print at second print: ****"), "{text}");
    }

    #[test]
    fn prints_are_cut_at_the_cap_and_say_so() {
        let mut log = PrintLog::new("f");
        for _ in 0..10 {
            log.add(vec!["word ".repeat(4000); 10], None);
        }
        let text = log.text();
        assert!(text.len() <= MAX_PRINT_BYTES + 100, "{}", text.len());
        assert!(text.len() >= MAX_PRINT_BYTES - 100, "{}", text.len());
        assert!(
            text.ends_with("f: … (print output truncated at 64 KiB)\n"),
            "{}",
            &text[text.len() - 200..]
        );
        // One huge print is cut too, at a character boundary.
        let mut log = PrintLog::new("f");
        log.add(vec!["é".repeat(MAX_PRINT_BYTES)], None);
        assert!(log.text().len() <= MAX_PRINT_BYTES + 100);
    }

    #[test]
    fn a_run_without_prints_shows_nothing() {
        let mut log = PrintLog::new("f");
        log.add(Vec::new(), Some(&serde_json::json!({"PASSWORD": "x"})));
        assert!(log.is_empty());
        assert_eq!(log.text(), "");
    }

    #[test]
    fn cut_at_prefers_a_space_and_keeps_characters_whole() {
        assert_eq!(cut_at("abc", 5), ("abc", false));
        assert_eq!(cut_at("aaaa bbbb", 7), ("aaaa", true));
        assert_eq!(cut_at("éé", 3), ("é", true));
        assert_eq!(cut_at("a bbbbbbbbbb", 8), ("a bbbbbb", true));
    }
}
