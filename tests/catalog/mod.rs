//! The bundled rules as their METADATA declares them, read the way the binary reads them
//! (the embedded sources and the METADATA parser), so tests that cover "every rule" cover
//! a new rule the moment it is added, with no list to keep in step.

use std::path::{Path, PathBuf};

use dockpolicy::policy::bundled;

/// One bundled rule: what its METADATA names it and the package it lives in.
#[derive(Debug, Clone)]
pub struct BundledRule {
    pub id: String,
    pub package: String,
}

/// Every bundled rule with an id, sorted by id.
pub fn bundled_rules() -> Vec<BundledRule> {
    let rules: Vec<BundledRule> = bundled::rules()
        .into_iter()
        .filter_map(|(package, annotations)| {
            let id = annotations.custom.id?;
            Some(BundledRule { id, package })
        })
        .collect();
    assert!(!rules.is_empty(), "no bundled rule declares an id");
    rules
}

/// The directory of the per-rule fixtures: `<ID>.fail.<ext>` and `<ID>.pass.<ext>`
/// (a file, or an image layout directory).
pub fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

/// The fixtures of `id` of one kind (`"fail"` or `"pass"`), by file name, sorted.
pub fn fixtures(id: &str, kind: &str) -> Vec<String> {
    let prefix = format!("{id}.{kind}.");
    let mut names: Vec<String> = std::fs::read_dir(rules_dir())
        .expect("tests/fixtures/rules is readable")
        .map(|entry| entry.expect("directory entry").file_name())
        .filter_map(|name| name.to_str().map(str::to_owned))
        .filter(|name| name.starts_with(&prefix))
        .collect();
    names.sort();
    names
}
