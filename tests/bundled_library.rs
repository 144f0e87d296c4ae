//! The bundled library's layout rules: adding a rule touches the rule file and its test
//! file, nothing else, and these checks keep that true.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dockpolicy::policy::metadata;

fn policies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

fn rego_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rego_files(&path));
        } else if path.extension().is_some_and(|e| e == "rego") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn package_of(source: &str) -> String {
    source
        .lines()
        .find_map(|l| l.strip_prefix("package "))
        .expect("a package line")
        .trim()
        .to_owned()
}

#[test]
fn every_rule_has_metadata_a_unique_id_and_its_test_file() {
    let mut ids = BTreeSet::new();
    let mut slugs = BTreeSet::new();
    let rules: Vec<PathBuf> = std::fs::read_dir(policies())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "rego")
                && !p.to_string_lossy().ends_with("_test.rego")
        })
        .collect();
    assert!(rules.len() >= 11);
    for rule in rules {
        let name = rule.file_stem().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&rule).unwrap();
        assert_eq!(
            package_of(&source),
            format!("dockpolicy.{name}"),
            "{name}: package must match the file name"
        );
        let test = rule.with_file_name(format!("{name}_test.rego"));
        assert!(test.is_file(), "{name} has no {name}_test.rego");
        let (package, meta) = metadata::extract(&source)
            .unwrap()
            .unwrap_or_else(|| panic!("{name}: no METADATA block"));
        assert_eq!(package, format!("dockpolicy.{name}"));
        let id = meta
            .custom
            .id
            .clone()
            .unwrap_or_else(|| panic!("{name}: no custom.id"));
        assert!(
            id.starts_with("DP") && id.len() == 5,
            "{name}: id {id} is not DPnnn"
        );
        assert!(ids.insert(id.clone()), "duplicate id {id}");
        let slug = meta
            .custom
            .slug
            .clone()
            .unwrap_or_else(|| panic!("{name}: no slug"));
        assert_eq!(
            slug.replace('-', "_"),
            name,
            "{name}: slug and file name disagree"
        );
        assert!(slugs.insert(slug));
        let severity = meta.custom.severity.clone().unwrap_or_default();
        assert!(
            severity == "deny" || severity == "warn",
            "{name}: severity {severity}"
        );
        // The rule's result rule is named after its severity.
        assert!(
            source.contains(&format!("\n{severity} contains ")),
            "{name}: severity {severity} but no `{severity} contains` rule"
        );
        assert!(meta.title.is_some(), "{name}: no title");
        assert!(meta.custom.remediation.is_some(), "{name}: no remediation");
        let description = meta.description.unwrap_or_default();
        for section in ["## What it does", "## Why", "## Example", "## Use instead"] {
            assert!(
                description.contains(section),
                "{name}: description lacks {section}"
            );
        }
    }
}

#[test]
fn helpers_live_in_lib_packages_matching_their_path() {
    for file in rego_files(&policies().join("lib")) {
        let source = std::fs::read_to_string(&file).unwrap();
        let rel = file.strip_prefix(policies()).unwrap().with_extension("");
        let expected = rel.to_string_lossy().replace('/', ".");
        assert_eq!(package_of(&source), expected, "{}", file.display());
        assert!(
            !file.to_string_lossy().ends_with("_test.rego")
                || package_of(&source).ends_with("_test")
        );
    }
}

#[test]
fn test_files_use_their_rule_package_with_a_test_suffix() {
    // (Tests of lib helpers follow the lib rule above.)
    for file in rego_files(&policies())
        .into_iter()
        .filter(|f| !f.starts_with(policies().join("lib")))
    {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix("_test.rego") {
            let source = std::fs::read_to_string(&file).unwrap();
            assert_eq!(
                package_of(&source),
                format!("dockpolicy.{stem}_test"),
                "{name}"
            );
        }
    }
}
