//! How serious a finding is: a failure (`deny`) or a warning (`warn`).
//!
//! One type for every place that says it: a rule's kind by conftest's naming, the config
//! file's overrides, a rule's METADATA, the findings' `severity` metadata, SARIF levels
//! and Gatekeeper enforcement actions.

use serde::{Deserialize, Serialize};

/// A failure or a warning, under the names the config file, METADATA and findings use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Deny,
    Warn,
}

impl Severity {
    /// Its name: `deny` or `warn` (serde's too; a test holds them together).
    pub fn name(self) -> &'static str {
        match self {
            Severity::Deny => "deny",
            Severity::Warn => "warn",
        }
    }

    /// The severity named exactly `name`.
    pub fn from_name(name: &str) -> Option<Severity> {
        [Severity::Deny, Severity::Warn]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_uses_the_names() {
        for severity in [Severity::Deny, Severity::Warn] {
            let name = serde_json::to_value(severity).expect("serializes");
            assert_eq!(name, severity.name());
            assert_eq!(
                serde_json::from_value::<Severity>(name).ok(),
                Some(severity)
            );
            assert_eq!(Severity::from_name(severity.name()), Some(severity));
        }
        assert_eq!(Severity::from_name("Warn"), None);
    }
}
