//! The settings block of `policies/lib/dockpolicy/config.rego`: each rule setting of
//! `RULE_SETTINGS` (src/config.rs) read from `data.dockpolicy_config`, with its default,
//! so that policies evaluated without dockpolicy's data (by OPA, or a user's own
//! tooling) see the defaults dockpolicy would give them.

use std::path::Path;

use anyhow::Context as _;
use dockpolicy::config::RULE_SETTINGS;

use crate::Derived;
use crate::markers::replace_between;

pub const PATH: &str = "policies/lib/dockpolicy/config.rego";

pub fn derive(root: &Path) -> anyhow::Result<Derived> {
    let text = std::fs::read_to_string(root.join(PATH)).with_context(|| format!("read {PATH}"))?;
    let blocks: Vec<String> = RULE_SETTINGS
        .iter()
        .map(|s| s.rego_rules(s.description, &format!("data.dockpolicy_config.{}", s.key)))
        .collect();
    let text = replace_between(
        &text,
        "# generated:settings:start",
        "# generated:settings:end",
        &blocks.join("\n"),
    )
    .with_context(|| PATH)?;
    Ok(Derived::text(PATH, text))
}
