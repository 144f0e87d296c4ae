//! The README's table of bundled rules: `dockpolicy doc`'s table, from each rule's
//! METADATA.

use std::path::Path;

use anyhow::Context as _;
use dockpolicy::commands::doc;
use dockpolicy::policy;

use crate::Derived;
use crate::markers::replace_between;

const PATH: &str = "README.md";

pub fn derive(root: &Path) -> anyhow::Result<Derived> {
    let set = policy::load(&policy::Options {
        bundled: true,
        all_namespaces: true,
        ..Default::default()
    })?;
    let table = doc::table(&doc::documented_rules(&set));
    let text = std::fs::read_to_string(root.join(PATH)).with_context(|| format!("read {PATH}"))?;
    let text = replace_between(
        &text,
        "<!-- generated:rules:start -->",
        "<!-- generated:rules:end -->",
        &table,
    )
    .with_context(|| PATH)?;
    Ok(Derived::text(PATH, text))
}
