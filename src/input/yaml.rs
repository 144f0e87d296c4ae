//! YAML files (multi-document), through `yaml_serde`, the maintained successor of the
//! deprecated `serde_yaml`. Its alias-expansion and recursion limits stop "billion laughs"
//! documents with an error.

use serde::Deserialize;
use serde_json::{Map, Number, Value};

use super::InputError;

/// Parses every document in the stream. Empty documents (`---` followed by nothing) are
/// dropped (manifests for Gatekeeper; policies' inputs come from `conftest_documents`).
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
        let json = to_json(value).map_err(|message| InputError::Yaml {
            line: None,
            message,
        })?;
        if !json.is_null() {
            docs.push(json);
        }
    }
    Ok(docs)
}

/// The documents of a YAML file as conftest reads them, for policies: the file is cut at
/// each `---` line between two line breaks, and each part is one document, an empty part
/// (an empty file, a trailing `---`) being `null`; a policy sees it and can fail on it.
/// (A `---` at the very start or end of the file, without a line break on both sides,
/// is part of its document; a file starting with a `%` directive keeps it with the first
/// document.)
pub fn conftest_documents(text: &str) -> Result<Vec<Value>, InputError> {
    let parts = conftest_parts(text);
    let mut docs = Vec::with_capacity(parts.len());
    for (first_line, part) in parts {
        let values = parse(part).map_err(|e| match e {
            InputError::Yaml { line, message } => InputError::Yaml {
                line: line.map(|l| l + first_line - 1),
                message,
            },
            other => other,
        })?;
        if values.is_empty() {
            docs.push(Value::Null);
        } else {
            docs.extend(values);
        }
    }
    Ok(docs)
}

/// The parts conftest cuts a YAML file into, each with its first line.
fn conftest_parts(text: &str) -> Vec<(usize, &str)> {
    let separator = if text.contains("\r\n") {
        "\r\n---\r\n"
    } else {
        "\n---\n"
    };
    let mut parts = Vec::new();
    let mut start = 0;
    while let Some(at) = text[start..].find(separator) {
        parts.push((start, start + at));
        start += at + separator.len();
    }
    parts.push((start, text.len()));
    if text.starts_with('%') && parts.len() > 1 {
        // The directive's own `---` does not end a document.
        let (first, _) = parts.remove(0);
        parts[0].0 = first;
    }
    let line_of = |byte: usize| 1 + text[..byte].bytes().filter(|&b| b == b'\n').count();
    parts
        .into_iter()
        .map(|(from, to)| (line_of(from), &text[from..to]))
        .collect()
}

/// YAML allows keys JSON does not. Scalars (numbers, booleans, null) become their text, so
/// no document is rejected for a key a policy would read as a string anyway; a mapping or
/// sequence as a key has no JSON form and is an error. (Rendering it as text was
/// exponential: each nesting level escaped the level below again. Found by fuzzing: a
/// 300-byte file needed 8 GB.)
fn to_json(value: yaml_serde::Value) -> Result<Value, String> {
    use yaml_serde::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => number(&n),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?)
        }
        Y::Mapping(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                out.insert(key_text(k)?, to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => to_json(tagged.value)?,
    })
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

fn key_text(key: yaml_serde::Value) -> Result<String, String> {
    match key {
        yaml_serde::Value::String(s) => Ok(s),
        yaml_serde::Value::Null => Ok("null".to_owned()),
        yaml_serde::Value::Bool(b) => Ok(b.to_string()),
        yaml_serde::Value::Number(n) => Ok(n.to_string()),
        yaml_serde::Value::Tagged(tagged) => key_text(tagged.value),
        yaml_serde::Value::Sequence(_) | yaml_serde::Value::Mapping(_) => {
            Err("a mapping or sequence used as a mapping key has no JSON form".to_owned())
        }
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
    fn empty_documents_are_null_where_conftest_cuts_the_file() {
        assert_eq!(conftest_documents("").unwrap(), vec![Value::Null]);
        assert_eq!(conftest_documents("---\n").unwrap(), vec![Value::Null]);
        assert_eq!(
            conftest_documents("kind: A\n---\n").unwrap(),
            vec![json!({"kind": "A"}), Value::Null]
        );
        assert_eq!(
            conftest_documents("a: 1\n---\n---\nb: 2\n").unwrap(),
            vec![json!({"a": 1}), json!({"b": 2})]
        );
        assert_eq!(
            conftest_documents("a: 1\n---").unwrap(),
            vec![json!({"a": 1})]
        );
        let err = conftest_documents("a: 1\n---\nb: [\n").unwrap_err();
        assert_eq!(err.line(), Some(4), "{err}");
    }

    #[test]
    fn non_string_keys_become_text() {
        let docs = parse("1: one\ntrue: yes\n").unwrap();
        assert_eq!(docs, vec![json!({"1": "one", "true": "yes"})]);
    }

    #[test]
    fn collection_keys_are_an_error_in_linear_time() {
        // Found by fuzzing: 40 nested mapping keys needed 8 GB when rendered as text.
        let text = format!("{}x{}: 1\n", "{".repeat(40), "}".repeat(40));
        let start = std::time::Instant::now();
        let err = parse(&text).unwrap_err();
        assert!(err.to_string().contains("used as a mapping key"), "{err}");
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
        assert!(parse("? [a, b]\n: 1\n").is_err());
    }

    #[test]
    fn errors_carry_the_line() {
        let err = parse("a: 1\nb: [\n").unwrap_err();
        assert!(err.line().is_some(), "{err}");
    }

    #[test]
    fn document_ranges_end_before_the_next_separator() {
        let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: nginx:1.27\n---\n# second\nkind: Pod\nspec:\n  containers:\n  - image: \"nginx:1.27\"\n    env:\n    - name: DB_PASSWORD\n      value: x\n";
        assert_eq!(document_ranges(text, 2), Some(vec![(1, 6), (7, 15)]));
    }
}
