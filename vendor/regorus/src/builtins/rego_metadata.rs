// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! `rego.metadata.rule()` and `rego.metadata.chain()`: the METADATA annotations of the rule
//! a call is written in. OPA's compiler replaces each call with its value, so the answer
//! depends only on where the call is written, not on which rule is being evaluated; the
//! interpreter computes it from the call's position (`Interpreter::eval_rego_metadata`).
//!
//! A `# METADATA` comment block annotates the next rule or package after it. Its YAML
//! gets OPA's scope (`rule` before a rule, `document` with `entrypoint: true`, `package`
//! before a package) and OPA's normal forms of `authors`, `related_resources` and
//! `schemas`.

use crate::ast::{Expr, Module, Ref, Rule, RuleHead};
use crate::builtins;
use crate::lexer::Span;
use crate::parser::Parser;
use crate::value::Value;
use crate::*;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use anyhow::{bail, Result};

pub const RULE: &str = "rego.metadata.rule";
pub const CHAIN: &str = "rego.metadata.chain";

/// Registered so that the names are known builtins (and listed as such); calls are
/// answered by the interpreter, which knows where they are written.
pub fn register(m: &mut builtins::BuiltinsMap<&'static str, builtins::BuiltinFcn>) {
    m.insert(RULE, (outside_a_rule, 0));
    m.insert(CHAIN, (outside_a_rule, 0));
}

fn outside_a_rule(span: &Span, _: &[Ref<Expr>], _: &[Value], _: bool) -> Result<Value> {
    bail!(span.error("rego.metadata builtins can only be called within a rule"))
}

/// One METADATA block: the line it ends on and its annotations (scope not yet applied).
struct Block {
    last_line: u32,
    annotations: Value,
}

/// The METADATA blocks of a source text, in order.
fn blocks(source: &str) -> Result<Vec<Block>> {
    let mut found = Vec::new();
    let lines: Vec<&str> = source.lines().collect();
    let mut at = 0;
    while at < lines.len() {
        if lines[at].trim() != "# METADATA" {
            at += 1;
            continue;
        }
        let mut yaml = String::new();
        let mut end = at + 1;
        while end < lines.len() && lines[end].trim_start().starts_with('#') {
            let text = lines[end].trim_start();
            yaml.push_str(&text[1..]);
            yaml.push('\n');
            end += 1;
        }
        let annotations = if yaml.trim().is_empty() {
            Value::new_object()
        } else {
            Value::from_yaml_str(&yaml)?
        };
        if !matches!(annotations, Value::Object(_)) {
            bail!("METADATA block at line {} is not a YAML mapping", at + 1);
        }
        found.push(Block {
            last_line: u32::try_from(end).unwrap_or(u32::MAX),
            annotations,
        });
        at = end;
    }
    Ok(found)
}

fn starts_of(module: &Module) -> Vec<u32> {
    let mut starts: Vec<u32> = module.policy.iter().map(|r| rule_span(r).line).collect();
    starts.push(module.package.span.line);
    starts.sort_unstable();
    starts
}

fn rule_span(rule: &Rule) -> &Span {
    match rule {
        Rule::Spec { span, .. } | Rule::Default { span, .. } => span,
    }
}

/// The annotations of the statement starting on `line`: the last block before it that no
/// earlier statement follows.
fn annotations_before(module: &Module, line: u32) -> Result<Option<Value>> {
    let starts = starts_of(module);
    let previous = starts
        .iter()
        .copied()
        .filter(|&s| s < line)
        .max()
        .unwrap_or(0);
    let source = module.package.span.source.contents();
    Ok(blocks(source)?
        .into_iter()
        .filter(|b| b.last_line < line && b.last_line >= previous)
        .last()
        .map(|b| b.annotations))
}

fn text(s: &str) -> Value {
    Value::String(s.into())
}

/// OPA's normal forms: `authors` entries `Name <email>` as `{name, email}`,
/// `related_resources` URLs as `{ref}`, `schemas` entries as `{path, schema|definition}`.
fn normalise(mut annotations: Value, default_scope: &str) -> Result<Value> {
    let fields = annotations.as_object_mut()?;
    if let Some(Value::Array(authors)) = fields.get(&text("authors")).cloned() {
        let authors = authors.iter().map(|a| match a {
            Value::String(s) => {
                let s = s.trim();
                match s.strip_suffix('>').and_then(|s| s.rsplit_once('<')) {
                    Some((name, email)) if !name.trim().is_empty() => Value::from_map(
                        [
                            (text("name"), text(name.trim())),
                            (text("email"), text(email)),
                        ]
                        .into(),
                    ),
                    Some((_, email)) => Value::from_map([(text("email"), text(email))].into()),
                    None => Value::from_map([(text("name"), text(s))].into()),
                }
            }
            other => other.clone(),
        });
        fields.insert(text("authors"), Value::from_array(authors.collect()));
    }
    if let Some(Value::Array(resources)) = fields.get(&text("related_resources")).cloned() {
        let resources = resources.iter().map(|r| match r {
            Value::String(_) => Value::from_map([(text("ref"), r.clone())].into()),
            other => other.clone(),
        });
        fields.insert(
            text("related_resources"),
            Value::from_array(resources.collect()),
        );
    }
    if let Some(Value::Array(schemas)) = fields.get(&text("schemas")).cloned() {
        let mut normal = Vec::new();
        for entry in schemas.iter() {
            let Value::Object(entry) = entry else {
                continue;
            };
            for (path, schema) in entry.iter() {
                let split = |v: &str| Value::from_array(v.split('.').map(text).collect());
                let mut item = BTreeMap::new();
                let path = match path {
                    Value::String(p) => p.to_string(),
                    other => other.to_string(),
                };
                item.insert(text("path"), split(&path));
                match schema {
                    Value::String(s) => item.insert(text("schema"), split(s)),
                    other => item.insert(text("definition"), other.clone()),
                };
                normal.push(Value::from_map(item));
            }
        }
        fields.insert(text("schemas"), Value::from_array(normal));
    }
    if !fields.contains_key(&text("scope")) {
        let entrypoint = fields.get(&text("entrypoint")) == Some(&Value::Bool(true));
        let scope = if entrypoint && default_scope == "rule" {
            "document"
        } else {
            default_scope
        };
        fields.insert(text("scope"), text(scope));
    }
    Ok(annotations)
}

/// The path of a rule below `data`: its package and the static part of its head.
fn rule_path(module: &Module, rule: &Rule) -> Vec<String> {
    let mut path = package_path(module);
    let refr = match rule {
        Rule::Spec {
            head:
                RuleHead::Compr { refr, .. } | RuleHead::Set { refr, .. } | RuleHead::Func { refr, .. },
            ..
        }
        | Rule::Default { refr, .. } => refr,
    };
    path.extend(static_prefix(refr));
    path
}

fn static_prefix(refr: &Expr) -> Vec<String> {
    match refr {
        Expr::Var { span, .. } => [span.text().to_string()].into(),
        Expr::RefDot { refr, field, .. } => {
            let mut p = static_prefix(refr);
            p.push(field.0.text().to_string());
            p
        }
        Expr::RefBrack { refr, index, .. } => {
            let mut p = static_prefix(refr);
            if let Expr::String { value, .. } = index.as_ref() {
                if let Ok(s) = value.as_string() {
                    p.push(s.to_string());
                }
            }
            p
        }
        _ => Vec::new(),
    }
}

fn package_path(module: &Module) -> Vec<String> {
    Parser::get_static_string_path_components(&module.package.refr)
        .map(|mut p| {
            if p.first().is_some_and(|d| d == "data") {
                p.remove(0);
            }
            p
        })
        .unwrap_or_default()
}

fn path_value(path: &[String]) -> Value {
    Value::from_array(path.iter().map(|p| text(p)).collect())
}

/// The rule whose text holds the call.
fn enclosing_rule<'m>(module: &'m Module, call: &Span) -> Option<&'m Ref<Rule>> {
    module.policy.iter().find(|r| {
        let span = rule_span(r);
        span.start <= call.start && call.end <= span.end
    })
}

fn scoped(annotations: &Value) -> String {
    match annotations {
        Value::Object(fields) => match fields.get(&text("scope")) {
            Some(Value::String(s)) => s.to_string(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// The normalised annotations of a rule (any scope), or `None`.
fn rule_annotations(module: &Module, rule: &Rule) -> Result<Option<Value>> {
    annotations_before(module, rule_span(rule).line)?
        .map(|a| normalise(a, "rule"))
        .transpose()
}

fn package_annotations(module: &Module) -> Result<Option<Value>> {
    annotations_before(module, module.package.span.line)?
        .map(|a| normalise(a, "package"))
        .transpose()
}

/// `rego.metadata.rule()` written at `call` in `module`: the rule-scoped annotations of the
/// enclosing rule, or `{}`.
pub fn rule(module: &Module, call: &Span) -> Result<Value> {
    let Some(rule) = enclosing_rule(module, call) else {
        return outside_a_rule(call, &[], &[], true);
    };
    Ok(match rule_annotations(module, rule)? {
        Some(a) if scoped(&a) == "rule" => a,
        _ => Value::new_object(),
    })
}

/// `rego.metadata.chain()` written at `call` in `module`: the enclosing rule's path (with its
/// rule-scoped annotations), then the document-scoped annotations of that path, the
/// package's, and those of it and its ancestors scoped to subpackages.
pub fn chain(modules: &[Ref<Module>], module: &Module, call: &Span) -> Result<Value> {
    let Some(rule) = enclosing_rule(module, call) else {
        return outside_a_rule(call, &[], &[], true);
    };
    let path = rule_path(module, rule);
    let entry = |path: &[String], annotations: Option<Value>| {
        let mut fields = BTreeMap::new();
        fields.insert(text("path"), path_value(path));
        if let Some(a) = annotations {
            fields.insert(text("annotations"), a);
        }
        Value::from_map(fields)
    };
    let own = rule_annotations(module, rule)?.filter(|a| scoped(a) == "rule");
    let mut chain = vec![entry(&path, own)];
    for m in modules {
        for r in &m.policy {
            if rule_path(m, r) == path {
                if let Some(a) = rule_annotations(m, r)?.filter(|a| scoped(a) == "document") {
                    chain.push(entry(&path, Some(a)));
                }
            }
        }
    }
    let package = package_path(module);
    for depth in (1..=package.len()).rev() {
        let prefix = &package[..depth];
        for wanted in ["package", "subpackages"] {
            if wanted == "package" && depth != package.len() {
                continue;
            }
            for m in modules.iter().filter(|m| package_path(m) == prefix) {
                if let Some(a) = package_annotations(m)?.filter(|a| scoped(a) == wanted) {
                    chain.push(entry(prefix, Some(a)));
                }
            }
        }
    }
    Ok(Value::from_array(chain))
}
