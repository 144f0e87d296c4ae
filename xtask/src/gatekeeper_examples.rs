//! `examples/gatekeeper/templates/` and `constraints/`: `dockpolicy gatekeeper export` of
//! the bundled library with the default config, plus the DP003 Constraint with an
//! allow-list that the suite's DP003 test uses. The suite (`suite.yaml`) and its
//! `samples/` are written by hand: they say what each rule must find.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use dockpolicy::config::Config;
use dockpolicy::gatekeeper::export::{self, Exported, Module};
use dockpolicy::policy::{RegoVersion, bundled};

use crate::Derived;

const DIR: &str = "examples/gatekeeper";

/// The rule whose Constraint also comes with an allow-list, and the registry it allows.
const ALLOWLIST_RULE: &str = "DP003";
const ALLOWED_REGISTRY: &str = "registry.example.com";

pub fn derive(root: &Path) -> anyhow::Result<Vec<Derived>> {
    let defaults = exported(&Config::default())?;
    let mut files: Vec<Derived> = defaults
        .iter()
        .flat_map(|e| [&e.template, &e.constraint])
        .map(|(rel, text)| Derived::text(Path::new(DIR).join(rel), text.clone()))
        .collect();
    files.push(allowlist_constraint()?);
    // What the export no longer writes (a rule removed or renamed) must go.
    let written: BTreeSet<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    for sub in ["templates", "constraints"] {
        let dir = root.join(DIR).join(sub);
        let entries = std::fs::read_dir(&dir).with_context(|| format!("read {}", dir.display()))?;
        for entry in entries {
            let path = Path::new(DIR).join(sub).join(entry?.file_name());
            if !written.contains(&path) {
                files.push(Derived {
                    path,
                    content: None,
                });
            }
        }
    }
    Ok(files)
}

fn exported(config: &Config) -> anyhow::Result<Vec<Exported>> {
    let modules: Vec<Module> = bundled::policies()
        .map(|(path, source)| Module {
            path,
            source: source.to_owned(),
        })
        .collect();
    export::export(&modules, config, RegoVersion::V0).map_err(anyhow::Error::msg)
}

/// The allow-list Constraint: the export with `allowed_registries` set, under a name of
/// its own so that it sits beside the default one.
fn allowlist_constraint() -> anyhow::Result<Derived> {
    let config = Config {
        allowed_registries: vec![ALLOWED_REGISTRY.into()],
        ..Config::default()
    };
    let exported = exported(&config)?;
    let Some(rule) = exported.iter().find(|e| e.id == ALLOWLIST_RULE) else {
        bail!("{ALLOWLIST_RULE} is not exported to Gatekeeper");
    };
    let (rel, text) = &rule.constraint;
    let name_line = text
        .lines()
        .find(|l| l.starts_with("  name: "))
        .context("the constraint has no metadata.name")?;
    let renamed = text.replacen(name_line, &format!("{name_line}-allowlist"), 1);
    let path = Path::new(DIR).join(rel.replace(".yaml", "-allowlist.yaml"));
    let header = format!(
        "# The exported {ALLOWLIST_RULE} constraint with an allow-list, as\n\
         # `dockpolicy gatekeeper export --config` writes it for\n\
         # `allowed_registries: [{ALLOWED_REGISTRY}]` (written by `cargo xtask generate`).\n"
    );
    Ok(Derived::text(path, header + &renamed))
}
