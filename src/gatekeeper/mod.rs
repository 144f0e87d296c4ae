//! Gatekeeper: exporting the practices as ConstraintTemplates, and evaluating any
//! ConstraintTemplates and Constraints locally (`gatekeeper test`, `gatekeeper verify`).
//!
//! Gatekeeper is the enforcement engine in the cluster; we generate its input and run its
//! policies the way it does, we do not reimplement admission control.

pub mod expansion;
pub mod export;
pub mod matching;
pub mod review;
pub mod run;
pub mod schema;
pub mod suite;
pub mod validate;

use serde_json::Value;

/// The string at JSON pointer `path` in `v`, if there is one.
pub(crate) fn str_at<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    v.pointer(path).and_then(Value::as_str)
}

/// The admission target every template is written for.
pub const TARGET: &str = "admission.k8s.gatekeeper.sh";

/// gator's enforcement point, which `scopedEnforcementActions` may name.
pub const GATOR_ENFORCEMENT_POINT: &str = "gator.gatekeeper.sh";

/// Workload kinds whose pod templates the practices read directly (no ExpansionTemplate
/// needed), by API group.
pub const MATCH_KINDS: &[(&str, &[&str])] = &[
    ("", &["Pod", "ReplicationController", "PodTemplate"]),
    (
        "apps",
        &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"],
    ),
    ("batch", &["Job", "CronJob"]),
    // Pre-1.16 manifests still use this group; matching it costs nothing.
    ("extensions", &["Deployment", "DaemonSet", "ReplicaSet"]),
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::MATCH_KINDS;

    const KUBERNETES_REGO: &str = include_str!("../../policies/lib/dockpolicy/kubernetes.rego");

    /// The kinds `lib.dockpolicy.kubernetes` names: those of its `o.kind == "..."` tests
    /// and of its `_template_kinds` set.
    fn kinds_named_in_the_rego() -> BTreeSet<&'static str> {
        KUBERNETES_REGO
            .lines()
            .filter(|l| l.contains("o.kind == \"") || l.starts_with("_template_kinds :="))
            .flat_map(|l| l.split('"').skip(1).step_by(2))
            .collect()
    }

    /// The Constraints match exactly the kinds whose pod spec the practices read: a kind
    /// in one list only would be matched and never judged, or judged by the CLI and never
    /// sent by Gatekeeper. The Rego reads each kind's pod spec at a path of its own (one
    /// rule per path, which the VM runs fast), so it stays hand-written and is held to
    /// `MATCH_KINDS` here, by name and by evaluating it on every kind.
    #[test]
    fn match_kinds_are_the_kinds_whose_pods_the_rego_reads() {
        let kinds: BTreeSet<&str> = MATCH_KINDS
            .iter()
            .flat_map(|(_, kinds)| kinds.iter().copied())
            .collect();
        assert_eq!(kinds_named_in_the_rego(), kinds);
        let mut engine = regorus::Engine::new();
        engine.set_rego_v0(false);
        engine
            .add_policy("kubernetes.rego".into(), KUBERNETES_REGO.into())
            .unwrap();
        let pod = serde_json::json!({"containers": [{"name": "c", "image": "nginx"}]});
        let template = serde_json::json!({"spec": pod});
        // A pod spec at every path a kind may keep it: each kind finds its own.
        let spec = serde_json::json!({
            "containers": pod["containers"],
            "template": template,
            "jobTemplate": {"spec": {"template": template}},
        });
        for kind in kinds.iter().copied().chain(["ConfigMap"]) {
            let object = serde_json::json!({
                "apiVersion": "v1",
                "kind": kind,
                "metadata": {"name": "x"},
                "spec": spec,
                "template": template,
            });
            engine.set_input(regorus::Value::from_json_str(&object.to_string()).unwrap());
            let pods = engine
                .eval_rule("data.lib.dockpolicy.kubernetes.pods".into())
                .unwrap();
            let found = pods.as_set().map(|s| s.len()).unwrap_or(0);
            let expected = usize::from(kind != "ConfigMap");
            assert_eq!(found, expected, "{kind}: {pods}");
        }
    }
}
