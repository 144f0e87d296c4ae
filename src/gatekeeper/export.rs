//! `gatekeeper export`: ConstraintTemplates and Constraints from the same Rego files the
//! CLI runs.
//!
//! Each exported rule becomes one template. Its `libs` are the rule file itself (its
//! package moved under `lib.rules.`, the only change) and every `lib.` helper module; the
//! one exception is the config helper, replaced by `config.rego` beside this file plus the
//! rule settings of `config::RULE_SETTINGS`, which reads the Constraint's parameters instead of `data`.
//! The template's own module is a short adapter: `violation` is the rule's `deny` (or
//! `warn`), filtered by the admission operation (see [`adapter`]).
//!
//! Gatekeeper checks every module's imports: only `data.lib.*` and `future.*` may be
//! imported (`import rego.v1` makes it refuse the template). The bundled rules are written
//! in Rego v1; the v0 export (`rego:`) gives each module the `future.keywords` imports it
//! needs, which makes the same text parse as v0 on every Gatekeeper; the v1 export
//! (`code:` with `source.version: v1`, Gatekeeper 3.19+) needs no import at all.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::{MATCH_KINDS, TARGET};
use crate::config::{Config, RULE_SETTINGS};
use crate::findings::Severity;
use crate::policy::RegoVersion;
use crate::policy::metadata::{self, Annotations};

const GATEKEEPER_CONFIG: &str = include_str!("config.rego");

/// The Constraint parameter that carries a rule setting: its key in camel case
/// (`allowed_registries` → `allowedRegistries`). The settings are
/// [`RULE_SETTINGS`](crate::config::RULE_SETTINGS); from that table come the template's
/// parameter schema, the Constraint's parameters (set when the config differs from the
/// default) and the settings in the template's config module, with their defaults.
fn parameter_name(key: &str) -> String {
    let mut words = key.split('_');
    let first = words.next().unwrap_or_default().to_owned();
    first + &camel(&words.collect::<Vec<_>>().join("_"))
}

/// The per-rule parameter, from `exempt_images` (read by the config module's `exempt`).
const EXEMPT_IMAGES: &str = "exemptImages";

/// The template's parameter schema: each rule setting and `exemptImages`. A setting with
/// a single value shows its default; a list's is left out, since the API server writes a
/// schema default into every Constraint it stores, and a list there would read as
/// configuration nobody wrote.
fn parameter_schema() -> Value {
    let mut properties = serde_json::Map::new();
    properties.insert(
        EXEMPT_IMAGES.into(),
        json!({"description": "Glob patterns of images this rule ignores.", "type": "array", "items": {"type": "string"}}),
    );
    for setting in RULE_SETTINGS {
        let mut schema = (setting.schema)();
        schema["description"] = json!(setting.description);
        let default = (setting.default)();
        if !default.is_array() {
            schema["default"] = default;
        }
        properties.insert(parameter_name(setting.key), schema);
    }
    json!({"type": "object", "properties": properties})
}

/// The template's `lib.dockpolicy.config`: `config.rego` and each rule setting, read from
/// its parameter, with the config file's default.
fn config_module() -> String {
    let mut out = GATEKEEPER_CONFIG.to_owned();
    for setting in RULE_SETTINGS {
        let name = parameter_name(setting.key);
        out.push('\n');
        out.push_str(&setting.rego_rules(
            &format!("the parameter {name}."),
            &format!("input.parameters.{name}"),
        ));
    }
    out
}

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

/// The Rego v1 keywords that Rego v0 has only through `import future.keywords.<name>`.
const FUTURE_KEYWORDS: [&str; 4] = ["contains", "every", "if", "in"];

/// The future keywords a v1 module uses: every one that occurs as a word outside comments
/// and the imports [`prepare`] drops. A word in a string counts too: an import too many
/// costs nothing, one too few fails the parse.
fn keywords_used(source: &str) -> BTreeSet<&'static str> {
    let mut used = BTreeSet::new();
    for line in source.lines().filter(|l| !version_import(l)) {
        let code = without_comment(line);
        for word in code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if let Some(k) = FUTURE_KEYWORDS.iter().find(|k| **k == word) {
                used.insert(*k);
            }
        }
    }
    used
}

/// A line up to its comment: the first `#` outside a string (`"..."` with escapes, or a
/// raw string; a raw string does not span lines in these files).
fn without_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match quote {
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '#' => return &line[..i],
            None if c == '"' || c == '`' => quote = Some(c),
            None => {}
        }
    }
    line
}

/// An import Gatekeeper does not allow in a template and the export does without:
/// `rego.v1` and `future.keywords` (the v0 export writes the ones needed).
fn version_import(line: &str) -> bool {
    let t = without_comment(line).trim();
    let Some(path) = t.strip_prefix("import ") else {
        return false;
    };
    let path = path.trim();
    path == "rego.v1" || path == "future.keywords" || path.starts_with("future.keywords.")
}

/// Rewrites a module for a template: optional new package, its `rego.v1` and
/// `future.keywords` imports dropped, and for the v0 `rego:` field the `future.keywords`
/// imports that make its v1 text parse as v0.
fn prepare(source: &str, package: Option<&str>, version: RegoVersion) -> String {
    let mut out = String::with_capacity(source.len() + 96);
    for line in source.lines() {
        if version_import(line) {
            continue;
        }
        if let Some(old) = line.trim().strip_prefix("package ") {
            out.push_str("package ");
            out.push_str(package.unwrap_or(old.trim()));
            out.push('\n');
            if version == RegoVersion::V0 {
                let used = keywords_used(source);
                if !used.is_empty() {
                    out.push('\n');
                }
                for k in used {
                    out.push_str("import future.keywords.");
                    out.push_str(k);
                    out.push('\n');
                }
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The template's own module, in v1 syntax: the rule's results (its `deny` or `warn`
/// set) as Gatekeeper violations, by admission operation.
///
/// * CREATE, and every review without an operation (Gatekeeper's audit of what is in the
///   cluster, gator on a plain manifest): every result.
/// * UPDATE: only a result the object did not already have before the update (the rule run
///   again on `oldObject`, compared by message). An unrelated change to a workload admitted
///   before the rule existed (a label, a finalizer, scaling) is not refused; a change that
///   brings a new problem (another image, a new container) is. Audit still reports the old
///   problems.
/// * DELETE: none. Gatekeeper reviews the object being deleted; refusing to remove a
///   non-compliant workload helps no one.
fn adapter(name: &str, lib_package: &str, rule_set: &str, id: &str) -> String {
    format!(
        r#"package {name}

import data.{lib_package} as rule

# CREATE, audit, and reviews without an operation: every result of the rule.
violation contains _violation(r) if {{
	not input.review.operation in {{"UPDATE", "DELETE"}}
	some r in rule.{rule_set}
}}

# UPDATE: only a result the object did not have before; DELETE: none.
violation contains _violation(r) if {{
	input.review.operation == "UPDATE"
	some r in rule.{rule_set}
	not r.msg in _before_update
}}

_before_update contains r.msg if {{
	results := rule.{rule_set} with input.review.object as input.review.oldObject
	some r in results
}}

_violation(r) := {{"msg": r.msg, "details": {{"rule": {id}}}}}
"#,
        id = Value::String(id.to_owned()),
    )
}

/// A rule file to export: its package, source and METADATA.
struct RuleModule {
    package: String,
    source: String,
    meta: Annotations,
}

/// Exports every module whose METADATA says `custom.gatekeeper: true`, except the rules
/// the config disables.
pub fn export(
    modules: &[Module],
    config: &Config,
    version: RegoVersion,
) -> Result<Vec<Exported>, String> {
    let (libs, rules) = libs_and_rules(modules)?;
    let lib_sources: Vec<String> = libs.values().map(|s| prepare(s, None, version)).collect();
    let schema = parameter_schema();
    let mut out = Vec::new();
    for rule in rules {
        let names = RuleNames::of(&rule)?;
        if config.disabled_rules.iter().any(|d| names.is(d)) {
            continue;
        }
        let template = template(&rule, &names, &lib_sources, &schema, version);
        let constraint = constraint(&rule, &names, config);
        out.push(Exported {
            template: (
                format!("templates/{}.yaml", names.name),
                to_yaml(&template)?,
            ),
            constraint: (
                format!("constraints/{}.yaml", names.name),
                to_yaml(&constraint)?,
            ),
            id: names.id,
        });
    }
    Ok(out)
}

/// The `lib.` helper modules by package (the config helper replaced by the template's
/// own), and the rules marked for Gatekeeper.
fn libs_and_rules(
    modules: &[Module],
) -> Result<(BTreeMap<String, String>, Vec<RuleModule>), String> {
    let mut libs: BTreeMap<String, String> = BTreeMap::new();
    let mut rules = Vec::new();
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
            rules.push(RuleModule {
                package,
                source: m.source.clone(),
                meta,
            });
        }
    }
    libs.insert("lib.dockpolicy.config".into(), config_module());
    Ok((libs, rules))
}

/// What an exported rule is called: by the config, the template and the Constraint.
struct RuleNames {
    id: String,
    slug: String,
    /// The Constraint kind.
    kind: String,
    /// The template's name.
    name: String,
}

impl RuleNames {
    fn of(rule: &RuleModule) -> Result<RuleNames, String> {
        let package = &rule.package;
        let id = rule
            .meta
            .custom
            .id
            .clone()
            .ok_or_else(|| format!("{package}: a Gatekeeper rule needs custom.id"))?;
        let slug = rule.meta.custom.slug.clone().unwrap_or_else(|| {
            package
                .rsplit('.')
                .next()
                .unwrap_or("rule")
                .replace('_', "-")
        });
        let kind = format!("Dockpolicy{}", camel(&slug));
        let name = kind.to_lowercase();
        Ok(RuleNames {
            id,
            slug,
            kind,
            name,
        })
    }

    /// Config keys name a rule by id or slug (the slug may come from the package).
    fn is(&self, key: &str) -> bool {
        key.eq_ignore_ascii_case(&self.id) || key.eq_ignore_ascii_case(&self.slug)
    }
}

/// The rule set the adapter reads: the rule's own severity decides which one it defines.
fn rule_set(meta: &Annotations) -> &'static str {
    meta.custom
        .declared_severity()
        .unwrap_or(Severity::Deny)
        .name()
}

/// The ConstraintTemplate: the adapter over the rule (moved under `lib.rules.`) and the
/// helper modules.
fn template(
    rule: &RuleModule,
    names: &RuleNames,
    lib_sources: &[String],
    schema: &Value,
    version: RegoVersion,
) -> Value {
    let lib_package = format!("lib.rules.{}", rule.package);
    let mut template_libs = lib_sources.to_vec();
    template_libs.push(prepare(&rule.source, Some(&lib_package), version));
    let adapter = adapter(&names.name, &lib_package, rule_set(&rule.meta), &names.id);
    let main = prepare(&adapter, None, version);
    let target = match version {
        RegoVersion::V0 => json!({"target": TARGET, "rego": main, "libs": template_libs}),
        RegoVersion::V1 => {
            json!({"target": TARGET, "code": [{"engine": "Rego", "source": {"version": "v1", "rego": main, "libs": template_libs}}]})
        }
    };
    json!({
        "apiVersion": "templates.gatekeeper.sh/v1",
        "kind": "ConstraintTemplate",
        "metadata": {
            "name": names.name,
            "annotations": {
                "metadata.gatekeeper.sh/title": rule.meta.title.clone().unwrap_or_default(),
                "metadata.gatekeeper.sh/version": env!("CARGO_PKG_VERSION"),
                "description": summary(&rule.meta),
                "dockpolicy.dev/rule": names.id,
            },
        },
        "spec": {
            "crd": {"spec": {
                "names": {"kind": names.kind},
                "validation": {"openAPIV3Schema": schema},
            }},
            "targets": [target],
        },
    })
}

/// The description's "What it does" section, else the whole description.
fn summary(meta: &Annotations) -> String {
    let description = meta.description.clone().unwrap_or_default();
    description
        .split("## What it does")
        .nth(1)
        .and_then(|s| s.split("##").next())
        .unwrap_or(&description)
        .trim()
        .to_owned()
}

/// The Constraint: the rule's enforcement action, the kinds it matches and the parameters
/// the config sets.
fn constraint(rule: &RuleModule, names: &RuleNames, config: &Config) -> Value {
    let gatekeeper = &config.gatekeeper;
    let kinds: Vec<Value> = MATCH_KINDS
        .iter()
        .map(|(group, kinds)| json!({"apiGroups": [group], "kinds": kinds}))
        .collect();
    let mut matcher = json!({"kinds": kinds});
    if !gatekeeper.excluded_namespaces.is_empty() {
        matcher["excludedNamespaces"] = json!(gatekeeper.excluded_namespaces);
    }
    json!({
        "apiVersion": "constraints.gatekeeper.sh/v1beta1",
        "kind": names.kind,
        "metadata": {"name": format!("{}-{}", names.id.to_lowercase(), names.slug)},
        "spec": {
            "enforcementAction": enforcement_action(&rule.meta, names, config).as_str(),
            "match": matcher,
            "parameters": Value::Object(constraint_parameters(names, config)),
        },
    })
}

/// The rule's severity (the config's, else its own) chooses deny or warn; the config's
/// `gatekeeper.enforcement_action` is the strongest action allowed.
fn enforcement_action(
    meta: &Annotations,
    names: &RuleNames,
    config: &Config,
) -> crate::config::EnforcementAction {
    let severity = config
        .severity
        .iter()
        .find(|(k, _)| names.is(k))
        .map(|(_, s)| *s)
        .unwrap_or(meta.custom.declared_severity().unwrap_or(Severity::Deny));
    match severity {
        Severity::Deny => crate::config::EnforcementAction::Deny,
        Severity::Warn => crate::config::EnforcementAction::Warn,
    }
    .min(config.gatekeeper.enforcement_action)
}

/// The Constraint's parameters: the rule's exempt images and every setting the config
/// changes.
fn constraint_parameters(names: &RuleNames, config: &Config) -> serde_json::Map<String, Value> {
    let mut parameters = serde_json::Map::new();
    let exempt: Vec<&String> = config
        .exempt_images
        .iter()
        .filter(|(k, _)| names.is(k))
        .flat_map(|(_, v)| v)
        .collect();
    if !exempt.is_empty() {
        parameters.insert(EXEMPT_IMAGES.into(), json!(exempt));
    }
    // Settings left at their default are the template's default already.
    for setting in RULE_SETTINGS {
        let value = (setting.value)(config);
        if value != (setting.default)() {
            parameters.insert(parameter_name(setting.key), value);
        }
    }
    parameters
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
    fn prepare_moves_the_package_and_imports_the_future_keywords_for_v0() {
        let src = "# c: every word in a comment is ignored\npackage dockpolicy.x\n\nimport rego.v1\nimport future.keywords.every\n\ndeny contains 1 if true # in\n";
        let out = prepare(src, Some("lib.rules.dockpolicy.x"), RegoVersion::V0);
        assert!(
            out.contains(
                "package lib.rules.dockpolicy.x\n\nimport future.keywords.contains\nimport future.keywords.if\n\n\ndeny"
            ),
            "{out}"
        );
        let v1 = prepare(src, None, RegoVersion::V1);
        assert!(!v1.contains("import"), "{v1}");
        assert!(v1.starts_with("# c: every word in a comment is ignored\npackage dockpolicy.x\n"));
    }

    #[test]
    fn keywords_are_looked_for_outside_comments_only() {
        assert_eq!(
            keywords_used("x := \"#\" if y\nz := `a#` # every in\nevery_thing := 1"),
            BTreeSet::from(["if"])
        );
        assert_eq!(
            keywords_used("m := \"a \\\" # \" if { some v in y }"),
            BTreeSet::from(["if", "in"])
        );
        assert!(version_import("import rego.v1 # all of it"));
        assert!(version_import("  import future.keywords"));
        assert!(!version_import("import data.lib.x"));
    }

    /// Every setting the CLI's `lib.dockpolicy.config` reads from `data.dockpolicy_config`
    /// is a parameter, and every setting of the config file is a parameter or handled by
    /// the exporter itself: a new setting cannot be forgotten in the templates.
    #[test]
    fn every_setting_is_a_parameter() {
        let cli = include_str!("../../policies/lib/dockpolicy/config.rego");
        let mut read: BTreeSet<&str> = BTreeSet::new();
        for line in cli.lines() {
            if let Some((_, rest)) = line.split_once("data.dockpolicy_config.") {
                read.insert(
                    rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .next()
                        .unwrap(),
                );
            }
        }
        let keys: BTreeSet<&str> = RULE_SETTINGS.iter().map(|s| s.key).collect();
        let mut expected = read.clone();
        expected.remove("exempt_images");
        assert_eq!(keys, expected);
        let data = Config::default().to_data();
        let settings: BTreeSet<&str> = data
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let by_exporter =
            BTreeSet::from(["disabled_rules", "severity", "exempt_images", "gatekeeper"]);
        assert_eq!(settings, &keys | &by_exporter);
        // The template's module defines each with the config file's default.
        let module = config_module();
        let schema = parameter_schema();
        for s in RULE_SETTINGS {
            let name = parameter_name(s.key);
            let default_prefix = format!("default {} := ", s.key);
            let default = module
                .lines()
                .find_map(|line| line.strip_prefix(&default_prefix))
                .unwrap_or_else(|| panic!("no default for {}", s.key));
            assert_eq!(
                serde_json::from_str::<Value>(default).unwrap(),
                (s.default)()
            );
            assert!(module.contains(&format!("\n{} := input.parameters.{name}\n", s.key)));
            assert!(schema["properties"][&name]["type"].is_string(), "{name}");
        }
        assert_eq!(parameter_name("max_image_size"), "maxImageSize");
        assert_eq!(schema["properties"]["maxImageSize"]["default"], 1u64 << 30);
    }

    #[test]
    fn the_adapter_filters_by_operation() {
        let a = adapter("dockpolicyx", "lib.rules.dockpolicy.x", "warn", "DP0\"9");
        assert!(a.contains("not input.review.operation in {\"UPDATE\", \"DELETE\"}"));
        assert!(a.contains("rule.warn with input.review.object as input.review.oldObject"));
        assert!(a.contains("{\"rule\": \"DP0\\\"9\"}"), "{a}");
    }
}
