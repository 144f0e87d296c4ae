//! The suites under tests/fixtures/gator/ assert what gator v3.23.1 does (their tools/
//! wrote every assertion from gator's results). Without gator at hand, dockpolicy must
//! still pass every case of the suites gator passes whole: matching, the review input,
//! AdmissionReview operations. (The differential harness compares the rest, the
//! refusals, with gator itself.)

use std::path::Path;

use assert_cmd::Command;

fn verify(dir: &str) -> (i32, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::cargo_bin("dockpolicy")
        .unwrap()
        .current_dir(root)
        .args(["gatekeeper", "verify"])
        .arg(root.join("tests/fixtures/gator").join(dir))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn all_pass(dir: &str, at_least: usize) {
    let (code, out) = verify(dir);
    let passed = out.lines().filter(|l| l.starts_with("PASS  ")).count();
    assert_eq!(code, 0, "{dir}:\n{out}");
    assert!(
        passed >= at_least && !out.contains("FAIL  ") && !out.contains("ERROR "),
        "{dir}: {passed} cases passed:\n{out}"
    );
}

#[test]
fn namespaces_globs_and_cluster_scoped_objects_match_as_in_gatekeeper() {
    all_pass("match-namespaces", 55);
}

#[test]
fn kinds_scope_and_name_match_as_in_gatekeeper() {
    all_pass("match-kinds", 45);
    all_pass("match-scope", 16);
    all_pass("match-name", 35);
}

#[test]
fn selectors_and_source_match_as_in_gatekeeper() {
    all_pass("match-labelselector", 32);
    all_pass("match-namespaceselector", 44);
    all_pass("match-source", 8);
}

#[test]
fn the_review_input_is_gatekeepers_for_objects_and_admission_requests() {
    all_pass("review-input", 12);
    all_pass("review-operations", 11);
}

#[test]
fn refused_templates_constraints_and_reviews_are_errors_with_gators_words() {
    let (code, out) = verify("validate-template");
    assert_ne!(code, 0, "{out}");
    for (test, words) in [
        (
            "rejected-import-rego-v1",
            "invalid import: bad import: \"rego.v1\"",
        ),
        (
            "rejected-no-violation-rule",
            "missing required rules: [violation]",
        ),
        (
            "rejected-violation-ref-head",
            "missing required rules: [violation]",
        ),
        (
            "rejected-other-data-reference",
            "disallowed ref data.config.enabled",
        ),
        (
            "rejected-lib-outside-lib-package",
            "path data.helpers not found in lib prefixes",
        ),
        (
            "rejected-name-not-lowercase",
            "missing ConstraintTemplate: template \"k8scheck\" not found",
        ),
        (
            "rejected-v1-schema-without-types",
            "Required value: must not be empty for specified object fields",
        ),
    ] {
        // The refusal is the test's ERROR line, its reason on the lines after it.
        let mut lines = out
            .lines()
            .skip_while(|l| !l.starts_with("ERROR ") || !l.contains(&format!(" / {test} / ")));
        assert!(lines.next().is_some(), "{test} not refused:\n{out}");
        let reason: Vec<&str> = lines
            .take_while(|l| {
                !["PASS  ", "FAIL  ", "ERROR "]
                    .iter()
                    .any(|s| l.starts_with(s))
            })
            .collect();
        let reason = reason.join("\n");
        assert!(reason.contains(words), "{test}: {reason}");
    }
    assert!(out.contains("PASS  ") && out.contains("/ accepted-cel-and-rego-that-agree / pod"));
    let (_, out) = verify("validate-constraint/suite.yaml");
    assert!(out.contains("schema validation failed: [].spec.parameters.mode: Unsupported value: \"block\": supported values: \"audit\", \"enforce\""), "{out}");
    assert!(
        out.contains("invalid Constraint: unknown fields: [spec.parameters.owner.email]"),
        "{out}"
    );
    let (_, out) = verify("review-errors");
    assert!(
        out.contains("oldObject cannot be nil for DELETE operations"),
        "{out}"
    );
    assert!(
        out.contains("strict decoding error: unknown field \"request.userInfo.bogus\""),
        "{out}"
    );
}
