//! Turning a policy's `_loc` anchor into a line, for inputs without line fields.
//!
//! Dockerfile instructions carry their lines; a Kubernetes or Compose document does not.
//! Rules there say *what* they point at — `{"key": "image", "value": "nginx:1.27"}` or
//! `{"text": "DB_PASSWORD"}` — and this module finds that line in the document's part of
//! the file, so a finding on a manifest still lands on its `image:` line.

use regex::Regex;

/// What a policy pointed at.
#[derive(Debug, Clone, PartialEq)]
pub enum Anchor {
    /// A `key: value` line (YAML) or `"key": "value"` (JSON).
    KeyValue { key: String, value: String },
    /// The first line containing this text.
    Text(String),
}

impl Anchor {
    /// Reads `_loc` keys other than `line`.
    pub fn from_loc(loc: &serde_json::Value) -> Option<Anchor> {
        let key = loc.get("key").and_then(|v| v.as_str());
        let value = loc.get("value").and_then(|v| v.as_str());
        if let (Some(key), Some(value)) = (key, value) {
            return Some(Anchor::KeyValue {
                key: key.to_owned(),
                value: value.to_owned(),
            });
        }
        let text = loc
            .get("text")
            .and_then(|v| v.as_str())
            .filter(|t| !t.is_empty())?;
        Some(Anchor::Text(text.to_owned()))
    }
}

/// The 1-based line in `text` (searching lines `range.0..=range.1`) that `anchor` names.
pub fn locate(text: &str, range: (usize, usize), anchor: &Anchor) -> Option<usize> {
    let lines = text
        .lines()
        .enumerate()
        .skip(range.0.saturating_sub(1))
        .take(range.1 + 1 - range.0.max(1));
    match anchor {
        Anchor::KeyValue { key, value } => {
            let pattern = format!(
                r#"^\s*(?:-\s+)?["']?{}["']?\s*:\s*["']?{}["']?\s*,?\s*(?:#.*)?$"#,
                regex::escape(key),
                regex::escape(value)
            );
            let re = Regex::new(&pattern).ok()?;
            lines
                .filter(|(_, l)| re.is_match(l))
                .map(|(i, _)| i + 1)
                .next()
        }
        Anchor::Text(needle) => lines
            .filter(|(_, l)| l.contains(needle.as_str()))
            .map(|(i, _)| i + 1)
            .next(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: nginx:1.27\n---\n# second\nkind: Pod\nspec:\n  containers:\n  - image: \"nginx:1.27\"\n    env:\n    - name: DB_PASSWORD\n      value: x\n";

    #[test]
    fn finds_key_value_lines_within_a_document() {
        // The two documents' lines, as `input::yaml::document_ranges` gives them.
        let ranges = [(1, 6), (7, 15)];
        let image = Anchor::KeyValue {
            key: "image".into(),
            value: "nginx:1.27".into(),
        };
        assert_eq!(locate(MANIFEST, ranges[0], &image), Some(6));
        assert_eq!(locate(MANIFEST, ranges[1], &image), Some(12));
        let name = Anchor::KeyValue {
            key: "name".into(),
            value: "DB_PASSWORD".into(),
        };
        assert_eq!(locate(MANIFEST, ranges[1], &name), Some(14));
        assert_eq!(
            locate(MANIFEST, ranges[1], &Anchor::Text("value: x".into())),
            Some(15)
        );
    }

    #[test]
    fn json_lines_match_too() {
        let json = "{\n  \"spec\": {\"containers\": [\n    {\"image\": \"redis:7\"}\n  ]}\n}";
        let anchor = Anchor::KeyValue {
            key: "image".into(),
            value: "redis:7".into(),
        };
        assert_eq!(
            locate(json, (1, 5), &anchor),
            None,
            "inline objects are not key lines"
        );
        let json = "{\n  \"image\": \"redis:7\",\n  \"x\": 1\n}";
        assert_eq!(locate(json, (1, 4), &anchor), Some(2));
    }
}
