//! Gatekeeper's ExpansionTemplates (`expansion.gatekeeper.sh`): a generator resource (a
//! Deployment, a CronJob) stands for the resources it will create (its Pods), and those
//! are reviewed too, so a policy written for Pods also judges the Deployment.
//!
//! What Gatekeeper does, and so what this does:
//! * a template applies to the exact group/version/kind triples of its `applyTo`
//!   (every group × version × kind listed); no wildcards;
//! * the resultant is the map at `templateSource` (a dotted path, e.g. `spec.template`),
//!   given the template's `generatedGVK` as apiVersion/kind, the generator's namespace
//!   (none when the generator has none), the name `<generator name>-<kind>` in lowercase,
//!   and an ownerReference to the generator;
//! * resultants are expanded again (a CronJob's Job gives a Pod), children first, to a
//!   depth of 30;
//! * templates are checked when loaded: a name under 64 characters, a source, a
//!   generatedGVK, an applyTo that does not include the generated kind, and no cycle
//!   between templates. A later template of the same name replaces the earlier one.
//!
//! The caller reviews each resultant as a `Generated` resource and reports its
//! violations with `[Implied by <template>]` before the message.

use serde_json::{Map, Value, json};

/// The group of ExpansionTemplates.
const GROUP: &str = "expansion.gatekeeper.sh";
/// Generators expanding generators: Gatekeeper's safeguard against runaway recursion.
const MAX_DEPTH: usize = 30;
/// What one object may expand into. Depth alone does not bound it: two templates that
/// apply to each generated kind double the resources at every level (2^30 at depth 30),
/// and each is a copy of part of the object. A suite comes from the scanned tree, so
/// this is refused, as Gatekeeper would take a cluster down trying.
const MAX_RESULTANTS: usize = 10_000;
const MAX_RESULTANT_BYTES: usize = 64 << 20;

/// A group/version/kind.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Gvk {
    group: String,
    version: String,
    kind: String,
}

impl Gvk {
    fn of(obj: &Value) -> Gvk {
        let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        Gvk {
            group: group.to_owned(),
            version: version.to_owned(),
            kind: obj
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
        }
    }

    fn is_empty(&self) -> bool {
        self.group.is_empty() && self.version.is_empty() && self.kind.is_empty()
    }

    fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

impl std::fmt::Display for Gvk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, Kind={}", self.api_version(), self.kind)
    }
}

/// One ExpansionTemplate.
#[derive(Debug, Clone)]
struct Template {
    name: String,
    source: String,
    generated: Gvk,
    /// Every triple of `applyTo`.
    applies_to: Vec<Gvk>,
    enforcement_action: String,
}

/// A resource a generator stands for.
#[derive(Debug, Clone)]
pub struct Resultant {
    pub object: Value,
    /// The ExpansionTemplate that made it.
    pub template: String,
    /// The template's `enforcementAction`, which replaces the constraint's for this
    /// resultant's violations; empty when it sets none.
    pub enforcement_action: String,
}

/// A set of ExpansionTemplates.
#[derive(Debug, Clone, Default)]
pub struct Expander {
    templates: Vec<Template>,
}

fn strings(v: Option<&Value>, what: &str) -> Result<Vec<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{what} must be a list of strings"))
            })
            .collect(),
        Some(_) => Err(format!("{what} must be a list of strings")),
    }
}

fn string(v: &Value, pointer: &str) -> Result<String, String> {
    match v.pointer(pointer) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(format!(
            "{} must be a string",
            &pointer[1..].replace('/', ".")
        )),
    }
}

impl Template {
    fn from_doc(doc: &Value) -> Result<Template, String> {
        let generated = Gvk {
            group: string(doc, "/spec/generatedGVK/group")?,
            version: string(doc, "/spec/generatedGVK/version")?,
            kind: string(doc, "/spec/generatedGVK/kind")?,
        };
        let (applies_to, apply_entries) = applies_to(doc, &generated)?;
        let t = Template {
            name: string(doc, "/metadata/name")?,
            source: string(doc, "/spec/templateSource")?,
            generated,
            applies_to,
            enforcement_action: string(doc, "/spec/enforcementAction")?,
        };
        t.check(apply_entries)?;
        Ok(t)
    }

    /// Gatekeeper's checks of the fields every template needs.
    fn check(&self, apply_entries: usize) -> Result<(), String> {
        if self.name.is_empty() {
            return Err("ExpansionTemplate has empty name field".into());
        }
        if self.name.len() >= 64 {
            return Err("ExpansionTemplate name must be less than 64 characters".into());
        }
        if self.source.is_empty() {
            return Err(format!(
                "ExpansionTemplate {} has empty source field",
                self.name
            ));
        }
        if self.generated.is_empty() {
            return Err(format!(
                "ExpansionTemplate {} has empty generatedGVK field",
                self.name
            ));
        }
        if apply_entries == 0 {
            return Err(format!(
                "ExpansionTemplate {} must specify ApplyTo",
                self.name
            ));
        }
        Ok(())
    }
}

/// The GVKs a template applies to (every combination of each `applyTo` entry's groups,
/// versions and kinds), and the number of entries.
fn applies_to(doc: &Value, generated: &Gvk) -> Result<(Vec<Gvk>, usize), String> {
    let mut applies_to = Vec::new();
    let apply = match doc.pointer("/spec/applyTo") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return Err("spec.applyTo must be a list".into()),
    };
    let mut apply_entries = 0;
    for entry in &apply {
        apply_entries += 1;
        let groups = strings(entry.get("groups"), "applyTo.groups")?;
        let versions = strings(entry.get("versions"), "applyTo.versions")?;
        let kinds = strings(entry.get("kinds"), "applyTo.kinds")?;
        for group in &groups {
            for version in &versions {
                for kind in &kinds {
                    applies_to.push(Gvk {
                        group: group.clone(),
                        version: version.clone(),
                        kind: kind.clone(),
                    });
                }
            }
        }
        // Gatekeeper refuses a template that would expand its own output.
        if groups.contains(&generated.group)
            && versions.contains(&generated.version)
            && kinds.contains(&generated.kind)
        {
            let name = string(doc, "/metadata/name")?;
            return Err(format!(
                "ExpansionTemplate {name} generates GVK {generated}, but also applies to that same GVK"
            ));
        }
    }
    Ok((applies_to, apply_entries))
}

impl Expander {
    /// The templates of a suite's `expansion:` file, every document of which must be an
    /// ExpansionTemplate.
    pub fn load(docs: &[Value]) -> Result<Expander, String> {
        if docs.is_empty() {
            return Err("not an Expansion Template: the file has no documents".into());
        }
        let mut expander = Expander::default();
        for doc in docs {
            let group = Gvk::of(doc);
            if group.group != GROUP || group.kind != "ExpansionTemplate" {
                return Err(format!(
                    "not an Expansion Template: {}/{} (want kind ExpansionTemplate, group {GROUP})",
                    doc.get("apiVersion").and_then(Value::as_str).unwrap_or(""),
                    group.kind
                ));
            }
            let t = Template::from_doc(doc).map_err(|e| {
                let name = doc.pointer("/metadata/name").and_then(Value::as_str);
                format!("error upserting template {}: {e}", name.unwrap_or(""))
            })?;
            let name = t.name.clone();
            expander.templates.retain(|old| old.name != name);
            expander.templates.push(t);
            if expander.has_cycle() {
                return Err(format!(
                    "error upserting template {name}: template forms expansion cycle"
                ));
            }
        }
        Ok(expander)
    }

    /// Whether some template's output is, through others, expanded by itself again.
    fn has_cycle(&self) -> bool {
        let n = self.templates.len();
        let feeds = |a: usize, b: usize| {
            self.templates[b]
                .applies_to
                .contains(&self.templates[a].generated)
        };
        // Depth-first search with colours: 0 unseen, 1 on the path, 2 done.
        fn visit(
            i: usize,
            n: usize,
            colour: &mut [u8],
            feeds: &dyn Fn(usize, usize) -> bool,
        ) -> bool {
            colour[i] = 1;
            for j in 0..n {
                if feeds(i, j) && (colour[j] == 1 || (colour[j] == 0 && visit(j, n, colour, feeds)))
                {
                    return true;
                }
            }
            colour[i] = 2;
            false
        }
        let mut colour = vec![0u8; n];
        (0..n).any(|i| colour[i] == 0 && visit(i, n, &mut colour, &feeds))
    }

    /// Every resource `obj` stands for, its resultants' resultants before them.
    pub fn expand(&self, obj: &Value) -> Result<Vec<Resultant>, String> {
        let name = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let namespace = obj
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let mut out = Vec::new();
        let mut bytes = 0;
        self.expand_into(obj, &namespace, 0, &mut out, &mut bytes)
            .map_err(|e| format!("error expanding resource {name}: {e}"))?;
        Ok(out)
    }

    fn expand_into(
        &self,
        obj: &Value,
        namespace: &str,
        depth: usize,
        out: &mut Vec<Resultant>,
        bytes: &mut usize,
    ) -> Result<(), String> {
        if depth >= MAX_DEPTH {
            return Err(format!("maximum recursion depth of {MAX_DEPTH} reached"));
        }
        let gvk = Gvk::of(obj);
        let name = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        if gvk.is_empty() {
            return Err(format!("cannot expand resource {name} with empty GVK"));
        }
        let mut made = Vec::new();
        for t in self
            .templates
            .iter()
            .filter(|t| t.applies_to.contains(&gvk))
        {
            let object = resultant(obj, namespace, t)?;
            *bytes += serde_json::to_vec(&object).map_or(0, |v| v.len());
            if out.len() + made.len() >= MAX_RESULTANTS || *bytes > MAX_RESULTANT_BYTES {
                return Err(format!(
                    "expands into more than {MAX_RESULTANTS} resources or {} MiB; not expanded",
                    MAX_RESULTANT_BYTES >> 20
                ));
            }
            made.push(Resultant {
                object,
                template: t.name.clone(),
                enforcement_action: t.enforcement_action.clone(),
            });
        }
        for r in &made {
            self.expand_into(&r.object, namespace, depth + 1, out, bytes)?;
        }
        out.extend(made);
        Ok(())
    }
}

/// The resource `t` makes from `parent`.
fn resultant(parent: &Value, namespace: &str, t: &Template) -> Result<Value, String> {
    let parent_name = parent
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let source = source_field(parent, parent_name, t)?;
    let mut obj: Map<String, Value> = source.clone();
    obj.insert(
        "apiVersion".into(),
        Value::String(t.generated.api_version()),
    );
    obj.insert("kind".into(), Value::String(t.generated.kind.clone()));
    let metadata = obj
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !metadata.is_object() {
        *metadata = Value::Object(Map::new());
    }
    let metadata = metadata.as_object_mut().expect("made an object above");
    if namespace.is_empty() {
        metadata.remove("namespace");
    } else {
        metadata.insert("namespace".into(), Value::String(namespace.to_owned()));
    }
    let mut name = parent_name.to_owned();
    if !t.generated.kind.is_empty() {
        name.push('-');
    }
    name.push_str(&t.generated.kind);
    metadata.insert("name".into(), Value::String(name.to_lowercase()));
    add_owner_reference(metadata, parent, parent_name);
    Ok(Value::Object(obj))
}

/// The object at the template's `source` path (`spec.template`) in the parent.
fn source_field<'p>(
    parent: &'p Value,
    parent_name: &str,
    t: &Template,
) -> Result<&'p Map<String, Value>, String> {
    let mut node = parent;
    for (i, key) in t.source.split('.').enumerate() {
        let Some(map) = node.as_object() else {
            return Err(format!(
                "could not extract source field from unstructured: {} is not a map",
                t.source.split('.').take(i).collect::<Vec<_>>().join(".")
            ));
        };
        match map.get(key) {
            Some(next) => node = next,
            None => {
                return Err(format!(
                    "could not find source field {:?} in resource {parent_name}",
                    t.source
                ));
            }
        }
    }
    let Value::Object(source) = node else {
        return Err(format!(
            "could not extract source field from unstructured: {} is not a map",
            t.source
        ));
    };
    Ok(source)
}

/// The parent as the owner of the resource made from it, unless it is one already.
fn add_owner_reference(metadata: &mut Map<String, Value>, parent: &Value, parent_name: &str) {
    let owner = Gvk::of(parent);
    let owner_api_version = parent
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !owner_api_version.is_empty() && !owner.kind.is_empty() && !parent_name.is_empty() {
        let refs = metadata
            .entry("ownerReferences")
            .or_insert_with(|| Value::Array(Vec::new()));
        if !refs.is_array() {
            *refs = Value::Array(Vec::new());
        }
        let refs = refs.as_array_mut().expect("made an array above");
        let present = refs.iter().any(|r| {
            r.get("apiVersion").and_then(Value::as_str) == Some(owner_api_version)
                && r.get("kind").and_then(Value::as_str) == Some(owner.kind.as_str())
                && r.get("name").and_then(Value::as_str) == Some(parent_name)
        });
        if !present {
            refs.push(json!({
                "apiVersion": owner_api_version,
                "kind": owner.kind,
                "name": parent_name,
                "uid": "",
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(name: &str, apply: Value, source: &str, generated: Value) -> Value {
        json!({
            "apiVersion": "expansion.gatekeeper.sh/v1alpha1",
            "kind": "ExpansionTemplate",
            "metadata": {"name": name},
            "spec": {"applyTo": apply, "templateSource": source, "generatedGVK": generated},
        })
    }

    #[test]
    fn a_doubling_expansion_is_refused_not_followed() {
        // Two templates per kind, each level one nesting deeper: 2^20 resources if
        // followed to the end.
        let levels = 20;
        let mut docs = Vec::new();
        for i in 0..levels {
            for twin in ["a", "b"] {
                docs.push(template(
                    &format!("t{i}{twin}"),
                    json!([{"groups": [""], "versions": ["v1"], "kinds": [format!("K{i}")]}]),
                    "s",
                    json!({"group": "", "version": "v1", "kind": format!("K{}", i + 1)}),
                ));
            }
        }
        let mut obj = json!({"metadata": {"name": "leaf"}});
        for _ in 0..levels {
            obj = json!({"metadata": {"name": "x"}, "s": obj});
        }
        obj["apiVersion"] = json!("v1");
        obj["kind"] = json!("K0");
        let expander = Expander::load(&docs).unwrap();
        let err = expander.expand(&obj).unwrap_err();
        assert!(err.contains("more than 10000 resources"), "{err}");
    }

    fn deployments() -> Value {
        template(
            "expand-deployments",
            json!([{"groups": ["apps"], "versions": ["v1"], "kinds": ["Deployment"]}]),
            "spec.template",
            json!({"group": "", "version": "v1", "kind": "Pod"}),
        )
    }

    #[test]
    fn a_deployment_stands_for_its_pod() {
        let e = Expander::load(&[deployments()]).unwrap();
        let deploy = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "Web", "namespace": "shop"},
            "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
        });
        let out = e.expand(&deploy).unwrap();
        assert_eq!(out.len(), 1);
        let pod = &out[0].object;
        assert_eq!(pod["apiVersion"], "v1");
        assert_eq!(pod["kind"], "Pod");
        assert_eq!(pod["metadata"]["name"], "web-pod");
        assert_eq!(pod["metadata"]["namespace"], "shop");
        assert_eq!(pod["metadata"]["labels"]["app"], "web");
        assert_eq!(pod["metadata"]["ownerReferences"][0]["kind"], "Deployment");
        assert_eq!(pod["spec"]["containers"][0]["image"], "nginx");
        assert_eq!(out[0].template, "expand-deployments");
        // A Pod is not a generator here.
        assert!(e.expand(pod).unwrap().is_empty());
    }

    #[test]
    fn resultants_expand_again_children_first() {
        let cronjobs = template(
            "expand-cronjobs",
            json!([{"groups": ["batch"], "versions": ["v1"], "kinds": ["CronJob"]}]),
            "spec.jobTemplate",
            json!({"group": "batch", "version": "v1", "kind": "Job"}),
        );
        let jobs = template(
            "expand-jobs",
            json!([{"groups": ["batch"], "versions": ["v1"], "kinds": ["Job"]}]),
            "spec.template",
            json!({"group": "", "version": "v1", "kind": "Pod"}),
        );
        let e = Expander::load(&[cronjobs, jobs]).unwrap();
        let cron = json!({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}},
        });
        let out = e.expand(&cron).unwrap();
        let names: Vec<&str> = out
            .iter()
            .map(|r| r.object["metadata"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["nightly-job-pod", "nightly-job"]);
        assert!(out[0].object["metadata"].get("namespace").is_none());
    }

    #[test]
    fn bad_templates_are_refused() {
        let selfish = template(
            "selfish",
            json!([{"groups": [""], "versions": ["v1"], "kinds": ["Pod"]}]),
            "spec",
            json!({"group": "", "version": "v1", "kind": "Pod"}),
        );
        assert!(Expander::load(&[selfish]).unwrap_err().contains("same GVK"));
        let a = template(
            "a",
            json!([{"groups": ["x"], "versions": ["v1"], "kinds": ["A"]}]),
            "spec",
            json!({"group": "x", "version": "v1", "kind": "B"}),
        );
        let b = template(
            "b",
            json!([{"groups": ["x"], "versions": ["v1"], "kinds": ["B"]}]),
            "spec",
            json!({"group": "x", "version": "v1", "kind": "A"}),
        );
        assert!(Expander::load(&[a, b]).unwrap_err().contains("cycle"));
        let not_one = json!({"apiVersion": "v1", "kind": "ConfigMap"});
        assert!(Expander::load(&[not_one]).is_err());
        assert!(Expander::load(&[]).is_err());
    }

    #[test]
    fn a_missing_source_is_an_error() {
        let e = Expander::load(&[deployments()]).unwrap();
        let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {}});
        assert!(
            e.expand(&deploy)
                .unwrap_err()
                .contains("could not find source field")
        );
    }
}
