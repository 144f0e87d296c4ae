//! The lines of a tag-value document → `(line, tag, value)` pairs, as spdx/tools-golang
//! reads them: blank lines and `#` comments are skipped, the tag ends at the first colon,
//! a value is trimmed unless it is written `<text>…</text>`, which keeps it verbatim and
//! may span lines (what precedes `<text>` and follows `</text>` on its lines is dropped).

use super::Failure;

/// The longest line Go's `bufio.Scanner` reads (its 64 KiB token bound, less the newline):
/// a longer one is an error there, so it is one here too, and lines stay bounded.
const MAX_LINE: usize = 65_535;

/// One `Tag: value` of the document, with the line its tag is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub line: usize,
    pub tag: String,
    pub value: String,
}

/// A `<text>` value whose `</text>` has not been seen yet.
struct OpenText {
    line: usize,
    tag: String,
    value: String,
}

/// Splits the document into its pairs.
pub fn read(text: &str) -> Result<Vec<Pair>, Failure> {
    let mut pairs = Vec::new();
    let mut open: Option<OpenText> = None;
    for (index, raw) in lines(text).enumerate() {
        let number = index + 1;
        if raw.len() > MAX_LINE {
            return Err(Failure::at(
                number,
                format!("line is longer than {MAX_LINE} bytes (bufio.Scanner: token too long)"),
            ));
        }
        // Go's scanner drops the carriage return of a CRLF line ending.
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(mut text) = open.take() {
            match line.split_once("</text>") {
                Some((last, _)) => {
                    text.value.push_str(last);
                    pairs.push(Pair {
                        line: text.line,
                        tag: text.tag,
                        value: text.value,
                    });
                }
                None => {
                    text.value.push_str(line);
                    text.value.push('\n');
                    open = Some(text);
                }
            }
            continue;
        }
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let Some((tag, rest)) = content.split_once(':') else {
            return Err(Failure::at(number, format!("no colon found in '{line}'")));
        };
        let tag = tag.trim().to_owned();
        let value = match rest.split_once("<text>") {
            None => rest.trim().to_owned(),
            Some((_, after)) => match after.split_once("</text>") {
                Some((inside, _)) => inside.to_owned(),
                None => {
                    open = Some(OpenText {
                        line: number,
                        tag,
                        value: format!("{after}\n"),
                    });
                    continue;
                }
            },
        };
        pairs.push(Pair {
            line: number,
            tag,
            value,
        });
    }
    if let Some(text) = open {
        return Err(Failure::at(
            text.line,
            format!(
                "{}: <text> has no closing </text> (finalize called while still midtext parsing a text tag)",
                text.tag
            ),
        ));
    }
    Ok(pairs)
}

/// The lines as Go's `bufio.ScanLines` gives them: split at `\n`, no empty last line after
/// a final newline.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let empty = text.is_empty();
    body.split('\n').filter(move |_| !empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(usize, String, String)> {
        read(text)
            .unwrap()
            .into_iter()
            .map(|p| (p.line, p.tag, p.value))
            .collect()
    }

    #[test]
    fn values_are_trimmed_unless_written_as_text() {
        let got = pairs(
            "  A :  x  \n# c\n\n\tB: pre <text>  y  </text> post\nC: <text>one\r\n  two\nthree</text> gone\n",
        );
        assert_eq!(
            got,
            [
                (1, "A".into(), "x".into()),
                (4, "B".into(), "  y  ".into()),
                (5, "C".into(), "one\n  two\nthree".into()),
            ]
        );
    }

    #[test]
    fn a_line_without_colon_or_an_open_text_names_its_line() {
        let err = read("A: x\nno colon\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("no colon found in 'no colon'"));
        let err = read("A: x\nB: <text>open\nmore\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("</text>"));
    }

    #[test]
    fn overlong_lines_are_refused_as_go_refuses_them() {
        let fits = format!("A: {}", "x".repeat(MAX_LINE - 3));
        assert_eq!(pairs(&fits).len(), 1);
        let err = read(&format!("A: x\n{fits}y")).unwrap_err();
        assert_eq!(err.line, Some(2));
    }
}
