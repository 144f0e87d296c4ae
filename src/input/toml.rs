//! TOML files, through the `toml` crate (the ecosystem's TOML parser, maintained with
//! Cargo). The document is what conftest's parser (BurntSushi/toml, then Go's JSON)
//! gives: every number a float64, dates and times as Go prints a `time.Time`.

use serde_json::{Map, Value};
use toml::value::{Datetime, Offset};

use super::{MAX_NESTING, go_number};

/// Parses one TOML document. An error carries the line and the parser's message.
pub fn parse(text: &str) -> Result<Value, (Option<usize>, String)> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|span| line_at(text, span.start));
        (line, e.message().trim_end().to_owned())
    })?;
    to_json(toml::Value::Table(table), 0).map_err(|message| (None, message))
}

fn line_at(text: &str, byte: usize) -> usize {
    1 + text.as_bytes()[..byte.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

fn to_json(value: toml::Value, depth: usize) -> Result<Value, String> {
    if depth > MAX_NESTING {
        return Err(format!("values nest more than {MAX_NESTING} deep"));
    }
    Ok(match value {
        toml::Value::String(s) => Value::String(s),
        // Through a float64, as in conftest: integers past 2^53 lose their last digits.
        toml::Value::Integer(i) => go_number(i as f64).unwrap_or(Value::Null),
        toml::Value::Float(f) => go_number(f).ok_or("NaN and infinity have no JSON form")?,
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(go_time(&d)),
        toml::Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| to_json(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        toml::Value::Table(table) => {
            let mut out = Map::with_capacity(table.len());
            for (k, v) in table {
                out.insert(k, to_json(v, depth + 1)?);
            }
            Value::Object(out)
        }
    })
}

/// A TOML date-time as Go's `time.Time` prints in JSON (RFC 3339, fractional seconds
/// without trailing zeros): a local date is midnight UTC, a local time is on 0000-01-01,
/// and a local date-time or a zero offset is `Z`.
fn go_time(d: &Datetime) -> String {
    let date = d.date.map_or("0000-01-01".to_owned(), |date| {
        format!("{:04}-{:02}-{:02}", date.year, date.month, date.day)
    });
    let time = d.time.map_or("00:00:00".to_owned(), |time| {
        let mut t = format!(
            "{:02}:{:02}:{:02}",
            time.hour,
            time.minute,
            time.second.unwrap_or(0)
        );
        let nanos = time.nanosecond.unwrap_or(0);
        if nanos > 0 {
            t.push_str(format!(".{nanos:09}").trim_end_matches('0'));
        }
        t
    });
    let zone = match d.offset {
        None | Some(Offset::Z) => "Z".to_owned(),
        Some(Offset::Custom { minutes: 0 }) => "Z".to_owned(),
        Some(Offset::Custom { minutes }) => {
            let sign = if minutes < 0 { '-' } else { '+' };
            let m = minutes.unsigned_abs();
            format!("{sign}{:02}:{:02}", m / 60, m % 60)
        }
    };
    format!("{date}T{time}{zone}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_and_dates_are_as_conftest_prints_them() {
        let doc = parse(
            "n = 8080\nf = 1e3\nr = 0.5\nwhen = 1979-05-27T07:32:00.500-08:00\n\
             ld = 1979-05-27\nlt = 07:32:00\n[[s]]\nip = \"a\"\n",
        )
        .unwrap();
        assert_eq!(
            doc,
            json!({"n": 8080, "f": 1000, "r": 0.5, "when": "1979-05-27T07:32:00.5-08:00",
                   "ld": "1979-05-27T00:00:00Z", "lt": "0000-01-01T07:32:00Z",
                   "s": [{"ip": "a"}]})
        );
    }

    #[test]
    fn errors_carry_the_line() {
        let (line, message) = parse("a = 1\nb = \n").unwrap_err();
        assert_eq!(line, Some(2), "{message}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("a = {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(&deep).is_err());
    }
}
