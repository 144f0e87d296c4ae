//! `dockpolicy doc`: the rule reference, generated from each rule's METADATA.

use std::fmt::Write as _;

use crate::cli::DocArgs;
use crate::policy::{self, metadata::Annotations};
use crate::redact::escape_controls_but_newlines;
use crate::report::exit;

pub fn run(args: &DocArgs) -> anyhow::Result<i32> {
    let set = policy::load(&policy::Options {
        bundled: args.policy.is_empty(),
        policy_paths: args.policy.clone(),
        all_namespaces: true,
        ..Default::default()
    })?;
    let rules = documented_rules(&set);
    match &args.rule {
        None => {
            // User policies' METADATA may come from the scanned tree: no terminal escapes.
            print!("{}", escape_controls_but_newlines(&table(&rules)));
            Ok(exit::CLEAN)
        }
        Some(name) => match rules.iter().find(|(_, m)| m.is_named(name)) {
            Some((package, meta)) => {
                print!("{}", escape_controls_but_newlines(&full(package, meta)));
                Ok(exit::CLEAN)
            }
            None => {
                eprintln!("error: no rule with id or slug {name:?}; `dockpolicy doc` lists them");
                Ok(exit::TOOL_ERROR)
            }
        },
    }
}

/// The rules of `set` that have an id, by id: (package, METADATA).
pub fn documented_rules(set: &policy::PolicySet) -> Vec<(&String, &Annotations)> {
    let mut rules: Vec<(&String, &Annotations)> = set
        .metadata
        .iter()
        .filter(|(_, m)| m.custom.id.is_some())
        .collect();
    rules.sort_by(|a, b| a.1.custom.id.cmp(&b.1.custom.id));
    rules
}

/// The Markdown table of rules (`cargo xtask generate` puts the bundled library's in the
/// README).
pub fn table(rules: &[(&String, &Annotations)]) -> String {
    let mut out = String::from("| id | slug | severity | title |\n|---|---|---|---|\n");
    for (_, m) in rules {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            m.custom.id.as_deref().unwrap_or(""),
            m.custom.slug.as_deref().unwrap_or(""),
            m.custom.severity.as_deref().unwrap_or(""),
            m.title.as_deref().unwrap_or(""),
        );
    }
    out
}

fn full(package: &str, m: &Annotations) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({}): {}\n",
        m.custom.id.as_deref().unwrap_or(""),
        m.custom.slug.as_deref().unwrap_or(""),
        m.custom.severity.as_deref().unwrap_or(""),
        m.title.as_deref().unwrap_or("")
    );
    if let Some(d) = &m.description {
        out.push_str(d.trim_end());
        out.push_str("\n\n");
    }
    if let Some(r) = &m.custom.remediation {
        let _ = writeln!(out, "Remediation: {r}\n");
    }
    let _ = writeln!(out, "Package: data.{package}");
    out
}
