//! What Gatekeeper checks of a ConstraintTemplate before it accepts it (the frameworks'
//! client and Rego driver, as `gator` runs them), in the same order and with the same
//! error text: it is a ConstraintTemplate of a known version, it has exactly one target,
//! `admission.k8s.gatekeeper.sh`; its name is the lowercased CRD kind; the parameters
//! schema is structural; it has code a driver runs; its Rego parses, has a `violation`
//! rule, imports only `data.lib.*` and `future.*`, keeps its libs under `lib.` and reads
//! no `data` but `data.lib.*` and `data.inventory`.
//!
//! Gatekeeper's drivers are Rego and K8sNativeValidation (CEL). `gator` prefers CEL
//! when a template has both; dockpolicy evaluates only Rego, so it runs the Rego of such
//! a template and says so (`TemplateSource::cel`), and refuses a CEL-only template.

use regorus::unstable::{Expr, Literal, Module, Query, Rule, RuleHead};
use serde_json::Value;

use super::{schema, str_at};

/// Gatekeeper's errors, as `gator` prints them.
pub const INVALID: &str = "adding template: invalid ConstraintTemplate";

/// The parts of a template that Gatekeeper uses.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    pub name: String,
    /// `spec.crd.spec.names.kind`.
    pub kind: String,
    pub rego: String,
    pub libs: Vec<String>,
    /// Rego v1 (`code: [{engine: Rego, source: {version: v1}}]`); else v0.
    pub v1: bool,
    /// The template also has K8sNativeValidation (CEL) code, which `gator` would run
    /// instead of the Rego.
    pub cel: bool,
    /// The parameters schema of the Constraint CRD (`None`: the CRD has none, so any
    /// `spec.parameters` is an unknown field).
    pub parameters: Option<Value>,
}

/// Reads and checks a ConstraintTemplate document up to its Rego, which
/// `check_modules` checks once parsed.
pub fn read_template(doc: &Value) -> Result<TemplateSource, String> {
    let version = template_version(doc)?;
    let name = str_at(doc, "/metadata/name").unwrap_or("").to_owned();
    let target = only_target(doc)?;
    let target_name = str_at(target, "/target").unwrap_or("");
    let kind = crd_kind(doc, &name)?;
    if target_name != super::TARGET {
        return Err(format!(
            "{INVALID}: target {} not recognized, known targets [{}]",
            schema::quote(target_name),
            super::TARGET
        ));
    }
    let parameters = parameters_schema(doc, version)?;
    let code = code_of(target)?;
    Ok(TemplateSource {
        name,
        kind,
        rego: code.rego,
        libs: code.libs,
        v1: code.v1,
        cel: code.cel,
        parameters,
    })
}

/// The version of a ConstraintTemplate document (`v1`, `v1beta1`, `v1alpha1`).
fn template_version(doc: &Value) -> Result<&str, String> {
    let api_version = str_at(doc, "/apiVersion").unwrap_or("");
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    if group != "templates.gatekeeper.sh" || str_at(doc, "/kind") != Some("ConstraintTemplate") {
        return Err("not a ConstraintTemplate".into());
    }
    if !matches!(version, "v1" | "v1beta1" | "v1alpha1") {
        return Err(format!(
            "adding template: no kind \"ConstraintTemplate\" is registered for version {}",
            schema::quote(api_version)
        ));
    }
    Ok(version)
}

/// The template's one target, which must be named.
fn only_target(doc: &Value) -> Result<&Value, String> {
    let targets = match doc.pointer("/spec/targets") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(t)) => t.as_slice(),
        Some(_) => {
            return Err(
                "adding template: json: cannot unmarshal spec.targets into a list of targets"
                    .into(),
            );
        }
    };
    let [target] = targets else {
        return Err(format!("{INVALID}: must declare exactly one target"));
    };
    if str_at(target, "/target").unwrap_or("").is_empty() {
        return Err(format!("{INVALID}: target name must not be empty"));
    }
    Ok(target)
}

/// The CRD kind, of which the template's name must be the lowercase.
fn crd_kind(doc: &Value, name: &str) -> Result<String, String> {
    let kind = str_at(doc, "/spec/crd/spec/names/kind")
        .unwrap_or("")
        .to_owned();
    if kind.is_empty() {
        return Err(format!(
            "{INVALID}: ConstraintTemplate {} does not specify CRD Kind",
            schema::quote(name)
        ));
    }
    if !name.eq_ignore_ascii_case(&kind) {
        return Err(format!(
            "{INVALID}: the ConstraintTemplate's name {} is not equal to the lowercase of CRD's Kind: {}",
            schema::quote(name),
            schema::quote(&kind.to_lowercase())
        ));
    }
    Ok(kind)
}

/// The Rego a target runs, and whether it also has CEL.
struct TargetCode {
    rego: String,
    libs: Vec<String>,
    v1: bool,
    cel: bool,
}

/// The target's Rego: its `rego:` (and `libs:`), else its Rego code entry.
fn code_of(target: &Value) -> Result<TargetCode, String> {
    let code: Vec<&Value> = target
        .get("code")
        .and_then(Value::as_array)
        .map(|c| c.iter().collect())
        .unwrap_or_default();
    let engine = |e: &str| code.iter().find(|c| str_at(c, "/engine") == Some(e));
    let cel = engine("K8sNativeValidation").is_some();
    // `rego:` (and `libs:`) replace the source of a Rego code entry, as v0.
    let legacy = target
        .get("rego")
        .and_then(Value::as_str)
        .filter(|r| !r.is_empty());
    let (rego, libs, v1) = if let Some(rego) = legacy {
        (
            rego.to_owned(),
            crate::input::strings(target.get("libs")),
            false,
        )
    } else if let Some(code) = engine("Rego") {
        rego_source(code)?
    } else if cel {
        return Err("the template's only code is K8sNativeValidation (CEL), which dockpolicy does not evaluate (it evaluates Rego); gator would run it".into());
    } else {
        return Err("adding template: no language driver is installed that handles this constraint template: available drivers: map[K8sNativeValidation:1 Rego:2], wanted \"\"".into());
    };
    Ok(TargetCode {
        rego,
        libs,
        v1,
        cel,
    })
}

/// A Rego code entry's `source`: its module, libs and whether it is Rego v1.
fn rego_source(code: &Value) -> Result<(String, Vec<String>, bool), String> {
    let source = code
        .get("source")
        .filter(|s| s.is_object())
        .ok_or_else(|| "adding template: could not recognize the type".to_owned())?;
    let rego = match source.get("rego") {
        Some(Value::String(r)) => r.clone(),
        Some(_) => {
            return Err(
                "adding template: .rego accessor error: not a string: while extracting Rego source"
                    .into(),
            );
        }
        None => return Err("adding template: rego source missing required field: rego".into()),
    };
    Ok((
        rego,
        crate::input::strings(source.get("libs")),
        str_at(source, "/version") == Some("v1"),
    ))
}

/// The Constraint CRD's parameters schema: the template's `openAPIV3Schema`, made to
/// keep unknown fields when `legacySchema` is on (the default before v1), checked to be
/// structural as the API server checks a CRD.
fn parameters_schema(doc: &Value, version: &str) -> Result<Option<Value>, String> {
    let validation = doc.pointer("/spec/crd/spec/validation");
    let legacy_default = version != "v1";
    let legacy = match validation {
        None | Some(Value::Null) => legacy_default,
        Some(v) => v
            .get("legacySchema")
            .and_then(Value::as_bool)
            .unwrap_or(legacy_default),
    };
    let mut params = match validation.and_then(|v| v.get("openAPIV3Schema")) {
        Some(s) if s.is_object() => Some(s.clone()),
        _ if legacy => Some(serde_json::json!({})),
        _ => None,
    };
    if let Some(s) = params.as_mut() {
        if legacy {
            schema::preserve_unknown_fields(s);
        }
        let mut errors = Vec::new();
        schema::structural_errors(
            s,
            "spec.validation.openAPIV3Schema.properties[spec].properties[parameters]",
            "object fields",
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(format!("{INVALID}: {}", schema::aggregate(&errors)));
        }
    }
    Ok(params)
}

/// The dotted path of a package or import (`data.lib.x`, `future.keywords.in`).
fn path_of(refr: &Expr) -> String {
    regorus::utils::get_path_string(refr, None).unwrap_or_default()
}

fn is_violation(e: &Expr) -> bool {
    matches!(e, Expr::Var { span, .. } if span.text() == "violation")
}

/// `violation` must be defined in the template's own module, as a rule OPA names
/// `violation`: a partial set (`violation[x] { }`, `violation contains x if { }`) or
/// object (`violation[x] = y { }`). A ref head (`violation[x] if { }`,
/// `violation.a contains x`) has no name and does not count. A complete rule, a function
/// or a default named `violation` counts, but Gatekeeper's hook, which iterates
/// `violation[r]`, then fails to compile.
pub fn check_violation_rule(entry: &Module) -> Result<(), String> {
    let (mut found, mut not_partial) = (false, false);
    for rule in &entry.policy {
        match rule.as_ref() {
            Rule::Spec { head, .. } => match head {
                RuleHead::Set { refr, .. } if is_violation(refr) => found = true,
                RuleHead::Compr {
                    refr,
                    assign: Some(_),
                    ..
                } if matches!(refr.as_ref(), Expr::RefBrack { refr, .. } if is_violation(refr)) => {
                    found = true
                }
                RuleHead::Compr { refr, .. } | RuleHead::Func { refr, .. }
                    if is_violation(refr) =>
                {
                    found = true;
                    not_partial = true;
                }
                _ => {}
            },
            Rule::Default { refr, .. } if is_violation(refr) => {
                found = true;
                not_partial = true;
            }
            Rule::Default { .. } => {}
        }
    }
    if !found {
        return Err(format!(
            "{INVALID}: invalid rego: invalid module: missing required rules: [violation]"
        ));
    }
    if not_partial {
        return Err("adding template: unable to compile modules: `violation` must be a partial set rule (`violation[r] { ... }` or `violation contains r if { ... }`): Gatekeeper's hook iterates `violation[r]`".into());
    }
    Ok(())
}

/// The rewriter's checks over the template's module and its libs (given as
/// `(name, module)`, libs first as Gatekeeper walks them): lib packages, imports, `data`
/// references.
pub fn check_modules(entry: (&str, &Module), libs: &[(String, &Module)]) -> Result<(), String> {
    for (_, lib) in libs {
        let package = path_of(&lib.package.refr);
        let mut parts = package.split('.');
        if parts.next() != Some("lib") || parts.next().is_none() {
            return Err(format!(
                "{INVALID}: invalid lib prefix: path data.{package} not found in lib prefixes"
            ));
        }
    }
    let all: Vec<(&str, &Module)> = libs
        .iter()
        .map(|(n, m)| (n.as_str(), *m))
        .chain([entry])
        .collect();
    for (_, module) in &all {
        for import in &module.imports {
            let path = path_of(&import.refr);
            let first = path.split('.').next().unwrap_or("");
            if first == "input" {
                return Err(format!(
                    "{INVALID}: invalid import: cannot import input: {}",
                    schema::quote(&path)
                ));
            }
            let lib = path == "data.lib" || path.starts_with("data.lib.");
            if !lib && first != "future" {
                return Err(format!(
                    "{INVALID}: invalid import: bad import: {}",
                    schema::quote(&path)
                ));
            }
        }
    }
    for (name, module) in &all {
        let mut bad = Vec::new();
        for rule in &module.policy {
            data_refs(rule, &mut |r| {
                let allowed = ["inventory", "lib"]
                    .iter()
                    .any(|root| r.get(1).is_some_and(|c| c == &format!(".{root}")));
                if !allowed {
                    bad.push(format!("disallowed ref {}", r.concat()));
                }
            });
        }
        if !bad.is_empty() {
            let list: String = bad.iter().map(|b| format!("{b}\n")).collect();
            return Err(format!(
                "{INVALID}: invalid data references: check refs failed on module {{{name}}}: errors ({}):\n{list}",
                bad.len()
            ));
        }
    }
    Ok(())
}

/// Calls `found` with every reference rooted at `data` in the rule, as its printed
/// components (`["data", ".inventory", "[x]"]`). An explicit stack: a chain of a
/// thousand `.field`s must not exhaust the thread's stack.
fn data_refs(rule: &Rule, found: &mut dyn FnMut(&[String])) {
    let mut pending = Pending::default();
    pending.rule(rule);
    loop {
        while let Some(q) = pending.queries.pop() {
            pending.statements(q);
        }
        let Some(e) = pending.exprs.pop() else {
            break;
        };
        pending.expr(e, found);
    }
}

/// What is left to look at in a rule: expressions, and queries whose statements hold more.
#[derive(Default)]
struct Pending<'a> {
    exprs: Vec<&'a Expr>,
    queries: Vec<&'a Query>,
}

impl<'a> Pending<'a> {
    fn rule(&mut self, rule: &'a Rule) {
        match rule {
            Rule::Spec { head, bodies, .. } => {
                self.head(head);
                for body in bodies {
                    if let Some(a) = &body.assign {
                        self.exprs.push(&a.value);
                    }
                    self.queries.push(&body.query);
                }
            }
            Rule::Default {
                refr, args, value, ..
            } => {
                self.exprs.push(refr);
                self.exprs.extend(args.iter().map(|a| a.as_ref()));
                self.exprs.push(value);
            }
        }
    }

    fn head(&mut self, head: &'a RuleHead) {
        match head {
            RuleHead::Compr { refr, assign, .. } => {
                self.exprs.push(refr);
                if let Some(a) = assign {
                    self.exprs.push(&a.value);
                }
            }
            RuleHead::Set { refr, key, .. } => {
                self.exprs.push(refr);
                if let Some(k) = key {
                    self.exprs.push(k);
                }
            }
            RuleHead::Func {
                refr, args, assign, ..
            } => {
                self.exprs.push(refr);
                self.exprs.extend(args.iter().map(|a| a.as_ref()));
                if let Some(a) = assign {
                    self.exprs.push(&a.value);
                }
            }
        }
    }

    fn statements(&mut self, query: &'a Query) {
        for stmt in &query.stmts {
            match &stmt.literal {
                Literal::SomeVars { .. } => {}
                Literal::SomeIn {
                    key,
                    value,
                    collection,
                    ..
                } => self.membership(key.as_deref(), value, collection),
                Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => self.exprs.push(expr),
                Literal::Every { domain, query, .. } => {
                    self.exprs.push(domain);
                    self.queries.push(query);
                }
            }
            for w in &stmt.with_mods {
                self.exprs.push(&w.refr);
                self.exprs.push(&w.r#as);
            }
        }
    }

    /// `[key,] value in collection`, as a statement (`some ... in`) or an expression.
    fn membership(&mut self, key: Option<&'a Expr>, value: &'a Expr, collection: &'a Expr) {
        self.exprs.extend(key);
        self.exprs.push(value);
        self.exprs.push(collection);
    }

    fn expr(&mut self, e: &'a Expr, found: &mut dyn FnMut(&[String])) {
        match e {
            Expr::RefDot { .. } | Expr::RefBrack { .. } => self.reference(e, found),
            Expr::Var { span, .. } if span.text() == "data" => found(&["data".to_owned()]),
            Expr::Array { items, .. } | Expr::Set { items, .. } => {
                self.exprs.extend(items.iter().map(|i| i.as_ref()))
            }
            Expr::Object { fields, .. } => {
                for (_, k, v) in fields {
                    self.exprs.push(k);
                    self.exprs.push(v);
                }
            }
            Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
                self.exprs.push(term);
                self.queries.push(query);
            }
            Expr::ObjectCompr {
                key, value, query, ..
            } => {
                self.exprs.push(key);
                self.exprs.push(value);
                self.queries.push(query);
            }
            Expr::Call { fcn, params, .. } => {
                self.exprs.push(fcn);
                self.exprs.extend(params.iter().map(|p| p.as_ref()));
            }
            Expr::UnaryExpr { expr, .. } => self.exprs.push(expr),
            Expr::BinExpr { lhs, rhs, .. }
            | Expr::BoolExpr { lhs, rhs, .. }
            | Expr::ArithExpr { lhs, rhs, .. }
            | Expr::AssignExpr { lhs, rhs, .. } => {
                self.exprs.push(lhs);
                self.exprs.push(rhs);
            }
            Expr::Membership {
                key,
                value,
                collection,
                ..
            } => self.membership(key.as_deref(), value, collection),
            _ => {}
        }
    }

    /// The whole chain is one reference; its bracket indexes are expressions.
    fn reference(&mut self, e: &'a Expr, found: &mut dyn FnMut(&[String])) {
        let mut parts = Vec::new();
        let mut node = e;
        loop {
            match node {
                Expr::RefDot { refr, field, .. } => {
                    parts.push(format!(".{}", field.0.text()));
                    node = refr;
                }
                Expr::RefBrack { refr, index, .. } => {
                    parts.push(index_text(index));
                    if !is_scalar(index) {
                        self.exprs.push(index);
                    }
                    node = refr;
                }
                _ => break,
            }
        }
        match node {
            Expr::Var { span, .. } if span.text() == "data" => {
                parts.push("data".into());
                parts.reverse();
                found(&parts);
            }
            other => self.exprs.push(other),
        }
    }
}

fn is_scalar(e: &Expr) -> bool {
    matches!(
        e,
        Expr::String { .. }
            | Expr::RawString { .. }
            | Expr::Number { .. }
            | Expr::Bool { .. }
            | Expr::Null { .. }
            | Expr::Var { .. }
    )
}

/// How OPA prints one bracketed component of a reference: `.name` for a string that is
/// an identifier, `["x y"]` for another string, `[v]` for a variable or number.
fn index_text(index: &Expr) -> String {
    match index {
        Expr::String { value, .. } | Expr::RawString { value, .. } => {
            let s = value.as_string().map(|s| s.to_string()).unwrap_or_default();
            let ident = s
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if ident {
                format!(".{s}")
            } else {
                format!("[{}]", schema::quote(&s))
            }
        }
        other => format!("[{}]", other.span().text()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(target: Value) -> Value {
        json!({
            "apiVersion": "templates.gatekeeper.sh/v1",
            "kind": "ConstraintTemplate",
            "metadata": {"name": "k8sfoo"},
            "spec": {"crd": {"spec": {"names": {"kind": "K8sFoo"}}}, "targets": [target]},
        })
    }

    fn modules(rego: &str, libs: &[&str]) -> Result<(), String> {
        let mut engine = regorus::Engine::new();
        engine.set_rego_v0(true);
        for (i, lib) in libs.iter().enumerate() {
            engine
                .add_policy(format!("lib{i}"), (*lib).to_owned())
                .unwrap();
        }
        engine
            .add_policy("template".into(), rego.to_owned())
            .unwrap();
        let mods = engine.get_modules().clone();
        let (last, libs) = mods.split_last().unwrap();
        let libs: Vec<(String, &Module)> = libs
            .iter()
            .enumerate()
            .map(|(i, m)| (format!("libs[\"lib_{i}\"]"), m.as_ref()))
            .collect();
        check_violation_rule(last)?;
        check_modules(("template", last), &libs)
    }

    #[test]
    fn names_targets_and_drivers_are_checked_with_gatekeepers_words() {
        let ok = json!({"target": "admission.k8s.gatekeeper.sh", "rego": "package x\nviolation[{\"msg\": \"m\"}] { true }"});
        assert!(read_template(&template(ok.clone())).is_ok());
        let mut renamed = template(ok.clone());
        renamed["metadata"]["name"] = json!("other");
        assert!(
            read_template(&renamed)
                .unwrap_err()
                .contains("is not equal to the lowercase of CRD's Kind: \"k8sfoo\"")
        );
        let mut two = template(ok.clone());
        two["spec"]["targets"] = json!([ok, ok]);
        assert!(
            read_template(&two)
                .unwrap_err()
                .ends_with("must declare exactly one target")
        );
        let cel_only = json!({"target": "admission.k8s.gatekeeper.sh", "code": [{"engine": "K8sNativeValidation", "source": {}}]});
        assert!(
            read_template(&template(cel_only))
                .unwrap_err()
                .contains("CEL")
        );
        let both = json!({"target": "admission.k8s.gatekeeper.sh", "code": [
            {"engine": "K8sNativeValidation", "source": {}},
            {"engine": "Rego", "source": {"version": "v1", "rego": "package x"}}]});
        let read = read_template(&template(both)).unwrap();
        assert!(read.cel && read.v1);
    }

    #[test]
    fn imports_lib_packages_and_data_references_follow_the_rewriter() {
        assert_eq!(
            modules(
                "package x\nimport data.lib.h\nimport future.keywords.in\nviolation[{\"msg\": \"m\"}] { h.f; data.inventory.x; data.lib.h.f }",
                &["package lib.h\nf { true }"]
            ),
            Ok(())
        );
        let err = |r: &str, libs: &[&str]| modules(r, libs).unwrap_err();
        assert!(
            err(
                "package x\nimport rego.v1\nviolation contains 1 if { true }",
                &[]
            )
            .ends_with("bad import: \"rego.v1\"")
        );
        assert!(
            err("package x\nimport input.review\nviolation[1] { true }", &[])
                .ends_with("cannot import input: \"input.review\"")
        );
        assert!(
            err(
                "package x\nviolation[1] { true }",
                &["package foo\nf { true }"]
            )
            .ends_with("path data.foo not found in lib prefixes")
        );
        assert!(
            err(
                "package x\nviolation[1] { true }",
                &["package lib\nf { true }"]
            )
            .ends_with("path data.lib not found in lib prefixes")
        );
        assert!(
            err("package x\nviolation[1] { data.x.y == 1 }", &[])
                .contains("errors (1):\ndisallowed ref data.x.y\n")
        );
        assert!(
            err("package x\nviolation[1] { x := data; x.y }", &[])
                .contains("disallowed ref data\n")
        );
        assert!(
            err("package x\ndeny[1] { true }", &[])
                .ends_with("missing required rules: [violation]")
        );
    }
}
