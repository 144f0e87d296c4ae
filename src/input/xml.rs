//! XML files, through `roxmltree` (a small, dependency-free, read-only XML tree with
//! limits against entity-expansion attacks), shaped as conftest's parser (goxml2json)
//! shapes them: an element is `{"-attribute": "...", "#content": "text", "child": ...}`,
//! or just its text when it has neither attributes nor children; repeated children
//! become an array; every value is a string. An element's text is its last run of text
//! (goxml2json keeps the last one it reads), trimmed.

use serde_json::{Map, Value};

use super::MAX_NESTING;

/// More nodes than any configuration file has; bounds the tree's memory.
const MAX_NODES: u32 = 10_000_000;

/// Parses an XML document.
pub fn parse(text: &str) -> Result<Value, (Option<usize>, String)> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| (Some(e.pos().row as usize), e.to_string()))?;
    let root = document.root_element();
    let mut top = Map::new();
    top.insert(root.tag_name().name().to_owned(), element(root, 0)?);
    Ok(Value::Object(top))
}

fn element(node: roxmltree::Node, depth: usize) -> Result<Value, (Option<usize>, String)> {
    if depth > MAX_NESTING {
        let line = node.document().text_pos_at(node.range().start).row as usize;
        return Err((
            Some(line),
            format!("elements nest more than {MAX_NESTING} deep"),
        ));
    }
    let mut children: Map<String, Value> = Map::new();
    let mut add = |name: String, value: Value| match children.get_mut(&name) {
        Some(Value::Array(items)) => items.push(value),
        Some(first) => *first = Value::Array(vec![first.take(), value]),
        None => {
            children.insert(name, value);
        }
    };
    // Namespace declarations are attributes to goxml2json.
    for (name, uri) in declared_namespaces(node) {
        add(format!("-{name}"), Value::String(uri));
    }
    for attribute in node.attributes() {
        add(
            format!("-{}", attribute.name()),
            Value::String(attribute.value().to_owned()),
        );
    }
    let mut text = String::new();
    for child in node.children() {
        if child.is_element() {
            add(
                child.tag_name().name().to_owned(),
                element(child, depth + 1)?,
            );
        } else if child.is_text() {
            text = trim_non_graphic(child.text().unwrap_or_default()).to_owned();
        }
    }
    if children.is_empty() {
        return Ok(Value::String(text));
    }
    if !text.is_empty() {
        children.insert("#content".to_owned(), Value::String(text));
    }
    Ok(Value::Object(children))
}

/// The namespaces this element declares (`xmlns` or `xmlns:prefix`), by the name Go
/// gives the attribute (`xmlns`, or the prefix): those in scope here but not in the
/// parent's scope with the same URI.
fn declared_namespaces(node: roxmltree::Node) -> Vec<(String, String)> {
    let inherited: Vec<(Option<&str>, &str)> = node
        .parent_element()
        .map(|p| p.namespaces().map(|n| (n.name(), n.uri())).collect())
        .unwrap_or_default();
    node.namespaces()
        .filter(|n| n.name() != Some("xml"))
        .filter(|n| !inherited.contains(&(n.name(), n.uri())))
        .map(|n| (n.name().unwrap_or("xmlns").to_owned(), n.uri().to_owned()))
        .collect()
}

/// Text without leading and trailing spaces and invisible characters, as goxml2json
/// trims it.
fn trim_non_graphic(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn elements_attributes_and_text_as_goxml2json() {
        let doc = parse(
            "<?xml version=\"1.0\"?>\n<project xmlns=\"urn:x\" version=\"4\">\n  \
             <name attr=\"x\">demo</name>\n  <count>3</count>\n  <dep><id>a</id></dep>\n  \
             <dep><id>b</id></dep>\n  <empty/>\n  <mixed a=\"1\">text<b>c</b></mixed>\n\
             <amp>a &amp; b</amp>\n</project>\n",
        )
        .unwrap();
        assert_eq!(
            doc,
            json!({"project": {"-version": "4", "-xmlns": "urn:x", "count": "3",
                "dep": [{"id": "a"}, {"id": "b"}], "empty": "",
                "mixed": {"#content": "text", "-a": "1", "b": "c"},
                "name": {"#content": "demo", "-attr": "x"}, "amp": "a & b"}})
        );
    }

    #[test]
    fn malformed_and_deep_documents_are_errors() {
        assert_eq!(parse("<a>\n<b></a>").unwrap_err().0, Some(2));
        let deep = format!("{}{}", "<a>".repeat(1000), "</a>".repeat(1000));
        assert!(parse(&deep).is_err());
    }
}
