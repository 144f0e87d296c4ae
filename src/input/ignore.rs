//! `.dockerignore` and `.gitignore` files, as conftest's `ignore` parser (go-ignore)
//! gives them: one entry per line (the last, after a final newline, included), each
//! `{Kind, Value, Original}` with `Kind` one of `Empty`, `Comment`, `NegatedPath`, `Path`.
//! The document is an array holding that entry array, so a policy's `input` is the
//! entry array, as in conftest.

use serde_json::{Value, json};

/// Parses an ignore file. Never fails: every line is some kind of entry.
pub fn parse(text: &str) -> Value {
    let entries: Vec<Value> = text.split('\n').map(entry).collect();
    Value::Array(vec![Value::Array(entries)])
}

fn entry(line: &str) -> Value {
    let stripped = trim_right_space(line);
    let (kind, value) = if stripped.is_empty() {
        ("Empty", line.to_owned())
    } else if line.starts_with('#') {
        ("Comment", stripped[1..].trim().to_owned())
    } else if let Some(negated) = stripped.strip_prefix('!') {
        ("NegatedPath", unescape(negated))
    } else {
        ("Path", unescape(stripped))
    };
    json!({"Kind": kind, "Value": value, "Original": line})
}

/// Trailing spaces removed, except one escaped by a backslash.
fn trim_right_space(s: &str) -> &str {
    let kept = s.trim_end_matches(' ').len();
    if s[..kept].ends_with('\\') {
        &s[..(kept + 1).min(s.len())]
    } else {
        &s[..kept]
    }
}

/// Backslashes removed, `\\` kept as one. go-ignore rebuilds the string a byte at a time,
/// each byte as the character of that number, so text beyond ASCII comes out as its
/// UTF-8 bytes read as Latin-1 (`é` becomes `Ã©`); that is what conftest's policies see.
fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(char::from(bytes[i]));
        } else if bytes.get(i + 1) == Some(&b'\\') {
            out.push('\\');
            i += 1;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_entry_per_line_as_go_ignore() {
        let doc = parse("# comment\nnode_modules\n!keep.me\n\nesc\\ \\\\x  \n");
        let kinds: Vec<(&str, &str)> = doc[0]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["Kind"].as_str().unwrap(), e["Value"].as_str().unwrap()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("Comment", "comment"),
                ("Path", "node_modules"),
                ("NegatedPath", "keep.me"),
                ("Empty", ""),
                ("Path", "esc \\x"),
                ("Empty", ""),
            ]
        );
    }

    #[test]
    fn a_trailing_backslash_is_kept_without_a_crash() {
        assert_eq!(parse("a\\")[0][0]["Value"], "a");
    }
}
