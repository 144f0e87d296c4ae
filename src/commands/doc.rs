//! `dockpolicy doc`: documents of policy directories as `conftest doc` writes them, and
//! the rule reference generated from each rule's METADATA.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use regorus::go_template::execute_go_template;

use super::doc_template::{self, SectionSource};
use crate::cli::DocArgs;
use crate::policy::metadata::{self, Annotations, RelatedResource};
use crate::policy::{self, load};
use crate::redact::escape_controls_but_newlines;
use crate::report::exit;

pub fn run(args: &DocArgs) -> anyhow::Result<i32> {
    match args.targets.as_slice() {
        [] => rule_reference(args, None),
        [one] if std::fs::symlink_metadata(one).is_err() => rule_reference(args, Some(one)),
        directories => {
            for directory in directories {
                document_directory(args, Path::new(directory))?;
            }
            Ok(exit::CLEAN)
        }
    }
}

/// The table of every rule (`None`) or one rule in full, on standard output.
fn rule_reference(args: &DocArgs, rule: Option<&String>) -> anyhow::Result<i32> {
    let set = policy::load(&policy::Options {
        bundled: args.policy.is_empty(),
        policy_paths: args.policy.clone(),
        all_namespaces: true,
        ..Default::default()
    })?;
    let rules = documented_rules(&set);
    match rule {
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
                eprintln!(
                    "error: no rule with id or slug {name:?} and no directory of that name; \
                     `dockpolicy doc` lists the rules"
                );
                Ok(exit::TOOL_ERROR)
            }
        },
    }
}

/// `conftest doc DIR`: writes `<outDir>/<DIR's name>.md` from every METADATA block of
/// the policies under `dir` (tests left out), which must compile.
fn document_directory(args: &DocArgs, dir: &Path) -> anyhow::Result<()> {
    let shown = dir.display();
    let metadata = std::fs::metadata(dir).map_err(|e| anyhow::anyhow!("{shown}: {e}"))?;
    if !metadata.is_dir() {
        anyhow::bail!("{shown} is not a directory");
    }
    // conftest opens the document before reading the policies: a failure leaves it empty.
    let out = args.out_dir.join(format!("{}.md", document_name(dir)));
    let mut file = create_private(&out)
        .map_err(|e| anyhow::anyhow!("opening {} for writing output: {e}", out.display()))?;
    policy::load(&policy::Options {
        policy_paths: vec![dir.to_path_buf()],
        all_namespaces: true,
        ..Default::default()
    })?;
    let mut found = Vec::new();
    for file in load::rego_files(dir, false)? {
        let source = load::read_policy(&file)?;
        let blocks =
            metadata::blocks(&source).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        for block in blocks {
            let offset = line_offset(&source, block.line) + block.column - 1;
            found.push((block, file.clone(), offset));
        }
    }
    if found.is_empty() {
        anyhow::bail!("generating document: parse rego annotations: no annotations found");
    }
    // OPA's order: by the annotated path, then where the block is.
    found.sort_by(|(a, fa, _), (b, fb, _)| (&a.path, fa, a.line).cmp(&(&b.path, fb, b.line)));
    let blocks: Vec<&metadata::Block> = found.iter().map(|(b, _, _)| b).collect();
    let depths = heading_depths(&blocks);
    let (text, failure) = match &args.template {
        None => (document(&blocks, &depths), None),
        Some(template) => {
            let sources: Vec<SectionSource> = found
                .iter()
                .zip(&depths)
                .map(|((block, file, offset), &depth)| SectionSource {
                    block,
                    file,
                    offset: *offset,
                    depth,
                })
                .collect();
            render_template(template, &sources)
        }
    };
    std::io::Write::write_all(&mut file, escape_controls_but_newlines(&text).as_bytes())
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", out.display()))?;
    failure.map_or(Ok(()), Err)
}

/// The document a user's Go template (`--template`) writes, and its error: conftest
/// keeps what the template wrote before failing.
fn render_template(template: &Path, sources: &[SectionSource]) -> (String, Option<anyhow::Error>) {
    let fail = |e: &dyn std::fmt::Display| {
        anyhow::anyhow!(
            "generating document: rendering document: template {}: {e}",
            template.display()
        )
    };
    let text = match std::fs::read_to_string(template) {
        Ok(text) => text,
        Err(e) => return (String::new(), Some(fail(&e))),
    };
    let mut out = String::new();
    let failure = execute_go_template(&text, &doc_template::sections(sources), &mut out)
        .err()
        .map(|e| fail(&e));
    (out, failure)
}

/// The byte offset at which 1-based `line` of `source` starts.
fn line_offset(source: &str, line: usize) -> usize {
    source
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum()
}

/// The name of a directory's document: its own name, `policy` for `.` and `..`.
fn document_name(dir: &Path) -> String {
    match dir.file_name() {
        Some(name)
            if dir
                .components()
                .next_back()
                .is_some_and(|c| matches!(c, std::path::Component::Normal(_))) =>
        {
            name.to_string_lossy().into_owned()
        }
        _ => "policy".to_owned(),
    }
}

/// Creates (or empties) `path`, readable by its owner only, as conftest creates it.
fn create_private(path: &PathBuf) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Each block's heading depth: as deep as its path (the first block's depth counts as 1
/// when deeper), a jump of more than one level being one level.
fn heading_depths(blocks: &[&metadata::Block]) -> Vec<usize> {
    let (mut current, mut offset) = (0usize, 1usize);
    let mut depths = Vec::with_capacity(blocks.len());
    for (i, block) in blocks.iter().enumerate() {
        // `data.` is the first element of OPA's path; the block paths here lack it.
        let mut depth = (block.path.len() + 1).saturating_sub(offset);
        if i == 0 && depth > 1 {
            offset = depth;
        }
        if depth > current + 1 {
            depth = current + 1;
        }
        current = depth;
        depths.push(depth);
    }
    depths
}

/// conftest's default document template rendered: a heading per block, then its
/// description and related resources.
fn document(blocks: &[&metadata::Block], depths: &[usize]) -> String {
    let mut out = String::new();
    for (block, &depth) in blocks.iter().zip(depths) {
        let a = &block.annotations;
        let _ = write!(
            out,
            "{} {} - {}\n\n{}\n",
            "#".repeat(depth),
            block.path.join("."),
            a.title.as_deref().unwrap_or_default(),
            a.description.as_deref().unwrap_or_default()
        );
        if !a.related_resources.is_empty() {
            out.push_str("\nRelated Resources:\n");
            for resource in &a.related_resources {
                match resource {
                    RelatedResource::Described {
                        url,
                        description: Some(d),
                    } if !d.is_empty() => {
                        let _ = write!(out, "\n* [{d}]({url})");
                    }
                    RelatedResource::Url(url) | RelatedResource::Described { url, .. } => {
                        let _ = write!(out, "\n* {url}");
                    }
                }
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out
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

/// One rule in full: id, slug, severity, title, description, remediation, package.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_follow_conftests_template() {
        let src = "# METADATA\n# title: Main\n# description: |\n#   Two\n#   lines.\n# related_resources:\n# - https://a\n# - ref: https://b\n#   description: B\npackage main\n\n# METADATA\n# title: No\ndeny contains msg if { false; msg := \"\" }\n";
        let blocks = metadata::blocks(src).unwrap();
        let blocks: Vec<&metadata::Block> = blocks.iter().collect();
        assert_eq!(
            document(&blocks, &heading_depths(&blocks)),
            "# main - Main\n\nTwo\nlines.\n\n\nRelated Resources:\n\n* https://a\n* [B](https://b)\n\n\
             ## main.deny - No\n\n\n\n"
        );
    }

    #[test]
    fn a_subpackage_alone_starts_at_the_top_level() {
        let blocks =
            metadata::blocks("package a.b\n# METADATA\n# description: d\nr := 1\n").unwrap();
        let blocks: Vec<&metadata::Block> = blocks.iter().collect();
        assert_eq!(
            document(&blocks, &heading_depths(&blocks)),
            "# a.b.r - \n\nd\n\n"
        );
    }

    #[test]
    fn documents_are_named_after_their_directory() {
        assert_eq!(document_name(Path::new("policy/")), "policy");
        assert_eq!(document_name(Path::new("a/rules")), "rules");
        assert_eq!(document_name(Path::new(".")), "policy");
        assert_eq!(document_name(Path::new("..")), "policy");
    }
}
