//! Input documents (`serde_json::Value`) as regorus values, once per input.
//!
//! regorus converts a `serde_json::Value` by running it through serde's deserializer, which
//! needs an owned copy and allocates every object key anew: 20 µs of a corpus Dockerfile's
//! ~330 µs evaluation. Walking the borrowed document directly, with each distinct key
//! allocated once per document (every instruction repeats `Cmd`, `Value`, `Flags`, ...),
//! gives the same value for less than half of that. The result is the same value regorus's
//! own conversion makes (see the tests).

use std::collections::{BTreeMap, HashMap};

use regorus::Value;
use serde_json::Value as Json;

/// `document` as a regorus value, equal to `regorus::Value::from(document.clone())`.
pub fn to_regorus(document: &Json) -> Value {
    let mut keys = HashMap::new();
    convert(document, &mut keys)
}

fn convert<'a>(value: &'a Json, keys: &mut HashMap<&'a str, Value>) -> Value {
    match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        // The order regorus's deserializer sees them in: positive integers as u64,
        // negative ones as i64, the rest as f64 (serde_json holds no NaN or infinity).
        Json::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Value::from(u),
            (None, Some(i), _) => Value::from(i),
            (None, None, Some(f)) => Value::from(f),
            (None, None, None) => Value::Undefined,
        },
        Json::String(s) => Value::String(s.as_str().into()),
        Json::Array(items) => Value::from(
            items
                .iter()
                .map(|item| convert(item, keys))
                .collect::<Vec<_>>(),
        ),
        Json::Object(map) if map.is_empty() => Value::new_object(),
        Json::Object(map) => {
            let mut object = BTreeMap::new();
            for (key, item) in map {
                let key = keys
                    .entry(key.as_str())
                    .or_insert_with(|| Value::String(key.as_str().into()))
                    .clone();
                object.insert(key, convert(item, keys));
            }
            Value::from(object)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn same_as_regorus(document: Json) {
        assert_eq!(
            to_regorus(&document),
            Value::from(document.clone()),
            "{document}"
        );
    }

    #[test]
    fn scalars_and_numbers_convert_as_regorus_converts_them() {
        for document in [
            json!(null),
            json!(true),
            json!(0),
            json!(-1),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1.5),
            json!(-0.0),
            json!(1e300),
            json!(""),
            json!("ünïcode ✓"),
        ] {
            same_as_regorus(document);
        }
    }

    #[test]
    fn nested_documents_convert_as_regorus_converts_them() {
        same_as_regorus(json!({}));
        same_as_regorus(json!([]));
        same_as_regorus(json!([{}, [], {"a": []}]));
        same_as_regorus(json!([
            {"Cmd": "from", "Value": ["alpine:3.20"], "Flags": [], "Stage": 0, "BaseStage": null},
            {"Cmd": "run", "Value": ["echo hi"], "Flags": ["--mount=type=cache,target=/x"], "Stage": 0},
        ]));
        same_as_regorus(json!({"b": 1, "a": {"z": [1, 2.5, "x"], "": null}}));
    }

    #[test]
    fn every_fixture_document_converts_as_regorus_converts_it() {
        fn walk(dir: &std::path::Path, seen: &mut usize) {
            for entry in std::fs::read_dir(dir).expect("fixture dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    walk(&path, seen);
                    continue;
                }
                let Some(format) = crate::input::Format::detect(&path) else {
                    continue;
                };
                let bytes = std::fs::read(&path).expect("fixture");
                let options = crate::input::dockerfile::Options::default();
                let Ok(parsed) = crate::input::text_of(&bytes, format)
                    .and_then(|text| crate::input::parse(text, format, &options))
                else {
                    continue;
                };
                for document in &parsed.documents {
                    same_as_regorus(document.clone());
                    *seen += 1;
                }
            }
        }
        let mut seen = 0;
        walk(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")),
            &mut seen,
        );
        assert!(seen > 50, "only {seen} fixture documents");
    }
}
