//! YAML files (multi-document), through `yaml_serde`, the maintained successor of the
//! deprecated `serde_yaml`. Its alias-expansion and recursion limits stop "billion laughs"
//! documents with an error.

use serde::Deserialize;
use serde_json::{Map, Number, Value};

use super::InputError;

/// Parses every document in the stream. Empty documents (`---` followed by nothing) are
/// dropped, as conftest drops them.
pub fn parse(text: &str) -> Result<Vec<Value>, InputError> {
    let mut docs = Vec::new();
    for document in yaml_serde::Deserializer::from_str(text) {
        let mut value = yaml_serde::Value::deserialize(document).map_err(|e| InputError::Yaml {
            line: e.location().map(|l| l.line()),
            message: e.to_string(),
        })?;
        value.apply_merge().map_err(|e| InputError::Yaml {
            line: None,
            message: e.to_string(),
        })?;
        let json = to_json(value);
        if !json.is_null() {
            docs.push(json);
        }
    }
    Ok(docs)
}

/// YAML allows keys JSON does not (numbers, booleans, even maps); they become their text,
/// so no document is rejected for a key that a policy would read as a string anyway.
fn to_json(value: yaml_serde::Value) -> Value {
    use yaml_serde::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => number(&n),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Y::Mapping(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                out.insert(key_text(k), to_json(v));
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => to_json(tagged.value),
    }
}

fn number(n: &yaml_serde::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::from(i)
    } else if let Some(u) = n.as_u64() {
        Value::from(u)
    } else {
        n.as_f64()
            .and_then(Number::from_f64)
            .map_or_else(|| Value::String(n.to_string()), Value::Number)
    }
}

fn key_text(key: yaml_serde::Value) -> String {
    match key {
        yaml_serde::Value::String(s) => s,
        yaml_serde::Value::Null => "null".to_owned(),
        yaml_serde::Value::Bool(b) => b.to_string(),
        yaml_serde::Value::Number(n) => n.to_string(),
        other => to_json(other).to_string(),
    }
}

/// The line range of each document in a YAML stream, aligned with the parsed documents
/// when possible: documents are separated by `---` lines, and parts with no content are
/// dropped as the parser drops empty documents. `None` when they do not line up.
pub fn document_ranges(text: &str, documents: usize) -> Option<Vec<(usize, usize)>> {
    let mut ranges = Vec::new();
    let mut start = 1;
    let mut has_content = false;
    let mut last = 0;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        last = n;
        if line.starts_with("---") {
            if has_content {
                ranges.push((start, n - 1));
            }
            start = n;
            has_content = false;
            continue;
        }
        let t = line.trim();
        if !t.is_empty() && !t.starts_with('#') && t != "..." {
            has_content = true;
        }
    }
    if has_content {
        ranges.push((start, last));
    }
    (ranges.len() == documents).then_some(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn multi_document_streams_drop_empty_documents() {
        let docs = parse("a: 1\n---\n---\nb: [x, 2]\n").unwrap();
        assert_eq!(docs, vec![json!({"a": 1}), json!({"b": ["x", 2]})]);
    }

    #[test]
    fn non_string_keys_become_text() {
        let docs = parse("1: one\ntrue: yes\n").unwrap();
        assert_eq!(docs, vec![json!({"1": "one", "true": "yes"})]);
    }

    #[test]
    fn errors_carry_the_line() {
        let err = parse("a: 1\nb: [\n").unwrap_err();
        assert!(err.line().is_some(), "{err}");
    }
}
