//! The README's table of bundled rules: `dockpolicy doc`'s table, from each rule's
//! METADATA.

use dockpolicy::commands::doc;
use dockpolicy::policy;

use crate::markers::replace_between;

/// `readme` with its rule table brought up to date.
pub fn derive(readme: &str) -> anyhow::Result<String> {
    let set = policy::load(&policy::Options {
        bundled: true,
        all_namespaces: true,
        ..Default::default()
    })?;
    let table = doc::table(&doc::documented_rules(&set));
    replace_between(
        readme,
        "<!-- generated:rules:start -->",
        "<!-- generated:rules:end -->",
        &table,
    )
}
