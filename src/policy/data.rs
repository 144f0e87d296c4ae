//! `-d/--data`: JSON and YAML documents merged into `data`.
//!
//! Placement follows conftest: directories are expanded into their JSON/YAML files and
//! every file is merged at the root of `data` (`-d conf` with `conf/team/a.yaml` holding
//! `owner: x` gives `data.owner`). Objects merge key by key; two files that set the same
//! key to different non-object values conflict, and the error names the file and key.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::LoadError;
use crate::input::{self, Format};

/// Loads and merges every data file under `paths`.
pub fn load(paths: &[PathBuf]) -> Result<Value, LoadError> {
    let mut root = Value::Object(Map::new());
    for path in paths {
        if path.is_dir() {
            let mut files = Vec::new();
            // Every data file counts, ignored by git or not; only hidden paths are skipped.
            for entry in ignore::WalkBuilder::new(path)
                .hidden(true)
                .git_ignore(false)
                .git_exclude(false)
                .git_global(false)
                .ignore(false)
                .build()
            {
                let entry = entry.map_err(|e| LoadError::Io {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
                let p = entry.path();
                if p.is_file() && matches!(Format::detect(p), Some(Format::Json | Format::Yaml)) {
                    files.push(p.to_path_buf());
                }
            }
            files.sort();
            for file in files {
                merge_at(&mut root, &[], read(&file)?, &file)?;
            }
        } else {
            merge_at(&mut root, &[], read(path)?, path)?;
        }
    }
    Ok(root)
}

fn read(path: &Path) -> Result<Value, LoadError> {
    let display = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| LoadError::Io {
        path: display.clone(),
        message: e.to_string(),
    })?;
    let format = match Format::detect(path) {
        Some(f @ (Format::Json | Format::Yaml)) => f,
        _ => {
            return Err(LoadError::Data {
                path: display,
                message: "data files must be .json, .yaml or .yml".into(),
            });
        }
    };
    let parsed = input::text_of(&bytes, format)
        .and_then(|text| input::parse(text, format, &Default::default()))
        .map_err(|e| LoadError::Data {
            path: display.clone(),
            message: e.to_string(),
        })?;
    match parsed.into_whole() {
        Value::Null => Ok(Value::Object(Map::new())),
        v @ Value::Object(_) => Ok(v),
        _ => Err(LoadError::Data {
            path: display,
            message: "a data file must hold an object (a mapping at its top level)".into(),
        }),
    }
}

fn merge_at(
    root: &mut Value,
    prefix: &[String],
    value: Value,
    file: &Path,
) -> Result<(), LoadError> {
    let mut node = root;
    for key in prefix {
        let Value::Object(map) = node else {
            return Err(conflict(file, key));
        };
        node = map
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    merge(node, value, file)
}

fn merge(into: &mut Value, value: Value, file: &Path) -> Result<(), LoadError> {
    match (into, value) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) if existing.is_object() && v.is_object() => {
                        merge(existing, v, file)?
                    }
                    Some(existing) if *existing == v => {}
                    Some(_) => return Err(conflict(file, &k)),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
            Ok(())
        }
        _ => Err(conflict(file, "<root>")),
    }
}

fn conflict(file: &Path, key: &str) -> LoadError {
    LoadError::Data {
        path: file.display().to_string(),
        message: format!("key {key:?} conflicts with a value from another data file"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_file_merges_at_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("team")).unwrap();
        std::fs::write(dir.path().join("a.yaml"), "registries: [r.example]\n").unwrap();
        std::fs::write(dir.path().join("team/b.json"), r#"{"owner": "x"}"#).unwrap();
        let data = load(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(data, json!({"registries": ["r.example"], "owner": "x"}));
    }

    #[test]
    fn conflicting_values_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.json");
        let b = dir.path().join("b.json");
        std::fs::write(&a, r#"{"x": 1}"#).unwrap();
        std::fs::write(&b, r#"{"x": 2}"#).unwrap();
        assert!(matches!(load(&[a, b]), Err(LoadError::Data { .. })));
    }
}
