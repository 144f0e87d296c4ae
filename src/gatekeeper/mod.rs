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
fn str_at<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
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
