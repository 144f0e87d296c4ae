// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! YAML text as OPA's `yaml.marshal` writes it. OPA writes the value as Go's JSON, reads that
//! JSON back with go-yaml v3 into plain Go values, and encodes those with go-yaml v3 at an
//! indent of two. Each step shows in the text:
//!
//! * reading JSON as YAML makes every number an `int`, a `uint64` or, beyond 64 bits or
//!   with a fraction, a `float64` written as Go's `strconv` `'g'` form (`1e+06`,
//!   `5.5340232221128655e+19`); object keys are strings;
//! * the YAML reader refuses some characters JSON leaves raw (DEL, C1 controls, U+FFFE)
//!   and folds a raw U+0085 (NEL) as a line break;
//! * go-yaml sorts keys in its natural order (`a2` before `a10`), quotes strings that
//!   would read back as something else (`"yes"`, `"1"`, `"2001-12-14"`), chooses plain,
//!   single-quoted, double-quoted or literal style per string, never folds long lines,
//!   and indents sequences under their key.

mod document;
mod emitter;
mod go_float;
mod key_order;
mod plain_scalar;
mod scalar_style;
mod timestamp;

use crate::value::Value;

use alloc::string::String;

/// `value` as OPA's `yaml.marshal` text, or the message of the go-yaml error OPA gives.
pub fn to_go_yaml(value: &Value) -> Result<String, String> {
    let node = document::read_back(value)?;
    Ok(emitter::emit(&node))
}
