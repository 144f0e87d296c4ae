//! Variable expansion in Dockerfile values, following Docker's shell-lexer rules.
//!
//! Policies judge the image a build really uses and the user it runs as, so `FROM ${BASE}`
//! must be judged as the value `ARG BASE=...` (or `--build-arg BASE=...`) gives it, and
//! `USER ${APP_UID}` as the value in its stage's scope (see `scope.rs`). Supported forms: `$VAR`,
//! `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`,
//! `${VAR:?msg}`, `${VAR?msg}`, quotes and escapes. Other `${...}` forms are kept literally.
//!
//! The Dockerfile comes from whoever wrote the pull request, so expansion must cost time
//! and memory in proportion to the file, whatever it holds:
//! * the `}` closing each `${` is found for the whole word in one pass beforehand, so an
//!   unclosed `${` is not rescanned to the end of the word for every `$`;
//! * a default (`${A:-...}`) is expanded only when it is used, and nested defaults recurse
//!   at most [`MAX_DEPTH`] deep: a deeper file is an error, never a stack overflow;
//! * expansion may make one value at most [`MAX_VALUE_GROWTH`] longer than it is written,
//!   and all the values of one file together at most [`MAX_FILE_GROWTH`]: doubling ARGs
//!   (`ARG A2=${A1}${A1}`) reach the cap after about twenty lines instead of taking
//!   gigabytes. Growth, not length, is capped so that a long value written out in full is
//!   never refused: it costs no more than the file that holds it.

use std::collections::HashMap;

/// How deep `${A:-${B:-...}}` defaults may nest. Real Dockerfiles use two or three levels;
/// BuildKit's shell lexer is recursive too, and its fixed stack must not be what decides.
pub const MAX_DEPTH: usize = 64;

/// How many bytes expansion may add to one value: far above any image reference (Docker
/// refuses names over 255 characters) and any sensible ARG, yet small enough that the
/// doubling reproduction stops at line 22 of 26 with a few MiB in use.
pub const MAX_VALUE_GROWTH: usize = 1 << 20;

/// How many bytes expansion may add over all the values of one file: sixteen values at the
/// per-value cap, the same as the 16 MiB limit on the file's own size, so a file's values
/// stay within twice what it could hold written out.
pub const MAX_FILE_GROWTH: usize = 16 << 20;

/// What a variable name stands for where a word is expanded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lookup<'a> {
    /// The variable has this value.
    Value(&'a str),
    /// Docker leaves the variable unset here, so it expands to nothing: a global ARG that
    /// the stage does not re-declare, or an ARG of another stage.
    Unset,
    /// The value is not known from the Dockerfile: an ARG without a default, or a name the
    /// file never declares (it may come from the base image's ENV).
    Unknown,
}

/// The variables a word is expanded with.
pub trait Variables {
    fn lookup(&self, name: &str) -> Lookup<'_>;
}

/// A plain map: a name it holds has that value, any other is unknown.
impl Variables for HashMap<String, String> {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        self.get(name).map_or(Lookup::Unknown, |v| Lookup::Value(v))
    }
}

/// The result of expanding one word.
#[derive(Debug, Clone, PartialEq)]
pub struct Expanded {
    pub value: String,
    /// False when a referenced variable's value is unknown ([`Lookup::Unknown`]; it
    /// expanded to nothing, as Docker does without a value). A `${VAR:-default}` whose
    /// variable is unknown takes its default and stays resolved: that is the build without
    /// `--build-arg`.
    pub resolved: bool,
}

/// Why a word was not expanded: it is over one of the caps above.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum ExpandError {
    #[error("variable references are nested more than {MAX_DEPTH} deep (dockpolicy's limit)")]
    TooDeep,
    #[error(
        "expanding variables makes this value more than 1 MiB longer than written \
         (dockpolicy's limit for one value)"
    )]
    ValueTooLong,
    #[error(
        "expanding variables makes this file's values more than 16 MiB longer than written \
         (dockpolicy's limit for one file)"
    )]
    FileTooLong,
}

/// What expansion may still add over one file (see [`MAX_FILE_GROWTH`]).
#[derive(Debug)]
pub struct Budget {
    left: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            left: MAX_FILE_GROWTH,
        }
    }
}

/// Expands variables in `word` and removes shell quoting, as one value of its own file.
pub fn expand(word: &str, vars: &dyn Variables, escape: char) -> Result<Expanded, ExpandError> {
    expand_in(word, vars, escape, &mut Budget::default())
}

/// Expands `word` and charges its growth to `budget`, shared by the values of one file.
pub fn expand_in(
    word: &str,
    vars: &dyn Variables,
    escape: char,
    budget: &mut Budget,
) -> Result<Expanded, ExpandError> {
    let (growth, limit_error) = if budget.left < MAX_VALUE_GROWTH {
        (budget.left, ExpandError::FileTooLong)
    } else {
        (MAX_VALUE_GROWTH, ExpandError::ValueTooLong)
    };
    let lexer = Lexer {
        word,
        bytes: word.as_bytes(),
        closes: closing_braces(word.as_bytes()),
        vars,
        // The escape token is `\` or a backtick (the `# escape=` directive allows no other);
        // any other character matches no byte rather than part of a UTF-8 sequence.
        escape: u8::try_from(escape).ok().filter(u8::is_ascii),
        limit: word.len().saturating_add(growth),
        limit_error,
    };
    let (bytes, resolved) = lexer.expand(0, word.len(), 0, lexer.limit)?;
    budget.left -= bytes.len().saturating_sub(word.len()).min(budget.left);
    // Only whole UTF-8 sequences are copied (every byte the lexer acts on is ASCII), so
    // this is always valid; lossy conversion rather than a panic if that ever changes.
    let value = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(Expanded { value, resolved })
}

/// No `}` closes the `{` at this position.
const UNCLOSED: u32 = u32::MAX;

/// For each `{` in `bytes`, the position of the `}` that closes it, counting every brace
/// (quotes and escapes included, as the expansion has always done): one pass with a stack.
/// A `{` matched here is matched the same way inside any `${...}` that contains it, so the
/// nested expansions can use the same table. Other positions hold `UNCLOSED`.
fn closing_braces(bytes: &[u8]) -> Vec<u32> {
    let mut closes = vec![UNCLOSED; bytes.len()];
    // Positions fit in u32: a Dockerfile is refused above 16 MiB before it gets here, and a
    // longer word only loses the braces it cannot number (its `${` are then kept as text).
    let mut open: Vec<u32> = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        let Ok(pos) = u32::try_from(i) else { break };
        match b {
            b'{' => open.push(pos),
            b'}' => {
                if let Some(o) = open.pop() {
                    closes[o as usize] = pos;
                }
            }
            _ => {}
        }
    }
    closes
}

struct Lexer<'a> {
    word: &'a str,
    bytes: &'a [u8],
    closes: Vec<u32>,
    vars: &'a dyn Variables,
    escape: Option<u8>,
    /// The most bytes one value may have.
    limit: usize,
    limit_error: ExpandError,
}

/// Output that refuses to grow past its limit.
struct Out {
    bytes: Vec<u8>,
    limit: usize,
}

impl Out {
    fn push(&mut self, piece: &[u8], lexer: &Lexer) -> Result<(), ExpandError> {
        if self.bytes.len() + piece.len() > self.limit {
            return Err(lexer.too_long());
        }
        self.bytes.extend_from_slice(piece);
        Ok(())
    }
}

impl Lexer<'_> {
    fn too_long(&self) -> ExpandError {
        match self.limit_error {
            ExpandError::FileTooLong => ExpandError::FileTooLong,
            _ => ExpandError::ValueTooLong,
        }
    }

    /// Expands `bytes[start..end]`, giving at most `limit` bytes; returns them and whether
    /// every referenced variable had a value.
    fn expand(
        &self,
        start: usize,
        end: usize,
        depth: usize,
        limit: usize,
    ) -> Result<(Vec<u8>, bool), ExpandError> {
        if depth > MAX_DEPTH {
            return Err(ExpandError::TooDeep);
        }
        let mut out = Out {
            bytes: Vec::new(),
            limit,
        };
        let mut resolved = true;
        let mut quote: Option<u8> = None;
        let mut i = start;
        while i < end {
            let c = self.bytes[i];
            match (c, quote) {
                (b'\'', None) => quote = Some(b'\''),
                (b'\'', Some(b'\'')) => quote = None,
                (b'"', None) => quote = Some(b'"'),
                (b'"', Some(b'"')) => quote = None,
                (c, q) if Some(c) == self.escape && q != Some(b'\'') => {
                    // The escaped character is kept; when it takes several bytes the rest
                    // follow as ordinary bytes on the next turns.
                    if i + 1 < end {
                        out.push(&self.bytes[i + 1..i + 2], self)?;
                        i += 1;
                    }
                }
                (b'$', q) if q != Some(b'\'') => {
                    let room = limit - out.bytes.len();
                    match self.variable(i + 1, end, depth, room)? {
                        Some((consumed, text, ok)) => {
                            out.push(&text, self)?;
                            resolved &= ok;
                            i += consumed;
                        }
                        None => out.push(b"$", self)?,
                    }
                }
                (c, _) => out.push(&[c], self)?,
            }
            i += 1;
        }
        Ok((out.bytes, resolved))
    }

    /// Reads a variable reference starting at `at`, just after a `$`; returns (bytes
    /// consumed, text, resolved), or `None` when no reference starts there (the `$` is
    /// then literal).
    fn variable(
        &self,
        at: usize,
        end: usize,
        depth: usize,
        room: usize,
    ) -> Result<Option<(usize, Vec<u8>, bool)>, ExpandError> {
        let name_end = |from: usize, to: usize| {
            from + self.bytes[from..to]
                .iter()
                .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_')
                .count()
        };
        if at < end && self.bytes[at] == b'{' {
            let close = self.closes[at] as usize;
            if close >= end {
                return Ok(None);
            }
            let name_stop = name_end(at + 1, close);
            let lookup = self.vars.lookup(&self.word[at + 1..name_stop]);
            let modifier = &self.bytes[name_stop..close];
            let (value, missing_ok) = lookup_parts(lookup);
            let set_nonempty = value.is_some_and(|v| !v.is_empty());
            let value_bytes = || value.unwrap_or_default().as_bytes().to_vec();
            // The alternative text after the operator, expanded only when it is used.
            let nested = |skip: usize| self.expand(name_stop + skip, close, depth + 1, room);
            let (text, ok) = match modifier {
                [] => (value_bytes(), value.is_some() || missing_ok),
                [b':', b'-', ..] if set_nonempty => (value_bytes(), true),
                [b':', b'-', ..] => nested(2)?,
                [b'-', ..] if value.is_some() => (value_bytes(), true),
                [b'-', ..] => nested(1)?,
                [b':', b'+', ..] if set_nonempty => nested(2)?,
                [b'+', ..] if value.is_some() => nested(1)?,
                [b':', b'+', ..] | [b'+', ..] => (Vec::new(), true),
                [b':', b'?', ..] | [b'?', ..] => (value_bytes(), value.is_some() || missing_ok),
                // Pattern operators (`#`, `%`, `/`) and anything else: keep the text as
                // written and flag it, rather than guess.
                _ => (self.bytes[at - 1..=close].to_vec(), false),
            };
            if text.len() > room {
                return Err(self.too_long());
            }
            Ok(Some((close - at + 1, text, ok)))
        } else {
            let name_stop = name_end(at, end);
            if name_stop == at {
                return Ok(None);
            }
            let (value, missing_ok) = lookup_parts(self.vars.lookup(&self.word[at..name_stop]));
            let text = value.unwrap_or_default().as_bytes();
            if text.len() > room {
                return Err(self.too_long());
            }
            Ok(Some((
                name_stop - at,
                text.to_vec(),
                value.is_some() || missing_ok,
            )))
        }
    }
}

/// A lookup as (value, whether having none is known): an unset variable expands to
/// nothing for certain, an unknown one only in the build without `--build-arg`.
fn lookup_parts(lookup: Lookup<'_>) -> (Option<&str>, bool) {
    match lookup {
        Lookup::Value(v) => (Some(v), true),
        Lookup::Unset => (None, true),
        Lookup::Unknown => (None, false),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

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
        let e = |w| expand(w, &v, '\\').unwrap().value;
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
        assert_eq!(e("${A#al}é\\é"), "${A#al}éé");
        assert_eq!(e("${A:-${"), "${A:-${");
    }

    #[test]
    fn unresolved_variables_are_flagged() {
        let v = vars(&[]);
        let out = expand("${BASE}:1", &v, '\\').unwrap();
        assert_eq!(
            out,
            Expanded {
                value: ":1".into(),
                resolved: false
            }
        );
        assert!(expand("${BASE:-x}", &v, '\\').unwrap().resolved);
    }

    #[test]
    fn nesting_is_capped_only_where_the_default_is_used() {
        let nested =
            |n: usize, var: &str| format!("{}x{}", format!("${{{var}:-").repeat(n), "}".repeat(n));
        let v = vars(&[("SET", "v")]);
        assert_eq!(
            expand(&nested(MAX_DEPTH, "U"), &v, '\\').unwrap().value,
            "x"
        );
        assert_eq!(
            expand(&nested(MAX_DEPTH + 1, "U"), &v, '\\'),
            Err(ExpandError::TooDeep)
        );
        // A set variable's default is never read, so its depth does not matter.
        assert_eq!(expand(&nested(10_000, "SET"), &v, '\\').unwrap().value, "v");
    }

    #[test]
    fn growth_is_capped_per_value_and_per_file() {
        let half = "x".repeat(MAX_VALUE_GROWTH / 2 + 8);
        let v = vars(&[("H", &half)]);
        assert_eq!(expand("$H", &v, '\\').unwrap().value.len(), half.len());
        // (assert! rather than assert_eq!: a failure would print megabytes.)
        assert!(expand("$H$H", &v, '\\') == Err(ExpandError::ValueTooLong));
        assert!(expand("${U:-$H$H}", &v, '\\') == Err(ExpandError::ValueTooLong));
        // A long value written out in full is not growth.
        let long = "y".repeat(2 * MAX_VALUE_GROWTH);
        assert!(expand(&long, &v, '\\').is_ok_and(|e| e.value == long));
        let mut budget = Budget::default();
        let mut ok = 0;
        while expand_in("$H", &v, '\\', &mut budget).is_ok() {
            ok += 1;
        }
        assert_eq!(ok, MAX_FILE_GROWTH / (half.len() - "$H".len()));
        assert!(expand_in("$H", &v, '\\', &mut budget) == Err(ExpandError::FileTooLong));
    }

    /// A direct expansion, easy to check by reading but quadratic (and worse) on hostile
    /// input: the linear one must agree with it everywhere it is practical to run.
    mod reference {
        use std::collections::HashMap;

        pub fn expand(word: &str, vars: &HashMap<String, String>, escape: char) -> (String, bool) {
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
            (out, resolved)
        }

        fn variable(
            rest: &[char],
            vars: &HashMap<String, String>,
            escape: char,
        ) -> (usize, String, bool) {
            if rest.first() == Some(&'{') {
                braced(rest, vars, escape)
            } else {
                bare(rest, vars)
            }
        }

        fn is_name(c: char) -> bool {
            c.is_ascii_alphanumeric() || c == '_'
        }

        /// `${name}` or `${name<modifier>word}`, `rest` starting at the `{`.
        fn braced(
            rest: &[char],
            vars: &HashMap<String, String>,
            escape: char,
        ) -> (usize, String, bool) {
            let Some(close) = closing_brace(rest) else {
                return (0, String::new(), true);
            };
            let body: String = rest[1..close].iter().collect();
            let name_len = body.chars().take_while(|&c| is_name(c)).count();
            let name = &body[..name_len];
            let modifier = &body[name_len..];
            let value = vars.get(name);
            let set = value.is_some_and(|v| !v.is_empty());
            let nested = |text: &str| expand(text, vars, escape);
            let pick = |use_value: bool, fallback: (String, bool)| match value {
                Some(v) if use_value => (v.clone(), true),
                _ => fallback,
            };
            let (text, ok) = match modifier {
                "" => (value.cloned().unwrap_or_default(), value.is_some()),
                m if m.starts_with(":-") => pick(set, nested(&m[2..])),
                m if m.starts_with('-') => pick(value.is_some(), nested(&m[1..])),
                m if m.starts_with(":+") => {
                    if set {
                        nested(&m[2..])
                    } else {
                        (String::new(), true)
                    }
                }
                m if m.starts_with('+') => {
                    if value.is_some() {
                        nested(&m[1..])
                    } else {
                        (String::new(), true)
                    }
                }
                m if m.starts_with(":?") || m.starts_with('?') => {
                    (value.cloned().unwrap_or_default(), value.is_some())
                }
                _ => (format!("${{{body}}}"), false),
            };
            (close + 1, text, ok)
        }

        /// Where the `}` matching `rest`'s opening `{` is, braces nested.
        fn closing_brace(rest: &[char]) -> Option<usize> {
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

        /// `$name`: the longest run of name characters.
        fn bare(rest: &[char], vars: &HashMap<String, String>) -> (usize, String, bool) {
            let name_len = rest.iter().take_while(|&&c| is_name(c)).count();
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Words made of the characters the lexer acts on, plus a multi-byte one.
        #[test]
        fn agrees_with_the_reference_expansion(
            word in proptest::collection::vec(
                prop::sample::select(vec![
                    "$", "{", "}", ":", "-", "+", "?", "#", "A", "E", "U", "_", "x",
                    "'", "\"", "\\", "`", " ", "é", "${", "${A", "${U:-", "${E-", "${A:+", "}}",
                ]),
                0..24,
            ).prop_map(|parts| parts.concat()),
            backtick in any::<bool>(),
        ) {
            let v = vars(&[("A", "alpine"), ("E", ""), ("A_", "a${U}b")]);
            let escape = if backtick { '`' } else { '\\' };
            let ours = expand(&word, &v, escape).unwrap();
            prop_assert_eq!((ours.value, ours.resolved), reference::expand(&word, &v, escape));
        }
    }
}
