//! Inline suppression pragmas.
//!
//! `# dockpolicy ignore=DP001,DP010 reason` on the line(s) before an instruction (or any
//! located line, such as a manifest's `image:`) suppresses those rules there;
//! `# dockpolicy global ignore=DP004` anywhere suppresses them for the whole file. Rules
//! are named by id or slug. Suppressed findings are kept, counted, and shown with
//! `--show-suppressed`, so a suppression is always visible to whoever asks. A heredoc
//! body (`COPY <<EOF` ... `EOF`) is file content, not Dockerfile: a pragma-like line in
//! it is content too.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;
use std::sync::LazyLock;

use regex::Regex;

use super::CheckResult;

static PRAGMA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*#\s*dockpolicy\s+(global\s+)?ignore\s*=\s*([A-Za-z0-9_,\-]+)")
        .expect("valid pragma regex")
});

/// The pragmas of one file.
#[derive(Debug, Default, PartialEq)]
pub struct Pragmas {
    global: BTreeSet<String>,
    by_line: BTreeMap<usize, BTreeSet<String>>,
}

impl Pragmas {
    /// Reads pragmas from source text. `resolve` maps a name (id or slug) to the rule id.
    pub fn parse(text: &str, resolve: impl Fn(&str) -> String) -> Pragmas {
        Self::parse_outside(text, &[], resolve)
    }

    /// Reads pragmas from source text except the 1-based line ranges in `content` (in
    /// order): a Dockerfile's heredoc bodies, which are neither pragmas nor lines a
    /// pragma targets.
    pub fn parse_outside(
        text: &str,
        content: &[RangeInclusive<usize>],
        resolve: impl Fn(&str) -> String,
    ) -> Pragmas {
        let mut pragmas = Pragmas::default();
        // Every pragma names the tool; most files never do, and skip the per-line regex.
        if !text.contains("dockpolicy") {
            return pragmas;
        }
        let mut pending: BTreeSet<String> = BTreeSet::new();
        let mut content = content.iter().peekable();
        for (idx, line) in text.lines().enumerate() {
            while content.next_if(|r| *r.end() < idx + 1).is_some() {}
            if content.peek().is_some_and(|r| r.contains(&(idx + 1))) {
                continue;
            }
            if let Some(caps) = PRAGMA.captures(line) {
                let ids = caps[2].split(',').filter(|s| !s.is_empty()).map(&resolve);
                if caps.get(1).is_some() {
                    pragmas.global.extend(ids);
                } else {
                    pending.extend(ids);
                }
                continue;
            }
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') || pending.is_empty() {
                continue;
            }
            pragmas
                .by_line
                .entry(idx + 1)
                .or_default()
                .append(&mut pending);
        }
        pragmas
    }

    pub fn is_empty(&self) -> bool {
        self.global.is_empty() && self.by_line.is_empty()
    }

    fn suppresses(&self, id: &str, line: Option<usize>) -> bool {
        self.global.contains(id)
            || line.is_some_and(|l| self.by_line.get(&l).is_some_and(|ids| ids.contains(id)))
    }

    /// Moves the findings these pragmas cover into `result.suppressed`.
    pub fn apply(&self, result: &mut CheckResult) {
        if self.is_empty() {
            return;
        }
        for list in [&mut result.failures, &mut result.warnings] {
            let (hidden, kept): (Vec<_>, Vec<_>) =
                std::mem::take(list).into_iter().partition(|f| {
                    f.metadata
                        .get("id")
                        .and_then(|v| v.as_str())
                        .is_some_and(|id| self.suppresses(id, f.line))
                });
            *list = kept;
            result.suppressed.extend(hidden);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pragmas_target_the_next_instruction_or_the_file() {
        let text = "# dockpolicy global ignore=DP004\nFROM nginx\n# dockpolicy ignore=DP001,latest-tag because\n\n# another comment\nFROM redis\nRUN x\n";
        let p = Pragmas::parse(text, |n| {
            if n == "latest-tag" {
                "DP001".into()
            } else {
                n.to_uppercase()
            }
        });
        assert!(p.suppresses("DP004", None));
        assert!(p.suppresses("DP001", Some(6)));
        assert!(!p.suppresses("DP001", Some(2)));
        assert!(!p.suppresses("DP001", Some(7)));
    }

    #[test]
    fn a_pragma_inside_a_heredoc_body_is_content() {
        let text = "FROM nginx\nCOPY <<EOF /etc/x\n# dockpolicy ignore=DP006\n# dockpolicy global ignore=DP004\nEOF\nENV A=1\n";
        let p = Pragmas::parse_outside(text, &[3..=5], str::to_owned);
        assert!(p.is_empty());
        // Outside the body the same lines are pragmas.
        let p = Pragmas::parse(text, str::to_owned);
        assert!(p.suppresses("DP004", None));
        assert!(p.suppresses("DP006", Some(5)));
    }
}
