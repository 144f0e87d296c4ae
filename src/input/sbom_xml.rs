//! A CycloneDX BOM in XML, shaped as conftest gives it to policies. conftest decodes the XML
//! into the CycloneDX library's Go structs (cyclonedx-go) and encodes those as JSON, so the
//! result has the structs' JSON names, leaves out what their `omitempty` rules leave out,
//! keeps empty strings where they have none, and drops every element they have no field
//! for. The structs are described as data in `sbom_schema`; this file walks the XML tree
//! along that description with the decoding rules of Go's `encoding/xml`:
//! * an element matches a field by its local name, whatever its namespace;
//! * a text field is the element's own text (CDATA included, children's text not), as
//!   written, untrimmed; numbers and booleans are that text trimmed, parsed as Go parses;
//! * an optional value (a Go pointer) appears once its element does, a list once it has an
//!   item, a required one (a Go value) always, as `""`, `0` or `{...}` when absent;
//! * `bomFormat` is `""` and `specVersion` is `"SpecVersion(0)"`: conftest decodes the
//!   XML a second time without the library's step that sets them.

use roxmltree::Node;
use serde_json::{Map, Value};

use super::MAX_NESTING;
use super::ini::go_parse_float;
use super::sbom_schema::{BOM, Custom, Field, From, Kind, Shape, TOOL, component, license};

/// More nodes than any BOM has; bounds the tree's memory.
const MAX_NODES: u32 = 10_000_000;

type Failure = (Option<usize>, String);

/// Parses a CycloneDX BOM in XML into the JSON conftest makes of it.
pub fn parse(text: &str) -> Result<Value, Failure> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(text, options).map_err(|e| {
        (
            Some(e.pos().row as usize),
            format!("decode CycloneDX BOM: {e}"),
        )
    })?;
    let root = document.root_element();
    if root.tag_name().name() != "bom" {
        return Err((
            None,
            format!(
                "decode CycloneDX BOM: expected element type <bom> but have <{}>",
                root.tag_name().name()
            ),
        ));
    }
    let mut bom = Map::new();
    decode_struct(root, BOM, &mut bom, 0)?;
    bom.insert("bomFormat".to_owned(), Value::from(""));
    bom.insert("specVersion".to_owned(), Value::from("SpecVersion(0)"));
    Ok(Value::Object(bom))
}

fn line_of(node: Node) -> usize {
    node.document().text_pos_at(node.range().start).row as usize
}

fn failure(node: Node, message: String) -> Failure {
    (
        Some(line_of(node)),
        format!("decode CycloneDX BOM: {message}"),
    )
}

/// An element's own text, as Go's `encoding/xml` collects it for a text field.
fn own_text(node: Node) -> String {
    node.children()
        .filter(|child| child.is_text())
        .filter_map(|child| child.text())
        .collect()
}

fn elements<'a, 'input>(node: Node<'a, 'input>) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(|child| child.is_element())
}

/// The value of an attribute by local name; the last one wins, as in Go.
fn attribute<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes()
        .rev()
        .find(|a| a.name() == name)
        .map(|a| a.value())
}

/// Fills `object` with the fields of `fields` found in `node`, then completes it with the
/// required fields' zero values and removes empty optional strings.
fn decode_struct(
    node: Node,
    fields: &[Field],
    object: &mut Map<String, Value>,
    depth: usize,
) -> Result<(), Failure> {
    if depth > MAX_NESTING {
        return Err(failure(
            node,
            format!("elements nest more than {MAX_NESTING} deep"),
        ));
    }
    for attr in node.attributes() {
        let matching = fields
            .iter()
            .find(|f| matches!(f.from, From::Attr(name) if name == attr.name()));
        if let Some(field) = matching {
            let value = scalar(node, field.kind, attr.value())?;
            object.insert(field.json.to_owned(), value);
        }
    }
    if let Some(field) = fields.iter().find(|f| matches!(f.from, From::CharData)) {
        object.insert(field.json.to_owned(), Value::String(own_text(node)));
    }
    for child in elements(node) {
        let name = child.tag_name().name();
        let Some(field) = fields.iter().find(|f| match f.from {
            From::Child(n) | From::Wrapped(n, _) => n == name,
            _ => false,
        }) else {
            continue;
        };
        match field.from {
            From::Wrapped(_, item) => {
                for grandchild in elements(child).filter(|g| g.tag_name().name() == item) {
                    let value = decode_value(grandchild, field.kind, depth + 1)?;
                    push(object, field.json, value);
                }
            }
            _ if field.shape == Shape::Many => {
                let value = decode_value(child, field.kind, depth + 1)?;
                push(object, field.json, value);
            }
            _ => match field.kind {
                // A struct met twice is filled twice, as Go decodes into the one it has.
                Kind::Object(inner) => {
                    let slot = object
                        .entry(field.json.to_owned())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(existing) = slot {
                        decode_struct(child, inner(), existing, depth + 1)?;
                    }
                }
                kind => {
                    let value = decode_value(child, kind, depth + 1)?;
                    object.insert(field.json.to_owned(), value);
                }
            },
        }
    }
    complete(fields, object);
    Ok(())
}

fn push(object: &mut Map<String, Value>, key: &str, value: Value) {
    let slot = object
        .entry(key.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = slot {
        items.push(value);
    }
}

/// Zero values for the required fields that were absent; no empty optional strings.
fn complete(fields: &[Field], object: &mut Map<String, Value>) {
    for field in fields {
        match field.shape {
            Shape::Required if !object.contains_key(field.json) => {
                let zero = match field.kind {
                    Kind::Int => Value::from(0),
                    Kind::Object(inner) => {
                        let mut empty = Map::new();
                        complete(inner(), &mut empty);
                        Value::Object(empty)
                    }
                    _ => Value::from(""),
                };
                object.insert(field.json.to_owned(), zero);
            }
            Shape::OmitEmpty if object.get(field.json) == Some(&Value::from("")) => {
                object.remove(field.json);
            }
            _ => {}
        }
    }
}

/// One element's value, as the field's kind reads it.
fn decode_value(node: Node, kind: Kind, depth: usize) -> Result<Value, Failure> {
    match kind {
        Kind::Object(fields) => {
            let mut object = Map::new();
            decode_struct(node, fields(), &mut object, depth)?;
            Ok(Value::Object(object))
        }
        Kind::Custom(custom) => decode_custom(node, custom, depth),
        _ => scalar(node, kind, &own_text(node)),
    }
}

/// A text, number or boolean, parsed as Go's `encoding/xml` parses it.
fn scalar(node: Node, kind: Kind, text: &str) -> Result<Value, Failure> {
    let invalid = |what: &str| {
        failure(
            node,
            format!("strconv.{what}: parsing {text:?}: invalid syntax"),
        )
    };
    let trimmed = text.trim();
    Ok(match kind {
        Kind::Int if text.is_empty() => Value::from(0),
        Kind::Int => Value::from(trimmed.parse::<i64>().map_err(|_| invalid("ParseInt"))?),
        Kind::Float | Kind::Float32 if text.is_empty() => Value::from(0),
        Kind::Float => go_parse_float(trimmed)
            .and_then(super::go_number)
            .ok_or_else(|| invalid("ParseFloat"))?,
        // A float32 is printed with its own shortest digits, then read as a float64.
        Kind::Float32 => go_parse_float(trimmed)
            .map(|n| n as f32)
            .filter(|n| n.is_finite())
            .and_then(|n| n.to_string().parse::<f64>().ok())
            .and_then(super::go_number)
            .ok_or_else(|| invalid("ParseFloat"))?,
        Kind::Bool if text.is_empty() => Value::Bool(false),
        Kind::Bool => match trimmed {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Value::Bool(true),
            "0" | "f" | "F" | "FALSE" | "false" | "False" => Value::Bool(false),
            _ => return Err(invalid("ParseBool")),
        },
        _ => Value::String(text.to_owned()),
    })
}

fn decode_custom(node: Node, custom: Custom, depth: usize) -> Result<Value, Failure> {
    match custom {
        Custom::Licenses => licenses(node, depth),
        Custom::Tools => tools(node, depth),
        Custom::Dependency => Ok(dependency(node)),
        Custom::Evidence => evidence(node, depth),
        Custom::DataFlow => data_flow(node, depth),
        Custom::Reference => Ok(Value::from(attribute(node, "ref").unwrap_or(""))),
    }
}

fn unknown(node: Node) -> Failure {
    failure(node, format!("unknown element: {}", node.tag_name().name()))
}

fn object(pairs: impl IntoIterator<Item = (&'static str, Option<Value>)>) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .filter_map(|(key, value)| Some((key.to_owned(), value?)))
            .collect(),
    )
}

fn non_empty(text: &str) -> Option<Value> {
    (!text.is_empty()).then(|| Value::from(text))
}

/// `<licenses>`: a list of `license`, `expression` and `expression-detailed` choices; any
/// other element is an error. A license needs exactly one of an id and a name.
fn licenses(node: Node, depth: usize) -> Result<Value, Failure> {
    let mut choices = Vec::new();
    for child in elements(node) {
        let bom_ref = || non_empty(attribute(child, "bom-ref").unwrap_or(""));
        let acknowledgement = || non_empty(attribute(child, "acknowledgement").unwrap_or(""));
        let choice = match child.tag_name().name() {
            "expression" => object([
                ("expression", non_empty(&own_text(child))),
                ("bom-ref", bom_ref()),
                ("acknowledgement", acknowledgement()),
            ]),
            "expression-detailed" => {
                let mut details = Vec::new();
                for detail in elements(child).filter(|d| d.tag_name().name() == "details") {
                    details.push(expression_detail(detail, depth)?);
                }
                object([
                    (
                        "expression",
                        non_empty(attribute(child, "expression").unwrap_or("")),
                    ),
                    ("bom-ref", bom_ref()),
                    ("acknowledgement", acknowledgement()),
                    (
                        "expressionDetails",
                        (!details.is_empty()).then(|| Value::Array(details)),
                    ),
                ])
            }
            "license" => {
                let license = decode_value(child, Kind::Object(license), depth + 1)?;
                let has = |key| license.get(key).is_some();
                if has("id") == has("name") {
                    let both = if has("id") { ", not both" } else { "" };
                    return Err((
                        Some(line_of(child)),
                        format!("marshaling JSON error: license must have either id or name{both}"),
                    ));
                }
                object([("license", Some(license))])
            }
            _ => return Err(unknown(child)),
        };
        choices.push(choice);
    }
    Ok(Value::Array(choices))
}

fn expression_detail(detail: Node, depth: usize) -> Result<Value, Failure> {
    let text = elements(detail)
        .filter(|t| t.tag_name().name() == "text")
        .last()
        .map(|t| {
            decode_value(
                t,
                Kind::Object(super::sbom_schema::attached_text),
                depth + 2,
            )
        })
        .transpose()?;
    let url = elements(detail)
        .filter(|u| u.tag_name().name() == "url")
        .last()
        .map(own_text);
    Ok(object([
        (
            "licenseIdentifier",
            Some(Value::from(
                attribute(detail, "license-identifier").unwrap_or(""),
            )),
        ),
        ("text", text),
        ("url", url.as_deref().and_then(non_empty)),
    ]))
}

/// `<tools>`: the legacy list of `tool`s, or (CycloneDX 1.5) `components` and `services`.
/// JSON has no form for neither, so an empty `<tools/>` cannot be given.
fn tools(node: Node, depth: usize) -> Result<Value, Failure> {
    let mut legacy = Vec::new();
    let (mut components, mut services) = (Vec::new(), Vec::new());
    for child in elements(node) {
        match child.tag_name().name() {
            "tool" => legacy.push(decode_value(child, Kind::Object(TOOL), depth + 1)?),
            "components" => {
                components = items(child, "component", component, depth)?;
            }
            "services" => {
                services = items(child, "service", super::sbom_schema::service, depth)?;
            }
            _ => return Err(unknown(child)),
        }
    }
    let choice = !components.is_empty() || !services.is_empty();
    if !legacy.is_empty() && choice {
        return Err(failure(
            node,
            "either a list of tools, or an object holding components and services can be used, but not both".to_owned(),
        ));
    }
    if !legacy.is_empty() {
        return Ok(Value::Array(legacy));
    }
    if !choice {
        return Err((
            Some(line_of(node)),
            "marshaling JSON error: tools with no tool, component or service have no JSON form"
                .to_owned(),
        ));
    }
    Ok(object([
        (
            "components",
            (!components.is_empty()).then(|| Value::Array(components)),
        ),
        (
            "services",
            (!services.is_empty()).then(|| Value::Array(services)),
        ),
    ]))
}

fn items(
    node: Node,
    name: &str,
    fields: fn() -> &'static [Field],
    depth: usize,
) -> Result<Vec<Value>, Failure> {
    elements(node)
        .filter(|n| n.tag_name().name() == name)
        .map(|n| decode_value(n, Kind::Object(fields), depth + 2))
        .collect()
}

/// `<dependency ref="a"><dependency ref="b"/></dependency>`: `{"ref": "a", "dependsOn":
/// ["b"]}`; the nested ones' own dependencies are not kept.
fn dependency(node: Node) -> Value {
    let refs = |name: &str| {
        let refs: Vec<Value> = elements(node)
            .filter(|n| n.tag_name().name() == name)
            .map(|n| Value::from(attribute(n, "ref").unwrap_or("")))
            .collect();
        (!refs.is_empty()).then(|| Value::Array(refs))
    };
    object([
        (
            "ref",
            Some(Value::from(attribute(node, "ref").unwrap_or(""))),
        ),
        ("dependsOn", refs("dependency")),
        ("provides", refs("provides")),
    ])
}

/// A component's `<evidence>`: identities, occurrences, a call stack, licenses and
/// copyright texts; any other element is an error.
fn evidence(node: Node, depth: usize) -> Result<Value, Failure> {
    use super::sbom_schema::{callstack, evidence_identity, occurrence};
    let mut result = Map::new();
    let mut identities = Vec::new();
    for child in elements(node) {
        match child.tag_name().name() {
            "identity" => identities.push(decode_value(
                child,
                Kind::Object(evidence_identity),
                depth + 1,
            )?),
            "occurrences" => {
                let found = items(child, "occurrence", occurrence, depth)?;
                if !found.is_empty() {
                    result.insert("occurrences".to_owned(), Value::Array(found));
                }
            }
            "callstack" => {
                let stack = decode_value(child, Kind::Object(callstack), depth + 1)?;
                if stack.get("frames").is_some() {
                    result.insert("callstack".to_owned(), stack);
                }
            }
            "licenses" => {
                let found = licenses(child, depth + 1)?;
                if found.as_array().is_some_and(|l| !l.is_empty()) {
                    result.insert("licenses".to_owned(), found);
                }
            }
            "copyright" => {
                let texts: Vec<Value> = elements(child)
                    .filter(|t| t.tag_name().name() == "text")
                    .map(|t| object([("text", Some(Value::from(own_text(t))))]))
                    .collect();
                if !texts.is_empty() {
                    result.insert("copyright".to_owned(), Value::Array(texts));
                }
            }
            _ => return Err(unknown(child)),
        }
    }
    if !identities.is_empty() {
        result.insert("identity".to_owned(), Value::Array(identities));
    }
    Ok(Value::Object(result))
}

/// A service's `<dataflow>`: read from its `name` and `description` attributes and its
/// `classification` (with the `flow`), `governance`, `source` and `destination` children.
fn data_flow(node: Node, depth: usize) -> Result<Value, Failure> {
    let mut result = Map::new();
    result.insert("flow".to_owned(), Value::from(""));
    result.insert("classification".to_owned(), Value::from(""));
    for key in ["name", "description"] {
        if let Some(value) = attribute(node, key) {
            result.insert(key.to_owned(), Value::from(value));
        }
    }
    for child in elements(node) {
        let name = child.tag_name().name();
        match name {
            "classification" => {
                if let Some(flow) = attribute(child, "flow") {
                    result.insert("flow".to_owned(), Value::from(flow));
                }
                result.insert("classification".to_owned(), Value::from(own_text(child)));
            }
            "governance" => {
                let governance = decode_value(
                    child,
                    Kind::Object(super::sbom_schema::data_governance),
                    depth + 1,
                )?;
                result.insert("governance".to_owned(), governance);
            }
            "source" | "destination" => {
                let urls: Vec<Value> = elements(child)
                    .filter(|u| u.tag_name().name() == "url")
                    .map(|u| Value::from(own_text(u)))
                    .collect();
                if !urls.is_empty() {
                    result.insert(name.to_owned(), Value::Array(urls));
                }
            }
            _ => {}
        }
    }
    for key in ["name", "description"] {
        if result.get(key) == Some(&Value::from("")) {
            result.remove(key);
        }
    }
    Ok(Value::Object(result))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error(xml: &str) -> String {
        parse(xml).unwrap_err().1
    }

    #[test]
    fn fields_take_the_structs_json_names_and_zero_values() {
        let bom = parse(
            r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="2">
                 <components><component bom-ref="r"><purl>pkg:x</purl>
                   <hashes><hash alg="SHA-256">ab</hash></hashes>
                   <licenses><expression>MIT</expression></licenses>
                 </component></components>
                 <dependencies><dependency ref="r"><dependency ref="s"/></dependency></dependencies>
               </bom>"#,
        )
        .unwrap();
        assert_eq!(
            bom,
            json!({
                "bomFormat": "", "specVersion": "SpecVersion(0)", "version": 2,
                "components": [{
                    "bom-ref": "r", "type": "", "name": "", "purl": "pkg:x",
                    "hashes": [{"alg": "SHA-256", "content": "ab"}],
                    "licenses": [{"expression": "MIT"}]
                }],
                "dependencies": [{"ref": "r", "dependsOn": ["s"]}]
            })
        );
    }

    #[test]
    fn what_conftest_refuses_is_refused() {
        assert!(error("<project/>").contains("expected element type <bom>"));
        assert!(error("<bom version='x'/>").contains("ParseInt"));
        assert!(error("<bom><metadata><tools/></metadata></bom>").contains("tools"));
        let license = |inner: &str| {
            format!(
                "<bom><components><component><licenses>{inner}</licenses></component></components></bom>"
            )
        };
        assert!(error(&license("<license/>")).contains("either id or name"));
        assert!(
            error(&license("<license><id>a</id><name>b</name></license>")).contains("not both")
        );
        assert!(error(&license("<other/>")).contains("unknown element: other"));
        assert!(error("<bom><metadata>").contains("decode CycloneDX BOM"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let depth = 5_000;
        let xml = format!(
            "<bom>{}{}</bom>",
            "<components><component>".repeat(depth),
            "</component></components>".repeat(depth)
        );
        assert!(error(&xml).contains("nest more than"));
    }
}
