//! Policies: where they come from, how they are compiled, which rules they declare.
//!
//! A [`PolicySet`] is built once per run (all sources parsed and compiled into one regorus
//! engine) and then cloned per worker thread; nothing is re-parsed per input. Rules are
//! found by conftest's naming conventions: `deny`, `violation` (and `deny_*`,
//! `violation_*`) are failures, `warn` (and `warn_*`) warnings, `exception` exempts rules.

pub mod bundled;
pub mod capabilities;
pub mod conftest_builtins;
pub mod data;
pub mod document;
pub mod engine_choice;
pub mod eval;
pub mod eval_trace;
pub mod guard;
pub mod load;
pub mod metadata;
pub mod namespace_pattern;
pub mod syntax;
pub mod testing;
pub mod vm;

use std::collections::BTreeMap;

use crate::findings::Severity;

pub use engine_choice::{EngineChoice, RunSize, likely_many};
pub use load::{LoadError, Options, RegoVersion, load};

/// Package prefix of the bundled practice rules; these namespaces are always evaluated
/// while the bundled library is on.
pub const BUNDLED_PREFIX: &str = "dockpolicy.";

/// Memory the process may hold before policy evaluations are stopped.
pub const DEFAULT_MEMORY_LIMIT: u64 = 4 << 30;

/// Sets the process-wide memory limit for policy evaluation (`None`: no limit). regorus's
/// allocator (mimalloc, feature `allocator-memory-limits`) lets a policy ask for an
/// impossible amount (`numbers.range(1, 2000000000)` wants 48 GB at once) and regorus then
/// stops it with an error at its next check, where the system allocator would abort the
/// whole process.
pub fn set_memory_limit(limit: Option<u64>) {
    regorus::set_global_memory_limit(limit);
    guard::set_limit(limit);
}

/// The severity of a result rule's findings, by conftest's naming conventions
/// (`^(deny|violation)(_\w+)*$` fail, `^warn(_\w+)*$` warn); `None` for other rules.
pub fn rule_severity(name: &str) -> Option<Severity> {
    // Each `_`-separated part after the prefix is a non-empty alphanumeric word.
    let matches = |prefix: &str| {
        name.strip_prefix(prefix).is_some_and(|rest| {
            rest.is_empty()
                || rest.strip_prefix('_').is_some_and(|r| {
                    r.split('_').all(|part| {
                        !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric())
                    })
                })
        })
    };
    if matches("deny") || matches("violation") {
        Some(Severity::Deny)
    } else if matches("warn") {
        Some(Severity::Warn)
    } else {
        None
    }
}

/// The rules one package (namespace) declares.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Namespace {
    /// Rule names with the severity of their findings, sorted by name.
    pub rules: BTreeMap<String, Severity>,
    /// The same names in the order conftest queries them: as first defined, module by
    /// module (in the order the modules were loaded).
    pub rule_order: Vec<String>,
    /// Where `--namespace` names this package (0 when selected otherwise): its results
    /// come in that order, as conftest's do.
    pub rank: usize,
    /// How many result rules the package defines, counting every definition of a name
    /// (conftest counts a passed test per definition).
    pub definitions: usize,
    /// Whether the package declares an `exception` rule.
    pub has_exception: bool,
    /// Whether the package comes from the bundled library.
    pub bundled: bool,
    /// Whether some module of the package comes from the user's policies.
    pub user_modules: bool,
    /// The package's `# METADATA` annotations (rule id, title, severity...).
    pub meta: Option<metadata::Annotations>,
    /// Severity forced by the config file (`severity: {DP010: deny}`).
    pub severity_override: Option<Severity>,
}

impl Namespace {
    /// The rule id from METADATA (`custom.id`), if any.
    pub fn id(&self) -> Option<&str> {
        self.meta.as_ref()?.custom.id.as_deref()
    }

    /// Whether `name` (an id or slug, any case) names this rule.
    pub fn is_named(&self, name: &str) -> bool {
        self.meta.as_ref().is_some_and(|m| m.is_named(name))
    }
}

/// The compiled policies of a run and the namespaces that will be evaluated.
#[derive(Clone)]
pub struct PolicySet {
    pub engine: regorus::Engine,
    /// The selected result rules compiled to the bytecode VM, when `Options::vm` asked
    /// for it and the policies compile (see `vm`).
    pub compiled: Option<vm::Compiled>,
    /// Namespace name (package path without `data.`) → its rules; only the namespaces
    /// selected for evaluation.
    pub namespaces: BTreeMap<String, Namespace>,
    /// METADATA of every loaded package that has it (rules and libraries), for `doc`.
    pub metadata: BTreeMap<String, metadata::Annotations>,
    /// Where the rules came from and what the config file changed, for the run summary.
    pub info: SetInfo,
    /// Wall-clock limit for evaluating one input against every rule (see `eval`).
    pub timeout: Option<std::time::Duration>,
    /// The run's data (`-d`, the config's settings), kept when a user's policy reads
    /// `data.conftest.file`, which each input then gets (see `eval::Evaluator`); `None`
    /// when none does, so the data is never rebuilt for nothing.
    pub file_data: Option<serde_json::Value>,
    /// `--trace`: evaluators record each query and its result (see `eval`).
    pub trace: bool,
}

/// Which policy set a run evaluated. The scanned repository may bring its own `policy/`
/// directory (which replaces the bundled library) and `.dockpolicy.yaml` (which can
/// disable rules): both change what is checked, so every run says what they did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SetInfo {
    /// Whether the bundled library was loaded.
    pub bundled: bool,
    /// The `-p` paths (or the `./policy` default) and how many `.rego` files they held.
    pub policy_paths: Vec<String>,
    pub policy_files: usize,
    /// The config file read, if any (filled in by the command, which finds it).
    pub config: Option<String>,
    /// Rules the config file disabled (their ids), sorted.
    pub disabled: Vec<String>,
    /// Rules whose severity the config file changed, by id.
    pub severity: Vec<(String, Severity)>,
    /// Bundled packages that user policies add modules to (an `exception` there exempts
    /// bundled rules).
    pub amended: Vec<String>,
    /// The rule packages (namespaces) evaluated.
    pub namespaces: Vec<String>,
    /// Files checked and the worker threads that checked them (filled in by the command).
    pub inputs: usize,
    pub workers: usize,
}

impl SetInfo {
    /// One line for standard error: which policies ran, what the config changed.
    pub fn summary(&self) -> String {
        let mut sources = Vec::new();
        if self.bundled {
            sources.push("the bundled library".to_owned());
        }
        if !self.policy_paths.is_empty() {
            sources.push(format!(
                "{} ({} {})",
                self.policy_paths.join(", "),
                self.policy_files,
                if self.policy_files == 1 {
                    "file"
                } else {
                    "files"
                }
            ));
        }
        let mut line = format!(
            "policy set: {}; {} rule {} evaluated",
            sources.join(" + "),
            self.namespaces.len(),
            if self.namespaces.len() == 1 {
                "package"
            } else {
                "packages"
            },
        );
        if !self.bundled {
            line.push_str(" (bundled library off)");
        }
        match &self.config {
            Some(config) => line.push_str(&format!("; config: {config}")),
            None => line.push_str("; no config file"),
        }
        if !self.disabled.is_empty() {
            line.push_str(&format!("; disabled: {}", self.disabled.join(", ")));
        }
        if !self.severity.is_empty() {
            let changed: Vec<String> = self
                .severity
                .iter()
                .map(|(id, severity)| format!("{id}={severity}"))
                .collect();
            line.push_str(&format!("; severity changed: {}", changed.join(", ")));
        }
        if !self.amended.is_empty() {
            line.push_str(&format!(
                "; user policies add to bundled {}",
                self.amended.join(", ")
            ));
        }
        line
    }
}

impl PolicySet {
    /// Applies `--memory-limit` (`None`: no limit) to this run's evaluations.
    ///
    /// When every selected namespace runs on the VM (the bundled practices on their own,
    /// the common case), the limit becomes each evaluation's budget, which the VM checks
    /// against its own thread's allocations. Otherwise it is regorus's process-wide
    /// ceiling, which the interpreter needs; every thread checks that one against shared
    /// counters every 16 VM instructions, and two threads contending on those shared
    /// atomics is a cost the VM-only case need not pay.
    pub fn limit_memory(&mut self, limit: Option<u64>) {
        let namespaces = &self.namespaces;
        match &mut self.compiled {
            Some(compiled)
                if namespaces.iter().all(|(name, ns)| {
                    !ns.has_exception && compiled.covers(name, ns.rules.keys())
                }) =>
            {
                set_memory_limit(None);
                compiled.set_memory_budget(limit);
            }
            _ => set_memory_limit(limit),
        }
        // The interpreter may still run rules (a rule the VM does not take): each
        // builtin call keeps its share of the limit either way.
        guard::set_limit(limit);
    }

    /// The result rules the VM runs for this set.
    pub fn vm_rules(&self) -> Vec<(String, String)> {
        load::vm_rules(&self.namespaces)
    }

    /// Maps an id or slug (any case) to the rule id, for suppression pragmas.
    pub fn rule_id(&self, name: &str) -> Option<&str> {
        self.metadata
            .values()
            .filter(|m| m.custom.id.is_some())
            .find(|m| m.is_named(name))
            .and_then(|m| m.custom.id.as_deref())
    }
}

/// The name an `exception` lists to exempt `rule`, as conftest derives it: the severity
/// prefixes stripped in turn (`deny_foo` is exempted by "foo", `violation_deny_x` by
/// "x"), and the empty string for a bare `deny`, `violation` or `warn`.
pub fn exception_name(rule: &str) -> &str {
    if matches!(rule, "deny" | "violation" | "warn") {
        return "";
    }
    let mut name = rule;
    for prefix in ["violation_", "deny_", "warn_"] {
        name = name.strip_prefix(prefix).unwrap_or(name);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_follow_conftest() {
        assert_eq!(rule_severity("deny"), Some(Severity::Deny));
        assert_eq!(rule_severity("deny_latest"), Some(Severity::Deny));
        assert_eq!(rule_severity("violation"), Some(Severity::Deny));
        assert_eq!(rule_severity("warn_x_y"), Some(Severity::Warn));
        assert_eq!(rule_severity("denylist"), None);
        assert_eq!(rule_severity("deny_"), None);
        assert_eq!(rule_severity("deny_x_"), None);
        assert_eq!(rule_severity("deny_a__b"), None);
        assert_eq!(rule_severity("deny_a_b2"), Some(Severity::Deny));
        assert_eq!(rule_severity("exception"), None);
        assert_eq!(exception_name("deny_latest"), "latest");
        assert_eq!(exception_name("deny"), "");
        assert_eq!(exception_name("violation_deny_x"), "x");
    }
}
