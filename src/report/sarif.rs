//! SARIF 2.1.0, for code-scanning UIs (GitHub, GitLab, Azure DevOps).
//!
//! One `rule` per evaluated rule (namespace), described from its METADATA; one `result`
//! per finding with a `physicalLocation` (file, start and end line) so annotations land
//! on the right line. Suppressed findings are included with an in-source suppression, as
//! SARIF intends; files that could not be checked are tool execution notifications.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::{Finding, Report};
use crate::findings::Severity;
use crate::policy::Namespace;

fn rule_id(namespace: &str, ns: Option<&Namespace>) -> String {
    ns.and_then(Namespace::id)
        .map_or_else(|| namespace.to_owned(), str::to_owned)
}

fn section(description: &str, heading: &str) -> Option<String> {
    let rest = description.split(heading).nth(1)?;
    Some(rest.split("\n## ").next().unwrap_or(rest).trim().to_owned())
}

pub fn render(report: &Report, catalog: &BTreeMap<String, Namespace>) -> String {
    let namespaces = rule_namespaces(report, catalog);
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    for (i, name) in namespaces.iter().enumerate() {
        index.insert(name.as_str(), i);
        rules.push(rule(name, catalog.get(*name)));
    }
    let results = results(report, catalog, &index);
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| json!({"level": "error", "message": {"text": super::redact::redact_error(&e.message)}, "locations": [location(&e.filename, e.line, None)]}))
        .collect();
    let doc = Sarif {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: json!({"driver": {
                "name": "dockpolicy",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/dockpolicy/dockpolicy",
                "rules": rules,
            }}),
            invocations: with_run_properties(
                json!([{"executionSuccessful": report.errors.is_empty(), "toolExecutionNotifications": notifications}]),
                report,
            ),
            results,
        }],
    };
    let mut text = super::json::to_string_pretty_safe(&doc);
    text.push('\n');
    text
}

/// The namespaces that get a rule: every one in the catalog, then any other a result
/// names, in the order first named.
fn rule_namespaces<'a>(
    report: &'a Report,
    catalog: &'a BTreeMap<String, Namespace>,
) -> Vec<&'a String> {
    let mut namespaces: Vec<&String> = catalog.keys().collect();
    for r in &report.results {
        if !catalog.contains_key(&r.namespace) && !namespaces.contains(&&r.namespace) {
            namespaces.push(&r.namespace);
        }
    }
    namespaces
}

/// A namespace's rule descriptor, described from its METADATA when it has any.
fn rule(name: &str, ns: Option<&Namespace>) -> Value {
    let meta = ns.and_then(|n| n.meta.as_ref());
    let id = rule_id(name, ns);
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
        "help": {"text": help, "markdown": description.trim()},
        "defaultConfiguration": {"level": if severity == Severity::Warn { "warning" } else { "error" }},
        "properties": {"namespace": name},
    });
    if description.trim().is_empty() {
        rule["help"] = json!({"text": help});
    }
    rule
}

/// One result per finding, pointing at its rule by `index`.
fn results<'a>(
    report: &'a Report,
    catalog: &BTreeMap<String, Namespace>,
    index: &BTreeMap<&str, usize>,
) -> Vec<SarifResult<'a>> {
    let mut results = Vec::new();
    for r in &report.results {
        let i = index.get(r.namespace.as_str()).copied().unwrap_or(0);
        let id = rule_id(&r.namespace, catalog.get(&r.namespace));
        // A suppressed finding stays visible, at warning level, with its suppression.
        for (findings, level, suppressed) in [
            (&r.failures, "error", false),
            (&r.warnings, "warning", false),
            (&r.suppressed, "warning", true),
        ] {
            for f in findings {
                results.push(result(&r.filename, &id, i, level, f, suppressed));
            }
        }
    }
    results
}

// The document is serialised from structs, in the key order of the SARIF examples: a
// serde_json::Value per result (one per finding, thousands on a large tree) would allocate
// every key of every result anew and make writing SARIF cost about half as much as
// checking the files.

#[derive(Serialize)]
struct Sarif<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Value,
    invocations: Value,
    results: Vec<SarifResult<'a>>,
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

/// SARIF wants URIs: forward slashes, no leading `./`.
fn uri(filename: &str) -> String {
    let f = filename.replace('\\', "/");
    f.strip_prefix("./").unwrap_or(&f).to_owned()
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
    id: &str,
    index: usize,
    level: &'static str,
    f: &'a Finding,
    suppressed: bool,
) -> SarifResult<'a> {
    SarifResult {
        rule_id: id.to_owned(),
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

/// Adds which policy set ran (bundled library, policy paths, config file, disabled rules)
/// to the invocation's property bag, where SARIF keeps tool-specific run metadata: a
/// code-scanning UI then shows that a pull request's config file switched rules off.
fn with_run_properties(mut invocations: Value, report: &Report) -> Value {
    if let (Some(info), Some(invocation)) = (&report.run, invocations.get_mut(0)) {
        let severity: serde_json::Map<String, Value> = info
            .severity
            .iter()
            .map(|(id, s)| (id.clone(), Value::String(s.name().to_owned())))
            .collect();
        invocation["properties"] = json!({"dockpolicy": {
            "bundledLibrary": info.bundled,
            "policyPaths": info.policy_paths,
            "policyFiles": info.policy_files,
            "configFile": info.config,
            "disabledRules": info.disabled,
            "severityOverrides": severity,
            "amendedBundledPackages": info.amended,
            "evaluatedPackages": info.namespaces,
        }});
    }
    invocations
}
