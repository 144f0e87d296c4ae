//! What a user sees from each bundled rule: one snapshot per rule id, named by the id
//! (`snapshots/rule_snapshots__DP001.snap`), of `dockpolicy test` on the rule's failing
//! fixtures (`tests/fixtures/rules/<ID>.fail.*`), text output without colour.
//!
//! The rules are found from their METADATA, so a new rule fails here until it has a
//! failing fixture and a reviewed snapshot. The run is the user's own (the whole bundled
//! library, the fixtures' config file); the snapshot keeps only the findings of the rule's
//! own package, since `--namespace` selects user packages, never bundled ones, and a run
//! cut down with `disabled_rules` would change every snapshot's summary whenever a rule is
//! added. The summary and the other rules' findings are the format snapshots' business
//! (`outputs.rs`).

mod catalog;

use assert_cmd::Command;

use catalog::{BundledRule, bundled_rules, fixtures, rules_dir};

/// What a text report prints for a finding: `KIND - file - namespace - message`.
const FINDING_KINDS: [&str; 4] = ["FAIL", "WARN", "EXCP", "SUPP"];

fn is_finding_header(line: &str) -> bool {
    FINDING_KINDS
        .iter()
        .any(|kind| line.starts_with(&format!("{kind} - ")))
}

/// The findings of `package` in a text report, each with its source snippet, as printed.
/// A finding is its header line and the lines after it up to the next finding or the
/// blank line before the summary.
fn findings_of(report: &str, package: &str) -> String {
    let mut kept = String::new();
    let mut keeping = false;
    for line in report.lines() {
        if line.is_empty() {
            keeping = false;
        } else if is_finding_header(line) {
            // `KIND - <file> - <namespace> - <message>`: the message may hold ` - `, the
            // fixture names do not.
            keeping = line.split(" - ").nth(2) == Some(package);
        }
        if keeping {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

/// `dockpolicy test` as a user runs it on `files` (in the fixtures directory, so the
/// report names them as written): standard output, and a complaint if the run failed as
/// a tool error (a fixture that does not parse).
fn report(files: &[String]) -> String {
    let out = Command::cargo_bin("dockpolicy")
        .unwrap()
        .current_dir(rules_dir())
        .env("NO_COLOR", "1")
        .args(["test", "--config", "config.yaml"])
        .args(files)
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(3),
        "{files:?} could not be checked:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 report")
}

fn snapshot(rule: &BundledRule, files: &[String]) {
    let text = findings_of(&report(files), &rule.package);
    assert!(
        !text.is_empty(),
        "{} ({}) reports nothing on {files:?}; a failing fixture must make it fire",
        rule.id,
        rule.package
    );
    insta::with_settings!({
        description => format!("dockpolicy test --config config.yaml {}", files.join(" ")),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(rule.id.clone(), text);
    });
}

#[test]
fn every_bundled_rule_has_a_snapshot_of_what_it_reports_on_its_failing_fixture() {
    let rules = bundled_rules();
    let missing: Vec<String> = rules
        .iter()
        .filter(|rule| fixtures(&rule.id, "fail").is_empty())
        .map(|rule| {
            format!(
                "{} ({}): add tests/fixtures/rules/{}.fail.Dockerfile (or .yaml, .json, an image \
                 archive) on which it fires, then review its snapshot with `cargo insta review`",
                rule.id, rule.package, rule.id
            )
        })
        .collect();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    for rule in &rules {
        snapshot(rule, &fixtures(&rule.id, "fail"));
    }
}

/// A snapshot left behind by a removed or renumbered rule would pass unnoticed.
#[test]
fn every_rule_snapshot_belongs_to_a_bundled_rule() {
    let ids: Vec<String> = bundled_rules().into_iter().map(|r| r.id).collect();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(id) = name
            .strip_prefix("rule_snapshots__")
            .and_then(|rest| rest.strip_suffix(".snap"))
        else {
            continue;
        };
        assert!(
            ids.iter().any(|known| known == id),
            "tests/snapshots/{name} names no bundled rule; delete it"
        );
    }
}

#[test]
fn findings_of_keeps_one_package_with_its_snippets() {
    let report = "WARN - a.Dockerfile - dockpolicy.x - first\n  --> a.Dockerfile:1\n  |\n1 | FROM a\n  | ^^^^^^\nFAIL - a.Dockerfile - dockpolicy.x_y - other\n  --> a.Dockerfile:1\nFAIL - a.Dockerfile - dockpolicy.x - second - with a dash\n\n2 tests, 0 passed\n";
    assert_eq!(
        findings_of(report, "dockpolicy.x"),
        "WARN - a.Dockerfile - dockpolicy.x - first\n  --> a.Dockerfile:1\n  |\n1 | FROM a\n  | ^^^^^^\nFAIL - a.Dockerfile - dockpolicy.x - second - with a dash\n"
    );
}
