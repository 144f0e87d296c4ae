//! GitHub `CODEOWNERS` files, as conftest's `codeowners` parser gives them:
//! `{"rules": [{"pattern", "owners": [{"type", "value"}], "comment", "lineNumber"}]}`,
//! `rules` null when the file has none. An owner is an `email`, a `team` (`@org/team`,
//! written without the `@`) or a `username` (`@name`, without the `@`); anything else,
//! or a character a pattern or an owner cannot hold, is an error naming the line.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Value, json};

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\A[A-Z0-9a-z._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,6}\z").expect("valid regex")
});
static TEAM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\A@([a-zA-Z0-9\-]+/[a-zA-Z0-9_\-]+)\z").expect("valid regex"));
static USERNAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\A@([a-zA-Z0-9\-_]+)\z").expect("valid regex"));

/// Parses a CODEOWNERS file; `Err((line, message))` for a line that is not a rule.
pub fn parse(text: &str) -> Result<Value, (Option<usize>, String)> {
    let mut rules = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line).trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let number = index + 1;
        let rule = parse_rule(line).map_err(|message| (Some(number), message))?;
        rules.push(json!({
            "pattern": rule.pattern,
            "owners": rule.owners,
            "comment": rule.comment,
            "lineNumber": number,
        }));
    }
    let rules = if rules.is_empty() {
        Value::Null
    } else {
        Value::Array(rules)
    };
    Ok(json!({ "rules": rules }))
}

struct Rule {
    pattern: String,
    owners: Vec<Value>,
    comment: String,
}

/// One rule line (trimmed, not a comment): a pattern (a backslash escapes the next
/// character, a space included), then owners separated by whitespace; a `#` anywhere
/// starts the rule's comment.
fn parse_rule(line: &str) -> Result<Rule, String> {
    let mut pattern: Option<String> = None;
    let mut owners = Vec::new();
    let mut comment = String::new();
    let mut word = String::new();
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if c == '#' {
            comment = line[i + 1..].trim().to_owned();
            break;
        }
        let position = i + 1;
        if pattern.is_none() {
            if c == '\\' {
                escaped = true;
                word.push(c);
                continue;
            }
            if is_whitespace(c) && !escaped {
                pattern = Some(std::mem::take(&mut word));
            } else if is_pattern_char(c) || (is_whitespace(c) && escaped) {
                word.push(c);
            } else {
                return Err(format!("unexpected character '{c}' at position {position}"));
            }
            escaped = false;
        } else if is_whitespace(c) {
            if !word.is_empty() {
                owners.push(owner(&word, position - word.len())?);
                word.clear();
            }
        } else if is_owner_char(c) {
            word.push(c);
        } else {
            return Err(format!("unexpected character '{c}' at position {position}"));
        }
    }
    match pattern {
        None if word.is_empty() => return Err("unexpected end of rule".to_owned()),
        None => pattern = Some(word),
        Some(_) if !word.is_empty() => {
            let position = line.len() + 1 - word.len();
            owners.push(owner(&word, position)?);
        }
        Some(_) => {}
    }
    Ok(Rule {
        pattern: pattern.unwrap_or_default(),
        owners,
        comment,
    })
}

fn owner(word: &str, position: usize) -> Result<Value, String> {
    let (kind, value) = if EMAIL.is_match(word) {
        ("email", word)
    } else if let Some(team) = TEAM.captures(word) {
        ("team", team.get(1).map_or("", |m| m.as_str()))
    } else if let Some(user) = USERNAME.captures(word) {
        ("username", user.get(1).map_or("", |m| m.as_str()))
    } else {
        return Err(format!(
            "invalid owner format '{word}' at position {position}"
        ));
    };
    Ok(json!({"type": kind, "value": value}))
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n')
}

fn is_pattern_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "*?./@_+-\\()".contains(c)
}

fn is_owner_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ".@/_%+-".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_owners_and_comments() {
        let text = "# owners\n\n*.js    @org/frontend @alice # web\r\n/docs/ docs@example.com\n\
                    /build/logs\\ dir/ @bob\nLICENSE\n";
        let doc = parse(text).unwrap();
        assert_eq!(
            doc,
            json!({"rules": [
                {"pattern": "*.js", "owners": [{"type": "team", "value": "org/frontend"},
                    {"type": "username", "value": "alice"}], "comment": "web", "lineNumber": 3},
                {"pattern": "/docs/", "owners": [{"type": "email", "value": "docs@example.com"}],
                    "comment": "", "lineNumber": 4},
                {"pattern": "/build/logs\\ dir/", "owners": [{"type": "username", "value": "bob"}],
                    "comment": "", "lineNumber": 5},
                {"pattern": "LICENSE", "owners": [], "comment": "", "lineNumber": 6},
            ]})
        );
        assert_eq!(parse("# nothing\n").unwrap(), json!({"rules": null}));
    }

    #[test]
    fn a_bad_owner_or_character_names_its_line() {
        assert_eq!(
            parse("*.md @ok\n*.rs not-an-owner\n").unwrap_err(),
            (
                Some(2),
                "invalid owner format 'not-an-owner' at position 6".to_owned()
            )
        );
        assert_eq!(
            parse("a[b] @x\n").unwrap_err(),
            (Some(1), "unexpected character '[' at position 2".to_owned())
        );
    }
}
