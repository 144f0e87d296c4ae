//! The settings block of `policies/lib/dockpolicy/config.rego`: each rule setting of
//! `RULE_SETTINGS` (src/config.rs) read from `data.dockpolicy_config`, with its default,
//! so that policies evaluated without dockpolicy's data (by OPA, or a user's own
//! tooling) see the defaults dockpolicy would give them.

use std::path::Path;

use anyhow::Context as _;
use dockpolicy::config::RULE_SETTINGS;
use serde_json::Value;

use crate::Derived;
use crate::markers::replace_between;

pub const PATH: &str = "policies/lib/dockpolicy/config.rego";

pub fn derive(root: &Path) -> anyhow::Result<Derived> {
    let text = std::fs::read_to_string(root.join(PATH)).with_context(|| format!("read {PATH}"))?;
    let blocks: Vec<String> = RULE_SETTINGS
        .iter()
        .map(|s| {
            format!(
                "# {key}: {description}\ndefault {key} := {default}\n\n{key} := data.dockpolicy_config.{key}\n",
                key = s.key,
                description = s.description,
                default = rego_literal(&(s.default)()),
            )
        })
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

/// A JSON value as a Rego literal, spaced as `opa fmt` writes it.
fn rego_literal(value: &Value) -> String {
    match value {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(rego_literal).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), rego_literal(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        scalar => scalar.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_spaced_like_opa_fmt() {
        let v = serde_json::json!([["a", "b\"c"], {"k": 1, "l": null}, true]);
        assert_eq!(
            rego_literal(&v),
            r#"[["a", "b\"c"], {"k": 1, "l": null}, true]"#
        );
    }
}
