// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! OPA's GraphQL builtins. Parsing and validation are apollo-compiler's; the ASTs returned
//! have the shape OPA gives them (see `opa_ast`).
//!
//! As in OPA, `graphql.parse_query`, `graphql.parse_schema` and `graphql.parse` fail on a
//! document that does not parse or validate (undefined unless builtin errors are strict),
//! while `graphql.parse_and_verify`, `graphql.is_valid` and `graphql.schema_is_valid`
//! answer `false` (`[false, {}, {}]`) instead.

mod from_object;
mod opa_ast;
mod tokens;

use crate::ast::{Expr, Ref};
use crate::builtins;
use crate::builtins::utils::{ensure_args_count, ensure_string};
use crate::lexer::Span;
use crate::value::Value;
use crate::*;

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use apollo_compiler::ast::{Definition, Document};
use apollo_compiler::parser::Parser;
use apollo_compiler::validation::{DiagnosticList, Valid};
use apollo_compiler::{ExecutableDocument, Schema};
use anyhow::{bail, Result};
use serde_json::Value as Json;

use opa_ast::Converter;

pub fn register(m: &mut builtins::BuiltinsMap<&'static str, builtins::BuiltinFcn>) {
    m.insert("graphql.is_valid", (is_valid, 2));
    m.insert("graphql.parse", (parse, 2));
    m.insert("graphql.parse_and_verify", (parse_and_verify, 2));
    m.insert("graphql.parse_query", (parse_query, 1));
    m.insert("graphql.parse_schema", (parse_schema, 1));
    m.insert("graphql.schema_is_valid", (schema_is_valid, 1));
}

/// Why a document was refused, as OPA words it.
struct Refusal(String);

impl Refusal {
    fn first_of(diagnostics: &DiagnosticList) -> Refusal {
        let Some(first) = diagnostics.iter().next() else {
            return Refusal("GraphQL parse error".to_string());
        };
        let message = first.error.to_string();
        let message = message.trim_end_matches('.');
        Refusal(match first.line_column_range() {
            Some(range) => format!(
                "{message} in GraphQL string at location {}:{}",
                range.start.line, range.start.column
            ),
            None => format!("GraphQL parse error: {message}"),
        })
    }
}

/// A string argument as it is; an object argument (an AST as OPA returns it) as source.
/// `None` for any other value.
fn source_of(value: &Value, object_source: fn(&Json) -> Result<String>) -> Option<Result<String>> {
    match value {
        Value::String(s) => Some(Ok(s.to_string())),
        Value::Object(_) => Some(
            serde_json::to_value(value)
                .map_err(anyhow::Error::from)
                .and_then(|json| object_source(&json)),
        ),
        _ => None,
    }
}

/// Parses `source` into an AST that must hold only the definitions `allowed` accepts.
fn parse_document(source: &str, allowed: fn(&Definition) -> bool) -> Result<Document, Refusal> {
    if tokens::is_blank(source) {
        return Ok(Document::new());
    }
    let document = Parser::new()
        .parse_ast(source, "graphql")
        .map_err(|e| Refusal::first_of(&e.errors))?;
    if let Some(unexpected) = document.definitions.iter().find(|d| !allowed(d)) {
        let start = unexpected.location().map_or(0, |l| l.offset());
        let before = &source[..start];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        let word: String = source[start..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let token = if word.is_empty() {
            source[start..].chars().next().unwrap_or(' ').to_string()
        } else {
            format!("Name \"{word}\"")
        };
        return Err(Refusal(format!(
            "Unexpected {token} in GraphQL string at location {line}:{column}"
        )));
    }
    Ok(document)
}

fn is_executable(definition: &Definition) -> bool {
    definition.is_executable_definition()
}

fn is_type_system(definition: &Definition) -> bool {
    !definition.is_executable_definition()
}

fn query_ast(source: &str) -> Result<Json, Refusal> {
    let document = parse_document(source, is_executable)?;
    Ok(Converter::new(source).query_document(&document))
}

fn schema_ast(source: &str) -> Result<Json, Refusal> {
    let document = parse_document(source, is_type_system)?;
    Ok(Converter::new(source).schema_document(&document))
}

fn valid_schema(source: &str) -> Result<Valid<Schema>, Refusal> {
    if tokens::is_blank(source) {
        return Ok(Valid::assume_valid(Schema::new()));
    }
    parse_document(source, is_type_system)?;
    Schema::parse_and_validate(source, "schema.graphql").map_err(|e| Refusal::first_of(&e.errors))
}

fn validate_query(schema: &Valid<Schema>, source: &str) -> Result<(), Refusal> {
    if tokens::is_blank(source) {
        return Ok(());
    }
    ExecutableDocument::parse_and_validate(schema, source, "query.graphql")
        .map(|_| ())
        .map_err(|e| Refusal::first_of(&e.errors))
}

/// The query's and the schema's ASTs when the query is valid against the schema.
fn verified(query: &str, schema: &str) -> Result<(Json, Json), Refusal> {
    let query_json = query_ast(query)?;
    let schema_json = schema_ast(schema)?;
    let schema = valid_schema(schema)?;
    validate_query(&schema, query)?;
    Ok((query_json, schema_json))
}

/// An error when builtin errors are strict, else undefined, as OPA does.
fn refused(span: &Span, name: &str, refusal: Refusal, strict: bool) -> Result<Value> {
    if strict {
        bail!(span.error(&format!("{name}: {}", refusal.0)));
    }
    Ok(Value::Undefined)
}

fn operand_type_error(span: &Span, name: &str, position: usize, value: &Value) -> Result<Value> {
    bail!(span.error(&format!(
        "{name}: operand {position} must be one of {{object, string}} but got {}",
        builtins::types::get_type(value)
    )))
}

fn parse(span: &Span, params: &[Ref<Expr>], args: &[Value], strict: bool) -> Result<Value> {
    let name = "graphql.parse";
    ensure_args_count(span, name, params, args, 2)?;
    let Some(query) = source_of(&args[0], from_object::query_source) else {
        return operand_type_error(span, name, 1, &args[0]);
    };
    let Some(schema) = source_of(&args[1], from_object::schema_source) else {
        return operand_type_error(span, name, 2, &args[1]);
    };
    let (query, schema) = match (query, schema) {
        (Ok(q), Ok(s)) => (q, s),
        (Err(e), _) | (_, Err(e)) => return refused(span, name, Refusal(e.to_string()), strict),
    };
    match verified(&query, &schema) {
        Ok((q, s)) => Ok(Value::from(Vec::from([Value::from(q), Value::from(s)]))),
        Err(refusal) => refused(span, name, refusal, strict),
    }
}

fn parse_and_verify(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    ensure_args_count(span, "graphql.parse_and_verify", params, args, 2)?;
    let query = source_of(&args[0], from_object::query_source).and_then(Result::ok);
    let schema = source_of(&args[1], from_object::schema_source).and_then(Result::ok);
    let answer = match (query, schema) {
        (Some(q), Some(s)) => verified(&q, &s).ok(),
        _ => None,
    };
    Ok(Value::from(match answer {
        Some((q, s)) => Vec::from([Value::from(true), Value::from(q), Value::from(s)]),
        None => Vec::from([Value::from(false), Value::new_object(), Value::new_object()]),
    }))
}

fn parse_query(span: &Span, params: &[Ref<Expr>], args: &[Value], strict: bool) -> Result<Value> {
    let name = "graphql.parse_query";
    ensure_args_count(span, name, params, args, 1)?;
    let query = ensure_string(name, &params[0], &args[0])?;
    match query_ast(&query) {
        Ok(ast) => Ok(Value::from(ast)),
        Err(refusal) => refused(span, name, refusal, strict),
    }
}

fn parse_schema(span: &Span, params: &[Ref<Expr>], args: &[Value], strict: bool) -> Result<Value> {
    let name = "graphql.parse_schema";
    ensure_args_count(span, name, params, args, 1)?;
    let schema = ensure_string(name, &params[0], &args[0])?;
    match schema_ast(&schema) {
        Ok(ast) => Ok(Value::from(ast)),
        Err(refusal) => refused(span, name, refusal, strict),
    }
}

fn is_valid(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    ensure_args_count(span, "graphql.is_valid", params, args, 2)?;
    let query = source_of(&args[0], from_object::query_source).and_then(Result::ok);
    let schema = source_of(&args[1], from_object::schema_source).and_then(Result::ok);
    Ok(Value::from(match (query, schema) {
        (Some(q), Some(s)) => parse_document(&q, is_executable).is_ok()
            && valid_schema(&s).is_ok_and(|schema| validate_query(&schema, &q).is_ok()),
        _ => false,
    }))
}

fn schema_is_valid(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    ensure_args_count(span, "graphql.schema_is_valid", params, args, 1)?;
    let schema = source_of(&args[0], from_object::schema_source).and_then(Result::ok);
    Ok(Value::from(schema.is_some_and(|s| valid_schema(&s).is_ok())))
}
