// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! `rego.parse_module(filename, text)`: a module's syntax tree in the JSON shape OPA gives
//! it (OPA's `ast.Module` as `encoding/json` writes it, read back as a value).
//!
//! regorus's own parse tree is converted into OPA's: operators become calls of their
//! builtin names (`x == 1` is `equal(x, 1)`), `_` becomes a numbered wildcard (`$0`, `$1`,
//! ... in the order OPA's parser meets them), rule heads get OPA's `name`, `key` and implicit
//! `true` values, and a body left out is OPA's generated `true`. OPA writes no locations
//! except the comments', whose text is base64 (Go's encoding of a byte slice).
//!
//! The text is parsed as Rego v1, as OPA's builtin does. A text that does not parse gives
//! undefined: OPA's builtin fails, and OPA (like conftest) treats a failing builtin as
//! undefined unless told to be strict.

use crate::ast::{
    ArithOp, AssignOp, BinOp, BoolOp, Expr, Import, Literal, LiteralStmt, Module, Query, Ref,
    Rule, RuleBody, RuleHead,
};
use crate::builtins;
use crate::builtins::utils::{ensure_args_count, ensure_string};
use crate::lexer::{Lexer, Source, Span, TokenKind};
use crate::parser::Parser;
use crate::value::Value;
use crate::*;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cmp::Ordering;

use anyhow::Result;

const NAME: &str = "rego.parse_module";

pub fn register(m: &mut builtins::BuiltinsMap<&'static str, builtins::BuiltinFcn>) {
    m.insert(NAME, (parse_module, 2));
}

fn parse_module(span: &Span, params: &[Ref<Expr>], args: &[Value], _: bool) -> Result<Value> {
    ensure_args_count(span, NAME, params, args, 2)?;
    let filename = ensure_string(NAME, &params[0], &args[0])?;
    let text = ensure_string(NAME, &params[1], &args[1])?;
    let Ok(source) = Source::from_contents(filename.to_string(), text.to_string()) else {
        return Ok(Value::Undefined);
    };
    let Ok(module) = parse_v1(&source) else {
        return Ok(Value::Undefined);
    };
    let Ok(comments) = comments(&source, &filename) else {
        return Ok(Value::Undefined);
    };
    let mut converter = Converter {
        wildcards: 0,
        rejected: false,
    };
    let mut json = converter.module(&module);
    if converter.rejected {
        return Ok(Value::Undefined);
    }
    if !comments.is_empty() {
        insert(&mut json, "comments", Value::from(comments));
    }
    Ok(json)
}

fn parse_v1(source: &Source) -> Result<Module> {
    let mut parser = Parser::new(source)?;
    parser.enable_rego_v1()?;
    parser.parse()
}

/// The comments of a source: what lies between its tokens and starts with `#`, each to the
/// end of its line (less a carriage return before the newline, as OPA's scanner leaves it).
fn comments(source: &Source, filename: &str) -> Result<Vec<Value>> {
    let text = source.contents().as_str();
    let mut lexer = Lexer::new(source);
    let mut found = Vec::new();
    let mut gap_start = 0usize;
    loop {
        let token = lexer.next_token()?;
        let gap_end = usize::try_from(token.1.start)?;
        comments_in_gap(text, gap_start, gap_end, filename, &mut found);
        if token.0 == TokenKind::Eof {
            return Ok(found);
        }
        gap_start = usize::try_from(token.1.end)?;
    }
}

fn comments_in_gap(text: &str, start: usize, end: usize, file: &str, found: &mut Vec<Value>) {
    let mut at = start;
    while let Some(offset) = text.get(at..end).and_then(|gap| gap.find('#')) {
        let hash = at + offset;
        let line_end = text[hash..end].find('\n').map_or(end, |n| hash + n);
        let comment = text[hash + 1..line_end].trim_end_matches('\r');
        let line_start = text[..hash].rfind('\n').map_or(0, |n| n + 1);
        let row = text[..hash].matches('\n').count() + 1;
        let location = object(vec![
            ("file", Value::from(file)),
            ("row", Value::from(row)),
            ("col", Value::from(hash - line_start + 1)),
        ]);
        found.push(object(vec![
            ("Text", Value::from(base64_encode(comment.as_bytes()))),
            ("Location", location),
        ]));
        at = line_end;
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn object(fields: Vec<(&str, Value)>) -> Value {
    let map: BTreeMap<Value, Value> = fields
        .into_iter()
        .map(|(key, value)| (Value::from(key), value))
        .collect();
    Value::from(map)
}

fn insert(json: &mut Value, key: &str, value: Value) {
    if let Ok(map) = json.as_object_mut() {
        map.insert(Value::from(key), value);
    }
}

fn get<'a>(json: &'a Value, key: &str) -> &'a Value {
    &json[&Value::from(key)]
}

/// An OPA term: `{"type": kind, "value": value}`.
fn term(kind: &str, value: Value) -> Value {
    object(vec![("type", Value::from(kind)), ("value", value)])
}

fn var(name: &str) -> Value {
    term("var", Value::from(name))
}

fn string(text: &str) -> Value {
    term("string", Value::from(text))
}

fn boolean_true() -> Value {
    term("boolean", Value::Bool(true))
}

/// The reference OPA writes for a builtin operator: `equal` is `[var equal]`,
/// `internal.member_2` is `[var internal, string member_2]`.
fn operator(name: &str) -> Value {
    let mut parts = name.split('.');
    let mut path = vec![var(parts.next().unwrap_or(name))];
    path.extend(parts.map(string));
    term("ref", Value::from(path))
}

/// OPA's generated body of a rule written without one.
fn implicit_true_body() -> Value {
    Value::from(vec![object(vec![
        ("index", Value::from(0u32)),
        ("generated", Value::Bool(true)),
        ("terms", boolean_true()),
    ])])
}

/// The kind of a term (its `type`) in OPA's order of kinds, for sorting sets and objects.
fn kind_order(kind: &str) -> u8 {
    match kind {
        "null" => 0,
        "boolean" => 1,
        "number" => 2,
        "string" => 3,
        "var" => 5,
        "ref" => 6,
        "array" => 7,
        "object" => 8,
        "set" => 9,
        "arraycomprehension" => 10,
        "objectcomprehension" => 11,
        "setcomprehension" => 12,
        "call" => 13,
        _ => 100,
    }
}

/// OPA's order of terms: by kind, then by value (element by element for collections).
fn compare_terms(a: &Value, b: &Value) -> Ordering {
    let kind_a = get(a, "type").as_string().map(|s| s.to_string()).unwrap_or_default();
    let kind_b = get(b, "type").as_string().map(|s| s.to_string()).unwrap_or_default();
    kind_order(&kind_a)
        .cmp(&kind_order(&kind_b))
        .then_with(|| compare_values(get(a, "value"), get(b, "value")))
}

fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                let order = if get(p, "type") != &Value::Undefined {
                    compare_terms(p, q)
                } else {
                    compare_values(p, q)
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
            x.len().cmp(&y.len())
        }
        _ => a.cmp(b),
    }
}

/// Converts regorus's parse tree into OPA's JSON, numbering wildcards as it goes; it
/// visits the tree in the order OPA's parser reads the text, so the numbers agree.
struct Converter {
    wildcards: u32,
    /// Set for what regorus's parser accepts and OPA's rejects.
    rejected: bool,
}

impl Converter {
    fn wildcard(&mut self) -> Value {
        let name = format!("${}", self.wildcards);
        self.wildcards += 1;
        var(&name)
    }

    fn module(&mut self, module: &Module) -> Value {
        let mut parts = Vec::new();
        self.ref_parts(&module.package.refr, &mut parts);
        // A package path is `data` and then strings, the first name too.
        let mut path = vec![var("data")];
        path.extend(parts.iter().map(|part| match get(part, "type").as_string() {
            Ok(kind) if kind.as_ref() == "var" => term("string", get(part, "value").clone()),
            _ => part.clone(),
        }));
        let mut json = object(vec![("package", object(vec![("path", Value::from(path))]))]);
        if !module.imports.is_empty() {
            let imports: Vec<Value> = module.imports.iter().map(|i| self.import(i)).collect();
            insert(&mut json, "imports", Value::from(imports));
        }
        let mut rules = Vec::new();
        for rule in &module.policy {
            self.rule(rule, &mut rules);
        }
        if !rules.is_empty() {
            insert(&mut json, "rules", Value::from(rules));
        }
        json
    }

    fn import(&mut self, import: &Import) -> Value {
        let mut json = object(vec![("path", self.reference(&import.refr))]);
        if let Some(alias) = &import.r#as {
            insert(&mut json, "alias", Value::from(alias.text()));
        }
        json
    }

    /// A term that is a reference even when it is one name (`input`, an import's path).
    fn reference(&mut self, expr: &Ref<Expr>) -> Value {
        let mut path = Vec::new();
        self.ref_parts(expr, &mut path);
        term("ref", Value::from(path))
    }

    /// The terms of a reference: its head, then each `.field` as a string and each
    /// `[index]` as its term.
    fn ref_parts(&mut self, expr: &Ref<Expr>, path: &mut Vec<Value>) {
        match expr.as_ref() {
            Expr::RefDot { refr, field, .. } => {
                self.ref_parts(refr, path);
                path.push(string(field.0.text()));
            }
            Expr::RefBrack { refr, index, .. } => {
                self.ref_parts(refr, path);
                path.push(self.term(index));
            }
            Expr::Var { span, .. } if span.text() != "_" => path.push(var(span.text())),
            _ => path.push(self.term(expr)),
        }
    }

    fn rule(&mut self, rule: &Ref<Rule>, rules: &mut Vec<Value>) {
        match rule.as_ref() {
            Rule::Default {
                refr,
                args,
                op,
                value,
                ..
            } => {
                let mut head = self.head_start(refr, args);
                let value = self.term(value);
                // OPA's parser wants a default value it can know without evaluating.
                self.rejected |= !is_constant(&value);
                insert(&mut head, "value", value);
                if *op == AssignOp::ColEq {
                    insert(&mut head, "assign", Value::Bool(true));
                }
                rules.push(object(vec![
                    ("default", Value::Bool(true)),
                    ("head", head),
                    ("body", implicit_true_body()),
                ]));
            }
            Rule::Spec { head, bodies, .. } => self.spec_rule(head, bodies, rules),
        }
    }

    /// A head's `ref`, `name` (when the ref is one name) and `args`.
    fn head_start(&mut self, refr: &Ref<Expr>, args: &[Ref<Expr>]) -> Value {
        let mut path = Vec::new();
        self.ref_parts(refr, &mut path);
        let mut head = object(vec![]);
        if path.len() == 1 {
            insert(&mut head, "name", get(&path[0], "value").clone());
        }
        insert(&mut head, "ref", Value::from(path));
        if !args.is_empty() {
            let args: Vec<Value> = args.iter().map(|a| self.term(a)).collect();
            insert(&mut head, "args", Value::from(args));
        }
        head
    }

    fn spec_rule(&mut self, head: &RuleHead, bodies: &[RuleBody], rules: &mut Vec<Value>) {
        // OPA reads a head without a value or a body (`p[x]`) as an expression that cannot
        // stand as a rule.
        if let RuleHead::Compr { assign: None, .. } = head {
            self.rejected |= bodies.is_empty();
        }
        let head = self.head(head, !bodies.is_empty());
        let Some((first, rest)) = bodies.split_first() else {
            rules.push(object(vec![("head", head), ("body", implicit_true_body())]));
            return;
        };
        let mut rule = object(vec![
            ("head", head.clone()),
            ("body", self.body(&first.query)),
        ]);
        let elses: Vec<&RuleBody> = rest.iter().filter(|b| b.is_else).collect();
        if !elses.is_empty() {
            // OPA allows `else` only on rules that define one value.
            let path_len = get(&head, "ref").as_array().map_or(0, |a| a.len());
            let has_key = get(&head, "key") != &Value::Undefined;
            // A ref's first name is not one of its variables.
            let ref_is_ground = get(&head, "ref")
                .as_array()
                .is_ok_and(|path| path.iter().skip(1).all(is_ground));
            self.rejected |= has_key || (path_len > 1 && !ref_is_ground);
            insert(&mut rule, "else", self.else_chain(&head, &elses));
        }
        rules.push(rule);
        for chained in rest.iter().filter(|b| !b.is_else) {
            let body = self.body(&chained.query);
            let head = self.with_fresh_wildcard_args(&head);
            rules.push(object(vec![("head", head), ("body", body)]));
        }
    }

    /// The rules of `else` clauses, each the `else` of the one before: the first rule's
    /// head with the clause's value (`true` when it has none).
    fn else_chain(&mut self, head: &Value, elses: &[&RuleBody]) -> Value {
        let Some((clause, rest)) = elses.split_first() else {
            return Value::Null;
        };
        let mut else_head = self.with_fresh_wildcard_args(head);
        match &clause.assign {
            Some(assign) => {
                insert(&mut else_head, "value", self.term(&assign.value));
                if let Ok(map) = else_head.as_object_mut() {
                    map.remove(&Value::from("assign"));
                }
                if assign.op == AssignOp::ColEq {
                    insert(&mut else_head, "assign", Value::Bool(true));
                }
            }
            // A clause without a value keeps the head's `:=` or `=`, as OPA's copy does.
            None => insert(&mut else_head, "value", boolean_true()),
        }
        let body = if clause.query.stmts.is_empty() {
            implicit_true_body()
        } else {
            self.body(&clause.query)
        };
        let mut rule = object(vec![("head", else_head), ("body", body)]);
        if !rest.is_empty() {
            insert(&mut rule, "else", self.else_chain(head, rest));
        }
        rule
    }

    /// A copy of a head whose `_` arguments get new wildcard numbers, as OPA's parser gives
    /// the heads it copies for `else` clauses and chained bodies.
    fn with_fresh_wildcard_args(&mut self, head: &Value) -> Value {
        let mut head = head.clone();
        let Value::Array(args) = get(&head, "args").clone() else {
            return head;
        };
        let args: Vec<Value> = args
            .iter()
            .map(|arg| {
                let is_wildcard = get(arg, "type") == &Value::from("var")
                    && get(arg, "value")
                        .as_string()
                        .is_ok_and(|name| name.starts_with('$'));
                if is_wildcard {
                    self.wildcard()
                } else {
                    arg.clone()
                }
            })
            .collect();
        insert(&mut head, "args", Value::from(args));
        head
    }

    /// A rule head as OPA's parser leaves it: `contains` gives a `key`; a two-part ref
    /// (`p.q`, `p[x]`) gets OPA's reading of it as a key, with or without a name.
    fn head(&mut self, head: &RuleHead, has_body: bool) -> Value {
        let (mut json, contains) = match head {
            RuleHead::Set {
                refr,
                key: Some(key),
                ..
            } if !written_with_contains(refr, key) => {
                // regorus reads `p[x] if ...` as a set rule; OPA as the rule `p[x]` of value
                // true, and `p[x]` without a body as no rule at all.
                self.rejected |= !has_body;
                let mut json = self.head_start(refr, &[]);
                let key = self.term(key);
                if let Ok(map) = json.as_object_mut() {
                    map.remove(&Value::from("name"));
                    if let Some(Value::Array(path)) = map.get_mut(&Value::from("ref")) {
                        Rc::make_mut(path).push(key);
                    }
                }
                self.head_value(&mut json, None);
                (json, false)
            }
            RuleHead::Set { refr, key, .. } => {
                let mut json = self.head_start(refr, &[]);
                if let Some(key) = key {
                    insert(&mut json, "key", self.term(key));
                }
                (json, true)
            }
            RuleHead::Compr { refr, assign, .. } => {
                let mut json = self.head_start(refr, &[]);
                self.head_value(&mut json, assign.as_ref());
                (json, false)
            }
            RuleHead::Func {
                refr, args, assign, ..
            } => {
                let mut json = self.head_start(refr, args);
                self.head_value(&mut json, assign.as_ref());
                (json, false)
            }
        };
        if !contains {
            two_part_ref_key(&mut json, has_body);
        }
        json
    }

    fn head_value(&mut self, head: &mut Value, assign: Option<&crate::ast::RuleAssign>) {
        match assign {
            Some(assign) => {
                insert(head, "value", self.term(&assign.value));
                if assign.op == AssignOp::ColEq {
                    insert(head, "assign", Value::Bool(true));
                }
            }
            None => {
                let ref_len = get(head, "ref").as_array().map_or(0, |a| a.len());
                let has_args = get(head, "args") != &Value::Undefined;
                if ref_len != 2 || has_args {
                    insert(head, "value", boolean_true());
                }
            }
        }
    }

    fn body(&mut self, query: &Ref<Query>) -> Value {
        let exprs: Vec<Value> = query
            .stmts
            .iter()
            .enumerate()
            .map(|(index, stmt)| self.statement(index, stmt))
            .collect();
        Value::from(exprs)
    }

    fn statement(&mut self, index: usize, stmt: &LiteralStmt) -> Value {
        let mut json = object(vec![("index", Value::from(index))]);
        let terms = match &stmt.literal {
            Literal::SomeVars { vars, .. } => {
                let symbols: Vec<Value> = vars.iter().map(|v| self.var_named(v.text())).collect();
                object(vec![("symbols", Value::from(symbols))])
            }
            Literal::SomeIn {
                key,
                value,
                collection,
                ..
            } => {
                let call = self.membership(key.as_ref(), value, collection);
                object(vec![("symbols", Value::from(vec![term("call", call)]))])
            }
            Literal::Expr { expr, .. } => self.expression_terms(expr),
            Literal::NotExpr { expr, .. } => {
                insert(&mut json, "negated", Value::Bool(true));
                self.expression_terms(expr)
            }
            Literal::Every {
                key,
                value,
                domain,
                query,
                ..
            } => {
                let key = key.as_ref().map_or(Value::Null, |k| self.var_named(k.text()));
                let value = self.var_named(value.text());
                let domain = self.term(domain);
                let body = self.body(query);
                object(vec![
                    ("key", key),
                    ("value", value),
                    ("domain", domain),
                    ("body", body),
                ])
            }
        };
        insert(&mut json, "terms", terms);
        if !stmt.with_mods.is_empty() {
            let withs: Vec<Value> = stmt
                .with_mods
                .iter()
                .map(|w| {
                    let target = self.term(&w.refr);
                    let value = self.term(&w.r#as);
                    object(vec![("target", target), ("value", value)])
                })
                .collect();
            insert(&mut json, "with", Value::from(withs));
        }
        json
    }


    /// An expression statement's terms: a call is written as its operator and operands;
    /// anything else as its one term.
    fn expression_terms(&mut self, expr: &Ref<Expr>) -> Value {
        match self.call(expr) {
            Some(call) => call,
            None => self.term(expr),
        }
    }

    fn var_named(&mut self, name: &str) -> Value {
        if name == "_" {
            self.wildcard()
        } else {
            var(name)
        }
    }

    /// An operator or function call as OPA's call: the operator's reference, then the
    /// operands. None when the expression is not a call.
    fn call(&mut self, expr: &Ref<Expr>) -> Option<Value> {
        let (name, operands): (&str, Vec<&Ref<Expr>>) = match expr.as_ref() {
            Expr::Call { fcn, params, .. } => {
                let mut call = vec![self.reference(fcn)];
                call.extend(params.iter().map(|p| self.term(p)));
                return Some(Value::from(call));
            }
            Expr::UnaryExpr { expr, .. } => {
                let operand = self.term(expr);
                let zero = term("number", Value::from(0u32));
                return Some(Value::from(vec![operator("minus"), zero, operand]));
            }
            Expr::Membership {
                key,
                value,
                collection,
                ..
            } => return Some(self.membership(key.as_ref(), value, collection)),
            Expr::BinExpr { op, lhs, rhs, .. } => (bin_op_name(op), vec![lhs, rhs]),
            Expr::BoolExpr { op, lhs, rhs, .. } => (bool_op_name(op), vec![lhs, rhs]),
            Expr::ArithExpr { op, lhs, rhs, .. } => (arith_op_name(op), vec![lhs, rhs]),
            Expr::AssignExpr { op, lhs, rhs, .. } => {
                let name = if *op == AssignOp::ColEq {
                    "assign"
                } else {
                    "eq"
                };
                (name, vec![lhs, rhs])
            }
            _ => return None,
        };
        let mut call = vec![operator(name)];
        call.extend(operands.into_iter().map(|o| self.term(o)));
        Some(Value::from(call))
    }

    fn membership(
        &mut self,
        key: Option<&Ref<Expr>>,
        value: &Ref<Expr>,
        collection: &Ref<Expr>,
    ) -> Value {
        let mut call = vec![];
        match key {
            Some(key) => {
                call.push(operator("internal.member_3"));
                call.push(self.term(key));
            }
            None => call.push(operator("internal.member_2")),
        }
        call.push(self.term(value));
        call.push(self.term(collection));
        Value::from(call)
    }

    fn term(&mut self, expr: &Ref<Expr>) -> Value {
        if let Some(call) = self.call(expr) {
            return term("call", call);
        }
        match expr.as_ref() {
            Expr::String { value, .. } | Expr::RawString { value, .. } => {
                term("string", value.clone())
            }
            Expr::Number { value, .. } => term("number", value.clone()),
            Expr::Bool { value, .. } => term("boolean", value.clone()),
            Expr::Null { .. } => term("null", object(vec![])),
            Expr::Var { span, .. } => match span.text() {
                "_" => self.wildcard(),
                "input" | "data" => term("ref", Value::from(vec![var(span.text())])),
                name => var(name),
            },
            Expr::Array { items, .. } => {
                let items: Vec<Value> = items.iter().map(|i| self.term(i)).collect();
                term("array", Value::from(items))
            }
            Expr::Set { items, .. } => {
                let mut items: Vec<Value> = items.iter().map(|i| self.term(i)).collect();
                items.sort_by(compare_terms);
                items.dedup();
                term("set", Value::from(items))
            }
            Expr::Object { fields, .. } => self.object_term(fields),
            Expr::ArrayCompr { term: t, query, .. } => {
                let t = self.term(t);
                let body = self.body(query);
                term(
                    "arraycomprehension",
                    object(vec![("term", t), ("body", body)]),
                )
            }
            Expr::SetCompr { term: t, query, .. } => {
                let t = self.term(t);
                let body = self.body(query);
                term("setcomprehension", object(vec![("term", t), ("body", body)]))
            }
            Expr::ObjectCompr {
                key, value, query, ..
            } => {
                let key = self.term(key);
                let value = self.term(value);
                let body = self.body(query);
                term(
                    "objectcomprehension",
                    object(vec![("key", key), ("value", value), ("body", body)]),
                )
            }
            Expr::RefDot { .. } | Expr::RefBrack { .. } => self.reference(expr),
            _ => term("null", object(vec![])),
        }
    }

    /// An object as OPA writes it: its `[key, value]` pairs in OPA's order of the keys.
    fn object_term(&mut self, fields: &[(Span, Ref<Expr>, Ref<Expr>)]) -> Value {
        let mut pairs: Vec<(Value, Value)> = fields
            .iter()
            .map(|(_, key, value)| (self.term(key), self.term(value)))
            .collect();
        pairs.sort_by(|a, b| compare_terms(&a.0, &b.0));
        let pairs: Vec<Value> = pairs
            .into_iter()
            .map(|(key, value)| Value::from(vec![key, value]))
            .collect();
        term("object", Value::from(pairs))
    }
}

/// OPA's reading of a head whose ref has two parts: with a body, `p[x] if` has the key
/// `x` when it is not a constant and `p.q = 1 if` keeps its name; without one, `p[x] := 1`
/// and `p.q := 1` have name `p` and key `x`, `q`.
fn two_part_ref_key(head: &mut Value, has_body: bool) {
    let Ok(path) = get(head, "ref").as_array().cloned() else {
        return;
    };
    let has_args = get(head, "args") != &Value::Undefined;
    if path.len() != 2 || has_args {
        return;
    }
    let has_value = get(head, "value") != &Value::Undefined;
    let name = get(&path[0], "value").clone();
    if has_body {
        let is_ref = get(&path[1], "type") == &Value::from("ref");
        if !is_ground(&path[1]) || is_ref {
            insert(head, "key", path[1].clone());
        }
        if has_value {
            insert(head, "name", name);
        } else {
            insert(head, "value", boolean_true());
        }
    } else {
        insert(head, "name", name);
        insert(head, "key", path[1].clone());
    }
}

fn written_with_contains(refr: &Ref<Expr>, key: &Ref<Expr>) -> bool {
    let text = refr.span().source.contents().as_str();
    let head = usize::try_from(refr.span().start)
        .ok()
        .zip(usize::try_from(key.span().start).ok())
        .and_then(|(start, end)| text.get(start..end));
    head.and_then(|head| head.trim_end().strip_suffix("contains"))
        .is_some_and(|before| before.ends_with(|c: char| c.is_whitespace() || c == ']'))
}

/// Whether a term has no variable, reference or call outside its comprehensions.
fn is_constant(json: &Value) -> bool {
    match json {
        Value::Object(map) => match map.get(&Value::from("type")).and_then(|k| k.as_string().ok()) {
            Some(kind) if matches!(kind.as_ref(), "var" | "ref" | "call") => false,
            Some(kind) if kind.ends_with("comprehension") => true,
            _ => map.values().all(is_constant),
        },
        Value::Array(items) => items.iter().all(is_constant),
        _ => true,
    }
}

/// Whether a term holds no variable.
fn is_ground(json: &Value) -> bool {
    match json {
        Value::Object(map) => {
            if map.get(&Value::from("type")) == Some(&Value::from("var")) {
                return false;
            }
            map.values().all(is_ground)
        }
        Value::Array(items) => items.iter().all(is_ground),
        _ => true,
    }
}

const fn bin_op_name(op: &BinOp) -> &'static str {
    match op {
        BinOp::Union => "or",
        BinOp::Intersection => "and",
    }
}

const fn bool_op_name(op: &BoolOp) -> &'static str {
    match op {
        BoolOp::Lt => "lt",
        BoolOp::Le => "lte",
        BoolOp::Eq => "equal",
        BoolOp::Ge => "gte",
        BoolOp::Gt => "gt",
        BoolOp::Ne => "neq",
    }
}

const fn arith_op_name(op: &ArithOp) -> &'static str {
    match op {
        ArithOp::Add => "plus",
        ArithOp::Sub => "minus",
        ArithOp::Mul => "mul",
        ArithOp::Div => "div",
        ArithOp::Mod => "rem",
    }
}
