//! The crate's modules form layers, and no code reaches up: every `crate::<module>`
//! reference in `src/` (tests included) must name a module of a lower layer than the
//! file's own top-level module. A cycle between two modules, or a library module that
//! needs the command line, fails here with the file, line and edge.
//!
//! The layers, lowest first (modules of one layer do not use each other):
//!
//! 1. `redact` (making scanned text safe to quote), `findings` (the result model)
//! 2. `input` (files to JSON documents)
//! 3. `config` (the config file; read through `input::confine`)
//! 4. `policy` (loading, compiling and evaluating Rego)
//! 5. `report` (output formats), `gatekeeper` (Gatekeeper templates and suites)
//! 6. `cli` (clap definitions over the library's plain types)
//! 7. `commands` (one per subcommand, taking `cli`'s arguments)
//!
//! `main.rs` sits above them all and `lib.rs` only declares them. ARCHITECTURE.md
//! describes the same order.

use std::path::{Path, PathBuf};

const LAYERS: &[&[&str]] = &[
    &["redact", "findings"],
    &["input"],
    &["config"],
    &["policy"],
    &["report", "gatekeeper"],
    &["cli"],
    &["commands"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level module a file under `src/` belongs to (`src/policy/eval.rs` → `policy`).
fn module_of(relative: &Path) -> String {
    let first = relative.components().next().expect("a path under src/");
    let name = first.as_os_str().to_string_lossy();
    name.strip_suffix(".rs").unwrap_or(&name).to_owned()
}

/// The top-level modules a line of code names through `crate::`, including every member
/// of a `crate::{a, b::c}` group (a group that goes on over the next lines is read from
/// `rest`, the text from this line on).
fn referenced_modules(rest: &str) -> Vec<String> {
    let line = rest.lines().next().unwrap_or("");
    let code = match line.trim_start().starts_with("//") {
        true => return Vec::new(),
        false => line,
    };
    let mut found = Vec::new();
    let mut offset = 0;
    while let Some(at) = code[offset..].find("crate::") {
        let start = offset + at;
        offset = start + "crate::".len();
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let after = &rest[offset..];
        if let Some(group) = after.strip_prefix('{') {
            found.extend(group_members(group));
        } else {
            found.push(identifier(after).to_owned());
        }
    }
    found
}

/// The first path segment of each member of a `{...}` group (`group` starts after `{`).
fn group_members(group: &str) -> Vec<String> {
    let mut members = Vec::new();
    let mut depth = 0;
    let mut member_start = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => member_start = true,
            c if member_start && !c.is_whitespace() => {
                member_start = false;
                members.push(identifier(&group[i..]).to_owned());
            }
            _ => {}
        }
    }
    members
}

fn identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src/") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::` edge of `src/` that runs back up the layers (or across one layer),
/// as `file:line: from -> to`.
fn upward_edges(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src).expect("under src/");
        let from = module_of(relative);
        if from == "main" || from == "lib" {
            continue;
        }
        let from_layer = layer_of(&from).unwrap_or_else(|| {
            panic!(
                "src/{}: module `{from}` is in no layer of LAYERS",
                relative.display()
            )
        });
        let text = std::fs::read_to_string(&file).expect("readable source");
        let mut line_start = 0;
        for (number, line) in text.lines().enumerate() {
            for to in referenced_modules(&text[line_start..]) {
                if to == from {
                    continue;
                }
                let allowed = layer_of(&to).is_some_and(|to_layer| to_layer < from_layer);
                if !allowed {
                    wrong.push(format!(
                        "src/{}:{}: {from} -> {to}",
                        relative.display(),
                        number + 1
                    ));
                }
            }
            line_start += line.len() + 1;
        }
    }
    wrong
}

#[test]
fn no_module_uses_one_above_or_beside_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let wrong = upward_edges(&src);
    assert!(
        wrong.is_empty(),
        "imports against the layers of tests/layers.rs:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert!(!declared.is_empty());
    for module in declared {
        assert!(layer_of(module).is_some(), "`{module}` is in no layer");
    }
}

#[test]
fn references_are_read_from_paths_and_groups() {
    let found = |text: &str| referenced_modules(text);
    assert_eq!(found("use crate::policy::eval;"), ["policy"]);
    assert_eq!(
        found("use crate::{findings::{CheckResult, Finding}, redact};"),
        ["findings", "redact"]
    );
    assert_eq!(
        found("use crate::{\n    input::Document,\n    report,\n};"),
        ["input", "report"]
    );
    assert_eq!(
        found("let x = crate::report::write(a, crate::cli::X);"),
        ["report", "cli"]
    );
    assert!(found("/// see crate::report").is_empty());
    assert!(found("pub(crate) fn f() {}").is_empty());
    assert!(found("$crate::x").is_empty());
}

#[test]
fn an_import_up_the_layers_is_named() {
    let dir = std::env::temp_dir().join(format!("dockpolicy-layers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("input")).expect("temp dir");
    std::fs::write(
        dir.join("input/mod.rs"),
        "use crate::redact;\n// crate::report in a comment\nuse crate::report::OutputFormat;\n",
    )
    .expect("write");
    std::fs::write(dir.join("redact.rs"), "fn f() {}\n").expect("write");
    let wrong = upward_edges(&dir);
    std::fs::remove_dir_all(&dir).expect("clean up");
    assert_eq!(wrong, ["src/input/mod.rs:3: input -> report"]);
}
