//! `# METADATA` blocks (OPA's annotation format) above a policy's `package` line.
//!
//! The bundled rules document themselves here — title, description, id, severity,
//! remediation — and that one text feeds `dockpolicy doc`, the README table, the
//! metadata on every finding, and the Gatekeeper templates.

use serde::Deserialize;

use crate::findings::Severity;

/// The annotations dockpolicy reads.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Annotations {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub custom: Custom,
}

/// The `custom:` section.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Custom {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub remediation: Option<String>,
    /// Exported as a Gatekeeper ConstraintTemplate by `dockpolicy gatekeeper export`.
    #[serde(default)]
    pub gatekeeper: bool,
}

impl Custom {
    /// `severity`, when it names one (`deny` or `warn`); the field itself is free text,
    /// shown as written by `doc`.
    pub fn declared_severity(&self) -> Option<Severity> {
        self.severity.as_deref().and_then(Severity::from_name)
    }
}

impl Annotations {
    /// Whether `name` (an id or slug, any case) names this rule.
    pub fn is_named(&self, name: &str) -> bool {
        [&self.custom.id, &self.custom.slug]
            .into_iter()
            .flatten()
            .any(|n| n.eq_ignore_ascii_case(name))
    }
}

/// Finds the package-level METADATA block of a Rego source: `(package, annotations)`.
/// Returns `Ok(None)` when the file has no such block, `Err` when the block is not YAML.
pub fn extract(source: &str) -> Result<Option<(String, Annotations)>, String> {
    let lines: Vec<&str> = source.lines().collect();
    let Some(start) = lines.iter().position(|l| l.trim() == "# METADATA") else {
        return Ok(None);
    };
    let mut yaml = String::new();
    let mut i = start + 1;
    while i < lines.len() && lines[i].trim_start().starts_with('#') {
        let text = lines[i].trim_start().trim_start_matches('#');
        yaml.push_str(text.strip_prefix(' ').unwrap_or(text));
        yaml.push('\n');
        i += 1;
    }
    let Some(package) = lines[i..]
        .iter()
        .find_map(|l| l.trim().strip_prefix("package "))
    else {
        return Ok(None);
    };
    let annotations: Annotations = yaml_serde::from_str(&yaml)
        .map_err(|e| format!("METADATA block at line {}: {e}", start + 1))?;
    Ok(Some((package.trim().to_owned(), annotations)))
}

/// A `related_resources` entry: a URL alone, or with a description.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum RelatedResource {
    Url(String),
    Described {
        #[serde(rename = "ref")]
        url: String,
        #[serde(default)]
        description: Option<String>,
    },
}

/// An `authors` entry: `Name <email>` in one string, or its parts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Author {
    Line(String),
    Parts {
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        email: Option<String>,
    },
}

/// The annotations OPA reads from any METADATA block (`conftest doc` documents them).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Documented {
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub entrypoint: bool,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub organizations: Vec<String>,
    #[serde(default)]
    pub related_resources: Vec<RelatedResource>,
    #[serde(default)]
    pub authors: Vec<Author>,
    /// Each a one-key map: the document's path, then a schema's path or a definition.
    #[serde(default, deserialize_with = "through_json")]
    pub schemas: Vec<serde_json::Map<String, serde_json::Value>>,
    #[serde(default, deserialize_with = "through_json")]
    pub compile: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default, deserialize_with = "through_json")]
    pub custom: serde_json::Map<String, serde_json::Value>,
    #[serde(default, deserialize_with = "through_json")]
    pub labels: serde_json::Map<String, serde_json::Value>,
}

/// Free-form YAML read as OPA reads it, through JSON: an integer too large for 64 bits
/// is a float, a non-string key its text, and null the empty value.
fn through_json<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned + Default,
{
    let JsonLike(value) = JsonLike::deserialize(deserializer)?;
    if value.is_null() {
        return Ok(T::default());
    }
    serde_json::from_value(value).map_err(serde::de::Error::custom)
}

/// Any YAML value as JSON (see [`through_json`]).
struct JsonLike(serde_json::Value);

impl<'de> Deserialize<'de> for JsonLike {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonLikeVisitor).map(JsonLike)
    }
}

struct JsonLikeVisitor;

impl<'de> serde::de::Visitor<'de> for JsonLikeVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i128<E>(self, v: i128) -> Result<Self::Value, E> {
        Ok((v as f64).into())
    }
    fn visit_u128<E>(self, v: u128) -> Result<Self::Value, E> {
        Ok((v as f64).into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        JsonLike::deserialize(d).map(|JsonLike(v)| v)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(JsonLike(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some((JsonLike(key), JsonLike(value))) = map.next_entry()? {
            let key = match key {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            object.insert(key, value);
        }
        Ok(serde_json::Value::Object(object))
    }
}

/// One METADATA block of a file and what it annotates.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The package (`["main"]`) or rule (`["main", "deny"]`) the block stands above.
    pub path: Vec<String>,
    /// Whether it stands above the `package` line (rather than a rule).
    pub annotates_package: bool,
    /// 1-based line of `# METADATA`.
    pub line: usize,
    /// 1-based column of its `#`.
    pub column: usize,
    /// The YAML of the block: its comment lines without `#` and one space.
    pub yaml: String,
    pub annotations: Documented,
}

/// Every METADATA block of a Rego source, with the package or rule that follows it (a
/// block above anything else is left out, as OPA attaches it to nothing). `Err` names
/// the block that is not YAML.
pub fn blocks(source: &str) -> Result<Vec<Block>, String> {
    let lines: Vec<&str> = source.lines().collect();
    let package: Vec<String> = lines.iter().find_map(|l| package_of(l)).unwrap_or_default();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "# METADATA" {
            i += 1;
            continue;
        }
        let start = i;
        let mut yaml = String::new();
        i += 1;
        while i < lines.len() && lines[i].trim_start().starts_with('#') {
            let text = lines[i].trim_start().trim_start_matches('#');
            yaml.push_str(text.strip_prefix(' ').unwrap_or(text));
            yaml.push('\n');
            i += 1;
        }
        let Some(target) = lines[i..].iter().find(|l| !l.trim().is_empty()) else {
            break;
        };
        let (path, annotates_package) = match package_of(target) {
            Some(path) => (path, true),
            None => match rule_name(target) {
                Some(name) => (package.iter().cloned().chain(name).collect(), false),
                None => continue,
            },
        };
        let annotations: Documented = yaml_serde::from_str(&yaml)
            .map_err(|e| format!("METADATA block at line {}: {e}", start + 1))?;
        let column = 1 + lines[start].len() - lines[start].trim_start().len();
        found.push(Block {
            path,
            annotates_package,
            line: start + 1,
            column,
            yaml,
            annotations,
        });
    }
    Ok(found)
}

/// The path a `package a.b` line declares.
fn package_of(line: &str) -> Option<Vec<String>> {
    let rest = line.trim().strip_prefix("package ")?;
    let name = rest.split(|c: char| c.is_whitespace() || c == '#').next()?;
    Some(name.split('.').map(str::to_owned).collect())
}

/// The name (`deny`, `a.b`) of the rule a line begins.
fn rule_name(line: &str) -> Option<Vec<String>> {
    let line = line.trim();
    let line = line.strip_prefix("default ").unwrap_or(line);
    let name: String = line
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    let first = name.chars().next()?;
    if first.is_ascii_digit() || ["import", "package"].contains(&name.as_str()) {
        return None;
    }
    Some(name.split('.').map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_block_with_the_package_or_rule_below_it() {
        let src = "# METADATA\n# title: P\n# related_resources:\n# - https://a\n# - ref: https://b\n#   description: B\npackage main.k8s\n\nimport rego.v1\n\n# METADATA\n# description: |\n#   two\n#   lines\ndeny contains msg if { false; msg := \"\" }\n\n# METADATA\n# title: D\ndefault allow := false\n";
        let found = blocks(src).unwrap();
        let paths: Vec<(Vec<&str>, usize)> = found
            .iter()
            .map(|b| (b.path.iter().map(String::as_str).collect(), b.line))
            .collect();
        assert_eq!(
            paths,
            [
                (vec!["main", "k8s"], 1),
                (vec!["main", "k8s", "deny"], 11),
                (vec!["main", "k8s", "allow"], 17)
            ]
        );
        assert_eq!(
            found[0].annotations.related_resources,
            [
                RelatedResource::Url("https://a".into()),
                RelatedResource::Described {
                    url: "https://b".into(),
                    description: Some("B".into())
                }
            ]
        );
        assert_eq!(
            found[1].annotations.description.as_deref(),
            Some("two\nlines\n")
        );
        assert!(blocks("# METADATA\n# title: [\npackage x\n").is_err());
    }

    #[test]
    fn reads_the_block_above_the_package() {
        let src = "# METADATA\n# title: T\n# description: |\n#   line one\n#   line two\n# custom:\n#   id: DP042\n#   severity: warn\npackage dockpolicy.x\n";
        let (package, a) = extract(src).unwrap().unwrap();
        assert_eq!(package, "dockpolicy.x");
        assert_eq!(a.title.as_deref(), Some("T"));
        assert_eq!(a.description.as_deref(), Some("line one\nline two\n"));
        assert_eq!(a.custom.id.as_deref(), Some("DP042"));
        assert_eq!(a.custom.severity.as_deref(), Some("warn"));
    }

    #[test]
    fn no_block_is_none() {
        assert_eq!(extract("package main\n").unwrap(), None);
    }
}
