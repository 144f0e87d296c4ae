//! The conftest differential cases under tests/fixtures/conftest/: finding them and reading
//! their command lines. Shared by the differential test and the flag-coverage test.

use std::path::{Path, PathBuf};

/// Where the case directories live.
fn cases_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conftest")
}

/// The case directories: every directory under tests/fixtures/conftest holding `args`,
/// sorted.
pub fn case_dirs() -> Vec<PathBuf> {
    let root = cases_root();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|d| d.join("args").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The subcommands a case's `args` may name first; without one, the case runs `test`.
pub const SUBCOMMANDS: &[&str] = &["verify", "parse", "doc"];

/// The full command line of a case: its `args`, after `test` unless they name another
/// subcommand first.
pub fn command_line(dir: &Path) -> Vec<String> {
    let line = std::fs::read_to_string(dir.join("args"))
        .unwrap_or_else(|e| panic!("{}/args: {e}", dir.display()));
    let mut words = shell_words(&line);
    // conftest's root flag `-c FILE` may come before the subcommand, which the line then
    // names.
    if words
        .first()
        .is_some_and(|first| first == "-c" || first == "--config-file")
        && words
            .get(2)
            .is_some_and(|command| command == "test" || SUBCOMMANDS.contains(&command.as_str()))
    {
        return words;
    }
    if !words
        .first()
        .is_some_and(|first| SUBCOMMANDS.contains(&first.as_str()))
    {
        words.insert(0, "test".to_owned());
    }
    words
}

/// Splits a line into words as a POSIX shell would for plain words, single quotes, double
/// quotes and backslash escapes (no expansions: `'*'` and `*` are both a literal `*`).
pub fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    w.push(q);
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => w.extend(chars.next()),
                        _ => w.push(q),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            _ => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}
