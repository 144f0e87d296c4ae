//! `gatekeeper verify` against the real `gator verify`: every directory under
//! tests/fixtures/gator/ holding a `suite.yaml` is run through both, and so is the
//! committed export examples/gatekeeper with the admission suite of
//! tests/fixtures/gatekeeper/admission beside it (staged in a temporary directory, its
//! records under tests/fixtures/gator/_staged/); every suite, test and case must end the
//! same way.
//!
//! Gator is the judge (`$DOCKPOLICY_GATOR`, built by scripts/oracles.sh). A directory
//! holding a file named `old-gator` is also run through `$DOCKPOLICY_GATOR_OLD` (Gatekeeper
//! before Rego v1), which must agree too. A directory holding `run-filters` is also run
//! once per line of it with `--run <line>` (gator's test/case filter) on both sides.
//! Without `$DOCKPOLICY_GATOR` the test says it checked nothing.
//!
//! Outcomes compared:
//! * a case: pass, fail (gator: "unexpected number of violations"), error (any other
//!   reason gator gives: a malformed case, an unreadable or multi-object file, a bad
//!   regex), or skip;
//! * a test: ok (it ran; its cases say the rest), fail (gator's test-level error: its
//!   template or constraint could not be loaded, or an `invalid: true` constraint was
//!   accepted), or skip;
//! * a suite: ok (read, perhaps skipped) or error.
//!
//! A new fixture directory is picked up without any change here.
//!
//! Gator's outcomes are also recorded beside each suite, in `gator-outcomes.txt`, so a run
//! without gator still checks dockpolicy against them; with gator, the record must equal
//! what gator says now. `DOCKPOLICY_GATOR_RECORD=1` (with `DOCKPOLICY_GATOR`) writes the
//! records afresh.
//!
//! A refusal's reason (a template, a constraint or an AdmissionReview gator refuses) is
//! also checked to be in gator's words, without gator (`refusals_are_given_in_gators_words`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Where an outcome belongs: suite file (relative to its directory), test and case by
/// position (names may repeat), names kept for the table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    suite: String,
    test: Option<(usize, String)>,
    case: Option<(usize, String)>,
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.suite)?;
        if let Some((_, t)) = &self.test {
            write!(f, " / {t}")?;
        }
        if let Some((_, c)) = &self.case {
            write!(f, " / {c}")?;
        }
        Ok(())
    }
}

/// An outcome and what was said about it.
#[derive(Debug, Clone)]
struct Seen {
    outcome: &'static str,
    message: String,
}

type Outcomes = BTreeMap<Key, Seen>;

fn seen(outcome: &'static str, message: impl Into<String>) -> Seen {
    Seen {
        outcome,
        message: message.into(),
    }
}

/// A directory both tools verify (`dir`), and where its `gator-outcomes.txt`,
/// `old-gator` and `run-filters` live (`home`): the same directory, but for a staged one,
/// assembled in a temporary directory from files that live elsewhere in the repository.
struct Fixture {
    dir: PathBuf,
    home: PathBuf,
    _staged: Option<tempfile::TempDir>,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// The fixture directories: every directory under tests/fixtures/gator holding a
/// suite.yaml; and, staged, the committed export with its suites: examples/gatekeeper
/// (its own suite) with the admission suite of tests/fixtures/gatekeeper/admission
/// (UPDATE with oldObject, DELETE, excluded namespaces), whose paths are relative to an
/// export directory. Its records live in tests/fixtures/gator/_staged/examples-gatekeeper.
fn fixture_dirs() -> Vec<Fixture> {
    fn walk(dir: &Path, out: &mut Vec<Fixture>) {
        if dir.join("suite.yaml").is_file() {
            out.push(Fixture {
                dir: dir.to_path_buf(),
                home: dir.to_path_buf(),
                _staged: None,
            });
        }
        let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        subdirs.sort();
        for d in subdirs.into_iter().filter(|d| d.is_dir()) {
            walk(&d, out);
        }
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = repo.join("tests/fixtures/gator");
    let mut out = Vec::new();
    walk(&root, &mut out);
    let staged = tempfile::tempdir().unwrap();
    copy_dir(&repo.join("examples/gatekeeper"), staged.path());
    let admission = repo.join("tests/fixtures/gatekeeper/admission");
    std::fs::copy(
        admission.join("suite.yaml"),
        staged.path().join("admission-suite.yaml"),
    )
    .unwrap();
    copy_dir(&admission.join("samples"), &staged.path().join("samples"));
    out.push(Fixture {
        dir: staged.path().to_path_buf(),
        home: root.join("_staged/examples-gatekeeper"),
        _staged: Some(staged),
    });
    out
}

/// `gator verify -v DIR`, read back into outcomes. A run that lists no suite at all
/// (gator refuses the whole directory) is one suite-level error under `<run>`.
fn gator_outcomes(gator: &str, dir: &Path, extra: &[&str]) -> Outcomes {
    let out = Command::new(gator)
        .args(["verify", "-v"])
        .args(extra)
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {gator}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut outcomes = parse_gator(&stdout, dir);
    let listed = stdout
        .lines()
        .any(|l| l.starts_with("ok\t") || l.starts_with("FAIL\t"));
    if !listed && !out.status.success() {
        outcomes.insert(
            Key {
                suite: "<run>".into(),
                test: None,
                case: None,
            },
            seen("error", stderr.trim()),
        );
    }
    outcomes
}

/// Reads gator's verbose output (pkg/gator/verify/printer_go.go): tests at column 0,
/// cases indented by 4, a case's error by 8, a test's by 2; each suite's block ends with
/// `ok\tPATH\tTIME` or `FAIL\tPATH\tTIME`, a suite error on the next line by 2.
fn parse_gator(stdout: &str, dir: &Path) -> Outcomes {
    #[derive(Default)]
    struct Test {
        name: String,
        outcome: &'static str,
        message: String,
        cases: Vec<(String, &'static str, String)>,
    }
    let mut outcomes = Outcomes::new();
    let mut tests: Vec<Test> = Vec::new();
    // What the next indented line explains: a case's failure or a test's.
    enum Pending {
        None,
        Case,
        Test,
        Suite(Key),
    }
    let mut pending = Pending::None;
    let prefix = format!("{}/", dir.display());
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("        ")
            && matches!(pending, Pending::Case)
        {
            if let Some(c) = tests.last_mut().and_then(|t| t.cases.last_mut()) {
                if c.2.is_empty() && rest.contains("unexpected number of violations") {
                    c.1 = "fail";
                }
                if !c.2.is_empty() {
                    c.2.push('\n');
                }
                c.2.push_str(rest);
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("  ")
            && !rest.starts_with(' ')
        {
            match &pending {
                Pending::Test => {
                    if let Some(t) = tests.last_mut() {
                        t.outcome = "fail";
                        t.message = rest.to_owned();
                    }
                    pending = Pending::None;
                    continue;
                }
                Pending::Suite(key) => {
                    outcomes.insert(key.clone(), seen("error", rest));
                    pending = Pending::None;
                    continue;
                }
                _ => {}
            }
        }
        pending = Pending::None;
        if let Some(name) = line.strip_prefix("=== RUN   ") {
            tests.push(Test {
                name: name.to_owned(),
                outcome: "ok",
                ..Test::default()
            });
        } else if let Some(name) = line.strip_prefix("=== SKIP  ") {
            tests.push(Test {
                name: name.to_owned(),
                outcome: "skip",
                ..Test::default()
            });
        } else if let Some(name) = line.strip_prefix("    === RUN   ") {
            if let Some(t) = tests.last_mut() {
                t.cases.push((name.to_owned(), "pass", String::new()));
            }
        } else if let Some(name) = line.strip_prefix("    === SKIP  ") {
            if let Some(t) = tests.last_mut() {
                t.cases.push((name.to_owned(), "skip", String::new()));
            }
        } else if line.starts_with("    --- FAIL: ") {
            if let Some(c) = tests.last_mut().and_then(|t| t.cases.last_mut()) {
                // "error" unless the reason is a count of violations.
                c.1 = "error";
            }
            pending = Pending::Case;
        } else if line.starts_with("--- FAIL: ") {
            pending = Pending::Test;
        } else if let Some(rest) = line
            .strip_prefix("ok\t")
            .or_else(|| line.strip_prefix("FAIL\t"))
        {
            let path = rest.split('\t').next().unwrap_or("");
            let suite = path.strip_prefix(&prefix).unwrap_or(path).to_owned();
            let key = Key {
                suite: suite.clone(),
                test: None,
                case: None,
            };
            outcomes.insert(key.clone(), seen("ok", ""));
            for (ti, t) in tests.drain(..).enumerate() {
                let test = Some((ti, t.name.clone()));
                outcomes.insert(
                    Key {
                        suite: suite.clone(),
                        test: test.clone(),
                        case: None,
                    },
                    seen(t.outcome, t.message),
                );
                for (ci, (name, outcome, message)) in t.cases.into_iter().enumerate() {
                    outcomes.insert(
                        Key {
                            suite: suite.clone(),
                            test: test.clone(),
                            case: Some((ci, name)),
                        },
                        seen(outcome, message),
                    );
                }
            }
            if line.starts_with("FAIL\t") {
                pending = Pending::Suite(key);
            }
        }
    }
    outcomes
}

/// `dockpolicy gatekeeper verify -o json DIR`, in the same terms.
fn our_outcomes(dir: &Path, extra: &[&str]) -> Outcomes {
    let out = Command::new(env!("CARGO_BIN_EXE_dockpolicy"))
        .args(["gatekeeper", "verify", "-o", "json"])
        .args(extra)
        .arg(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run dockpolicy");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "dockpolicy gatekeeper verify -o json {}: not JSON ({e}): {}{}",
            dir.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut outcomes = Outcomes::new();
    let prefix = format!("{}/", dir.display());
    let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
    for s in report["suites"].as_array().into_iter().flatten() {
        let path = text(&s["path"]);
        let suite = path.strip_prefix(&prefix).unwrap_or(&path).to_owned();
        let suite_outcome = match s["outcome"].as_str() {
            Some("pass" | "skip") => "ok",
            _ => "error",
        };
        outcomes.insert(
            Key {
                suite: suite.clone(),
                test: None,
                case: None,
            },
            seen(suite_outcome, text(&s["message"])),
        );
        for (ti, t) in s["tests"].as_array().into_iter().flatten().enumerate() {
            let test = Some((ti, text(&t["name"])));
            let test_outcome = match t["outcome"].as_str() {
                Some("pass") => "ok",
                Some("skip") => "skip",
                _ => "fail",
            };
            outcomes.insert(
                Key {
                    suite: suite.clone(),
                    test: test.clone(),
                    case: None,
                },
                seen(test_outcome, text(&t["message"])),
            );
            for (ci, c) in t["cases"].as_array().into_iter().flatten().enumerate() {
                let outcome = match c["outcome"].as_str() {
                    Some("pass") => "pass",
                    Some("fail") => "fail",
                    Some("skip") => "skip",
                    _ => "error",
                };
                outcomes.insert(
                    Key {
                        suite: suite.clone(),
                        test: test.clone(),
                        case: Some((ci, text(&c["name"]))),
                    },
                    seen(outcome, text(&c["message"])),
                );
            }
        }
    }
    outcomes
}

/// The keys on which the two runs do not agree, with both sides (`-` where one side has
/// nothing there). A gator run that refused the whole directory agrees with us when we
/// found some suite unreadable.
fn disagreements(gator: &Outcomes, ours: &Outcomes) -> (usize, Vec<(Key, Seen, Seen)>) {
    let run_key = Key {
        suite: "<run>".into(),
        test: None,
        case: None,
    };
    if let Some(refused) = gator.get(&run_key) {
        let ours_refused = ours.values().any(|s| s.outcome == "error");
        return if ours_refused {
            (1, Vec::new())
        } else {
            (1, vec![(run_key, refused.clone(), seen("ok", ""))])
        };
    }
    let absent = || seen("-", "");
    let mut keys: Vec<&Key> = gator.keys().chain(ours.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for key in &keys {
        let g = gator.get(key).cloned().unwrap_or_else(absent);
        let o = ours.get(key).cloned().unwrap_or_else(absent);
        if g.outcome != o.outcome {
            out.push(((*key).clone(), g, o));
        }
    }
    (keys.len(), out)
}

/// The record file of a fixture directory.
const RECORD: &str = "gator-outcomes.txt";

/// Outcomes as record lines: `outcome<TAB>suite<TAB>test#<TAB>test<TAB>case#<TAB>case`.
fn record_text(outcomes: &Outcomes) -> String {
    let mut out = String::from(
        "# gator verify's outcomes for this directory (tests/gator_differential.rs writes it\n# with DOCKPOLICY_GATOR_RECORD=1): outcome, suite, test, case.\n",
    );
    for (key, seen) in outcomes {
        let part = |p: &Option<(usize, String)>| match p {
            Some((i, name)) => format!("{i}\t{name}"),
            None => "\t".to_owned(),
        };
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            seen.outcome,
            key.suite,
            part(&key.test),
            part(&key.case)
        ));
    }
    out
}

fn outcome_word(word: &str) -> &'static str {
    ["ok", "pass", "fail", "error", "skip"]
        .into_iter()
        .find(|w| *w == word)
        .unwrap_or("-")
}

fn parse_record(text: &str) -> Outcomes {
    let mut out = Outcomes::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 6, "bad {RECORD} line {line:?}");
        let part = |i: &str, name: &str| i.parse::<usize>().ok().map(|i| (i, name.to_owned()));
        out.insert(
            Key {
                suite: f[1].to_owned(),
                test: part(f[2], f[3]),
                case: part(f[4], f[5]),
            },
            seen(outcome_word(f[0]), ""),
        );
    }
    out
}

fn one_line(s: &str, max: usize) -> String {
    let flat = s.replace('\n', " | ");
    if flat.chars().count() > max {
        format!("{}...", flat.chars().take(max).collect::<String>())
    } else {
        flat
    }
}

/// The outcomes compared so far, and a line for each disagreement.
#[derive(Default)]
struct Tally {
    total: usize,
    agreeing: usize,
    table: Vec<String>,
}

impl Tally {
    /// Compares `judge`'s outcomes with ours; `label` heads each disagreement's line.
    fn add(&mut self, label: &str, judge: &str, theirs: &Outcomes, ours: &Outcomes) {
        let (n, bad) = disagreements(theirs, ours);
        self.total += n;
        self.agreeing += n - bad.len();
        for (key, g, o) in bad {
            self.table.push(format!(
                "{label} {key}\n    {judge}: {} {}\n    dockpolicy: {} {}",
                g.outcome,
                one_line(&g.message, 300),
                o.outcome,
                one_line(&o.message, 300)
            ));
        }
    }
}

#[test]
fn gatekeeper_verify_agrees_with_gator_on_every_fixture_suite() {
    let Ok(gator) = std::env::var("DOCKPOLICY_GATOR") else {
        eprintln!(
            "SKIPPED: gator differential (set DOCKPOLICY_GATOR; scripts/oracles.sh builds it)"
        );
        return;
    };
    let old = std::env::var("DOCKPOLICY_GATOR_OLD").ok();
    let dirs = fixture_dirs();
    assert!(!dirs.is_empty(), "no suite.yaml under tests/fixtures/gator");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut tally = Tally::default();
    let mut old_skipped = Vec::new();
    for fixture in &dirs {
        let (dir, home) = (&fixture.dir, &fixture.home);
        let shown = home
            .strip_prefix(root)
            .unwrap_or(home)
            .display()
            .to_string();
        let filters = std::fs::read_to_string(home.join("run-filters")).unwrap_or_default();
        for filter in filters
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let extra = ["--run", filter];
            tally.add(
                &format!("{shown} [gator --run {filter:?}]"),
                "gator",
                &gator_outcomes(&gator, dir, &extra),
                &our_outcomes(dir, &extra),
            );
        }
        let ours = our_outcomes(dir, &[]);
        let mut judges = vec![("gator", gator.clone())];
        if home.join("old-gator").is_file() {
            match &old {
                Some(old) => judges.push(("gator-old", old.clone())),
                None => old_skipped.push(home.clone()),
            }
        }
        for (judge, binary) in judges {
            let theirs = gator_outcomes(&binary, dir, &[]);
            if judge == "gator" {
                let record = home.join(RECORD);
                let text = record_text(&theirs);
                if std::env::var_os("DOCKPOLICY_GATOR_RECORD").is_some() {
                    std::fs::create_dir_all(home).expect("make the record's directory");
                    std::fs::write(&record, &text).expect("write the record");
                } else if record.is_file() {
                    let recorded = std::fs::read_to_string(&record).unwrap();
                    assert_eq!(
                        parse_record(&recorded).keys().collect::<Vec<_>>(),
                        parse_record(&text).keys().collect::<Vec<_>>(),
                        "{} is stale: rerun with DOCKPOLICY_GATOR_RECORD=1",
                        record.display()
                    );
                    let stale: Vec<String> = parse_record(&recorded)
                        .iter()
                        .zip(parse_record(&text).values())
                        .filter(|((_, a), b)| a.outcome != b.outcome)
                        .map(|((k, a), b)| {
                            format!("{k}: recorded {}, gator {}", a.outcome, b.outcome)
                        })
                        .collect();
                    assert!(
                        stale.is_empty(),
                        "{} is stale (rerun with DOCKPOLICY_GATOR_RECORD=1):\n{}",
                        record.display(),
                        stale.join("\n")
                    );
                }
            }
            tally.add(&format!("{shown} [{judge}]"), judge, &theirs, &ours);
        }
    }
    let Tally {
        total,
        agreeing,
        table,
    } = tally;
    eprintln!(
        "gator differential: {agreeing} of {total} outcomes agree over {} fixture directories",
        dirs.len()
    );
    if !old_skipped.is_empty() {
        eprintln!(
            "SKIPPED: old gator comparison for {} directories (set DOCKPOLICY_GATOR_OLD)",
            old_skipped.len()
        );
    }
    assert!(
        table.is_empty(),
        "{} disagreements with gator:\n{}",
        table.len(),
        table.join("\n")
    );
}

#[test]
fn gators_verbose_output_is_read_back() {
    // The printer's format, as gator v3.23 writes it, so the parser is tested without
    // gator.
    let dir = Path::new("/fx");
    let out = "=== RUN   t1\n    === RUN   c1\n    --- PASS: c1\t(0.001s)\n    === RUN   c2\n    --- FAIL: c2\t(0.001s)\n        unexpected number of violations: got 0 violations but want at least 1: got messages []\n    === SKIP  c3\n    === RUN   c4\n        === PRINT ===\n        hello\n    --- FAIL: c4\t(0.001s)\n        invalid Case: assertions must be non-empty\n--- FAIL: t1\t(0.010s)\n=== SKIP  t2\n=== RUN   t3\n--- FAIL: t3\t(0.002s)\n  adding template: bad\nFAIL\t/fx/suite.yaml\t0.020s\nFAIL\n";
    let got = parse_gator(out, dir);
    let outcome = |test: Option<(usize, &str)>, case: Option<(usize, &str)>| {
        got.get(&Key {
            suite: "suite.yaml".into(),
            test: test.map(|(i, n)| (i, n.to_owned())),
            case: case.map(|(i, n)| (i, n.to_owned())),
        })
        .map(|s| s.outcome)
    };
    assert_eq!(outcome(None, None), Some("ok"));
    assert_eq!(outcome(Some((0, "t1")), None), Some("ok"));
    assert_eq!(outcome(Some((0, "t1")), Some((0, "c1"))), Some("pass"));
    assert_eq!(outcome(Some((0, "t1")), Some((1, "c2"))), Some("fail"));
    assert_eq!(outcome(Some((0, "t1")), Some((2, "c3"))), Some("skip"));
    assert_eq!(outcome(Some((0, "t1")), Some((3, "c4"))), Some("error"));
    assert_eq!(outcome(Some((1, "t2")), None), Some("skip"));
    assert_eq!(outcome(Some((2, "t3")), None), Some("fail"));
}

#[test]
fn gatekeeper_verify_agrees_with_gators_recorded_outcomes() {
    // Runs without gator: gator's outcomes as recorded beside each suite (the differential
    // test above keeps the records true to gator, and is rewriting them now if asked).
    if std::env::var_os("DOCKPOLICY_GATOR_RECORD").is_some() {
        eprintln!("SKIPPED: the records are being rewritten (DOCKPOLICY_GATOR_RECORD)");
        return;
    }
    let mut table = Vec::new();
    let (mut total, mut recorded_dirs) = (0, 0);
    for fixture in fixture_dirs() {
        let Ok(text) = std::fs::read_to_string(fixture.home.join(RECORD)) else {
            continue;
        };
        recorded_dirs += 1;
        let (n, bad) = disagreements(&parse_record(&text), &our_outcomes(&fixture.dir, &[]));
        total += n;
        for (key, g, o) in bad {
            table.push(format!(
                "{} {key}: gator recorded {}, dockpolicy {} {}",
                fixture.home.display(),
                g.outcome,
                o.outcome,
                one_line(&o.message, 300)
            ));
        }
    }
    eprintln!("{total} recorded outcomes over {recorded_dirs} fixture directories");
    assert!(recorded_dirs > 0, "no {RECORD} under tests/fixtures/gator");
    assert!(
        table.is_empty(),
        "{} disagreements with gator's recorded outcomes:\n{}",
        table.len(),
        table.join("\n")
    );
}

#[test]
fn refusals_are_given_in_gators_words() {
    // The records above compare outcomes; a refusal's reason must also be the one gator
    // gives (its text, as gator v3.23 prints it), so a user reading either tool's output
    // finds the same cause. Runs without gator.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gator");
    let message = |dir: &str, test: &str, case: Option<&str>| -> String {
        let outcomes = our_outcomes(&root.join(dir), &[]);
        let found = outcomes.iter().find(|(k, _)| {
            k.test.as_ref().is_some_and(|(_, t)| t == test)
                && k.case.as_ref().map(|(_, c)| c.as_str()) == case
        });
        found
            .map(|(_, s)| s.message.clone())
            .unwrap_or_else(|| panic!("{dir}: no outcome for {test} {case:?}"))
    };
    for (test, words) in [
        (
            "rejected-import-rego-v1",
            "invalid import: bad import: \"rego.v1\"",
        ),
        (
            "rejected-no-violation-rule",
            "missing required rules: [violation]",
        ),
        (
            "rejected-violation-ref-head",
            "missing required rules: [violation]",
        ),
        (
            "rejected-other-data-reference",
            "disallowed ref data.config.enabled",
        ),
        (
            "rejected-lib-outside-lib-package",
            "path data.helpers not found in lib prefixes",
        ),
        (
            "rejected-name-not-lowercase",
            "missing ConstraintTemplate: template \"k8scheck\" not found",
        ),
        (
            "rejected-v1-schema-without-types",
            "Required value: must not be empty for specified object fields",
        ),
    ] {
        let why = message("validate-template", test, None);
        assert!(why.contains(words), "{test}: {why}");
    }
    let why = message("validate-constraint", "not-in-enum", None);
    assert!(
        why.contains("schema validation failed: [].spec.parameters.mode: Unsupported value: \"block\": supported values: \"audit\", \"enforce\""),
        "{why}"
    );
    let why = message("validate-constraint", "unknown-nested", None);
    assert!(
        why.contains("invalid Constraint: unknown fields: [spec.parameters.owner.email]"),
        "{why}"
    );
    let why = message(
        "review-errors",
        "admission-reviews",
        Some("delete-without-old"),
    );
    assert!(
        why.contains("oldObject cannot be nil for DELETE operations"),
        "{why}"
    );
    let why = message(
        "review-errors",
        "admission-reviews",
        Some("unknown-userinfo-field"),
    );
    assert!(
        why.contains("strict decoding error: unknown field \"request.userInfo.bogus\""),
        "{why}"
    );
}
