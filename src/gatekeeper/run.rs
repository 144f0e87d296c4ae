//! Evaluating ConstraintTemplates and Constraints the way Gatekeeper does, locally.
//!
//! Any template works, not only ours: Rego v0 (`rego:` + `libs:`) or v1
//! (`code: [{engine: Rego, source: {version: v1, ...}}]`). The input is Gatekeeper's:
//! `{"review": {"object", "kind", "operation", "namespace", "name"}, "parameters"}`, with
//! the inventory at `data.inventory`; a Constraint's `spec.match` (kinds, namespaces,
//! excludedNamespaces, labelSelector) decides which objects it reviews.

use crate::input::strings;
use crate::policy::eval::PrintLog;
use crate::policy::{guard, load};
use serde_json::{Map, Value, json};

/// A compiled ConstraintTemplate.
#[derive(Clone)]
pub struct Template {
    pub name: String,
    pub kind: String,
    package: String,
    engine: regorus::Engine,
    /// `--timeout`: the time one review (one object against one constraint) may take.
    timeout: Option<std::time::Duration>,
}

/// A Constraint.
#[derive(Debug, Clone)]
pub struct Constraint {
    pub name: String,
    pub kind: String,
    /// deny, warn or dryrun.
    pub enforcement: String,
    matcher: Value,
    parameters: Value,
}

/// One violation.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub msg: String,
    pub details: Value,
}

/// An object to review, with the admission operation.
#[derive(Debug, Clone)]
pub struct Review {
    pub object: Value,
    pub operation: String,
}

fn str_at<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    v.pointer(path).and_then(Value::as_str)
}

impl Template {
    /// Compiles a ConstraintTemplate document. Its Rego comes from the scanned tree like
    /// any policy: it gets the same checks before parsing, builtin guards and gathered
    /// prints (`load::new_engine`, `load::add_source`), and each review stops after
    /// `timeout`.
    pub fn load(doc: &Value, timeout: Option<std::time::Duration>) -> Result<Template, String> {
        let name = str_at(doc, "/metadata/name")
            .ok_or("ConstraintTemplate has no metadata.name")?
            .to_owned();
        let kind = str_at(doc, "/spec/crd/spec/names/kind")
            .ok_or_else(|| format!("{name}: no spec.crd.spec.names.kind"))?
            .to_owned();
        let target = doc
            .pointer("/spec/targets")
            .and_then(Value::as_array)
            .and_then(|t| {
                t.iter()
                    .find(|t| str_at(t, "/target") == Some(super::TARGET))
            })
            .ok_or_else(|| format!("{name}: no target {}", super::TARGET))?;
        let (rego, libs, v1) = if let Some(rego) = target.get("rego").and_then(Value::as_str) {
            (rego.to_owned(), strings(target.get("libs")), false)
        } else {
            let source = target
                .get("code")
                .and_then(Value::as_array)
                .and_then(|c| c.iter().find(|c| str_at(c, "/engine") == Some("Rego")))
                .and_then(|c| c.get("source"))
                .ok_or_else(|| format!("{name}: neither rego: nor a Rego code: entry"))?;
            let rego = source
                .get("rego")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{name}: code source has no rego"))?;
            (
                rego.to_owned(),
                strings(source.get("libs")),
                str_at(source, "/version") == Some("v1"),
            )
        };
        let package = rego
            .lines()
            .find_map(|l| l.trim().strip_prefix("package "))
            .map(|p| p.trim().to_owned())
            .ok_or_else(|| format!("{name}: the rego has no package"))?;
        let mut engine = load::new_engine().map_err(|e| format!("{name}: {e}"))?;
        engine.set_rego_v0(!v1);
        for (i, lib) in libs.iter().enumerate() {
            load::add_source(&mut engine, format!("{name}/libs[{i}].rego"), lib.clone())
                .map_err(|e| format!("{name}: lib {i}: {e}"))?;
        }
        load::add_source(&mut engine, format!("{name}/rego"), rego)
            .map_err(|e| format!("{name}: {e}"))?;
        engine.set_input(regorus::Value::new_object());
        engine
            .eval_query("true".into(), false)
            .map_err(|e| format!("{name}: {e}"))?;
        if let Some(limit) = timeout {
            load::set_time_limit(&mut engine, limit);
        }
        Ok(Template {
            name,
            kind,
            package,
            engine,
            timeout,
        })
    }

    /// Evaluates `violation` for one review; what the template printed goes to `prints`.
    pub fn review(
        &self,
        constraint: &Constraint,
        review: &Review,
        inventory: &Value,
        prints: &mut PrintLog,
    ) -> Result<Vec<Violation>, String> {
        let mut engine = self.engine.clone();
        // An object, even empty, is `data.inventory` as given (gator's is `{}` without
        // inventory); `Value::Null` leaves it undefined.
        if inventory.is_object() {
            engine
                .add_data(regorus::Value::from(json!({"inventory": inventory})))
                .map_err(|e| e.to_string())?;
        }
        let obj = &review.object;
        let api_version = str_at(obj, "/apiVersion").unwrap_or("v1");
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let input = json!({
            "review": {
                "object": obj,
                "kind": {"group": group, "version": version, "kind": str_at(obj, "/kind").unwrap_or("")},
                "operation": review.operation,
                "namespace": str_at(obj, "/metadata/namespace").unwrap_or(""),
                "name": str_at(obj, "/metadata/name").unwrap_or(""),
            },
            "parameters": constraint.parameters,
        });
        engine.set_input(regorus::Value::from(input));
        let value = engine.eval_rule(format!("data.{}.violation", self.package));
        prints.add(engine.take_prints().unwrap_or_default(), Some(obj));
        let value = value.map_err(|e| {
            let mut message = format!("{}: {e}", self.name);
            if let Some(limit) = self.timeout
                && message.contains("exceeded time limit")
            {
                message.push_str(&format!(" (--timeout {limit:?} per object and constraint)"));
            }
            message
        })?;
        // As a rule's value in `test`: a value that shares its parts can be far too large
        // to turn into JSON, which cannot stop half-way.
        guard::check_result(&value).map_err(|e| format!("{}: {e}", self.name))?;
        let json = serde_json::to_value(&value).unwrap_or(Value::Null);
        let mut out: Vec<Violation> = json
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| Violation {
                msg: str_at(v, "/msg").unwrap_or_default().to_owned(),
                details: v.get("details").cloned().unwrap_or(Value::Null),
            })
            .collect();
        out.sort_by(|a, b| a.msg.cmp(&b.msg));
        Ok(out)
    }
}

impl Constraint {
    pub fn load(doc: &Value) -> Result<Constraint, String> {
        Ok(Constraint {
            name: str_at(doc, "/metadata/name")
                .ok_or("Constraint has no metadata.name")?
                .to_owned(),
            kind: str_at(doc, "/kind")
                .ok_or("Constraint has no kind")?
                .to_owned(),
            enforcement: str_at(doc, "/spec/enforcementAction")
                .unwrap_or("deny")
                .to_owned(),
            matcher: doc.pointer("/spec/match").cloned().unwrap_or(Value::Null),
            parameters: doc
                .pointer("/spec/parameters")
                .cloned()
                .unwrap_or_else(|| json!({})),
        })
    }

    /// Whether `spec.match` selects the object.
    pub fn matches(&self, obj: &Value) -> bool {
        let m = &self.matcher;
        let kind = str_at(obj, "/kind").unwrap_or("");
        let api_version = str_at(obj, "/apiVersion").unwrap_or("");
        let group = api_version.split_once('/').map_or("", |(g, _)| g);
        if let Some(kinds) = m
            .get("kinds")
            .and_then(Value::as_array)
            .filter(|k| !k.is_empty())
        {
            let hit = kinds.iter().any(|k| {
                let any = |key: &str, want: &str| {
                    strings(k.get(key)).iter().any(|v| v == "*" || v == want)
                        || k.get(key).is_none()
                };
                any("apiGroups", group) && any("kinds", kind)
            });
            if !hit {
                return false;
            }
        }
        let namespace = str_at(obj, "/metadata/namespace").unwrap_or("");
        let glob = |pattern: &str| match pattern.strip_suffix('*') {
            Some(prefix) => namespace.starts_with(prefix),
            None => namespace == pattern,
        };
        if let Some(list) = m.get("namespaces").and_then(Value::as_array)
            && !list.iter().filter_map(Value::as_str).any(glob)
        {
            return false;
        }
        if m.get("excludedNamespaces")
            .and_then(Value::as_array)
            .is_some_and(|l| l.iter().filter_map(Value::as_str).any(glob))
        {
            return false;
        }
        if let Some(selector) = m.get("labelSelector") {
            let labels = obj
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            if !selects(selector, &labels) {
                return false;
            }
        }
        true
    }
}

/// Kubernetes label selector semantics (matchLabels and matchExpressions).
fn selects(selector: &Value, labels: &Map<String, Value>) -> bool {
    let label = |k: &str| labels.get(k).and_then(Value::as_str);
    let match_labels = selector.get("matchLabels").and_then(Value::as_object);
    if match_labels.is_some_and(|m| m.iter().any(|(k, v)| label(k) != v.as_str())) {
        return false;
    }
    for expr in selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = str_at(expr, "/key").unwrap_or("");
        let values = strings(expr.get("values"));
        let ok = match str_at(expr, "/operator").unwrap_or("") {
            "In" => label(key).is_some_and(|v| values.iter().any(|x| x == v)),
            "NotIn" => label(key).is_none_or(|v| !values.iter().any(|x| x == v)),
            "Exists" => label(key).is_some(),
            "DoesNotExist" => label(key).is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// The objects a document stands for: itself, an AdmissionReview's object (or old object
/// on DELETE), or a List's items.
pub fn reviews(doc: &Value) -> Vec<Review> {
    match str_at(doc, "/kind") {
        Some("AdmissionReview") => {
            let operation = str_at(doc, "/request/operation")
                .unwrap_or("CREATE")
                .to_owned();
            let object = if operation == "DELETE" {
                doc.pointer("/request/oldObject")
            } else {
                doc.pointer("/request/object")
            };
            object
                .map(|o| {
                    vec![Review {
                        object: o.clone(),
                        operation,
                    }]
                })
                .unwrap_or_default()
        }
        Some(kind) if kind.ends_with("List") && doc.get("items").is_some() => list_items(doc),
        Some(_) => vec![Review {
            object: doc.clone(),
            operation: "CREATE".into(),
        }],
        None => Vec::new(),
    }
}

fn list_items(doc: &Value) -> Vec<Review> {
    doc.get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|o| Review {
            object: o.clone(),
            operation: "CREATE".into(),
        })
        .collect()
}

/// Gatekeeper's `data.inventory` from a set of objects: cluster-scoped objects under
/// `cluster[groupVersion][kind][name]`, namespaced ones under
/// `namespace[ns][groupVersion][kind][name]`.
pub fn inventory(objects: &[Value]) -> Value {
    let mut cluster = Map::new();
    let mut namespaced = Map::new();
    for o in objects {
        let path: Vec<&str> = match str_at(o, "/metadata/namespace") {
            Some(ns) => vec![ns],
            None => Vec::new(),
        };
        let root = if path.is_empty() {
            &mut cluster
        } else {
            &mut namespaced
        };
        let mut node = root;
        for key in path.into_iter().chain([
            str_at(o, "/apiVersion").unwrap_or("v1"),
            str_at(o, "/kind").unwrap_or(""),
        ]) {
            node = node
                .entry(key.to_owned())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("inventory levels are objects");
        }
        node.insert(
            str_at(o, "/metadata/name").unwrap_or("").to_owned(),
            o.clone(),
        );
    }
    json!({"cluster": cluster, "namespace": namespaced})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inventory_follows_gatekeepers_layout() {
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}});
        let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}});
        let inv = inventory(&[ns.clone(), svc.clone()]);
        assert_eq!(inv["cluster"]["v1"]["Namespace"]["shop"], ns);
        assert_eq!(inv["namespace"]["shop"]["v1"]["Service"]["web"], svc);
    }

    #[test]
    fn label_selectors_follow_kubernetes_semantics() {
        let labels = json!({"tier": "web", "team": "a"})
            .as_object()
            .unwrap()
            .clone();
        assert!(selects(&json!({"matchLabels": {"tier": "web"}}), &labels));
        assert!(!selects(&json!({"matchLabels": {"tier": "api"}}), &labels));
        assert!(selects(
            &json!({"matchExpressions": [{"key": "team", "operator": "In", "values": ["a", "b"]}]}),
            &labels
        ));
        assert!(selects(
            &json!({"matchExpressions": [{"key": "env", "operator": "DoesNotExist"}]}),
            &labels
        ));
        assert!(!selects(
            &json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["web"]}]}),
            &labels
        ));
    }
}
