//! Policies: where they come from, how they are compiled, which rules they declare.
//!
//! A [`PolicySet`] is built once per run (all sources parsed and compiled into one regorus
//! engine) and then cloned per worker thread; nothing is re-parsed per input. Rules are
//! found by conftest's naming conventions: `deny`, `violation` (and `deny_*`,
//! `violation_*`) are failures, `warn` (and `warn_*`) warnings, `exception` exempts rules.

pub mod bundled;
pub mod data;
pub mod eval;
pub mod load;
pub mod testing;

use std::collections::BTreeMap;

pub use load::{LoadError, Options, RegoVersion, load};

/// Package prefix of the bundled practice rules; these namespaces are always evaluated
/// while the bundled library is on.
pub const BUNDLED_PREFIX: &str = "dockpolicy.";

/// What a rule's results mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RuleKind {
    Failure,
    Warning,
}

impl RuleKind {
    /// Classifies a rule name by conftest's conventions (`^(deny|violation)(_\w+)*$`,
    /// `^warn(_\w+)*$`).
    pub fn of(name: &str) -> Option<RuleKind> {
        let matches = |prefix: &str| {
            name == prefix
                || name
                    .strip_prefix(prefix)
                    .and_then(|r| r.strip_prefix('_'))
                    .is_some_and(|r| {
                        !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    })
        };
        if matches("deny") || matches("violation") {
            Some(RuleKind::Failure)
        } else if matches("warn") {
            Some(RuleKind::Warning)
        } else {
            None
        }
    }
}

/// The rules one package (namespace) declares.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Namespace {
    /// Rule names with their kind, sorted by name.
    pub rules: BTreeMap<String, RuleKind>,
    /// Whether the package declares an `exception` rule.
    pub has_exception: bool,
    /// Whether the package comes from the bundled library.
    pub bundled: bool,
}

/// The compiled policies of a run and the namespaces that will be evaluated.
#[derive(Clone)]
pub struct PolicySet {
    pub engine: regorus::Engine,
    /// Namespace name (package path without `data.`) → its rules; only the namespaces
    /// selected for evaluation.
    pub namespaces: BTreeMap<String, Namespace>,
}

/// Strips conftest's severity prefix so `deny_foo` is exempted by `exception` "foo".
pub fn exception_name(rule: &str) -> &str {
    for prefix in ["violation_", "deny_", "warn_"] {
        if let Some(rest) = rule.strip_prefix(prefix) {
            return rest;
        }
    }
    rule
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_follow_conftest() {
        assert_eq!(RuleKind::of("deny"), Some(RuleKind::Failure));
        assert_eq!(RuleKind::of("deny_latest"), Some(RuleKind::Failure));
        assert_eq!(RuleKind::of("violation"), Some(RuleKind::Failure));
        assert_eq!(RuleKind::of("warn_x_y"), Some(RuleKind::Warning));
        assert_eq!(RuleKind::of("denylist"), None);
        assert_eq!(RuleKind::of("deny_"), None);
        assert_eq!(RuleKind::of("exception"), None);
        assert_eq!(exception_name("deny_latest"), "latest");
        assert_eq!(exception_name("deny"), "deny");
    }
}
