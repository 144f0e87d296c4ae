//! Every flag of conftest's `test`, `verify` and `parse` exists in dockpolicy under the same
//! name (and short name), and every one is exercised by at least one differential case in
//! tests/fixtures/conftest/ (tests/conftest_differential.rs compares those with conftest).
//!
//! Conftest's help texts are recorded in tests/fixtures/conftest-help/; with
//! `$DOCKPOLICY_CONFTEST` set, the records must equal what that conftest prints now, and
//! `DOCKPOLICY_CONFTEST_RECORD=1` writes them afresh. So a newer conftest with a new flag
//! fails here until the flag is built and covered.

mod conftest_cases;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use regex::Regex;

/// The commands whose flags are compared.
const COMMANDS: &[&str] = &["test", "verify", "parse"];

/// Conftest flags dockpolicy leaves out on purpose: (command, long flag, why).
const LEFT_OUT: &[(&str, &str, &str)] = &[
    (
        "test",
        "update",
        "fetching policies from a registry belongs to the registry work",
    ),
    (
        "test",
        "tls",
        "fetching policies from a registry belongs to the registry work",
    ),
];

fn record_path(command: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/conftest-help")
        .join(format!("{command}.txt"))
}

/// Conftest's help for `command`: asked of conftest when it is there (and checked against
/// the record, or recorded), else the record.
fn conftest_help(command: &str) -> String {
    let record = record_path(command);
    let Some(conftest) = std::env::var_os("DOCKPOLICY_CONFTEST") else {
        return std::fs::read_to_string(&record)
            .unwrap_or_else(|e| panic!("{}: {e}", record.display()));
    };
    let out = Command::new(conftest)
        .args([command, "--help"])
        .output()
        .expect("conftest runs");
    let live = String::from_utf8(out.stdout).expect("help is UTF-8");
    if std::env::var_os("DOCKPOLICY_CONFTEST_RECORD").is_some() {
        std::fs::write(&record, &live).unwrap();
    } else {
        let recorded = std::fs::read_to_string(&record).unwrap_or_default();
        assert_eq!(
            recorded,
            live,
            "{} differs from `conftest {command} --help`: rerun with DOCKPOLICY_CONFTEST_RECORD=1",
            record.display()
        );
    }
    live
}

/// The flags a help text lists: long name -> short letter, if any.
fn flags_of(help: &str) -> BTreeMap<String, Option<char>> {
    let flag = Regex::new(r"(?m)^\s+(?:-([A-Za-z]), )?--([a-z0-9-]+)").unwrap();
    flag.captures_iter(help)
        .map(|c| {
            let short = c.get(1).and_then(|m| m.as_str().chars().next());
            (c[2].to_owned(), short)
        })
        .filter(|(long, _)| long != "help")
        .collect()
}

fn dockpolicy_help(command: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dockpolicy"))
        .args([command, "--help"])
        .output()
        .expect("dockpolicy runs");
    String::from_utf8(out.stdout).expect("help is UTF-8")
}

fn left_out(command: &str, long: &str) -> bool {
    LEFT_OUT.iter().any(|(c, f, _)| *c == command && *f == long)
}

/// The long flags each command's cases use, shorts translated with conftest's help.
fn flags_used_by_cases(
    flags: &BTreeMap<&str, BTreeMap<String, Option<char>>>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for dir in conftest_cases::case_dirs() {
        let words = conftest_cases::command_line(&dir);
        let command = words[0].clone();
        let Some(known) = flags.get(command.as_str()) else {
            continue;
        };
        for word in &words[1..] {
            let long = if let Some(long) = word.strip_prefix("--") {
                Some(long.split('=').next().unwrap().to_owned())
            } else if let Some(short) = word.strip_prefix('-').and_then(|s| s.chars().next()) {
                known
                    .iter()
                    .find(|(_, s)| **s == Some(short))
                    .map(|(long, _)| long.clone())
            } else {
                None
            };
            used.entry(command.clone()).or_default().extend(long);
        }
    }
    used
}

#[test]
fn every_conftest_flag_exists_in_dockpolicy() {
    let mut missing = Vec::new();
    for command in COMMANDS {
        let ours = flags_of(&dockpolicy_help(command));
        for (long, short) in flags_of(&conftest_help(command)) {
            if left_out(command, &long) {
                continue;
            }
            match ours.get(&long) {
                None => missing.push(format!("{command} --{long}")),
                Some(our_short) if short.is_some() && *our_short != short => missing.push(format!(
                    "{command} --{long}: conftest's short form is -{}",
                    short.unwrap()
                )),
                Some(_) => {}
            }
        }
    }
    assert!(
        missing.is_empty(),
        "conftest flags dockpolicy lacks (build them, or list them in LEFT_OUT with the reason):\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn every_conftest_flag_is_compared_with_conftest() {
    let flags: BTreeMap<&str, BTreeMap<String, Option<char>>> = COMMANDS
        .iter()
        .map(|command| (*command, flags_of(&conftest_help(command))))
        .collect();
    let used = flags_used_by_cases(&flags);
    let mut uncovered = Vec::new();
    for (command, known) in &flags {
        for long in known.keys() {
            let covered = used.get(*command).is_some_and(|set| set.contains(long));
            if !covered && !left_out(command, long) {
                uncovered.push(format!("{command} --{long}"));
            }
        }
    }
    assert!(
        uncovered.is_empty(),
        "conftest flags no case in tests/fixtures/conftest/ uses (add a case):\n  {}",
        uncovered.join("\n  ")
    );
}
