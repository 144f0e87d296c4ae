//! conftest's JSON output: an array of `{filename, namespace, successes, warnings,
//! failures, exceptions}` with results `{msg, metadata}`. We add `loc: {file, line}` to
//! results whose location is known, and an entry with an `error` object for each file that
//! could not be checked, so machine readers see errors too.

use serde_json::{Map, Value, json};

use super::{Finding, Report};

pub fn render(report: &Report) -> String {
    let mut entries: Vec<(String, Value)> = Vec::new();
    for r in &report.results {
        let mut obj = Map::new();
        obj.insert("filename".into(), json!(r.filename));
        obj.insert("namespace".into(), json!(r.namespace));
        obj.insert("successes".into(), json!(r.successes));
        for (key, list) in [
            ("warnings", &r.warnings),
            ("failures", &r.failures),
            ("exceptions", &r.exceptions),
        ] {
            if !list.is_empty() {
                obj.insert(
                    key.into(),
                    list.iter().map(|f| finding(&r.filename, f)).collect(),
                );
            }
        }
        entries.push((r.filename.clone(), Value::Object(obj)));
    }
    for e in &report.errors {
        let mut error = Map::new();
        error.insert("message".into(), json!(e.message));
        if let Some(line) = e.line {
            error.insert("line".into(), json!(line));
        }
        entries.push((
            e.filename.clone(),
            json!({"filename": e.filename, "namespace": "", "successes": 0, "error": error}),
        ));
    }
    // Stable sort: errors stay after a file's results.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let array = Value::Array(entries.into_iter().map(|(_, v)| v).collect());
    let mut text = serde_json::to_string_pretty(&array).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}

fn finding(filename: &str, f: &Finding) -> Value {
    let mut obj = Map::new();
    obj.insert("msg".into(), json!(f.msg));
    if !f.metadata.is_empty() {
        obj.insert("metadata".into(), Value::Object(f.metadata.clone()));
    }
    if let Some(line) = f.line {
        obj.insert("loc".into(), json!({"file": filename, "line": line}));
    }
    Value::Object(obj)
}
