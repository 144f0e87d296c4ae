//! A run's report (the result model of `findings`, with what the formats need besides),
//! the output formats that render it, and the exit code it implies. A run that writes
//! only text or only JSON may instead have its workers render each file's part as they
//! go, into a `Prerendered` report (see `prerendered`).
//!
//! Results are grouped per (file, namespace) exactly as conftest groups them, and are
//! sorted by file, namespace, then line and message, so output never depends on thread
//! scheduling.

pub mod azuredevops;
pub mod github;
pub mod json;
pub mod junit;
pub mod prerendered;
pub mod sarif;
pub mod stdout;
pub mod suppress;
pub mod table;
pub mod tap;
pub mod trace;
pub mod verify;

pub use prerendered::{PerFileFormat, Prerendered, RenderedFile};

use std::collections::BTreeMap;

// The formats read the result model as `super::`.
use crate::findings::{CheckResult, Counts, FileError, Finding};

// The formats quote the scanned tree through it, as `super::redact`.
use crate::redact;

/// Declares `OutputFormat` from one table, so the list of every format (`ALL`), their
/// names and their descriptions cannot disagree or miss a variant.
macro_rules! output_formats {
    ($($variant:ident = $name:literal: $description:literal,)*) => {
        /// A format `test` (and `gatekeeper test`) can write the report in.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum OutputFormat {
            $($variant,)*
        }

        impl OutputFormat {
            /// Every format, in the order help and error messages list them (conftest's).
            pub const ALL: &[OutputFormat] = &[$(OutputFormat::$variant,)*];

            /// The name `-o` takes.
            pub fn name(self) -> &'static str {
                match self {
                    $(OutputFormat::$variant => $name,)*
                }
            }

            /// One line on what the format is, for help text.
            pub fn description(self) -> &'static str {
                match self {
                    $(OutputFormat::$variant => $description,)*
                }
            }
        }
    };
}

output_formats! {
    Stdout = "stdout": "conftest-style lines with source snippets and a summary",
    Json = "json": "conftest's JSON array, plus result locations",
    Tap = "tap": "TAP, as conftest prints it",
    Table = "table": "a bordered table, as conftest prints it",
    Junit = "junit": "JUnit XML: a test suite per namespace, a test case per result",
    Github = "github": "GitHub Actions annotations, a group per file and namespace",
    Azuredevops = "azuredevops": "Azure Pipelines logging commands, as conftest prints them",
    Sarif = "sarif": "SARIF 2.1.0 for code-scanning UIs, as conftest writes it",
}

impl OutputFormat {
    /// The format `name` names, in any case.
    pub fn from_name(name: &str) -> Option<OutputFormat> {
        OutputFormat::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }
}

/// How findings are shown: the settings every format's rendering depends on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Colour the text output (a terminal, no NO_COLOR, no --no-color).
    pub color: bool,
    /// List suppressed findings too (`--show-suppressed`).
    pub show_suppressed: bool,
    /// Leave exceptions out of the text report (`--suppress-exceptions`; conftest's
    /// other formats keep them).
    pub suppress_exceptions: bool,
}

/// Everything a run found, as every format renders it.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub results: Vec<CheckResult>,
    pub errors: Vec<FileError>,
    /// The source lines that findings point at, per filename (line number → text), for
    /// showing the offending line. Only those lines are kept: a run over 100k files
    /// would otherwise hold every file's text until the end.
    pub sources: BTreeMap<String, BTreeMap<usize, String>>,
    pub style: Style,
    /// Which policy set ran, for the formats that carry run metadata (SARIF).
    pub run: Option<crate::policy::SetInfo>,
    pub options: FormatOptions,
}

/// conftest's switches for one format each (`--junit-hide-message`,
/// `--github-hide-passed`).
#[derive(Debug, Clone, Copy, Default)]
pub struct FormatOptions {
    /// JUnit test cases are named by the file alone, without the message.
    pub junit_hide_message: bool,
    /// GitHub output leaves out the groups of files and namespaces where every check
    /// passed (the summary still counts them).
    pub github_hide_passed: bool,
}

impl Report {
    /// Puts results and errors in their canonical order.
    pub fn finish(&mut self) {
        for r in &mut self.results {
            r.sort();
        }
        self.results.sort_by(|a, b| {
            (&a.filename, a.namespace_rank, &a.namespace).cmp(&(
                &b.filename,
                b.namespace_rank,
                &b.namespace,
            ))
        });
        sort_errors(&mut self.errors);
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in &self.results {
            c.add(&r.counts());
        }
        totals(c, &self.errors)
    }

    /// The source line `line` of `filename`, when we have it.
    pub fn source_line(&self, filename: &str, line: usize) -> Option<&str> {
        self.sources.get(filename)?.get(&line).map(String::as_str)
    }
}

/// Errors in their canonical order: by file, line, then message.
fn sort_errors(errors: &mut [FileError]) {
    errors
        .sort_by(|a, b| (&a.filename, a.line, &a.message).cmp(&(&b.filename, b.line, &b.message)));
}

/// `counts` (the results' findings) with the totals every report shows: its tests, and
/// `errors` as its errors.
fn totals(mut counts: Counts, errors: &[FileError]) -> Counts {
    counts.tests =
        counts.passed + counts.warnings + counts.failures + counts.exceptions + counts.skipped;
    counts.errors = errors.len();
    counts
}

/// The lines of `text` that `results` point at, for `Report::sources`.
pub fn pointed_lines(text: &str, results: &[CheckResult]) -> BTreeMap<usize, String> {
    let wanted: std::collections::BTreeSet<usize> = results
        .iter()
        .flat_map(|r| {
            r.failures
                .iter()
                .chain(&r.warnings)
                .chain(&r.exceptions)
                .chain(&r.suppressed)
        })
        .filter_map(|f| f.line)
        .collect();
    let Some(&last) = wanted.last() else {
        return BTreeMap::new();
    };
    text.lines()
        .take(last)
        .enumerate()
        .filter(|(i, _)| wanted.contains(&(i + 1)))
        .map(|(i, l)| (i + 1, l.to_owned()))
        .collect()
}

/// Renders the report in one output format.
pub fn render(
    format: OutputFormat,
    report: &Report,
    catalog: &BTreeMap<String, crate::policy::Namespace>,
) -> String {
    match format {
        OutputFormat::Stdout => stdout::render(report),
        OutputFormat::Json => json::render(report),
        OutputFormat::Sarif => sarif::render(report, catalog),
        OutputFormat::Junit => junit::render_test(report),
        OutputFormat::Github => github::render(report, catalog),
        OutputFormat::Azuredevops => azuredevops::render(report),
        OutputFormat::Tap => tap::render(report),
        OutputFormat::Table => table::render(report),
    }
}

/// Writes the report in one output format to `out`; JSON is streamed, text written in
/// parts, the others are rendered first.
pub fn write(
    format: OutputFormat,
    report: &Report,
    catalog: &BTreeMap<String, crate::policy::Namespace>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Json => json::write(report, out),
        OutputFormat::Stdout => stdout::write(report, out),
        other => out.write_all(render(other, report, catalog).as_bytes()),
    }
}

/// Items rendered per parallel job of `write_in_parallel`.
const ITEMS_PER_JOB: usize = 256;

/// Jobs rendered before their output is written: bounds the memory a report holds (a
/// 100k-file report is hundreds of MB of text that need never exist at once).
const JOBS_PER_BATCH: usize = 16;

/// Writes `items` in order to `out`, each job's worth rendered by `render` on the current
/// rayon pool's threads, with `between` written between consecutive jobs' output: the
/// whole report would otherwise be rendered on one thread after the workers finished,
/// a serial tail at the end of every large run.
fn write_in_parallel<T: Sync>(
    items: &[T],
    render: impl Fn(&[T]) -> std::io::Result<Vec<u8>> + Sync,
    between: &[u8],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let mut first = true;
    for batch in items.chunks(ITEMS_PER_JOB * JOBS_PER_BATCH) {
        let parts: Vec<std::io::Result<Vec<u8>>> =
            batch.par_chunks(ITEMS_PER_JOB).map(&render).collect();
        for part in parts {
            if !first {
                out.write_all(between)?;
            }
            first = false;
            out.write_all(&part?)?;
        }
    }
    Ok(())
}

/// How findings map to the exit code (`--fail-on-warn`, `--no-fail`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ExitPolicy {
    pub fail_on_warn: bool,
    pub no_fail: bool,
}

/// Exit codes. 0, 1 and 2 are conftest's; tool errors get their own code.
pub mod exit {
    /// No failures (and no warnings with `--fail-on-warn`).
    pub const CLEAN: i32 = 0;
    /// Failures; or, with `--fail-on-warn`, warnings only.
    pub const FAILURES: i32 = 1;
    /// With `--fail-on-warn`: failures.
    pub const FAILURES_WITH_FAIL_ON_WARN: i32 = 2;
    /// The tool could not do its job: unreadable or unparsable input, a policy that does
    /// not compile or fails at run time, no policies, bad usage.
    pub const TOOL_ERROR: i32 = 3;
}

impl Counts {
    pub fn exit_code(&self, policy: ExitPolicy) -> i32 {
        if self.errors > 0 {
            return exit::TOOL_ERROR;
        }
        if policy.no_fail {
            return exit::CLEAN;
        }
        match (self.failures > 0, self.warnings > 0, policy.fail_on_warn) {
            (true, _, true) => exit::FAILURES_WITH_FAIL_ON_WARN,
            (true, _, false) => exit::FAILURES,
            (false, true, true) => exit::FAILURES,
            _ => exit::CLEAN,
        }
    }
}
