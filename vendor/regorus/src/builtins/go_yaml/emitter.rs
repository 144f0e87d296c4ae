// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! go-yaml's emitter for one document of block collections, as OPA's encoder sets it up:
//! indent 2, sequences indented under their key (`key:\n  - a`), a collection in a
//! sequence item starting on the dash's line (`- - a`, `- k: v`), empty collections as
//! `[]`/`{}`, no line width limit. The column, whether the last character written was
//! blank, and whether only indentation is on the line are tracked as go-yaml does: they
//! decide every space and line break.

use super::document::Node;
use super::scalar_style::{analyze, is_break, is_printable, requested_style, select_style, Style};

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

const INDENT: i64 = 2;

/// A key longer than this many bytes is written as a complex key (`? key\n: value`).
const LONGEST_SIMPLE_KEY: usize = 128;

/// `node` as a YAML document.
pub fn emit(node: &Node) -> String {
    let mut emitter = Emitter {
        out: String::new(),
        column: 0,
        whitespace: true,
        indention: true,
        indent: -1,
        indents: Vec::new(),
    };
    emitter.node(node, Place::Other, false);
    emitter.write_indent();
    emitter.out
}

/// Where a node is: an item of a block sequence is indented past its dash.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    SequenceItem,
    Other,
}

struct Emitter {
    out: String,
    column: usize,
    /// The last character written was blank (or nothing is written yet).
    whitespace: bool,
    /// Only indentation (and dashes) is on the current line so far.
    indention: bool,
    /// The current indentation; -1 before the document's first collection.
    indent: i64,
    indents: Vec<i64>,
}

impl Emitter {
    fn node(&mut self, node: &Node, place: Place, simple_key: bool) {
        match node {
            Node::Plain(text) => self.scalar(text, Style::Plain, place, simple_key),
            Node::Str(s) => self.scalar(s, requested_style(s), place, simple_key),
            Node::Sequence(items) if items.is_empty() => self.empty_collection("[", "]"),
            Node::Mapping(entries) if entries.is_empty() => self.empty_collection("{", "}"),
            Node::Sequence(items) => self.block_sequence(items, place),
            Node::Mapping(entries) => self.block_mapping(entries, place),
        }
    }

    fn empty_collection(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.write_indicator(close, false, false, false);
    }

    fn block_sequence(&mut self, items: &[Node], place: Place) {
        self.increase_indent(false, place);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Place::SequenceItem, false);
        }
        self.restore_indent();
    }

    fn block_mapping(&mut self, entries: &[(String, Node)], place: Place) {
        self.increase_indent(false, place);
        for (key, value) in entries {
            self.write_indent();
            let analysis = analyze(key);
            let key_style = requested_style(key);
            if !analysis.multiline && key.len() <= LONGEST_SIMPLE_KEY {
                self.scalar(key, key_style, Place::Other, true);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.scalar(key, key_style, Place::Other, false);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(value, Place::Other, false);
        }
        self.restore_indent();
    }

    fn scalar(&mut self, value: &str, requested: Style, place: Place, simple_key: bool) {
        let style = select_style(requested, value, &analyze(value), simple_key);
        self.increase_indent(true, place);
        match style {
            Style::Plain => self.write_plain(value),
            Style::SingleQuoted => self.write_single_quoted(value),
            Style::DoubleQuoted => self.write_double_quoted(value),
            Style::Literal => self.write_literal(value),
        }
        self.restore_indent();
    }

    /// A collection or scalar inside a sequence item is indented past the dash; anything
    /// else to the next multiple of the indent. At the top, a collection starts at column 0
    /// and a scalar's continuation lines at the indent.
    fn increase_indent(&mut self, scalar: bool, place: Place) {
        self.indents.push(self.indent);
        self.indent = if self.indent < 0 {
            if scalar {
                INDENT
            } else {
                0
            }
        } else if place == Place::SequenceItem {
            self.indent + 2
        } else {
            INDENT * ((self.indent + INDENT) / INDENT)
        };
    }

    fn restore_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    /// Moves to the current indentation, on a new line unless only indentation is
    /// written on this one and it does not reach past the indentation.
    fn write_indent(&mut self) {
        let indent = usize::try_from(self.indent).unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace)
        {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
    }

    fn write_indicator(&mut self, indicator: &str, need_blank: bool, is_blank: bool, is_indention: bool) {
        if need_blank && !self.whitespace {
            self.put(' ');
        }
        indicator.chars().for_each(|c| self.put(c));
        self.whitespace = is_blank;
        self.indention &= is_indention;
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
        self.indention = true;
    }

    /// A line break of the text itself: a newline as the output's, any other as it is.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
            self.indention = true;
        }
    }

    fn write_plain(&mut self, value: &str) {
        if !value.is_empty() && !self.whitespace {
            self.put(' ');
        }
        value.chars().for_each(|c| self.put(c));
        if !value.is_empty() {
            self.whitespace = false;
        }
        self.indention = false;
    }

    fn write_single_quoted(&mut self, value: &str) {
        self.write_indicator("'", true, false, false);
        let mut after_break = false;
        for c in value.chars() {
            if c == ' ' {
                self.put(c);
            } else if is_break(c) {
                // A newline in single quotes is written twice: one alone would fold.
                if !after_break && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                after_break = true;
            } else {
                if after_break {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                after_break = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &str) {
        self.write_indicator("\"", true, false, false);
        // go-yaml tests for a byte order mark at the start of the text instead of at each
        // character, so after a leading BOM every character is escaped.
        let escape_all = value.starts_with('\u{feff}');
        for c in value.chars() {
            if escape_all || !is_printable(c) || is_break(c) || c == '"' || c == '\\' {
                self.write_escape(c);
            } else {
                self.put(c);
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_escape(&mut self, c: char) {
        let short = match c {
            '\0' => Some('0'),
            '\u{7}' => Some('a'),
            '\u{8}' => Some('b'),
            '\t' => Some('t'),
            '\n' => Some('n'),
            '\u{b}' => Some('v'),
            '\u{c}' => Some('f'),
            '\r' => Some('r'),
            '\u{1b}' => Some('e'),
            '"' => Some('"'),
            '\\' => Some('\\'),
            '\u{85}' => Some('N'),
            '\u{a0}' => Some('_'),
            '\u{2028}' => Some('L'),
            '\u{2029}' => Some('P'),
            _ => None,
        };
        let escape = match (short, u32::from(c)) {
            (Some(short), _) => format!("\\{short}"),
            (None, code) if code <= 0xff => format!("\\x{code:02X}"),
            (None, code) if code <= 0xffff => format!("\\u{code:04X}"),
            (None, code) => format!("\\U{code:08X}"),
        };
        escape.chars().for_each(|c| self.put(c));
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        self.write_block_hints(value);
        self.put_break();
        self.whitespace = true;
        let mut after_break = true;
        for c in value.chars() {
            if is_break(c) {
                self.write_break(c);
                after_break = true;
            } else {
                if after_break {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                after_break = false;
            }
        }
    }

    /// The indentation indicator when the text starts with a blank, and the chomping
    /// indicator: `-` without a final line break, `+` for more than one (or the text being
    /// one line break), none for exactly one.
    fn write_block_hints(&mut self, value: &str) {
        if value.starts_with(|c: char| c == ' ' || is_break(c)) {
            self.write_indicator("2", false, false, false);
        }
        let mut from_end = value.chars().rev();
        let chomping = match (from_end.next(), from_end.next()) {
            (Some(last), _) if !is_break(last) => Some("-"),
            (Some(_), None) => Some("+"),
            (Some(_), Some(before_last)) if is_break(before_last) => Some("+"),
            _ => None,
        };
        if let Some(chomping) = chomping {
            self.write_indicator(chomping, false, false, false);
        }
    }
}
