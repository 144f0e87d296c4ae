//! A run's report (the result model of `findings`, with what the formats need besides),
//! the output formats that render it, and the exit code it implies.
//!
//! Results are grouped per (file, namespace) exactly as conftest groups them, and are
//! sorted by file, namespace, then line and message, so output never depends on thread
//! scheduling.

pub mod github;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod stdout;
pub mod suppress;
pub mod table;
pub mod tap;
pub mod verify;

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
            /// Every format, in the order help and error messages list them.
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
    Sarif = "sarif": "SARIF 2.1.0 for code-scanning UIs",
    Junit = "junit": "JUnit XML: a test suite per file, a test case per rule",
    Github = "github": "GitHub Actions annotations (::error file=...,line=...::message)",
    Tap = "tap": "TAP, as conftest prints it",
    Table = "table": "a bordered table, as conftest prints it",
}

impl OutputFormat {
    /// The format `name` names, in any case.
    pub fn from_name(name: &str) -> Option<OutputFormat> {
        OutputFormat::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// Whether each file's results can be rendered on their own, as soon as the file is
    /// checked (`RenderedFile`): the text and JSON reports are one block per file in file
    /// order, the other formats are rendered whole.
    pub fn renders_per_file(self) -> bool {
        match self {
            OutputFormat::Stdout | OutputFormat::Json => true,
            OutputFormat::Sarif
            | OutputFormat::Junit
            | OutputFormat::Github
            | OutputFormat::Tap
            | OutputFormat::Table => false,
        }
    }
}

/// One file's results, already rendered in the run's only output format by the worker
/// that checked the file (see `Report::rendered`).
#[derive(Debug, Clone, Default)]
pub struct RenderedFile {
    pub filename: String,
    pub bytes: Vec<u8>,
    /// The results in `bytes` (JSON writes a separator between entries).
    pub entries: usize,
    /// Their part of the summary counts.
    pub counts: Counts,
}

impl RenderedFile {
    /// `results` (one file's, in namespace order) rendered as `format` prints them;
    /// `None` for a format that is only rendered whole.
    pub fn render(
        filename: String,
        results: &mut [CheckResult],
        lines: &BTreeMap<usize, String>,
        format: OutputFormat,
        style: &stdout::Style,
    ) -> Option<RenderedFile> {
        let mut counts = Counts::default();
        for r in results.iter_mut() {
            r.sort();
            counts.add(&r.counts());
        }
        let bytes = match format {
            OutputFormat::Stdout => stdout::render_file(results, lines, style),
            OutputFormat::Json => json::render_file(results, style.show_suppressed),
            _ => return None,
        };
        Some(RenderedFile {
            filename,
            bytes,
            entries: results.len(),
            counts,
        })
    }
}

/// Everything a run found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub results: Vec<CheckResult>,
    /// Files whose results the workers rendered as they went, when the run writes one
    /// text or JSON report: a run over many files then holds each file's output rather
    /// than its results (a tenth of the memory), and has no rendering left at the end. A
    /// run fills either this or `results`, never both.
    pub rendered: Vec<RenderedFile>,
    pub errors: Vec<FileError>,
    /// The source lines that findings point at, per filename (line number → text), for
    /// showing the offending line. Only those lines are kept: a run over 100k files
    /// would otherwise hold every file's text until the end.
    pub sources: BTreeMap<String, BTreeMap<usize, String>>,
    /// List suppressed findings too (`--show-suppressed`).
    pub show_suppressed: bool,
    /// Colour the text output (a terminal, no NO_COLOR, no --no-color).
    pub color: bool,
    /// Which policy set ran, for the formats that carry run metadata (SARIF).
    pub run: Option<crate::policy::SetInfo>,
}

impl Report {
    /// Puts results and errors in their canonical order.
    pub fn finish(&mut self) {
        for r in &mut self.results {
            r.sort();
        }
        self.results
            .sort_by(|a, b| (&a.filename, &a.namespace).cmp(&(&b.filename, &b.namespace)));
        // Each holds one file's results in namespace order (and filenames are unique).
        self.rendered.sort_by(|a, b| a.filename.cmp(&b.filename));
        self.errors.sort_by(|a, b| {
            (&a.filename, a.line, &a.message).cmp(&(&b.filename, b.line, &b.message))
        });
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in &self.results {
            c.add(&r.counts());
        }
        for f in &self.rendered {
            c.add(&f.counts);
        }
        c.tests = c.passed + c.warnings + c.failures + c.exceptions;
        c.errors = self.errors.len();
        c
    }

    /// The source line `line` of `filename`, when we have it.
    pub fn source_line(&self, filename: &str, line: usize) -> Option<&str> {
        self.sources.get(filename)?.get(&line).map(String::as_str)
    }
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
        OutputFormat::Github => github::render(report),
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
/// rayon pool's threads, with `between` written between consecutive jobs' output. The
/// text and JSON reports render ~10,000 corpus findings this way: on one thread after
/// the workers had finished, that was 8 ms (text) and 14 ms (JSON) of serial time.
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value};

    /// Three files' results (findings with and without lines, suppressed ones, a secret in
    /// a quoted line, standard input) and errors, one of them for a file between them.
    fn files() -> Vec<(String, Vec<CheckResult>, BTreeMap<usize, String>)> {
        let mut out = Vec::new();
        for name in ["b/Dockerfile", "-", "a/Dockerfile"] {
            let mut lines = BTreeMap::new();
            lines.insert(
                2,
                "ENV API_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB".into(),
            );
            lines.insert(5, "  RUN make".into());
            let mut results = Vec::new();
            for ns in ["dockpolicy.one", "dockpolicy.two"] {
                let mut r = CheckResult::new(name, ns);
                r.successes = 1;
                let mut metadata = Map::new();
                metadata.insert("id".into(), Value::String("DP001".into()));
                let mut f = Finding::with_metadata(format!("{ns} at five"), metadata);
                f.line = Some(5);
                r.warnings.push(f);
                let mut f = Finding::new("secret on two");
                f.line = Some(2);
                r.failures.push(f);
                r.failures.push(Finding::new("no line"));
                let mut f = Finding::new("hidden");
                f.line = Some(5);
                r.suppressed.push(f);
                results.push(r);
            }
            out.push((name.to_owned(), results, lines));
        }
        out
    }

    fn errors() -> Vec<FileError> {
        vec![
            FileError {
                filename: "a/Dockerfile".into(),
                line: Some(3),
                message: "policy error".into(),
            },
            FileError {
                filename: "a/missing".into(),
                line: None,
                message: "no such file".into(),
            },
        ]
    }

    fn written(report: &Report, format: OutputFormat) -> String {
        let mut out = Vec::new();
        write(format, report, &BTreeMap::new(), &mut out).expect("writes");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn files_rendered_by_the_workers_give_the_report_rendered_at_the_end() {
        for format in [OutputFormat::Stdout, OutputFormat::Json] {
            for (show_suppressed, color) in [(false, false), (true, true)] {
                let base = Report {
                    errors: errors(),
                    show_suppressed,
                    color,
                    ..Report::default()
                };
                let mut whole = base.clone();
                let mut parts = base.clone();
                let style = stdout::Style {
                    color,
                    show_suppressed,
                };
                for (name, mut results, lines) in files() {
                    whole.results.extend(results.clone());
                    whole.sources.insert(name.clone(), lines.clone());
                    let rendered = RenderedFile::render(name, &mut results, &lines, format, &style);
                    parts
                        .rendered
                        .push(rendered.expect("text and JSON render per file"));
                }
                whole.finish();
                parts.finish();
                assert_eq!(whole.counts(), parts.counts());
                let text = written(&parts, format);
                assert_eq!(written(&whole, format), text, "{format:?}");
                assert!(text.contains("b/Dockerfile") && !text.contains("ghp_0123"));
            }
        }
        // Formats rendered whole are not rendered per file.
        let (name, mut results, lines) = files().remove(0);
        let style = stdout::Style {
            color: false,
            show_suppressed: false,
        };
        assert!(
            RenderedFile::render(name, &mut results, &lines, OutputFormat::Sarif, &style).is_none()
        );
    }
}
