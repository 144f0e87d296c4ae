//! Input documents as regorus values, once per input.
//!
//! regorus converts a `serde_json::Value` by running it through serde's deserializer, which
//! needs an owned copy and allocates every object key anew, a noticeable share of a small
//! input's evaluation. Walking the borrowed document directly, with each distinct key
//! allocated once per document (every instruction repeats `Cmd`, `Value`, `Flags`, ...),
//! gives the same value with a fraction of the allocations. A Dockerfile skips JSON altogether:
//! its typed instructions become regorus values directly, with keys made once per file.
//! Either way the result is the same value regorus's own conversion makes of the
//! document's JSON (see the tests).

use std::collections::{BTreeMap, HashMap};

use regorus::Value;
use serde_json::Value as Json;

use crate::input::Document;
use crate::input::dockerfile::{Base, Expanded, Heredoc, Instruction, Pair, PulledImage};
use crate::input::image_reference::ImageReference;

/// `document` as a regorus value, equal to `regorus::Value::from(document.to_json())`.
pub fn to_regorus(document: &Document) -> Value {
    match document {
        Document::Json(json) => json_to_regorus(json),
        Document::Dockerfile(instructions) => dockerfile_to_regorus(instructions),
    }
}

/// `document` as a regorus value, equal to `regorus::Value::from(document.clone())`.
fn json_to_regorus(document: &Json) -> Value {
    let mut keys = HashMap::new();
    convert(document, &mut keys)
}

/// The keys of an instruction's object, each allocated once per Dockerfile.
struct InstructionKeys {
    cmd: Value,
    sub_cmd: Value,
    json: Value,
    flags: Value,
    value: Value,
    stage: Value,
    original: Value,
    start_line: Value,
    end_line: Value,
    heredocs: Value,
    image: Value,
    image_resolved: Value,
    stage_name: Value,
    base_stage: Value,
    name: Value,
    content: Value,
    expand: Value,
    chomp: Value,
    pairs: Value,
    key: Value,
    value_key: Value,
    image_ref: Value,
    registry: Value,
    host: Value,
    repository: Value,
    tag: Value,
    digest: Value,
    expanded: Value,
    resolved: Value,
    user: Value,
    images: Value,
    flag: Value,
}

impl InstructionKeys {
    fn new() -> Self {
        let key = |k: &str| Value::String(k.into());
        InstructionKeys {
            cmd: key("Cmd"),
            sub_cmd: key("SubCmd"),
            json: key("JSON"),
            flags: key("Flags"),
            value: key("Value"),
            stage: key("Stage"),
            original: key("Original"),
            start_line: key("StartLine"),
            end_line: key("EndLine"),
            heredocs: key("Heredocs"),
            image: key("Image"),
            image_resolved: key("ImageResolved"),
            stage_name: key("StageName"),
            base_stage: key("BaseStage"),
            name: key("Name"),
            content: key("Content"),
            expand: key("Expand"),
            chomp: key("Chomp"),
            pairs: key("Pairs"),
            key: key("key"),
            value_key: key("value"),
            image_ref: key("ImageRef"),
            registry: key("registry"),
            host: key("host"),
            repository: key("repository"),
            tag: key("tag"),
            digest: key("digest"),
            expanded: key("expanded"),
            resolved: key("resolved"),
            user: key("User"),
            images: key("Images"),
            flag: key("Flag"),
        }
    }
}

/// A Dockerfile's instructions as the array `dockerfile::to_json` describes.
fn dockerfile_to_regorus(instructions: &[Instruction]) -> Value {
    let keys = InstructionKeys::new();
    let items = instructions
        .iter()
        .map(|i| keys.instruction(i))
        .collect::<Vec<_>>();
    Value::from(items)
}

fn string(s: &str) -> Value {
    Value::String(s.into())
}

fn strings(list: &[String]) -> Value {
    Value::from(list.iter().map(|s| string(s)).collect::<Vec<_>>())
}

/// Line numbers and the stage are positive integers, which JSON conversion makes u64.
fn number(n: usize) -> Value {
    Value::from(n as u64)
}

impl InstructionKeys {
    /// One instruction's object.
    fn instruction(&self, i: &Instruction) -> Value {
        // Pushed in key order (byte order: `BaseStage` < `Cmd` < ... < `Value`), so the
        // map is built in one pass: `from_iter` finds the keys already sorted, where an
        // insert per key would compare each with the keys before it.
        let mut fields = Vec::with_capacity(16);
        if let Some(from) = &i.from {
            fields.push((
                self.base_stage.clone(),
                from.base_stage.map_or(Value::Null, number),
            ));
        }
        fields.push((self.cmd.clone(), string(&i.cmd)));
        fields.push((self.end_line.clone(), number(i.end_line)));
        fields.push((self.flags.clone(), strings(&i.flags)));
        if !i.heredocs.is_empty() {
            fields.push((self.heredocs.clone(), self.heredoc_list(&i.heredocs)));
        }
        if let Some(from) = &i.from {
            fields.push((self.image.clone(), string(&from.image)));
            fields.push((self.image_ref.clone(), self.image_reference(from)));
            fields.push((
                self.image_resolved.clone(),
                Value::Bool(from.image_resolved),
            ));
        }
        if !i.images.is_empty() {
            fields.push((self.images.clone(), self.pulled_images(&i.images)));
        }
        fields.push((self.json.clone(), Value::Bool(i.json)));
        fields.push((self.original.clone(), string(&i.original)));
        if let Some(pairs) = i.pair_entries() {
            fields.push((self.pairs.clone(), self.pair_list(pairs)));
        }
        fields.push((self.stage.clone(), number(i.stage)));
        if let Some(from) = &i.from {
            let stage_name = from.stage_name.as_deref().map_or(Value::Null, string);
            fields.push((self.stage_name.clone(), stage_name));
        }
        fields.push((self.start_line.clone(), number(i.start_line)));
        fields.push((self.sub_cmd.clone(), string(&i.sub_cmd)));
        if let Some(user) = &i.user {
            fields.push((self.user.clone(), self.expanded_value(user)));
        }
        fields.push((self.value.clone(), strings(&i.value)));
        let object: BTreeMap<Value, Value> = fields.into_iter().collect();
        Value::from(object)
    }

    fn heredoc_list(&self, heredocs: &[Heredoc]) -> Value {
        let heredocs = heredocs.iter().map(|h| {
            Value::from(BTreeMap::from([
                (self.chomp.clone(), Value::Bool(h.chomp)),
                (self.content.clone(), string(&h.content)),
                (self.expand.clone(), Value::Bool(h.expand)),
                (self.name.clone(), string(&h.name)),
            ]))
        });
        Value::from(heredocs.collect::<Vec<_>>())
    }

    /// A `FROM` image's reference, or null when it is not one.
    fn image_reference(&self, from: &Base) -> Value {
        from.reference()
            .map_or(Value::Null, |r| self.reference_object(&r))
    }

    fn reference_object(&self, r: &ImageReference) -> Value {
        Value::from(BTreeMap::from([
            (self.digest.clone(), string(&r.digest)),
            (self.host.clone(), string(&r.host)),
            (self.registry.clone(), string(&r.registry)),
            (self.repository.clone(), string(&r.repository)),
            (self.tag.clone(), string(&r.tag)),
        ]))
    }

    fn pulled_images(&self, images: &[PulledImage]) -> Value {
        let images = images.iter().map(|p| {
            Value::from(BTreeMap::from([
                (self.flag.clone(), string(&p.flag)),
                (self.image.clone(), string(&p.image)),
                (
                    self.image_ref.clone(),
                    self.reference_object(&p.reference()),
                ),
                (self.image_resolved.clone(), Value::Bool(p.image_resolved)),
            ]))
        });
        Value::from(images.collect::<Vec<_>>())
    }

    /// USER's `{"value", "resolved"}`.
    fn expanded_value(&self, e: &Expanded) -> Value {
        Value::from(BTreeMap::from([
            (self.resolved.clone(), Value::Bool(e.resolved)),
            (self.value_key.clone(), string(&e.value)),
        ]))
    }

    fn pair_list(&self, pairs: Vec<Pair<'_>>) -> Value {
        let pairs = pairs.into_iter().map(|p| {
            Value::from(BTreeMap::from([
                (
                    self.expanded.clone(),
                    p.expanded.map_or(Value::Null, |e| string(&e.value)),
                ),
                (self.key.clone(), string(p.key)),
                (
                    self.resolved.clone(),
                    Value::Bool(p.expanded.is_some_and(|e| e.resolved)),
                ),
                (self.value_key.clone(), p.value.map_or(Value::Null, string)),
            ]))
        });
        Value::from(pairs.collect::<Vec<_>>())
    }
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
            json_to_regorus(&document),
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
                    let json = document.to_json();
                    assert_eq!(
                        to_regorus(document),
                        Value::from(json.clone()),
                        "{}",
                        path.display()
                    );
                    same_as_regorus(json);
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
