// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! `json.match_schema`'s error objects as OPA gives them: OPA validates with gojsonschema
//! and reports each error as `{"error", "type", "field", "desc"}`, with gojsonschema's type
//! names and English descriptions, the field as a dotted path (`(Root)` for the document,
//! array indexes as numbers) and `error` as `field: desc`.

use crate::value::Value;
use crate::*;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use jsonschema::error::{TypeKind, ValidationErrorKind as Kind};
use jsonschema::ValidationError;

/// The dotted field of a JSON pointer (`/a/0/b` is `a.0.b`, `` is `(Root)`).
fn field_of(pointer: &str) -> String {
    if pointer.is_empty() {
        return "(Root)".to_string();
    }
    pointer
        .split('/')
        .skip(1)
        .map(|part| part.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

fn json_text(value: &serde_json::Value) -> String {
    value.to_string()
}

/// gojsonschema's name of an instance's type.
fn given_type(instance: &serde_json::Value) -> &'static str {
    match instance {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        serde_json::Value::Number(n) if n.as_f64().is_some_and(|f| f == f.trunc()) => "integer",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// The expected types as written in the schema (`[string,null]` for several).
fn expected_types(kind: &TypeKind, schema: &serde_json::Value, schema_path: &str) -> String {
    if let Some(serde_json::Value::Array(types)) = schema.pointer(schema_path) {
        let names: Vec<String> = types
            .iter()
            .map(|t| t.as_str().unwrap_or_default().to_string())
            .collect();
        return format!("[{}]", names.join(","));
    }
    match kind {
        TypeKind::Single(t) => t.as_str().to_string(),
        TypeKind::Multiple(set) => {
            let names: Vec<&str> = set.iter().map(|t| t.as_str()).collect();
            format!("[{}]", names.join(","))
        }
    }
}

fn number_text(value: &serde_json::Value) -> String {
    json_text(value)
}

/// One validation error as OPA's object.
pub fn describe(error: &ValidationError<'_>, schema: &serde_json::Value) -> Value {
    let mut field = field_of(error.instance_path().as_str());
    let instance = error.instance();
    let (kind, desc) = match error.kind() {
        Kind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| json_text(property), str::to_string);
            ("required", format!("{name} is required"))
        }
        Kind::AdditionalProperties { unexpected } => (
            "additional_property_not_allowed",
            format!(
                "Additional property {} is not allowed",
                unexpected.first().cloned().unwrap_or_default()
            ),
        ),
        Kind::Type { kind } => (
            "invalid_type",
            format!(
                "Invalid type. Expected: {}, given: {}",
                expected_types(kind, schema, error.schema_path().as_str()),
                given_type(instance)
            ),
        ),
        Kind::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()
                .map(|o| o.iter().map(json_text).collect())
                .unwrap_or_default();
            (
                "enum",
                format!(
                    "{field} must be one of the following: {}",
                    allowed.join(", ")
                ),
            )
        }
        Kind::Constant { expected_value } => (
            "const",
            format!("{field} does not match: {}", json_text(expected_value)),
        ),
        Kind::Minimum { limit } => (
            "number_gte",
            format!("Must be greater than or equal to {}", number_text(limit)),
        ),
        Kind::Maximum { limit } => (
            "number_lte",
            format!("Must be less than or equal to {}", number_text(limit)),
        ),
        Kind::ExclusiveMinimum { limit } => (
            "number_gt",
            format!("Must be greater than {}", number_text(limit)),
        ),
        Kind::ExclusiveMaximum { limit } => (
            "number_lt",
            format!("Must be less than {}", number_text(limit)),
        ),
        Kind::MultipleOf { multiple_of } => {
            let multiple = serde_json::Number::from_f64(*multiple_of)
                .map(|n| {
                    if multiple_of.fract() == 0.0 {
                        format!("{multiple_of:.0}")
                    } else {
                        n.to_string()
                    }
                })
                .unwrap_or_default();
            ("multiple_of", format!("Must be a multiple of {multiple}"))
        }
        Kind::MinLength { limit } => (
            "string_gte",
            format!("String length must be greater than or equal to {limit}"),
        ),
        Kind::MaxLength { limit } => (
            "string_lte",
            format!("String length must be less than or equal to {limit}"),
        ),
        Kind::Pattern { pattern } => ("pattern", format!("Does not match pattern '{pattern}'")),
        Kind::Format { format } => ("format", format!("Does not match format '{format}'")),
        Kind::MinItems { limit } => (
            "array_min_items",
            format!("Array must have at least {limit} items"),
        ),
        Kind::MaxItems { limit } => (
            "array_max_items",
            format!("Array must have at most {limit} items"),
        ),
        Kind::UniqueItems => ("unique", unique_items(instance)),
        Kind::MinProperties { limit } => (
            "array_min_properties",
            format!("Must have at least {limit} properties"),
        ),
        Kind::MaxProperties { limit } => (
            "array_max_properties",
            format!("Must have at most {limit} properties"),
        ),
        Kind::AnyOf { .. } => (
            "number_any_of",
            "Must validate at least one schema (anyOf)".to_string(),
        ),
        Kind::OneOfNotValid { .. } | Kind::OneOfMultipleValid { .. } => (
            "number_one_of",
            "Must validate one and only one schema (oneOf)".to_string(),
        ),
        Kind::Not { .. } => (
            "number_not",
            "Must not validate the schema (not)".to_string(),
        ),
        Kind::FalseSchema => ("false", "False always fails validation".to_string()),
        Kind::Contains => (
            "contains",
            "At least one of the items must match".to_string(),
        ),
        Kind::AdditionalItems { .. } => (
            "array_no_additional_items",
            "No additional items allowed on array".to_string(),
        ),
        _ => ("invalid", error.to_string()),
    };
    if field.is_empty() {
        field = "(Root)".to_string();
    }
    let mut object = BTreeMap::new();
    object.insert(Value::from("desc"), Value::from(desc.clone()));
    object.insert(
        Value::from("error"),
        Value::from(format!("{field}: {desc}")),
    );
    object.insert(Value::from("field"), Value::from(field));
    object.insert(Value::from("type"), Value::from(kind));
    Value::from_map(object)
}

/// gojsonschema names the first two equal items: `array items[0,1] must be unique`.
fn unique_items(instance: &serde_json::Value) -> String {
    if let serde_json::Value::Array(items) = instance {
        for (i, a) in items.iter().enumerate() {
            if let Some(j) = items[i + 1..].iter().position(|b| b == a) {
                return format!("array items[{i},{}] must be unique", i + 1 + j);
            }
        }
    }
    "array items must be unique".to_string()
}
