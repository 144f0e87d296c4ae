//! `input.review`: what Gatekeeper hands a template for one object, built the way its
//! admission target builds it (pkg/target in Gatekeeper).
//!
//! A plain object becomes an admission request with no operation (`""`, as in an audit
//! and in `gator`), no user, no uid, an empty `resource`, `oldObject` and `options`
//! null, and `name`/`namespace` from its metadata when it has them. An AdmissionReview
//! (`admission.k8s.io`) is checked as Kubernetes decodes one (unknown fields and wrong
//! types are errors) and its request is the review, as sent: `userInfo`, `oldObject`,
//! `uid`, `dryRun`, `options`, `subResource`...; on DELETE, `object` is the `oldObject`.
//! `namespaceObject` is always `{}` in `gator` (it fills it only in the cluster).

use serde_json::{Map, Value, json};

use super::matching::{Source, group_kind};
use super::schema::quote;
use super::str_at;

/// One object to review, and the admission request around it.
#[derive(Debug, Clone)]
pub struct Review {
    /// `input.review.object` (null when the request has none).
    pub object: Value,
    /// `input.review.oldObject` (null when the request has none).
    pub old_object: Value,
    /// `input.review.operation` (`""` for a plain object).
    pub operation: String,
    /// The request's namespace (a plain object's own), used to find its Namespace.
    pub namespace: String,
    pub source: Source,
    /// `input.review`, but for `namespaceObject`.
    pub input: Value,
}

impl Review {
    /// A plain object, reviewed as Gatekeeper's audit and `gator` review it.
    pub fn of_object(obj: &Value, source: Source) -> Review {
        let (group, version, kind) = group_kind(obj);
        let mut input = Map::new();
        input.insert(
            "kind".into(),
            json!({"group": group, "version": version, "kind": kind}),
        );
        input.insert("object".into(), obj.clone());
        input.insert("oldObject".into(), Value::Null);
        input.insert("operation".into(), json!(""));
        input.insert("options".into(), Value::Null);
        input.insert(
            "resource".into(),
            json!({"group": "", "version": "", "resource": ""}),
        );
        input.insert("uid".into(), json!(""));
        input.insert("userInfo".into(), json!({}));
        let name = str_at(obj, "/metadata/name").unwrap_or("");
        if !name.is_empty() {
            input.insert("name".into(), json!(name));
        }
        let namespace = str_at(obj, "/metadata/namespace").unwrap_or("");
        if !namespace.is_empty() {
            input.insert("namespace".into(), json!(namespace));
        }
        Review {
            object: obj.clone(),
            old_object: Value::Null,
            operation: String::new(),
            namespace: namespace.to_owned(),
            source,
            input: Value::Object(input),
        }
    }

    /// An AdmissionReview document (`apiVersion: admission.k8s.io/...`), checked as
    /// `gator` checks it, with its errors.
    pub fn of_admission_review(doc: &Value) -> Result<Review, String> {
        let request = admission_request(doc)?;
        let present = |key: &str| request.get(key).filter(|v| !v.is_null());
        let operation = str_at(request, "/operation").unwrap_or("").to_owned();
        let mut object = present("object").cloned().unwrap_or(Value::Null);
        let old_object = present("oldObject").cloned().unwrap_or(Value::Null);
        if operation == "DELETE" {
            if old_object.is_null() {
                return Err(format!(
                    "{t}: target.HandleReview failed for target {q}: oldObject cannot be nil for DELETE operations",
                    t = super::TARGET,
                    q = quote(super::TARGET)
                ));
            }
            object = old_object.clone();
        }
        Ok(Review {
            input: Value::Object(request_input(request, &object, &old_object)),
            object,
            old_object,
            operation,
            namespace: str_at(request, "/namespace").unwrap_or("").to_owned(),
            source: Source::Original,
        })
    }

    /// The objects the constraint's match looks at: the object and the old object (a
    /// request is selected when either is).
    pub fn matched_objects(&self) -> impl Iterator<Item = &Value> {
        [&self.object, &self.old_object]
            .into_iter()
            .filter(|o| !o.is_null())
    }
}

/// The AdmissionReview's request, which must hold an object or an old object that
/// decodes.
fn admission_request(doc: &Value) -> Result<&Value, String> {
    let mut problems = Vec::new();
    strict(doc, &ADMISSION_REVIEW, "", &mut problems);
    if let Some(first) = problems.first() {
        return Err(format!(
            "not a valid AdmissionReview object: unable to convert to an AdmissionReview object, error: {first}"
        ));
    }
    let request = match doc.get("request") {
        Some(r @ Value::Object(_)) => r,
        _ => {
            return Err("missing an AdmissionRequest object: request did not actually pass in an AdmissionRequest".into());
        }
    };
    let present = |key: &str| request.get(key).filter(|v| !v.is_null());
    if present("object").is_none() && present("oldObject").is_none() {
        return Err("no object or oldObject found to review: AdmissionRequest does not contain an \"object\" or \"oldObject\" to review".into());
    }
    for key in ["object", "oldObject"] {
        if let Some(o) = present(key) {
            decodable(o)?;
        }
    }
    Ok(request)
}

/// The request as Go encodes an AdmissionRequest: empty optional fields left out.
fn request_input(request: &Value, object: &Value, old_object: &Value) -> Map<String, Value> {
    let present = |key: &str| request.get(key).filter(|v| !v.is_null());
    let s = |key: &str| str_at(request, &format!("/{key}")).unwrap_or("");
    let gvk = |key: &str, last: &str| {
        let v = request.get(key);
        let f = |k: &str| {
            v.and_then(|v| v.get(k))
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        json!({"group": f("group"), "version": f("version"), last: f(last)})
    };
    let mut input = Map::new();
    input.insert("uid".into(), json!(s("uid")));
    input.insert("kind".into(), gvk("kind", "kind"));
    input.insert("resource".into(), gvk("resource", "resource"));
    for key in ["subResource", "requestSubResource", "name", "namespace"] {
        if !s(key).is_empty() {
            input.insert(key.into(), json!(s(key)));
        }
    }
    if present("requestKind").is_some() {
        input.insert("requestKind".into(), gvk("requestKind", "kind"));
    }
    if present("requestResource").is_some() {
        input.insert("requestResource".into(), gvk("requestResource", "resource"));
    }
    input.insert("operation".into(), json!(s("operation")));
    input.insert("userInfo".into(), user_info(present("userInfo")));
    input.insert("object".into(), object.clone());
    input.insert("oldObject".into(), old_object.clone());
    if let Some(dry) = present("dryRun") {
        input.insert("dryRun".into(), dry.clone());
    }
    input.insert(
        "options".into(),
        present("options").cloned().unwrap_or(Value::Null),
    );
    input
}

/// `userInfo` as Go encodes it: empty fields left out.
fn user_info(v: Option<&Value>) -> Value {
    let mut out = Map::new();
    let Some(v) = v else {
        return Value::Object(out);
    };
    for key in ["username", "uid"] {
        if let Some(s) = v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()) {
            out.insert(key.into(), json!(s));
        }
    }
    if let Some(g) = v
        .get("groups")
        .and_then(Value::as_array)
        .filter(|g| !g.is_empty())
    {
        out.insert("groups".into(), Value::Array(g.clone()));
    }
    if let Some(e) = v
        .get("extra")
        .and_then(Value::as_object)
        .filter(|e| !e.is_empty())
    {
        out.insert("extra".into(), Value::Object(e.clone()));
    }
    Value::Object(out)
}

/// An object Kubernetes can decode: a map with a `kind`.
fn decodable(o: &Value) -> Result<(), String> {
    const CANNOT: &str = "object or oldObject cannot be unmarshalled";
    let Some(map) = o.as_object() else {
        let what = match o {
            Value::Array(_) => "array",
            Value::String(_) => "string",
            Value::Number(_) => "number",
            _ => "bool",
        };
        return Err(format!(
            "{CANNOT}: json: cannot unmarshal {what} into Go value of type map[string]interface {{}}"
        ));
    };
    if map
        .get("kind")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(format!(
            "{CANNOT}: Object 'Kind' is missing in '{}'",
            go_json(o)
        ));
    }
    Ok(())
}

/// JSON as Go's encoder writes a map: keys sorted.
fn go_json(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", quote(k), go_json(&m[k])))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(go_json).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// The shape of a field, for the strict check.
enum Shape {
    Str,
    Bool,
    /// Anything (a RawExtension: object, oldObject, options).
    Any,
    Strings,
    /// A map of string lists (`userInfo.extra`).
    StringLists,
    Object(&'static [(&'static str, Shape)]),
}

const GVK: Shape = Shape::Object(&[
    ("group", Shape::Str),
    ("version", Shape::Str),
    ("kind", Shape::Str),
]);
const GVR: Shape = Shape::Object(&[
    ("group", Shape::Str),
    ("version", Shape::Str),
    ("resource", Shape::Str),
]);

const ADMISSION_REVIEW: Shape = Shape::Object(&[
    ("apiVersion", Shape::Str),
    ("kind", Shape::Str),
    (
        "request",
        Shape::Object(&[
            ("uid", Shape::Str),
            ("kind", GVK),
            ("resource", GVR),
            ("subResource", Shape::Str),
            ("requestKind", GVK),
            ("requestResource", GVR),
            ("requestSubResource", Shape::Str),
            ("name", Shape::Str),
            ("namespace", Shape::Str),
            ("operation", Shape::Str),
            (
                "userInfo",
                Shape::Object(&[
                    ("username", Shape::Str),
                    ("uid", Shape::Str),
                    ("groups", Shape::Strings),
                    ("extra", Shape::StringLists),
                ]),
            ),
            ("object", Shape::Any),
            ("oldObject", Shape::Any),
            ("dryRun", Shape::Bool),
            ("options", Shape::Any),
        ]),
    ),
    (
        "response",
        Shape::Object(&[
            ("uid", Shape::Str),
            ("allowed", Shape::Bool),
            ("status", Shape::Any),
            ("patch", Shape::Str),
            ("patchType", Shape::Str),
            ("auditAnnotations", Shape::Any),
            ("warnings", Shape::Strings),
        ]),
    ),
]);

/// Kubernetes' strict decoding of a typed object: unknown fields and wrong types.
fn strict(v: &Value, shape: &Shape, path: &str, out: &mut Vec<String>) {
    if v.is_null() {
        return;
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match shape {
        Shape::Any => {}
        Shape::Str if !v.is_string() => out.push(format!("{path}: expected a string, got {v}")),
        Shape::Bool if !v.is_boolean() => out.push(format!("{path}: expected a boolean, got {v}")),
        Shape::Strings => match v.as_array() {
            Some(list) if list.iter().all(Value::is_string) => {}
            _ => out.push(format!("{path}: expected a list of strings, got {v}")),
        },
        Shape::StringLists => match v.as_object() {
            Some(m) => {
                for (k, list) in m {
                    strict(list, &Shape::Strings, &join(k), out);
                }
            }
            None => out.push(format!("{path}: expected a map of string lists, got {v}")),
        },
        Shape::Object(fields) => match v.as_object() {
            Some(m) => {
                let mut unknown = Vec::new();
                for (k, child) in m {
                    match fields.iter().find(|(name, _)| name == k) {
                        Some((_, s)) => strict(child, s, &join(k), out),
                        None => unknown.push(format!("unknown field {}", quote(&join(k)))),
                    }
                }
                if !unknown.is_empty() {
                    out.push(format!("strict decoding error: {}", unknown.join(", ")));
                }
            }
            None => out.push(format!("{path}: expected an object, got {v}")),
        },
        _ => {}
    }
}

/// The review of one document, as `gator verify` makes it for a case's object: an
/// AdmissionReview (of the `admission.k8s.io` group) is the request it carries; any
/// other document, a List included, is one plain object.
pub fn review(doc: &Value) -> Result<Review, String> {
    let (group, _, kind) = group_kind(doc);
    if kind == "AdmissionReview" && group == "admission.k8s.io" {
        Review::of_admission_review(doc)
    } else {
        Ok(Review::of_object(doc, Source::Original))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_object_is_an_audit_style_request() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"}});
        let r = review(&pod).unwrap();
        assert_eq!(
            r.input,
            json!({"kind": {"group": "", "version": "v1", "kind": "Pod"}, "object": pod, "oldObject": null,
                   "operation": "", "options": null, "resource": {"group": "", "version": "", "resource": ""},
                   "uid": "", "userInfo": {}, "name": "web", "namespace": "shop"})
        );
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"generateName": "r-"}});
        let r = review(&role).unwrap();
        assert!(r.input.get("name").is_none() && r.input.get("namespace").is_none());
        assert_eq!(r.input["kind"]["group"], "rbac.authorization.k8s.io");
    }

    #[test]
    fn an_admission_review_keeps_the_request_and_delete_reviews_the_old_object() {
        let old = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"v": "1"}}});
        let doc = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
            "uid": "u1", "operation": "DELETE", "userInfo": {"username": "alice", "groups": []},
            "oldObject": old, "dryRun": false}});
        let r = review(&doc).unwrap();
        assert_eq!(r.object, old);
        assert_eq!(r.input["object"], old);
        assert_eq!(r.input["userInfo"], json!({"username": "alice"}));
        assert_eq!(r.input["dryRun"], json!(false));
        assert_eq!(r.input["options"], Value::Null);
        assert_eq!(
            r.input["resource"],
            json!({"group": "", "version": "", "resource": ""})
        );
    }

    #[test]
    fn a_malformed_admission_review_is_refused_as_kubernetes_decodes_it() {
        let ar = |request: Value| json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request});
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}});
        let err = |v: Value| review(&v).unwrap_err();
        assert!(
            err(ar(
                json!({"operation": "CREATE", "bogus": 1, "object": pod})
            ))
            .ends_with("strict decoding error: unknown field \"request.bogus\"")
        );
        assert!(
            err(ar(json!({"operation": "DELETE", "object": pod})))
                .ends_with("oldObject cannot be nil for DELETE operations")
        );
        assert!(
            err(ar(json!({"operation": "CREATE"})))
                .starts_with("no object or oldObject found to review")
        );
        assert!(
            err(ar(
                json!({"operation": "CREATE", "object": {"apiVersion": "v1"}})
            ))
            .ends_with("Object 'Kind' is missing in '{\"apiVersion\":\"v1\"}'")
        );
        assert!(
            err(json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}))
                .starts_with("missing an AdmissionRequest object")
        );
        assert!(
            err(ar(json!({"uid": 12, "operation": "CREATE", "object": pod})))
                .starts_with("not a valid AdmissionReview object")
        );
        let lookalike = json!({"apiVersion": "v1", "kind": "AdmissionReview", "request": {"operation": "DELETE"}});
        assert_eq!(
            review(&lookalike).unwrap().operation,
            "",
            "only the admission.k8s.io group is a review"
        );
    }
}
