//! SARIF 2.1.0, for code-scanning UIs (GitHub, GitLab, Azure DevOps).
//!
//! One `rule` per evaluated rule (namespace), described from its METADATA; one `result`
//! per finding with a `physicalLocation` (file, start and end line) so annotations land
//! on the right line. Suppressed findings are included with an in-source suppression, as
//! SARIF intends; files that could not be checked are tool execution notifications.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Finding, Report};
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
    let mut namespaces: Vec<&String> = catalog.keys().collect();
    for r in &report.results {
        if !catalog.contains_key(&r.namespace) && !namespaces.contains(&&r.namespace) {
            namespaces.push(&r.namespace);
        }
    }
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    for (i, name) in namespaces.iter().enumerate() {
        let ns = catalog.get(*name);
        let meta = ns.and_then(|n| n.meta.as_ref());
        let id = rule_id(name, ns);
        let title = meta
            .and_then(|m| m.title.clone())
            .unwrap_or_else(|| format!("Rules of package {name}"));
        let description = meta.and_then(|m| m.description.clone()).unwrap_or_default();
        let full = section(&description, "## What it does").unwrap_or_else(|| title.clone());
        let remediation = meta.and_then(|m| m.custom.remediation.clone());
        let severity = ns
            .and_then(|n| {
                n.severity_override.map(|k| {
                    if k == crate::policy::RuleKind::Failure {
                        "deny"
                    } else {
                        "warn"
                    }
                })
            })
            .or_else(|| meta.and_then(|m| m.custom.severity.as_deref()))
            .unwrap_or("deny");
        let help = match &remediation {
            Some(r) => format!("{r}\n\n{full}"),
            None => full.clone(),
        };
        let mut rule = json!({
            "id": id,
            "name": meta.and_then(|m| m.custom.slug.clone()).unwrap_or_else(|| (*name).clone()),
            "shortDescription": {"text": title},
            "fullDescription": {"text": full},
            "help": {"text": help, "markdown": description.trim()},
            "defaultConfiguration": {"level": if severity == "warn" { "warning" } else { "error" }},
            "properties": {"namespace": name},
        });
        if description.trim().is_empty() {
            rule["help"] = json!({"text": help});
        }
        index.insert(name.as_str(), i);
        rules.push(rule);
    }
    let mut results = Vec::new();
    for r in &report.results {
        let i = index.get(r.namespace.as_str()).copied().unwrap_or(0);
        let id = rule_id(&r.namespace, catalog.get(&r.namespace));
        for (findings, level, suppressed) in [
            (&r.failures, "error", false),
            (&r.warnings, "warning", false),
            (&r.suppressed, "note", true),
        ] {
            for f in findings {
                results.push(result(&r.filename, &id, i, level, f, suppressed));
            }
        }
    }
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            let mut n = json!({"level": "error", "message": {"text": e.message}, "locations": [location(&e.filename, e.line, None)]});
            if e.line.is_none() {
                n["locations"] = json!([{"physicalLocation": {"artifactLocation": {"uri": uri(&e.filename)}}}]);
            }
            n
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dockpolicy",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/dockpolicy/dockpolicy",
                "rules": rules,
            }},
            "invocations": [{"executionSuccessful": report.errors.is_empty(), "toolExecutionNotifications": notifications}],
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// SARIF wants URIs: forward slashes, no leading `./`.
fn uri(filename: &str) -> String {
    let f = filename.replace('\\', "/");
    f.strip_prefix("./").unwrap_or(&f).to_owned()
}

fn location(file: &str, line: Option<usize>, end: Option<usize>) -> Value {
    let mut physical = json!({"artifactLocation": {"uri": uri(file)}});
    if let Some(line) = line {
        physical["region"] = json!({"startLine": line, "endLine": end.unwrap_or(line).max(line)});
    }
    json!({"physicalLocation": physical})
}

fn result(file: &str, id: &str, index: usize, level: &str, f: &Finding, suppressed: bool) -> Value {
    let mut r = json!({
        "ruleId": id,
        "ruleIndex": index,
        "level": level,
        "message": {"text": f.msg},
        "locations": [location(f.file.as_deref().unwrap_or(file), f.line, f.end_line)],
    });
    if suppressed {
        r["level"] = json!("warning");
        r["suppressions"] =
            json!([{"kind": "inSource", "justification": "# dockpolicy ignore= pragma"}]);
    }
    r
}
