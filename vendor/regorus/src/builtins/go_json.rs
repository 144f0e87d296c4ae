// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! JSON text as OPA's `json.marshal` writes it, which is Go's `encoding/json`: integers
//! with all their digits (serde_json without `arbitrary_precision` turns a big integer
//! into a float), `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c` etc., sets as
//! arrays, and an object's keys as strings (a key that is not a string as its JSON)
//! sorted bytewise, as Go sorts a map's keys.

use crate::number::Number;
use crate::value::Value;

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

/// How `json.marshal_with_options` lays out pretty output: each line begins with `prefix`,
/// then `indent` once per level.
pub struct Layout<'a> {
    pub prefix: &'a str,
    pub indent: &'a str,
}

/// `value` as Go's JSON, compact (`layout` `None`) or laid out.
pub fn to_go_json(value: &Value, layout: Option<&Layout>) -> String {
    let mut out = String::new();
    if let Some(layout) = layout {
        out.push_str(layout.prefix);
    }
    write_value(value, layout, 0, &mut out);
    out
}

fn write_value(value: &Value, layout: Option<&Layout>, depth: usize, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(n, out),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => write_items(items.iter(), layout, depth, out),
        Value::Set(items) => write_items(items.iter(), layout, depth, out),
        Value::Object(fields) => {
            let mut entries: Vec<(String, &Value)> = fields
                .iter()
                .map(|(key, value)| (key_text(key), value))
                .collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            write_container('{', '}', entries.len(), layout, depth, out, |index, out| {
                let (key, value) = &entries[index];
                write_string(key, out);
                out.push(':');
                if layout.is_some() {
                    out.push(' ');
                }
                write_value(value, layout, depth + 1, out);
            });
        }
        Value::Undefined => write_string("<undefined>", out),
    }
}

fn write_items<'v>(
    items: impl Iterator<Item = &'v Value>,
    layout: Option<&Layout>,
    depth: usize,
    out: &mut String,
) {
    let items: Vec<&Value> = items.collect();
    write_container('[', ']', items.len(), layout, depth, out, |index, out| {
        write_value(items[index], layout, depth + 1, out);
    });
}

/// `open`, the `count` elements `write_element` writes, `close`; laid out as Go's
/// `json.Indent` does (an empty container stays `[]`/`{}`).
fn write_container(
    open: char,
    close: char,
    count: usize,
    layout: Option<&Layout>,
    depth: usize,
    out: &mut String,
    mut write_element: impl FnMut(usize, &mut String),
) {
    out.push(open);
    for index in 0..count {
        if index > 0 {
            out.push(',');
        }
        new_line(layout, depth + 1, out);
        write_element(index, out);
    }
    if count > 0 {
        new_line(layout, depth, out);
    }
    out.push(close);
}

fn new_line(layout: Option<&Layout>, depth: usize, out: &mut String) {
    if let Some(layout) = layout {
        out.push('\n');
        out.push_str(layout.prefix);
        for _ in 0..depth {
            out.push_str(layout.indent);
        }
    }
}

/// An object key as Go's map key string: a string itself, anything else its JSON.
pub fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => s.to_string(),
        other => to_go_json(other, None),
    }
}

fn write_number(n: &Number, out: &mut String) {
    // 2^53: below it every integer is exact as an f64.
    const EXACT_BOUND: f64 = 9_007_199_254_740_992.0;
    match n {
        Number::Float(f) if n.is_integer() && f.abs() >= EXACT_BOUND => {
            // A result beyond an f64's exact integers: OPA computes it exactly and
            // writes every digit (`10 * 1e20` is `1000000000000000000000`).
            out.push_str(&n.format_decimal());
        }
        Number::Float(_) => {
            // A float regorus kept as one (it makes exact integral results integers)
            // came from a literal written with a fraction or an exponent; serde_json's
            // shortest float form keeps it a float, as OPA's text (`1e3`) is.
            match serde_json::to_string(n) {
                Ok(text) => out.push_str(&text),
                Err(_) => out.push_str(&n.format_decimal()),
            }
        }
        _ => out.push_str(&n.format_decimal()),
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
