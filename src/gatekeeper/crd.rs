//! A Constraint checked against the CRD that Gatekeeper makes from its ConstraintTemplate,
//! as the constraint framework does before it accepts the Constraint.
//!
//! The CRD's schema is `metadata.name` (at most 63 characters), and under `spec`: `match`
//! (Gatekeeper's match schema), `enforcementAction` (a string, default `deny`),
//! `scopedEnforcementActions`, and `parameters`: the template's
//! `spec.crd.spec.validation.openAPIV3Schema`. Templates of `v1beta1`/`v1alpha1` default
//! to `legacySchema: true`, which lets every object level keep fields the schema does not
//! name; `v1` defaults to `false`.
//!
//! Two kinds of rejection are told apart, because a suite's `invalid: true` test expects
//! exactly one of them: a value the schema does not allow (a wrong type, an enum or pattern
//! not met, a bound crossed) is [`Rejection::Schema`], Gatekeeper's "schema validation
//! failed"; anything else (a field the schema does not know, a bad name, a kind without
//! template) is [`Rejection::Invalid`].
//!
//! Accepted Constraints get the schema's `default:` values filled in, as Gatekeeper does
//! before the template sees `input.parameters`.

use serde_json::{Map, Value, json};

/// Why a Constraint was not accepted.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    /// A value the schema does not allow ("schema validation failed").
    Schema(String),
    /// Any other reason ("invalid Constraint").
    Invalid(String),
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::Schema(why) => write!(f, "schema validation failed: {why}"),
            Rejection::Invalid(why) => write!(f, "invalid Constraint: {why}"),
        }
    }
}

/// The constraint group and the versions its CRD serves.
const GROUP: &str = "constraints.gatekeeper.sh";
const VERSIONS: &[&str] = &["v1beta1", "v1alpha1"];

/// The schema of `spec.match`, written from Gatekeeper's published Match type: the
/// namespace and name globs only take `*` at either end of lowercase names, and `source`
/// is one of three words.
fn match_schema() -> Value {
    let glob = json!({"type": "string", "pattern": r"^\*?[-:a-z0-9]*\*?$"});
    let selector = json!({
        "type": "object",
        "properties": {
            "matchExpressions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["key", "operator"],
                    "properties": {
                        "key": {"type": "string"},
                        "operator": {"type": "string"},
                        "values": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    });
    json!({
        "type": "object",
        "properties": {
            "excludedNamespaces": {"type": "array", "items": glob},
            "namespaces": {"type": "array", "items": glob},
            "name": glob,
            "kinds": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "apiGroups": {"type": "array", "items": {"type": "string"}},
                        "kinds": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "labelSelector": selector,
            "namespaceSelector": selector,
            "scope": {"type": "string"},
            "source": {"type": "string", "enum": ["All", "Generated", "Original"]},
        },
    })
}

/// The schema of a Constraint of this ConstraintTemplate (a document as read).
pub fn constraint_schema(template: &Value) -> Value {
    let version = template
        .get("apiVersion")
        .and_then(Value::as_str)
        .and_then(|a| a.split_once('/'))
        .map_or("", |(_, v)| v);
    let validation = template.pointer("/spec/crd/spec/validation");
    let legacy = validation
        .and_then(|v| v.get("legacySchema"))
        .and_then(Value::as_bool)
        .unwrap_or(version != "v1");
    let mut parameters = validation
        .and_then(|v| v.get("openAPIV3Schema"))
        .filter(|s| !s.is_null())
        .cloned();
    if legacy && parameters.is_none() {
        parameters = Some(json!({}));
    }
    if legacy && let Some(p) = parameters.as_mut() {
        preserve_unknown_fields(p);
    }
    let mut spec = json!({
        "match": match_schema(),
        "enforcementAction": {"type": "string", "default": "deny"},
        "scopedEnforcementActions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "action": {"type": "string"},
                    "enforcementPoints": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"name": {"type": "string"}}},
                    },
                },
            },
        },
    });
    if let Some(p) = parameters {
        spec["parameters"] = p;
    }
    json!({
        "type": "object",
        "properties": {
            "metadata": {
                "type": "object",
                "properties": {"name": {"type": "string", "maxLength": 63}},
            },
            "spec": {"type": "object", "properties": spec},
            "status": {"x-kubernetes-preserve-unknown-fields": true},
        },
    })
}

/// `legacySchema`: every level typed as an object, or untyped, keeps unknown fields; an
/// array without an item schema gets one that keeps everything.
fn preserve_unknown_fields(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    match obj.get("type").and_then(Value::as_str).unwrap_or("") {
        "" | "object" => {
            obj.insert(
                "x-kubernetes-preserve-unknown-fields".into(),
                Value::Bool(true),
            );
        }
        "array" if !obj.get("items").is_some_and(Value::is_object) => {
            obj.insert(
                "items".into(),
                json!({"x-kubernetes-preserve-unknown-fields": true}),
            );
        }
        _ => {}
    }
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        props.values_mut().for_each(preserve_unknown_fields);
    }
    if let Some(items) = obj.get_mut("items") {
        preserve_unknown_fields(items);
    }
    if let Some(extra) = obj.get_mut("additionalProperties")
        && extra.is_object()
    {
        preserve_unknown_fields(extra);
    }
}

/// Checks a Constraint against its template's CRD (`template_kind`, `schema` from
/// [`constraint_schema`]), in the framework's order: metadata, selectors, name, kind,
/// group and version, the schema, then unknown fields.
pub fn validate(constraint: &Value, template_kind: &str, schema: &Value) -> Result<(), Rejection> {
    let name = constraint
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.is_empty() {
        return Err(Rejection::Invalid("missing metadata.name".into()));
    }
    let kind = constraint.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind.is_empty() {
        return Err(Rejection::Invalid("missing kind".into()));
    }
    let api_version = constraint
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    if group != GROUP {
        return Err(Rejection::Invalid(format!(
            "wrong API group {group:?} for Constraint {name:?}, need {GROUP:?}"
        )));
    }
    if kind != template_kind {
        return Err(Rejection::Invalid(format!(
            "template {:?} not found (the constraint's kind is {kind}, the template's {template_kind})",
            kind.to_lowercase()
        )));
    }
    for key in ["labelSelector", "namespaceSelector"] {
        if let Some(selector) = constraint
            .pointer(&format!("/spec/match/{key}"))
            .filter(|s| !s.is_null())
        {
            check_selector(selector).map_err(|why| Rejection::Invalid(format!("{key}: {why}")))?;
        }
    }
    if !is_dns_subdomain(name) {
        return Err(Rejection::Invalid(format!(
            "invalid name {name:?}: must be a lowercase RFC 1123 subdomain"
        )));
    }
    if !VERSIONS.contains(&version) {
        return Err(Rejection::Invalid(format!(
            "unsupported version {version:?} for Constraint {name:?}; supported: v1beta1, v1alpha1"
        )));
    }
    let mut errors = Vec::new();
    check(constraint, schema, "", &mut errors);
    if !errors.is_empty() {
        return Err(Rejection::Schema(errors.join(", ")));
    }
    let mut unknown = Vec::new();
    unknown_fields(constraint, Some(schema), "", true, &mut unknown);
    if !unknown.is_empty() {
        unknown.sort();
        return Err(Rejection::Invalid(format!(
            "unknown fields: [{}]",
            unknown.join(" ")
        )));
    }
    Ok(())
}

/// A label selector's own rules (Kubernetes' ValidateLabelSelector): known operators,
/// values only with In/NotIn and then at least one.
fn check_selector(selector: &Value) -> Result<(), String> {
    let Some(obj) = selector.as_object() else {
        return Err("must be an object".into());
    };
    if let Some(labels) = obj.get("matchLabels").filter(|v| !v.is_null()) {
        let Some(labels) = labels.as_object() else {
            return Err("matchLabels must be a map of strings".into());
        };
        if labels.values().any(|v| !v.is_string()) {
            return Err("matchLabels must be a map of strings".into());
        }
    }
    for expr in obj
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let values = expr
            .get("values")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        match expr.get("operator").and_then(Value::as_str).unwrap_or("") {
            "In" | "NotIn" if values == 0 => {
                return Err("values must be non-empty for In and NotIn".into());
            }
            "Exists" | "DoesNotExist" if values > 0 => {
                return Err("values must be empty for Exists and DoesNotExist".into());
            }
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => return Err(format!("{other:?} is not a valid selector operator")),
        }
    }
    Ok(())
}

fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
        })
}

fn at(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_integer(v: &Value) -> bool {
    match v {
        Value::Number(n) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

fn has_type(v: &Value, ty: &str) -> bool {
    match ty {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "number" => v.is_number(),
        "integer" => is_integer(v),
        _ => true,
    }
}

/// JSON equality, numbers by value (`1` equals `1.0`).
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

/// OpenAPI v3 value validation, as Kubernetes applies a CRD's schema: every error found,
/// each naming its field.
fn check(v: &Value, s: &Value, path: &str, errors: &mut Vec<String>) {
    let Some(schema) = s.as_object() else {
        return;
    };
    let field = if path.is_empty() { "<root>" } else { path };
    let flag = |key: &str| schema.get(key).and_then(Value::as_bool) == Some(true);
    if v.is_null() {
        if !flag("nullable")
            && let Some(ty) = schema.get("type").and_then(Value::as_str)
        {
            errors.push(format!(
                "{field}: Invalid value: null: must be of type {ty}"
            ));
        }
        return;
    }
    if flag("x-kubernetes-int-or-string") {
        if !(is_integer(v) || v.is_string()) {
            errors.push(format!(
                "{field}: Invalid value: {}: must be an integer or a string",
                type_name(v)
            ));
            return;
        }
    } else if let Some(ty) = schema.get("type").and_then(Value::as_str)
        && !has_type(v, ty)
    {
        errors.push(format!(
            "{field}: Invalid type: expected {ty}, got {}",
            type_name(v)
        ));
        return;
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.iter().any(|o| same(o, v))
    {
        let shown: Vec<String> = options.iter().map(Value::to_string).collect();
        errors.push(format!(
            "{field}: Unsupported value: {v}: supported values: {}",
            shown.join(", ")
        ));
    }
    match v {
        Value::String(text) => check_string(text, schema, field, errors),
        Value::Number(_) => check_number(v, schema, field, errors),
        Value::Array(items) => {
            let count = items.len() as u64;
            if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
                && count < min
            {
                errors.push(format!("{field}: should have at least {min} items"));
            }
            if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
                && count > max
            {
                errors.push(format!("{field}: may have at most {max} items"));
            }
            if flag("uniqueItems")
                && items
                    .iter()
                    .enumerate()
                    .any(|(i, a)| items[..i].iter().any(|b| same(a, b)))
            {
                errors.push(format!("{field}: shouldn't contain duplicates"));
            }
            if let Some(item) = schema.get("items") {
                for (i, x) in items.iter().enumerate() {
                    check(x, item, &format!("{path}[{i}]"), errors);
                }
            }
        }
        Value::Object(map) => check_object(map, schema, path, errors),
        _ => {}
    }
    for sub in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        check(v, sub, path, errors);
    }
    let passing = |key: &str| {
        schema.get(key).and_then(Value::as_array).map(|subs| {
            subs.iter()
                .filter(|sub| {
                    let mut e = Vec::new();
                    check(v, sub, path, &mut e);
                    e.is_empty()
                })
                .count()
        })
    };
    if passing("anyOf") == Some(0) {
        errors.push(format!(
            "{field}: must validate at least one schema (anyOf)"
        ));
    }
    if let Some(n) = passing("oneOf")
        && n != 1
    {
        errors.push(format!(
            "{field}: must validate one and only one schema (oneOf)"
        ));
    }
    if let Some(not) = schema.get("not") {
        let mut e = Vec::new();
        check(v, not, path, &mut e);
        if e.is_empty() {
            errors.push(format!("{field}: must not validate the schema (not)"));
        }
    }
}

fn check_string(text: &str, schema: &Map<String, Value>, field: &str, errors: &mut Vec<String>) {
    let length = text.chars().count() as u64;
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
        && length > max
    {
        errors.push(format!(
            "{field}: Too long: may not be more than {max} bytes"
        ));
    }
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
        && length < min
    {
        errors.push(format!("{field}: should be at least {min} chars long"));
    }
    // A pattern Rust's regex cannot read (a look-around) is not checked: Kubernetes'
    // own patterns are ECMA 262, and the template is not ours to reject for it.
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
        && let Ok(re) = regex::Regex::new(pattern)
        && !re.is_match(text)
    {
        errors.push(format!("{field}: should match '{pattern}'"));
    }
}

fn check_number(v: &Value, schema: &Map<String, Value>, field: &str, errors: &mut Vec<String>) {
    let Some(x) = v.as_f64() else {
        return;
    };
    let exclusive = |key: &str| schema.get(key).and_then(Value::as_bool) == Some(true);
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        let below = if exclusive("exclusiveMinimum") {
            x <= min
        } else {
            x < min
        };
        if below {
            errors.push(format!("{field}: should be greater than or equal to {min}"));
        }
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
        let above = if exclusive("exclusiveMaximum") {
            x >= max
        } else {
            x > max
        };
        if above {
            errors.push(format!("{field}: should be less than or equal to {max}"));
        }
    }
    if let Some(m) = schema.get("multipleOf").and_then(Value::as_f64)
        && m > 0.0
        && (x / m).fract() != 0.0
    {
        errors.push(format!("{field}: should be a multiple of {m}"));
    }
}

fn check_object(
    map: &Map<String, Value>,
    schema: &Map<String, Value>,
    path: &str,
    errors: &mut Vec<String>,
) {
    let field = if path.is_empty() { "<root>" } else { path };
    for key in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !map.contains_key(key) {
            errors.push(format!("{}: Required value", at(path, key)));
        }
    }
    let count = map.len() as u64;
    if let Some(min) = schema.get("minProperties").and_then(Value::as_u64)
        && count < min
    {
        errors.push(format!("{field}: should have at least {min} properties"));
    }
    if let Some(max) = schema.get("maxProperties").and_then(Value::as_u64)
        && count > max
    {
        errors.push(format!("{field}: should have at most {max} properties"));
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    for (key, value) in map {
        // The object's own metadata is Kubernetes' to check, beyond the name's length.
        match properties.and_then(|p| p.get(key)) {
            Some(sub) => check(value, sub, &at(path, key), errors),
            None => match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => {
                    errors.push(format!("{}: Forbidden: not allowed", at(path, key)))
                }
                Some(sub @ Value::Object(_)) => check(value, sub, &at(path, key), errors),
                _ => {}
            },
        }
    }
}

/// The fields Kubernetes' structural pruning would drop: those no schema level names,
/// unless that level keeps unknown fields. At the root, `apiVersion`, `kind` and
/// `metadata` are the object's own.
fn unknown_fields(v: &Value, s: Option<&Value>, path: &str, root: bool, out: &mut Vec<String>) {
    let preserve = s
        .and_then(|s| s.get("x-kubernetes-preserve-unknown-fields"))
        .and_then(Value::as_bool)
        == Some(true);
    match v {
        Value::Object(map) => {
            let properties = s
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object);
            let extra = s
                .and_then(|s| s.get("additionalProperties"))
                .filter(|a| a.is_object());
            for (key, value) in map {
                if root && matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                let field = at(path, key);
                if let Some(sub) = properties.and_then(|p| p.get(key)) {
                    unknown_fields(value, Some(sub), &field, false, out);
                } else if let Some(sub) = extra {
                    unknown_fields(value, Some(sub), &field, false, out);
                } else if !preserve {
                    out.push(field);
                }
            }
        }
        Value::Array(items) => {
            let item = s.and_then(|s| s.get("items"));
            if item.is_none() && preserve {
                return;
            }
            for (i, x) in items.iter().enumerate() {
                unknown_fields(x, item, &format!("{path}[{i}]"), false, out);
            }
        }
        _ => {}
    }
}

/// Fills in the schema's `default:` values where a field is missing (or null without
/// `nullable`), then descends, as Kubernetes' structural defaulting does.
pub fn apply_defaults(v: &mut Value, s: &Value) {
    match v {
        Value::Object(map) => {
            let properties = s.get("properties").and_then(Value::as_object);
            for (key, prop) in properties.into_iter().flatten() {
                let Some(default) = prop.get("default") else {
                    continue;
                };
                let nullable = prop.get("nullable").and_then(Value::as_bool) == Some(true);
                let missing = match map.get(key) {
                    None => true,
                    Some(Value::Null) => !nullable,
                    Some(_) => false,
                };
                if missing && !default.is_null() {
                    map.insert(key.clone(), default.clone());
                }
            }
            for (key, value) in map.iter_mut() {
                if let Some(sub) = properties.and_then(|p| p.get(key)) {
                    apply_defaults(value, sub);
                } else if let Some(sub) = s.get("additionalProperties").filter(|a| a.is_object()) {
                    apply_defaults(value, sub);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = s.get("items") {
                items.iter_mut().for_each(|x| apply_defaults(x, item));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(version: &str, validation: Value) -> Value {
        json!({
            "apiVersion": format!("templates.gatekeeper.sh/{version}"),
            "kind": "ConstraintTemplate",
            "metadata": {"name": "k8sx"},
            "spec": {"crd": {"spec": {"names": {"kind": "K8sX"}, "validation": validation}}},
        })
    }

    fn constraint(spec: Value) -> Value {
        json!({
            "apiVersion": "constraints.gatekeeper.sh/v1beta1",
            "kind": "K8sX",
            "metadata": {"name": "x"},
            "spec": spec,
        })
    }

    fn verdict(t: &Value, c: &Value) -> Result<(), Rejection> {
        validate(c, "K8sX", &constraint_schema(t))
    }

    #[test]
    fn a_wrong_value_is_a_schema_error_and_an_unknown_field_is_not() {
        let typed = template(
            "v1",
            json!({"openAPIV3Schema": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}}}),
        );
        assert!(matches!(
            verdict(&typed, &constraint(json!({"parameters": {"n": "x"}}))),
            Err(Rejection::Schema(_))
        ));
        assert!(matches!(
            verdict(&typed, &constraint(json!({"parameters": {"n": 0}}))),
            Err(Rejection::Schema(_))
        ));
        assert!(matches!(
            verdict(&typed, &constraint(json!({"parameters": {"zzz": 1}}))),
            Err(Rejection::Invalid(_))
        ));
        assert!(matches!(
            verdict(&typed, &constraint(json!({"bogus": 1}))),
            Err(Rejection::Invalid(_))
        ));
        assert_eq!(
            verdict(&typed, &constraint(json!({"parameters": {"n": 3}}))),
            Ok(())
        );
    }

    #[test]
    fn legacy_schemas_keep_unknown_fields() {
        let legacy = template(
            "v1beta1",
            json!({"openAPIV3Schema": {"properties": {"n": {"type": "integer"}}}}),
        );
        assert_eq!(
            verdict(&legacy, &constraint(json!({"parameters": {"zzz": 1}}))),
            Ok(())
        );
        // v1 without a schema: parameters are not a field of the CRD at all.
        let bare = template("v1", Value::Null);
        assert!(matches!(
            verdict(&bare, &constraint(json!({"parameters": {"a": 1}}))),
            Err(Rejection::Invalid(_))
        ));
        let bare_legacy = template("v1beta1", Value::Null);
        assert_eq!(
            verdict(&bare_legacy, &constraint(json!({"parameters": {"a": 1}}))),
            Ok(())
        );
    }

    #[test]
    fn the_match_schema_checks_globs_and_source() {
        let t = template("v1", Value::Null);
        assert!(matches!(
            verdict(&t, &constraint(json!({"match": {"namespaces": ["Foo"]}}))),
            Err(Rejection::Schema(_))
        ));
        assert!(matches!(
            verdict(&t, &constraint(json!({"match": {"source": "Bogus"}}))),
            Err(Rejection::Schema(_))
        ));
        assert_eq!(
            verdict(
                &t,
                &constraint(json!({"match": {"namespaces": ["kube-*"], "source": "Generated"}}))
            ),
            Ok(())
        );
    }

    #[test]
    fn defaults_fill_missing_parameters() {
        let t = template(
            "v1",
            json!({"openAPIV3Schema": {"type": "object", "properties": {
                "n": {"type": "integer", "default": 7},
                "list": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "string", "default": "d"}}}},
            }}}),
        );
        let mut c = constraint(json!({"parameters": {"list": [{}, {"x": "y"}]}}));
        apply_defaults(&mut c, &constraint_schema(&t));
        assert_eq!(c["spec"]["parameters"]["n"], 7);
        assert_eq!(c["spec"]["parameters"]["list"][0]["x"], "d");
        assert_eq!(c["spec"]["parameters"]["list"][1]["x"], "y");
        assert_eq!(c["spec"]["enforcementAction"], "deny");
    }
}
