// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! The Go value go-yaml v3 reads from the JSON text of a Rego value: what OPA's
//! `yaml.marshal` encodes.

use super::go_float::format_g;
use super::key_order::sort_naturally;
use crate::builtins::go_json::{key_text, to_go_json};
use crate::number::Number;
use crate::value::Value;

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// A value as go-yaml holds it after reading JSON.
pub enum Node {
    /// `null`, a boolean or a number: its text, always written plain.
    Plain(String),
    Str(String),
    Sequence(Vec<Node>),
    /// Entries in go-yaml's key order.
    Mapping(Vec<(String, Node)>),
}

const NEXT_LINE: char = '\u{85}';

/// The longest JSON text (quotes included) of a key go-yaml still takes as the key of a
/// flow mapping; past it the key goes stale and the `:` after it is a syntax error.
const LONGEST_FLOW_KEY: usize = 1024;

/// `value` as go-yaml reads its JSON, or go-yaml's error for that JSON.
pub fn read_back(value: &Value) -> Result<Node, String> {
    JsonReader {
        line: 0,
        mapping_lines: Vec::new(),
    }
    .node(value)
}

/// Reads a value in the order of its JSON text (keys sorted bytewise, as Go writes a map),
/// so that the first error found is the one go-yaml meets first.
struct JsonReader {
    /// Line breaks read so far: go-yaml takes a raw U+0085 for one, and its error messages
    /// name the line.
    line: usize,
    /// The line each enclosing object starts on.
    mapping_lines: Vec<usize>,
}

impl JsonReader {
    fn node(&mut self, value: &Value) -> Result<Node, String> {
        Ok(match value {
            Value::Null => Node::Plain("null".to_string()),
            Value::Bool(b) => Node::Plain(b.to_string()),
            Value::Number(n) => Node::Plain(number_text(n)),
            Value::String(s) => Node::Str(self.string(s)?),
            Value::Array(items) => Node::Sequence(self.items(items.iter())?),
            Value::Set(items) => Node::Sequence(self.items(items.iter())?),
            Value::Object(fields) => self.mapping(fields.iter())?,
            Value::Undefined => Node::Str("<undefined>".to_string()),
        })
    }

    fn items<'v>(&mut self, items: impl Iterator<Item = &'v Value>) -> Result<Vec<Node>, String> {
        items.map(|item| self.node(item)).collect()
    }

    fn mapping<'v>(
        &mut self,
        fields: impl Iterator<Item = (&'v Value, &'v Value)>,
    ) -> Result<Node, String> {
        let mut fields: Vec<(String, &Value)> =
            fields.map(|(key, value)| (key_text(key), value)).collect();
        fields.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        self.mapping_lines.push(self.line);
        let mut entries = Vec::with_capacity(fields.len());
        for (key, value) in fields {
            let first_line = self.line;
            let read_key = self.string(&key)?;
            let json_length = to_go_json(&Value::String(key.as_str().into()), None)
                .chars()
                .count();
            if self.line != first_line || json_length > LONGEST_FLOW_KEY {
                return Err(self.key_error());
            }
            entries.push((read_key, self.node(value)?));
        }
        self.mapping_lines.pop();
        sort_naturally(&mut entries);
        Ok(Node::Mapping(entries))
    }

    /// A key go-yaml cannot take as a key (over lines, or too long): its parser finds the
    /// `:` where it wants the next entry.
    fn key_error(&self) -> String {
        let line = match self.mapping_lines.last() {
            Some(&start) if start != 0 => start,
            _ => self.line,
        };
        format!("yaml: {}did not find expected ',' or '}}'", line_prefix(line))
    }

    /// The string go-yaml reads from `s`'s JSON: Go's JSON escapes every control
    /// character, but writes DEL, C1 controls and U+FFFE/U+FFFF raw, which the YAML reader
    /// refuses, and a raw NEL, which it reads as a line break and folds.
    fn string(&mut self, s: &str) -> Result<String, String> {
        let first_line = self.line;
        let chars: Vec<char> = s.chars().collect();
        let mut read = String::with_capacity(s.len());
        let mut index = 0;
        while index < chars.len() {
            let c = chars[index];
            if refused_by_yaml_reader(c) {
                return Err("yaml: control characters are not allowed".to_string());
            }
            if c != ' ' && c != NEXT_LINE {
                read.push(c);
                index += 1;
                continue;
            }
            let run_end = index
                + chars[index..]
                    .iter()
                    .take_while(|&&c| c == ' ' || c == NEXT_LINE)
                    .count();
            let run = &chars[index..run_end];
            let breaks = run.iter().filter(|&&c| c == NEXT_LINE).count();
            self.line += breaks;
            fold_blanks(run, breaks, &mut read);
            if run.last() == Some(&NEXT_LINE) && starts_document_marker(&chars[run_end..]) {
                let line = if first_line != 0 {
                    first_line + 1
                } else {
                    self.line + 1
                };
                return Err(format!(
                    "yaml: {}found unexpected document indicator",
                    line_prefix(line)
                ));
            }
            index = run_end;
        }
        Ok(read)
    }
}

fn line_prefix(line: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!("line {line}: ")
    }
}

/// Characters outside YAML's printable set that Go's JSON leaves unescaped.
fn refused_by_yaml_reader(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}')
}

/// A run of spaces and line breaks inside a double-quoted scalar: without a break it is
/// kept; with one, the spaces around the breaks go, a single break becomes a space and
/// each further break a newline.
fn fold_blanks(run: &[char], breaks: usize, read: &mut String) {
    match breaks {
        0 => read.extend(run.iter()),
        1 => read.push(' '),
        _ => (1..breaks).for_each(|_| read.push('\n')),
    }
}

/// `---` or `...` at a line's start and followed by a blank: a document marker, which
/// may not appear inside a quoted scalar. A tab or the closing quote after it would be
/// JSON's `\t` or `"`, neither blank.
fn starts_document_marker(rest: &[char]) -> bool {
    rest.len() > 3
        && (rest[..3] == ['-', '-', '-'] || rest[..3] == ['.', '.', '.'])
        && (rest[3] == ' ' || rest[3] == NEXT_LINE)
}

/// A number as go-yaml resolves its JSON text: an `int` or `uint64` with its digits, else
/// a `float64`.
fn number_text(n: &Number) -> String {
    if n.is_integer() {
        if let Some(i) = n.as_i64() {
            return i.to_string();
        }
        if let Some(u) = n.as_u64() {
            return u.to_string();
        }
    }
    let float = match n {
        Number::Float(f) => *f,
        // Parsing the digits rounds correctly, as Go's strconv does.
        other => other.format_decimal().parse().unwrap_or(f64::NAN),
    };
    format_g(float)
}
