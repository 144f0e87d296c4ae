//! A Constraint's `spec.match`, decided the way Gatekeeper decides it
//! (pkg/mutation/match): every criterion must hold, in this order: kinds, scope,
//! namespaces, excludedNamespaces, labelSelector, namespaceSelector, name, source.
//!
//! What an object's namespace is: a `Namespace` (core group) is its own namespace; any
//! other object is in the Namespace object known for it (from the inventory), else in
//! the namespace its metadata names; an object with neither is cluster-scoped, and
//! `namespaces`, `excludedNamespaces` and `namespaceSelector` never exclude it.

use serde_json::{Map, Value};

use super::str_at;

fn strings(v: Option<&Value>) -> Vec<String> {
    crate::input::strings(v)
}

/// Whether an object was submitted (`Original`) or generated from one by an
/// ExpansionTemplate (`Generated`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Original,
    Generated,
}

/// The object being matched, with what Gatekeeper knows around it.
pub struct Target<'a> {
    pub object: &'a Value,
    /// The Namespace object of the object's namespace, when the inventory has it.
    pub namespace: Option<&'a Value>,
    pub source: Source,
}

/// Group and kind of an object (`apiVersion` `apps/v1` is group `apps`; an apiVersion
/// with more than one `/` has neither group nor version, as in Kubernetes).
pub fn group_kind(obj: &Value) -> (String, String, String) {
    let api_version = str_at(obj, "/apiVersion").unwrap_or("");
    let kind = str_at(obj, "/kind").unwrap_or("").to_owned();
    let (group, version) = match api_version.matches('/').count() {
        0 => ("", api_version),
        1 => api_version.split_once('/').unwrap_or(("", "")),
        _ => ("", ""),
    };
    (group.to_owned(), version.to_owned(), kind)
}

/// A `Namespace` of the core group (a `Namespace` kind of another group is an ordinary
/// object).
pub fn is_namespace(obj: &Value) -> bool {
    let (group, _, kind) = group_kind(obj);
    kind == "Namespace" && group.is_empty()
}

/// Gatekeeper's wildcard: a `*` at the start, the end or both makes a suffix, prefix or
/// substring match; anything else matches exactly.
pub fn wildcard(pattern: &str, candidate: &str) -> bool {
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(rest), Some(_)) => candidate.contains(rest.strip_suffix('*').unwrap_or(rest)),
        (Some(suffix), None) => candidate.ends_with(suffix),
        (None, Some(prefix)) => candidate.starts_with(prefix),
        (None, None) => pattern == candidate,
    }
}

/// The wildcard against a `generateName`: only a prefix or substring pattern can match
/// a name that is still to be completed.
fn wildcard_generate_name(pattern: &str, candidate: &str) -> bool {
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(rest), Some(_)) => candidate.contains(rest.strip_suffix('*').unwrap_or(rest)),
        (None, Some(prefix)) => candidate.starts_with(prefix),
        _ => false,
    }
}

/// One `matchExpressions` requirement.
#[derive(Debug, Clone)]
struct Requirement {
    key: String,
    operator: String,
    values: Vec<String>,
}

/// A Kubernetes label selector.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    match_labels: Vec<(String, String)>,
    expressions: Vec<Requirement>,
}

impl Selector {
    /// Reads a selector (already validated, see `validate_selector`).
    pub fn parse(v: &Value) -> Selector {
        let match_labels = v
            .get("matchLabels")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let expressions = v
            .get("matchExpressions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|e| Requirement {
                key: str_at(e, "/key").unwrap_or("").to_owned(),
                operator: str_at(e, "/operator").unwrap_or("").to_owned(),
                values: strings(e.get("values")),
            })
            .collect();
        Selector {
            match_labels,
            expressions,
        }
    }

    /// Whether labels satisfy every requirement (an empty selector selects everything).
    pub fn matches(&self, labels: &Map<String, Value>) -> bool {
        let label = |k: &str| labels.get(k).and_then(Value::as_str);
        self.match_labels
            .iter()
            .all(|(k, v)| label(k) == Some(v.as_str()))
            && self.expressions.iter().all(|r| {
                let has = |v: &str| r.values.iter().any(|x| x == v);
                match r.operator.as_str() {
                    "In" => label(&r.key).is_some_and(has),
                    "NotIn" => label(&r.key).is_none_or(|v| !has(v)),
                    "Exists" => label(&r.key).is_some(),
                    "DoesNotExist" => label(&r.key).is_none(),
                    _ => false,
                }
            })
    }
}

fn labels_of(obj: &Value) -> Map<String, Value> {
    obj.pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Kubernetes' checks of a label selector (`ValidateLabelSelector`), as field errors
/// under `path`.
pub fn validate_selector(v: &Value, path: &str, out: &mut Vec<String>) {
    for (i, e) in v
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("{path}.matchExpressions[{i}]");
        let operator = str_at(e, "/operator").unwrap_or("");
        let values = e
            .get("values")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        match operator {
            "In" | "NotIn" if values == 0 => out.push(format!(
                "{at}.values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
            )),
            "Exists" | "DoesNotExist" if values > 0 => out.push(format!(
                "{at}.values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            )),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => out.push(format!(
                "{at}.operator: Invalid value: {}: not a valid selector operator",
                super::schema::quote(other)
            )),
        }
        let key = str_at(e, "/key").unwrap_or("");
        for why in qualified_name(key) {
            out.push(format!(
                "{at}.key: Invalid value: {}: {why}",
                super::schema::quote(key)
            ));
        }
    }
    if let Some(labels) = v.get("matchLabels").and_then(Value::as_object) {
        let at = format!("{path}.matchLabels");
        for (key, value) in labels {
            for why in qualified_name(key) {
                out.push(format!(
                    "{at}: Invalid value: {}: {why}",
                    super::schema::quote(key)
                ));
            }
            let value = value.as_str().unwrap_or("");
            for why in label_value(value) {
                out.push(format!(
                    "{at}: Invalid value: {}: {why}",
                    super::schema::quote(value)
                ));
            }
        }
    }
}

const NAME_PART: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

fn name_chars(s: &str) -> bool {
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A DNS-1123 subdomain: lowercase alphanumerics, `-` and `.`, alphanumeric at both
/// ends of every label, at most 253 characters.
pub fn dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253
        && !s.is_empty()
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase() || *c == b'-')
        })
}

/// Why `key` is not a qualified name (`[prefix/]name`), in Kubernetes' words.
fn qualified_name(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let name = match key.split_once('/') {
        Some((prefix, name)) => {
            if prefix.is_empty() {
                out.push("prefix part must be non-empty".to_owned());
            } else if !dns1123_subdomain(prefix) {
                out.push("prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')".to_owned());
            }
            name
        }
        None => key,
    };
    if key.matches('/').count() > 1 {
        out.push("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')".to_owned());
        return out;
    }
    if name.is_empty() {
        out.push("name part must be non-empty".to_owned());
    } else if name.len() > 63 {
        out.push("name part must be no more than 63 bytes".to_owned());
    }
    if !name.is_empty() && !name_chars(name) {
        out.push(NAME_PART.to_owned());
    }
    out
}

/// Why `value` is not a label value.
fn label_value(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    if value.len() > 63 {
        out.push("must be no more than 63 bytes".to_owned());
    }
    if !value.is_empty() && !name_chars(value) {
        out.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_owned());
    }
    out
}

/// One `kinds` entry: empty lists mean any.
#[derive(Debug, Clone)]
struct Kinds {
    groups: Vec<String>,
    kinds: Vec<String>,
}

/// A parsed `spec.match`.
#[derive(Debug, Clone, Default)]
pub struct Match {
    kinds: Vec<Kinds>,
    scope: String,
    namespaces: Vec<String>,
    excluded: Vec<String>,
    label_selector: Option<Selector>,
    namespace_selector: Option<Selector>,
    name: String,
    source: String,
}

impl Match {
    /// Reads `spec.match` (null or absent: matches everything). The Constraint's schema
    /// has been checked already; what is left of the wrong type counts as absent.
    pub fn parse(v: &Value) -> Match {
        let selector = |key: &str| v.get(key).filter(|s| s.is_object()).map(Selector::parse);
        Match {
            kinds: v
                .get("kinds")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|k| Kinds {
                    groups: strings(k.get("apiGroups")),
                    kinds: strings(k.get("kinds")),
                })
                .collect(),
            scope: str_at(v, "/scope").unwrap_or("").to_owned(),
            namespaces: strings(v.get("namespaces")),
            excluded: strings(v.get("excludedNamespaces")),
            label_selector: selector("labelSelector"),
            namespace_selector: selector("namespaceSelector"),
            name: str_at(v, "/name").unwrap_or("").to_owned(),
            source: str_at(v, "/source").unwrap_or("").to_owned(),
        }
    }

    /// Whether the constraint selects the target; `Err` when it cannot tell (a
    /// namespaceSelector for an object whose Namespace is unknown), which Gatekeeper
    /// reports as a violation of the constraint.
    pub fn matches(&self, t: &Target) -> Result<bool, String> {
        let obj = t.object;
        let own_namespace = str_at(obj, "/metadata/namespace").unwrap_or("");
        let is_ns = is_namespace(obj);
        // The namespace the namespace criteria look at; None for a cluster-scoped object.
        let namespace: Option<&str> = if is_ns {
            Some(str_at(obj, "/metadata/name").unwrap_or(""))
        } else if let Some(ns) = t.namespace {
            Some(str_at(ns, "/metadata/name").unwrap_or(""))
        } else if !own_namespace.is_empty() {
            Some(own_namespace)
        } else {
            None
        };
        if !self.kinds_match(obj) || !self.scope_matches(t, is_ns, own_namespace) {
            return Ok(false);
        }
        if namespace.is_some_and(|ns| !self.namespaces_match(ns)) {
            return Ok(false);
        }
        if let Some(selector) = &self.label_selector
            && !selector.matches(&labels_of(obj))
        {
            return Ok(false);
        }
        if !self.namespace_selector_matches(t, is_ns, own_namespace)? || !self.name_matches(obj) {
            return Ok(false);
        }
        self.source_matches(t)
    }

    fn kinds_match(&self, obj: &Value) -> bool {
        if self.kinds.is_empty() {
            return true;
        }
        let (group, _, kind) = group_kind(obj);
        let any = |list: &[String], want: &str| {
            list.is_empty() || list.iter().any(|v| v == "*" || v == want)
        };
        self.kinds
            .iter()
            .any(|k| any(&k.kinds, &kind) && any(&k.groups, &group))
    }

    /// A Namespace is cluster-scoped; any other object with a namespace is not.
    fn scope_matches(&self, t: &Target, is_ns: bool, own_namespace: &str) -> bool {
        let has_namespace = !own_namespace.is_empty() || t.namespace.is_some();
        let namespaced = !is_ns && has_namespace;
        !matches!(
            (self.scope.as_str(), namespaced),
            ("Cluster", true) | ("Namespaced", false)
        )
    }

    /// `namespaces` and `excludedNamespaces`.
    fn namespaces_match(&self, ns: &str) -> bool {
        if !self.namespaces.is_empty() && !self.namespaces.iter().any(|p| wildcard(p, ns)) {
            return false;
        }
        !self.excluded.iter().any(|p| wildcard(p, ns))
    }

    fn namespace_selector_matches(
        &self,
        t: &Target,
        is_ns: bool,
        own_namespace: &str,
    ) -> Result<bool, String> {
        let Some(selector) = &self.namespace_selector else {
            return Ok(true);
        };
        let obj = t.object;
        let labels = if is_ns {
            Some(labels_of(obj))
        } else if let Some(ns) = t.namespace {
            Some(labels_of(ns))
        } else if own_namespace.is_empty() {
            None // a cluster-scoped object: selected
        } else {
            return Err(format!(
                "unable to match constraints: error matching the requested object: {} \
                 :failed to run Match criteria: namespace selector for namespace-scoped \
                 object but missing Namespace",
                str_at(obj, "/metadata/name").unwrap_or("")
            ));
        };
        Ok(labels.is_none_or(|l| selector.matches(&l)))
    }

    fn name_matches(&self, obj: &Value) -> bool {
        if self.name.is_empty() {
            return true;
        }
        let name = str_at(obj, "/metadata/name").unwrap_or("");
        let generate = str_at(obj, "/metadata/generateName").unwrap_or("");
        wildcard(&self.name, name) || wildcard_generate_name(&self.name, generate)
    }

    fn source_matches(&self, t: &Target) -> Result<bool, String> {
        match self.source.as_str() {
            "" | "All" => Ok(true),
            "Original" => Ok(t.source == Source::Original),
            "Generated" => Ok(t.source == Source::Generated),
            other => Err(format!(
                "unable to match constraints: error matching the requested object: {} \
                 :failed to run Match criteria: invalid source field {}",
                str_at(t.object, "/metadata/name").unwrap_or(""),
                super::schema::quote(other)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(ns: Option<&str>, labels: Value) -> Value {
        let mut p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": labels}});
        if let Some(ns) = ns {
            p["metadata"]["namespace"] = json!(ns);
        }
        p
    }

    fn selects(m: Value, obj: &Value, namespace: Option<&Value>) -> Result<bool, String> {
        Match::parse(&m).matches(&Target {
            object: obj,
            namespace,
            source: Source::Original,
        })
    }

    #[test]
    fn wildcards_are_prefix_suffix_or_substring_globs() {
        assert!(wildcard("kube-*", "kube-system"));
        assert!(wildcard("*-system", "gatekeeper-system"));
        assert!(wildcard("*mid*", "a-mid-b"));
        assert!(!wildcard("kube-*", "my-kube-x"));
        assert!(wildcard("shop", "shop") && !wildcard("shop", "shops"));
        assert!(wildcard_generate_name("web-*", "web-"));
        assert!(!wildcard_generate_name("*-db", "cache-db"));
    }

    #[test]
    fn namespace_criteria_never_exclude_a_cluster_scoped_object() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}});
        assert_eq!(
            selects(json!({"namespaces": ["shop"]}), &role, None),
            Ok(true)
        );
        assert_eq!(
            selects(json!({"excludedNamespaces": ["*"]}), &role, None),
            Ok(true)
        );
        assert_eq!(
            selects(json!({"namespaces": ["shop"]}), &pod(None, json!({})), None),
            Ok(true),
            "a namespaced kind without a namespace counts as cluster-scoped"
        );
        assert_eq!(
            selects(
                json!({"namespaces": ["shop"]}),
                &pod(Some("other"), json!({})),
                None
            ),
            Ok(false)
        );
    }

    #[test]
    fn a_namespace_is_matched_by_its_own_name_and_labels() {
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"env": "prod"}}});
        assert_eq!(
            selects(json!({"namespaces": ["shop"]}), &ns, None),
            Ok(true)
        );
        assert_eq!(
            selects(json!({"excludedNamespaces": ["sh*"]}), &ns, None),
            Ok(false)
        );
        assert_eq!(
            selects(
                json!({"namespaceSelector": {"matchLabels": {"env": "prod"}}}),
                &ns,
                None
            ),
            Ok(true)
        );
        let custom = json!({"apiVersion": "example.com/v1", "kind": "Namespace", "metadata": {"name": "other"}});
        assert_eq!(
            selects(json!({"namespaces": ["shop"]}), &custom, None),
            Ok(true),
            "a Namespace kind of another group is an ordinary cluster-scoped object"
        );
    }

    #[test]
    fn a_namespace_selector_needs_the_namespace_object() {
        let m = json!({"namespaceSelector": {"matchLabels": {"env": "prod"}}});
        let prod = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod", "labels": {"env": "prod"}}});
        let p = pod(Some("prod"), json!({}));
        assert_eq!(selects(m.clone(), &p, Some(&prod)), Ok(true));
        let err = selects(m, &p, None).unwrap_err();
        assert!(err.contains("missing Namespace"), "{err}");
    }

    #[test]
    fn kinds_scope_name_and_source() {
        let p = pod(Some("shop"), json!({"tier": "web"}));
        assert_eq!(
            selects(
                json!({"kinds": [{"apiGroups": ["apps"], "kinds": ["Pod"]}]}),
                &p,
                None
            ),
            Ok(false)
        );
        assert_eq!(
            selects(json!({"kinds": [{"kinds": ["Pod"]}]}), &p, None),
            Ok(true)
        );
        assert_eq!(selects(json!({"kinds": [{}]}), &p, None), Ok(true));
        assert_eq!(selects(json!({"scope": "Cluster"}), &p, None), Ok(false));
        assert_eq!(
            selects(json!({"scope": "cluster"}), &p, None),
            Ok(true),
            "an unknown scope matches all"
        );
        assert_eq!(selects(json!({"name": "w*"}), &p, None), Ok(true));
        assert_eq!(selects(json!({"source": "Generated"}), &p, None), Ok(false));
        assert_eq!(
            selects(
                json!({"labelSelector": {"matchLabels": {"tier": "web"}}}),
                &p,
                None
            ),
            Ok(true)
        );
    }

    #[test]
    fn label_selectors_follow_kubernetes_semantics_and_validation() {
        let labels = json!({"tier": "web", "team": "a"})
            .as_object()
            .unwrap()
            .clone();
        let sel = |v: Value| Selector::parse(&v).matches(&labels);
        assert!(sel(json!({"matchLabels": {"tier": "web"}})));
        assert!(!sel(json!({"matchLabels": {"tier": "api"}})));
        assert!(sel(
            json!({"matchExpressions": [{"key": "team", "operator": "In", "values": ["a", "b"]}]})
        ));
        assert!(sel(
            json!({"matchExpressions": [{"key": "env", "operator": "DoesNotExist"}]})
        ));
        assert!(!sel(
            json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["web"]}]})
        ));
        let mut out = Vec::new();
        validate_selector(
            &json!({"matchExpressions": [{"key": "a", "operator": "Foo"}, {"key": "b", "operator": "In"}], "matchLabels": {"bad key!": "x"}}),
            "spec.labelSelector",
            &mut out,
        );
        assert_eq!(out.len(), 3, "{out:?}");
        assert!(out[0].ends_with("not a valid selector operator"));
        assert!(out[1].contains("must be specified when `operator` is 'In' or 'NotIn'"));
        assert!(out[2].starts_with("spec.labelSelector.matchLabels: Invalid value: \"bad key!\""));
    }
}
