// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! `internal.template_string`, which a template string (`$"Hello {input.name}!"`) is parsed
//! into. Its one argument is an array of the string's parts: each text as a string, each
//! literal scalar as itself, each other expression as the set of its values.

use crate::ast::{Expr, Ref};
use crate::builtins::types::get_type;
use crate::builtins::utils::{ensure_args_count, ensure_array};
use crate::lexer::Span;
use crate::value::Value;
use crate::*;

use anyhow::{bail, Result};

use super::rego_string;

const NAME: &str = "internal.template_string";

/// The parts joined, each as OPA's `internal.template_string` writes it: a string as it is,
/// another scalar in Rego syntax, an expression's one value likewise, an expression with no
/// value as `<undefined>`. An expression with several values is an error.
pub(super) fn template_string(
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
    _strict: bool,
) -> Result<Value> {
    ensure_args_count(span, NAME, params, args, 1)?;
    let parts = ensure_array(NAME, &params[0], args[0].clone())?;
    let mut out = String::new();
    let mut several_values = false;
    for part in parts.iter() {
        match part {
            Value::Set(values) => {
                let mut values = values.iter();
                match (values.next(), values.next()) {
                    (None, _) => out.push_str("<undefined>"),
                    (Some(value), None) => push_value(&mut out, value),
                    (Some(_), Some(_)) => several_values = true,
                }
            }
            Value::Array(_) | Value::Object(_) | Value::Undefined => {
                bail!(span.error(&format!("illegal argument type: {}", get_type(part))))
            }
            scalar => push_value(&mut out, scalar),
        }
    }
    if several_values {
        bail!(span.error("template-strings must not produce multiple outputs"));
    }
    Ok(Value::from(out))
}

fn push_value(out: &mut String, value: &Value) {
    match value {
        Value::String(s) => out.push_str(s),
        other => out.push_str(&rego_string(other)),
    }
}
