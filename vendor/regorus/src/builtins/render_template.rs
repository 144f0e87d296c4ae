// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! `strings.render_template(template, vars)`: OPA executes `template` with Go's
//! `text/template` on `vars` and prints `<undefined>` where Go prints `<no value>`.
//!
//! This is the part of `text/template` that policies use, with Go's rules: text and
//! `{{ }}` actions (`{{-`/`-}}` trim the whitespace beside them, `{{/* */}}` comments),
//! pipelines of fields (`.a.b`, `$x.a`), variables (`$x := ...`, `$x = ...`), literals
//! and function calls joined with `|`; `if`/`else if`/`else`, `range` (with `$i, $e :=`,
//! `else`, `break`, `continue`), `with`; the functions `and`, `or`, `not`, `len`, `index`,
//! `slice`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `print`, `printf`, `println`, `html`, `js`
//! and `urlquery`; named templates (`define`, `template`, `block`). The values are those
//! Go sees: OPA hands over `vars` as JSON decoded with numbers as `json.Number`, a string
//! type, so `len 42` is 2 and `eq 42 42` compares strings (a number literal in the
//! template is an int, so `eq .n 3` is an error, as in OPA).
//!
//! The engine is public too ([`execute_go_template`] on a [`Go`] value): `conftest doc -t`
//! hands its template Go structs, whose fields templates read by their Go names.

use crate::ast::{Expr, Ref};
use crate::builtins;
use crate::builtins::utils::{enforce_limit, ensure_args_count, ensure_object, ensure_string};
use crate::lexer::Span;
use crate::value::Value;
use crate::*;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use anyhow::{anyhow, bail, Result};

pub fn register(m: &mut builtins::BuiltinsMap<&'static str, builtins::BuiltinFcn>) {
    m.insert("strings.render_template", (render_template, 2));
}

fn render_template(
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
    strict: bool,
) -> Result<Value> {
    let name = "strings.render_template";
    ensure_args_count(span, name, params, args, 2)?;
    let template = ensure_string(name, &params[0], &args[0])?;
    ensure_object(name, &params[1], args[1].clone())?;
    let rendered = go_value(&args[1]).and_then(|data| {
        let mut out = String::new();
        execute_go_template(&template, &data, &mut out)?;
        Ok(out)
    });
    match rendered {
        Ok(out) => Ok(Value::from(out.replace("<no value>", "<undefined>"))),
        Err(e) if strict => bail!(span.error(&format!("{name}: {e}"))),
        Err(_) => Ok(Value::Undefined),
    }
}

/// Executes the Go `text/template` `template` on `data`, appending to `out`. On an
/// execution error `out` keeps what the template wrote before it, as Go's writer does; a
/// template that does not parse writes nothing.
pub fn execute_go_template(template: &str, data: &Go, out: &mut String) -> Result<()> {
    let nodes = parse(template)?;
    let mut state = State {
        vars: vec![("$".to_string(), data.clone())],
        templates: BTreeMap::new(),
        depth: 0,
    };
    collect_definitions(&nodes, &mut state.templates);
    state.exec(&nodes, data, out)?;
    Ok(())
}

/// The named templates that `define` and `block` actions declare, wherever they are.
fn collect_definitions<'t>(nodes: &'t [Node], found: &mut BTreeMap<String, &'t [Node]>) {
    for node in nodes {
        match node {
            Node::Define(name, body) => {
                found.insert(name.clone(), body);
                collect_definitions(body, found);
            }
            Node::If(branches, else_body) => {
                for (_, body) in branches {
                    collect_definitions(body, found);
                }
                collect_definitions(else_body, found);
            }
            Node::Range(_, body, else_body) | Node::With(_, body, else_body) => {
                collect_definitions(body, found);
                collect_definitions(else_body, found);
            }
            _ => {}
        }
    }
}

/// A value as Go's template sees it.
#[derive(Clone, Debug)]
pub enum Go {
    /// A map's missing key, or a field of nothing: prints `<no value>`.
    Missing,
    Nil,
    Bool(bool),
    Str(String),
    /// A `json.Number`: a string type holding the number's JSON text.
    Number(String),
    Int(i64),
    Float(f64),
    List(Vec<Go>),
    /// A `[]byte`: printed as numbers, by `%s` as text.
    Bytes(Vec<u8>),
    Map(BTreeMap<String, Go>),
    Struct(alloc::boxed::Box<GoStruct>),
}

/// A Go struct, or a pointer to one, as a template sees it: fields by their Go names.
#[derive(Clone, Debug)]
pub struct GoStruct {
    /// Go's name of its type (`document.Section`, `*ast.Annotations`), for errors.
    pub type_name: String,
    /// Its fields in declaration order; `None` for a nil pointer.
    pub fields: Option<Vec<(String, Go)>>,
    /// What its `String` method returns, when it has one: `fmt` prints that instead.
    pub shown: Option<String>,
}

fn go_value(value: &Value) -> Result<Go> {
    Ok(match value {
        Value::Null => Go::Nil,
        Value::Bool(b) => Go::Bool(*b),
        Value::String(s) => Go::Str(s.to_string()),
        Value::Number(_) => Go::Number(serde_json::to_string(value)?),
        Value::Array(items) => Go::List(items.iter().map(go_value).collect::<Result<_>>()?),
        Value::Set(items) => Go::List(items.iter().map(go_value).collect::<Result<_>>()?),
        Value::Object(fields) => {
            let mut map = BTreeMap::new();
            for (key, field) in fields.iter() {
                let Value::String(key) = key else {
                    bail!("object keys must be strings");
                };
                map.insert(key.to_string(), go_value(field)?);
            }
            Go::Map(map)
        }
        Value::Undefined => Go::Missing,
    })
}

impl Go {
    /// Go's `truth`: false, nil, zero numbers and empty strings, lists and maps are false.
    fn truth(&self) -> bool {
        match self {
            Go::Missing | Go::Nil => false,
            Go::Bool(b) => *b,
            Go::Str(s) | Go::Number(s) => !s.is_empty(),
            Go::Int(i) => *i != 0,
            Go::Float(f) => *f != 0.0,
            Go::List(items) => !items.is_empty(),
            Go::Bytes(bytes) => !bytes.is_empty(),
            Go::Map(map) => !map.is_empty(),
            Go::Struct(s) => s.fields.is_some(),
        }
    }

    fn type_name(&self) -> &str {
        match self {
            Go::Struct(s) => &s.type_name,
            Go::Missing | Go::Nil => "<nil>",
            Go::Bool(_) => "bool",
            Go::Str(_) => "string",
            Go::Number(_) => "json.Number",
            Go::Int(_) => "int",
            Go::Float(_) => "float64",
            Go::List(_) => "[]interface {}",
            Go::Bytes(_) => "[]uint8",
            Go::Map(_) => "map[string]interface {}",
        }
    }

    /// Whether `fmt` treats it as a string operand (no space between such operands in
    /// `print`).
    fn is_string_kind(&self) -> bool {
        matches!(self, Go::Str(_) | Go::Number(_))
    }
}

/// `fmt`'s `%v`; `top` is a value printed by an action itself, where nil is `<no value>`.
fn print_value(value: &Go, out: &mut String, top: bool) {
    match value {
        Go::Missing => out.push_str("<no value>"),
        Go::Nil if top => out.push_str("<no value>"),
        Go::Nil => out.push_str("<nil>"),
        Go::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Go::Str(s) | Go::Number(s) => out.push_str(s),
        Go::Int(i) => out.push_str(&i.to_string()),
        Go::Float(f) => out.push_str(&format_float(*f)),
        Go::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                print_value(item, out, false);
            }
            out.push(']');
        }
        Go::Map(map) => {
            out.push_str("map[");
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(key);
                out.push(':');
                print_value(item, out, false);
            }
            out.push(']');
        }
        Go::Bytes(bytes) => {
            let numbers: Vec<String> = bytes.iter().map(u8::to_string).collect();
            out.push('[');
            out.push_str(&numbers.join(" "));
            out.push(']');
        }
        Go::Struct(s) => match (&s.shown, &s.fields) {
            (Some(shown), _) => out.push_str(shown),
            (None, None) => out.push_str("<nil>"),
            (None, Some(fields)) => {
                out.push('{');
                for (i, (_, field)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    print_value(field, out, false);
                }
                out.push('}');
            }
        },
    }
}

/// `fmt`'s `%v` of a float64: the shortest decimal that reads back, in exponent form
/// (`1e+23`, `1e-05`) below 1e-4 and from 1e21 on.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let scientific = format!("{f:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if f != 0.0 && !(-4..21).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.abs())
    } else {
        f.to_string()
    }
}

fn printed(value: &Go) -> String {
    let mut out = String::new();
    print_value(value, &mut out, false);
    out
}

// ---------------------------------------------------------------------------------------
// Parsing

#[derive(Clone, Debug)]
enum Arg {
    /// `.` followed by fields (none for `.` itself).
    Dot(Vec<String>),
    /// `$name` followed by fields.
    Var(String, Vec<String>),
    Literal(Go),
    Function(String),
    /// `( pipeline )` followed by fields.
    Group(Pipeline, Vec<String>),
}

#[derive(Clone, Debug, Default)]
struct Pipeline {
    declares: Vec<String>,
    /// `=` rather than `:=`.
    assigns: bool,
    commands: Vec<Vec<Arg>>,
}

#[derive(Debug)]
enum Node {
    Text(String),
    Print(Pipeline),
    If(Vec<(Pipeline, Vec<Node>)>, Vec<Node>),
    Range(Pipeline, Vec<Node>, Vec<Node>),
    With(Pipeline, Vec<Node>, Vec<Node>),
    Break,
    Continue,
    /// `{{define "name"}}`: a named template (only at the top level).
    Define(String, Vec<Node>),
    /// `{{template "name" pipeline}}`: runs a named template on the pipeline's value.
    Template(String, Option<Pipeline>),
}

#[derive(Debug, PartialEq, Clone)]
enum Token {
    Word(String),
    Field(Vec<String>),
    Variable(String, Vec<String>),
    Literal(GoLiteral),
    Pipe,
    Open,
    Close,
    Declare,
    Assign,
    Comma,
}

#[derive(Debug, PartialEq, Clone)]
enum GoLiteral {
    Str(String),
    Int(i64),
    Float(String),
}

/// One `{{ }}` action's tokens.
type Action = Vec<Token>;

/// Splits the template into text and actions, applying the trim markers.
fn split(template: &str) -> Result<Vec<core::result::Result<String, Action>>> {
    let mut parts = Vec::new();
    let mut rest = template;
    let mut trim_next_text = false;
    while let Some(open) = rest.find("{{") {
        let mut text = &rest[..open];
        if trim_next_text {
            text = text.trim_start_matches(is_space);
        }
        let mut inside = &rest[open + 2..];
        if let Some(after) = inside.strip_prefix('-') {
            if after.starts_with(is_space) {
                text = text.trim_end_matches(is_space);
                inside = after;
            }
        }
        parts.push(Ok(text.to_string()));
        let trimmed = inside.trim_start_matches(is_space);
        let (tokens, after, trim_right) = if let Some(comment) = trimmed.strip_prefix("/*") {
            let end = comment
                .find("*/")
                .ok_or_else(|| anyhow!("unclosed comment"))?;
            let after = comment[end + 2..].trim_start_matches(is_space);
            let (after, trim_right) = close_action(after)?;
            (None, after, trim_right)
        } else {
            let (tokens, after, trim_right) = lex_action(inside)?;
            (Some(tokens), after, trim_right)
        };
        if let Some(tokens) = tokens {
            parts.push(Err(tokens));
        }
        trim_next_text = trim_right;
        rest = after;
    }
    let text = if trim_next_text {
        rest.trim_start_matches(is_space)
    } else {
        rest
    };
    parts.push(Ok(text.to_string()));
    Ok(parts)
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// After an action's content: `}}` or ` -}}`; returns the rest and whether to trim.
fn close_action(s: &str) -> Result<(&str, bool)> {
    if let Some(after) = s.strip_prefix("}}") {
        return Ok((after, false));
    }
    if let Some(after) = s.strip_prefix("-}}") {
        return Ok((after, true));
    }
    bail!("unclosed action")
}

fn lex_action(mut s: &str) -> Result<(Action, &str, bool)> {
    let mut tokens = Vec::new();
    loop {
        let before = s.len();
        s = s.trim_start_matches(is_space);
        let spaced = s.len() != before;
        if s.starts_with("}}") || (spaced && s.starts_with("-}}")) {
            let (after, trim) = close_action(s)?;
            return Ok((tokens, after, trim));
        }
        let c = s.chars().next().ok_or_else(|| anyhow!("unclosed action"))?;
        let (token, rest) = match c {
            '|' => (Token::Pipe, &s[1..]),
            '(' => (Token::Open, &s[1..]),
            ')' => (Token::Close, &s[1..]),
            ',' => (Token::Comma, &s[1..]),
            '=' => (Token::Assign, &s[1..]),
            ':' if s.starts_with(":=") => (Token::Declare, &s[2..]),
            '"' => lex_quoted(s)?,
            '`' => {
                let end = s[1..]
                    .find('`')
                    .ok_or_else(|| anyhow!("unterminated raw quoted string"))?;
                (
                    Token::Literal(GoLiteral::Str(s[1..1 + end].to_string())),
                    &s[end + 2..],
                )
            }
            '.' if !s[1..].starts_with(|c: char| c.is_ascii_digit()) => {
                if s[1..].starts_with(is_ident_char) {
                    let (fields, rest) = lex_fields(s);
                    (Token::Field(fields), rest)
                } else {
                    (Token::Field(Vec::new()), &s[1..])
                }
            }
            '$' => {
                let end = 1 + s[1..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(s.len() - 1);
                let name = s[..end].to_string();
                let (fields, rest) = lex_fields(&s[end..]);
                (Token::Variable(name, fields), rest)
            }
            '-' | '+' | '0'..='9' | '.' => lex_number(s)?,
            c if c.is_alphabetic() || c == '_' => {
                let end = s
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(s.len());
                (Token::Word(s[..end].to_string()), &s[end..])
            }
            other => bail!("unexpected {other:?} in action"),
        };
        tokens.push(token);
        s = rest;
    }
}

/// `.a.b` at the start of `s` (none when `s` does not start so).
fn lex_fields(mut s: &str) -> (Vec<String>, &str) {
    let mut fields = Vec::new();
    while let Some(after) = s.strip_prefix('.') {
        let end = after
            .find(|c: char| !is_ident_char(c))
            .unwrap_or(after.len());
        if end == 0 {
            break;
        }
        fields.push(after[..end].to_string());
        s = &after[end..];
    }
    (fields, s)
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn lex_number(s: &str) -> Result<(Token, &str)> {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_')))
        .unwrap_or(s.len());
    let text = &s[..end];
    let token = if let Ok(i) = text.parse::<i64>() {
        Token::Literal(GoLiteral::Int(i))
    } else if text.parse::<f64>().is_ok() {
        Token::Literal(GoLiteral::Float(text.to_string()))
    } else {
        bail!("bad number syntax: {text:?}")
    };
    Ok((token, &s[end..]))
}

fn lex_quoted(s: &str) -> Result<(Token, &str)> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Ok((Token::Literal(GoLiteral::Str(out)), &s[at + 1..])),
            '\\' => {
                let (_, escaped) = chars
                    .next()
                    .ok_or_else(|| anyhow!("unterminated quoted string"))?;
                match escaped {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    '\'' => out.push('\''),
                    'u' => {
                        let hex: String = (0..4)
                            .filter_map(|_| chars.next().map(|(_, c)| c))
                            .collect();
                        let code = u32::from_str_radix(&hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .ok_or_else(|| anyhow!("invalid escape \\u{hex}"))?;
                        out.push(code);
                    }
                    other => bail!("unknown escape sequence \\{other}"),
                }
            }
            '\n' => bail!("unterminated quoted string"),
            c => out.push(c),
        }
    }
    bail!("unterminated quoted string")
}

/// Parses a whole template into nodes.
fn parse(template: &str) -> Result<Vec<Node>> {
    let parts = split(template)?;
    let mut parts = parts.into_iter().peekable();
    let (nodes, end) = parse_list(&mut parts)?;
    if let Some(end) = end {
        bail!("unexpected {{{{{}}}}}", describe(&end));
    }
    Ok(nodes)
}

fn describe(action: &Action) -> String {
    match action.first() {
        Some(Token::Word(w)) => w.clone(),
        _ => "action".to_string(),
    }
}

type Parts = core::iter::Peekable<alloc::vec::IntoIter<core::result::Result<String, Action>>>;

/// Nodes up to an `{{else ...}}` or `{{end}}` action, which is returned (None at the end).
fn parse_list(parts: &mut Parts) -> Result<(Vec<Node>, Option<Action>)> {
    let mut nodes = Vec::new();
    while let Some(part) = parts.next() {
        let action = match part {
            Ok(text) => {
                if !text.is_empty() {
                    nodes.push(Node::Text(text));
                }
                continue;
            }
            Err(action) => action,
        };
        let keyword = match action.first() {
            Some(Token::Word(w)) => w.as_str(),
            _ => "",
        };
        match keyword {
            "end" | "else" => return Ok((nodes, Some(action))),
            "if" => nodes.push(parse_if(&action[1..], parts)?),
            "range" | "with" => {
                let pipeline = parse_pipeline(&action[1..], true)?;
                let (body, end) = parse_list(parts)?;
                let else_body = parse_else_end(end, parts, keyword)?;
                nodes.push(if keyword == "range" {
                    Node::Range(pipeline, body, else_body)
                } else {
                    Node::With(pipeline, body, else_body)
                });
            }
            "break" => nodes.push(Node::Break),
            "continue" => nodes.push(Node::Continue),
            "define" | "block" => {
                let (name, pipeline) = template_call(&action, keyword)?;
                let (body, end) = parse_list(parts)?;
                expect_end(end)?;
                if keyword == "block" {
                    nodes.push(Node::Template(name.clone(), pipeline));
                }
                nodes.push(Node::Define(name, body));
            }
            "template" => {
                let (name, pipeline) = template_call(&action, keyword)?;
                nodes.push(Node::Template(name, pipeline));
            }
            _ => nodes.push(Node::Print(parse_pipeline(&action, true)?)),
        }
    }
    Ok((nodes, None))
}

/// The name and optional pipeline of `{{template "name" pipeline}}` (and of `define` and
/// `block`).
fn template_call(action: &Action, keyword: &str) -> Result<(String, Option<Pipeline>)> {
    let Some(Token::Literal(GoLiteral::Str(name))) = action.get(1) else {
        bail!("missing name in {keyword}");
    };
    let pipeline = match &action[2..] {
        [] => None,
        _ if keyword == "define" => bail!("unexpected tokens after define name"),
        rest => Some(parse_pipeline(rest, false)?),
    };
    Ok((name.clone(), pipeline))
}

fn parse_if(condition: &[Token], parts: &mut Parts) -> Result<Node> {
    let mut branches = Vec::new();
    let mut condition = parse_pipeline(condition, true)?;
    loop {
        let (body, end) = parse_list(parts)?;
        branches.push((condition, body));
        let end = end.ok_or_else(|| anyhow!("unexpected EOF"))?;
        match end.get(1) {
            _ if matches!(end.first(), Some(Token::Word(w)) if w == "end") => {
                return Ok(Node::If(branches, Vec::new()));
            }
            Some(Token::Word(w)) if w == "if" => {
                condition = parse_pipeline(&end[2..], true)?;
            }
            None => {
                let (else_body, end) = parse_list(parts)?;
                expect_end(end)?;
                return Ok(Node::If(branches, else_body));
            }
            Some(_) => bail!("unexpected tokens after else"),
        }
    }
}

fn parse_else_end(end: Option<Action>, parts: &mut Parts, keyword: &str) -> Result<Vec<Node>> {
    let end = end.ok_or_else(|| anyhow!("unexpected EOF in {keyword}"))?;
    if matches!(end.first(), Some(Token::Word(w)) if w == "end") {
        if end.len() != 1 {
            bail!("unexpected tokens after end");
        }
        return Ok(Vec::new());
    }
    if end.len() != 1 {
        bail!("unexpected tokens after else in {keyword}");
    }
    let (else_body, end) = parse_list(parts)?;
    expect_end(end)?;
    Ok(else_body)
}

fn expect_end(end: Option<Action>) -> Result<()> {
    match end {
        Some(end) if end == [Token::Word("end".to_string())] => Ok(()),
        _ => bail!("expected {{{{end}}}}"),
    }
}

fn parse_pipeline(tokens: &[Token], may_declare: bool) -> Result<Pipeline> {
    let mut pipeline = Pipeline::default();
    let mut tokens = tokens;
    // `$x :=`, `$x =` or `$i, $e :=` in front.
    if may_declare {
        let declared: Vec<String> = tokens
            .iter()
            .take_while(|t| {
                matches!(t, Token::Variable(_, f) if f.is_empty()) || **t == Token::Comma
            })
            .filter_map(|t| match t {
                Token::Variable(name, _) => Some(name.clone()),
                _ => None,
            })
            .collect();
        let used = declared.len() * 2 - usize::from(!declared.is_empty());
        match tokens.get(used) {
            Some(Token::Declare) if !declared.is_empty() => {
                pipeline.declares = declared;
                tokens = &tokens[used + 1..];
            }
            Some(Token::Assign) if declared.len() == 1 => {
                pipeline.declares = declared;
                pipeline.assigns = true;
                tokens = &tokens[used + 1..];
            }
            _ => {}
        }
    }
    let mut at = 0;
    let mut command = Vec::new();
    while at < tokens.len() {
        match &tokens[at] {
            Token::Pipe => {
                if command.is_empty() {
                    bail!("missing command before |");
                }
                pipeline.commands.push(core::mem::take(&mut command));
                at += 1;
            }
            _ => {
                let (arg, next) = parse_arg(tokens, at)?;
                command.push(arg);
                at = next;
            }
        }
    }
    if command.is_empty() {
        bail!("missing value for command");
    }
    pipeline.commands.push(command);
    Ok(pipeline)
}

fn parse_arg(tokens: &[Token], at: usize) -> Result<(Arg, usize)> {
    Ok(match &tokens[at] {
        Token::Field(fields) => (Arg::Dot(fields.clone()), at + 1),
        Token::Variable(name, fields) => (Arg::Var(name.clone(), fields.clone()), at + 1),
        Token::Literal(GoLiteral::Str(s)) => (Arg::Literal(Go::Str(s.clone())), at + 1),
        Token::Literal(GoLiteral::Int(i)) => (Arg::Literal(Go::Int(*i)), at + 1),
        Token::Literal(GoLiteral::Float(f)) => (
            Arg::Literal(Go::Float(f.parse().unwrap_or_default())),
            at + 1,
        ),
        Token::Word(w) => match w.as_str() {
            "true" => (Arg::Literal(Go::Bool(true)), at + 1),
            "false" => (Arg::Literal(Go::Bool(false)), at + 1),
            "nil" => (Arg::Literal(Go::Nil), at + 1),
            _ if FUNCTIONS.contains(&w.as_str()) => (Arg::Function(w.clone()), at + 1),
            _ => bail!("function {w:?} not defined"),
        },
        Token::Open => {
            let mut depth = 0;
            let mut end = at;
            for (i, t) in tokens.iter().enumerate().skip(at) {
                match t {
                    Token::Open => depth += 1,
                    Token::Close => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            if end == at {
                bail!("unclosed left paren");
            }
            let inner = parse_pipeline(&tokens[at + 1..end], false)?;
            match tokens.get(end + 1) {
                Some(Token::Field(fields)) if !fields.is_empty() => {
                    (Arg::Group(inner, fields.clone()), end + 2)
                }
                _ => (Arg::Group(inner, Vec::new()), end + 1),
            }
        }
        other => bail!("unexpected {other:?} in operand"),
    })
}

const FUNCTIONS: &[&str] = &[
    "and", "or", "not", "len", "index", "slice", "eq", "ne", "lt", "le", "gt", "ge", "print",
    "printf", "println", "html", "js", "urlquery",
];

// ---------------------------------------------------------------------------------------
// Execution

enum Flow {
    Normal,
    Break,
    Continue,
}

/// How deep `template` calls may nest (a template calling itself ends here).
const MAX_TEMPLATE_DEPTH: usize = 1000;

struct State<'t> {
    vars: Vec<(String, Go)>,
    /// The `define`d templates, by name.
    templates: BTreeMap<String, &'t [Node]>,
    depth: usize,
}

impl<'t> State<'t> {
    fn exec(&mut self, nodes: &[Node], dot: &Go, out: &mut String) -> Result<Flow> {
        for node in nodes {
            enforce_limit()?;
            match node {
                Node::Text(text) => out.push_str(text),
                Node::Print(pipeline) => {
                    let value = self.pipeline(pipeline, dot)?;
                    if pipeline.declares.is_empty() {
                        print_value(&value, out, true);
                    }
                }
                Node::If(branches, else_body) => {
                    let mark = self.vars.len();
                    let mut chosen = None;
                    for (condition, body) in branches {
                        if self.pipeline(condition, dot)?.truth() {
                            chosen = Some(body);
                            break;
                        }
                    }
                    let flow = self.exec(chosen.unwrap_or(else_body), dot, out)?;
                    self.vars.truncate(mark);
                    if !matches!(flow, Flow::Normal) {
                        return Ok(flow);
                    }
                }
                Node::With(pipeline, body, else_body) => {
                    let mark = self.vars.len();
                    let value = self.pipeline(pipeline, dot)?;
                    let flow = if value.truth() {
                        self.exec(body, &value, out)?
                    } else {
                        self.exec(else_body, dot, out)?
                    };
                    self.vars.truncate(mark);
                    if !matches!(flow, Flow::Normal) {
                        return Ok(flow);
                    }
                }
                Node::Range(pipeline, body, else_body) => {
                    self.range(pipeline, body, else_body, dot, out)?;
                }
                Node::Define(..) => {}
                Node::Template(name, pipeline) => {
                    self.template(name, pipeline.as_ref(), dot, out)?
                }
                Node::Break => return Ok(Flow::Break),
                Node::Continue => return Ok(Flow::Continue),
            }
        }
        Ok(Flow::Normal)
    }

    /// Runs the named template with its own variables (`$` is its data).
    fn template(
        &mut self,
        name: &str,
        pipeline: Option<&Pipeline>,
        dot: &Go,
        out: &mut String,
    ) -> Result<()> {
        let body = *self
            .templates
            .get(name)
            .ok_or_else(|| anyhow!("template {name:?} not defined"))?;
        let data = match pipeline {
            Some(pipeline) => self.pipeline(pipeline, dot)?,
            None => Go::Nil,
        };
        if self.depth >= MAX_TEMPLATE_DEPTH {
            bail!("exceeded maximum template depth ({MAX_TEMPLATE_DEPTH})");
        }
        let outer = core::mem::replace(&mut self.vars, vec![("$".to_string(), data.clone())]);
        self.depth += 1;
        let result = self.exec(body, &data, out);
        self.depth -= 1;
        self.vars = outer;
        result.map(|_| ())
    }

    fn range(
        &mut self,
        pipeline: &Pipeline,
        body: &[Node],
        else_body: &[Node],
        dot: &Go,
        out: &mut String,
    ) -> Result<()> {
        let mark = self.vars.len();
        let mut bare = pipeline.clone();
        let declares = core::mem::take(&mut bare.declares);
        let value = self.pipeline(&bare, dot)?;
        let items: Vec<(Go, Go)> = match value {
            Go::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Go::Int(i64::try_from(i).unwrap_or(i64::MAX)), v))
                .collect(),
            Go::Map(map) => map.into_iter().map(|(k, v)| (Go::Str(k), v)).collect(),
            Go::Bytes(bytes) => bytes
                .into_iter()
                .enumerate()
                .map(|(i, b)| {
                    (
                        Go::Int(i64::try_from(i).unwrap_or(i64::MAX)),
                        Go::Int(b.into()),
                    )
                })
                .collect(),
            Go::Missing | Go::Nil => Vec::new(),
            other => bail!("range can't iterate over {}", printed(&other)),
        };
        if items.is_empty() {
            self.exec(else_body, dot, out)?;
            self.vars.truncate(mark);
            return Ok(());
        }
        for (key, element) in items {
            match declares.as_slice() {
                [] => {}
                [e] => self.vars.push((e.clone(), element.clone())),
                [k, e] => {
                    self.vars.push((k.clone(), key));
                    self.vars.push((e.clone(), element.clone()));
                }
                _ => bail!("too many declarations in range"),
            }
            let flow = self.exec(body, &element, out)?;
            self.vars.truncate(mark);
            if matches!(flow, Flow::Break) {
                break;
            }
        }
        Ok(())
    }

    fn pipeline(&mut self, pipeline: &Pipeline, dot: &Go) -> Result<Go> {
        let mut value = None;
        for command in &pipeline.commands {
            value = Some(self.command(command, dot, value)?);
        }
        let value = value.unwrap_or(Go::Missing);
        for name in &pipeline.declares {
            if pipeline.assigns {
                let slot = self
                    .vars
                    .iter_mut()
                    .rev()
                    .find(|(n, _)| n == name)
                    .ok_or_else(|| anyhow!("undefined variable: {name}"))?;
                slot.1 = value.clone();
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn command(&mut self, command: &[Arg], dot: &Go, piped: Option<Go>) -> Result<Go> {
        if let Some(Arg::Function(name)) = command.first() {
            let mut args = Vec::with_capacity(command.len());
            // `and` and `or` stop at their answer; their operands are evaluated in order
            // here all the same (they have no effects).
            for arg in &command[1..] {
                args.push(self.arg(arg, dot)?);
            }
            args.extend(piped);
            return call(name, &args);
        }
        if command.len() > 1 || piped.is_some() {
            bail!("can't give argument to non-function {:?}", command[0]);
        }
        self.arg(&command[0], dot)
    }

    fn arg(&mut self, arg: &Arg, dot: &Go) -> Result<Go> {
        match arg {
            Arg::Dot(fields) => fields_of(dot.clone(), fields),
            Arg::Var(name, fields) => {
                let value = self
                    .vars
                    .iter()
                    .rev()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| anyhow!("undefined variable: {name}"))?;
                fields_of(value, fields)
            }
            Arg::Literal(value) => Ok(value.clone()),
            Arg::Function(name) => call(name, &[]),
            Arg::Group(pipeline, fields) => {
                let value = self.pipeline(pipeline, dot)?;
                fields_of(value, fields)
            }
        }
    }
}

fn fields_of(mut value: Go, fields: &[String]) -> Result<Go> {
    for field in fields {
        value = match value {
            Go::Map(mut map) => map.remove(field).unwrap_or(Go::Missing),
            Go::Struct(s) => match s.fields {
                Some(fields) => fields
                    .into_iter()
                    .find(|(name, _)| name == field)
                    .map(|(_, value)| value)
                    .ok_or_else(|| {
                        anyhow!("can't evaluate field {field} in type {}", s.type_name)
                    })?,
                None => bail!("nil pointer evaluating {}.{field}", s.type_name),
            },
            // A missing key's fields are missing too; nil's are an error, as in Go.
            Go::Missing => Go::Missing,
            Go::Nil => {
                bail!("nil pointer evaluating interface {{}}.{field}")
            }
            other => bail!("can't evaluate field {field} in type {}", other.type_name()),
        };
    }
    Ok(value)
}

fn call(name: &str, args: &[Go]) -> Result<Go> {
    let arity = |n: usize| -> Result<()> {
        if args.len() != n {
            bail!(
                "wrong number of args for {name}: want {n} got {}",
                args.len()
            );
        }
        Ok(())
    };
    Ok(match name {
        "and" | "or" => {
            if args.is_empty() {
                bail!("wrong number of args for {name}: want at least 1 got 0");
            }
            let stop = |v: &Go| if name == "and" { !v.truth() } else { v.truth() };
            args.iter()
                .find(|v| stop(v))
                .unwrap_or(&args[args.len() - 1])
                .clone()
        }
        "not" => {
            arity(1)?;
            Go::Bool(!args[0].truth())
        }
        "len" => {
            arity(1)?;
            let n = match &args[0] {
                Go::Str(s) | Go::Number(s) => s.len(),
                Go::List(items) => items.len(),
                Go::Bytes(bytes) => bytes.len(),
                Go::Map(map) => map.len(),
                other => bail!("len of type {}", other.type_name()),
            };
            Go::Int(i64::try_from(n).unwrap_or(i64::MAX))
        }
        "index" => {
            let (first, keys) = args
                .split_first()
                .ok_or_else(|| anyhow!("wrong number of args for index: want at least 1 got 0"))?;
            let mut value = first.clone();
            for key in keys {
                value = index(value, key)?;
            }
            value
        }
        "slice" => slice(args)?,
        "eq" => {
            let (first, rest) = args
                .split_first()
                .ok_or_else(|| anyhow!("missing argument for comparison"))?;
            if rest.is_empty() {
                bail!("missing argument for comparison");
            }
            let mut equal = false;
            for other in rest {
                if compare(first, other)? == core::cmp::Ordering::Equal {
                    equal = true;
                }
            }
            Go::Bool(equal)
        }
        "ne" | "lt" | "le" | "gt" | "ge" => {
            arity(2)?;
            if name != "ne" && matches!(args[0], Go::Bool(_)) {
                bail!("invalid type for comparison");
            }
            let order = compare(&args[0], &args[1])?;
            Go::Bool(match name {
                "ne" => order != core::cmp::Ordering::Equal,
                "lt" => order == core::cmp::Ordering::Less,
                "le" => order != core::cmp::Ordering::Greater,
                "gt" => order == core::cmp::Ordering::Greater,
                _ => order != core::cmp::Ordering::Less,
            })
        }
        "print" => Go::Str(sprint(args)),
        "println" => {
            let parts: Vec<String> = args.iter().map(printed).collect();
            Go::Str(parts.join(" ") + "\n")
        }
        "printf" => {
            let (format, rest) = args
                .split_first()
                .ok_or_else(|| anyhow!("wrong number of args for printf"))?;
            let Go::Str(format) = format else {
                bail!("printf: format must be a string");
            };
            Go::Str(sprintf(format, rest))
        }
        "html" => Go::Str(escape_html(&sprint(args))),
        "js" => Go::Str(escape_js(&sprint(args))),
        "urlquery" => Go::Str(escape_query(&sprint(args))),
        other => bail!("function {other:?} not defined"),
    })
}

fn index(value: Go, key: &Go) -> Result<Go> {
    match (value, key) {
        (Go::Bytes(bytes), Go::Int(i)) => usize::try_from(*i)
            .ok()
            .and_then(|i| bytes.get(i))
            .map(|b| Go::Int((*b).into()))
            .ok_or_else(|| anyhow!("error calling index: index out of range: {i}")),
        (Go::List(items), Go::Int(i)) => usize::try_from(*i)
            .ok()
            .and_then(|i| items.get(i).cloned())
            .ok_or_else(|| anyhow!("error calling index: index out of range: {i}")),
        (Go::Map(mut map), Go::Str(k)) => Ok(map.remove(k).unwrap_or(Go::Missing)),
        (Go::Missing | Go::Nil, _) => bail!("error calling index: index of untyped nil"),
        (value, key) => bail!(
            "error calling index: cannot index {} with {}",
            value.type_name(),
            key.type_name()
        ),
    }
}

fn slice(args: &[Go]) -> Result<Go> {
    let (value, bounds) = args
        .split_first()
        .ok_or_else(|| anyhow!("wrong number of args for slice"))?;
    let mut indexes = Vec::new();
    for bound in bounds {
        let Go::Int(i) = bound else {
            bail!(
                "error calling slice: cannot index slice/array with type {}",
                bound.type_name()
            );
        };
        indexes.push(
            usize::try_from(*i).map_err(|_| anyhow!("error calling slice: index out of range"))?,
        );
    }
    let length = match value {
        Go::Str(s) => s.len(),
        Go::List(items) => items.len(),
        Go::Bytes(bytes) => bytes.len(),
        other => bail!(
            "error calling slice: can't slice item of type {}",
            other.type_name()
        ),
    };
    let start = indexes.first().copied().unwrap_or(0);
    let end = indexes.get(1).copied().unwrap_or(length);
    if start > end || end > length || indexes.len() > 2 {
        bail!("error calling slice: index out of range");
    }
    Ok(match value {
        Go::Str(s) => Go::Str(
            s.get(start..end)
                .ok_or_else(|| anyhow!("error calling slice: not a character boundary"))?
                .to_string(),
        ),
        Go::List(items) => Go::List(items[start..end].to_vec()),
        Go::Bytes(bytes) => Go::Bytes(bytes[start..end].to_vec()),
        _ => Go::Missing,
    })
}

/// Go's `eq`/`lt` on basic kinds: booleans, integers, floats and strings (a `json.Number`
/// is a string); anything else, or two different kinds, cannot be compared.
fn compare(a: &Go, b: &Go) -> Result<core::cmp::Ordering> {
    match (a, b) {
        (Go::Bool(x), Go::Bool(y)) => Ok(x.cmp(y)),
        (Go::Int(x), Go::Int(y)) => Ok(x.cmp(y)),
        (Go::Float(x), Go::Float(y)) => x
            .partial_cmp(y)
            .ok_or_else(|| anyhow!("incomparable floats")),
        (Go::Str(x) | Go::Number(x), Go::Str(y) | Go::Number(y)) => Ok(x.cmp(y)),
        (Go::List(_) | Go::Bytes(_) | Go::Map(_) | Go::Struct(_), _)
        | (_, Go::List(_) | Go::Bytes(_) | Go::Map(_) | Go::Struct(_)) => {
            bail!("error calling eq: non-comparable type")
        }
        _ => bail!("error calling eq: incompatible types for comparison"),
    }
}

/// `fmt.Sprint`: operands joined with a space where neither side is a string.
fn sprint(args: &[Go]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 && !arg.is_string_kind() && !args[i - 1].is_string_kind() {
            out.push(' ');
        }
        print_value(arg, &mut out, false);
    }
    out
}

/// `fmt.Sprintf` for the verbs templates use: `%v %s %d %q %t %f %x %%`, with flags
/// (`-` `+` `0` and space), width and precision (`%-20s`, `%.3s`, `%5.2f`), and Go's
/// in-band errors for a wrong type, a missing or an extra operand.
fn sprintf(format: &str, args: &[Go]) -> String {
    let mut out = String::new();
    let mut next = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&flag) = chars.peek() {
            match flag {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                '0' => spec.zero = true,
                ' ' => spec.space = true,
                '#' => {}
                _ => break,
            }
            chars.next();
        }
        spec.width = digits(&mut chars);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.precision = Some(digits(&mut chars).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        match formatted(verb, &spec, arg) {
            Some(text) => out.push_str(&spec.pad(text, matches!(arg, Go::Int(_) | Go::Float(_)))),
            None => match arg {
                Go::Missing | Go::Nil => out.push_str(&format!("%!{verb}(<nil>)")),
                _ => out.push_str(&format!("%!{verb}({}={})", arg.type_name(), printed(arg))),
            },
        }
    }
    if next < args.len() {
        let extra: Vec<String> = args[next..]
            .iter()
            .map(|a| format!("{}={}", a.type_name(), printed(a)))
            .collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

/// A `printf` verb's flags, width and precision.
#[derive(Default)]
struct Spec {
    left: bool,
    plus: bool,
    zero: bool,
    space: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

impl Spec {
    /// Pads `text` to the width: spaces on the left (right with `-`), or zeros after the
    /// sign for a number with `0`.
    fn pad(&self, text: String, number: bool) -> String {
        let length = text.chars().count();
        let Some(width) = self.width.filter(|w| *w > length) else {
            return text;
        };
        let fill = width - length;
        if self.left {
            return text + &" ".repeat(fill);
        }
        if self.zero && number {
            let sign_length = usize::from(text.starts_with(['-', '+', ' ']));
            let (sign, digits) = text.split_at(sign_length);
            return format!("{sign}{}{digits}", "0".repeat(fill));
        }
        " ".repeat(fill) + &text
    }

    fn signed(&self, text: String) -> String {
        if text.starts_with('-') {
            text
        } else if self.plus {
            format!("+{text}")
        } else if self.space {
            format!(" {text}")
        } else {
            text
        }
    }
}

fn digits(chars: &mut core::iter::Peekable<core::str::Chars>) -> Option<usize> {
    let mut value: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        value = Some(
            value
                .unwrap_or(0)
                .saturating_mul(10)
                .saturating_add(d as usize),
        );
        chars.next();
    }
    value
}

/// One operand formatted by its verb, before padding; `None` when the verb does not fit
/// its type.
fn formatted(verb: char, spec: &Spec, arg: &Go) -> Option<String> {
    let truncated = |s: &str| match spec.precision {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    };
    Some(match (verb, arg) {
        ('v', Go::Int(i)) | ('d', Go::Int(i)) => spec.signed(i.to_string()),
        ('v', Go::Float(f)) => spec.signed(match spec.precision {
            Some(p) => format!("{f:.p$}"),
            None => format_float(*f),
        }),
        ('v', Go::Str(s) | Go::Number(s)) | ('s', Go::Str(s) | Go::Number(s)) => truncated(s),
        ('v', _) | ('s', Go::List(_) | Go::Map(_) | Go::Struct(_)) => printed(arg),
        ('q', Go::Str(s) | Go::Number(s)) => go_quote(&truncated(s)),
        ('s', Go::Bytes(b)) => truncated(&String::from_utf8_lossy(b)),
        ('q', Go::Bytes(b)) => go_quote(&truncated(&String::from_utf8_lossy(b))),
        ('x', Go::Bytes(b)) => b.iter().map(|b| format!("{b:02x}")).collect(),
        ('t', Go::Bool(b)) => (if *b { "true" } else { "false" }).to_string(),
        ('f' | 'F', Go::Float(f)) => spec.signed(format!("{f:.*}", spec.precision.unwrap_or(6))),
        ('x', Go::Int(i)) => spec.signed(if *i < 0 {
            format!("-{:x}", i.unsigned_abs())
        } else {
            format!("{i:x}")
        }),
        ('x', Go::Str(s) | Go::Number(s)) => s.bytes().map(|b| format!("{b:02x}")).collect(),
        ('X', Go::Int(i)) => spec.signed(if *i < 0 {
            format!("-{:X}", i.unsigned_abs())
        } else {
            format!("{i:X}")
        }),
        _ => return None,
    })
}

fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#39;"),
            '"' => out.push_str("&#34;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn escape_js(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            '\n' => out.push_str("\\u000A"),
            '\r' => out.push_str("\\u000D"),
            '\t' => out.push_str("\\u0009"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn escape_query(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
