//! `--namespace` patterns, matched as conftest matches them: when any given name holds a
//! glob character (`*`, `?`, `[`), every name is a pattern in the syntax of Go's
//! `path.Match`, checked against every package; otherwise the names are taken literally.
//! Package names hold no `/`, so `*` matches any run of characters, dots included
//! (`k8s.*` matches `k8s.a.b`).

/// Whether conftest would read `names` as patterns rather than literal package names.
pub fn any_wildcard(names: &[String]) -> bool {
    names.iter().any(|n| n.contains(['*', '?', '[']))
}

/// Whether `name` matches `pattern`; an error for a malformed pattern (an unclosed `[`,
/// a trailing `\`), worded as Go's.
pub fn matches(pattern: &str, name: &str) -> Result<bool, String> {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let bad = || Err("syntax error in pattern".to_owned());
    // Go's path.Match reports a malformed pattern even when the name already failed to
    // match before reaching the bad part, so the pattern is checked whole first.
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            '\\' if i + 1 == pattern.len() => return bad(),
            '\\' => i += 2,
            '[' => match class_end(&pattern, i) {
                Some(end) => i = end,
                None => return bad(),
            },
            _ => i += 1,
        }
    }
    Ok(match_from(&pattern, &name))
}

/// Backtracking match of the whole of `name` against the whole of `pattern`.
fn match_from(pattern: &[char], name: &[char]) -> bool {
    let Some((&first, rest)) = pattern.split_first() else {
        return name.is_empty();
    };
    match first {
        '*' => (0..=name.len()).any(|skip| match_from(rest, &name[skip..])),
        '?' => !name.is_empty() && match_from(rest, &name[1..]),
        '[' => {
            let end = class_end(pattern, 0).unwrap_or(pattern.len());
            !name.is_empty()
                && class_matches(&pattern[1..end - 1], name[0])
                && match_from(&pattern[end..], &name[1..])
        }
        '\\' => name.first() == pattern.get(1) && match_from(&pattern[2..], &name[1..]),
        c => name.first() == Some(&c) && match_from(rest, &name[1..]),
    }
}

/// The index just past the `]` closing the class that opens at `start`, if it is
/// well formed (not empty, ranges complete).
fn class_end(pattern: &[char], start: usize) -> Option<usize> {
    let mut i = start + 1;
    if pattern.get(i) == Some(&'^') {
        i += 1;
    }
    let mut members = 0;
    loop {
        let c = *pattern.get(i)?;
        match c {
            ']' if members > 0 => return Some(i + 1),
            // Go refuses an empty class and a range with no start.
            ']' | '-' => return None,
            _ => {}
        }
        i += if c == '\\' { 2 } else { 1 };
        if pattern.get(i) == Some(&'-') {
            let hi = *pattern.get(i + 1)?;
            if hi == ']' || hi == '-' {
                return None;
            }
            i += if hi == '\\' { 3 } else { 2 };
        }
        members += 1;
    }
}

/// Whether `c` is in the class `body` (what is between `[` and `]`).
fn class_matches(body: &[char], c: char) -> bool {
    let (negated, body) = match body.split_first() {
        Some(('^', rest)) => (true, rest),
        _ => (false, body),
    };
    let mut found = false;
    let mut i = 0;
    while i < body.len() {
        let lo = if body[i] == '\\' {
            i += 1;
            body[i]
        } else {
            body[i]
        };
        i += 1;
        let mut hi = lo;
        if body.get(i) == Some(&'-') {
            i += 1;
            hi = if body[i] == '\\' {
                i += 1;
                body[i]
            } else {
                body[i]
            };
            i += 1;
        }
        found |= lo <= c && c <= hi;
    }
    found != negated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_as_go_path_match() {
        assert_eq!(matches("*", "main"), Ok(true));
        assert_eq!(matches("*", "k8s.a.b"), Ok(true));
        assert_eq!(matches("c*", "combine"), Ok(true));
        assert_eq!(matches("c*", "main"), Ok(false));
        assert_eq!(matches("k8s.*", "k8s.simple.deployment"), Ok(true));
        assert_eq!(matches("ma?n", "main"), Ok(true));
        assert_eq!(matches("ma?n", "man"), Ok(false));
        assert_eq!(matches("[a-m]ain", "main"), Ok(true));
        assert_eq!(matches("[^a-m]ain", "main"), Ok(false));
        assert_eq!(matches("[^x]ain", "main"), Ok(true));
        assert_eq!(matches("ma\\in", "main"), Ok(true));
        assert_eq!(matches("main", "main.x"), Ok(false));
        assert!(matches("m[", "main").is_err());
        assert!(matches("x[", "main").is_err());
        assert!(matches("m[]", "main").is_err());
        assert!(matches("m\\", "main").is_err());
        assert!(any_wildcard(&["main".into(), "k*".into()]));
        assert!(!any_wildcard(&["main".into(), "ma\\in".into()]));
    }
}
