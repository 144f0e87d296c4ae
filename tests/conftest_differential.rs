//! dockpolicy against the real conftest: every directory under tests/fixtures/conftest/
//! holding an `args` file is one case, run through both tools in that directory, and both
//! must end the same way: the same exit code and the same standard output.
//!
//! A case directory holds a `policy/` directory (conftest-style Rego), its inputs, and
//! `args`: one line, the arguments after `conftest test`, quoted as in a shell (`-o json
//! -p policy deployment.yaml`, `--namespace '*' ...`). A first word `verify`, `parse` or
//! `doc` runs that command instead of `test`; a line that starts with conftest's root
//! flag `-c FILE` names its subcommand after it. Arguments name the policy directory with `-p
//! policy`: without it conftest finds `./policy` anyway, but dockpolicy would say so on
//! stderr. `doc` writes files, not standard output: it is given `-o` and a fresh directory,
//! and the files it wrote there count as its output (each after a `==> NAME <==` line).
//!
//! Conftest is the judge (`$DOCKPOLICY_CONFTEST`, built by scripts/oracles.sh). Its answers
//! are also recorded beside each case, in `conftest-outcome.txt`, so a run without conftest
//! still checks dockpolicy against them; with conftest, the record must equal what conftest
//! says now. `DOCKPOLICY_CONFTEST_RECORD=1` (with `DOCKPOLICY_CONFTEST`) writes the records
//! afresh.
//!
//! Standard output is compared after normalising what legitimately varies between runs
//! and machines: colour escapes (conftest colours even a pipe), the case directory's
//! absolute path, durations (`time="..."` attributes, `(0.1ms)` after a test's name) and
//! what names the tool itself: `"version": "..."` fields (a tool's own version in SARIF),
//! SARIF's driver name and address, and the version property of a JUnit test suite
//! (conftest's Go version, dockpolicy's own).
//!
//! Markers in a case directory:
//! * `tool-error`: the case is a tool error (an unparsable policy, say); dockpolicy exits 3
//!   there on purpose where conftest exits 1, and the two count as the same exit.
//! * `any-order`: conftest prints the results in an order that changes from run to run
//!   (namespaces come from a Go map; several files are checked concurrently), so both
//!   outputs are compared with their lines sorted.
//! * `known-difference`: one line saying where dockpolicy does not agree yet. The case must
//!   then still differ: once it agrees the test fails and asks for the marker to be deleted,
//!   so the list of known differences only shrinks.
//!
//! A new case directory is picked up without any change here.

mod conftest_cases;

use std::path::{Path, PathBuf};
use std::process::Command;

use conftest_cases::{case_dirs, command_line, shell_words};
use regex::Regex;

/// What a tool answered for a case: its exit code and its normalised standard output.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    exit: i32,
    stdout: String,
}

/// The record file of a case directory.
const RECORD: &str = "conftest-outcome.txt";

fn case_name(dir: &Path) -> String {
    dir.file_name().unwrap().to_string_lossy().into_owned()
}

/// Standard output with what varies between runs and machines made constant.
fn normalise(stdout: &str, dir: &Path) -> String {
    let colour = Regex::new("\x1b\\[[0-9;]*m").unwrap();
    let time = Regex::new(r#"time="[^"]*""#).unwrap();
    let duration = Regex::new(r"\([0-9.]+(ns|µs|us|ms|s)\)").unwrap();
    let version = Regex::new(r#""version":\s*"[^"]*""#).unwrap();
    let driver = Regex::new(r#""informationUri":"[^"]*","name":"[^"]*""#).unwrap();
    let property = Regex::new(r#"<property name="[^"]*" value="[^"]*"></property>"#).unwrap();
    let dir = dir.display().to_string();
    let text = colour.replace_all(stdout, "");
    let text = text.replace(&format!("{dir}/"), "").replace(&dir, ".");
    let text = time.replace_all(&text, r#"time="<time>""#);
    let text = duration.replace_all(&text, "(<time>)");
    let text = driver.replace_all(&text, r#""informationUri":"<tool>","name":"<tool>""#);
    let text = property.replace_all(
        &text,
        r#"<property name="<tool>" value="<version>"></property>"#,
    );
    version
        .replace_all(&text, r#""version": "<version>""#)
        .into_owned()
}

/// Runs `binary` with the case's command line in the case directory.
fn answer_of(binary: &str, dir: &Path) -> Answer {
    let words = command_line(dir);
    let documents =
        (words[0] == "doc").then(|| tempfile::tempdir().expect("a temporary directory"));
    let mut command = Command::new(binary);
    command.args(&words).current_dir(dir).env("NO_COLOR", "1");
    if let Some(documents) = &documents {
        command.arg("-o").arg(documents.path());
    }
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {binary}: {e}"));
    let mut stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if let Some(documents) = &documents {
        stdout.push_str(&written_files(documents.path()));
    }
    let mut stdout = normalise(&stdout, dir);
    if dir.join("any-order").is_file() {
        stdout = sorted_lines(&stdout);
    }
    Answer {
        exit: out.status.code().unwrap_or(-1),
        stdout,
    }
}

/// The files in `dir`, by name, each after a `==> NAME <==` line.
fn written_files(dir: &Path) -> String {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the documents' directory")
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            let text = std::fs::read_to_string(path).unwrap_or_default();
            format!("==> {name} <==\n{text}")
        })
        .collect()
}

/// The lines of `text` in sorted order, each ending in a newline.
fn sorted_lines(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn ours(dir: &Path) -> Answer {
    answer_of(env!("CARGO_BIN_EXE_dockpolicy"), dir)
}

/// A record: two comment lines, `exit N`, then the normalised stdout verbatim.
fn record_text(answer: &Answer) -> String {
    format!(
        "# conftest's answer for this case (tests/conftest_differential.rs writes it with\n# DOCKPOLICY_CONFTEST_RECORD=1): its exit code, then its normalised stdout.\nexit {}\n{}",
        answer.exit, answer.stdout
    )
}

fn parse_record(text: &str, path: &Path) -> Answer {
    let mut rest = text;
    while rest.starts_with('#') {
        rest = rest.split_once('\n').map_or("", |(_, r)| r);
    }
    let (exit_line, stdout) = rest.split_once('\n').unwrap_or((rest, ""));
    let exit = exit_line
        .strip_prefix("exit ")
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{}: no `exit N` line after the header", path.display()));
    Answer {
        exit,
        stdout: stdout.to_owned(),
    }
}

/// How dockpolicy's answer differs from conftest's, if it does. Exit 3 where conftest
/// exits 1 is the same exit when the case is marked `tool-error`.
fn difference(dir: &Path, conftest: &Answer, ours: &Answer) -> Option<String> {
    let tool_error = dir.join("tool-error").is_file();
    let exits_agree =
        conftest.exit == ours.exit || (tool_error && conftest.exit == 1 && ours.exit == 3);
    let mut what = Vec::new();
    if !exits_agree {
        what.push(format!(
            "    exit: conftest {}, dockpolicy {}",
            conftest.exit, ours.exit
        ));
    }
    if conftest.stdout != ours.stdout {
        what.push(first_different_line(&conftest.stdout, &ours.stdout));
    }
    (!what.is_empty()).then(|| what.join("\n"))
}

/// Where two outputs part: the first line that is not the same in both (`<end>` where one
/// has no more lines).
fn first_different_line(conftest: &str, ours: &str) -> String {
    let (mut theirs, mut mine) = (conftest.lines(), ours.lines());
    let mut number = 1;
    loop {
        let (a, b) = (theirs.next(), mine.next());
        if a != b {
            let shown = |l: Option<&str>| l.map_or("<end>".to_owned(), |l| format!("{l:?}"));
            return format!(
                "    stdout line {number}: conftest {}, dockpolicy {}",
                shown(a),
                shown(b)
            );
        }
        if a.is_none() {
            // The same lines: only a final newline differs.
            return "    stdout: the final newline differs".to_owned();
        }
        number += 1;
    }
}

/// The cases compared so far: how many agree, how many differ as their marker says, and a
/// message for each case that breaks the rules.
#[derive(Default)]
struct Tally {
    cases: usize,
    agreeing: usize,
    known: Vec<String>,
    problems: Vec<String>,
}

impl Tally {
    fn add(&mut self, dir: &Path, conftest: &Answer, ours: &Answer) {
        self.cases += 1;
        let name = case_name(dir);
        let marker = dir.join("known-difference");
        let known = std::fs::read_to_string(&marker)
            .ok()
            .map(|s| s.trim().to_owned());
        match (difference(dir, conftest, ours), known) {
            (None, None) => self.agreeing += 1,
            (None, Some(_)) => self.problems.push(format!(
                "{name}: dockpolicy now agrees with conftest; delete {}",
                marker.display()
            )),
            (Some(what), None) => self
                .problems
                .push(format!("{name}: dockpolicy differs from conftest\n{what}")),
            (Some(_), Some(why)) => self.known.push(format!("{name}: {why}")),
        }
    }

    fn finish(self, judge: &str) {
        eprintln!(
            "conftest differential ({judge}): {} cases, {} agree, {} known differences",
            self.cases,
            self.agreeing,
            self.known.len()
        );
        for known in &self.known {
            eprintln!("  known difference: {known}");
        }
        assert!(self.cases > 0, "no case under tests/fixtures/conftest");
        assert!(
            self.problems.is_empty(),
            "{} cases break the rules:\n{}",
            self.problems.len(),
            self.problems.join("\n")
        );
    }
}

#[test]
fn dockpolicy_agrees_with_conftest_on_every_fixture_case() {
    let Ok(conftest) = std::env::var("DOCKPOLICY_CONFTEST") else {
        eprintln!(
            "SKIPPED: conftest differential (set DOCKPOLICY_CONFTEST; scripts/oracles.sh builds it)"
        );
        return;
    };
    let rewrite = std::env::var_os("DOCKPOLICY_CONFTEST_RECORD").is_some();
    let mut tally = Tally::default();
    let mut stale = Vec::new();
    for dir in case_dirs() {
        let theirs = answer_of(&conftest, &dir);
        let record = dir.join(RECORD);
        if rewrite {
            std::fs::write(&record, record_text(&theirs)).expect("write the record");
        } else if let Ok(text) = std::fs::read_to_string(&record) {
            if parse_record(&text, &record) != theirs {
                stale.push(record.display().to_string());
            }
        } else {
            stale.push(format!("{} (missing)", record.display()));
        }
        tally.add(&dir, &theirs, &ours(&dir));
    }
    assert!(
        stale.is_empty(),
        "conftest's records are stale (rerun with DOCKPOLICY_CONFTEST_RECORD=1):\n{}",
        stale.join("\n")
    );
    tally.finish("conftest");
}

#[test]
fn dockpolicy_agrees_with_conftests_recorded_answers() {
    // Runs without conftest: its answers as recorded beside each case (the differential
    // test above keeps the records true to conftest, and is rewriting them now if asked).
    if std::env::var_os("DOCKPOLICY_CONFTEST_RECORD").is_some() {
        eprintln!("SKIPPED: the records are being rewritten (DOCKPOLICY_CONFTEST_RECORD)");
        return;
    }
    let mut tally = Tally::default();
    for dir in case_dirs() {
        let record = dir.join(RECORD);
        let text = std::fs::read_to_string(&record).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (record it with DOCKPOLICY_CONFTEST and DOCKPOLICY_CONFTEST_RECORD=1)",
                record.display()
            )
        });
        tally.add(&dir, &parse_record(&text, &record), &ours(&dir));
    }
    tally.finish("recorded answers");
}

#[test]
fn args_are_split_as_a_shell_splits_them() {
    assert_eq!(
        shell_words("-p policy --namespace '*' \"a b\" c\\ d\n"),
        ["-p", "policy", "--namespace", "*", "a b", "c d"]
    );
    assert_eq!(shell_words("  x  ''  "), ["x", ""]);
}

#[test]
fn any_order_outputs_are_compared_line_by_sorted_line() {
    assert_eq!(sorted_lines("b\na\n\nc"), "\na\nb\nc\n");
}

#[test]
fn records_read_back_what_was_written() {
    let answer = Answer {
        exit: 1,
        stdout: "# not a header\nFAIL - x\n".into(),
    };
    let path = Path::new("conftest-outcome.txt");
    assert_eq!(parse_record(&record_text(&answer), path), answer);
    let dir = Path::new("/tmp/case");
    assert_eq!(
        normalise(
            "\x1b[31mFAIL\x1b[0m - /tmp/case/a.yaml <testcase time=\"0.01\"> \"version\": \"0.71.1\" t (0.032ms)",
            dir
        ),
        "FAIL - a.yaml <testcase time=\"<time>\"> \"version\": \"<version>\" t (<time>)"
    );
    assert_eq!(
        normalise(
            r#"{"driver":{"informationUri":"https://x","name":"conftest","rules":[]}} <property name="go.version" value="go1.26"></property>"#,
            dir
        ),
        r#"{"driver":{"informationUri":"<tool>","name":"<tool>","rules":[]}} <property name="<tool>" value="<version>"></property>"#
    );
}
