// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

use crate::ast::{Expr, Ref};
use crate::builtins;
use crate::builtins::utils::ensure_args_count;
use crate::*;

use crate::lexer::Span;
use crate::value::Value;

use alloc::collections::BTreeMap;

use anyhow::Result;

pub fn register(m: &mut builtins::BuiltinsMap<&'static str, builtins::BuiltinFcn>) {
    m.insert("opa.runtime", (opa_runtime, 0));
}

/// The OPA version `opa.runtime().version` reports: that of the OPA conftest v0.71.1 embeds,
/// whose policies regorus runs unchanged.
const OPA_VERSION: &str = "1.21.1";

/// `opa.runtime()`: OPA's keys for a process started without a configuration file
/// (`commit`, `env`, `version`), with `env` empty: a policy must not be able to read, and
/// so print, the environment's variables (tokens, credentials).
fn opa_runtime(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    ensure_args_count(span, "opa.runtime", params, args, 0)?;
    let mut obj = BTreeMap::new();
    obj.insert(Value::from("commit"), Value::from(""));
    obj.insert(Value::from("env"), Value::new_object());
    obj.insert(Value::from("version"), Value::from(OPA_VERSION));
    Ok(Value::from_map(obj))
}
