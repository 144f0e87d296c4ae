//! Evaluating ConstraintTemplates and Constraints the way Gatekeeper does, locally.
//!
//! Any template works, not only ours: Rego v0 (`rego:` + `libs:`) or v1
//! (`code: [{engine: Rego, source: {version: v1, ...}}]`), checked as Gatekeeper checks
//! it (`validate`). A Constraint is checked against the CRD its template defines
//! (`Template::constraint`: the match and parameters schemas, unknown fields, defaults).
//! The input is Gatekeeper's, `{"review": <the admission request>, "parameters"}` (see
//! `review`), with the inventory at `data.inventory`; a Constraint's `spec.match` decides
//! which objects it reviews (see `matching`).

use serde_json::{Map, Value, json};

use super::matching::{self, Match, Target};
use super::{schema, str_at, validate};
use crate::policy::eval::PrintLog;
use crate::policy::{guard, load};

pub use super::matching::Source;
pub use super::review::{Review, review};

/// A compiled ConstraintTemplate.
#[derive(Clone)]
pub struct Template {
    pub name: String,
    pub kind: String,
    /// The template also has K8sNativeValidation (CEL) code, which `gator` runs in
    /// preference to Rego; dockpolicy runs the Rego.
    pub cel: bool,
    package: String,
    engine: regorus::Engine,
    /// The schema of the Constraint CRD the template defines.
    crd: Value,
    /// `--timeout`: the time one review (one object against one constraint) may take.
    timeout: Option<std::time::Duration>,
}

/// A Constraint.
#[derive(Debug, Clone)]
pub struct Constraint {
    pub name: String,
    pub kind: String,
    /// deny, warn, dryrun or scoped.
    pub enforcement: String,
    /// With `scoped`: the actions of its `scopedEnforcementActions` that apply to gator
    /// (an enforcement point `gator.gatekeeper.sh` or `*`), sorted, each once; none means
    /// gator does not enforce the constraint.
    pub scoped_actions: Vec<String>,
    matcher: Match,
    parameters: Value,
}

/// A Constraint Gatekeeper refuses to add.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstraintError {
    /// It fails the CRD's schema (what a Suite test with `invalid: true` expects), as
    /// opposed to any other reason.
    pub schema: bool,
    pub message: String,
}

impl std::fmt::Display for ConstraintError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<ConstraintError> for String {
    fn from(e: ConstraintError) -> String {
        e.message
    }
}

/// One violation.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub msg: String,
    pub details: Value,
}

/// `data.inventory` for reviews, converted for the engine once: `gatekeeper test` reviews
/// every object it is given against every constraint with all of them as the inventory,
/// and converting it per review would make the run quadratic in the number of objects.
/// Adding data to an engine makes it analyse its modules again, so each template gets the
/// inventory once: the engines here, by template name, are ready to clone per review.
pub struct Inventory {
    /// As the matcher reads it (the Namespaces a namespaceSelector looks up).
    pub json: Value,
    /// `{"inventory": ...}` for the engine's data; `None` leaves it undefined.
    data: Option<regorus::Value>,
    prepared: std::cell::RefCell<std::collections::HashMap<String, regorus::Engine>>,
}

impl Inventory {
    /// An object, even empty, is `data.inventory` as given (gator's is `{}` without
    /// inventory); `Value::Null` leaves it undefined.
    pub fn new(json: Value) -> Inventory {
        let data = json
            .is_object()
            .then(|| regorus::Value::from(json!({"inventory": &json})));
        Inventory {
            json,
            data,
            prepared: Default::default(),
        }
    }

    /// `template`'s engine with this inventory as `data.inventory`, analysed once.
    fn engine_for(&self, template: &Template) -> Result<regorus::Engine, String> {
        let Some(data) = &self.data else {
            return Ok(template.engine.clone());
        };
        if let Some(engine) = self.prepared.borrow().get(&template.name) {
            return Ok(engine.clone());
        }
        let mut engine = template.engine.clone();
        engine.add_data(data.clone()).map_err(|e| e.to_string())?;
        engine.set_input(regorus::Value::new_object());
        engine
            .eval_query("true".into(), false)
            .map_err(|e| format!("{}: {e}", template.name))?;
        self.prepared
            .borrow_mut()
            .insert(template.name.clone(), engine.clone());
        Ok(engine)
    }
}

impl Template {
    /// Checks and compiles a ConstraintTemplate document. Its Rego comes from the scanned
    /// tree like any policy: it gets the same checks before parsing, builtin guards and
    /// gathered prints (`load::new_engine`, `load::add_source`), and each review stops
    /// after `timeout`. Errors are Gatekeeper's (`gator`'s) words.
    pub fn load(doc: &Value, timeout: Option<std::time::Duration>) -> Result<Template, String> {
        let source = validate::read_template(doc)?;
        let invalid = validate::INVALID;
        let mut engine = load::new_engine().map_err(|e| format!("{}: {e}", source.name))?;
        engine.set_rego_v0(!source.v1);
        load::add_source(&mut engine, "template".into(), source.rego.clone())
            .map_err(|e| format!("{invalid}: {e}"))?;
        let entry = engine
            .get_modules()
            .last()
            .cloned()
            .ok_or_else(|| format!("{invalid}: the rego has no module"))?;
        validate::check_violation_rule(&entry)?;
        for (i, lib) in source.libs.iter().enumerate() {
            load::add_source(&mut engine, format!("libs[\"lib_{i}\"]"), lib.clone())
                .map_err(|e| format!("{invalid}: {e}"))?;
        }
        let modules = engine.get_modules().clone();
        let libs: Vec<(String, &regorus::unstable::Module)> = modules
            .iter()
            .skip(modules.len() - source.libs.len())
            .enumerate()
            .map(|(i, m)| (format!("libs[\"lib_{i}\"]"), m.as_ref()))
            .collect();
        validate::check_modules(("template", &entry), &libs)?;
        let package = regorus::utils::get_path_string(&entry.package.refr, None)
            .map_err(|e| format!("{invalid}: {e}"))?;
        engine.set_input(regorus::Value::new_object());
        engine
            .eval_query("true".into(), false)
            .map_err(|e| format!("adding template: unable to compile modules: {e}"))?;
        if let Some(limit) = timeout {
            load::set_time_limit(&mut engine, limit);
        }
        Ok(Template {
            crd: crd_schema(source.parameters.as_ref()),
            name: source.name,
            kind: source.kind,
            cel: source.cel,
            package,
            engine,
            timeout,
        })
    }

    /// Checks a Constraint document as Gatekeeper does when it is added for this
    /// template, and returns it with its schema defaults applied.
    pub fn constraint(&self, doc: &Value) -> Result<Constraint, ConstraintError> {
        let invalid = |message: String| ConstraintError {
            schema: false,
            message,
        };
        let (name, kind) = self.constraint_names(doc).map_err(invalid)?;
        let mut body = doc.clone();
        if let Some(map) = body.as_object_mut() {
            // The API server's own fields are not the CRD's business.
            for key in ["apiVersion", "kind"] {
                map.remove(key);
            }
        }
        let mut errors = Vec::new();
        schema::validate(&self.crd, &body, "", &mut errors);
        if !errors.is_empty() {
            return Err(ConstraintError {
                schema: true,
                message: format!("schema validation failed: {}", schema::aggregate(&errors)),
            });
        }
        self.check_known_fields(&body).map_err(invalid)?;
        schema::apply_defaults(&self.crd, &mut body);
        Ok(Constraint::from_checked(name, kind, &body))
    }

    /// The Constraint's name and kind, checked before its schema: a Constraint of this
    /// template's kind, at a supported version, with a valid name and selectors.
    fn constraint_names<'d>(&self, doc: &'d Value) -> Result<(&'d str, &'d str), String> {
        let api_version = str_at(doc, "/apiVersion").unwrap_or("");
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        if group != "constraints.gatekeeper.sh" {
            return Err("not a Constraint".into());
        }
        let name = str_at(doc, "/metadata/name").unwrap_or("");
        let kind = str_at(doc, "/kind").unwrap_or("");
        if name.is_empty() {
            return Err("invalid Constraint: missing metadata.name".into());
        }
        if kind.is_empty() {
            return Err("invalid Constraint: missing kind".into());
        }
        // Gatekeeper finds the template by the lowercased kind.
        if self.name != kind.to_lowercase() {
            return Err(format!(
                "missing ConstraintTemplate: template {} not found",
                schema::quote(&kind.to_lowercase())
            ));
        }
        check_selectors(doc)?;
        if !matching::dns1123_subdomain(name) {
            return Err(format!(
                "invalid Constraint: invalid name: {}",
                schema::quote(
                    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
                )
            ));
        }
        if kind != self.kind {
            return Err(format!(
                "invalid Constraint: wrong kind {} for constraint {}; want {}",
                schema::quote(name),
                schema::quote(kind),
                schema::quote(&self.kind)
            ));
        }
        if !matches!(version, "v1alpha1" | "v1beta1") {
            return Err(format!(
                "invalid Constraint: unsupported version {} for Constraint {}; supported versions: map[v1alpha1:true v1beta1:true]",
                schema::quote(version),
                schema::quote(name)
            ));
        }
        Ok((name, kind))
    }

    /// Fields of the Constraint (without `apiVersion` and `kind`) that its CRD does not
    /// define.
    fn check_known_fields(&self, body: &Value) -> Result<(), String> {
        let mut unknown = Vec::new();
        if let Some(map) = body.as_object() {
            for (key, value) in map {
                match key.as_str() {
                    "metadata" | "status" => {}
                    "spec" => schema::unknown_fields(
                        &self.crd["properties"]["spec"],
                        value,
                        "spec",
                        &mut unknown,
                    ),
                    other => unknown.push(other.to_owned()),
                }
            }
        }
        if !unknown.is_empty() {
            unknown.sort();
            return Err(format!(
                "invalid Constraint: unknown fields: [{}]",
                unknown.join(" ")
            ));
        }
        Ok(())
    }

    /// Evaluates `violation` for one review; what the template printed goes to `prints`.
    /// An error of the Rego (a conflict, a builtin given the wrong type) is a violation
    /// whose message is the error, as in Gatekeeper; running out of time or memory is
    /// the error of the evaluation.
    pub fn review(
        &self,
        constraint: &Constraint,
        review: &Review,
        inventory: &Inventory,
        prints: &mut PrintLog,
    ) -> Result<Vec<Violation>, String> {
        let mut engine = inventory.engine_for(self)?;
        let mut request = review.input.clone();
        if let Some(map) = request.as_object_mut() {
            map.insert("namespaceObject".into(), json!({}));
        }
        let input = json!({"review": request, "parameters": constraint.parameters});
        engine.set_input(regorus::Value::from(input));
        let value = engine.eval_rule(format!("data.{}.violation", self.package));
        prints.add(
            engine.take_prints().unwrap_or_default(),
            Some(&review.object),
        );
        let value = match value {
            Ok(v) => v,
            Err(e) => return self.evaluation_error(e.to_string()),
        };
        // As a rule's value in `test`: a value that shares its parts can be far too large
        // to turn into JSON, which cannot stop half-way.
        guard::check_result(&value).map_err(|e| format!("{}: {e}", self.name))?;
        Ok(violations(&value))
    }

    /// What an error evaluating `violation` is: the template's error when it would not
    /// compile in OPA or ran out of time or memory, else a violation.
    fn evaluation_error(&self, message: String) -> Result<Vec<Violation>, String> {
        // What OPA finds when it compiles the template, regorus finds when it
        // evaluates it: still the template's error, not a violation.
        if ["could not find function", "is unsafe"]
            .iter()
            .any(|m| message.contains(m))
        {
            return Err(format!(
                "adding template: unable to compile modules: {message}"
            ));
        }
        if message.contains("exceeded time limit") || message.contains("memory limit") {
            let mut message = format!("{}: {message}", self.name);
            if let Some(limit) = self.timeout
                && message.contains("exceeded time limit")
            {
                message.push_str(&format!(" (--timeout {limit:?} per object and constraint)"));
            }
            return Err(message);
        }
        Ok(vec![Violation {
            msg: message,
            details: json!({}),
        }])
    }

    /// What Gatekeeper reports for one review against one constraint: nothing when the
    /// constraint does not select it, a violation when it cannot tell (a
    /// namespaceSelector for an object whose Namespace is not in the inventory), else the
    /// template's violations.
    pub fn evaluate(
        &self,
        constraint: &Constraint,
        review: &Review,
        inventory: &Inventory,
        prints: &mut PrintLog,
    ) -> Result<Vec<Violation>, String> {
        match constraint.selects(review, &inventory.json) {
            Ok(false) => Ok(Vec::new()),
            Ok(true) => self.review(constraint, review, inventory, prints),
            Err(msg) => Ok(vec![Violation {
                msg,
                details: json!({}),
            }]),
        }
    }
}

/// The `labelSelector` and `namespaceSelector` of a Constraint's match must be valid
/// selectors.
fn check_selectors(doc: &Value) -> Result<(), String> {
    let mut errors = Vec::new();
    for key in ["labelSelector", "namespaceSelector"] {
        if let Some(selector) = doc.pointer(&format!("/spec/match/{key}"))
            && selector.is_object()
        {
            // (Gatekeeper names both `spec.labelSelector`.)
            matching::validate_selector(selector, "spec.labelSelector", &mut errors);
            if !errors.is_empty() {
                return Err(format!(
                    "invalid Constraint: {}",
                    schema::aggregate(&errors)
                ));
            }
        }
    }
    Ok(())
}

/// Gatekeeper's hook iterates `violation[r]`: the members of a partial set, the keys of
/// a partial object. It keeps those with a `msg`; `details` defaults to {}.
fn violations(value: &regorus::Value) -> Vec<Violation> {
    let members: Vec<&regorus::Value> = match value {
        regorus::Value::Set(set) => set.iter().collect(),
        regorus::Value::Object(map) => map.keys().collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<Violation> = members
        .into_iter()
        .filter_map(|member| {
            let v = serde_json::to_value(member).ok()?;
            let msg = match v.get("msg")? {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some(Violation {
                msg,
                details: v.get("details").cloned().unwrap_or_else(|| json!({})),
            })
        })
        .collect();
    out.sort_by(|a, b| a.msg.cmp(&b.msg));
    out
}

impl Constraint {
    /// Reads a Constraint without a template to check it against (`gatekeeper test`
    /// loads its constraints before it knows which template each needs).
    pub fn load(doc: &Value) -> Result<Constraint, String> {
        let name = str_at(doc, "/metadata/name").ok_or("Constraint has no metadata.name")?;
        let kind = str_at(doc, "/kind").ok_or("Constraint has no kind")?;
        Ok(Constraint::from_checked(name, kind, doc))
    }

    fn from_checked(name: &str, kind: &str, doc: &Value) -> Constraint {
        let parameters = match doc.pointer("/spec/parameters") {
            None | Some(Value::Null) => json!({}),
            Some(p) => p.clone(),
        };
        Constraint {
            name: name.to_owned(),
            kind: kind.to_owned(),
            enforcement: str_at(doc, "/spec/enforcementAction")
                .unwrap_or("deny")
                .to_owned(),
            scoped_actions: gator_scoped_actions(doc),
            matcher: Match::parse(doc.pointer("/spec/match").unwrap_or(&Value::Null)),
            parameters,
        }
    }

    /// Whether `spec.match` selects a plain object, knowing no Namespace objects (a
    /// namespaceSelector then selects only cluster-scoped objects and Namespaces).
    pub fn matches(&self, obj: &Value) -> bool {
        self.matcher
            .matches(&Target {
                object: obj,
                namespace: None,
                source: Source::Original,
            })
            .unwrap_or(false)
    }

    /// Whether `spec.match` selects the review, its object or its old object, with the
    /// Namespace objects of the inventory; `Err` (Gatekeeper's message) when it cannot
    /// tell.
    pub fn selects(&self, review: &Review, inventory: &Value) -> Result<bool, String> {
        let namespace = (!review.namespace.is_empty())
            .then(|| {
                inventory
                    .get("cluster")
                    .and_then(|c| c.get("v1"))
                    .and_then(|c| c.get("Namespace"))
                    .and_then(|c| c.get(&review.namespace))
            })
            .flatten();
        let mut any = false;
        for object in review.matched_objects() {
            any = true;
            let target = Target {
                object,
                namespace,
                source: review.source,
            };
            if self.matcher.matches(&target)? {
                return Ok(true);
            }
        }
        if !any {
            return Err("neither object nor old object are defined".into());
        }
        Ok(false)
    }
}

/// Whether an entry of a Constraint's `scopedEnforcementActions` names gator's
/// enforcement point (or `*`, every point).
pub(super) fn reaches_gator(scoped_action: &Value) -> bool {
    scoped_action
        .get("enforcementPoints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("name").and_then(Value::as_str))
        .any(|name| name == super::GATOR_ENFORCEMENT_POINT || name == "*")
}

/// The scoped enforcement actions of a Constraint that gator's enforcement point gets.
fn gator_scoped_actions(doc: &Value) -> Vec<String> {
    let mut actions: Vec<String> = doc
        .pointer("/spec/scopedEnforcementActions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|a| reaches_gator(a))
        .filter_map(|a| a.get("action").and_then(Value::as_str).map(str::to_owned))
        .collect();
    actions.sort();
    actions.dedup();
    actions
}

/// The openAPIV3Schema of a Constraint CRD: Gatekeeper's match schema, the enforcement
/// action, and the template's parameters schema (none: `parameters` is unknown).
fn crd_schema(parameters: Option<&Value>) -> Value {
    let mut spec = Map::new();
    spec.insert("match".into(), match_schema());
    spec.insert(
        "enforcementAction".into(),
        json!({"type": "string", "default": "deny"}),
    );
    spec.insert(
        "scopedEnforcementActions".into(),
        json!({"type": "array", "items": {"type": "object", "properties": {
            "action": {"type": "string"},
            "enforcementPoints": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}}}}}),
    );
    if let Some(p) = parameters {
        spec.insert("parameters".into(), p.clone());
    }
    json!({"type": "object", "properties": {
        "metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 63}}},
        "spec": {"type": "object", "properties": spec},
        "status": {"x-kubernetes-preserve-unknown-fields": true},
    }})
}

/// Gatekeeper's schema of `spec.match` (pkg/target/matchcrd_constant.go).
fn match_schema() -> Value {
    let wildcard = json!({"type": "string", "pattern": "^\\*?[-:a-z0-9]*\\*?$"});
    let selector = json!({"type": "object", "properties": {
        "matchExpressions": {"type": "array", "items": {"type": "object", "required": ["key", "operator"], "properties": {
            "key": {"type": "string"},
            "operator": {"type": "string"},
            "values": {"type": "array", "items": {"type": "string"}}}}},
        "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}}}});
    json!({"type": "object", "properties": {
        "excludedNamespaces": {"type": "array", "items": wildcard},
        "kinds": {"type": "array", "items": {"type": "object", "properties": {
            "apiGroups": {"type": "array", "items": {"type": "string"}},
            "kinds": {"type": "array", "items": {"type": "string"}}}}},
        "labelSelector": selector,
        "name": wildcard,
        "namespaceSelector": selector,
        "namespaces": {"type": "array", "items": wildcard},
        "scope": {"type": "string"},
        "source": {"type": "string", "enum": ["All", "Generated", "Original"]},
    }})
}

/// The objects a document stands for in `gatekeeper test`, which scans manifests: an
/// AdmissionReview's request (`Err`, gator's words, when gator would refuse it), a
/// List's items, or the object itself.
pub fn reviews(doc: &Value) -> Result<Vec<Review>, String> {
    Ok(match str_at(doc, "/kind") {
        Some("AdmissionReview") => vec![review(doc)?],
        Some(kind) if kind.ends_with("List") && doc.get("items").is_some() => doc
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|o| Review::of_object(o, Source::Original))
            .collect(),
        Some(_) => vec![Review::of_object(doc, Source::Original)],
        None => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gatekeeper::suite::inventory;

    fn template(params: Value) -> Template {
        let doc = json!({
            "apiVersion": "templates.gatekeeper.sh/v1",
            "kind": "ConstraintTemplate",
            "metadata": {"name": "k8sfoo"},
            "spec": {
                "crd": {"spec": {"names": {"kind": "K8sFoo"}, "validation": {"openAPIV3Schema": params}}},
                "targets": [{"target": "admission.k8s.gatekeeper.sh", "rego":
                    "package k8sfoo\nviolation[{\"msg\": msg}] { msg := sprintf(\"%v %v\", [input.review.object.metadata.name, input.parameters.mode]) }"}],
            },
        });
        Template::load(&doc, None).unwrap()
    }

    /// A template of `version` with the whole `validation` block given (null: none).
    fn template_of(version: &str, validation: Value) -> Template {
        let doc = json!({
            "apiVersion": format!("templates.gatekeeper.sh/{version}"),
            "kind": "ConstraintTemplate",
            "metadata": {"name": "k8sfoo"},
            "spec": {
                "crd": {"spec": {"names": {"kind": "K8sFoo"}, "validation": validation}},
                "targets": [{"target": "admission.k8s.gatekeeper.sh", "rego":
                    "package k8sfoo\nviolation[{\"msg\": \"m\"}] { false }"}],
            },
        });
        Template::load(&doc, None).unwrap()
    }

    fn constraint(spec: Value) -> Value {
        json!({"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sFoo", "metadata": {"name": "c"}, "spec": spec})
    }

    #[test]
    fn a_constraint_is_checked_against_the_crd_its_template_defines() {
        let t = template(
            json!({"type": "object", "properties": {"mode": {"type": "string", "enum": ["a", "b"], "default": "a"}}}),
        );
        let c = t
            .constraint(&constraint(json!({"parameters": {}})))
            .unwrap();
        assert_eq!(c.parameters, json!({"mode": "a"}), "defaults are applied");
        assert_eq!(c.enforcement, "deny");
        let e = t
            .constraint(&constraint(json!({"parameters": {"mode": "c"}})))
            .unwrap_err();
        assert!(e.schema, "{e}");
        assert_eq!(
            e.message,
            "schema validation failed: [].spec.parameters.mode: Unsupported value: \"c\": supported values: \"a\", \"b\""
        );
        let e = t
            .constraint(&constraint(json!({"parameters": {"other": 1}})))
            .unwrap_err();
        assert!(!e.schema);
        assert_eq!(
            e.message,
            "invalid Constraint: unknown fields: [spec.parameters.other]"
        );
        let e = t
            .constraint(&constraint(json!({"match": {"namespaces": ["Shop"]}})))
            .unwrap_err();
        assert!(e.schema && e.message.contains("should match"), "{e}");
        let mut other = constraint(json!({}));
        other["kind"] = json!("K8sBar");
        assert_eq!(
            t.constraint(&other).unwrap_err().message,
            "missing ConstraintTemplate: template \"k8sbar\" not found"
        );
    }

    #[test]
    fn evaluation_errors_are_violations_and_autorejects_too() {
        let t = template(json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}));
        let c = t
            .constraint(&constraint(json!({"match": {"namespaceSelector": {"matchLabels": {"a": "b"}}}, "parameters": {"mode": "x"}})))
            .unwrap();
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"}});
        let mut prints = PrintLog::new("test");
        let r = review(&pod).unwrap();
        let v = t
            .evaluate(&c, &r, &Inventory::new(json!({})), &mut prints)
            .unwrap();
        assert_eq!(v.len(), 1);
        assert!(v[0].msg.starts_with("unable to match constraints"), "{v:?}");
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"a": "b"}}});
        let v = t
            .evaluate(&c, &r, &Inventory::new(inventory(&[ns])), &mut prints)
            .unwrap();
        assert_eq!(
            v,
            [Violation {
                msg: "web x".into(),
                details: json!({})
            }],
            "the template ran"
        );
    }

    /// Whether the constraint is accepted, rejected by the schema (`invalid: true`), or
    /// rejected otherwise.
    fn verdict(t: &Template, spec: Value) -> &'static str {
        match t.constraint(&constraint(spec)) {
            Ok(_) => "accepted",
            Err(e) if e.schema => "schema",
            Err(_) => "invalid",
        }
    }

    #[test]
    fn a_wrong_value_is_a_schema_error_and_an_unknown_field_is_not() {
        let t = template(
            json!({"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}}),
        );
        assert_eq!(verdict(&t, json!({"parameters": {"n": "x"}})), "schema");
        assert_eq!(verdict(&t, json!({"parameters": {"n": 0}})), "schema");
        assert_eq!(verdict(&t, json!({"parameters": {"zzz": 1}})), "invalid");
        assert_eq!(verdict(&t, json!({"bogus": 1})), "invalid");
        assert_eq!(verdict(&t, json!({"parameters": {"n": 3}})), "accepted");
        // A whole float is an integer to Kubernetes' validator.
        assert_eq!(verdict(&t, json!({"parameters": {"n": 3.0}})), "accepted");
    }

    #[test]
    fn legacy_schemas_keep_unknown_fields() {
        let legacy = template_of(
            "v1beta1",
            json!({"openAPIV3Schema": {"properties": {"n": {"type": "integer"}}}}),
        );
        assert_eq!(
            verdict(&legacy, json!({"parameters": {"zzz": 1}})),
            "accepted"
        );
        assert_eq!(
            verdict(&legacy, json!({"parameters": {"n": "x"}})),
            "schema"
        );
        // v1 without a schema: parameters are not a field of the CRD at all.
        let bare = template_of("v1", Value::Null);
        assert_eq!(verdict(&bare, json!({"parameters": {"a": 1}})), "invalid");
        let bare_legacy = template_of("v1beta1", Value::Null);
        assert_eq!(
            verdict(&bare_legacy, json!({"parameters": {"a": 1}})),
            "accepted"
        );
    }

    #[test]
    fn the_match_schema_checks_globs_and_source() {
        let t = template_of("v1", Value::Null);
        assert_eq!(
            verdict(&t, json!({"match": {"namespaces": ["Foo"]}})),
            "schema"
        );
        assert_eq!(verdict(&t, json!({"match": {"source": "Bogus"}})), "schema");
        assert_eq!(
            verdict(
                &t,
                json!({"match": {"namespaces": ["kube-*"], "source": "Generated"}})
            ),
            "accepted"
        );
        // A selector's own rules are not the schema's.
        assert_eq!(
            verdict(
                &t,
                json!({"match": {"labelSelector": {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}}})
            ),
            "invalid"
        );
    }

    #[test]
    fn defaults_fill_missing_parameters() {
        let t = template(json!({"type": "object", "properties": {
            "n": {"type": "integer", "default": 7},
            "list": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "string", "default": "d"}}}},
        }}));
        let c = t
            .constraint(&constraint(
                json!({"parameters": {"list": [{}, {"x": "y"}]}}),
            ))
            .unwrap();
        assert_eq!(c.parameters["n"], 7);
        assert_eq!(c.parameters["list"][0]["x"], "d");
        assert_eq!(c.parameters["list"][1]["x"], "y");
        assert_eq!(c.enforcement, "deny");
    }
}
