//! Java `.properties` files, read as conftest's parser (magiconair/properties) reads them:
//! `key=value`, `key: value` or `key value`, `#`/`!` comments, `\` continuation lines,
//! `\t \n \r \f \uXXXX` escapes. Values stay strings, unexpanded; a `${key}` reference
//! that is malformed or circular is an error, as there. The last of duplicate keys wins.

use std::iter::Peekable;
use std::str::Chars;

use serde_json::{Map, Value};

/// magiconair's bound on nested `${...}` references.
const MAX_EXPANSION_DEPTH: usize = 64;

/// Parses a properties file into `{key: "value"}`.
pub fn parse(text: &str) -> Result<Value, (Option<usize>, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader {
        chars: text.chars().peekable(),
        line: 1,
    };
    let mut map = Map::new();
    while let Some(c) = reader.chars.peek().copied() {
        match c {
            '\n' | '\r' | ' ' | '\t' | '\x0c' => {
                reader.next();
            }
            '#' | '!' => reader.skip_line(),
            _ => {
                let line = reader.line;
                let key = reader.key().map_err(|m| (Some(line), m))?;
                let value = reader.value().map_err(|m| (Some(line), m))?;
                map.insert(key, Value::String(value));
            }
        }
    }
    for (key, value) in &map {
        check_references(
            value.as_str().unwrap_or_default(),
            &mut vec![key.as_str()],
            &map,
        )
        .map_err(|m| (None, m))?;
    }
    Ok(Value::Object(map))
}

struct Reader<'a> {
    chars: Peekable<Chars<'a>>,
    line: usize,
}

impl Reader<'_> {
    fn next(&mut self) -> Option<char> {
        let c = self.chars.next();
        if c == Some('\n') {
            self.line += 1;
        }
        c
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.chars.peek() {
            if *c == '\n' || *c == '\r' {
                break;
            }
            self.next();
        }
    }

    fn skip_blanks(&mut self) {
        while matches!(self.chars.peek(), Some(' ' | '\t' | '\x0c')) {
            self.next();
        }
    }

    fn key(&mut self) -> Result<String, String> {
        let mut key = String::new();
        while let Some(c) = self.chars.peek().copied() {
            if " \x0c\t\r\n:=".contains(c) {
                break;
            }
            self.next();
            if c == '\\' {
                self.escape(&mut key)?;
            } else {
                key.push(c);
            }
        }
        // The delimiter: blanks, at most one `:` or `=`, blanks.
        self.skip_blanks();
        if matches!(self.chars.peek(), Some(':' | '=')) {
            self.next();
        }
        self.skip_blanks();
        Ok(key)
    }

    fn value(&mut self) -> Result<String, String> {
        let mut value = String::new();
        while let Some(c) = self.next() {
            match c {
                '\n' | '\r' => break,
                '\\' if matches!(self.chars.peek(), Some('\n' | '\r')) => {
                    self.next();
                    self.skip_blanks();
                }
                '\\' => self.escape(&mut value)?,
                _ => value.push(c),
            }
        }
        Ok(value)
    }

    /// The character after a backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), String> {
        let c = match self.next() {
            None => return Err("premature EOF".to_owned()),
            Some('f') => '\x0c',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                let mut code = 0u32;
                for _ in 0..4 {
                    let digit = self
                        .next()
                        .and_then(|c| c.to_digit(16))
                        .ok_or("invalid unicode literal")?;
                    code = code * 16 + digit;
                }
                char::from_u32(code).unwrap_or('\u{fffd}')
            }
            Some(c) => c,
        };
        out.push(c);
        Ok(())
    }
}

/// Fails on a `${...}` reference magiconair refuses: unclosed, circular, or nested too
/// deep. (References to unknown keys are allowed there: they read the environment.)
fn check_references<'a>(
    value: &str,
    keys: &mut Vec<&'a str>,
    map: &'a Map<String, Value>,
) -> Result<(), String> {
    if keys.len() > MAX_EXPANSION_DEPTH {
        return Err("expansion too deep".to_owned());
    }
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or("malformed expression")?;
        let name = &after[..end];
        if keys.contains(&name) {
            return Err(format!("circular reference in: {}", keys.join(", ")));
        }
        if let Some((known, Value::String(referenced))) = map.get_key_value(name) {
            keys.push(known.as_str());
            check_references(referenced, keys, map)?;
            keys.pop();
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_values_and_escapes_as_magiconair() {
        let doc = parse(
            "# c\nserver.port=8080\nname = hello world\nflag: true\nmulti = a \\\n   b\n\
             u=\\u0041\ndup=1\ndup=2\nb=${dup}\nc ${HOME}\nd\n! bang\ntab\\tkey = v\\n1\n",
        )
        .unwrap();
        assert_eq!(
            doc,
            json!({"server.port": "8080", "name": "hello world", "flag": "true",
                   "multi": "a b", "u": "A", "dup": "2", "b": "${dup}", "c": "${HOME}",
                   "d": "", "tab\tkey": "v\n1"})
        );
    }

    #[test]
    fn malformed_and_circular_references_are_errors() {
        assert!(parse("a=${b\n").unwrap_err().1.contains("malformed"));
        assert!(
            parse("a=${b}\nb=${a}\n")
                .unwrap_err()
                .1
                .contains("circular")
        );
        assert!(parse("a=\\u00zz\n").is_err());
    }
}
