//! The user's config file (`.dockpolicy.yaml`, or `--config FILE`).
//!
//! It tunes the bundled practices: which registries are allowed, which labels are
//! required, which base images count as minimal, which rules are off or have another
//! severity, per-rule image exemptions, and how `gatekeeper export` writes its Constraints
//! (`gatekeeper:`). The whole file is also handed to Rego as
//! `data.dockpolicy_config`, so user policies can read the same settings. Unknown keys
//! are an error naming the key: a typo must never silently turn a check off.

pub mod conftest;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::findings::Severity;
use crate::redact;

/// The file looked for in the working directory when `--config` is not given.
pub const DEFAULT_FILE: &str = ".dockpolicy.yaml";

/// Largest config file read: real ones are a few lines.
pub const MAX_SIZE: u64 = 1024 * 1024;

/// Most characters of the file that a parse error quotes in one piece.
pub const MAX_QUOTED: usize = 80;

/// One required label: a name, or a list of alternatives of which one must be set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LabelRequirement {
    One(String),
    AnyOf(Vec<String>),
}

/// A setting the bundled rules read from `lib.dockpolicy.config`. This table is the one
/// place that states each one's default, schema and description: the serde defaults below
/// read it, `cargo xtask generate` writes the Rego defaults of
/// `policies/lib/dockpolicy/config.rego` from it, and `gatekeeper export` makes each a
/// Constraint parameter (`allowed_registries` → `allowedRegistries`) with this schema and
/// description, and the same default in the template's config module.
pub struct RuleSetting {
    /// The config key, and the rule's name in `lib.dockpolicy.config`.
    pub key: &'static str,
    pub description: &'static str,
    /// OpenAPI v3 schema of the value in its Gatekeeper form (`value`).
    pub schema: fn() -> serde_json::Value,
    /// The value when the config file does not set it.
    pub default: fn() -> serde_json::Value,
    /// The config's value in the one form `schema` describes.
    pub value: fn(&Config) -> serde_json::Value,
}

impl RuleSetting {
    /// The Rego that gives this setting to the rules: a comment, its default, and the
    /// value read from `source` (`data.dockpolicy_config.<key>`, a Gatekeeper parameter),
    /// so that a policy evaluated where `source` is missing still sees the default.
    pub fn rego_rules(&self, comment: &str, source: &str) -> String {
        format!(
            "# {key}: {comment}\ndefault {key} := {default}\n\n{key} := {source}\n",
            key = self.key,
            default = rego_literal(&(self.default)()),
        )
    }
}

/// A JSON value as a Rego literal, spaced as `opa fmt` writes it.
fn rego_literal(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(rego_literal).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), rego_literal(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        scalar => scalar.to_string(),
    }
}

fn strings_schema() -> serde_json::Value {
    json!({"type": "array", "items": {"type": "string"}})
}

pub const RULE_SETTINGS: &[RuleSetting] = &[
    RuleSetting {
        key: "allowed_registries",
        description: "Registries (host or host/path prefix) images may come from (DP003; empty: any).",
        schema: strings_schema,
        default: || json!([]),
        value: |c| json!(c.allowed_registries),
    },
    RuleSetting {
        key: "required_labels",
        description: "Labels an image must carry (DP009): each entry lists alternatives, one of which must be set.",
        schema: || json!({"type": "array", "items": {"type": "array", "items": {"type": "string"}}}),
        default: || json!([["org.opencontainers.image.authors", "maintainer"]]),
        // One form for the schema: a single name is a list of one alternative.
        value: |c| {
            json!(
                c.required_labels
                    .iter()
                    .map(|r| match r {
                        LabelRequirement::One(name) => vec![name.clone()],
                        LabelRequirement::AnyOf(names) => names.clone(),
                    })
                    .collect::<Vec<_>>()
            )
        },
    },
    RuleSetting {
        key: "minimal_base_images",
        description: "Glob patterns of base images that count as minimal (DP007).",
        schema: strings_schema,
        default: || json!([]),
        value: |c| json!(c.minimal_base_images),
    },
    RuleSetting {
        key: "max_image_size",
        description: "The largest uncompressed image size allowed, in bytes (DP012).",
        schema: || json!({"type": "integer", "minimum": 0}),
        default: || json!(1u64 << 30),
        value: |c| json!(c.max_image_size),
    },
];

/// The default of the rule setting `key`, as its field's type (for serde and `Default`).
fn rule_setting_default<T: serde::de::DeserializeOwned>(key: &str) -> T {
    let setting = RULE_SETTINGS
        .iter()
        .find(|s| s.key == key)
        .unwrap_or_else(|| panic!("{key} is not in RULE_SETTINGS"));
    serde_json::from_value((setting.default)()).unwrap_or_else(|e| {
        panic!("RULE_SETTINGS: the default of {key} does not fit its field: {e}")
    })
}

fn default_allowed_registries() -> Vec<String> {
    rule_setting_default("allowed_registries")
}

fn default_required_labels() -> Vec<LabelRequirement> {
    rule_setting_default("required_labels")
}

fn default_minimal_base_images() -> Vec<String> {
    rule_setting_default("minimal_base_images")
}

fn default_max_image_size() -> u64 {
    rule_setting_default("max_image_size")
}

/// The settings, with their defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Registries base images may come from (DP003): `host` or `host/path-prefix`.
    #[serde(default = "default_allowed_registries")]
    pub allowed_registries: Vec<String>,
    /// Labels the final image must carry (DP009).
    #[serde(default = "default_required_labels")]
    pub required_labels: Vec<LabelRequirement>,
    /// Glob patterns of base images that count as minimal (DP007).
    #[serde(default = "default_minimal_base_images")]
    pub minimal_base_images: Vec<String>,
    /// Rule ids (or slugs) that never run.
    #[serde(default)]
    pub disabled_rules: Vec<String>,
    /// Per-rule severity overrides: `DP010: deny`.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Per-rule glob patterns of images a rule ignores: `DP002: ["registry.example.com/legacy/**"]`.
    #[serde(default)]
    pub exempt_images: BTreeMap<String, Vec<String>>,
    /// DP012: the largest uncompressed image size allowed, in bytes.
    #[serde(default = "default_max_image_size")]
    pub max_image_size: u64,
    /// How `gatekeeper export` writes the Constraints.
    #[serde(default)]
    pub gatekeeper: GatekeeperConfig,
}

/// A Constraint's `enforcementAction`, weakest first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EnforcementAction {
    /// Audit only: violations are recorded, no request is refused or warned about.
    Dryrun,
    /// The request is admitted with a warning.
    Warn,
    /// The request is refused.
    #[default]
    Deny,
}

impl EnforcementAction {
    pub fn as_str(self) -> &'static str {
        match self {
            EnforcementAction::Dryrun => "dryrun",
            EnforcementAction::Warn => "warn",
            EnforcementAction::Deny => "deny",
        }
    }
}

/// `gatekeeper:` in the config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatekeeperConfig {
    /// Namespaces no Constraint reviews (`match.excludedNamespaces`; a trailing or leading
    /// `*` is a prefix or suffix glob, as in Gatekeeper).
    #[serde(default = "default_excluded_namespaces")]
    pub excluded_namespaces: Vec<NamespacePattern>,
    /// The strongest action a Constraint gets: `deny` (the default) lets each rule's
    /// severity decide (deny or warn), `warn` makes every Constraint warn, `dryrun` makes
    /// every one audit only (a first rollout).
    #[serde(default)]
    pub enforcement_action: EnforcementAction,
}

fn default_excluded_namespaces() -> Vec<NamespacePattern> {
    ["kube-system", "gatekeeper-system"]
        .into_iter()
        .map(|n| NamespacePattern(n.to_owned()))
        .collect()
}

impl Default for GatekeeperConfig {
    fn default() -> Self {
        Self {
            excluded_namespaces: default_excluded_namespaces(),
            enforcement_action: EnforcementAction::default(),
        }
    }
}

/// A namespace name or glob as Gatekeeper's `match.namespaces` takes it: lower-case
/// letters, digits, `-` and `:`, with an optional `*` first or last. Anything else would
/// make Gatekeeper refuse the Constraint, so the config file is refused instead, at the line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct NamespacePattern(pub String);

impl NamespacePattern {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn valid(s: &str) -> bool {
        let inner = s.strip_prefix('*').unwrap_or(s);
        let inner = inner.strip_suffix('*').unwrap_or(inner);
        !s.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == ':')
    }
}

impl<'de> Deserialize<'de> for NamespacePattern {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if Self::valid(&s) {
            Ok(NamespacePattern(s))
        } else {
            Err(serde::de::Error::custom(format!(
                "excluded_namespaces: {s:?} is not a namespace name or glob (lower-case letters, digits, '-', ':', and '*' only first or last)"
            )))
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            allowed_registries: default_allowed_registries(),
            required_labels: default_required_labels(),
            minimal_base_images: default_minimal_base_images(),
            disabled_rules: Vec::new(),
            severity: BTreeMap::new(),
            exempt_images: BTreeMap::new(),
            max_image_size: default_max_image_size(),
            gatekeeper: GatekeeperConfig::default(),
        }
    }
}

/// A config file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("config file {path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ConfigError {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
}

impl Config {
    /// Parses config text; `path` is for messages.
    pub fn parse(text: &str, path: &str) -> Result<Config, ConfigError> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        yaml_serde::from_str(text).map_err(|e| {
            // The parser quotes the file: a file that is no YAML mapping comes back whole
            // (`invalid type: string "root:x:0:0:…"`). Each quoted part is cut to its start,
            // and the file's secret values are hidden (main redacts the message too).
            let line = e.location().map(|l| l.line());
            let message = redact::shorten_quoted(&e.to_string(), MAX_QUOTED).into_owned();
            ConfigError {
                path: path.to_owned(),
                line,
                message: redact::Secrets::in_text(text, line).hide(&message),
            }
        })
    }

    /// Loads `explicit`, or `.dockpolicy.yaml` from the working directory when present.
    ///
    /// The file is part of the untrusted checkout: `.dockpolicy.yaml -> /proc/self/environ`
    /// must not put another file's first line in the parse error. So it is read only when
    /// it resolves inside its tree (the working directory, or the directory of a
    /// `--config` outside it; see `input::confine`), and only up to `MAX_SIZE`. A
    /// `.dockpolicy.yaml` that exists but cannot be read (a dangling symlink) is an error,
    /// not silently no config.
    pub fn discover(explicit: Option<&Path>) -> Result<Option<(PathBuf, Config)>, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None if std::fs::symlink_metadata(DEFAULT_FILE).is_ok() => PathBuf::from(DEFAULT_FILE),
            None => return Ok(None),
        };
        let text = read_text(&path)?;
        let display = path.display().to_string();
        Ok(Some((path, Config::parse(&text, &display)?)))
    }

    /// The settings as Rego sees them at `data.dockpolicy_config`.
    pub fn to_data(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// A configuration file's text: read inside the tree that holds it (no symlink out of
/// it; see `input::confine`), at most `MAX_SIZE` bytes, UTF-8. Errors name the file and
/// never quote it.
pub(crate) fn read_text(path: &Path) -> Result<String, ConfigError> {
    let error = |message: String| ConfigError {
        path: path.display().to_string(),
        line: None,
        message,
    };
    let bytes = crate::input::confine::Tree::for_named(path)
        .and_then(|tree| tree.read_capped(path, MAX_SIZE))
        .map_err(|e| error(e.reason()))?;
    String::from_utf8(bytes).map_err(|_| error("not valid UTF-8 text".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rego_literals_are_spaced_like_opa_fmt() {
        let v = json!([["a", "b\"c"], {"k": 1, "l": null}, true]);
        assert_eq!(
            rego_literal(&v),
            r#"[["a", "b\"c"], {"k": 1, "l": null}, true]"#
        );
    }

    #[test]
    fn empty_file_means_defaults() {
        assert_eq!(Config::parse("", "c.yaml").unwrap(), Config::default());
    }

    #[test]
    fn every_documented_key_parses() {
        let c = Config::parse(
            "allowed_registries: [registry.example.com, ghcr.io/acme]\n\
             required_labels: [org.opencontainers.image.source, [team, owner]]\n\
             minimal_base_images: ['registry.example.com/base/**']\n\
             disabled_rules: [DP010]\n\
             severity: {DP011: deny}\n\
             exempt_images: {DP002: ['registry.example.com/legacy/**']}\n",
            "c.yaml",
        )
        .unwrap();
        assert_eq!(c.allowed_registries.len(), 2);
        assert_eq!(
            c.required_labels[1],
            LabelRequirement::AnyOf(vec!["team".into(), "owner".into()])
        );
        assert_eq!(c.severity["DP011"], Severity::Deny);
        assert_eq!(
            c.exempt_images["DP002"],
            vec!["registry.example.com/legacy/**"]
        );
    }

    #[test]
    fn unknown_keys_are_an_error_naming_the_key() {
        let e = Config::parse("allowed_registry: [x]\n", "c.yaml").unwrap_err();
        assert!(e.to_string().contains("allowed_registry"), "{e}");
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn gatekeeper_settings_parse_with_their_defaults() {
        let d = Config::default().gatekeeper;
        assert_eq!(
            d.excluded_namespaces,
            vec![
                NamespacePattern("kube-system".into()),
                NamespacePattern("gatekeeper-system".into())
            ]
        );
        assert_eq!(d.enforcement_action, EnforcementAction::Deny);
        let c = Config::parse(
            "gatekeeper:\n  excluded_namespaces: [kube-*, '*-sandbox', monitoring]\n  enforcement_action: dryrun\n",
            "c.yaml",
        )
        .unwrap();
        assert_eq!(c.gatekeeper.excluded_namespaces.len(), 3);
        assert_eq!(c.gatekeeper.enforcement_action, EnforcementAction::Dryrun);
        // Only the key given changes.
        let c = Config::parse("gatekeeper: {enforcement_action: warn}\n", "c.yaml").unwrap();
        assert_eq!(c.gatekeeper.excluded_namespaces, d.excluded_namespaces);
        assert!(EnforcementAction::Dryrun < EnforcementAction::Warn);
        assert!(EnforcementAction::Warn < EnforcementAction::Deny);
    }

    #[test]
    fn bad_gatekeeper_settings_are_errors_at_their_line() {
        for (text, names) in [
            ("gatekeeper:\n  enforcement_action: block\n", "block"),
            (
                "gatekeeper:\n  excluded_namespace: [a]\n",
                "excluded_namespace",
            ),
            (
                "gatekeeper:\n  excluded_namespaces: [Kube_System]\n",
                "Kube_System",
            ),
            ("gatekeeper:\n  excluded_namespaces: ['a*b']\n", "a*b"),
            ("gatekeeper:\n  excluded_namespaces: ['']\n", "namespace"),
        ] {
            let e = Config::parse(text, "c.yaml").unwrap_err();
            assert!(e.to_string().contains(names), "{text}: {e}");
            assert_eq!(e.line, Some(2), "{text}: {e}");
        }
    }

    /// Each rule setting's default is the field's default, as Rego sees it in
    /// `data.dockpolicy_config`, and already in the form its schema describes.
    #[test]
    fn rule_setting_defaults_are_the_config_defaults() {
        let data = Config::default().to_data();
        for setting in RULE_SETTINGS {
            assert_eq!(data[setting.key], (setting.default)(), "{}", setting.key);
            assert_eq!(
                (setting.value)(&Config::default()),
                (setting.default)(),
                "{}",
                setting.key
            );
        }
        let empty = Config::parse("disabled_rules: []\n", "c.yaml").unwrap();
        assert_eq!(empty, Config::default());
    }

    #[test]
    fn bad_severity_is_an_error() {
        assert!(Config::parse("severity: {DP001: fatal}\n", "c.yaml").is_err());
    }
}
