//! Kubernetes structural schemas, the subset a ConstraintTemplate's
//! `openAPIV3Schema` uses: what Gatekeeper checks of a template's schema when it makes
//! the Constraint's CRD, then of each Constraint against that CRD (validation, unknown
//! fields, defaults), with the API server's error texts.
//!
//! Handled: `type`, `properties`, `items`, `additionalProperties`, `required`, `enum`,
//! `nullable`, `default`, `pattern`, `minimum`/`maximum` (and their exclusive forms),
//! `multipleOf`, `minLength`/`maxLength`, `minItems`/`maxItems`, `uniqueItems`,
//! `minProperties`/`maxProperties`, the combinators `allOf`, `anyOf`, `oneOf` and `not`,
//! `x-kubernetes-preserve-unknown-fields` and `x-kubernetes-int-or-string`. `format` is
//! not checked. Numbers compare by value, and a whole float (`2.0`) is an integer, as in
//! Kubernetes' OpenAPI validator.
//!
//! A JSON Schema crate does not fit: these are Kubernetes' own rules (unknown fields are
//! an error unless preserved, defaults are applied, `int-or-string`), and a Suite that
//! expects a Constraint to be rejected is written against the API server's messages.

use serde_json::{Map, Value};

/// Types a structural schema may name.
const TYPES: &[&str] = &["array", "boolean", "integer", "number", "object", "string"];

fn flag(schema: &Value, key: &str) -> bool {
    schema.get(key).and_then(Value::as_bool) == Some(true)
}

fn type_of(schema: &Value) -> &str {
    schema.get("type").and_then(Value::as_str).unwrap_or("")
}

fn properties(schema: &Value) -> Option<&Map<String, Value>> {
    schema.get("properties").and_then(Value::as_object)
}

fn items(schema: &Value) -> Option<&Value> {
    schema.get("items").filter(|i| i.is_object())
}

fn additional(schema: &Value) -> Option<&Value> {
    schema.get("additionalProperties").filter(|a| a.is_object())
}

/// The schema of an object's field `key`: its own property, else `additionalProperties`.
fn field_schema<'a>(schema: &'a Value, key: &str) -> Option<&'a Value> {
    properties(schema)
        .and_then(|p| p.get(key))
        .or_else(|| additional(schema))
}

/// The field path of `key` in the object at `path` (`""`: the root).
fn field_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// What a v1beta1 template's `legacySchema: true` does to its schema: every object (or
/// untyped) node keeps unknown fields, and an array without an item schema gets one
/// that keeps anything.
pub fn preserve_unknown_fields(schema: &mut Value) {
    let Some(node) = schema.as_object_mut() else {
        return;
    };
    match node.get("type").and_then(Value::as_str).unwrap_or("") {
        "" | "object" => {
            node.insert(
                "x-kubernetes-preserve-unknown-fields".into(),
                Value::Bool(true),
            );
        }
        "array" if !node.get("items").is_some_and(Value::is_object) => {
            node.insert(
                "items".into(),
                serde_json::json!({"x-kubernetes-preserve-unknown-fields": true}),
            );
        }
        _ => {}
    }
    if let Some(props) = node.get_mut("properties").and_then(Value::as_object_mut) {
        for child in props.values_mut() {
            preserve_unknown_fields(child);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(child) = node.get_mut(key).filter(|c| c.is_object()) {
            preserve_unknown_fields(child);
        }
    }
}

/// The structural-schema errors of a template's parameters schema, as the API server
/// reports them for the generated CRD (`path` names the schema node,
/// `spec.validation.openAPIV3Schema.properties[spec].properties[parameters]`).
pub fn structural_errors(schema: &Value, path: &str, what: &str, out: &mut Vec<String>) {
    let preserved = flag(schema, "x-kubernetes-preserve-unknown-fields")
        || flag(schema, "x-kubernetes-int-or-string");
    match schema.get("type") {
        Some(Value::String(t)) if t.is_empty() && !preserved => out.push(format!(
            "{path}.type: Required value: must not be empty for specified {what}"
        )),
        Some(Value::String(t)) if !t.is_empty() && !TYPES.contains(&t.as_str()) => {
            out.push(format!(
                "{path}.type: Unsupported value: {}: supported values: {}",
                quote(t),
                TYPES
                    .iter()
                    .map(|t| quote(t))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
        None if !preserved => out.push(format!(
            "{path}.type: Required value: must not be empty for specified {what}"
        )),
        _ => {}
    }
    if let Some(props) = properties(schema) {
        for (name, child) in props {
            structural_errors(
                child,
                &format!("{path}.properties[{name}]"),
                "object fields",
                out,
            );
        }
    }
    if let Some(child) = items(schema) {
        structural_errors(child, &format!("{path}.items"), "array items", out);
    }
    if let Some(child) = additional(schema) {
        structural_errors(
            child,
            &format!("{path}.additionalProperties"),
            "object fields",
            out,
        );
    }
}

/// Go's `%q` of a string (close enough: JSON's escaping).
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A value as a Kubernetes field error prints it.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// The JSON type name the OpenAPI validator reports for a value.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "" => true,
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "number" => v.is_number(),
        "integer" => is_integer(v),
        _ => true,
    }
}

/// An integer, or a float without a fraction (the OpenAPI validator's `isFloatInt`).
fn is_integer(v: &Value) -> bool {
    match v {
        Value::Number(n) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

/// JSON equality, numbers by value (`1` equals `1.0`), for `enum` and `uniqueItems`.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Checks `value` against `schema`; `path` is the value's field path (`spec.parameters`).
/// Errors are the API server's field errors, in the order it finds them.
pub fn validate(schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    let field = if path.is_empty() {
        "[]".to_owned()
    } else {
        format!("[].{path}")
    };
    if value.is_null() && flag(schema, "nullable") {
        return;
    }
    if flag(schema, "x-kubernetes-int-or-string") {
        if !(value.is_string() || value.is_i64() || value.is_u64()) {
            out.push(format!(
                "{field}: Invalid value: {}: {path} in body must be of type integer or string: {}",
                quote(json_type(value)),
                quote(json_type(value))
            ));
        }
        return;
    }
    let t = type_of(schema);
    if !type_matches(t, value) {
        let got = json_type(value);
        out.push(format!(
            "{field}: Invalid value: {}: {path} in body must be of type {t}: {}",
            quote(got),
            quote(got)
        ));
        return;
    }
    check_enum(schema, value, &field, out);
    match value {
        Value::Number(n) => check_number(schema, n, value, &field, path, out),
        Value::String(s) => check_string(schema, s, value, &field, path, out),
        Value::Array(list) => check_array(schema, list, &field, path, out),
        Value::Object(map) => check_object(schema, map, &field, path, out),
        _ => {}
    }
    combinators(schema, value, path, out);
}

/// `enum`: the value must be one of those listed.
fn check_enum(schema: &Value, value: &Value, field: &str, out: &mut Vec<String>) {
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.iter().any(|a| same(a, value))
    {
        let values: Vec<String> = allowed
            .iter()
            .map(|a| match a {
                Value::String(s) => quote(s),
                other => quote(&other.to_string()),
            })
            .collect();
        out.push(format!(
            "{field}: Unsupported value: {}: supported values: {}",
            shown(value),
            values.join(", ")
        ));
    }
}

/// An array's size, uniqueness and items.
fn check_array(schema: &Value, list: &[Value], field: &str, path: &str, out: &mut Vec<String>) {
    let bounds = ("maxItems", "minItems", "items");
    check_count(schema, list.len(), bounds, field, path, out);
    if flag(schema, "uniqueItems")
        && list
            .iter()
            .enumerate()
            .any(|(i, a)| list[..i].iter().any(|b| same(a, b)))
    {
        out.push(format!(
            "{field}: Duplicate value: {path} in body shouldn't contain duplicates"
        ));
    }
    if let Some(item_schema) = items(schema) {
        for (i, item) in list.iter().enumerate() {
            validate(item_schema, item, &format!("{path}[{i}]"), out);
        }
    }
}

/// An object's size, required fields and fields.
fn check_object(
    schema: &Value,
    map: &Map<String, Value>,
    field: &str,
    path: &str,
    out: &mut Vec<String>,
) {
    let bounds = ("maxProperties", "minProperties", "properties");
    check_count(schema, map.len(), bounds, field, path, out);
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !map.contains_key(name) {
            out.push(format!("{field}.{name}: Required value"));
        }
    }
    for (key, child) in map {
        let child_path = field_path(path, key);
        if let Some(s) = field_schema(schema, key) {
            validate(s, child, &child_path, out);
        }
    }
}

/// `allOf`, `anyOf`, `oneOf` and `not`, with the OpenAPI validator's words (the API
/// server reports them on the object's root).
fn combinators(schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    let passes = |sub: &Value| {
        let mut e = Vec::new();
        validate(sub, value, path, &mut e);
        e.is_empty()
    };
    let list = |key: &str| schema.get(key).and_then(Value::as_array);
    let report = |what: String, out: &mut Vec<String>| {
        out.push(format!("[]: Invalid value: \"\": {} {what}", quote(path)))
    };
    if let Some(subs) = list("allOf") {
        let before = out.len();
        for sub in subs {
            validate(sub, value, path, out);
        }
        if out.len() > before {
            report("must validate all the schemas (allOf)".into(), out);
        }
    }
    if let Some(subs) = list("anyOf")
        && !subs.iter().any(passes)
    {
        report("must validate at least one schema (anyOf)".into(), out);
    }
    if let Some(subs) = list("oneOf") {
        let n = subs.iter().filter(|s| passes(s)).count();
        if n != 1 {
            let why = if n == 0 {
                "Found none valid".to_owned()
            } else {
                format!("Found {n} valid alternatives")
            };
            report(
                format!("must validate one and only one schema (oneOf). {why}"),
                out,
            );
        }
    }
    if let Some(not) = schema.get("not").filter(|n| n.is_object())
        && passes(not)
    {
        report("must not validate the schema (not)".into(), out);
    }
}

/// `maxItems`/`minItems` or `maxProperties`/`minProperties`, in the API server's words
/// (it says "items" for too many of either).
fn check_count(
    schema: &Value,
    n: usize,
    (max_key, min_key, noun): (&str, &str, &str),
    field: &str,
    path: &str,
    out: &mut Vec<String>,
) {
    let n = n as u64;
    if let Some(max) = schema.get(max_key).and_then(Value::as_u64)
        && n > max
    {
        let word = if max == 1 { "item" } else { "items" };
        out.push(format!(
            "{field}: Too many: {n}: must have at most {max} {word}"
        ));
    }
    if let Some(min) = schema.get(min_key).and_then(Value::as_u64)
        && n < min
    {
        out.push(format!(
            "{field}: Invalid value: {n}: {path} in body should have at least {min} {noun}"
        ));
    }
}

fn check_number(
    schema: &Value,
    n: &serde_json::Number,
    value: &Value,
    field: &str,
    path: &str,
    out: &mut Vec<String>,
) {
    let x = n.as_f64().unwrap_or(0.0);
    multiple_of(schema, x, value, field, path, out);
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
        let exclusive = flag(schema, "exclusiveMaximum");
        if x > max || (exclusive && x == max) {
            let how = if exclusive {
                "less than"
            } else {
                "less than or equal to"
            };
            out.push(format!(
                "{field}: Invalid value: {}: {path} in body should be {how} {}",
                shown(value),
                number(&schema["maximum"])
            ));
        }
    }
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        let exclusive = flag(schema, "exclusiveMinimum");
        if x < min || (exclusive && x == min) {
            let how = if exclusive {
                "greater than"
            } else {
                "greater than or equal to"
            };
            out.push(format!(
                "{field}: Invalid value: {}: {path} in body should be {how} {}",
                shown(value),
                number(&schema["minimum"])
            ));
        }
    }
}

fn multiple_of(
    schema: &Value,
    x: f64,
    value: &Value,
    field: &str,
    path: &str,
    out: &mut Vec<String>,
) {
    if let Some(m) = schema.get("multipleOf").and_then(Value::as_f64)
        && m > 0.0
        && (x / m).fract() != 0.0
    {
        out.push(format!(
            "{field}: Invalid value: {}: {path} in body should be a multiple of {}",
            shown(value),
            number(&schema["multipleOf"])
        ));
    }
}

fn number(v: &Value) -> String {
    v.to_string()
}

fn check_string(
    schema: &Value,
    s: &str,
    value: &Value,
    field: &str,
    path: &str,
    out: &mut Vec<String>,
) {
    let chars = s.chars().count() as u64;
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
        && chars > max
    {
        let word = if max == 1 { "byte" } else { "bytes" };
        out.push(format!(
            "{field}: Too long: may not be more than {max} {word}"
        ));
    }
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
        && chars < min
    {
        out.push(format!(
            "{field}: Invalid value: {}: {path} in body should be at least {min} chars long",
            shown(value)
        ));
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        // Go's regexp (RE2) and the regex crate agree on the syntax schemas use.
        let matched = regex::Regex::new(pattern).map(|re| re.is_match(s));
        if matched.is_ok_and(|m| !m) {
            out.push(format!(
                "{field}: Invalid value: {}: {path} in body should match '{pattern}'",
                shown(value)
            ));
        }
    }
}

/// The fields of `value` its schema does not know and does not preserve (what the API
/// server would prune), as dotted paths from `path`, sorted.
pub fn unknown_fields(schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    let preserve = flag(schema, "x-kubernetes-preserve-unknown-fields");
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = field_path(path, key);
                if let Some(s) = field_schema(schema, key) {
                    unknown_fields(s, child, &child_path, out);
                } else if !preserve {
                    out.push(child_path);
                }
            }
        }
        Value::Array(list) => {
            if let Some(s) = items(schema) {
                for (i, item) in list.iter().enumerate() {
                    unknown_fields(s, item, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// Fills in the schema's `default`s for fields the value lacks, as the API server does
/// before storing an object.
pub fn apply_defaults(schema: &Value, value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(props) = properties(schema) {
                for (key, child) in props {
                    if let Some(default) = child.get("default")
                        && (!map.contains_key(key)
                            || (map[key].is_null() && !flag(child, "nullable")))
                    {
                        map.insert(key.clone(), default.clone());
                    }
                }
            }
            for (key, child) in map.iter_mut() {
                if let Some(s) = field_schema(schema, key) {
                    apply_defaults(s, child);
                }
            }
        }
        Value::Array(list) => {
            if let Some(s) = items(schema) {
                for item in list {
                    apply_defaults(s, item);
                }
            }
        }
        _ => {}
    }
}

/// Kubernetes' aggregate of several errors: one as it is, more in brackets.
pub fn aggregate(errors: &[String]) -> String {
    match errors {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(schema: Value, value: Value) -> Vec<String> {
        let mut out = Vec::new();
        validate(&schema, &value, "spec.parameters", &mut out);
        out
    }

    #[test]
    fn types_enums_bounds_and_patterns_give_the_api_servers_messages() {
        let schema = json!({"type": "object", "properties": {
            "labels": {"type": "array", "items": {"type": "string"}},
            "mode": {"type": "string", "enum": ["a", "b"]},
            "count": {"type": "integer", "minimum": 1, "maximum": 5},
            "obj": {"type": "object", "required": ["x"], "properties": {"x": {"type": "string", "pattern": "^[a-z]+$"}}},
        }});
        assert_eq!(
            errors(schema.clone(), json!({"labels": "a"})),
            [
                "[].spec.parameters.labels: Invalid value: \"string\": spec.parameters.labels in body must be of type array: \"string\""
            ]
        );
        assert_eq!(
            errors(schema.clone(), json!({"mode": "c"})),
            ["[].spec.parameters.mode: Unsupported value: \"c\": supported values: \"a\", \"b\""]
        );
        assert_eq!(
            errors(schema.clone(), json!({"count": 9})),
            [
                "[].spec.parameters.count: Invalid value: 9: spec.parameters.count in body should be less than or equal to 5"
            ]
        );
        assert_eq!(
            errors(schema.clone(), json!({"obj": {}})),
            ["[].spec.parameters.obj.x: Required value"]
        );
        assert_eq!(
            errors(schema.clone(), json!({"obj": {"x": "ABC"}})),
            [
                "[].spec.parameters.obj.x: Invalid value: \"ABC\": spec.parameters.obj.x in body should match '^[a-z]+$'"
            ]
        );
        assert!(
            errors(
                schema,
                json!({"labels": ["a"], "mode": "b", "count": 2, "obj": {"x": "y"}})
            )
            .is_empty()
        );
    }

    #[test]
    fn unknown_fields_are_those_neither_described_nor_preserved() {
        let schema = json!({"type": "object", "properties": {
            "known": {"type": "string"},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
            "map": {"type": "object", "additionalProperties": {"type": "object", "properties": {"a": {"type": "string"}}}},
        }});
        let mut out = Vec::new();
        let value =
            json!({"known": "x", "free": {"any": 1}, "map": {"k": {"a": "x", "b": 1}}, "nope": 1});
        unknown_fields(&schema, &value, "spec.parameters", &mut out);
        assert_eq!(out, ["spec.parameters.map.k.b", "spec.parameters.nope"]);
    }

    #[test]
    fn defaults_fill_missing_fields_only() {
        let schema = json!({"type": "object", "properties": {
            "mode": {"type": "string", "default": "a"},
            "list": {"type": "array", "items": {"type": "object", "properties": {"on": {"type": "boolean", "default": true}}}},
        }});
        let mut value = json!({"list": [{}, {"on": false}]});
        apply_defaults(&schema, &mut value);
        assert_eq!(
            value,
            json!({"mode": "a", "list": [{"on": true}, {"on": false}]})
        );
        let mut set = json!({"mode": "b"});
        apply_defaults(&schema, &mut set);
        assert_eq!(set["mode"], "b");
    }

    #[test]
    fn an_untyped_field_is_not_structural_unless_it_preserves_unknown_fields() {
        let mut out = Vec::new();
        let schema = json!({"properties": {"x": {"properties": {"y": {"type": "string"}}}, "z": {"type": "foo"}}});
        structural_errors(&schema, "p", "object fields", &mut out);
        assert_eq!(out.len(), 3, "{out:?}");
        assert!(out[0].starts_with("p.type: Required value"));
        let mut legacy = schema.clone();
        preserve_unknown_fields(&mut legacy);
        let mut out = Vec::new();
        structural_errors(&legacy, "p", "object fields", &mut out);
        assert_eq!(out.len(), 1, "only the unsupported type remains: {out:?}");
    }

    #[test]
    fn combinators_counts_and_multiples_are_checked() {
        let one_of = json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
        assert!(errors(one_of.clone(), json!("a")).is_empty());
        assert!(
            errors(one_of, json!(true))[0]
                .ends_with("must validate one and only one schema (oneOf). Found none valid")
        );
        let any_of = json!({"anyOf": [{"type": "string", "maxLength": 1}, {"type": "string", "pattern": "^x"}]});
        assert!(errors(any_of.clone(), json!("xyz")).is_empty());
        assert_eq!(errors(any_of, json!("abc")).len(), 1);
        let all_of = json!({"allOf": [{"type": "integer", "minimum": 1}, {"type": "integer", "maximum": 3}]});
        assert!(errors(all_of.clone(), json!(2)).is_empty());
        assert_eq!(
            errors(all_of, json!(5)).len(),
            2,
            "the failing one and allOf"
        );
        let not = json!({"not": {"type": "string"}});
        assert!(errors(not.clone(), json!(1)).is_empty());
        assert!(errors(not, json!("s"))[0].ends_with("must not validate the schema (not)"));
        let counted = json!({"type": "object", "minProperties": 1, "maxProperties": 2});
        assert!(errors(counted.clone(), json!({"a": 1})).is_empty());
        assert_eq!(errors(counted.clone(), json!({})).len(), 1);
        assert_eq!(errors(counted, json!({"a": 1, "b": 2, "c": 3})).len(), 1);
        let even = json!({"type": "number", "multipleOf": 2});
        assert!(errors(even.clone(), json!(4)).is_empty());
        assert!(errors(even, json!(3))[0].ends_with("should be a multiple of 2"));
        let levels = json!({"type": "integer", "enum": [1, 2]});
        assert!(
            errors(levels, json!(2.0)).is_empty(),
            "numbers compare by value"
        );
    }
}
