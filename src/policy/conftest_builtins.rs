//! conftest's own Rego builtins: `parse_config(parser, text)`, `parse_config_file(path)`
//! and `parse_combined_config_files(paths)`, registered as regorus extensions. Each gives
//! the document dockpolicy's parsers give for that input (what `parse` prints), so a
//! policy reads a file the way it would read it as input.
//!
//! conftest resolves a file's path against the directory of the policy that calls the
//! builtin. regorus does not tell an extension where it was called from, so paths are
//! resolved against the directory of the first policy path (`-p policy`: `policy/`),
//! which is the same place for a policy directory without subdirectories. A file is read
//! only when it lies inside the working directory (symlinks resolved, see
//! `input::confine`): a policy from the scanned repository must not read the CI
//! machine's files through a `../../` path. conftest reads any path.

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use regorus::Value;
use serde_json::{Value as Json, json};

use crate::input::{self, Format, confine::Tree, dockerfile};

/// Where relative paths given to the builtins start (see the module docs).
static BASE_DIR: RwLock<Option<PathBuf>> = RwLock::new(None);

/// Sets the directory the file builtins resolve paths against: the first policy path's
/// directory (the path itself when it is a directory).
pub fn set_base(policy_paths: &[PathBuf]) {
    let base = policy_paths.first().map(|p| {
        if p.is_dir() {
            p.clone()
        } else {
            p.parent().map_or_else(PathBuf::new, Path::to_path_buf)
        }
    });
    if let Ok(mut slot) = BASE_DIR.write() {
        *slot = base;
    }
}

/// Registers the three builtins on `engine`.
pub fn register(engine: &mut regorus::Engine) -> Result<(), String> {
    engine
        .add_extension("parse_config".into(), 2, Box::new(parse_config))
        .map_err(|e| format!("parse_config: {e}"))?;
    engine
        .add_extension("parse_config_file".into(), 1, Box::new(parse_config_file))
        .map_err(|e| format!("parse_config_file: {e}"))?;
    engine
        .add_extension(
            "parse_combined_config_files".into(),
            1,
            Box::new(parse_combined_config_files),
        )
        .map_err(|e| format!("parse_combined_config_files: {e}"))?;
    Ok(())
}

fn parse_config(args: Vec<Value>) -> anyhow::Result<Value> {
    let name = args[0]
        .as_string()
        .map_err(|_| anyhow::anyhow!("parse_config: the parser name must be a string"))?;
    let text = args[1]
        .as_string()
        .map_err(|_| anyhow::anyhow!("parse_config: the configuration must be a string"))?;
    let format = Format::from_name(name)
        .filter(|f| *f != Format::Archive)
        .ok_or_else(|| anyhow::anyhow!("create config parser: unknown parser: {name}"))?;
    let parsed = input::parse(text, format, &dockerfile::Options::default())
        .map_err(|e| anyhow::anyhow!("unmarshal config: {e}"))?;
    Ok(Value::from(parsed.into_whole()))
}

fn parse_config_file(args: Vec<Value>) -> anyhow::Result<Value> {
    let path = args[0]
        .as_string()
        .map_err(|_| anyhow::anyhow!("parse_config_file: the path must be a string"))?;
    let (_, document) = read_config(path)?;
    Ok(Value::from(document))
}

fn parse_combined_config_files(args: Vec<Value>) -> anyhow::Result<Value> {
    let paths = args[0].as_array().map_err(|_| {
        anyhow::anyhow!("parse_combined_config_files: the paths must be an array of strings")
    })?;
    let mut entries = Vec::new();
    for path in paths.iter() {
        let path = path.as_string().map_err(|_| {
            anyhow::anyhow!("parse_combined_config_files: the paths must be an array of strings")
        })?;
        let (shown, document) = read_config(path)?;
        match document {
            Json::Array(items) => {
                entries.extend(
                    items
                        .into_iter()
                        .map(|c| json!({"path": shown, "contents": c})),
                );
            }
            other => entries.push(json!({"path": shown, "contents": other})),
        }
    }
    // Sorted by path, as conftest sorts them.
    entries.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    Ok(Value::from(Json::Array(entries)))
}

/// Reads and parses a file for the builtins: its path as conftest shows it (joined to the
/// base directory and cleaned) and its document.
fn read_config(path: &str) -> anyhow::Result<(String, Json)> {
    let base = BASE_DIR
        .read()
        .ok()
        .and_then(|b| b.clone())
        .unwrap_or_default();
    let joined = clean(&base.join(path));
    let shown = joined.display().to_string();
    let format = input::walk::detect(&joined)
        .filter(|f| *f != Format::Archive)
        .ok_or_else(|| {
            anyhow::anyhow!("create config parser: cannot tell the format of {shown}")
        })?;
    let cwd = std::env::current_dir()?;
    let tree =
        Tree::at(&cwd).map_err(|e| anyhow::anyhow!("read config file {shown}: {}", e.reason()))?;
    let bytes = tree
        .read_capped(&joined, format.max_size())
        .map_err(|e| anyhow::anyhow!("read config file {shown}: {} (parse_config_file reads only files inside the working directory)", e.reason()))?;
    let text = input::text_of(&bytes, format).map_err(|e| anyhow::anyhow!("{shown}: {e}"))?;
    let parsed = input::parse(text, format, &dockerfile::Options::default())
        .map_err(|e| anyhow::anyhow!("unmarshal config {shown}: {e}"))?;
    Ok((shown, parsed.into_whole()))
}

/// `path` with `.` and `name/..` removed, as Go's `filepath.Join` cleans it.
fn clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_cleaned_as_go_joins_them() {
        assert_eq!(
            clean(Path::new("policy/../a/./b.yaml")),
            PathBuf::from("a/b.yaml")
        );
        assert_eq!(clean(Path::new("../x")), PathBuf::from("../x"));
    }

    #[test]
    fn parse_config_gives_the_parsers_document() {
        let doc = parse_config(vec![Value::from("toml"), Value::from("a = 1\n")]).unwrap();
        assert_eq!(doc, Value::from(json!({"a": 1})));
        assert!(parse_config(vec![Value::from("nope"), Value::from("")]).is_err());
    }
}
