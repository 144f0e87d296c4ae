// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! What OPA's AST keeps from the tokens of a GraphQL source that apollo's AST does not:
//! the `#` comments before a token, and block strings' text.
//!
//! gqlparser (the Go parser OPA uses) gathers the comments standing right before a token
//! into a group, and a node takes the group before the token it starts with (some nodes
//! also the one before their keyword or closing brace). So the index maps each significant
//! token's start offset to the comments just before it.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use apollo_parser::{Lexer, TokenKind};
use serde_json::{json, Value as Json};

pub struct Tokens {
    /// Start offset of each significant token (not whitespace, comma or comment), in order.
    starts: Vec<usize>,
    /// The comments right before the significant token that starts at the key.
    comments: BTreeMap<usize, Vec<String>>,
    /// Start offset of each `}`.
    closing_braces: Vec<usize>,
    /// The comments before the end of the source.
    trailing: Vec<String>,
}

impl Tokens {
    pub fn new(source: &str) -> Self {
        let mut tokens = Tokens {
            starts: Vec::new(),
            comments: BTreeMap::new(),
            closing_braces: Vec::new(),
            trailing: Vec::new(),
        };
        let mut pending: Vec<String> = Vec::new();
        for token in Lexer::new(source).flatten() {
            match token.kind() {
                TokenKind::Whitespace | TokenKind::Comma => {}
                TokenKind::Comment => pending.push(token.data().trim_end_matches('\r').to_string()),
                TokenKind::Eof => tokens.trailing = core::mem::take(&mut pending),
                kind => {
                    let start = token.index();
                    if kind == TokenKind::RCurly {
                        tokens.closing_braces.push(start);
                    }
                    tokens.starts.push(start);
                    if !pending.is_empty() {
                        tokens.comments.insert(start, core::mem::take(&mut pending));
                    }
                }
            }
        }
        tokens
    }

    /// The comment group before the token at `offset`, as OPA writes a `CommentGroup`.
    pub fn comment_before(&self, offset: usize) -> Json {
        group(self.comments.get(&offset).map(Vec::as_slice).unwrap_or(&[]))
    }

    /// The comments at the end of the source.
    pub fn trailing_comment(&self) -> Json {
        group(&self.trailing)
    }

    /// The start of the first significant token at or after `offset`.
    pub fn next_token(&self, offset: usize) -> Option<usize> {
        let i = self.starts.partition_point(|start| *start < offset);
        self.starts.get(i).copied()
    }

    /// The comments before a definition's closing `}`, when the definition (ending at
    /// `end`) has one.
    pub fn comment_before_closing_brace(&self, end: usize) -> Json {
        match end.checked_sub(1) {
            Some(last) if self.closing_braces.binary_search(&last).is_ok() => {
                self.comment_before(last)
            }
            _ => Json::Null,
        }
    }
}

/// Whether `source` holds nothing but whitespace, commas and comments: gqlparser reads it
/// as an empty document, which apollo's parser refuses.
pub fn is_blank(source: &str) -> bool {
    Lexer::new(source).all(|token| {
        token.is_ok_and(|t| {
            matches!(
                t.kind(),
                TokenKind::Whitespace | TokenKind::Comma | TokenKind::Comment | TokenKind::Eof
            )
        })
    })
}

fn group(comments: &[String]) -> Json {
    if comments.is_empty() {
        return Json::Null;
    }
    let list: Vec<Json> = comments.iter().map(|c| json!({ "Value": c })).collect();
    json!({ "List": list })
}

/// The value of a string token as gqlparser gives it: a block string (`"""..."""`) is
/// dedented by the smallest indentation of its non-blank lines, the first line included,
/// and loses its leading and trailing blank lines; a plain string is `unescaped`, the value
/// apollo's parser gave.
pub fn string_value(token_text: &str, unescaped: &str) -> String {
    match token_text
        .strip_prefix("\"\"\"")
        .and_then(|t| t.strip_suffix("\"\"\""))
    {
        Some(raw) => block_string_value(&raw.replace("\\\"\"\"", "\"\"\"").replace("\r\n", "\n").replace('\r', "\n")),
        None => unescaped.to_string(),
    }
}

fn block_string_value(raw: &str) -> String {
    let lines: Vec<&str> = raw.split('\n').collect();
    let common_indent = lines
        .iter()
        .filter_map(|line| leading_whitespace(line))
        .min();
    let dedented: Vec<&str> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| match common_indent {
            Some(indent) if i > 0 => line.get(indent..).unwrap_or(""),
            _ => line,
        })
        .collect();
    let blank = |line: &&str| leading_whitespace(line).is_none();
    let start = dedented.iter().position(|l| !blank(l)).unwrap_or(dedented.len());
    let end = dedented.iter().rposition(|l| !blank(l)).map_or(start, |i| i + 1);
    dedented[start..end.max(start)].join("\n")
}

/// The number of spaces and tabs a line starts with; `None` for a line of only those.
fn leading_whitespace(line: &str) -> Option<usize> {
    line.find(|c| c != ' ' && c != '\t')
}
