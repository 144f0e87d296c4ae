//! One entry of a parsed Dockerfile, typed, and the JSON object policies know it as.
//!
//! The parser keeps instructions typed rather than building JSON objects: evaluation
//! turns them into regorus values directly (`policy::document`), which spares every
//! Dockerfile a JSON document that would only be converted and dropped (a tenth of its
//! evaluation). `to_json` gives the same document for `parse`,
//! `--combine` and data files; a test holds the two conversions to the same value.

use serde_json::{Map, Value, json};

use super::expand::Expanded;
use crate::input::image_reference::ImageReference;

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
    /// ENV, LABEL, ARG (and their ONBUILD forms): each pair's value expanded in the
    /// instruction's scope, in `pairs()` order; `None` for an ARG without a value.
    pub expanded: Vec<Option<Expanded>>,
    /// USER: its value expanded in the stage's scope.
    pub user: Option<Expanded>,
    /// The images a COPY/ADD `--from` or a RUN `--mount=...,from=` pulls (stages named
    /// there are not images); the document has no `Images` key when empty.
    pub images: Vec<PulledImage>,
}

/// An image a build pulls outside FROM, named by one of an instruction's flags.
#[derive(Debug, Clone, PartialEq)]
pub struct PulledImage {
    /// The reference with its variables expanded.
    pub image: String,
    /// False when a variable in it had an unknown value.
    pub image_resolved: bool,
    /// The flag as the instruction has it (`--from=composer:2`).
    pub flag: String,
}

impl PulledImage {
    pub fn reference(&self) -> ImageReference {
        ImageReference::parse(&self.image)
    }
}

/// One entry of `Pairs`: key, value as written (quotes removed), value expanded.
pub struct Pair<'a> {
    pub key: &'a str,
    pub value: Option<&'a str>,
    pub expanded: Option<&'a Expanded>,
}

/// A heredoc body attached to RUN/COPY/ADD.
#[derive(Debug, Clone, PartialEq)]
pub struct Heredoc {
    pub name: String,
    pub content: String,
    pub expand: bool,
    pub chomp: bool,
    /// The body's lines in the file, 1-based, through the line that closes it: text, not
    /// Dockerfile (a `# dockpolicy ignore=` there is no pragma).
    pub lines: std::ops::RangeInclusive<usize>,
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
        if let Some(pairs) = self.pair_entries() {
            let pairs: Vec<Value> = pairs
                .into_iter()
                .map(|p| {
                    json!({
                        "key": p.key,
                        "value": p.value,
                        "expanded": p.expanded.map(|e| &e.value),
                        "resolved": p.expanded.is_some_and(|e| e.resolved),
                    })
                })
                .collect();
            obj.insert("Pairs".into(), Value::Array(pairs));
        }
        if let Some(user) = &self.user {
            obj.insert(
                "User".into(),
                json!({"value": user.value, "resolved": user.resolved}),
            );
        }
        if !self.images.is_empty() {
            let images: Vec<Value> = self
                .images
                .iter()
                .map(|p| {
                    json!({
                        "Image": p.image,
                        "ImageResolved": p.image_resolved,
                        "ImageRef": p.reference().to_json(),
                        "Flag": p.flag,
                    })
                })
                .collect();
            obj.insert("Images".into(), Value::Array(images));
        }
        if let Some(from) = &self.from {
            obj.insert("Image".into(), json!(from.image));
            obj.insert(
                "ImageRef".into(),
                from.reference().map_or(Value::Null, |r| r.to_json()),
            );
            obj.insert("ImageResolved".into(), json!(from.image_resolved));
            obj.insert("StageName".into(), json!(from.stage_name));
            obj.insert("BaseStage".into(), json!(from.base_stage));
        }
        Value::Object(obj)
    }

    /// The instruction whose pairs this one holds: its own name, or an ONBUILD's trigger.
    /// (`SubCmd` is as written, `Cmd` lower case.)
    pub fn pairs_kind(&self) -> &str {
        if self.cmd == "onbuild" {
            &self.sub_cmd
        } else {
            &self.cmd
        }
    }

    /// `Pairs`: [`Instruction::pairs`] with each value expanded in the instruction's scope.
    pub fn pair_entries(&self) -> Option<Vec<Pair<'_>>> {
        let pairs = self.pairs()?;
        Some(
            pairs
                .into_iter()
                .enumerate()
                .map(|(n, (key, value))| Pair {
                    key,
                    value,
                    expanded: self.expanded.get(n).and_then(Option::as_ref),
                })
                .collect(),
        )
    }

    /// The key/value pairs of an ENV, LABEL or ARG (or an ONBUILD of one): `(key, value)`
    /// with one pair of surrounding quotes removed from each, as
    /// `lib.dockpolicy.dockerfile.pairs` and `arg_pairs` compute them. ENV and LABEL hold
    /// `Value` triples `[key, value, separator]`; an ARG word is `NAME` (value `None`, no
    /// default) or `NAME=value`. `None` for other instructions.
    pub fn pairs(&self) -> Option<Vec<(&str, Option<&str>)>> {
        let kind = self.pairs_kind();
        if kind.eq_ignore_ascii_case("env") || kind.eq_ignore_ascii_case("label") {
            Some(
                self.value
                    .chunks(3)
                    .filter(|triple| triple.len() > 1)
                    .map(|triple| (unquote(&triple[0]), Some(unquote(&triple[1]))))
                    .collect(),
            )
        } else if kind.eq_ignore_ascii_case("arg") {
            Some(
                self.value
                    .iter()
                    .map(|word| match word.split_once('=') {
                        Some((key, value)) => (key, Some(unquote(value))),
                        None => (word.as_str(), None),
                    })
                    .collect(),
            )
        } else {
            None
        }
    }
}

impl Base {
    /// `ImageRef`: the image parsed as a reference, `None` when the FROM names an earlier
    /// stage (which is no image reference).
    pub fn reference(&self) -> Option<ImageReference> {
        self.base_stage
            .is_none()
            .then(|| ImageReference::parse(&self.image))
    }
}

/// `s` without one pair of surrounding quotes (`"a b"` → `a b`), as written otherwise.
pub(super) fn unquote(s: &str) -> &str {
    let bytes = s.as_bytes();
    match bytes {
        [first @ (b'"' | b'\''), .., last] if first == last => &s[1..s.len() - 1],
        _ => s,
    }
}

/// A whole Dockerfile's document: the array of its instructions' objects.
pub fn to_json(instructions: &[Instruction]) -> Value {
    Value::Array(instructions.iter().map(Instruction::to_json).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instruction(cmd: &str, value: &[&str]) -> Instruction {
        Instruction {
            cmd: cmd.into(),
            sub_cmd: String::new(),
            json: false,
            flags: vec![],
            value: value.iter().map(|v| v.to_string()).collect(),
            stage: 0,
            original: String::new(),
            start_line: 1,
            end_line: 1,
            heredocs: vec![],
            from: None,
            expanded: vec![],
            user: None,
            images: vec![],
        }
    }

    #[test]
    fn env_and_label_pairs_come_from_value_triples_with_quotes_removed() {
        let env = instruction("env", &["A", "\"x y\"", "=", "B", "'1'", "=", "C"]);
        assert_eq!(
            env.pairs(),
            Some(vec![("A", Some("x y")), ("B", Some("1"))])
        );
        let label = instruction("label", &["\"org.a\"", "\"", "="]);
        assert_eq!(label.pairs(), Some(vec![("org.a", Some("\""))]));
        // Mismatched quotes stay as written.
        let env = instruction("env", &["K", "\"v'", " "]);
        assert_eq!(env.pairs(), Some(vec![("K", Some("\"v'"))]));
    }

    #[test]
    fn arg_pairs_split_at_the_first_equals_sign() {
        let arg = instruction("arg", &["N", "M=\"a=b\"", "=x"]);
        assert_eq!(
            arg.pairs(),
            Some(vec![("N", None), ("M", Some("a=b")), ("", Some("x"))])
        );
        assert_eq!(instruction("run", &["echo"]).pairs(), None);
        let json = arg.to_json();
        assert_eq!(
            json["Pairs"][0],
            json!({"key": "N", "value": null, "expanded": null, "resolved": false})
        );
    }

    #[test]
    fn a_from_naming_an_earlier_stage_has_no_image_reference() {
        let mut from = instruction("from", &["build"]);
        from.from = Some(Base {
            image: "build".into(),
            image_resolved: true,
            stage_name: None,
            base_stage: Some(0),
        });
        assert_eq!(from.to_json()["ImageRef"], Value::Null);
        from.from.as_mut().unwrap().base_stage = None;
        assert_eq!(from.to_json()["ImageRef"]["repository"], "library/build");
    }
}
