// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! The builtins OPA deprecated but still provides to v0 policies (`opa eval
//! --v0-compatible`, Gatekeeper's `rego:` templates): `re_match`, `any`, `all`,
//! `set_diff` and the `cast_*` functions. Gatekeeper library templates written before
//! their replacements (`regex.match`, comprehensions, `s1 - s2`) still use them.

#![allow(clippy::pattern_type_mismatch)]

use crate::ast::{Expr, Ref};
use crate::builtins;
use crate::builtins::utils::{ensure_args_count, ensure_set};
use crate::lexer::Span;
use crate::value::Value;
use crate::*;

use anyhow::{bail, Result};

/// The names of OPA's deprecated builtins, which only v0 policies may call.
pub const NAMES: &[&str] = &[
    "re_match",
    "any",
    "all",
    "set_diff",
    "cast_array",
    "cast_set",
    "cast_string",
    "cast_boolean",
    "cast_null",
    "cast_object",
    "net.cidr_overlap",
];

pub fn register(m: &mut builtins::BuiltinsMap<&'static str, builtins::BuiltinFcn>) {
    #[cfg(feature = "regex")]
    m.insert("re_match", (re_match, 2));
    m.insert("any", (any, 1));
    m.insert("all", (all, 1));
    m.insert("set_diff", (set_diff, 2));
    m.insert("cast_array", (cast_array, 1));
    m.insert("cast_set", (cast_set, 1));
    m.insert("cast_string", (cast_string, 1));
    m.insert("cast_boolean", (cast_boolean, 1));
    m.insert("cast_null", (cast_null, 1));
    m.insert("cast_object", (cast_object, 1));
}

/// `re_match(pattern, value)`: `regex.match` under its old name.
#[cfg(feature = "regex")]
fn re_match(span: &Span, params: &[Ref<Expr>], args: &[Value], strict: bool) -> Result<Value> {
    builtins::regex::regex_match(span, params, args, strict)
}

fn type_error(name: &str, param: &Ref<Expr>, v: &Value, expected: &str) -> anyhow::Error {
    anyhow::anyhow!(param
        .span()
        .error(format!("`{name}` expects {expected} argument. Got `{v}` instead").as_str()))
}

/// Whether every (`all`) or some (`!all`) element of an array or set is `true`.
fn quantify(
    name: &'static str,
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
    every: bool,
) -> Result<Value> {
    ensure_args_count(span, name, params, args, 1)?;
    let is_true = |v: &Value| *v == Value::Bool(true);
    Ok(Value::Bool(match &args[0] {
        Value::Array(a) if every => a.iter().all(is_true),
        Value::Array(a) => a.iter().any(is_true),
        Value::Set(s) if every => s.iter().all(is_true),
        Value::Set(s) => s.iter().any(is_true),
        v => return Err(type_error(name, &params[0], v, "array or set")),
    }))
}

fn any(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    quantify("any", span, params, args, false)
}

fn all(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    quantify("all", span, params, args, true)
}

fn set_diff(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    let name = "set_diff";
    ensure_args_count(span, name, params, args, 2)?;
    let s1 = ensure_set(name, &params[0], args[0].clone())?;
    let s2 = ensure_set(name, &params[1], args[1].clone())?;
    Ok(Value::from(s1.difference(&s2)))
}

fn cast_array(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    let name = "cast_array";
    ensure_args_count(span, name, params, args, 1)?;
    match &args[0] {
        Value::Array(_) => Ok(args[0].clone()),
        Value::Set(s) => Ok(Value::from(
            s.iter_sorted().cloned().collect::<Vec<Value>>(),
        )),
        v => Err(type_error(name, &params[0], v, "array or set")),
    }
}

fn cast_set(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    let name = "cast_set";
    ensure_args_count(span, name, params, args, 1)?;
    match &args[0] {
        Value::Set(_) => Ok(args[0].clone()),
        Value::Array(a) => Ok(Value::from(
            a.iter()
                .cloned()
                .collect::<alloc::collections::BTreeSet<Value>>(),
        )),
        v => Err(type_error(name, &params[0], v, "array or set")),
    }
}

/// `cast_string`, `cast_boolean`, `cast_null`, `cast_object`: the value itself when it
/// has the type, an error otherwise.
fn cast_to(
    name: &'static str,
    expected: &str,
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
) -> Result<Value> {
    ensure_args_count(span, name, params, args, 1)?;
    let ok = matches!(
        (expected, &args[0]),
        ("string", Value::String(_))
            | ("boolean", Value::Bool(_))
            | ("null", Value::Null)
            | ("object", Value::Object(_))
    );
    if !ok {
        bail!(type_error(name, &params[0], &args[0], expected));
    }
    Ok(args[0].clone())
}

fn cast_string(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    cast_to("cast_string", "string", span, params, args)
}

fn cast_boolean(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    cast_to("cast_boolean", "boolean", span, params, args)
}

fn cast_null(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    cast_to("cast_null", "null", span, params, args)
}

fn cast_object(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    cast_to("cast_object", "object", span, params, args)
}
