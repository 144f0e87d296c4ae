//! The README's table of rule settings: each key, its default and what it sets, from
//! `RULE_SETTINGS`, so the documented default is the one the binary, the Rego library and
//! the Gatekeeper parameters use.

use std::fmt::Write as _;

use anyhow::Context as _;
use dockpolicy::config::RULE_SETTINGS;

use crate::markers::replace_between;

/// `readme` with its settings table brought up to date.
pub fn derive(readme: &str) -> anyhow::Result<String> {
    let mut table = String::from("| setting | default | what it sets |\n|---|---|---|\n");
    for setting in RULE_SETTINGS {
        let default = serde_json::to_string(&(setting.default)()).context("default as JSON")?;
        writeln!(
            table,
            "| `{}` | `{default}` | {} |",
            setting.key, setting.description
        )
        .expect("write to string");
    }
    replace_between(
        readme,
        "<!-- generated:settings:start -->",
        "<!-- generated:settings:end -->",
        &table,
    )
}
