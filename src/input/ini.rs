//! INI files, read as conftest's parser (go-ini with its default options) reads them:
//! `[section]` headers, `key = value` or `key: value`, `#`/`;` comments (also after a
//! value), quoted values, `\` continuation lines and `"""` multi-line values. Keys before
//! the first section (go-ini's `DEFAULT`) are left out, as conftest leaves them out.
//! Values that read as numbers or booleans (Go's `ParseFloat`/`ParseBool`) become them.
//! Written here rather than taken from a crate: the document must follow go-ini's rules
//! (inline comments, last duplicate wins, typing), which no INI crate shares.

use serde_json::{Map, Value};

use super::go_number;

/// Parses an INI file into `{section: {key: value}}`.
pub fn parse(text: &str) -> Result<Value, (Option<usize>, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: Map<String, Value> = Map::new();
    let mut current: Option<String> = None;
    let mut lines = text.split('\n').enumerate().peekable();
    while let Some((index, raw)) = lines.next() {
        let line_number = index + 1;
        let line = raw.trim_start();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') {
            let close = line.rfind(']').ok_or_else(|| {
                (
                    Some(line_number),
                    format!("unclosed section: {}", line.trim_end()),
                )
            })?;
            let name = line[1..close].to_owned();
            let keep = name != "DEFAULT";
            current = keep.then(|| name.clone());
            if keep && !sections.contains_key(&name) {
                sections.insert(name, Value::Object(Map::new()));
            }
            continue;
        }
        let (key, rest) = key_and_rest(line.trim_end_matches('\r')).ok_or_else(|| {
            (
                Some(line_number),
                format!("key-value delimiter not found: {}", line.trim_end()),
            )
        })?;
        let value = read_value(rest, &mut || lines.next().map(|(_, l)| l))
            .ok_or_else(|| (Some(line_number), "missing closing quote".to_owned()))?;
        if let Some(Value::Object(section)) = current.as_ref().and_then(|n| sections.get_mut(n)) {
            section.insert(key, typed(&value));
        }
    }
    Ok(Value::Object(sections))
}

/// The key and what follows its delimiter (`=` or `:`); a key may be quoted.
fn key_and_rest(line: &str) -> Option<(String, &str)> {
    for quote in ["\"\"\"", "\"", "`"] {
        if let Some(after) = line.strip_prefix(quote) {
            let end = after.find(quote)?;
            let rest = &after[end + quote.len()..];
            let delimiter = rest.find(['=', ':'])?;
            return Some((after[..end].trim().to_owned(), &rest[delimiter + 1..]));
        }
    }
    let delimiter = line.find(['=', ':'])?;
    if delimiter == 0 {
        return None;
    }
    Some((line[..delimiter].trim().to_owned(), &line[delimiter + 1..]))
}

/// A value as go-ini reads it; `next_line` gives the following lines for multi-line
/// values. `None`: a quoted value never closed.
fn read_value<'a>(rest: &'a str, next_line: &mut dyn FnMut() -> Option<&'a str>) -> Option<String> {
    let line = rest.trim_start().trim_end_matches('\r');
    if line.is_empty() {
        return Some(String::new());
    }
    let quote = if line.len() > 3 && line.starts_with("\"\"\"") {
        Some("\"\"\"")
    } else if line.starts_with('`') {
        Some("`")
    } else {
        None
    };
    if let Some(quote) = quote {
        let body = &line[quote.len()..];
        if let Some(end) = body.rfind(quote) {
            return Some(body[..end].to_owned());
        }
        let mut value = body.to_owned();
        loop {
            let next = next_line()?;
            value.push('\n');
            match next.rfind(quote) {
                Some(end) => {
                    value.push_str(&next[..end]);
                    return Some(value);
                }
                None => value.push_str(next),
            }
        }
    }
    let mut line = line.trim().to_owned();
    if let Some(first) = line.strip_suffix('\\') {
        let mut value = first.to_owned();
        while let Some(next) = next_line() {
            let next = next.trim().to_owned();
            match next.strip_suffix('\\') {
                Some(more) => value.push_str(more),
                None => {
                    value.push_str(&next);
                    break;
                }
            }
        }
        return Some(value);
    }
    if let Some(comment) = line.find(['#', ';']) {
        line = line[..comment].trim().to_owned();
    }
    let quoted = |q: char| line.len() >= 2 && line.starts_with(q) && line.ends_with(q);
    if quoted('\'') || quoted('"') {
        line = line[1..line.len() - 1].to_owned();
    }
    Some(line)
}

/// A value as conftest types it: a finite number (Go's `ParseFloat`), else a boolean
/// (Go's `ParseBool`), else the string.
fn typed(value: &str) -> Value {
    if let Some(n) = go_parse_float(value).and_then(go_number) {
        return n;
    }
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Value::Bool(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Value::Bool(false),
        _ => Value::String(value.to_owned()),
    }
}

/// Go's `strconv.ParseFloat` for decimal text: Rust's float syntax, without the words
/// (`inf`, `NaN`) Go also reads but conftest then leaves as text.
pub fn go_parse_float(s: &str) -> Option<f64> {
    if !s.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sections_keys_and_types_as_go_ini() {
        let doc = parse(
            "; c\ntop = 1\n[db]\nport = 5432\nhost = db.local # note\nratio = 1.50\n\
             on = true\nt = T\nyes = yes\nhex = 0x10\nq = \"a b\"\nempty =\n\
             cont = a \\\n  b\n[two words]\nk: v\n[db]\nport = 1\n",
        )
        .unwrap();
        assert_eq!(
            doc,
            json!({"db": {"port": 1, "host": "db.local", "ratio": 1.5, "on": true,
                          "t": true, "yes": "yes", "hex": "0x10", "q": "a b", "empty": "",
                          "cont": "a b"},
                   "two words": {"k": "v"}})
        );
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(parse("[a]\nnot a pair\n").unwrap_err().0, Some(2));
        assert_eq!(parse("[a\n").unwrap_err().0, Some(1));
    }
}
