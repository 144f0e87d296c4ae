//! Making input safe to quote: secrets hidden, control characters escaped.
//!
//! The scanned repository is untrusted (a pull request's author writes every file), and
//! whatever a report quotes from it — a source line, a parse error, a file name, a rule's
//! message built from input — reaches a CI log, a terminal, or a PR annotation. Every
//! renderer passes those strings through here:
//!
//! * `redact` (source lines, error messages) and `redact_message` (rule messages) hide the
//!   values of secret-like assignments, known token formats, URL passwords and
//!   `-u user:pass` arguments behind `****`. The secret names are DP006's own list, read
//!   from `policies/lib/dockpolicy/secrets.rego` at build time.
//! * `escape_controls` writes control characters (ESC, CR, LF, C1, DEL) and bidirectional
//!   overrides as visible `\x1b`-style escapes, so a file name or a Dockerfile line can
//!   neither drive the terminal nor start a line of its own (a GitHub workflow command such
//!   as `::error ...` is any log line that begins with `::`).
//! * `text` and `message` do both, for the text formats and standard error.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};

/// DP006's secret-name words, read from secrets.rego by build.rs.
mod names {
    include!(concat!(env!("OUT_DIR"), "/secret_names.rs"));
}

/// What a pattern's match is; the part hidden is always its group `v`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A credential in a form known whatever surrounds it: a token format, a URL's
    /// password, `curl -u user:password`, `--password value`.
    Credential,
    /// `NAME=value`, `NAME: value`, `NAME := value`, `"NAME": value` with a secret-like NAME.
    Assigned,
    /// `NAME value…` (Docker's legacy `ENV NAME value with spaces`): the rest of the line.
    Spaced,
    /// `NAME_KEY=value` (or `NAME_KEY value` in a source line) whose value looks like a key
    /// (`key_secret`): the name alone does not make it secret.
    Key,
}

/// A value as a shell or Docker reads one: a run of segments, each a double-quoted string
/// with backslash escapes, a single-quoted string (either may be left open, to the end of
/// the line), a backslash-escaped character, or characters other than white space and
/// quotes. So `abc"horse battery"`, `abc\ horse` and `"abc\" horse"` are one value each,
/// and `"hunter2` (a quote never closed) runs to the end of its line.
const VALUE: &str = r#"(?:"(?:[^"\\\n]|\\.)*"?|'[^'\n]*'?|\\.|[^\s"'\\]+)+"#;

/// Flags that take a password under a name of their own (Redis's), as DP006 knows them.
const FUSED_SECRET_FLAGS: &str = "requirepass|masterauth";

/// The redaction patterns, each with its kind.
static SOURCES: LazyLock<Vec<(String, Kind)>> = LazyLock::new(|| {
    let name = secret_name_pattern(false);
    let spaced_name = secret_name_pattern(true);
    vec![
        // Known credential formats, whatever surrounds them: the prefix says what it was.
        (
            r"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])(?P<v>[A-Z0-9]{16})\b".into(),
            Kind::Credential,
        ),
        (
            r"\bgh[pousr]_(?P<v>[A-Za-z0-9]{20,})".into(),
            Kind::Credential,
        ),
        (
            r"\bgithub_pat_(?P<v>[A-Za-z0-9_]{20,})".into(),
            Kind::Credential,
        ),
        (
            r"\bglpat-(?P<v>[A-Za-z0-9_\-]{10,})".into(),
            Kind::Credential,
        ),
        (
            r"\bxox[baprs]-(?P<v>[A-Za-z0-9\-]{6,})".into(),
            Kind::Credential,
        ),
        // NAME=value, NAME: value, NAME := value (Rego, Go), NAME == value, and JSON's
        // "NAME": value, where NAME is secret-like, in any case (an error message may
        // have upper-cased the line it quotes: `DB_PASSWORD=HUNTER2`). The separators
        // stay on their line: `password:` ending a YAML line does not take the next.
        (
            format!(
                r#"(?i)\b(?P<name>{name})(?P<sep>["']?[ \t]*(?::=|==|=|:)[ \t]*)(?P<v>{VALUE})"#
            ),
            Kind::Assigned,
        ),
        // name: NAME, value: x on one line (a Kubernetes env entry in YAML's flow style
        // or in JSON): the name and its value are two fields.
        (
            format!(
                r#"(?i)\bname["']?[ \t]*:[ \t]*["']?(?P<name>{name})(?P<sep>["']?[ \t]*,[ \t]*["']?value["']?[ \t]*:[ \t]*)(?P<v>{VALUE})"#
            ),
            Kind::Assigned,
        ),
        // NAME value… (the legacy `ENV NAME value with spaces`, where the value is the
        // rest of the line), unless the value starts with a separator: `password := "x"`
        // is the form above, and shows its `:=`. Not in rule messages, whose prose follows a name with a verb
        // ("ENV DB_PASSWORD sets a literal secret").
        (
            format!(r"(?i)\b(?P<name>{spaced_name})[ \t]+(?P<v>[^\s=:](?:[^\r\n]*[^\s])?)"),
            Kind::Spaced,
        ),
        // A key name with a key-like value: which is decided by `key_secret`.
        (
            format!(
                r#"(?i)\b(?P<name>{})(?P<sep>["']?[ \t]*(?::=|==|=|:)[ \t]*|[ \t]+)(?P<v>["']?(?:base64:)?[A-Za-z0-9+/=_\-]{{16,}}["']?)(?:$|[^A-Za-z0-9+/=_\-.:])"#,
                key_name_pattern()
            ),
            Kind::Key,
        ),
        // scheme://user:password@host (or scheme://:password@host)
        (
            r#"[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@'"]*:(?P<v>[^\s/@'"]+)@"#.into(),
            Kind::Credential,
        ),
        // curl -u user:password, curl --user=user:password
        (
            r#"\bcurl\b[^|;&\n]*\s(?:-u|--user)[= ]?\s*['"]?[^\s:'"]+:(?P<v>[^\s'"]+)"#.into(),
            Kind::Credential,
        ),
        // --password=value, --password value
        (
            r#"(?:^|\s)--(?:password|passwd|pass)[= ]['"]?(?P<v>[^\s'"]+)"#.into(),
            Kind::Credential,
        ),
        // A secret flag and its value as two items of a flow-style or JSON list
        // (`args: ["--requirepass", "s3cr3t"]`).
        (
            format!(
                r#"(?i)--(?:{FUSED_SECRET_FLAGS}|{name})["']?[ \t]*,[ \t]*["']?(?P<v>[^\s"',\]]+)"#
            ),
            Kind::Credential,
        ),
        // A flag whose name is a password's without a separator before its last word
        // (`--requirepass s3cr3t`), which the `NAME value` form leaves out: not in rule
        // messages, whose prose may follow the flag with a word.
        (
            format!(
                r#"(?i)(?:^|[\s"'\[])--(?P<name>{FUSED_SECRET_FLAGS})[ \t]+["']?(?P<v>[^\s"']+)"#
            ),
            Kind::Spaced,
        ),
    ]
});

/// A secret-like name, from DP006's words: one containing a secret word or an adjacent
/// pair (`API_KEY`, `apiKey`), or ending in a last-word (`SMTP_PASS`). Broader than DP006,
/// which also leaves out names ending in a reference word (`PASSWORD_FILE`): hiding a
/// value too many is harmless in a report. `spaced`: for a name followed by a space, where
/// a last-word must follow a separator (`SMTP_PASS value`, but not `pass --parser`).
fn secret_name_pattern(spaced: bool) -> String {
    let mut anywhere: Vec<String> = names::SECRET_WORDS
        .iter()
        .map(|w| regex::escape(w))
        .collect();
    anywhere.extend(
        names::SECRET_PAIRS
            .iter()
            .map(|(a, b)| format!(r"{}[_.\-]?{}", regex::escape(a), regex::escape(b))),
    );
    // Longest first: the alternation takes the first that matches.
    anywhere.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let last: Vec<String> = names::SECRET_LAST_WORDS
        .iter()
        .map(|w| regex::escape(w))
        .collect();
    let part = r"[A-Z0-9_.\-]*";
    let last = if spaced {
        // After something (`SMTP_PASS`, `smtpPass`, `REDISPASS`), never alone (`pass
        // --parser` is prose); `spaced_pass_word` leaves out `BYPASS` and its kind.
        format!(r"(?:[A-Z0-9_.\-](?:{}))", last.join("|"))
    } else {
        format!("(?:{})", last.join("|"))
    };
    format!("{part}(?:{}){part}|{part}{last}", anywhere.join("|"))
}

/// A name whose last word is one of DP006's key words (`APP_KEY`, `masterKey`, `KEY`).
fn key_name_pattern() -> String {
    let words: Vec<String> = names::KEY_LAST_WORDS
        .iter()
        .map(|w| regex::escape(w))
        .collect();
    let words = words.join("|");
    let capitalised: Vec<String> = names::KEY_LAST_WORDS
        .iter()
        .map(|w| regex::escape(&capitalise(w)))
        .collect();
    format!(
        r"(?:[A-Z0-9_.\-]*[_.\-])?(?:{words})|[A-Z0-9_.\-]*(?-i:[a-z0-9](?:{}))",
        capitalised.join("|")
    )
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    format!("{}{}", first.unwrap_or_default(), chars.as_str())
}

/// DP006's words of a name, as `tokens` in secrets.rego splits it: `AWS_SECRET_ACCESS_KEY`
/// is `aws secret access key`, `masterKey` is `master key`.
fn name_words(name: &str) -> Vec<String> {
    static WORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[A-Z]+[a-z0-9]*|[a-z0-9]+").expect("valid word regex"));
    WORD.find_iter(name)
        .map(|m| m.as_str().to_ascii_lowercase())
        .collect()
}

/// DP006's `key_secret`: a name whose last word is a key word and none of whose words says
/// public key or key id (`GPG_KEY`, `PUBLIC_KEY`, `CACHE_KEY`), with a value (quotes
/// aside) of at least 16 characters of base64 or hex text after an optional `base64:`,
/// holding a digit, not a path, and no GPG key id or fingerprint.
fn key_secret(name: &str, value: &str) -> bool {
    let words = name_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if !names::KEY_LAST_WORDS.contains(&last.as_str())
        || words
            .iter()
            .any(|w| names::PUBLIC_KEY_WORDS.contains(&w.as_str()))
    {
        return false;
    }
    let value = value.trim_matches(['"', '\'']);
    let value = value.strip_prefix("base64:").unwrap_or(value);
    value.len() >= 16
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b))
        && !value.starts_with('/')
        && value.bytes().any(|b| b.is_ascii_digit())
        && !key_id_or_fingerprint(value)
}

/// A GPG key id or fingerprint: 16 or 40 upper-case hex digits, or `0x` and 8, 16 or 40.
fn key_id_or_fingerprint(value: &str) -> bool {
    let hex = |s: &str, upper_only: bool| {
        s.bytes().all(|b| {
            b.is_ascii_digit()
                || (b'A'..=b'F').contains(&b)
                || (!upper_only && (b'a'..=b'f').contains(&b))
        })
    };
    if let Some(rest) = value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
    {
        return [8, 16, 40].contains(&rest.len()) && hex(rest, false);
    }
    [16, 40].contains(&value.len()) && hex(value, true)
}

/// Whether a spaced name ends with a word that only looks like a secret's (`BYPASS`,
/// `compass`): DP006 leaves those out.
fn spaced_pass_word(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    names::PASS_WORDS.iter().any(|w| name.ends_with(w))
}

struct Patterns {
    all: Vec<(Regex, Kind)>,
    /// All the patterns in one automaton: most strings match none of them, and one scan
    /// says so where ten did (the text report quotes a line under each of ~10,000
    /// findings over the corpus, and the separate scans were most of its rendering time).
    any: RegexSet,
    /// A whole string that is a secret-like name (`DB_PASSWORD`, not `DB_PASSWORD=x`).
    name: Regex,
    /// A whole string that is a key name (`LICENSE_KEY`), secret by its value.
    key_name: Regex,
    /// A file name by its extension (`secret.json`), which an error message follows with
    /// `: what went wrong`.
    file_name: Regex,
    /// `name: DB_PASSWORD` and `value: x` (a Kubernetes env entry, in YAML or JSON).
    name_field: Regex,
    value_field: Regex,
}

static PATTERNS: LazyLock<Patterns> = LazyLock::new(|| {
    Patterns {
    all: SOURCES
        .iter()
        .map(|(re, kind)| (Regex::new(re).expect("valid redaction regex"), *kind))
        .collect(),
    any: RegexSet::new(SOURCES.iter().map(|(re, _)| re)).expect("valid redaction regexes"),
    name: Regex::new(&format!("(?i)^(?:{})$", secret_name_pattern(false)))
        .expect("valid name regex"),
    key_name: Regex::new(&format!("(?i)^(?:{})$", key_name_pattern()))
        .expect("valid key name regex"),
    file_name: Regex::new(
        r"(?i)\.(?:json|ya?ml|rego|toml|txt|md|tar|tgz|gz|zip|xml|ini|cfg|conf|lock|log|csv|sh|py|js|ts|go|rs|properties|tf|hcl|dockerfile)$",
    )
    .expect("valid file name regex"),
    name_field: Regex::new(
        r#"(?i)(?:^|[\s{,\[-])["']?name["']?[ \t]*:[ \t]*["']?(?P<n>[A-Za-z0-9_.\-]{1,256})"#,
    )
    .expect("valid name field regex"),
    value_field: Regex::new(&format!(
        r#"(?i)(?:^|[\s{{,\[-])["']?value["']?[ \t]*:[ \t]*(?P<v>{VALUE})"#
    ))
    .expect("valid value field regex"),
}
});

/// Which patterns apply, and how, to a kind of string.
#[derive(Clone, Copy)]
struct Mode {
    /// `NAME value…` hides the rest of the line (not in rule messages: see `Kind::Spaced`).
    spaced: bool,
    /// The string is an error message, where `path/secret.json: reason` and
    /// `passwd:1: reason` name a file and say what went wrong with it: a name that is a
    /// path or a file name, or followed by a `:line:` location, is no `NAME: value` there.
    /// (In a source line, `credentials.json: <base64>` is a Kubernetes Secret's data, and
    /// stays hidden.)
    errors: bool,
}

const LINE: Mode = Mode {
    spaced: true,
    errors: false,
};
const MESSAGE: Mode = Mode {
    spaced: false,
    errors: false,
};
const ERROR: Mode = Mode {
    spaced: true,
    errors: true,
};
const ERROR_MESSAGE: Mode = Mode {
    spaced: false,
    errors: true,
};

/// The byte ranges of `text` that hold secret values, sorted and merged.
fn secret_ranges(text: &str, mode: Mode) -> Vec<Range<usize>> {
    let patterns = &*PATTERNS;
    let mut ranges = Vec::new();
    if !patterns.any.is_match(text) {
        return ranges;
    }
    for index in patterns.any.matches(text).iter() {
        let (re, kind) = &patterns.all[index];
        if matches!(kind, Kind::Spaced) && !mode.spaced {
            continue;
        }
        let mut at = 0;
        let mut quotes = QuoteScan::default();
        let mut flow = FlowDepth::default();
        while at < text.len() {
            let Some(caps) = re.captures_at(text, at) else {
                break;
            };
            let (Some(all), Some(value)) = (caps.get(0), caps.name("v")) else {
                break;
            };
            if !mode.spaced && !mode.errors && *kind == Kind::Assigned && prose_colon(&caps) {
                at = all.end();
                continue;
            }
            if !wanted(*kind, mode, &caps) {
                at = caps.name("name").map_or(all.end(), |n| n.end());
                continue;
            }
            if mode.errors && *kind != Kind::Credential && names_a_file(text, &caps) {
                // Look on after the file name: a secret may still follow it.
                at = caps.name("name").map_or(all.end(), |n| n.end());
                continue;
            }
            let mut range = value.range();
            at = all.end();
            if let Some(end) = quotes
                .enclosing(text, &caps)
                .and_then(|quote| quotes.closing(text, range.start, quote))
                .filter(|&end| end > range.start)
            {
                // What follows the closing quote is looked at anew (`"TOKEN=a" "KEY=b"`).
                range.end = end;
                at = end;
            } else if let Some(end) = yaml_quoted_end(text, &caps, &mut quotes)
                .or_else(|| flow_plain_end(text, &caps, &mut flow))
            {
                range.end = end;
                at = end;
            }
            ranges.push(range);
        }
    }
    merge(ranges)
}

/// Whether a match of a name-and-value pattern is a secret as DP006 decides: a spaced name
/// is not one of the look-alike words (`BYPASS x`), and a key name's value is key-like
/// (and, outside source lines, assigned, not a word following it).
fn wanted(kind: Kind, mode: Mode, caps: &regex::Captures) -> bool {
    let name = caps.name("name").map_or("", |n| n.as_str());
    match kind {
        Kind::Spaced => !spaced_pass_word(name),
        Kind::Key => {
            let spaced = caps
                .name("sep")
                .is_some_and(|sep| sep.as_str().trim().is_empty());
            (mode.spaced || !spaced) && key_secret(name, caps.name("v").map_or("", |v| v.as_str()))
        }
        Kind::Credential | Kind::Assigned => true,
    }
}

/// Whether a rule message's `name: value` is prose: a bare colon after an unquoted word
/// of lower-case letters (`use secrets: or an env file`). Rule messages are sentences;
/// keys there are quoted, spelled as identifiers (`DB_PASSWORD: x`, `apiKey: x`) or
/// assigned (`password=x`), and those are still hidden.
fn prose_colon(caps: &regex::Captures) -> bool {
    let (Some(name), Some(sep)) = (caps.name("name"), caps.name("sep")) else {
        return false;
    };
    sep.as_str().trim() == ":" && name.as_str().bytes().all(|b| b.is_ascii_lowercase())
}

/// Quote state along one pattern's matches, which come in order: what `enclosing` and
/// `closing` learn is kept, so the work over a text stays linear however many matches one
/// long line holds (rescanning the line for each of 12,000 names on a 1 MB line took
/// minutes; found by fuzzing).
#[derive(Default)]
struct QuoteScan {
    /// How far `enclosing` has read, the unescaped `"` counted since the last line break,
    /// and whether the character at `pos` is escaped (by a `\\` before it).
    pos: usize,
    quotes: usize,
    escaped: bool,
    /// A span `(from, to, quote)` known to hold no unescaped `quote` and no line break:
    /// `closing` from inside it needs only look past `to`.
    open_to: Option<(usize, usize, char)>,
}

impl QuoteScan {
    /// The quote that a `NAME=value` or `NAME value` match sits inside, if it does: its
    /// name follows a `'`, or an odd number of unescaped `"` on its line, that the
    /// separator does not close (`"GITHUB_TOKEN=abc"` in a JSON array, `sh -c "export
    /// TOKEN=a b"`, an error message quoting `"ENV DB_PASSWORD=x"`; not the key of
    /// `"NAME": "value"`).
    fn enclosing(&mut self, text: &str, caps: &regex::Captures) -> Option<char> {
        let name = caps.name("name")?;
        let start = name.start();
        if start < self.pos {
            // Matches go forward; a pattern that looked back starts afresh.
            *self = QuoteScan::default();
        }
        for &b in &text.as_bytes()[self.pos..start] {
            if self.escaped {
                self.escaped = false;
                if b == b'\n' {
                    self.quotes = 0;
                }
                continue;
            }
            match b {
                b'\\' => self.escaped = true,
                b'"' => self.quotes += 1,
                b'\n' => self.quotes = 0,
                _ => {}
            }
        }
        self.pos = start;
        let quote = if text[..start].ends_with('\'') {
            '\''
        } else if self.quotes % 2 == 1 {
            '"'
        } else {
            return None;
        };
        let closed = caps
            .name("sep")
            .is_some_and(|sep| sep.as_str().starts_with(quote));
        (!closed).then_some(quote)
    }

    /// Where the string that `quote` opened before `from` ends: its next unescaped
    /// `quote` on the line. So the value of `"GITHUB_TOKEN=abc def"` is `abc def`, and the
    /// quote after it and what follows stay.
    fn closing(&mut self, text: &str, from: usize, quote: char) -> Option<usize> {
        let mut at = from;
        if let Some((known_from, to, q)) = self.open_to
            && q == quote
            && (known_from..=to).contains(&from)
        {
            at = to;
        }
        let mut chars = text[at..].char_indices();
        while let Some((offset, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '\n' => {
                    self.open_to = Some((from, at + offset, quote));
                    return None;
                }
                c if c == quote => {
                    self.open_to = Some((from, at + offset, quote));
                    return Some(at + offset);
                }
                _ => {}
            }
        }
        self.open_to = Some((from, text.len(), quote));
        None
    }
}

/// Where the value of a `NAME: "value"` match ends when it is a quoted string: after a
/// `:` (YAML, JSON) a quoted value is that one string, and what follows it is the next
/// item (`{"DB_PASSWORD": "x", "X": 1}`), not more of the value as after a shell's `=`.
fn yaml_quoted_end(text: &str, caps: &regex::Captures, quotes: &mut QuoteScan) -> Option<usize> {
    let colon = caps.name("sep")?.as_str().trim_end().ends_with(':');
    let value = caps.name("v")?;
    let quote = value
        .as_str()
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\''))?;
    if !colon {
        return None;
    }
    // YAML's single-quoted strings have no escapes, but a `\'` there is rare, and taking
    // it for one only hides more.
    quotes
        .closing(text, value.start() + 1, quote)
        .map(|end| end + 1)
}

/// Where the unquoted value of a one-line `name: NAME, value: x` pair, or of a `NAME: x`
/// inside a `{...}` or `[...]` opened earlier on its line, ends: the pair is in YAML's flow
/// style (or JSON), where `,`, `}` and `]` end a plain value.
fn flow_plain_end(text: &str, caps: &regex::Captures, flow: &mut FlowDepth) -> Option<usize> {
    let sep = caps.name("sep")?.as_str();
    let in_flow_pair = sep.trim_end().ends_with(':') && flow.inside(text, caps.get(0)?.start());
    if !sep.contains(',') && !in_flow_pair {
        return None;
    }
    let value = caps.name("v")?;
    let len = value.as_str().find([',', '}', ']'])?;
    (len > 0).then_some(value.start() + len)
}

/// How deep in flow collections (`{...}`, `[...]`) a position of its line is, read along
/// one pattern's matches, which come in order: each byte is read once however many matches
/// a long line holds. Quotes are not looked at: a bracket in a quoted string before a
/// secret only makes its value end at a `,`.
#[derive(Default)]
struct FlowDepth {
    at: usize,
    depth: i64,
}

impl FlowDepth {
    /// Whether `start` is inside a flow collection opened earlier on its line.
    fn inside(&mut self, text: &str, start: usize) -> bool {
        if start < self.at {
            return self.depth > 0;
        }
        for b in text.as_bytes()[self.at..start].iter() {
            self.depth = match b {
                b'\n' => 0,
                b'{' | b'[' => self.depth + 1,
                b'}' | b']' => self.depth - 1,
                _ => self.depth,
            };
        }
        self.at = start;
        self.depth > 0
    }
}

/// Whether a `NAME: value` or `NAME value` match in an error message is a file and what
/// went wrong with it: the name is a path's last part (`d2/secret.json`), or a file name
/// (`secret.json`), or the `:` introduces a line number (`passwd:1: invalid type`). A
/// `NAME=value` is always a value (`sed s/x/TOKEN=v/` has a slash before its name).
fn names_a_file(text: &str, caps: &regex::Captures) -> bool {
    let Some(name) = caps.name("name") else {
        return false;
    };
    // `NAME value` has no separator; `NAME: value` has a `:`, maybe after a quote.
    let colon = match caps.name("sep") {
        None => false,
        Some(sep) if sep.as_str().trim_start_matches(['"', '\'']).trim() == ":" => true,
        Some(_) => return false,
    };
    let location = colon
        && caps.name("v").is_some_and(|v| {
            let digits = v.as_str().bytes().take_while(u8::is_ascii_digit).count();
            digits > 0 && v.as_str()[digits..].starts_with(':')
        });
    text[..name.start()].ends_with('/') || PATTERNS.file_name.is_match(name.as_str()) || location
}

fn apply(text: &str, mode: Mode) -> Cow<'_, str> {
    let ranges = secret_ranges(text, mode);
    if ranges.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for r in ranges {
        out.push_str(&text[from..r.start]);
        out.push_str("****");
        from = r.end;
    }
    out.push_str(&text[from..]);
    Cow::Owned(out)
}

/// `line` (a quoted source line) with every secret-looking value replaced by `****`.
pub fn redact(line: &str) -> Cow<'_, str> {
    apply(line, LINE)
}

/// A rule's message with every secret-looking value replaced by `****`: as `redact`, less
/// the `NAME value` form, which would take the word after a name for its value.
pub fn redact_message(msg: &str) -> Cow<'_, str> {
    apply(msg, MESSAGE)
}

/// An error message (which may quote input) with every secret-looking value replaced by
/// `****`: as `redact`, but a file name followed by `: reason` keeps its reason
/// (`d2/secret.json: resolves outside the tree`).
pub fn redact_error(msg: &str) -> Cow<'_, str> {
    apply(msg, ERROR)
}

/// Shortest value `Secrets` hides: shorter ones (`x`, `no`) would hide words of the
/// message that are no secret.
const MIN_HIDDEN_VALUE: usize = 4;

/// Lines either side of an error's line whose secret values `hide_values_of` hides: an
/// error quotes the instruction it is about, which starts or ends there.
pub const HIDE_WINDOW: usize = 256;

/// Most values `Secrets` looks for, so a hostile file with a secret on every line costs
/// a bounded amount of work for its one error.
pub const MAX_HIDDEN_VALUES: usize = 1024;

/// Most bytes of an input (of its text, or of the strings of its document) that
/// `Secrets` looks through for values.
pub const MAX_SCANNED_BYTES: usize = 4 << 20;

/// Most nodes of a document `Secrets::add_document` visits.
pub const MAX_SCANNED_NODES: usize = 200_000;

/// Longest part of a value that is looked for: a longer value is found by its first
/// `MAX_VALUE_KEY` bytes, and hidden whole where it occurs whole.
const MAX_VALUE_KEY: usize = 512;

/// Longest error message `Secrets::hide` keeps: a policy error may quote an input value
/// of any size, and a report must not grow with it.
pub const MAX_ERROR_MESSAGE: usize = 16 << 10;

/// The secret values of one input, to hide wherever an error about it quotes them alone
/// (`add expects numeric argument. Got "hunter2"`, `can't find = in "HUNTER2"`), whatever
/// their ASCII case. Found the way `redact` finds them in a source line (`NAME=value`,
/// `NAME: value`, `"NAME": value`, `ENV NAME value…`, token formats, URL passwords), plus
/// Kubernetes' `name: NAME` / `value: x` pairs, and in a parsed document also secret-like
/// keys, `{name, value}` objects and `["NAME", "value"]` pairs. Bounded: at most
/// `MAX_HIDDEN_VALUES` values from at most `MAX_SCANNED_BYTES` of input.
#[derive(Debug, Default, Clone)]
pub struct Secrets {
    /// ASCII-lower-cased.
    values: Vec<String>,
}

impl Secrets {
    /// The values in `source`: its whole text (up to `MAX_SCANNED_BYTES`), or with
    /// `line`, the `HIDE_WINDOW` lines either side of that line.
    pub fn in_text(source: &str, line: Option<usize>) -> Secrets {
        let mut secrets = Secrets::default();
        secrets.add_text(source, line);
        secrets.finish()
    }

    /// The values in a parsed document (an image archive's has no text).
    pub fn in_document(doc: &serde_json::Value) -> Secrets {
        let mut secrets = Secrets::default();
        secrets.add_document(doc);
        secrets.finish()
    }

    /// These values and `other`'s.
    pub fn with(mut self, other: &Secrets) -> Secrets {
        self.values.extend(other.values.iter().cloned());
        self.finish()
    }

    fn full(&self) -> bool {
        self.values.len() >= MAX_HIDDEN_VALUES
    }

    /// Longest first, each once.
    fn finish(mut self) -> Secrets {
        self.values
            .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        self.values.dedup();
        self
    }

    fn add_text(&mut self, source: &str, line: Option<usize>) {
        let patterns = &*PATTERNS;
        let (first, count) = match line {
            Some(line) => (line.saturating_sub(HIDE_WINDOW + 1), 2 * HIDE_WINDOW + 1),
            None => (0, usize::MAX),
        };
        let mut scanned = 0usize;
        // Lines left in which a `value:` is a secret name's (Kubernetes' env entries put
        // `value` on the line after `name`; another `name` ends the entry).
        let mut named = 0usize;
        // The name of that entry when it is a key name, whose value decides.
        let mut key_name: Option<&str> = None;
        for text in source.lines().skip(first).take(count) {
            scanned += text.len() + 1;
            if scanned > MAX_SCANNED_BYTES || self.full() {
                break;
            }
            let mut rest = text;
            if let Some(caps) = patterns.name_field.captures(text)
                && let Some(n) = caps.name("n")
            {
                key_name = None;
                named = if patterns.name.is_match(n.as_str()) {
                    4
                } else if patterns.key_name.is_match(n.as_str()) {
                    key_name = Some(n.as_str());
                    4
                } else {
                    0
                };
                rest = &text[n.end()..];
            }
            if named > 0 {
                if let Some(v) = patterns
                    .value_field
                    .captures(rest)
                    .and_then(|c| c.name("v"))
                {
                    if key_name.is_none_or(|name| key_secret(name, v.as_str())) {
                        self.add_value(v.as_str());
                    }
                    named = 0;
                } else {
                    named -= 1;
                }
            }
            if patterns.any.is_match(text) {
                for r in secret_ranges(text, LINE) {
                    self.add_value(&text[r]);
                }
            }
        }
    }

    /// Walks a parsed document (at most `MAX_SCANNED_NODES` nodes).
    pub fn add_document(&mut self, doc: &serde_json::Value) {
        use serde_json::Value;
        let patterns = &*PATTERNS;
        // A secret name, or a key name with a key-like value.
        let names_secret = |name: Option<&Value>, value: &str| {
            name.and_then(Value::as_str).is_some_and(|s| {
                s.len() <= 256 && (patterns.name.is_match(s) || key_secret(s, value))
            })
        };
        let mut stack = vec![doc];
        let (mut nodes, mut scanned) = (0usize, 0usize);
        while let Some(node) = stack.pop() {
            nodes += 1;
            if nodes > MAX_SCANNED_NODES || scanned > MAX_SCANNED_BYTES || self.full() {
                break;
            }
            match node {
                Value::String(s) => {
                    let s = &s[..floor_boundary(s, MAX_SCANNED_BYTES - scanned)];
                    scanned += s.len();
                    for r in secret_ranges(s, LINE) {
                        self.add_value(&s[r]);
                    }
                }
                Value::Array(items) => {
                    // ["DB_PASSWORD", "hunter2"]: a Dockerfile ENV's name and value.
                    for pair in items.windows(2) {
                        if let Some(value) = pair.get(1).and_then(scalar)
                            && names_secret(pair.first(), &value)
                        {
                            self.add_value(&value);
                        }
                    }
                    stack.extend(items.iter().rev());
                }
                Value::Object(map) => {
                    if let Some(value) = map.get("value").and_then(scalar)
                        && names_secret(map.get("name"), &value)
                    {
                        self.add_value(&value);
                    }
                    for (key, value) in map {
                        if key.len() <= 256
                            && let Some(value) = scalar(value)
                            && (patterns.name.is_match(key) || key_secret(key, &value))
                        {
                            self.add_value(&value);
                        }
                    }
                    stack.extend(map.values().rev());
                }
                _ => {}
            }
        }
    }

    /// Adds a value as found (quotes and escapes and all), and as a program would quote
    /// it: unquoted and unescaped, each quoted part alone, without a trailing comma.
    fn add_value(&mut self, raw: &str) {
        let raw = raw.trim();
        let decoded = unquote(raw);
        let mut forms = vec![raw.to_owned(), decoded.clone()];
        forms.push(decoded.trim_end_matches([',', ';', '}', ']']).to_owned());
        forms.extend(quoted_parts(raw));
        for form in forms {
            if self.full() {
                return;
            }
            let form = form.trim();
            if form.chars().count() < MIN_HIDDEN_VALUE || is_setting(form) {
                continue;
            }
            if !self.values.iter().any(|v| v.eq_ignore_ascii_case(form)) {
                self.values.push(form.to_ascii_lowercase());
            }
        }
    }

    /// `message` with each of these values hidden behind `****` wherever it occurs, in
    /// any ASCII case, and cut at `MAX_ERROR_MESSAGE` bytes.
    pub fn hide(&self, message: &str) -> String {
        self.hide_within(message, MAX_ERROR_MESSAGE)
    }

    /// As `hide`, cut at `limit` bytes (for text whose caller bounds it otherwise).
    pub fn hide_within(&self, message: &str, limit: usize) -> String {
        let end = floor_boundary(message, limit);
        if self.values.is_empty() && end == message.len() {
            return message.to_owned();
        }
        // ASCII lower-casing keeps every byte where it was, so positions found in the
        // lower-cased message are positions in the message. An occurrence that starts
        // before the cut is looked for whole, past it.
        let searched = &message[..floor_boundary(message, end + MAX_VALUE_KEY)];
        let lower = searched.to_ascii_lowercase();
        let mut ranges: Vec<Range<usize>> = Vec::new();
        for value in &self.values {
            let key = &value[..floor_boundary(value, MAX_VALUE_KEY)];
            for (at, _) in lower.match_indices(key) {
                if at >= end {
                    break;
                }
                let whole = message
                    .as_bytes()
                    .get(at..at + value.len())
                    .is_some_and(|b| b.eq_ignore_ascii_case(value.as_bytes()));
                ranges.push(at..at + if whole { value.len() } else { key.len() });
            }
        }
        let mut out = String::with_capacity(end + 32);
        let mut from = 0;
        for r in merge(ranges) {
            out.push_str(&message[from..r.start]);
            out.push_str("****");
            from = r.end;
        }
        if from < end {
            out.push_str(&message[from..end]);
        }
        if end < message.len() {
            out.push_str(&format!(
                " \u{2026} ({} more bytes not shown)",
                message.len() - end
            ));
        }
        out
    }
}

/// `ranges` sorted, overlapping and touching ones made one.
fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// A JSON scalar as the text a message would quote (`true`/`false`/null are no secret).
fn scalar(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A setting, not a secret (DP006 skips these too): hiding `true` would hide a word.
fn is_setting(value: &str) -> bool {
    ["true", "false", "yes", "no", "on", "off", "null", "none"]
        .iter()
        .any(|s| value.eq_ignore_ascii_case(s))
}

/// `raw` as a shell reads it: quotes removed, backslash escapes resolved (none inside
/// single quotes).
fn unquote(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut quote: Option<char> = None;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None | Some('"'), '\\') => out.extend(chars.next()),
            (_, c) => out.push(c),
        }
    }
    out
}

/// The contents of each quoted part of `raw` (`abc"horse battery"` has `horse battery`).
fn quoted_parts(raw: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = raw;
    while let Some(start) = rest.find(['"', '\'']) {
        let quote = rest[start..].chars().next().unwrap_or('"');
        let body = &rest[start + 1..];
        let end = body.find(quote).unwrap_or(body.len());
        parts.push(unquote(&format!("{quote}{}{quote}", &body[..end])));
        rest = body.get(end + 1..).unwrap_or("");
    }
    parts
}

/// The largest char boundary of `s` at or below `at`.
fn floor_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `message` (an error about line `line` of `source`, which may quote a part of it or
/// change its case) with every secret value of the lines around `line` hidden, whatever
/// its ASCII case: the line `DB_PASSWORD=hunter2 ./x` makes `unknown instruction:
/// DB_PASSWORD=HUNTER2` and `can't find = in "hunter2"` both hide `hunter2`. Every report
/// also redacts the message itself (`redact_error`).
pub fn hide_values_of(source: &str, line: usize, message: &str) -> String {
    Secrets::in_text(source, Some(line)).hide(message)
}

/// `message` (a quoted string from input in a program's message, such as the config
/// file's parse error: `invalid type: string "root:x:0:0:…"`) with each quoted part
/// (`"…"` or `` `…` ``) longer than `max` characters cut to its first `max`.
pub fn shorten_quoted(message: &str, max: usize) -> Cow<'_, str> {
    static QUOTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#""(?:[^"\\]|\\.)*"|`[^`]*`"#).expect("valid quoted regex"));
    QUOTED.replace_all(message, |caps: &regex::Captures| {
        let quoted = caps.get(0).map_or("", |m| m.as_str());
        let inner = &quoted[1..quoted.len() - 1];
        if inner.chars().count() <= max {
            return quoted.to_owned();
        }
        let quote = &quoted[..1];
        let kept: String = inner.chars().take(max).collect();
        format!(
            "{quote}{kept}…{quote} ({} characters)",
            inner.chars().count()
        )
    })
}

/// Whether `c` must not reach a terminal or log raw: C0 and C1 controls and DEL (tab
/// aside, which only moves the cursor right), and the bidirectional marks and overrides
/// that make text display in another order than it reads.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c,
            // Arabic letter mark; zero-width space, joiners and LRM/RLM
            '\u{061c}' | '\u{200b}'..='\u{200f}'
            // line and paragraph separators (a line break to some terminals and
            // editors), bidirectional embeddings and overrides
            | '\u{2028}'..='\u{202e}'
            // word joiner and invisible operators; bidirectional isolates
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}'
            // zero-width no-break space (BOM)
            | '\u{feff}')
}

/// Whether `c` must be written as a `\uXXXX` escape in JSON: serde_json escapes C0
/// controls, `"` and `\` itself and writes everything else raw, DEL and C1 controls
/// (`\u{9b}` is a terminal's CSI) and the invisible and bidirectional marks included.
pub(crate) fn json_escaped(c: char) -> bool {
    c == '\u{7f}' || (!c.is_ascii() && unsafe_char(c))
}

/// `text` with every control character written as a visible escape (`\n`, `\r`, `\x1b`,
/// `\u{202e}`); LF and CR too unless `keep_newlines` (for formats that escape them their
/// own way, such as GitHub workflow commands).
fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let keep = |c: char| keep_newlines && (c == '\n' || c == '\r');
    if !text.chars().any(|c| unsafe_char(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !unsafe_char(c) || keep(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// `s` quoted as Go's `%q` quotes it: in double quotes, with `"` and `\` escaped and
/// every control or invisible character as an escape, so a quoted name stays on its line.
pub fn go_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if escape_controls(c.encode_utf8(&mut [0; 4])).len() > c.len_utf8() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `text` with every control character escaped, line breaks included: one line, that
/// does nothing to a terminal.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// As `escape_controls`, but leaving LF and CR for the caller to encode; a line that
/// would begin with `::` (see `guard_commands`) has its first `:` escaped.
pub fn escape_controls_but_newlines(text: &str) -> Cow<'_, str> {
    match escape(text, true) {
        Cow::Borrowed(text) => guard_commands(text),
        Cow::Owned(text) => Cow::Owned(guard_commands(&text).into_owned()),
    }
}

/// As `escape_controls_but_newlines`, for a format that encodes LF and CR itself (GitHub's
/// `%0A`), so that no line of the text is a line of the output: nothing is guarded, and a
/// file name stays the file's name.
pub fn escape_controls_to_encode_newlines(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// `text` as a CI log command's data (GitHub's and Azure DevOps' `%0A` form): controls
/// escaped, CR and LF percent-encoded, so the text stays on the command's line.
pub fn percent_encode_newlines(text: &str) -> String {
    escape_controls_to_encode_newlines(text)
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// `text` with the first `:` of each line that begins with `::` once its indentation is
/// trimmed (what GitHub Actions reads as a workflow command, such as `::error ::x`)
/// escaped as `\x3a`. Lines end at LF or CR.
fn guard_commands(text: &str) -> Cow<'_, str> {
    let starts_command = |line: &str| line.trim_start().starts_with("::");
    if !text.split(['\n', '\r']).any(starts_command) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    loop {
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let line = &rest[..end];
        if starts_command(line) {
            let body = line.trim_start();
            out.push_str(&line[..line.len() - body.len()]);
            out.push_str("\\x3a");
            out.push_str(&body[1..]);
        } else {
            out.push_str(line);
        }
        let Some(newline) = rest[end..].chars().next() else {
            break;
        };
        out.push(newline);
        rest = &rest[end + newline.len_utf8()..];
    }
    Cow::Owned(out)
}

/// A quoted source line or name for a text report or standard error: redacted, then
/// escaped.
pub fn text(s: &str) -> String {
    escape_controls(&redact(s)).into_owned()
}

/// An error message for a text report or standard error, on one line: redacted as an
/// error (`redact_error`), then escaped.
pub fn error_text(s: &str) -> String {
    escape_controls(&redact_error(s)).into_owned()
}

/// A rule's message for a text report: redacted as a message, then escaped.
pub fn message(s: &str) -> String {
    escape_controls(&redact_message(s)).into_owned()
}

/// A message that is several lines by nature (a compile error with its source snippet),
/// for a text report or standard error: each line redacted (as a rule message, but with
/// a file name's `: reason` kept, see `redact_error`) and escaped, its line breaks kept.
/// A line that would begin with `::` once its indentation is trimmed (what GitHub reads
/// as a workflow command) has that first `:` escaped as `\x3a`.
pub fn lines(s: &str) -> String {
    lines_with(s, |line| {
        escape_controls(&apply(line, ERROR_MESSAGE)).into_owned()
    })
}

/// A rule's message that may be several lines (conftest prints a message's line breaks
/// as they are): each line as `message` makes it, its line breaks kept, and a line that
/// would begin with `::` guarded as `lines` guards it.
pub fn message_lines(s: &str) -> String {
    lines_with(s, message)
}

/// As `lines`, for an error about an input, redacted as one (`error_text`).
pub fn error_lines(s: &str) -> String {
    lines_with(s, error_text)
}

fn lines_with(s: &str, clean: fn(&str) -> String) -> String {
    let mut out = String::with_capacity(s.len());
    // Split at every LF, so a message that ends with a line break keeps it, and write a
    // CRLF back as CRLF, as conftest prints them (a CR just before a LF moves nothing
    // over text; a lone CR is escaped by `clean`).
    let mut lines = s.split('\n').peekable();
    while let Some(line) = lines.next() {
        let (line, crlf) = match line.strip_suffix('\r') {
            Some(line) if lines.peek().is_some() => (line, true),
            _ => (line, false),
        };
        // One line each (`clean` escapes what is left, a lone CR included).
        out.push_str(&guard_commands(&clean(line)));
        if lines.peek().is_some() {
            out.push_str(if crlf { "\r\n" } else { "\n" });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_every_kind_of_secret() {
        for (line, secret) in [
            ("ENV DB_PASSWORD=hunter2", "hunter2"),
            ("ENV DB_PASSWORD hunter2", "hunter2"),
            ("ARG GITHUB_TOKEN=\"abc def\"", "abc def"),
            ("ENV X=AKIAIOSFODNN7EXAMPLE", "IOSFODNN7EXAMPLE"),
            (
                "LABEL t=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB",
                "0123456789abcdef",
            ),
            ("RUN curl -u admin:s3cret https://x", "s3cret"),
            (
                "RUN git clone https://bot:tok123@git.example.com/r",
                "tok123",
            ),
            ("RUN mysql --password=rootpw", "rootpw"),
            (
                "        - name: API_KEY\n          value: sk-live-123",
                "sk-live-123",
            ),
        ] {
            let out = redact(line);
            if line.contains('\n') {
                continue;
            }
            assert!(!out.contains(secret), "{line} -> {out}");
            assert!(out.contains("****"), "{line} -> {out}");
        }
    }

    #[test]
    fn hides_the_values_of_every_name_dp006_flags() {
        // The words come from secrets.rego (build.rs): the list is DP006's, not a copy.
        assert!(names::SECRET_WORDS.contains(&"password"));
        assert!(names::SECRET_LAST_WORDS.contains(&"pass"));
        assert!(names::SECRET_PAIRS.contains(&("api", "key")));
        let mut names: Vec<String> = names::SECRET_WORDS
            .iter()
            .chain(names::SECRET_LAST_WORDS)
            .map(|w| format!("APP_{}", w.to_uppercase()))
            .collect();
        names.extend(
            names::SECRET_PAIRS
                .iter()
                .map(|(a, b)| format!("{}_{}", a.to_uppercase(), b.to_uppercase())),
        );
        names.push("smtpPass".into());
        for name in names {
            for line in [
                format!("ENV {name}=s3cr3tvalue"),
                format!("ENV {name} s3cr3tvalue"),
                format!("    {name}: \"s3cr3tvalue\""),
            ] {
                let out = redact(&line);
                assert!(!out.contains("s3cr3tvalue"), "{line} -> {out}");
            }
            let line = format!("ENV {name}=s3cr3tvalue");
            assert!(!redact_message(&line).contains("s3cr3tvalue"), "{line}");
        }
    }

    #[test]
    fn hides_the_names_dp006_flags_by_word_ending_and_key_value() {
        for (line, shown) in [
            // Fused names, in every form.
            ("ENV PGPASSWORD=hunter2xyz", "ENV PGPASSWORD=****"),
            ("ENV PGPASSWORD hunter2xyz", "ENV PGPASSWORD ****"),
            ("ENV REDISPASS hunter2xyz", "ENV REDISPASS ****"),
            ("ENV redispass hunter2xyz", "ENV redispass ****"),
            ("ENV apitoken hunter2xyz", "ENV apitoken ****"),
            // Key names with a key-like value: assigned, spaced, quoted, YAML, camelCase.
            ("ENV LICENSE_KEY lgNvGyhnUKpa5PJi", "ENV LICENSE_KEY ****"),
            (
                "ENV RAILS_MASTER_KEY=0a1b2c3d4e5f60718293a4b5c6d7e8f9 X=1",
                "ENV RAILS_MASTER_KEY=**** X=1",
            ),
            (
                r#"ARG APP_KEY="base64:Q2hhbmdlTWUxMjM0NTY3ODkw""#,
                "ARG APP_KEY=****",
            ),
            (
                "      ENCRYPTION_KEY: Zm9vYmFyYmF6cXV4MTIzNDU2",
                "      ENCRYPTION_KEY: ****",
            ),
            ("masterKey = AbCdEf0123456789xyz", "masterKey = ****"),
            // A password in a URL with no user name.
            (
                "ENV REDIS_URL=redis://:s3cretpw@redis:6379/0",
                "ENV REDIS_URL=redis://:****@redis:6379/0",
            ),
        ] {
            assert_eq!(redact(line), shown, "{line}");
        }
        // What DP006 leaves alone stays readable: GPG key ids and fingerprints, public
        // keys, paths, short or word-like values, look-alike words.
        for line in [
            "ENV GPG_KEY A035C8C19219BA821ECEA86B64E628F8D684696D",
            "ENV NODE_KEY=0x7D83545DF9E04CEA",
            "ENV PUBLIC_KEY=MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
            "ENV NGROK_SERVER_KEY assets/server/tls/snakeoil.key",
            "ENV SSL_KEY=/etc/ssl/private/server0123456.key",
            "ENV CACHE_KEY=v1-deps-0123456789abcdef",
            "ENV SORT_KEY=created_at_descending",
            "RUN git config --global http.proxy x && echo bypass everything",
            "RUN echo compass north",
            "cannot tell the file's format; pass --parser dockerfile",
        ] {
            assert_eq!(redact(line), line);
        }
        // A rule message keeps the word after a key name.
        let msg = "ENV LICENSE_KEY sets a literal secret (lg****) that anyone who pulls the image can read";
        assert_eq!(redact_message(msg), msg);
        assert_eq!(
            redact_message("found LICENSE_KEY=lgNvGyhnUKpa5PJi"),
            "found LICENSE_KEY=****"
        );
        // An error quoting the value alone hides it, found by its key name.
        let source = "FROM a\nENV LICENSE_KEY lgNvGyhnUKpa5PJi\nENV GPG_KEY A035C8C19219BA821ECEA86B64E628F8D684696D\n";
        assert_eq!(
            hide_values_of(
                source,
                2,
                "bad lgNvGyhnUKpa5PJi A035C8C19219BA821ECEA86B64E628F8D684696D"
            ),
            "bad **** A035C8C19219BA821ECEA86B64E628F8D684696D"
        );
        let doc = serde_json::json!({
            "env": [{"name": "LICENSE_KEY", "value": "lgNvGyhnUKpa5PJi"}],
            "APP_KEY": "base64:Q2hhbmdlTWUxMjM0NTY3ODkw",
            "GPG_KEY": "A035C8C19219BA821ECEA86B64E628F8D684696D",
        });
        assert_eq!(
            Secrets::in_document(&doc).hide(
                "lgNvGyhnUKpa5PJi base64:Q2hhbmdlTWUxMjM0NTY3ODkw A035C8C19219BA821ECEA86B64E628F8D684696D"
            ),
            "**** **** A035C8C19219BA821ECEA86B64E628F8D684696D"
        );
        let pod = "env:\n- name: SIGNING_KEY\n  value: sk_9f8e7d6c5b4a39281706\n- name: GPG_KEY\n  value: B42F6819007F00F88E364FD4036A9C25BF357DD4\n";
        assert_eq!(
            Secrets::in_text(pod, None)
                .hide("sk_9f8e7d6c5b4a39281706 B42F6819007F00F88E364FD4036A9C25BF357DD4"),
            "**** B42F6819007F00F88E364FD4036A9C25BF357DD4"
        );
    }

    #[test]
    fn hides_a_secret_whose_case_an_error_changed() {
        let msg = "invalid Dockerfile: unknown instruction: DB_PASSWORD=HUNTER2";
        assert_eq!(
            redact(msg),
            "invalid Dockerfile: unknown instruction: DB_PASSWORD=****"
        );
        // A message that quotes the value alone: the line it came from says it is secret.
        let source = "FROM a\nENV DB_PASSWORD=hunter2 hunter2\n    db_pass: 'Hunter2Again'\n";
        assert_eq!(
            hide_values_of(source, 2, r#"can't find = in "HUNTER2" (hunter2againx)"#),
            r#"can't find = in "****" (****x)"#
        );
        // Short values would hide ordinary words.
        assert_eq!(
            hide_values_of("ENV TOKEN=a\n", 1, "a bad token"),
            "a bad token"
        );
        // Only the lines around the error: a far line's value is not looked for.
        let far = format!(
            "ENV A_TOKEN=farvalue1\n{}FROM",
            "\n".repeat(HIDE_WINDOW + 2)
        );
        let at = HIDE_WINDOW + 3;
        assert_eq!(hide_values_of(&far, at, "farvalue1"), "farvalue1");
        assert_eq!(hide_values_of(&far, 1, "farvalue1"), "****");
        // Bounded work: a secret on each of 100,000 lines.
        let many: String = (0..100_000)
            .map(|i| format!("ENV T_TOKEN=v{i:07}\n"))
            .collect();
        let start = std::time::Instant::now();
        assert_eq!(hide_values_of(&many, 1, "v0000001 X"), "**** X");
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn a_long_line_of_secret_names_is_redacted_in_linear_time() {
        // 12,000 names on one 1 MB line, after an unclosed quote: each match rescanned the
        // line (its start for the quote count, its end for the closing quote).
        let line = format!(
            "FROM \"{}",
            "x:-amazon_secret_access_key'; \\somth.example.com/token:{:pe".repeat(12_000)
        );
        let start = std::time::Instant::now();
        let hidden = redact(&line);
        assert!(!hidden.contains("token:{:pe"), "{}", &hidden[..200]);
        let _ = Secrets::in_text(&line, Some(1));
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn leaves_rule_messages_readable() {
        for msg in [
            "ENV DB_PASSWORD sets a literal secret (su****) that anyone who pulls the image can read",
            "ENV SMTP_PASS sets a literal secret (su****) that anyone who pulls the image can read",
            "RUN contains a user:password passed to curl -u/--user; use RUN --mount=type=secret instead",
            "ARG GITHUB_TOKEN has a literal secret default (gh****), kept in the image history",
            "service \"db\" sets POSTGRES_PASSWORD to a literal secret (s3****); use secrets: or an env file kept out of the repository",
        ] {
            assert_eq!(redact_message(msg), msg);
        }
        // Keys that are no prose still lose their values.
        for (msg, hidden) in [
            ("found DB_PASSWORD: hunter2", "found DB_PASSWORD: ****"),
            ("found \"password\": hunter2", "found \"password\": ****"),
            ("found password=hunter2", "found password=****"),
        ] {
            assert_eq!(redact_message(msg), hidden);
        }
        assert_eq!(
            redact("cannot tell the file's format; pass --parser dockerfile"),
            "cannot tell the file's format; pass --parser dockerfile"
        );
    }

    #[test]
    fn escapes_control_characters() {
        assert_eq!(
            escape_controls(
                "a\n::error file=x::INJECTED\r\x1b]0;t\x07\x1b[31m\u{202e}z\u{9b}\x7f\tb"
            ),
            "a\\n::error file=x::INJECTED\\r\\x1b]0;t\\x07\\x1b[31m\\u{202e}z\\x9b\\x7f\tb"
        );
        assert_eq!(escape_controls_but_newlines("a\nb\x1b"), "a\nb\\x1b");
        assert!(matches!(escape_controls("FROM alpine"), Cow::Borrowed(_)));
        // One call does both, for text reports and standard error.
        assert_eq!(text("ENV A_TOKEN=abcdef\x1b[2J"), "ENV A_TOKEN=****");
        assert_eq!(
            text("x\x1b[2J ENV A_TOKEN=abcdef"),
            "x\\x1b[2J ENV A_TOKEN=****"
        );
    }

    #[test]
    fn no_printed_line_starts_a_workflow_command() {
        assert_eq!(
            lines("policy error\n  ::error file=x::INJECTED\n\x1b[31mred"),
            "policy error\n  \\x3a:error file=x::INJECTED\n\\x1b[31mred"
        );
        assert_eq!(
            error_lines("bad\nDB_PASSWORD hunter2"),
            "bad\nDB_PASSWORD ****"
        );
    }

    #[test]
    fn leaves_ordinary_lines_alone() {
        for line in [
            "FROM nginx:1.27",
            "RUN apt-get install -y curl",
            "USER 1000",
            "RUN date -u +%Y-%m-%dT%H:%M:%SZ",
        ] {
            assert_eq!(redact(line), line);
        }
    }

    #[test]
    fn hides_a_value_whole_whatever_its_quotes_and_escapes() {
        for (line, shown) in [
            // A quote never closed runs to the end of the line.
            (r#"ENV DB_PASSWORD="hunter2xyz"#, "ENV DB_PASSWORD=****"),
            (r#"ENV DB_PASSWORD='hunter2 xyz"#, "ENV DB_PASSWORD=****"),
            // The legacy form: the value is the rest of the line.
            (
                "ENV DB_PASSWORD correct horseXX batteryXX",
                "ENV DB_PASSWORD ****",
            ),
            (
                r#"ENV DB_PASSWORD=abc"horseXX batteryXX""#,
                "ENV DB_PASSWORD=****",
            ),
            (r"ENV DB_PASSWORD=abc\ horseXX", "ENV DB_PASSWORD=****"),
            (r#"ENV DB_PASSWORD="abc\" horseXX""#, "ENV DB_PASSWORD=****"),
            (
                r#"ENV A=1 DB_PASSWORD='x y' B=2"#,
                "ENV A=1 DB_PASSWORD=**** B=2",
            ),
            // Every separator, the value after it (not its `=`).
            (r#"password := "x""#, "password := ****"),
            (r#"token == "abc""#, "token == ****"),
            (
                "db_password: hunter2 # set by ops",
                "db_password: **** # set by ops",
            ),
            (
                r#"{"DB_PASSWORD": "hunter2", "X": 1}"#,
                r#"{"DB_PASSWORD": ****, "X": 1}"#,
            ),
            (
                r#""Env": ["PATH=/bin", "GITHUB_TOKEN=abc def", "X=1"]"#,
                r#""Env": ["PATH=/bin", "GITHUB_TOKEN=****", "X=1"]"#,
            ),
            (
                r#""TOKEN=abc" "API_KEY=def""#,
                r#""TOKEN=****" "API_KEY=****""#,
            ),
            (
                "    - {name: API_TOKEN, value: hunterFLOW77}",
                "    - {name: API_TOKEN, value: ****}",
            ),
            (
                "    environment: {DB_PASSWORD: hunter2, USER: x}",
                "    environment: {DB_PASSWORD: ****, USER: x}",
            ),
            (
                "    env: [{name: USER, value: x}, {name: X_PASSWORD, value: 12345678}]",
                "    env: [{name: USER, value: x}, {name: X_PASSWORD, value: ****}]",
            ),
            ("  DB_PASSWORD: a,b", "  DB_PASSWORD: ****"),
            (
                r#"    args: ["redis-server", "--requirepass", "s3cr3tvalue"]"#,
                r#"    args: ["redis-server", "--requirepass", "****"]"#,
            ),
            (
                "    command: redis-server --masterauth s3cr3tvalue --port 6379",
                "    command: redis-server --masterauth **** --port 6379",
            ),
            // `requirepass` is a secret name too (it ends in PASS), and a secret name
            // followed by a blank hides the rest of the line, as `ENV NAME value` does.
            (
                "    command: redis-server --requirepass s3cr3tvalue --port 6379",
                "    command: redis-server --requirepass ****",
            ),
            (
                "    args: [sh, -c, redis-server --masterauth 's3cr3t' --port 1]",
                "    args: [sh, -c, redis-server --masterauth '****' --port 1]",
            ),
            (
                r#"    args: ["--api-key", "s3cr3tvalue"]"#,
                r#"    args: ["--api-key", "****"]"#,
            ),
            (
                r#"{"name": "API_KEY", "value": "x1234"}, {"name": "B", "value": "y"}"#,
                r#"{"name": "API_KEY", "value": ****}, {"name": "B", "value": "y"}"#,
            ),
            (
                r#"RUN sh -c "export TOKEN=abc def" && echo ok"#,
                r#"RUN sh -c "export TOKEN=****" && echo ok"#,
            ),
            (
                r#"RUN echo "x" && export TOKEN="abc def" && echo ok"#,
                r#"RUN echo "x" && export TOKEN=**** && echo ok"#,
            ),
        ] {
            assert_eq!(redact(line), shown, "{line}");
        }
        // A rule message keeps the word after a name (`sets`), but not a value.
        assert_eq!(
            redact_message(r#"ENV DB_PASSWORD sets it; DB_PASSWORD="a b"#),
            "ENV DB_PASSWORD sets it; DB_PASSWORD=****"
        );
    }

    #[test]
    fn an_error_keeps_the_reason_after_a_file_name() {
        for msg in [
            "d2/secret.json: resolves outside /tmp/x (a symlink or `..` leaving the scanned tree); not read",
            "config file /etc/passwd:1: invalid type: string",
            "config file passwd:1: invalid type: string",
            "tok/token.yaml: resolves outside /w",
            "secret.json: not found",
            "cannot read d2/api_token: permission denied",
        ] {
            assert_eq!(redact_error(msg), msg);
            assert_eq!(lines(msg), msg);
        }
        // A value after the file name is still hidden, and so is every `=` form.
        assert_eq!(
            redact_error("d2/secret.json: DB_PASSWORD=hunter2 is bad"),
            "d2/secret.json: DB_PASSWORD=**** is bad"
        );
        assert_eq!(redact_error("sed s/x/TOKEN=abcdef/"), "sed s/x/TOKEN=****");
        assert_eq!(redact_error("password:hunter2"), "password:****");
        // An assignment an error quotes ends where its quote does.
        assert_eq!(
            redact_error(r#"Got `"ENV DB_PASSWORD=hunter2"` instead"#),
            r#"Got `"ENV DB_PASSWORD=****"` instead"#
        );
        // A quoted source line is no error: a Secret's `credentials.json: <data>` hides.
        assert_eq!(
            redact("  credentials.json: c2VjcmV0"),
            "  credentials.json: ****"
        );
    }

    #[test]
    fn finds_the_secret_values_of_any_input() {
        let pod =
            "env:\n- name: DB_PASSWORD\n  value: hunterPOD1\n- name: OTHER\n  value: visible1\n";
        let compose = "environment:\n  DB_PASSWORD: \"hunterCMP2\"\n";
        let json =
            r#"{"env": [{"name": "API_KEY", "value": "hunterJSN4"}], "secret": "hunterJSN5"}"#;
        let dockerfile = "FROM a\nENV DB_PASSWORD correct horse\nARG TOKEN=\"abc\\\" def\"\n";
        let message = "Got hunterpod1, HUNTERCMP2, hunterJSN4, hunterJSN5, visible1, \
                       correct horse, abc\" def";
        let secrets = Secrets::in_text(pod, None)
            .with(&Secrets::in_text(compose, None))
            .with(&Secrets::in_text(json, None))
            .with(&Secrets::in_text(dockerfile, None));
        assert_eq!(
            secrets.hide(message),
            "Got ****, ****, ****, ****, visible1, ****, ****"
        );
        // A parsed document: an image config's Env, a Dockerfile's [name, value] pairs.
        let doc = serde_json::json!({
            "config": {"Env": ["PATH=/bin", "GITHUB_TOKEN=hunterENV3"]},
            "instr": [{"Cmd": "env", "Value": ["SMTP_PASS", "hunterENV4"]}],
            "k8s": [{"name": "API_KEY", "value": "hunterENV5"}],
            "apiKey": 12345678,
            "settings": {"token_required": true},
        });
        assert_eq!(
            Secrets::in_document(&doc).hide("hunterENV3 hunterENV4 hunterENV5 12345678 /bin true"),
            "**** **** **** **** /bin true"
        );
    }

    #[test]
    fn hiding_values_is_bounded() {
        // A value longer than the part looked for is still hidden whole.
        let long = "x".repeat(3 * MAX_VALUE_KEY);
        let secrets = Secrets::in_text(&format!("ENV A_TOKEN={long}\n"), None);
        assert_eq!(secrets.hide(&format!("Got \"{long}\"")), "Got \"****\"");
        // A message of any size is cut, never a value in half.
        let huge = format!("{} Got {long}", "y".repeat(MAX_ERROR_MESSAGE));
        let hidden = secrets.hide(&huge);
        assert!(hidden.len() < MAX_ERROR_MESSAGE + 64, "{}", hidden.len());
        assert!(hidden.ends_with("more bytes not shown)"), "{hidden}");
        let near = format!("{}{long}", "y".repeat(MAX_ERROR_MESSAGE - 10));
        assert!(!secrets.hide(&near).contains("xxxxx"));
        // A secret on every line of a file of 20 MB: bounded values and bytes scanned.
        let many: String = (0..400_000)
            .map(|i| format!("ENV T_TOKEN=v{i:045}\n"))
            .collect();
        let start = std::time::Instant::now();
        let secrets = Secrets::in_text(&many, None);
        assert!(secrets.values.len() <= MAX_HIDDEN_VALUES);
        assert_eq!(secrets.hide(&format!("v{:045} X", 1)), "**** X");
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn escapes_invisible_and_line_breaking_characters() {
        for c in [
            '\u{2028}', '\u{2029}', '\u{200b}', '\u{200d}', '\u{200f}', '\u{2060}', '\u{2064}',
            '\u{feff}', '\u{85}', '\u{9b}', '\u{202e}',
        ] {
            let escaped = escape_controls(&format!("a{c}b")).into_owned();
            assert!(!escaped.contains(c), "{c:?}: {escaped}");
            assert!(escaped.starts_with("a\\") && escaped.ends_with('b'));
            assert!(json_escaped(c), "{c:?}");
        }
        assert!(!json_escaped('\n') && !json_escaped('é'));
        // A line of several that begins a workflow command, however it is indented.
        assert_eq!(
            escape_controls_but_newlines("x\n::error::a\n  ::warning::b\r::c\n:d"),
            "x\n\\x3a:error::a\n  \\x3a:warning::b\r\\x3a:c\n:d"
        );
        assert_eq!(escape_controls_but_newlines("::x"), "\\x3a:x");
        assert!(matches!(
            escape_controls_but_newlines("a: b\nc::d"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn shortens_long_quoted_input() {
        let passwd = format!("root:x:0:0:root:/root:/bin/bash {}", "d".repeat(200));
        let msg = format!("invalid type: string {passwd:?}, expected struct Config");
        let short = shorten_quoted(&msg, 80);
        assert!(short.chars().count() < 160, "{short}");
        assert!(
            short.starts_with("invalid type: string \"root:x:0:0:"),
            "{short}"
        );
        assert!(
            short.ends_with("(232 characters), expected struct Config"),
            "{short}"
        );
        assert_eq!(shorten_quoted("unknown field `x`", 80), "unknown field `x`");
    }
}
