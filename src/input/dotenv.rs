//! `.env` files, read by the rules of conftest's parser (gotenv, strict): `KEY=value` or
//! `KEY: value`, an optional `export `, `#` comments, single quotes taken literally,
//! double quotes with `\n` escapes and values spanning lines, and `$VAR`/`${VAR}`
//! expanded from the keys defined above. Every value is a string.
//!
//! One deliberate difference: gotenv expands a variable from the process environment
//! first. A repository's file must not copy the CI's secrets into a document a policy
//! prints, so only the file's own keys are expanded; an unknown one becomes empty.

use std::sync::LazyLock;

use regex::{Captures, Regex};
use serde_json::{Map, Value};

/// gotenv's line pattern. `[0-9A-Za-z_]` is Go's ASCII `\w`.
static LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\A\s*(?:export\s+)?([0-9A-Za-z_.]+)(?:\s*=\s*|:\s+?)('(?:'|[^'])*'|"(?:"|[^"])*"|[^#\n]+)?\s*(?:\s*#.*)?\z"#,
    )
    .expect("valid dotenv line pattern")
});
static VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\\)?(\$)(\{?([A-Z0-9_]+)?\}?)").expect("valid dotenv variable pattern")
});
static VARIABLE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\$)(\{?([A-Z0-9_]+)\}?)").expect("valid dotenv variable name pattern")
});
static UNESCAPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\\([^$])").expect("valid dotenv escape pattern"));

/// Parses a `.env` file into `{KEY: "value"}`.
pub fn parse(text: &str) -> Result<Value, (Option<usize>, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut env = Map::new();
    let lines: Vec<&str> = split_lines(text);
    let mut index = 0;
    while index < lines.len() {
        let first_line = index + 1;
        let mut line = lines[index].trim().to_owned();
        index += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(quote) = open_quote(&line) {
            let mut open = true;
            while open && index < lines.len() {
                let next = lines[index];
                index += 1;
                line.push('\n');
                line.push_str(next);
                if let Some(at) = next.rfind(quote) {
                    open = at > 0 && next.as_bytes()[at - 1] == b'\\';
                }
            }
            if open {
                return Err((Some(first_line), "missing quotes".to_owned()));
            }
        }
        parse_line(&line, &mut env).map_err(|message| (Some(first_line), message))?;
    }
    Ok(Value::Object(env))
}

/// Lines ending in `\n`, `\r\n` or a lone `\r`, as gotenv splits them.
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find(['\r', '\n']) {
            Some(at) => {
                lines.push(&rest[..at]);
                let skip = if rest[at..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[at + skip..];
            }
            None => {
                lines.push(rest);
                rest = "";
            }
        }
    }
    lines
}

/// The quote a value opens without closing on its line (a value spanning lines).
fn open_quote(line: &str) -> Option<char> {
    let at = line.find('=').or_else(|| line.find(':'))?;
    if at == 0 || at >= line.len() - 1 {
        return None;
    }
    let value = line[at + 1..].trim();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    // gotenv looks for the closing quote in the value after its first character, and
    // compares the character at that index of the whole value with a backslash.
    match value[1..].trim().rfind(quote) {
        Some(end) if value.as_bytes()[end] != b'\\' => None,
        _ => Some(quote),
    }
}

fn parse_line(line: &str, env: &mut Map<String, Value>) -> Result<(), String> {
    let Some(caps) = LINE.captures(line) else {
        return Err(format!("line `{line}` doesn't match format"));
    };
    let key = caps[1].trim().to_owned();
    let mut value = caps.get(2).map_or("", |m| m.as_str()).trim().to_owned();
    let quoted = |q: u8| value.len() >= 2 && value.as_bytes()[0] == q && value.ends_with(q as char);
    let (single, double) = (quoted(b'\''), quoted(b'"'));
    if single || double {
        value = value[1..value.len() - 1].to_owned();
    }
    if double {
        value = value.replace("\\n", "\n").replace("\\r", "\r");
        value = UNESCAPE.replace_all(&value, "$1").into_owned();
    }
    if !single {
        value = VARIABLE
            .replace_all(&value, |c: &Captures| expand(&c[0], env))
            .into_owned();
    }
    env.insert(key, Value::String(value));
    Ok(())
}

/// One `$VAR`/`${VAR}` (or an escaped `\$`) replaced as gotenv does, from the keys above.
fn expand(found: &str, env: &Map<String, Value>) -> String {
    if let Some(escaped) = found.strip_prefix('\\') {
        return escaped.to_owned();
    }
    match VARIABLE_NAME.captures(found) {
        None => found.to_owned(),
        Some(name) => env
            .get(&name[3])
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_quotes_and_expansion_as_gotenv() {
        let doc = parse(
            "# c\nPORT=8080\nNAME=\"my app\"\nexport DEBUG=true\nSINGLE='x ${PORT}'\n\
             REF=${NAME}-2\nD=\"q\\nr\" # c\nE=a # comment\nEMPTY=\nM=\"a\nb\"\nU=$HOME\n",
        )
        .unwrap();
        assert_eq!(
            doc,
            json!({"PORT": "8080", "NAME": "my app", "DEBUG": "true", "SINGLE": "x ${PORT}",
                   "REF": "my app-2", "D": "q\nr", "E": "a", "EMPTY": "", "M": "a\nb",
                   "U": ""})
        );
    }

    #[test]
    fn malformed_lines_are_errors_naming_the_line() {
        assert_eq!(parse("A=1\nbad line\n").unwrap_err().0, Some(2));
        assert_eq!(parse("A=\"open\n").unwrap_err().0, Some(1));
    }
}
