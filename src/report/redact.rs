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
use std::sync::LazyLock;

use regex::{Regex, RegexSet};

/// DP006's secret-name words, read from secrets.rego by build.rs.
mod names {
    include!(concat!(env!("OUT_DIR"), "/secret_names.rs"));
}

/// The redaction patterns: (regex, replacement, applies to rule messages too).
static SOURCES: LazyLock<Vec<(String, &'static str, bool)>> = LazyLock::new(|| {
    let name = secret_name_pattern(false);
    let spaced_name = secret_name_pattern(true);
    vec![
        // Known credential formats, whatever surrounds them.
        (
            r"\b(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b".into(),
            "$1****",
            true,
        ),
        (r"\b(gh[pousr]_)[A-Za-z0-9]{20,}".into(), "$1****", true),
        (r"\b(github_pat_)[A-Za-z0-9_]{20,}".into(), "$1****", true),
        (r"\b(glpat-)[A-Za-z0-9_\-]{10,}".into(), "$1****", true),
        (r"\b(xox[baprs]-)[A-Za-z0-9\-]{6,}".into(), "$1****", true),
        // NAME=value and NAME: value where NAME is secret-like, in any case (an error
        // message may have upper-cased the line it quotes: `DB_PASSWORD=HUNTER2`).
        (
            format!(r#"(?i)\b({name})(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s"']+)"#),
            "$1$2****",
            true,
        ),
        // NAME value (the legacy `ENV NAME value` form). Not in rule messages, whose prose
        // follows a name with a verb ("ENV DB_PASSWORD sets a literal secret").
        (
            format!(r#"(?i)\b({spaced_name})(\s+)("[^"]*"|'[^']*'|[^\s"']+)"#),
            "$1$2****",
            false,
        ),
        // scheme://user:password@host
        (
            r"([a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@'\x22]+:)[^\s/@'\x22]+@".into(),
            "$1****@",
            true,
        ),
        // curl -u user:password, curl --user=user:password
        (
            r#"(\bcurl\b[^|;&\n]*\s(?:-u|--user)[= ]?\s*['"]?[^\s:'"]+:)[^\s'"]+"#.into(),
            "$1****",
            true,
        ),
        // --password=value, --password value
        (
            r#"((?:^|\s)--(?:password|passwd|pass)[= ]['"]?)[^\s'"]+"#.into(),
            "$1****",
            true,
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
        // After a separator, or capitalised after a lower-case letter (`smtpPass`).
        let capitalised: Vec<String> = names::SECRET_LAST_WORDS
            .iter()
            .map(|w| {
                let mut chars = w.chars();
                let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
                regex::escape(&format!("{}{}", first.unwrap_or_default(), chars.as_str()))
            })
            .collect();
        format!(
            r"(?:[_.\-](?:{})|(?-i:[a-z0-9](?:{})))",
            last.join("|"),
            capitalised.join("|")
        )
    } else {
        format!("(?:{})", last.join("|"))
    };
    format!("{part}(?:{}){part}|{part}{last}", anywhere.join("|"))
}

struct Patterns {
    all: Vec<(Regex, &'static str, bool)>,
    /// All the patterns in one automaton: most strings match none of them, and one scan
    /// says so where ten did (the text report quotes a line under each of ~10,000
    /// findings over the corpus, and the separate scans were most of its rendering time).
    any: RegexSet,
}

static PATTERNS: LazyLock<Patterns> = LazyLock::new(|| Patterns {
    all: SOURCES
        .iter()
        .map(|(re, with, msg)| (Regex::new(re).expect("valid redaction regex"), *with, *msg))
        .collect(),
    any: RegexSet::new(SOURCES.iter().map(|(re, _, _)| re)).expect("valid redaction regexes"),
});

fn apply(text: &str, in_message: bool) -> Cow<'_, str> {
    let patterns = &*PATTERNS;
    if !patterns.any.is_match(text) {
        return Cow::Borrowed(text);
    }
    let mut out = Cow::Borrowed(text);
    for (re, with, for_messages) in &patterns.all {
        if (!in_message || *for_messages) && re.is_match(&out) {
            out = Cow::Owned(re.replace_all(&out, *with).into_owned());
        }
    }
    out
}

/// `line` (a quoted source line, or an error message that quotes input) with every
/// secret-looking value replaced by `****`.
pub fn redact(line: &str) -> Cow<'_, str> {
    apply(line, false)
}

/// A rule's message with every secret-looking value replaced by `****`: as `redact`, less
/// the `NAME value` form, which would take the word after a name for its value.
pub fn redact_message(msg: &str) -> Cow<'_, str> {
    apply(msg, true)
}

/// Shortest value `hide_values_of` hides: shorter ones (`x`, `no`) would hide words of the
/// message that are no secret.
const MIN_HIDDEN_VALUE: usize = 4;

/// Lines either side of an error's line whose secret values `hide_values_of` hides: an
/// error quotes the instruction it is about, which starts or ends there.
pub const HIDE_WINDOW: usize = 256;

/// Most values `hide_values_of` looks for, so a hostile file with a secret on every line
/// costs a bounded amount of work for its one error.
pub const MAX_HIDDEN_VALUES: usize = 1024;

/// `message` (an error about line `line` of `source`, which may quote a part of it or
/// change its case) with every secret value that `redact` would hide in the lines around
/// `line` hidden too, whatever its ASCII case: the line `DB_PASSWORD=hunter2 ./x` makes
/// `unknown instruction: DB_PASSWORD=HUNTER2` and `can't find = in "hunter2"` both hide
/// `hunter2`. Every report also redacts the message itself (`redact`).
pub fn hide_values_of(source: &str, line: usize, message: &str) -> String {
    let patterns = &*PATTERNS;
    let first = line.saturating_sub(HIDE_WINDOW + 1);
    let mut values: Vec<String> = Vec::new();
    'lines: for text in source
        .lines()
        .skip(first)
        .take(2 * HIDE_WINDOW + 1)
        .filter(|l| patterns.any.is_match(l))
    {
        for (re, with, _) in &patterns.all {
            // The groups the replacement keeps come first; the rest of the match is the
            // secret (and the `@` after a URL's password).
            let kept = if with.starts_with("$1$2") { 2 } else { 1 };
            for caps in re.captures_iter(text) {
                let (Some(all), Some(keep)) = (caps.get(0), caps.get(kept)) else {
                    continue;
                };
                let value = text[keep.end()..all.end()]
                    .trim_end_matches('@')
                    .trim_matches(|c| c == '"' || c == '\'');
                if value.chars().count() >= MIN_HIDDEN_VALUE {
                    values.push(value.to_ascii_lowercase());
                    if values.len() >= MAX_HIDDEN_VALUES {
                        break 'lines;
                    }
                }
            }
        }
    }
    // Longest first: a value that contains another is hidden whole.
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    values.dedup();
    let mut out = message.to_owned();
    for value in values {
        // ASCII lower-casing keeps every byte where it was, so positions found in the
        // lower-cased message are positions in the message.
        let lower = out.to_ascii_lowercase();
        if !lower.contains(&value) {
            continue;
        }
        let mut hidden = String::with_capacity(out.len());
        let mut from = 0;
        for (at, _) in lower.match_indices(&value) {
            hidden.push_str(&out[from..at]);
            hidden.push_str("****");
            from = at + value.len();
        }
        hidden.push_str(&out[from..]);
        out = hidden;
    }
    out
}

/// Whether `c` must not reach a terminal or log raw: C0 and C1 controls and DEL (tab
/// aside, which only moves the cursor right), and the bidirectional marks and overrides
/// that make text display in another order than it reads.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
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

/// `text` with every control character escaped, line breaks included: one line, that
/// does nothing to a terminal.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// As `escape_controls`, but leaving LF and CR for the caller to encode.
pub fn escape_controls_but_newlines(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// A quoted source line, error message or name for a text report or standard error:
/// redacted, then escaped.
pub fn text(s: &str) -> String {
    escape_controls(&redact(s)).into_owned()
}

/// A rule's message for a text report: redacted as a message, then escaped.
pub fn message(s: &str) -> String {
    escape_controls(&redact_message(s)).into_owned()
}

/// A message that is several lines by nature (a compile error with its source snippet),
/// for a text report or standard error: each line redacted and escaped, its line breaks
/// kept. A line that would begin with `::` once its indentation is trimmed (what GitHub
/// reads as a workflow command) has that first `:` escaped as `\x3a`.
pub fn lines(s: &str) -> String {
    lines_with(s, message)
}

/// As `lines`, for an error about an input, redacted as a quoted line is (`text`).
pub fn error_lines(s: &str) -> String {
    lines_with(s, text)
}

fn lines_with(s: &str, clean: fn(&str) -> String) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = clean(line);
        let body = line.trim_start();
        if body.starts_with("::") {
            out.push_str(&line[..line.len() - body.len()]);
            out.push_str("\\x3a");
            out.push_str(&body[1..]);
        } else {
            out.push_str(&line);
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
    fn leaves_rule_messages_readable() {
        for msg in [
            "ENV DB_PASSWORD sets a literal secret (su****) that anyone who pulls the image can read",
            "ENV SMTP_PASS sets a literal secret (su****) that anyone who pulls the image can read",
            "RUN contains a user:password passed to curl -u/--user; use RUN --mount=type=secret instead",
            "ARG GITHUB_TOKEN has a literal secret default (gh****), kept in the image history",
        ] {
            assert_eq!(redact_message(msg), msg);
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
}
