//! ARG expansion for `FROM`, following Docker's shell-lexer rules.
//!
//! Policies judge the image a build really uses, so `FROM ${BASE}` must be judged as the
//! value `ARG BASE=...` (or `--build-arg BASE=...`) gives it. Supported forms: `$VAR`,
//! `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`,
//! `${VAR:?msg}`, `${VAR?msg}`, quotes and escapes. Other `${...}` forms are kept literally.

use std::collections::HashMap;

/// The result of expanding one word.
#[derive(Debug, PartialEq)]
pub struct Expanded {
    pub value: String,
    /// False when a referenced variable had no value (it expanded to nothing, as Docker does).
    pub resolved: bool,
}

/// Expands variables in `word` and removes shell quoting.
pub fn expand(word: &str, vars: &HashMap<String, String>, escape: char) -> Expanded {
    let mut out = String::new();
    let mut resolved = true;
    let chars: Vec<char> = word.chars().collect();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        match (c, quote) {
            ('\'', None) => quote = Some('\''),
            ('\'', Some('\'')) => quote = None,
            ('"', None) => quote = Some('"'),
            ('"', Some('"')) => quote = None,
            (c, q) if c == escape && q != Some('\'') => {
                if let Some(&next) = chars.get(i + 1) {
                    out.push(next);
                    i += 1;
                }
            }
            ('$', q) if q != Some('\'') => {
                let (consumed, text, ok) = variable(&chars[i + 1..], vars, escape);
                if consumed == 0 {
                    out.push('$');
                } else {
                    out.push_str(&text);
                    resolved &= ok;
                    i += consumed;
                }
            }
            (c, _) => out.push(c),
        }
        i += 1;
    }
    Expanded {
        value: out,
        resolved,
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Reads a variable reference after `$`; returns (chars consumed, text, resolved).
fn variable(rest: &[char], vars: &HashMap<String, String>, escape: char) -> (usize, String, bool) {
    if rest.first() == Some(&'{') {
        let Some(close) = matching_brace(rest) else {
            return (0, String::new(), true);
        };
        let body: String = rest[1..close].iter().collect();
        let name_len = body.chars().take_while(|&c| is_name_char(c)).count();
        let name = &body[..name_len];
        let modifier = &body[name_len..];
        let value = vars.get(name);
        let set_nonempty = value.is_some_and(|v| !v.is_empty());
        let nested = |text: &str| expand(text, vars, escape);
        let (text, ok) = match modifier {
            "" => (value.cloned().unwrap_or_default(), value.is_some()),
            m if m.starts_with(":-") => pick(set_nonempty, value, nested(&m[2..])),
            m if m.starts_with('-') => pick(value.is_some(), value, nested(&m[1..])),
            m if m.starts_with(":+") => {
                if set_nonempty {
                    let e = nested(&m[2..]);
                    (e.value, e.resolved)
                } else {
                    (String::new(), true)
                }
            }
            m if m.starts_with('+') => {
                if value.is_some() {
                    let e = nested(&m[1..]);
                    (e.value, e.resolved)
                } else {
                    (String::new(), true)
                }
            }
            m if m.starts_with(":?") || m.starts_with('?') => {
                (value.cloned().unwrap_or_default(), value.is_some())
            }
            // Pattern operators (`#`, `%`, `/`) and anything else: keep the text as written
            // and flag it, rather than guess.
            _ => (format!("${{{body}}}"), false),
        };
        (close + 1, text, ok)
    } else {
        let name_len = rest.iter().take_while(|&&c| is_name_char(c)).count();
        if name_len == 0 {
            return (0, String::new(), true);
        }
        let name: String = rest[..name_len].iter().collect();
        let value = vars.get(&name);
        (
            name_len,
            value.cloned().unwrap_or_default(),
            value.is_some(),
        )
    }
}

fn pick(use_value: bool, value: Option<&String>, fallback: Expanded) -> (String, bool) {
    match value {
        Some(v) if use_value => (v.clone(), true),
        _ => (fallback.value, fallback.resolved),
    }
}

fn matching_brace(rest: &[char]) -> Option<usize> {
    let mut depth = 0;
    for (i, &c) in rest.iter().enumerate() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn expands_all_supported_forms() {
        let v = vars(&[("A", "alpine"), ("T", "3.20"), ("E", "")]);
        let e = |w| expand(w, &v, '\\').value;
        assert_eq!(e("$A:${T}"), "alpine:3.20");
        assert_eq!(e("${MISSING:-debian}"), "debian");
        assert_eq!(e("${E:-fallback}"), "fallback");
        assert_eq!(e("${E-fallback}"), "");
        assert_eq!(e("${A:+set}"), "set");
        assert_eq!(e("${MISSING:+set}"), "");
        assert_eq!(e("\"$A\""), "alpine");
        assert_eq!(e("'$A'"), "$A");
        assert_eq!(e("\\$A"), "$A");
        assert_eq!(e("${X:-${A}}"), "alpine");
    }

    #[test]
    fn unresolved_variables_are_flagged() {
        let v = vars(&[]);
        let out = expand("${BASE}:1", &v, '\\');
        assert_eq!(
            out,
            Expanded {
                value: ":1".into(),
                resolved: false
            }
        );
        assert!(expand("${BASE:-x}", &v, '\\').resolved);
    }
}
