//! Embeds the bundled policy library (`policies/**/*.rego`) into the binary, so
//! `dockpolicy test Dockerfile` works with zero configuration and no files on disk; and
//! reads the secret-name words out of `policies/lib/dockpolicy/secrets.rego`, so the
//! report redactor hides the values of exactly the names DP006 flags (one list, not two
//! kept in step by hand).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"))
        .join("policies");
    println!("cargo:rerun-if-changed=policies");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut out = String::from(
        "/// (path relative to policies/, Rego source)\npub static FILES: &[(&str, &str)] = &[\n",
    );
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file.strip_prefix(&root).expect("under policies/");
        let rel = rel.to_string_lossy().replace('\\', "/");
        writeln!(
            out,
            "    ({rel:?}, include_str!({:?})),",
            file.display().to_string()
        )
        .expect("write to string");
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out_dir.join("bundled_policies.rs"), out).expect("write bundled_policies.rs");
    let secrets = root.join("lib/dockpolicy/secrets.rego");
    let source = std::fs::read_to_string(&secrets).expect("read secrets.rego");
    std::fs::write(out_dir.join("secret_names.rs"), secret_names(&source))
        .expect("write secret_names.rs");
}

/// The Rust constants for `secret_names.rs`: the string literals of the Rego sets
/// `_secret_words`, `_secret_last_words`, `_pass_words`, `_key_last_words`,
/// `_public_key_words` and `_secret_pairs` (each one line, `name := {...}`).
/// A set that is missing or empty stops the build: the redactor must never silently lose
/// its list.
fn secret_names(source: &str) -> String {
    let set = |name: &str| -> Vec<String> {
        let prefix = format!("{name} := {{");
        let line = source
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("secrets.rego has no one-line `{prefix}...}}`"));
        let strings: Vec<String> = line[prefix.len()..]
            .split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect();
        assert!(!strings.is_empty(), "secrets.rego: {name} is empty");
        strings
    };
    let words = set("_secret_words");
    let last = set("_secret_last_words");
    let pass_words = set("_pass_words");
    let key_last = set("_key_last_words");
    let public_key = set("_public_key_words");
    let pairs = set("_secret_pairs");
    assert!(
        pairs.len() % 2 == 0,
        "secrets.rego: _secret_pairs holds pairs"
    );
    let mut out = String::new();
    let list = |out: &mut String, name: &str, items: &[String]| {
        writeln!(out, "pub const {name}: &[&str] = &{items:?};").expect("write to string");
    };
    list(&mut out, "SECRET_WORDS", &words);
    list(&mut out, "SECRET_LAST_WORDS", &last);
    list(&mut out, "PASS_WORDS", &pass_words);
    list(&mut out, "KEY_LAST_WORDS", &key_last);
    list(&mut out, "PUBLIC_KEY_WORDS", &public_key);
    let pairs: Vec<(String, String)> = pairs
        .chunks(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect();
    writeln!(out, "pub const SECRET_PAIRS: &[(&str, &str)] = &{pairs:?};")
        .expect("write to string");
    out
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rego") {
            files.push(path);
        }
    }
}
