//! One entry of a parsed Dockerfile, typed, and the JSON object policies know it as.
//!
//! The parser keeps instructions typed rather than building JSON objects: evaluation
//! turns them into regorus values directly (`policy::document`), which spares every
//! Dockerfile a JSON document that would only be converted and dropped (the two cost
//! ~20 µs of a corpus Dockerfile's ~240). `to_json` gives the same document for `parse`,
//! `--combine` and data files; a test holds the two conversions to the same value.

use serde_json::{Map, Value, json};

/// An instruction (or a `comment` entry) with the fields of conftest's document.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    /// Lower case (`run`), or `comment`.
    pub cmd: String,
    /// The wrapped instruction of an `ONBUILD`, as written.
    pub sub_cmd: String,
    /// Whether the arguments were in exec (JSON) form.
    pub json: bool,
    pub flags: Vec<String>,
    pub value: Vec<String>,
    pub stage: usize,
    /// The instruction's lines as written.
    pub original: String,
    pub start_line: usize,
    pub end_line: usize,
    /// Heredoc bodies of RUN/COPY/ADD; the document has no `Heredocs` key when empty.
    pub heredocs: Vec<Heredoc>,
    /// What a `FROM` adds; `None` for every other instruction.
    pub from: Option<Base>,
}

/// A heredoc body attached to RUN/COPY/ADD.
#[derive(Debug, Clone, PartialEq)]
pub struct Heredoc {
    pub name: String,
    pub content: String,
    pub expand: bool,
    pub chomp: bool,
}

/// A `FROM`'s base image with ARG defaults expanded, its stage name and the earlier stage
/// it builds on, if it names one.
#[derive(Debug, Clone, PartialEq)]
pub struct Base {
    pub image: String,
    /// False when a variable in the image had no value.
    pub image_resolved: bool,
    pub stage_name: Option<String>,
    pub base_stage: Option<usize>,
}

impl Instruction {
    /// The instruction's JSON object, keys in conftest's order.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("Cmd".into(), json!(self.cmd));
        obj.insert("SubCmd".into(), json!(self.sub_cmd));
        obj.insert("JSON".into(), json!(self.json));
        obj.insert("Flags".into(), json!(self.flags));
        obj.insert("Value".into(), json!(self.value));
        obj.insert("Stage".into(), json!(self.stage));
        obj.insert("Original".into(), json!(self.original));
        obj.insert("StartLine".into(), json!(self.start_line));
        obj.insert("EndLine".into(), json!(self.end_line));
        if !self.heredocs.is_empty() {
            let docs: Vec<Value> = self
                .heredocs
                .iter()
                .map(|h| json!({"Name": h.name, "Content": h.content, "Expand": h.expand, "Chomp": h.chomp}))
                .collect();
            obj.insert("Heredocs".into(), Value::Array(docs));
        }
        if let Some(from) = &self.from {
            obj.insert("Image".into(), json!(from.image));
            obj.insert("ImageResolved".into(), json!(from.image_resolved));
            obj.insert("StageName".into(), json!(from.stage_name));
            obj.insert("BaseStage".into(), json!(from.base_stage));
        }
        Value::Object(obj)
    }
}

/// A whole Dockerfile's document: the array of its instructions' objects.
pub fn to_json(instructions: &[Instruction]) -> Value {
    Value::Array(instructions.iter().map(Instruction::to_json).collect())
}
