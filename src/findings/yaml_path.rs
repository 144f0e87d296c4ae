//! The line of a node of a YAML (or JSON) document, named by its path from the root.
//!
//! The documents policies see come from yaml_serde, which keeps no positions. When a
//! finding names its node by path (`_loc.path`), the document's part of the file is read
//! again as parser events, which carry their positions, and reduced to its shape and the
//! line of every node. A path, not the node's text, tells the init container from the main
//! container with the same image, and one service's `DB_PASSWORD` from another's; JSON is
//! YAML in flow style, so it is read the same way.

use saphyr_parser::{Event, Parser};
use serde_json::Value;

/// One step of a path: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

impl Step {
    /// A JSON path element: a string is a key, a non-negative integer an index.
    pub fn from_json(value: &Value) -> Option<Step> {
        match value {
            Value::String(key) => Some(Step::Key(key.clone())),
            Value::Number(n) => n
                .as_u64()
                .and_then(|i| usize::try_from(i).ok())
                .map(Step::Index),
            _ => None,
        }
    }
}

/// The shape of one YAML document, with the line of each node and mapping key.
#[derive(Debug)]
pub struct Positions {
    nodes: Vec<Node>,
}

#[derive(Debug)]
struct Node {
    line: usize,
    shape: Shape,
}

#[derive(Debug)]
enum Shape {
    /// A scalar or an alias: nothing below it.
    Leaf,
    Sequence(Vec<usize>),
    /// Each entry's key text (None for a key that is not a scalar), key line and value node.
    Mapping(Vec<Entry>),
}

#[derive(Debug)]
struct Entry {
    key: Option<String>,
    line: usize,
    value: usize,
}

/// An open collection while the events are read, and for a mapping the key read last.
struct Open {
    node: usize,
    key: Option<(Option<String>, usize)>,
}

impl Positions {
    /// The first document of `text` (whose first line is line `first_line` of the file).
    /// None when the text does not parse as YAML or holds no document.
    pub fn of_first_document(text: &str, first_line: usize) -> Option<Positions> {
        let mut nodes: Vec<Node> = Vec::new();
        let mut open: Vec<Open> = Vec::new();
        for event in Parser::new_from_str(text) {
            let (event, span) = event.ok()?;
            let line = span.start.line() + first_line - 1;
            let (shape, key_text, opens) = match event {
                Event::Scalar(text, ..) => (Shape::Leaf, Some(text.into_owned()), false),
                Event::Alias(_) => (Shape::Leaf, None, false),
                Event::SequenceStart(..) => (Shape::Sequence(Vec::new()), None, true),
                Event::MappingStart(..) => (Shape::Mapping(Vec::new()), None, true),
                Event::SequenceEnd | Event::MappingEnd => {
                    open.pop();
                    if open.is_empty() {
                        break;
                    }
                    continue;
                }
                Event::DocumentEnd | Event::StreamEnd if !nodes.is_empty() => break,
                _ => continue,
            };
            let index = nodes.len();
            nodes.push(Node { line, shape });
            if let Some(parent) = open.last_mut() {
                attach(&mut nodes, parent, index, key_text, line);
            }
            if opens {
                open.push(Open {
                    node: index,
                    key: None,
                });
            } else if open.is_empty() {
                break; // a document that is a single scalar
            }
        }
        (!nodes.is_empty()).then_some(Positions { nodes })
    }

    /// The line of the node at `path`: for a path ending in a mapping key, the key's line
    /// (`image: nginx` and a block scalar's `key: |` alike), else the node's first line.
    /// None when the document has no such node.
    pub fn line_of(&self, path: &[Step]) -> Option<usize> {
        let mut node = self.nodes.first()?;
        let mut line = node.line;
        for step in path {
            let (next, next_line) = match (&node.shape, step) {
                (Shape::Sequence(items), Step::Index(i)) => {
                    let item = *items.get(*i)?;
                    (item, self.nodes[item].line)
                }
                (Shape::Mapping(entries), Step::Key(key)) => {
                    let entry = entries
                        .iter()
                        .find(|e| e.key.as_deref() == Some(key.as_str()))?;
                    (entry.value, entry.line)
                }
                _ => return None,
            };
            node = &self.nodes[next];
            line = next_line;
        }
        Some(line)
    }
}

/// Adds node `index` to the open collection `parent`: an item of a sequence, or in a
/// mapping alternately a key and the value of the key read before it.
fn attach(
    nodes: &mut [Node],
    parent: &mut Open,
    index: usize,
    key_text: Option<String>,
    line: usize,
) {
    match &mut nodes[parent.node].shape {
        Shape::Sequence(items) => items.push(index),
        Shape::Mapping(entries) => match parent.key.take() {
            None => parent.key = Some((key_text, line)),
            Some((key, line)) => entries.push(Entry {
                key,
                line,
                value: index,
            }),
        },
        Shape::Leaf => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(steps: &[&str]) -> Vec<Step> {
        steps
            .iter()
            .map(|s| match s.parse::<usize>() {
                Ok(i) => Step::Index(i),
                Err(_) => Step::Key((*s).to_owned()),
            })
            .collect()
    }

    fn line(text: &str, steps: &[&str]) -> Option<usize> {
        Positions::of_first_document(text, 1)?.line_of(&path(steps))
    }

    #[test]
    fn init_and_main_containers_with_the_same_image_have_their_own_lines() {
        let text = "kind: Pod\nspec:\n  initContainers:\n  - name: init\n    image: app:1\n  containers:\n  - name: main\n    image: app:1\n";
        assert_eq!(
            line(text, &["spec", "initContainers", "0", "image"]),
            Some(5)
        );
        assert_eq!(line(text, &["spec", "containers", "0", "image"]), Some(8));
        assert_eq!(line(text, &["spec", "containers", "0"]), Some(7));
        assert_eq!(line(text, &["spec", "containers", "1"]), None);
        assert_eq!(line(text, &["spec", "volumes"]), None);
        assert_eq!(line(text, &[]), Some(1));
    }

    #[test]
    fn two_services_with_the_same_key() {
        let text = "services:\n  a:\n    image: x\n    environment:\n      DB_PASSWORD: one\n  b:\n    image: x\n    environment:\n      - DB_PASSWORD=two\n";
        assert_eq!(
            line(text, &["services", "a", "environment", "DB_PASSWORD"]),
            Some(5)
        );
        assert_eq!(line(text, &["services", "b", "environment", "0"]), Some(9));
        assert_eq!(line(text, &["services", "b", "image"]), Some(7));
    }

    #[test]
    fn flow_style_nodes_are_on_their_own_lines() {
        let text = "env: [{name: A, value: '1'},\n  {name: DB_PASSWORD, value: hunter2}]\nenvironment: {USER: x,\n  DB_PASSWORD: y}\n";
        assert_eq!(line(text, &["env", "1"]), Some(2));
        assert_eq!(line(text, &["env", "1", "value"]), Some(2));
        assert_eq!(line(text, &["env", "0", "name"]), Some(1));
        assert_eq!(line(text, &["environment", "DB_PASSWORD"]), Some(4));
    }

    #[test]
    fn json_documents_are_flow_style_yaml() {
        let text = "{\n  \"spec\": {\"containers\": [\n    {\"image\": \"redis:7\"},\n    {\"image\": \"redis:7\"}\n  ]}\n}";
        assert_eq!(line(text, &["spec", "containers", "1", "image"]), Some(4));
        assert_eq!(line(text, &["spec", "containers", "0"]), Some(3));
    }

    #[test]
    fn only_the_first_document_counts_and_lines_are_the_files() {
        let text = "---\nkind: B\nspec:\n  image: y\n---\nkind: C\n";
        let positions = Positions::of_first_document(text, 7).unwrap();
        assert_eq!(positions.line_of(&path(&["spec", "image"])), Some(10));
        assert_eq!(positions.line_of(&path(&["kind"])), Some(8));
    }

    #[test]
    fn aliases_and_complex_keys_end_a_path() {
        let text = "a: &x {b: 1}\nc: *x\n? [k]\n: v\nd: 2\n";
        assert_eq!(line(text, &["c"]), Some(2));
        assert_eq!(line(text, &["c", "b"]), None);
        assert_eq!(line(text, &["d"]), Some(5));
        assert_eq!(line("a: [\n", &["a"]), None, "a parse error gives no line");
        assert_eq!(line("just text\n", &[]), Some(1));
    }
}
