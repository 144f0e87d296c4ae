// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! GraphQL source text from a document given as an object in OPA's AST shape (as
//! `graphql.parse_query` / `graphql.parse_schema` return it), so that it can be parsed and
//! validated like a string. OPA reads such objects with Go's `encoding/json` into
//! gqlparser's structs: absent fields are empty, and every selection of a query object
//! reads as a field (gqlparser's `UnmarshalSelectionSet` tries `Field` first, which any
//! object fits). Comments are not kept.

use alloc::format;
use alloc::string::{String, ToString};

use anyhow::{bail, Result};
use serde_json::Value as Json;

fn text<'j>(object: &'j Json, key: &str) -> Result<&'j str> {
    match object.get(key) {
        None | Some(Json::Null) => Ok(""),
        Some(Json::String(s)) => Ok(s),
        Some(other) => bail!("json: cannot unmarshal {other} into Go struct field {key} of type string"),
    }
}

fn items<'j>(object: &'j Json, key: &str) -> Result<&'j [Json]> {
    match object.get(key) {
        None | Some(Json::Null) => Ok(&[]),
        Some(Json::Array(items)) => Ok(items),
        Some(other) => bail!("json: cannot unmarshal {other} into Go struct field {key} of type array"),
    }
}

fn flag(object: &Json, key: &str) -> bool {
    object.get(key).and_then(Json::as_bool).unwrap_or(false)
}

fn quoted(s: &str) -> String {
    Json::String(s.to_string()).to_string()
}

/// The source of a query document object.
pub fn query_source(document: &Json) -> Result<String> {
    let mut out = String::new();
    for op in items(document, "Operations")? {
        let operation = match text(op, "Operation")? {
            "" => "query",
            other => other,
        };
        out += &format!("{operation} {}", text(op, "Name")?);
        out += &variable_definitions(items(op, "VariableDefinitions")?)?;
        out += &directives(op)?;
        out += &selection_set(op)?;
        out.push('\n');
    }
    for fragment in items(document, "Fragments")? {
        out += &format!("fragment {}", text(fragment, "Name")?);
        out += &variable_definitions(items(fragment, "VariableDefinition")?)?;
        out += &format!(" on {}", text(fragment, "TypeCondition")?);
        out += &directives(fragment)?;
        out += &selection_set(fragment)?;
        out.push('\n');
    }
    Ok(out)
}

fn variable_definitions(definitions: &[Json]) -> Result<String> {
    if definitions.is_empty() {
        return Ok(String::new());
    }
    let mut out = String::from("(");
    for v in definitions {
        out += &format!("${}: {}", text(v, "Variable")?, ty(v.get("Type"))?);
        if let Some(default) = v.get("DefaultValue").filter(|d| !d.is_null()) {
            out += &format!(" = {}", value(default)?);
        }
        out += &directives(v)?;
        out.push(' ');
    }
    Ok(out + ")")
}

fn selection_set(parent: &Json) -> Result<String> {
    let selections = items(parent, "SelectionSet")?;
    if selections.is_empty() {
        return Ok(String::new());
    }
    let mut out = String::from(" {");
    for field in selections {
        let (alias, name) = (text(field, "Alias")?, text(field, "Name")?);
        out.push(' ');
        if !alias.is_empty() && alias != name {
            out += &format!("{alias}: ");
        }
        out += name;
        out += &arguments(field)?;
        out += &directives(field)?;
        out += &selection_set(field)?;
    }
    Ok(out + " }")
}

fn directives(parent: &Json) -> Result<String> {
    let mut out = String::new();
    for d in items(parent, "Directives")? {
        out += &format!(" @{}{}", text(d, "Name")?, arguments(d)?);
    }
    Ok(out)
}

fn arguments(parent: &Json) -> Result<String> {
    let args = items(parent, "Arguments")?;
    if args.is_empty() {
        return Ok(String::new());
    }
    let mut out = String::from("(");
    for a in args {
        out += &format!("{}: {} ", text(a, "Name")?, value(a.get("Value").unwrap_or(&Json::Null))?);
    }
    Ok(out + ")")
}

fn value(v: &Json) -> Result<String> {
    let raw = text(v, "Raw")?;
    let children = items(v, "Children")?;
    let child = |c: &Json| value(c.get("Value").unwrap_or(&Json::Null));
    Ok(match v.get("Kind").and_then(Json::as_u64).unwrap_or(0) {
        0 => format!("${raw}"),
        3 | 4 => quoted(raw),
        6 => "null".to_string(),
        8 => {
            let mut out = String::from("[");
            for c in children {
                out += &child(c)?;
                out.push(' ');
            }
            out + "]"
        }
        9 => {
            let mut out = String::from("{");
            for c in children {
                out += &format!("{}: {} ", text(c, "Name")?, child(c)?);
            }
            out + "}"
        }
        _ => raw.to_string(),
    })
}

fn ty(t: Option<&Json>) -> Result<String> {
    let Some(t) = t.filter(|t| !t.is_null()) else {
        return Ok(String::new());
    };
    let inner = match t.get("Elem").filter(|e| !e.is_null()) {
        Some(elem) => format!("[{}]", ty(Some(elem))?),
        None => text(t, "NamedType")?.to_string(),
    };
    Ok(if flag(t, "NonNull") { inner + "!" } else { inner })
}

fn description(object: &Json) -> Result<String> {
    Ok(match text(object, "Description")? {
        "" => String::new(),
        d => quoted(d) + " ",
    })
}

/// The source of a schema document object.
pub fn schema_source(document: &Json) -> Result<String> {
    let mut out = String::new();
    for (key, prefix) in [("Schema", ""), ("SchemaExtension", "extend ")] {
        for schema in items(document, key)? {
            out += &format!("{}{prefix}schema{}", description(schema)?, directives(schema)?);
            let operations = items(schema, "OperationTypes")?;
            if !operations.is_empty() {
                out += " {";
                for op in operations {
                    out += &format!(" {}: {}", text(op, "Operation")?, text(op, "Type")?);
                }
                out += " }";
            }
            out.push('\n');
        }
    }
    for d in items(document, "Directives")? {
        out += &format!("{}directive @{}", description(d)?, text(d, "Name")?);
        out += &argument_definitions(d)?;
        if flag(d, "IsRepeatable") {
            out += " repeatable";
        }
        out += " on";
        for (i, location) in items(d, "Locations")?.iter().enumerate() {
            let separator = if i == 0 { " " } else { " | " };
            out += &format!("{separator}{}", location.as_str().unwrap_or(""));
        }
        out.push('\n');
    }
    for (key, prefix) in [("Definitions", ""), ("Extensions", "extend ")] {
        for definition in items(document, key)? {
            out += &type_definition(definition, prefix)?;
            out.push('\n');
        }
    }
    Ok(out)
}

fn type_definition(d: &Json, prefix: &str) -> Result<String> {
    let kind = text(d, "Kind")?;
    let keyword = match kind {
        "SCALAR" => "scalar",
        "OBJECT" => "type",
        "INTERFACE" => "interface",
        "UNION" => "union",
        "ENUM" => "enum",
        "INPUT_OBJECT" => "input",
        other => bail!("unknown definition kind {other:?}"),
    };
    let mut out = format!("{}{prefix}{keyword} {}", description(d)?, text(d, "Name")?);
    let interfaces = items(d, "Interfaces")?;
    for (i, interface) in interfaces.iter().enumerate() {
        let separator = if i == 0 { " implements " } else { " & " };
        out += &format!("{separator}{}", interface.as_str().unwrap_or(""));
    }
    out += &directives(d)?;
    for (i, member) in items(d, "Types")?.iter().enumerate() {
        let separator = if i == 0 { " = " } else { " | " };
        out += &format!("{separator}{}", member.as_str().unwrap_or(""));
    }
    let fields = items(d, "Fields")?;
    if !fields.is_empty() {
        out += " {";
        for f in fields {
            out += &format!(" {}{}", description(f)?, text(f, "Name")?);
            out += &argument_definitions(f)?;
            out += &format!(": {}", ty(f.get("Type"))?);
            if let Some(default) = f.get("DefaultValue").filter(|v| !v.is_null()) {
                out += &format!(" = {}", value(default)?);
            }
            out += &directives(f)?;
        }
        out += " }";
    }
    let values = items(d, "EnumValues")?;
    if !values.is_empty() {
        out += " {";
        for v in values {
            out += &format!(" {}{}{}", description(v)?, text(v, "Name")?, directives(v)?);
        }
        out += " }";
    }
    Ok(out)
}

fn argument_definitions(parent: &Json) -> Result<String> {
    let args = items(parent, "Arguments")?;
    if args.is_empty() {
        return Ok(String::new());
    }
    let mut out = String::from("(");
    for a in args {
        out += &format!("{}{}: {}", description(a)?, text(a, "Name")?, ty(a.get("Type"))?);
        if let Some(default) = a.get("DefaultValue").filter(|v| !v.is_null()) {
            out += &format!(" = {}", value(default)?);
        }
        out += &directives(a)?;
        out.push(' ');
    }
    Ok(out + ")")
}
