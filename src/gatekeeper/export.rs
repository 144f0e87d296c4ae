//! `gatekeeper export`: ConstraintTemplates and Constraints from the same Rego files the
//! CLI runs.
//!
//! Each exported rule becomes one template. Its `libs` are the rule file itself (its
//! package moved under `lib.rules.`, the only change) and every `lib.` helper module; the
//! one exception is the config helper, replaced by `config.rego` beside this file, which
//! reads the Constraint's parameters instead of `data`. The template's own module is a
//! three-line adapter: `violation` is the rule's `deny` (or `warn`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{MATCH_KINDS, TARGET};
use crate::config::Config;
use crate::policy::RegoVersion;
use crate::policy::metadata::{self, Annotations};

const GATEKEEPER_CONFIG: &str = include_str!("config.rego");

/// One Rego source file.
#[derive(Debug, Clone)]
pub struct Module {
    pub path: String,
    pub source: String,
}

/// An exported pair of files.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    pub id: String,
    /// `templates/<name>.yaml`
    pub template: (String, String),
    /// `constraints/<name>.yaml`
    pub constraint: (String, String),
}

fn package_of(source: &str) -> Option<String> {
    source.lines().find_map(|l| {
        l.trim()
            .strip_prefix("package ")
            .map(|p| p.trim().to_owned())
    })
}

/// `latest-tag` → `LatestTag`.
fn camel(slug: &str) -> String {
    slug.split(['-', '_'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Rewrites a module for a template: optional new package, and `import rego.v1` for the
/// v0 `rego:` field (so v1 syntax parses on every Gatekeeper that has OPA 0.59+).
fn prepare(source: &str, package: Option<&str>, version: RegoVersion) -> String {
    let mut out = String::with_capacity(source.len() + 32);
    for line in source.lines() {
        if let Some(old) = line.trim().strip_prefix("package ") {
            out.push_str("package ");
            out.push_str(package.unwrap_or(old.trim()));
            out.push('\n');
            if version == RegoVersion::V0 {
                out.push_str("\nimport rego.v1\n");
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Exports every module whose METADATA says `custom.gatekeeper: true`.
pub fn export(
    modules: &[Module],
    config: &Config,
    version: RegoVersion,
) -> Result<Vec<Exported>, String> {
    let mut libs: BTreeMap<String, String> = BTreeMap::new();
    let mut rules: Vec<(String, String, Annotations)> = Vec::new();
    for m in modules {
        let Some(package) = package_of(&m.source) else {
            continue;
        };
        if package.starts_with("lib.") {
            if package != "lib.dockpolicy.config" {
                libs.insert(package, m.source.clone());
            }
            continue;
        }
        if let Some((_, meta)) =
            metadata::extract(&m.source).map_err(|e| format!("{}: {e}", m.path))?
            && meta.custom.gatekeeper
        {
            rules.push((package, m.source.clone(), meta));
        }
    }
    libs.insert("lib.dockpolicy.config".into(), GATEKEEPER_CONFIG.to_owned());
    let lib_sources: Vec<String> = libs.values().map(|s| prepare(s, None, version)).collect();
    let mut out = Vec::new();
    for (package, source, meta) in rules {
        let id = meta
            .custom
            .id
            .clone()
            .ok_or_else(|| format!("{package}: a Gatekeeper rule needs custom.id"))?;
        let slug = meta.custom.slug.clone().unwrap_or_else(|| {
            package
                .rsplit('.')
                .next()
                .unwrap_or("rule")
                .replace('_', "-")
        });
        // Config keys name a rule by id or slug (the slug may come from the package).
        let names_rule =
            |key: &str| key.eq_ignore_ascii_case(&id) || key.eq_ignore_ascii_case(&slug);
        let kind = format!("Dockpolicy{}", camel(&slug));
        let name = kind.to_lowercase();
        let severity = config
            .severity
            .iter()
            .find(|(k, _)| names_rule(k))
            .map(|(_, s)| {
                if *s == crate::config::Severity::Deny {
                    "deny"
                } else {
                    "warn"
                }
            })
            .unwrap_or(meta.custom.severity.as_deref().unwrap_or("deny"));
        let rule_set = if meta.custom.severity.as_deref() == Some("warn") {
            "warn"
        } else {
            "deny"
        };
        let lib_package = format!("lib.rules.{package}");
        let mut template_libs = lib_sources.clone();
        template_libs.push(prepare(&source, Some(&lib_package), version));
        let v1_import = if version == RegoVersion::V0 {
            "\nimport rego.v1\n"
        } else {
            ""
        };
        let main = format!(
            "package {name}\n{v1_import}\nimport data.{lib_package} as rule\n\n\
             # The rule's own results, as Gatekeeper violations.\n\
             violation contains {{\"msg\": r.msg, \"details\": {{\"rule\": \"{id}\"}}}} if {{\n\tsome r in rule.{rule_set}\n}}\n"
        );
        let target = match version {
            RegoVersion::V0 => json!({"target": TARGET, "rego": main, "libs": template_libs}),
            RegoVersion::V1 => {
                json!({"target": TARGET, "code": [{"engine": "Rego", "source": {"version": "v1", "rego": main, "libs": template_libs}}]})
            }
        };
        let description = meta.description.clone().unwrap_or_default();
        let summary = description
            .split("## What it does")
            .nth(1)
            .and_then(|s| s.split("##").next())
            .unwrap_or(&description)
            .trim()
            .to_owned();
        let string_list = json!({"type": "array", "items": {"type": "string"}});
        let template = json!({
            "apiVersion": "templates.gatekeeper.sh/v1",
            "kind": "ConstraintTemplate",
            "metadata": {
                "name": name,
                "annotations": {
                    "metadata.gatekeeper.sh/title": meta.title.clone().unwrap_or_default(),
                    "metadata.gatekeeper.sh/version": env!("CARGO_PKG_VERSION"),
                    "description": summary,
                    "dockpolicy.dev/rule": id,
                },
            },
            "spec": {
                "crd": {"spec": {
                    "names": {"kind": kind},
                    "validation": {"openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "exemptImages": {"description": "Glob patterns of images this rule ignores.", "type": "array", "items": {"type": "string"}},
                            "allowedRegistries": {"description": "Registries (host or host/path prefix) images may come from (DP003).", "type": "array", "items": {"type": "string"}},
                            "minimalBaseImages": string_list,
                            "requiredLabels": {"type": "array", "items": {"x-kubernetes-preserve-unknown-fields": true}},
                        },
                    }},
                }},
                "targets": [target],
            },
        });
        let mut parameters = serde_json::Map::new();
        let exempt: Vec<&String> = config
            .exempt_images
            .iter()
            .filter(|(k, _)| names_rule(k))
            .flat_map(|(_, v)| v)
            .collect();
        if !exempt.is_empty() {
            parameters.insert("exemptImages".into(), json!(exempt));
        }
        if !config.allowed_registries.is_empty() {
            parameters.insert("allowedRegistries".into(), json!(config.allowed_registries));
        }
        let kinds: Vec<Value> = MATCH_KINDS
            .iter()
            .map(|(group, kinds)| json!({"apiGroups": [group], "kinds": kinds}))
            .collect();
        let constraint = json!({
            "apiVersion": "constraints.gatekeeper.sh/v1beta1",
            "kind": kind,
            "metadata": {"name": format!("{}-{}", id.to_lowercase(), slug)},
            "spec": {
                "enforcementAction": severity,
                "match": {"kinds": kinds},
                "parameters": Value::Object(parameters),
            },
        });
        out.push(Exported {
            id,
            template: (format!("templates/{name}.yaml"), to_yaml(&template)?),
            constraint: (format!("constraints/{name}.yaml"), to_yaml(&constraint)?),
        });
    }
    Ok(out)
}

fn to_yaml(value: &Value) -> Result<String, String> {
    yaml_serde::to_string(value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_cases_slugs() {
        assert_eq!(camel("latest-tag"), "LatestTag");
        assert_eq!(camel("secret_in-image"), "SecretInImage");
    }

    #[test]
    fn prepare_moves_the_package_and_adds_the_v1_import_for_v0() {
        let src = "# c\npackage dockpolicy.x\n\ndeny contains 1 if true\n";
        let out = prepare(src, Some("lib.rules.dockpolicy.x"), RegoVersion::V0);
        assert!(out.contains("package lib.rules.dockpolicy.x\n\nimport rego.v1\n"));
        assert!(!prepare(src, None, RegoVersion::V1).contains("rego.v1"));
    }
}
