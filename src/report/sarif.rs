//! SARIF 2.1.0, for code-scanning UIs (GitHub, GitLab, Azure DevOps), as conftest writes
//! it: one compact JSON document (Go's escaping), a rule per namespace and kind of result
//! (`main/deny`, `main/warn`, `main/allow` for exceptions) made when a result first names
//! it, with the first result's metadata as its properties; one result per finding, and a
//! `success` (or `skip`) result for each file and namespace with neither failures nor
//! warnings. The invocation gives conftest's exit code and its description.
//!
//! A namespace whose METADATA declares a rule id (the bundled rules, and policies written
//! for dockpolicy) has a rule under that id instead, described from its METADATA (name,
//! full description, help, default level), as SARIF lets a rule be. What conftest's form
//! leaves out is added where SARIF has a place for it: regions for the lines dockpolicy
//! found itself, the end line of a multi-line instruction, suppressed findings with their
//! in-source suppression, files that could not be checked as tool execution
//! notifications, and which policy set ran in the invocation's properties.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{Finding, Report};
use crate::findings::{CheckResult, Severity};
use crate::policy::Namespace;

const SUCCESS: &str = "Policy was satisfied successfully";
const SKIPPED: &str = "Policy check was skipped";

/// A namespace's rule id from METADATA, when it declares one.
fn declared_id<'a>(namespace: &str, catalog: &'a BTreeMap<String, Namespace>) -> Option<&'a str> {
    catalog.get(namespace).and_then(Namespace::id)
}

/// conftest's short description of a rule, from the kind its id ends in.
fn kind_description(kind: &str) -> &'static str {
    match kind {
        "success" => SUCCESS,
        "skip" => SKIPPED,
        "allow" => "Policy exception",
        "warn" => "Policy warning",
        _ => "Policy violation",
    }
}

fn section(description: &str, heading: &str) -> Option<String> {
    let rest = description.split(heading).nth(1)?;
    Some(rest.split("\n## ").next().unwrap_or(rest).trim().to_owned())
}

pub fn render(report: &Report, catalog: &BTreeMap<String, Namespace>) -> String {
    let mut rules = Rules::default();
    let mut results = Vec::new();
    for r in &report.results {
        add_results(r, catalog, &mut rules, &mut results);
    }
    let doc = Sarif {
        version: "2.1.0",
        schema: "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    information_uri: "https://github.com/dockpolicy/dockpolicy",
                    name: "dockpolicy",
                    rules: rules.list,
                    version: env!("CARGO_PKG_VERSION"),
                },
            },
            invocations: [invocation(report)],
            results,
        }],
    };
    super::json::to_string_compact_go(&doc)
}

/// The run's invocation: conftest's exit code and its description, then what dockpolicy
/// adds (files not checked as notifications, the policy set as properties).
fn invocation(report: &Report) -> Value {
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| json!({"level": "error", "message": {"text": super::redact::redact_error(&e.message)}, "locations": [location(&e.filename, e.line, None)]}))
        .collect();
    let counts = report.counts();
    let (exit_code, exit_description) = if counts.errors > 0 {
        (super::exit::TOOL_ERROR, "Files could not be checked")
    } else if counts.failures > 0 {
        (super::exit::FAILURES, "Policy violations found")
    } else if counts.warnings > 0 {
        (super::exit::CLEAN, "Policy warnings found")
    } else {
        (super::exit::CLEAN, "No policy violations found")
    };
    let mut invocation = json!({
        "executionSuccessful": report.errors.is_empty(),
        "exitCode": exit_code,
        "exitCodeDescription": exit_description,
    });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }
    if let Some(properties) = run_properties(report) {
        invocation["properties"] = properties;
    }
    invocation
}

/// The rules named so far, in the order first named, and each one's index.
#[derive(Default)]
struct Rules {
    list: Vec<Value>,
    index: BTreeMap<String, usize>,
}

impl Rules {
    /// The index of the rule `id`, made by `make` when first named.
    fn index_of(&mut self, id: &str, make: impl FnOnce() -> Value) -> usize {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        self.list.push(make());
        self.index.insert(id.to_owned(), self.list.len() - 1);
        self.list.len() - 1
    }
}

/// The results of one file and namespace, in conftest's order: failures, warnings,
/// exceptions, then the file's success (or skip) when nothing failed or warned. Suppressed
/// findings come after the warnings.
fn add_results<'a>(
    r: &'a CheckResult,
    catalog: &BTreeMap<String, Namespace>,
    rules: &mut Rules,
    results: &mut Vec<SarifResult<'a>>,
) {
    let declared = declared_id(&r.namespace, catalog);
    for (findings, kind, level, suppressed) in [
        (&r.failures, "deny", "error", false),
        (&r.warnings, "warn", "warning", false),
        (&r.suppressed, "warn", "warning", true),
        (&r.exceptions, "allow", "note", false),
    ] {
        for f in findings {
            let (id, index) = match declared {
                // An exception is no finding of the rule: it keeps conftest's rule.
                Some(id) if kind != "allow" => {
                    let ns = catalog.get(&r.namespace);
                    (
                        id.to_owned(),
                        rules.index_of(id, || described_rule(&r.namespace, ns, &f.metadata)),
                    )
                }
                _ => {
                    let id = format!("{}/{kind}", r.namespace);
                    let index = rules.index_of(&id, || conftest_rule(&id, kind, &f.metadata));
                    (id, index)
                }
            };
            results.push(result(&r.filename, id, index, level, f, suppressed));
        }
    }
    if !r.failures.is_empty() || !r.warnings.is_empty() {
        return;
    }
    let (kind, text) = if r.successes > 0 || !r.exceptions.is_empty() {
        ("success", SUCCESS)
    } else {
        ("skip", SKIPPED)
    };
    let id = format!("{}/{kind}", r.namespace);
    let mut properties = Map::new();
    properties.insert("description".into(), Value::String(text.into()));
    let index = rules.index_of(&id, || conftest_rule(&id, kind, &properties));
    results.push(SarifResult {
        rule_id: id,
        rule_index: index,
        level: "none",
        message: Message { text: text.into() },
        locations: [location(&r.filename, None, None)],
        suppressions: None,
    });
}

/// conftest's rule: its id, the kind's description, and the first result's metadata.
fn conftest_rule(id: &str, kind: &str, metadata: &Map<String, Value>) -> Value {
    let mut rule = json!({
        "id": id,
        "shortDescription": {"text": kind_description(kind)},
    });
    if !metadata.is_empty() {
        rule["properties"] = sorted(metadata);
    }
    rule
}

/// A rule declared in METADATA, described from it; its properties are the first
/// result's metadata, as conftest's.
fn described_rule(name: &str, ns: Option<&Namespace>, metadata: &Map<String, Value>) -> Value {
    let meta = ns.and_then(|n| n.meta.as_ref());
    let id = ns.and_then(Namespace::id).unwrap_or(name);
    let title = meta
        .and_then(|m| m.title.clone())
        .unwrap_or_else(|| format!("Rules of package {name}"));
    let description = meta.and_then(|m| m.description.clone()).unwrap_or_default();
    let full = section(&description, "## What it does").unwrap_or_else(|| title.clone());
    let remediation = meta.and_then(|m| m.custom.remediation.clone());
    let severity = ns
        .and_then(|n| n.severity_override)
        .or_else(|| meta.and_then(|m| m.custom.declared_severity()))
        .unwrap_or(Severity::Deny);
    let help = match &remediation {
        Some(r) => format!("{r}\n\n{full}"),
        None => full.clone(),
    };
    let mut rule = json!({
        "id": id,
        "name": meta.and_then(|m| m.custom.slug.clone()).unwrap_or_else(|| name.to_owned()),
        "shortDescription": {"text": title},
        "fullDescription": {"text": full},
        "defaultConfiguration": {"level": if severity == Severity::Warn { "warning" } else { "error" }},
        "help": {"text": help, "markdown": description.trim()},
    });
    if description.trim().is_empty() {
        rule["help"] = json!({"text": help});
    }
    if !metadata.is_empty() {
        rule["properties"] = sorted(metadata);
    }
    rule
}

/// `metadata` with its keys sorted at every level, as Go writes a map.
fn sorted(metadata: &Map<String, Value>) -> Value {
    fn sort(value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(sorted_map(map)),
            Value::Array(items) => Value::Array(items.iter().map(sort).collect()),
            scalar => scalar.clone(),
        }
    }
    fn sorted_map(map: &Map<String, Value>) -> Map<String, Value> {
        let mut entries: Vec<(&String, &Value)> = map.iter().collect();
        entries.sort_unstable_by_key(|(k, _)| *k);
        entries
            .into_iter()
            .map(|(k, v)| (k.clone(), sort(v)))
            .collect()
    }
    Value::Object(sorted_map(metadata))
}

// The document is serialised from structs, in the key order of the SARIF examples: a
// serde_json::Value per result (one per finding, thousands on a large tree) would allocate
// every key of every result anew and make writing SARIF cost about half as much as
// checking the files.

#[derive(Serialize)]
struct Sarif<'a> {
    version: &'static str,
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool,
    invocations: [Value; 1],
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    information_uri: &'static str,
    name: &'static str,
    rules: Vec<Value>,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Message<'a>,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression; 1]>,
}

#[derive(Serialize)]
struct Message<'a> {
    text: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    end_line: usize,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    justification: &'static str,
}

/// SARIF wants URIs: forward slashes, no leading `./`, and every byte a path may not hold
/// %-encoded as conftest encodes it (Go's `url.URL.EscapedPath`: letters, digits and
/// `-_.~$&+,/:;=@` stay, a space is `%20`).
fn uri(filename: &str) -> String {
    let f = filename.replace('\\', "/");
    let path = f.strip_prefix("./").unwrap_or(&f);
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn location(file: &str, line: Option<usize>, end: Option<usize>) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri(file) },
            region: line.map(|line| Region {
                start_line: line,
                end_line: end.unwrap_or(line).max(line),
            }),
        },
    }
}

fn result<'a>(
    file: &str,
    id: String,
    index: usize,
    level: &'static str,
    f: &'a Finding,
    suppressed: bool,
) -> SarifResult<'a> {
    SarifResult {
        rule_id: id,
        rule_index: index,
        level,
        // Messages may quote input; JSON escapes their control characters.
        message: Message {
            text: super::redact::redact_message(&f.msg),
        },
        locations: [location(
            f.file.as_deref().unwrap_or(file),
            f.line,
            f.end_line,
        )],
        suppressions: suppressed.then_some([Suppression {
            kind: "inSource",
            justification: "# dockpolicy ignore= pragma",
        }]),
    }
}

/// Which policy set ran (bundled library, policy paths, config file, disabled rules),
/// for the invocation's property bag, where SARIF keeps tool-specific run metadata: a
/// code-scanning UI then shows that a pull request's config file switched rules off.
/// A run of conftest policies alone (no bundled library, no config file) has nothing to
/// tell there, and its document stays conftest's.
fn run_properties(report: &Report) -> Option<Value> {
    let info = report.run.as_ref()?;
    if !info.bundled && info.config.is_none() {
        return None;
    }
    let severity: serde_json::Map<String, Value> = info
        .severity
        .iter()
        .map(|(id, s)| (id.clone(), Value::String(s.name().to_owned())))
        .collect();
    Some(json!({"dockpolicy": {
        "bundledLibrary": info.bundled,
        "policyPaths": info.policy_paths,
        "policyFiles": info.policy_files,
        "configFile": info.config,
        "disabledRules": info.disabled,
        "severityOverrides": severity,
        "amendedBundledPackages": info.amended,
        "evaluatedPackages": info.namespaces,
    }}))
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_escaped_as_go_escapes_a_path() {
        assert_eq!(super::uri("./a b/ü?#%.yaml"), "a%20b/%C3%BC%3F%23%25.yaml");
        assert_eq!(
            super::uri("k8s/deploy-1_x~$&+,:;=@.yaml"),
            "k8s/deploy-1_x~$&+,:;=@.yaml"
        );
    }
}
