//! conftest's own settings for `test`: its configuration file (`conftest.toml`, or the
//! file `-c/--config-file` names) and `CONFTEST_*` environment variables, read as
//! conftest reads them (with viper): a key is a flag's long name (`policy`,
//! `all-namespaces`), its variable `CONFTEST_` and the name in capitals with `_` for `-`
//! (`CONFTEST_ALL_NAMESPACES`). A flag given on the command line wins over the
//! environment, which wins over the file.
//!
//! Values never appear in messages: an environment variable can hold anything.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::ConfigError;

/// The names conftest looks for in the working directory, in viper's order of preference
/// (of the formats dockpolicy reads).
const DEFAULT_FILES: &[&str] = &[
    "conftest.json",
    "conftest.toml",
    "conftest.yaml",
    "conftest.yml",
];

/// Where a setting came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Environment(String),
    File(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Environment(name) => write!(f, "the environment variable {name}"),
            Origin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A setting's value, as the command line would spell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    /// A switch: given (`true`) or not.
    Switch(bool),
    /// One or more values for the flag.
    Values(Vec<String>),
}

/// The settings the file and the environment hold.
#[derive(Debug, Default)]
pub struct Settings {
    /// The file read, if any.
    pub file: Option<PathBuf>,
    /// Its keys (lower-case, as viper reads them) and values.
    values: BTreeMap<String, Value>,
}

/// The environment variable conftest reads for `key`.
pub fn variable(key: &str) -> String {
    format!("CONFTEST_{}", key.to_uppercase().replace('-', "_"))
}

impl Settings {
    /// Reads `explicit` (`-c`), else the first of `conftest.{json,toml,yaml,yml}` in the
    /// working directory; no file is no settings from one. Like `.dockpolicy.yaml`, the
    /// file is read only inside its tree and up to `MAX_SIZE`.
    pub fn read(explicit: Option<&Path>) -> Result<Settings, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match DEFAULT_FILES
                .iter()
                .find(|f| std::fs::symlink_metadata(f).is_ok())
            {
                Some(f) => PathBuf::from(f),
                None => return Ok(Settings::default()),
            },
        };
        let text = super::read_text(&path)?;
        let display = path.display().to_string();
        let error = |message: String| ConfigError {
            path: display.clone(),
            line: None,
            message,
        };
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        // Parse errors name the format only: they could quote the file.
        let parsed: Value = match extension {
            "toml" => toml::from_str(&text).map_err(|_| error("not valid TOML".into()))?,
            "json" => serde_json::from_str(&text).map_err(|_| error("not valid JSON".into()))?,
            "yaml" | "yml" if text.trim().is_empty() => Value::Object(serde_json::Map::new()),
            "yaml" | "yml" => {
                yaml_serde::from_str(&text).map_err(|_| error("not valid YAML".into()))?
            }
            _ => {
                return Err(error(
                    "conftest's configuration must be a .toml, .yaml, .yml or .json file".into(),
                ));
            }
        };
        let Value::Object(map) = parsed else {
            return Err(error(
                "the configuration must be a table of settings".into(),
            ));
        };
        Ok(Settings {
            file: Some(path),
            values: map
                .into_iter()
                .map(|(k, v)| (k.to_lowercase(), v))
                .collect(),
        })
    }

    /// The setting for the flag `key` (its long name), taking `kind`, from the environment
    /// or the file, and where it came from. An unusable value is an error naming where
    /// it came from, never the value.
    pub fn get(&self, key: &str, kind: Kind) -> Result<Option<(Setting, Origin)>, String> {
        let name = variable(key);
        if let Some(raw) = std::env::var_os(&name) {
            let origin = Origin::Environment(name);
            let Some(text) = raw.to_str() else {
                return Err(format!("{origin} is not valid UTF-8"));
            };
            let setting = from_value(&Value::String(text.to_owned()), kind)
                .ok_or_else(|| format!("{origin} does not hold a value for --{key}"))?;
            return Ok(Some((setting, origin)));
        }
        let Some(value) = self.values.get(key) else {
            return Ok(None);
        };
        let origin = Origin::File(self.file.clone().unwrap_or_default());
        let setting = from_value(value, kind)
            .ok_or_else(|| format!("{origin}: `{key}` does not hold a value for --{key}"))?;
        Ok(Some((setting, origin)))
    }
}

/// What a flag takes, which decides how a value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A switch (`--quiet`): a boolean, or a string Go's `strconv.ParseBool` reads.
    Switch,
    /// One value (`--output json`).
    One,
    /// Several values (`--policy a --policy b`): a list, or a string separated by commas.
    Many,
}

/// A setting from a file's or variable's value; `None` when it cannot be one.
fn from_value(value: &Value, kind: Kind) -> Option<Setting> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match (kind, value) {
        (Kind::Switch, Value::Bool(b)) => Some(Setting::Switch(*b)),
        (Kind::Switch, Value::String(s)) => match s.as_str() {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(Setting::Switch(true)),
            "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(Setting::Switch(false)),
            _ => None,
        },
        (Kind::Switch, _) => None,
        (Kind::One, v) => scalar(v).map(|s| Setting::Values(vec![s])),
        (Kind::Many, Value::String(s)) => {
            Some(Setting::Values(s.split(',').map(str::to_owned).collect()))
        }
        (Kind::Many, Value::Array(items)) => items
            .iter()
            .map(scalar)
            .collect::<Option<Vec<String>>>()
            .map(Setting::Values),
        (Kind::Many, v) => scalar(v).map(|s| Setting::Values(vec![s])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_read_as_the_command_line_spells_them() {
        let read = |v: Value, kind| from_value(&v, kind);
        assert_eq!(read(json!(true), Kind::Switch), Some(Setting::Switch(true)));
        assert_eq!(read(json!("0"), Kind::Switch), Some(Setting::Switch(false)));
        assert_eq!(read(json!("yes"), Kind::Switch), None);
        assert_eq!(
            read(json!("a,b"), Kind::Many),
            Some(Setting::Values(vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            read(json!(["p1", "p2"]), Kind::Many),
            Some(Setting::Values(vec!["p1".into(), "p2".into()]))
        );
        assert_eq!(
            read(json!("a,b"), Kind::One),
            Some(Setting::Values(vec!["a,b".into()]))
        );
        assert_eq!(read(json!({"a": 1}), Kind::One), None);
        assert_eq!(variable("all-namespaces"), "CONFTEST_ALL_NAMESPACES");
    }

    #[test]
    fn a_file_is_read_by_its_extension_and_values_stay_out_of_errors() {
        let dir = tempfile::tempdir().unwrap();
        let toml = dir.path().join("conftest.toml");
        std::fs::write(&toml, "policy = [\"a\", \"b\"]\nall-namespaces = true\n").unwrap();
        let settings = Settings::read(Some(&toml)).unwrap();
        let policy = settings.get("policy", Kind::Many).unwrap().unwrap();
        assert_eq!(policy.0, Setting::Values(vec!["a".into(), "b".into()]));
        assert_eq!(policy.1, Origin::File(toml.clone()));
        let all = settings
            .get("all-namespaces", Kind::Switch)
            .unwrap()
            .unwrap();
        assert_eq!(all.0, Setting::Switch(true));
        std::fs::write(&toml, "output = \"hunter2\nx").unwrap();
        let err = Settings::read(Some(&toml)).unwrap_err().to_string();
        assert!(!err.contains("hunter2"), "{err}");
    }
}
