//! Checks on a user policy's text that OPA makes and regorus does not, so a policy
//! conftest refuses is refused here too: v1 keywords under `--rego-version v0` without
//! their import, and `--strict`'s unused imports, arguments and variables and deprecated builtins.
//! They read the source with comments and strings blanked out (`load::code_only`).

use super::load::code_only;

/// An identifier in a policy's code: its text, byte range and line.
struct Word<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    line: usize,
}

/// Every identifier of `code` (comments and strings already blanked).
fn words(code: &str) -> Vec<Word<'_>> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\n' {
            line += 1;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push(Word {
                text: &code[start..i],
                start,
                end: i,
                line,
            });
            continue;
        }
        if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
            continue;
        }
        i += 1;
    }
    out
}

/// The first character before `at` that is not a space or tab.
fn before(code: &str, at: usize) -> Option<char> {
    code[..at].chars().rev().find(|c| *c != ' ' && *c != '\t')
}

/// The first character from `at` on that is not whitespace.
fn after(code: &str, at: usize) -> Option<char> {
    code[at..].chars().find(|c| !c.is_whitespace())
}

/// An import: the imported path, its alias (or last part) and its line.
struct Import {
    path: String,
    name: String,
    line: usize,
    /// Where the statement starts and ends in the code: its own words are not uses.
    start: usize,
    end: usize,
}

fn imports(code: &str, words: &[Word]) -> Vec<Import> {
    let mut out = Vec::new();
    for (index, w) in words.iter().enumerate() {
        if w.text != "import" || before(code, w.start).is_some_and(|c| c != '\n' && c != ';') {
            continue;
        }
        // The path runs over the following words joined by dots on the same line.
        let mut parts = Vec::new();
        let mut end = w.end;
        let mut next = index + 1;
        while let Some(part) = words.get(next) {
            let joined = code[end..part.start].trim_matches([' ', '\t']);
            if part.line != w.line || !(parts.is_empty() && joined.is_empty() || joined == ".") {
                break;
            }
            parts.push(part.text);
            end = part.end;
            next += 1;
        }
        let mut name = parts.last().map_or(String::new(), |p| (*p).to_owned());
        if let (Some(kw), Some(alias)) = (words.get(next), words.get(next + 1))
            && kw.text == "as"
            && kw.line == w.line
        {
            name = alias.text.to_owned();
            end = alias.end;
        }
        out.push(Import {
            path: parts.join("."),
            name,
            line: w.line,
            start: w.start,
            end,
        });
    }
    out
}

/// Under `--rego-version v0`, OPA reads `if`, `contains` and `every` as keywords only
/// after `import future.keywords[.<kw>]` or `import rego.v1`, and refuses v1 syntax
/// without them; regorus reads it anyway. The error names the first such use.
pub fn check_v0_keywords(source: &str) -> Result<(), String> {
    let code = code_only(source);
    let words = words(&code);
    let imported = imports(&code, &words);
    let allowed = |kw: &str| {
        imported.iter().any(|i| {
            i.path == "rego.v1"
                || i.path == "future.keywords"
                || i.path == format!("future.keywords.{kw}")
        })
    };
    for w in &words {
        if before(&code, w.start) == Some('.') {
            continue;
        }
        let next = after(&code, w.end);
        let keyword = match w.text {
            "if" => true,
            "contains" => next != Some('('),
            "every" => next.is_some_and(|c| c.is_ascii_alphabetic() || c == '_'),
            _ => false,
        };
        if keyword && !allowed(w.text) {
            return Err(format!(
                "line {}: `{kw}` is Rego v1 syntax, which --rego-version v0 reads only after \
                 `import future.keywords.{kw}` (or `import rego.v1`)",
                w.line,
                kw = w.text
            ));
        }
    }
    Ok(())
}

/// Builtins OPA deprecates, which strict mode refuses.
const DEPRECATED_BUILTINS: &[&str] = &[
    "any",
    "all",
    "re_match",
    "net.cidr_overlap",
    "set_diff",
    "cast_array",
    "cast_set",
    "cast_string",
    "cast_boolean",
    "cast_null",
    "cast_object",
];

/// `--strict`: OPA's strict-mode errors that a policy's text shows — an import that is
/// unused or imported twice, a function argument or a local variable assigned (`:=`) that
/// is never used, and a call of a deprecated builtin. Every error found is listed, one per
/// line and in line order, as OPA does.
pub fn check_strict(source: &str) -> Result<(), String> {
    let code = code_only(source);
    let words = words(&code);
    let mut errors = Vec::new();
    let imported = imports(&code, &words);
    for (index, import) in imported.iter().enumerate() {
        if import.path == "rego.v1" || import.path.starts_with("future.keywords") {
            continue;
        }
        let spelled = import_spelling(&code, import);
        let in_an_import = |w: &Word| {
            imported
                .iter()
                .any(|i| i.start <= w.start && w.end <= i.end)
        };
        let used = words.iter().any(|w| {
            w.text == import.name && !in_an_import(w) && before(&code, w.start) != Some('.')
        });
        if !used {
            errors.push(format!("line {}: import {spelled} unused", import.line));
        }
        if imported[..index].iter().any(|i| i.name == import.name) {
            errors.push(format!(
                "line {}: import must not shadow import {}",
                import.line, import.path
            ));
        }
    }
    let statements = statements(&code);
    errors.extend(unused_arguments(&code, &words, &statements));
    errors.extend(unused_assignments(&code, &words, &statements));
    for (name, line) in calls_among(&code, &words) {
        if DEPRECATED_BUILTINS.contains(&name.as_str()) {
            errors.push(format!(
                "line {line}: deprecated built-in function calls in expression: {name}"
            ));
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    // In the order of the policy's lines, as OPA lists them.
    let line_of = |error: &String| -> usize {
        error
            .strip_prefix("line ")
            .and_then(|rest| rest.split(':').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    errors.sort_by_key(line_of);
    Err(errors.join("\n"))
}

/// Every call in `code` (comments and strings blanked): the called name, dotted parts
/// joined (`net.cidr_overlap`), and its line.
pub(super) fn calls(code: &str) -> Vec<(String, usize)> {
    let words = words(code);
    calls_among(code, &words)
}

fn calls_among(code: &str, words: &[Word]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (index, w) in words.iter().enumerate() {
        if before(code, w.start) == Some('.') {
            continue;
        }
        let mut name = w.text.to_owned();
        let mut end = w.end;
        for next in &words[index + 1..] {
            if &code[end..next.start] != "." {
                break;
            }
            name.push('.');
            name.push_str(next.text);
            end = next.end;
        }
        if after(code, end) == Some('(') {
            out.push((name, w.line));
        }
    }
    out
}

/// An import as OPA prints it: `data.lib`, or `data.lib as l`.
fn import_spelling(code: &str, import: &Import) -> String {
    let last = import.path.rsplit('.').next().unwrap_or_default();
    if import.name != last && code[..import.end].ends_with(import.name.as_str()) {
        format!("{} as {}", import.path, import.name)
    } else {
        import.path.clone()
    }
}

/// Where each top-level statement of `code` starts and ends, an `else` branch counted with
/// the rule it continues (OPA counts a function argument used in any branch as used), and
/// the bracket depth at every byte.
struct Statements {
    spans: Vec<(usize, usize)>,
    depth_at: Vec<usize>,
}

fn statements(code: &str) -> Statements {
    let bytes = code.as_bytes();
    let mut depth_at = vec![0usize; bytes.len() + 1];
    let mut depth = 0usize;
    let mut starts = vec![0usize];
    for (i, &c) in bytes.iter().enumerate() {
        depth_at[i] = depth;
        match c {
            b'{' | b'[' | b'(' => depth += 1,
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            b'\n' if depth == 0 => {
                let continues =
                    code[i + 1..]
                        .trim_start()
                        .strip_prefix("else")
                        .is_some_and(|rest| {
                            !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                        });
                if !continues {
                    starts.push(i + 1);
                }
            }
            _ => {}
        }
    }
    starts.push(bytes.len());
    Statements {
        spans: starts.windows(2).map(|w| (w[0], w[1])).collect(),
        depth_at,
    }
}

/// `x := ...` inside a rule whose `x` appears nowhere else in that rule.
fn unused_assignments(code: &str, words: &[Word], statements: &Statements) -> Vec<String> {
    let mut errors = Vec::new();
    for &(start, end) in &statements.spans {
        let in_rule: Vec<&Word> = words
            .iter()
            .filter(|w| w.start >= start && w.end <= end)
            .collect();
        for w in &in_rule {
            let assigned = statements.depth_at[w.start] > 0
                && w.text != "_"
                && before(code, w.start) != Some('.')
                && code[w.end..]
                    .trim_start_matches([' ', '\t'])
                    .starts_with(":=");
            if assigned && uses_in(code, &in_rule, w.text) == 1 {
                errors.push(format!("line {}: assigned var {} unused", w.line, w.text));
            }
        }
    }
    errors
}

/// How often `name` stands as a variable (not after a `.`) among a rule's words.
fn uses_in(code: &str, in_rule: &[&Word], name: &str) -> usize {
    in_rule
        .iter()
        .filter(|o| o.text == name && before(code, o.start) != Some('.'))
        .count()
}

/// A function's argument that neither its head nor any body (of any `else` branch) uses:
/// `f(x, y) := x` leaves `y` unused. Wildcards (`_`) are how an argument says so.
fn unused_arguments(code: &str, words: &[Word], statements: &Statements) -> Vec<String> {
    let mut errors = Vec::new();
    for &(start, end) in &statements.spans {
        let Some((open, close)) = function_arguments(code, start, end) else {
            continue;
        };
        let in_rule: Vec<&Word> = words
            .iter()
            .filter(|w| w.start >= start && w.end <= end)
            .collect();
        for w in in_rule.iter().filter(|w| open < w.start && w.end <= close) {
            let is_variable = w.text != "_"
                && !["true", "false", "null"].contains(&w.text)
                && before(code, w.start) != Some('.')
                && !matches!(after(code, w.end), Some('.' | '['));
            if is_variable && uses_in(code, &in_rule, w.text) == 1 {
                errors.push(format!(
                    "line {}: unused argument {}. (hint: use _ (wildcard variable) instead)",
                    w.line, w.text
                ));
            }
        }
    }
    errors
}

/// The byte positions of the parentheses around a function's arguments, when the statement
/// at `start..end` defines a function (`name(` or `a.b(` begins it).
fn function_arguments(code: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let statement = &code[start..end];
    let head = statement.trim_start();
    let offset = start + statement.len() - head.len();
    let name_len = head
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(head.len());
    let name = &head[..name_len];
    if name.is_empty()
        || name.starts_with(|c: char| c.is_ascii_digit())
        || ["package", "import", "default"].contains(&name)
        || !head[name_len..].starts_with('(')
    {
        return None;
    }
    let open = offset + name_len;
    let mut depth = 0usize;
    for (i, c) in code[open..end].char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((open, open + i));
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_keywords_under_v0_need_their_import() {
        let v1 = "package main\n\ndeny contains msg if {\n  msg := \"x\"\n}\n";
        let err = check_v0_keywords(v1).unwrap_err();
        assert!(err.starts_with("line 3: `contains`"), "{err}");
        let imported = format!(
            "package main\nimport future.keywords.contains\n{}",
            &v1[13..]
        );
        let err = check_v0_keywords(&imported).unwrap_err();
        assert!(err.contains("`if`"), "{err}");
        for fine in [
            format!("package main\nimport future.keywords\n{}", &v1[13..]),
            format!("package main\nimport rego.v1\n{}", &v1[13..]),
            "package main\ndeny[msg] {\n  contains(input.a, \"if\")\n  msg := input.if\n}\n"
                .to_owned(),
        ] {
            assert_eq!(check_v0_keywords(&fine), Ok(()), "{fine}");
        }
    }

    #[test]
    fn strict_mode_finds_what_opa_finds() {
        let policy = "package main\nimport data.lib\nimport data.other as o\nimport data.lib\n\n\
                      deny contains \"x\" if {\n  y := 1\n  any([true])\n  input.a\n}\n";
        let err = check_strict(policy).unwrap_err();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(
            lines,
            vec![
                "line 2: import data.lib unused",
                "line 3: import data.other as o unused",
                "line 4: import data.lib unused",
                "line 4: import must not shadow import data.lib",
                "line 7: assigned var y unused",
                "line 8: deprecated built-in function calls in expression: any",
            ]
        );
        let clean = "package main\nimport data.lib\n\ndeny contains msg if {\n  \
                     x := lib.f(input)\n  msg := sprintf(\"%v\", [x])\n}\n";
        assert_eq!(check_strict(clean), Ok(()));
    }

    #[test]
    fn strict_mode_finds_unused_function_arguments() {
        let policy = "package main\n\nf(x, y) := x\n\ng([a, b], _) := true if {\n  a > 1\n}\n\n\
                      h(p, q) := p if {\n  p > 1\n} else := q\n\nk(m, \"s\", n) if m == n\n";
        let err = check_strict(policy).unwrap_err();
        assert_eq!(
            err.lines().collect::<Vec<_>>(),
            vec![
                "line 3: unused argument y. (hint: use _ (wildcard variable) instead)",
                "line 5: unused argument b. (hint: use _ (wildcard variable) instead)",
            ]
        );
        let used =
            "package main\n\nf(x) := y if {\n  y := x.name\n}\n\ng(input_doc) := input_doc.a\n";
        assert_eq!(check_strict(used), Ok(()));
    }

    #[test]
    fn strict_mode_lists_errors_in_line_order() {
        let policy = "package main\nimport data.lib\n\nf(a, b) := a\n\ndeny contains msg if {\n  \
                      w := 1\n  msg := \"x\"\n}\n";
        let err = check_strict(policy).unwrap_err();
        let lines: Vec<&str> = err.lines().map(|l| l.split(':').next().unwrap()).collect();
        assert_eq!(lines, ["line 2", "line 4", "line 7"]);
    }
}
