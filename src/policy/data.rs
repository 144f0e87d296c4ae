//! `-d/--data`: JSON and YAML documents merged into `data`.
//!
//! Placement follows conftest (OPA's loader): a file named directly, and the files
//! directly inside a named directory, merge at the root of `data`; a file in a
//! subdirectory goes under the subdirectories' names (`-d conf` with
//! `conf/team/a.yaml` holding `owner: x` gives `data.team.owner`). `-d a.b:path` puts
//! what `path` holds under `data.a.b`. Objects merge key by key; two files that set the
//! same key to different non-object values conflict, and the error names the file and key.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::LoadError;
use crate::input::{self, Format, confine, walk};

/// Loads and merges every data file under `paths`. Data directories are part of the
/// untrusted checkout: a path that resolves outside its tree is an error naming it (see
/// `input::confine`), never read.
pub fn load(paths: &[PathBuf]) -> Result<Value, LoadError> {
    let mut root = Value::Object(Map::new());
    let io = |path: &Path, e: &walk::WalkError| LoadError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    for given in paths {
        let (prefix, path) = split_prefix(given);
        let path = path.as_path();
        let (tree, real) = walk::resolve_named(path).map_err(|e| io(path, &e))?;
        if real.is_dir() {
            let is_data = |p: &Path| matches!(walk::detect(p), Some(Format::Json | Format::Yaml));
            // Every data file counts, ignored by git or not; only hidden paths are skipped.
            let rules = walk::Rules {
                skip_hidden: true,
                ignore: None,
                wanted: &is_data,
            };
            let mut files = Vec::new();
            let mut first_error = None;
            walk::walk(&tree, path, &rules, &mut vec![real], &mut |found| {
                match found {
                    walk::Found::File(p) if is_data(&p) => files.push(p),
                    walk::Found::Error(p, e) => {
                        first_error.get_or_insert_with(|| io(&p, &e));
                    }
                    _ => {}
                }
                true
            });
            if let Some(e) = first_error {
                return Err(e);
            }
            files.sort();
            for file in files {
                let mut at = prefix.clone();
                at.extend(subdirectories(path, &file));
                merge_at(&mut root, &at, read(&file, at.is_empty())?, &file)?;
            }
        } else {
            merge_at(&mut root, &prefix, read(path, prefix.is_empty())?, path)?;
        }
    }
    Ok(root)
}

/// OPA's `prefix:path`: the dotted prefix (where under `data` the content goes) and the
/// path. A colon that starts `://` (a URL) or has nothing before it is part of the path.
fn split_prefix(given: &Path) -> (Vec<String>, PathBuf) {
    let text = given.to_string_lossy();
    match text.split_once(':') {
        Some((prefix, rest)) if !prefix.is_empty() && !rest.starts_with("//") => (
            prefix.split('.').map(str::to_owned).collect(),
            PathBuf::from(rest),
        ),
        _ => (Vec::new(), given.to_path_buf()),
    }
}

/// The names of the directories between `root` and `file` (`root/a/b/x.yaml`: `a`, `b`).
fn subdirectories(root: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(root).unwrap_or(file);
    relative
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .filter_map(|c| match c {
            std::path::Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

/// Reads a data file already confined (named and resolved, or found by the walk). At the
/// root of `data` it must hold an object; under a name, any value.
fn read(path: &Path, at_root: bool) -> Result<Value, LoadError> {
    let display = path.display().to_string();
    let format = match walk::detect(path) {
        Some(f @ (Format::Json | Format::Yaml)) => f,
        _ => {
            return Err(LoadError::Data {
                path: display,
                message: "data files must be .json, .yaml or .yml".into(),
            });
        }
    };
    let bytes = confine::read_capped_at(path, input::MAX_DOCUMENT).map_err(|e| LoadError::Io {
        path: display.clone(),
        message: e.reason(),
    })?;
    let parsed = input::text_of(&bytes, format)
        .and_then(|text| input::parse(text, format, &Default::default()))
        .map_err(|e| LoadError::Data {
            path: display.clone(),
            message: e.to_string(),
        })?;
    match parsed.into_whole() {
        Value::Null if at_root => Ok(Value::Object(Map::new())),
        v @ Value::Object(_) => Ok(v),
        v if !at_root => Ok(v),
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
    let Some((last, parents)) = prefix.split_last() else {
        return merge(root, value, file);
    };
    let mut node = root;
    for key in parents {
        let Value::Object(map) = node else {
            return Err(conflict(file, key));
        };
        node = map
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    let Value::Object(map) = node else {
        return Err(conflict(file, last));
    };
    match map.get_mut(last) {
        None => {
            map.insert(last.clone(), value);
            Ok(())
        }
        Some(existing) if *existing == value => Ok(()),
        Some(existing) if existing.is_object() && value.is_object() => merge(existing, value, file),
        Some(_) => Err(conflict(file, last)),
    }
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
    fn subdirectories_nest_under_their_names_as_in_opa() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("team/x")).unwrap();
        std::fs::write(dir.path().join("a.yaml"), "registries: [r.example]\n").unwrap();
        std::fs::write(dir.path().join("team/b.json"), r#"{"owner": "x"}"#).unwrap();
        std::fs::write(dir.path().join("team/x/c.yaml"), "- 1\n").unwrap();
        let data = load(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(
            data,
            json!({"registries": ["r.example"], "team": {"owner": "x", "x": [1]}})
        );
        let prefixed = format!("lists.all:{}", dir.path().join("team/x/c.yaml").display());
        let data = load(&[PathBuf::from(prefixed)]).unwrap();
        assert_eq!(data, json!({"lists": {"all": [1]}}));
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
