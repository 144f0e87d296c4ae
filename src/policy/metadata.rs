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

#[cfg(test)]
mod tests {
    use super::*;

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
