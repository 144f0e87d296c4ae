//! HCL2 native syntax (`docker-bake.hcl`, `*.hcl`, Terraform `*.tf`/`*.tfvars`), through
//! `hcl-edit` (the parser of the hcl-rs project; it keeps each expression's place in the
//! source, and bounds nesting). The document is what conftest's parser (hcl2json) gives:
//! a block `type "a" "b" { ... }` becomes `{"type": {"a": {"b": [{...}]}}}` (a list,
//! as a block may repeat); literal values stay JSON values; any other expression (a
//! variable, a function call, an operation) is its source text wrapped as `"${...}"`,
//! and a template string keeps its interpolations as `${...}`.

use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey, UnaryOperator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::{Directive, Element, Template};
use serde_json::{Map, Value};

use super::go_number;

type Failure = (Option<usize>, String);

/// Parses an HCL2 file.
pub fn parse(text: &str) -> Result<Value, Failure> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        let line = e.location().line();
        (Some(line), e.message().to_owned())
    })?;
    Converter { text }.body(&body).map(Value::Object)
}

struct Converter<'a> {
    text: &'a str,
}

impl Converter<'_> {
    /// Blocks first, then attributes (an attribute replaces a block of its name), as
    /// hcl2json builds the object.
    fn body(&self, body: &Body) -> Result<Map<String, Value>, Failure> {
        let mut out = Map::new();
        for structure in body.iter() {
            if let Structure::Block(block) = structure {
                let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
                let value = Value::Object(self.body(&block.body)?);
                add_block(&mut out, block.ident.as_str(), &labels, value).map_err(|m| (None, m))?;
            }
        }
        for structure in body.iter() {
            if let Structure::Attribute(attribute) = structure {
                out.insert(
                    attribute.key.as_str().to_owned(),
                    self.expression(&attribute.value),
                );
            }
        }
        Ok(out)
    }

    fn expression(&self, expr: &Expression) -> Value {
        match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => number(n.value()).unwrap_or(Value::Null),
            Expression::String(s) => Value::String(escape_literal(s.value())),
            Expression::Array(items) => {
                Value::Array(items.iter().map(|e| self.expression(e)).collect())
            }
            Expression::Object(object) => {
                let mut out = Map::new();
                for (key, value) in object.iter() {
                    out.insert(self.key(key), self.expression(value.expr()));
                }
                Value::Object(out)
            }
            Expression::StringTemplate(template) => self.quoted_template(template),
            Expression::HeredocTemplate(heredoc) => {
                let mut heredoc = heredoc.as_ref().clone();
                if heredoc.indent().is_some() {
                    heredoc.dedent();
                }
                Value::String(self.template(&heredoc.template))
            }
            Expression::UnaryOp(op) => {
                literal_unary(op).unwrap_or_else(|| Value::String(self.wrapped(expr)))
            }
            other => Value::String(self.wrapped(other)),
        }
    }

    /// An object key: a bare name as written, anything else as a template part.
    fn key(&self, key: &ObjectKey) -> String {
        match key {
            ObjectKey::Ident(ident) => ident.as_str().to_owned(),
            ObjectKey::Expression(Expression::String(s)) => escape_literal(s.value()),
            ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_owned(),
            ObjectKey::Expression(Expression::Traversal(t)) => self.source(t.span()),
            ObjectKey::Expression(expr) => self.part(expr),
        }
    }

    /// A quoted template: one interpolation alone (`"${x}"`) is that expression (so
    /// `"${true}"` is `true`), anything else the template's text.
    fn quoted_template(&self, template: &Template) -> Value {
        let elements: Vec<&Element> = template.iter().collect();
        if let [Element::Interpolation(only)] = elements.as_slice() {
            return self.expression(&only.expr);
        }
        Value::String(self.template(template))
    }

    /// A template's text: literal text (with `${` and `%{` escaped again), each
    /// interpolation as `${source}`, each directive as `%{if ...}` or `%{for ...}`.
    fn template(&self, template: &Template) -> String {
        let mut out = String::new();
        for element in template.iter() {
            match element {
                Element::Literal(literal) => out.push_str(&escape_literal(literal.value())),
                Element::Interpolation(interpolation) => {
                    out.push_str(&self.part(&interpolation.expr));
                }
                Element::Directive(directive) => out.push_str(&self.directive(directive)),
            }
        }
        out
    }

    /// An expression inside a template string.
    fn part(&self, expr: &Expression) -> String {
        match expr {
            Expression::Null(_) => "null".to_owned(),
            Expression::Bool(b) => b.value().to_string(),
            Expression::Number(n) => n.value().to_string(),
            Expression::String(s) => escape_literal(s.value()),
            Expression::StringTemplate(t) => self.template(t),
            other => self.wrapped(other),
        }
    }

    /// A template directive, written as hcl2json writes it (without the source's spaces).
    fn directive(&self, directive: &Directive) -> String {
        match directive {
            Directive::If(d) => {
                let mut out = format!(
                    "%{{if {}}}{}",
                    self.source(d.if_expr.cond_expr.span()),
                    self.template(&d.if_expr.template)
                );
                let otherwise = d
                    .else_expr
                    .as_ref()
                    .map(|e| self.template(&e.template))
                    .unwrap_or_default();
                if !otherwise.is_empty() {
                    out.push_str("%{else}");
                    out.push_str(&otherwise);
                }
                out.push_str("%{endif}");
                out
            }
            Directive::For(d) => {
                let f = &d.for_expr;
                let key = f
                    .key_var
                    .as_ref()
                    .map(|k| format!("{}, ", k.as_str()))
                    .unwrap_or_default();
                format!(
                    "%{{for {key}{} in {}}}{}%{{endfor}}",
                    f.value_var.as_str(),
                    self.source(f.collection_expr.span()),
                    self.template(&f.template)
                )
            }
        }
    }

    fn wrapped(&self, expr: &Expression) -> String {
        format!("${{{}}}", self.source(expr.span()))
    }

    fn source(&self, span: Option<std::ops::Range<usize>>) -> String {
        span.and_then(|r| self.text.get(r))
            .unwrap_or_default()
            .trim()
            .to_owned()
    }
}

/// Adds a block's body under its type and labels: `{type: {label: {label: [body]}}}`.
fn add_block(
    out: &mut Map<String, Value>,
    kind: &str,
    labels: &[&str],
    value: Value,
) -> Result<(), String> {
    // The type and every label but the last name nested objects; the last holds the list.
    let mut path: Vec<&str> = std::iter::once(kind)
        .chain(labels.iter().copied())
        .collect();
    let last = path.pop().unwrap_or(kind).to_owned();
    let mut current = out;
    for key in path {
        let entry = current
            .entry(key.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        current = entry.as_object_mut().ok_or_else(|| {
            format!(
                "Unable to convert Block to JSON: {kind}.{}",
                labels.join(".")
            )
        })?;
    }
    match current.get_mut(&last) {
        Some(Value::Array(items)) => items.push(value),
        Some(_) => {
            return Err(format!(
                "invalid HCL detected for {last:?} block, cannot have blocks with and without labels"
            ));
        }
        None => {
            current.insert(last, Value::Array(vec![value]));
        }
    }
    Ok(())
}

/// `-number` and `!bool` are values; any other operation is an expression.
fn literal_unary(op: &hcl_edit::expr::UnaryOp) -> Option<Value> {
    match (op.operator.value(), &op.expr) {
        (UnaryOperator::Neg, Expression::Number(n)) => {
            n.value().as_f64().and_then(|f| go_number(-f))
        }
        (UnaryOperator::Not, Expression::Bool(b)) => Some(Value::Bool(!*b.value())),
        _ => None,
    }
}

fn number(n: &hcl_edit::Number) -> Option<Value> {
    n.as_f64().and_then(go_number)
}

/// A literal string as hcl2json writes it: `${` and `%{` escaped as `$${` and `%%{`.
fn escape_literal(s: &str) -> String {
    s.replace("${", "$${").replace("%{", "%%{")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blocks_attributes_and_expressions_as_hcl2json() {
        let doc = parse(
            "variable \"TAG\" {\n  default = \"latest\"\n}\n\
             group \"default\" {\n  targets = [\"app\"]\n}\n\
             target \"app\" {\n  dockerfile = \"Dockerfile\"\n  tags = [\"repo/app:${TAG}\", TAG]\n  \
             platforms = [\"linux/amd64\"]\n  args = {\n    N = 1\n    \"X\" = -2.5\n  }\n  \
             no-cache = true\n  out = upper(TAG)\n}\n",
        )
        .unwrap();
        assert_eq!(
            doc,
            json!({
                "variable": {"TAG": [{"default": "latest"}]},
                "group": {"default": [{"targets": ["app"]}]},
                "target": {"app": [{"dockerfile": "Dockerfile",
                    "tags": ["repo/app:${TAG}", "${TAG}"], "platforms": ["linux/amd64"],
                    "args": {"N": 1, "X": -2.5}, "no-cache": true, "out": "${upper(TAG)}"}]}
            })
        );
    }

    #[test]
    fn repeated_blocks_and_errors() {
        let doc = parse("a {\n x = 1\n}\na {\n x = 2\n}\n").unwrap();
        assert_eq!(doc, json!({"a": [{"x": 1}, {"x": 2}]}));
        assert_eq!(parse("a = 1\nb = \n").unwrap_err().0, Some(2));
        let deep = format!("a = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(&deep).is_err());
    }
}
