//! Turning a policy's `_loc` into a line, for inputs without line fields.
//!
//! Dockerfile instructions carry their lines; a Kubernetes or Compose document does not.
//! Rules there say *where* the node is — `{"path": ["spec", "containers", 0, "image"]}`,
//! from the root of the evaluated document — and *what* it holds, `{"key": "image",
//! "value": "nginx:1.27"}` or `{"text": "DB_PASSWORD"}`. The path names the node itself
//! (the second container with the same image, flow style, JSON); the text is the fallback
//! when no path resolves (a policy written without one, a node reached through a merge key),
//! and then the first matching line of the document's part of the file is taken.

use regex::Regex;
use serde_json::Value;

use super::yaml_path::Positions;
pub use super::yaml_path::Step;

/// Where a `_loc` without a line points: a path, a text anchor, or both.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub path: Option<Vec<Step>>,
    pub anchor: Option<Anchor>,
}

impl Target {
    /// Reads `_loc` keys other than `line`; None when they name nothing.
    pub fn from_loc(loc: &Value) -> Option<Target> {
        let path = loc
            .get("path")
            .and_then(Value::as_array)
            .and_then(|steps| steps.iter().map(Step::from_json).collect());
        let anchor = Anchor::from_loc(loc);
        (path.is_some() || anchor.is_some()).then_some(Target { path, anchor })
    }
}

/// A document's place in its file: its line range and, when its text is YAML or JSON, the
/// path from the root of the YAML document in that range to it (empty, or the index of an
/// item of a top-level array split into documents).
#[derive(Debug, Clone)]
pub struct DocumentPlace {
    pub range: (usize, usize),
    pub root: Option<Vec<Step>>,
}

/// Resolves targets within one document, reading the document's positions once, when the
/// first target with a path needs them.
pub struct Locator<'a> {
    text: &'a str,
    place: DocumentPlace,
    positions: Option<Option<Positions>>,
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str, place: DocumentPlace) -> Self {
        Locator {
            text,
            place,
            positions: None,
        }
    }

    /// The 1-based line `target` names: its path's node, else its anchor's first line.
    pub fn line_of(&mut self, target: &Target) -> Option<usize> {
        if let (Some(path), Some(root)) = (&target.path, &self.place.root) {
            let (text, range) = (self.text, self.place.range);
            let positions = self
                .positions
                .get_or_insert_with(|| Positions::of_first_document(lines(text, range), range.0));
            let full: Vec<Step> = root.iter().chain(path).cloned().collect();
            if let Some(line) = positions.as_ref().and_then(|p| p.line_of(&full)) {
                return Some(line);
            }
        }
        locate(self.text, self.place.range, target.anchor.as_ref()?)
    }
}

/// Lines `range.0..=range.1` (1-based) of `text`, with their line breaks.
fn lines(text: &str, range: (usize, usize)) -> &str {
    let mut starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1));
    let from = starts.nth(range.0.saturating_sub(1)).unwrap_or(text.len());
    let to = starts
        .nth(range.1.saturating_sub(range.0.max(1)))
        .unwrap_or(text.len());
    &text[from.min(text.len())..to.max(from).min(text.len())]
}

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

    fn target(path: serde_json::Value, anchor: Option<Anchor>) -> Target {
        Target {
            path: path
                .as_array()
                .map(|steps| steps.iter().filter_map(Step::from_json).collect()),
            anchor,
        }
    }

    #[test]
    fn paths_resolve_within_their_own_document() {
        let place = |range| DocumentPlace {
            range,
            root: Some(Vec::new()),
        };
        let image = || {
            Some(Anchor::KeyValue {
                key: "image".into(),
                value: "nginx:1.27".into(),
            })
        };
        let mut second = Locator::new(MANIFEST, place((7, 15)));
        let env = target(serde_json::json!(["spec", "containers", 0, "env", 0]), None);
        assert_eq!(second.line_of(&env), Some(14));
        let first_image = target(
            serde_json::json!(["spec", "containers", 0, "image"]),
            image(),
        );
        assert_eq!(second.line_of(&first_image), Some(12));
        let mut first = Locator::new(MANIFEST, place((1, 6)));
        assert_eq!(first.line_of(&first_image), Some(6));
        // A path that names nothing falls back to the anchor; without one, no line.
        let missing = target(
            serde_json::json!(["spec", "containers", 3, "image"]),
            image(),
        );
        assert_eq!(first.line_of(&missing), Some(6));
        let missing = target(serde_json::json!(["spec", "containers", 3, "image"]), None);
        assert_eq!(first.line_of(&missing), None);
    }

    #[test]
    fn items_of_a_split_top_level_array_start_at_their_index() {
        let json = "[\n  {\"image\": \"redis:7\"},\n  {\"image\": \"redis:7\"}\n]\n";
        let mut locator = Locator::new(
            json,
            DocumentPlace {
                range: (1, 4),
                root: Some(vec![Step::Index(1)]),
            },
        );
        assert_eq!(
            locator.line_of(&target(serde_json::json!(["image"]), None)),
            Some(3)
        );
        // Without a root (not a YAML or JSON text), paths are not read.
        let mut unrooted = Locator::new(
            json,
            DocumentPlace {
                range: (1, 4),
                root: None,
            },
        );
        assert_eq!(
            unrooted.line_of(&target(serde_json::json!(["image"]), None)),
            None
        );
    }

    #[test]
    fn loc_objects_give_targets() {
        let loc = serde_json::json!({"path": ["a", 0], "text": "x"});
        assert_eq!(
            Target::from_loc(&loc),
            Some(Target {
                path: Some(vec![Step::Key("a".into()), Step::Index(0)]),
                anchor: Some(Anchor::Text("x".into())),
            })
        );
        // A path with a step that is neither a key nor an index is no path.
        let loc = serde_json::json!({"path": ["a", -1]});
        assert_eq!(Target::from_loc(&loc), None);
        assert_eq!(Target::from_loc(&serde_json::json!({})), None);
    }

    #[test]
    fn lines_cuts_a_range_of_lines() {
        assert_eq!(lines("a\nb\nc\n", (2, 3)), "b\nc\n");
        assert_eq!(lines("a\nb\nc", (1, 1)), "a\n");
        assert_eq!(lines("a\nb\nc", (3, 3)), "c");
        assert_eq!(lines("a", (4, 5)), "");
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
