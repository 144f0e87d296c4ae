//! Word splitting with BuildKit's exact rules.
//!
//! conftest exposes the `Value` array that BuildKit's parser produces, and existing
//! policies depend on its quirks (quotes kept in ENV/LABEL values, flags with quotes
//! removed, whitespace-delimited FROM arguments). These functions reproduce those rules so
//! that conftest Dockerfile policies see byte-identical values.

/// Whitespace as BuildKit's `reWhitespace` (`[\t\v\f\r ]+`) defines it.
fn is_ws(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// Splits on runs of BuildKit whitespace, dropping empty pieces.
pub fn split_whitespace(rest: &str) -> Vec<String> {
    rest.split(is_ws)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Splits `rest` in two at the first run of whitespace (BuildKit's `Split(s, 2)`).
pub fn split_once_ws(rest: &str) -> (&str, &str) {
    match rest.find(is_ws) {
        Some(i) => {
            let tail = rest[i..].trim_start_matches(is_ws);
            (&rest[..i], tail)
        }
        None => (rest, ""),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Phase {
    Spaces,
    Word,
    Quote(char),
}

/// BuildKit's `parseWords`: splits on whitespace, honouring quotes and the escape token,
/// but *keeps* the quote and escape characters in each word (ENV/LABEL/ARG values).
pub fn parse_words(rest: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut blank_ok = false;
    let mut phase = Phase::Spaces;
    let mut chars = rest.chars().peekable();
    while let Some(ch) = chars.next() {
        if phase == Phase::Spaces {
            if ch.is_whitespace() {
                continue;
            }
            phase = Phase::Word;
        }
        match phase {
            Phase::Word => {
                if ch.is_whitespace() {
                    phase = Phase::Spaces;
                    if blank_ok || !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                    blank_ok = false;
                    continue;
                }
                if ch == '\'' || ch == '"' {
                    phase = Phase::Quote(ch);
                    blank_ok = true;
                }
                if ch == escape {
                    // An escape token at the very end is dropped.
                    keep_escaped(&mut word, ch, &mut chars);
                    continue;
                }
                word.push(ch);
            }
            Phase::Quote(quote) => {
                if ch == quote {
                    phase = Phase::Word;
                }
                // Single quotes escape nothing.
                if ch == escape && quote != '\'' {
                    if !keep_escaped(&mut word, ch, &mut chars) {
                        phase = Phase::Word;
                    }
                    continue;
                }
                word.push(ch);
            }
            Phase::Spaces => unreachable!("handled above"),
        }
    }
    if phase != Phase::Spaces && (blank_ok || !word.is_empty()) {
        words.push(word);
    }
    words
}

/// Keeps an escape token and the character after it in `word`, both as written; false
/// (and nothing kept) when the token ends the text.
#[inline]
fn keep_escaped(word: &mut String, escape: char, chars: &mut impl Iterator<Item = char>) -> bool {
    match chars.next() {
        None => false,
        Some(next) => {
            word.push(escape);
            word.push(next);
            true
        }
    }
}

/// BuildKit's `extractBuilderFlags`: leading `--name=value` words become flags (quotes and
/// escape tokens removed); the rest of the line is returned untouched.
pub fn extract_flags(line: &str, escape: char) -> (Vec<String>, &str) {
    let mut flags = Vec::new();
    let bytes = line.as_bytes();
    let mut pos = 0;
    loop {
        while pos < bytes.len() && (bytes[pos] as char).is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= bytes.len() {
            return (flags, "");
        }
        if !line[pos..].starts_with("--") {
            return (flags, &line[pos..]);
        }
        let (word, len, blank_ok) = flag_word(&line[pos..], escape);
        let end = pos + len;
        // A bare `--` ends flag parsing.
        if word == "--" {
            return (flags, line[end..].trim_start());
        }
        if blank_ok || !word.is_empty() {
            flags.push(word);
        }
        pos = end;
    }
}

/// The flag word at the start of `text`, quotes and escape tokens removed; how many bytes
/// of `text` it takes (up to the first unquoted whitespace); and whether it held quotes
/// (BuildKit keeps a quoted word even when it comes out empty).
fn flag_word(text: &str, escape: char) -> (String, usize, bool) {
    let mut word = String::new();
    let mut blank_ok = false;
    let mut quote: Option<char> = None;
    let mut iter = text.char_indices();
    let mut end = text.len();
    while let Some((off, ch)) = iter.next() {
        match quote {
            None => {
                if ch.is_whitespace() {
                    end = off;
                    break;
                }
                if ch == '\'' || ch == '"' {
                    quote = Some(ch);
                    blank_ok = true;
                    continue;
                }
                if ch == escape {
                    match iter.next() {
                        Some((_, next)) => word.push(next),
                        None => continue,
                    }
                    continue;
                }
                word.push(ch);
            }
            Some(q) => {
                if ch == q {
                    quote = None;
                    continue;
                }
                if ch == escape {
                    match iter.next() {
                        Some((_, next)) => word.push(next),
                        None => quote = None,
                    }
                    continue;
                }
                word.push(ch);
            }
        }
    }
    (word, end, blank_ok)
}

/// Shell-style word splitting used to find heredoc markers. With `raw` the quotes and
/// backslashes stay in the words (BuildKit's `RawQuotes`/`RawEscapes`); without it they are
/// removed, which is how a heredoc delimiter's name is read.
pub fn shell_words(line: &str, raw: bool) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(ch) = chars.next() {
        match ch {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' | '"' => {
                in_word = true;
                if raw {
                    word.push(ch);
                }
                for inner in chars.by_ref() {
                    if inner == ch {
                        break;
                    }
                    word.push(inner);
                }
                if raw {
                    word.push(ch);
                }
            }
            '\\' => {
                in_word = true;
                if raw {
                    word.push(ch);
                }
                if let Some(next) = chars.next() {
                    word.push(next);
                }
            }
            _ => {
                in_word = true;
                word.push(ch);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_quotes_like_buildkit() {
        assert_eq!(
            parse_words(r#"A="hello world" B=x\ y"#, '\\'),
            vec![r#"A="hello world""#, r"B=x\ y"]
        );
        assert_eq!(parse_words("  a   b ", '\\'), vec!["a", "b"]);
        assert_eq!(parse_words(r#"X=''"#, '\\'), vec!["X=''"]);
    }

    #[test]
    fn flags_lose_quotes_and_stop_at_first_plain_word() {
        let (flags, rest) = extract_flags(
            r#"--mount="type=cache,target=/x" --network=none apt-get install"#,
            '\\',
        );
        assert_eq!(
            flags,
            vec!["--mount=type=cache,target=/x", "--network=none"]
        );
        assert_eq!(rest, "apt-get install");
        let (flags, rest) = extract_flags("-- --not-a-flag", '\\');
        assert!(flags.is_empty());
        assert_eq!(rest, "--not-a-flag");
    }

    #[test]
    fn shell_words_raw_and_cooked() {
        assert_eq!(
            shell_words(r#"cat <<"EOF" > f"#, true),
            vec!["cat", r#"<<"EOF""#, ">", "f"]
        );
        assert_eq!(
            shell_words(r#"cat <<"EOF" > f"#, false),
            vec!["cat", "<<EOF", ">", "f"]
        );
    }

    #[test]
    fn whitespace_split() {
        assert_eq!(split_whitespace("a \t b"), vec!["a", "b"]);
        assert_eq!(split_once_ws("FROM   x y"), ("FROM", "x y"));
    }
}
