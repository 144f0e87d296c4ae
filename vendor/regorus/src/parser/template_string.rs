// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! Template strings, `$"Hello {input.name}!"`, parsed as OPA's compiler rewrites them: into
//! `internal.template_string([...])`, whose array holds the text between the expressions
//! as strings and each expression as the set of its values, `{__templateN__ |
//! __templateN__ := expression}`. The set lets an undefined expression render as
//! `<undefined>` instead of making the whole string undefined; the builtin formats it.
//! Both of regorus's evaluators then run template strings with no code of their own.

use super::*;

/// The builtin a template string becomes.
const TEMPLATE_BUILTIN: &str = "internal.template_string";

/// The file name of the names the rewrite introduces.
const SYNTHETIC_FILE: &str = "<template string>";

/// Whether the expression is a template string all of whose embedded expressions were
/// literals: a constant, which a default rule's value may be.
pub(crate) fn is_constant_template(expr: &Expr) -> bool {
    let Expr::Call { fcn, params, .. } = expr else {
        return false;
    };
    let [parts] = params.as_slice() else {
        return false;
    };
    let Expr::Array { items, .. } = parts.as_ref() else {
        return false;
    };
    matches!(fcn.as_ref(), Expr::RefDot { span, .. } if span.source.file() == SYNTHETIC_FILE)
        && items
            .iter()
            .all(|item| matches!(item.as_ref(), Expr::String { .. }))
}

/// Whether a comprehension's term is a template string's capture var: the loop hoister
/// refuses to iterate in such a comprehension.
pub(crate) fn is_template_capture(term: &Expr) -> bool {
    matches!(term, Expr::Var { span, .. } if span.source.file() == SYNTHETIC_FILE)
}

impl Parser<'_> {
    /// At the first text token of a template string: the whole string, as the call it
    /// stands for.
    pub(super) fn parse_template_string(&mut self) -> Result<Expr> {
        let TokenKind::TemplateString { raw, .. } = self.tok.0 else {
            bail!(self.tok.1.error("expecting template string"));
        };
        if !self.template_strings {
            bail!(self
                .tok
                .1
                .error("template strings are not supported by current capabilities"));
        }
        let mut span = self.tok.1.clone();
        let mut items = vec![];
        loop {
            let TokenKind::TemplateString { closed, .. } = self.tok.0 else {
                bail!(self.tok.1.error("expected template string text"));
            };
            let text = self.tok.1.clone();
            let value = decode_template_text(&text, raw)?;
            if !value.is_empty() {
                items.push(Ref::new(Expr::String {
                    span: text.clone(),
                    value: Value::from(value),
                    eidx: self.next_eidx(),
                }));
            }
            if closed {
                span.end = text.end;
                self.next_token()?;
                break;
            }
            self.next_token()?;
            items.push(Ref::new(self.parse_template_expression()?));
            if self.tok.0 != TokenKind::Symbol || self.token_text() != "}" {
                bail!(self
                    .tok
                    .1
                    .error("expected } to end template string expression"));
            }
            self.line = self.tok.1.line;
            self.end = self.tok.1.end;
            self.tok = self.lexer.read_template_part(raw)?;
        }
        // The span covers the text from the opening quote to the closing one.
        span.start = span.start.saturating_sub(1);
        span.col = span.col.saturating_sub(1);
        span.end = span.end.saturating_add(1);
        let array_span = span.clone();
        Ok(Expr::Call {
            fcn: Ref::new(self.template_builtin()?),
            params: vec![Ref::new(Expr::Array {
                span: array_span,
                items,
                eidx: self.next_eidx(),
            })],
            span,
            eidx: self.next_eidx(),
        })
    }

    /// One embedded expression, up to its `}`: a literal scalar as its text, anything
    /// else as the set of its values. OPA refuses what is not a value here.
    fn parse_template_expression(&mut self) -> Result<Expr> {
        if self.tok.0 == TokenKind::Symbol && self.token_text() == "}" {
            bail!(self.tok.1.error("invalid template-string expression"));
        }
        let mut span = self.tok.1.clone();
        let literal = self.parse_literal()?;
        let with_mods = self.parse_with_modifiers()?;
        span.end = self.end;
        let expr = match literal {
            Literal::SomeVars { span, .. } | Literal::SomeIn { span, .. } => {
                bail!(span.error("unexpected 'some' in template-string expression"))
            }
            Literal::Every { span, .. } => {
                bail!(span.error("unexpected 'every' in template-string expression"))
            }
            Literal::NotExpr { span, .. } => {
                bail!(span.error("unexpected negation ('not') in template-string expression"))
            }
            Literal::Expr { expr, .. } => expr,
        };
        match expr.as_ref() {
            Expr::AssignExpr {
                op: AssignOp::Eq,
                span,
                ..
            } => bail!(span.error("unexpected unification ('=') in template-string expression")),
            Expr::AssignExpr {
                op: AssignOp::ColEq,
                span,
                ..
            } => bail!(span.error("unexpected assignment (':=') in template-string expression")),
            // A literal's text is the value's text as written: OPA keeps `1.0` as `1.0`.
            Expr::String { span, value, eidx } | Expr::RawString { span, value, eidx }
                if with_mods.is_empty() =>
            {
                return Ok(Expr::String {
                    span: span.clone(),
                    value: value.clone(),
                    eidx: *eidx,
                })
            }
            Expr::Number { span, eidx, .. }
            | Expr::Bool { span, eidx, .. }
            | Expr::Null { span, eidx, .. }
                if with_mods.is_empty() =>
            {
                return Ok(Expr::String {
                    span: span.clone(),
                    value: Value::from(span.text()),
                    eidx: *eidx,
                })
            }
            Expr::Call { span, fcn, .. } if call_name(fcn).as_deref() == Some("walk") => {
                bail!(span.error(
                    "illegal call to relation built-in 'walk' that may cause multiple outputs"
                ))
            }
            _ => (),
        }
        if let Some(wildcard) = open_wildcard(&expr) {
            bail!(wildcard.error("var _ is undeclared"));
        }
        self.template_value_set(span, expr, with_mods)
    }

    /// `{__templateN__ | __templateN__ := expression}`, keeping the expression's `with`.
    fn template_value_set(
        &mut self,
        span: Span,
        expr: Ref<Expr>,
        with_mods: Vec<WithModifier>,
    ) -> Result<Expr> {
        let capture_eidx = self.next_eidx();
        let capture = synthetic_span(&format!("__template{capture_eidx}__"))?;
        let var = |eidx| Expr::Var {
            span: capture.clone(),
            value: Value::from(capture.text()),
            eidx,
        };
        let assign = Expr::AssignExpr {
            span: span.clone(),
            op: AssignOp::ColEq,
            lhs: Ref::new(var(capture_eidx)),
            rhs: expr,
            eidx: self.next_eidx(),
        };
        let query = Query {
            span: span.clone(),
            stmts: vec![LiteralStmt {
                span: span.clone(),
                literal: Literal::Expr {
                    span: span.clone(),
                    expr: Ref::new(assign),
                },
                with_mods,
                sidx: self.next_sidx(),
            }],
            qidx: self.next_qidx(),
        };
        let term = var(self.next_eidx());
        Ok(Expr::SetCompr {
            span,
            term: Ref::new(term),
            query: Ref::new(query),
            eidx: self.next_eidx(),
        })
    }

    /// `internal.template_string`, as the ref `internal` `.template_string`.
    fn template_builtin(&mut self) -> Result<Expr> {
        let name = synthetic_span(TEMPLATE_BUILTIN)?;
        let dot = "internal".len() as u32;
        let mut head = name.clone();
        head.end = dot;
        let mut field = name.clone();
        field.start = dot + 1;
        field.col = dot + 2;
        Ok(Expr::RefDot {
            refr: Ref::new(Expr::Var {
                value: Value::from(head.text()),
                span: head,
                eidx: self.next_eidx(),
            }),
            field: (field.clone(), Value::from(field.text())),
            span: name,
            eidx: self.next_eidx(),
        })
    }
}

/// A span whose text is `text`, for a name the rewrite introduces: the evaluators read a
/// var's name and a call's function from their spans. Capture vars are numbered by their
/// expression index, so a template string nested in another's expression does not see the
/// outer one's var.
fn synthetic_span(text: &str) -> Result<Span> {
    let source = Source::from_contents(SYNTHETIC_FILE.into(), text.into())?;
    Ok(Span {
        source,
        line: 1,
        col: 1,
        start: 0,
        end: text.len() as u32,
    })
}

/// A text part as its string: escapes decoded as in a JSON string, plus `\{` for `{`; a
/// raw part knows only `\{`.
fn decode_template_text(text: &Span, raw: bool) -> Result<String> {
    let mut unbraced = String::with_capacity(text.text().len() + 2);
    let mut chars = text.text().chars();
    while let Some(ch) = chars.next() {
        match (ch, chars.clone().next()) {
            ('\\', Some('{')) => {
                chars.next();
                unbraced.push('{');
            }
            ('\\', Some(escaped)) if !raw => {
                chars.next();
                unbraced.push('\\');
                unbraced.push(escaped);
            }
            _ => unbraced.push(ch),
        }
    }
    if raw {
        return Ok(unbraced);
    }
    serde_json::from_str::<String>(&format!("\"{unbraced}\""))
        .map_err(|_| text.error(&format!("illegal template-string part: {}", text.text())))
}

/// The dotted name of a call's function, when it is a plain name.
fn call_name(fcn: &Expr) -> Option<String> {
    match fcn {
        Expr::Var { span, .. } => Some(span.text().to_string()),
        Expr::RefDot { refr, field, .. } => Some(format!("{}.{}", call_name(refr)?, field.0.text())),
        _ => None,
    }
}

/// A `_` in the expression outside any comprehension: OPA declares no var for it there,
/// so it cannot make the expression take several values.
fn open_wildcard(expr: &Expr) -> Option<&Span> {
    let children: Vec<&Expr> = match expr {
        Expr::Var { span, .. } if span.text() == "_" => return Some(span),
        Expr::Array { items, .. } | Expr::Set { items, .. } => {
            items.iter().map(|item| item.as_ref()).collect()
        }
        Expr::Object { fields, .. } => fields
            .iter()
            .flat_map(|(_, key, value)| [key.as_ref(), value.as_ref()])
            .collect(),
        Expr::Call { fcn, params, .. } => core::iter::once(fcn.as_ref())
            .chain(params.iter().map(|param| param.as_ref()))
            .collect(),
        Expr::UnaryExpr { expr, .. } => vec![expr.as_ref()],
        Expr::RefDot { refr, .. } => vec![refr.as_ref()],
        Expr::RefBrack { refr, index, .. } => vec![refr.as_ref(), index.as_ref()],
        Expr::BinExpr { lhs, rhs, .. }
        | Expr::BoolExpr { lhs, rhs, .. }
        | Expr::ArithExpr { lhs, rhs, .. }
        | Expr::AssignExpr { lhs, rhs, .. } => vec![lhs.as_ref(), rhs.as_ref()],
        Expr::Membership {
            key,
            value,
            collection,
            ..
        } => key
            .iter()
            .map(|key| key.as_ref())
            .chain([value.as_ref(), collection.as_ref()])
            .collect(),
        _ => vec![],
    };
    children.into_iter().find_map(open_wildcard)
}
