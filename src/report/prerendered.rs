//! A report whose files were rendered one by one, each by the worker that checked it.
//!
//! The text and JSON reports are one block per file, in file order, with nothing in a
//! file's block that depends on another file. A run that writes only one of them can
//! therefore have each worker render its file's block as soon as the file is checked:
//! the run then holds each file's output instead of its results and quoted lines (a
//! fraction of the memory), and has no rendering left to do once the workers are done.
//! The output is byte for byte the `Report`'s in the same format (a test here holds it
//! to that).
//!
//! The blocks are written through `InFileOrder`, which takes them one at a time in file
//! order: `Prerendered::write` gives it every block at the end of the run, and a report
//! written while the run goes on would give it each block as soon as the files before
//! it are written.

use std::collections::BTreeMap;

use super::{CheckResult, Counts, FileError, OutputFormat, Style, json, stdout};

/// A format whose report can be rendered file by file: one block per file, in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PerFileFormat {
    Stdout,
    Json,
}

impl PerFileFormat {
    /// `format`, when its report can be rendered file by file; the other formats are
    /// rendered whole (SARIF and JUnit nest files in one document, the others group or
    /// count across files).
    pub fn of(format: OutputFormat) -> Option<PerFileFormat> {
        match format {
            OutputFormat::Stdout => Some(PerFileFormat::Stdout),
            OutputFormat::Json => Some(PerFileFormat::Json),
            OutputFormat::Sarif
            | OutputFormat::Junit
            | OutputFormat::Github
            | OutputFormat::Azuredevops
            | OutputFormat::Tap
            | OutputFormat::Table => None,
        }
    }
}

/// One file's block of the report, rendered by the worker that checked the file.
#[derive(Debug, Clone, Default)]
pub struct RenderedFile {
    pub filename: String,
    pub bytes: Vec<u8>,
    /// The file's part of the summary counts.
    pub counts: Counts,
}

impl RenderedFile {
    /// One file's `results` (in namespace order), with the source lines they point at
    /// (`pointed_lines`), rendered as `format` prints them.
    pub fn render(
        filename: String,
        results: &mut [CheckResult],
        lines: &BTreeMap<usize, String>,
        format: PerFileFormat,
        style: &Style,
    ) -> RenderedFile {
        let mut counts = Counts::default();
        for r in results.iter_mut() {
            r.sort();
            counts.add(&r.counts());
        }
        let bytes = match format {
            PerFileFormat::Stdout => stdout::render_file(results, lines, style),
            PerFileFormat::Json => json::render_file(results, style.show_suppressed),
        };
        RenderedFile {
            filename,
            bytes,
            counts,
        }
    }
}

/// Everything a run found, each file's results already rendered in the run's one output
/// format: what `Report` holds, with blocks in place of results and quoted lines.
#[derive(Debug, Clone)]
pub struct Prerendered {
    pub format: PerFileFormat,
    /// One block per file, under a name no other file prints as (the blocks are ordered
    /// by it).
    pub files: Vec<RenderedFile>,
    pub errors: Vec<FileError>,
    pub style: Style,
}

impl Prerendered {
    /// An empty report in `format`.
    pub fn new(format: PerFileFormat, style: Style) -> Self {
        Prerendered {
            format,
            files: Vec::new(),
            errors: Vec::new(),
            style,
        }
    }

    /// Puts files and errors in their canonical order (as `Report::finish`).
    pub fn finish(&mut self) {
        self.files.sort_by(|a, b| a.filename.cmp(&b.filename));
        super::sort_errors(&mut self.errors);
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in &self.files {
            c.add(&f.counts);
        }
        super::totals(c, &self.errors)
    }

    /// Writes the report to `out`, as `report::write` writes the `Report` of the same
    /// results in the same format.
    pub fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut writer = InFileOrder::new(self.format, out);
        let mut errors = self.errors.iter().peekable();
        for file in &self.files {
            // A file's errors come after its results, as the whole report sorts them.
            while let Some(e) = errors.next_if(|e| e.filename < file.filename) {
                writer.error(e)?;
            }
            writer.file(file)?;
        }
        for e in errors {
            writer.error(e)?;
        }
        writer.end(&stdout::Ending {
            errors: &self.errors,
            counts: self.counts(),
            color: self.style.color,
        })
    }
}

/// Writes a per-file report's parts in file order: each file's block, and each error
/// where its file sorts, then the end.
enum InFileOrder<'o> {
    /// The text report lists its errors at the end, before the summary.
    Stdout(&'o mut dyn std::io::Write),
    /// The JSON array has an entry per error, among the files'.
    Json(json::ArrayWriter<'o>),
}

impl<'o> InFileOrder<'o> {
    fn new(format: PerFileFormat, out: &'o mut dyn std::io::Write) -> Self {
        match format {
            PerFileFormat::Stdout => InFileOrder::Stdout(out),
            PerFileFormat::Json => InFileOrder::Json(json::ArrayWriter::new(out)),
        }
    }

    fn file(&mut self, file: &RenderedFile) -> std::io::Result<()> {
        match self {
            InFileOrder::Stdout(out) => out.write_all(&file.bytes),
            InFileOrder::Json(array) => array.part(&file.bytes),
        }
    }

    fn error(&mut self, e: &FileError) -> std::io::Result<()> {
        match self {
            InFileOrder::Stdout(_) => Ok(()),
            InFileOrder::Json(array) => array.error(e),
        }
    }

    /// Ends the report: the text report with its errors and summary (`ending`), the JSON
    /// array with its closing bracket.
    fn end(self, ending: &stdout::Ending) -> std::io::Result<()> {
        match self {
            InFileOrder::Stdout(out) => out.write_all(ending.render().as_bytes()),
            InFileOrder::Json(array) => array.end(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Finding;
    use crate::report::Report;
    use serde_json::{Map, Value};

    /// Three files' results (findings with and without lines, suppressed ones, a secret in
    /// a quoted line, standard input, a file with no results) and errors: one for a file
    /// between them, one for a file with results, one after them all.
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
        out.push(("c/empty.yaml".to_owned(), Vec::new(), BTreeMap::new()));
        out
    }

    fn errors() -> Vec<FileError> {
        let error = |filename: &str, line, message: &str| FileError {
            filename: filename.into(),
            line,
            message: message.into(),
        };
        vec![
            error("z/late", None, "unreadable"),
            error("a/Dockerfile", Some(3), "policy error"),
            error("a/missing", None, "no such file"),
        ]
    }

    fn written(write: impl Fn(&mut Vec<u8>) -> std::io::Result<()>) -> String {
        let mut out = Vec::new();
        write(&mut out).expect("writes");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn files_rendered_by_the_workers_give_the_report_rendered_at_the_end() {
        for format in [PerFileFormat::Stdout, PerFileFormat::Json] {
            for (show_suppressed, color) in [(false, false), (true, true)] {
                let style = Style {
                    color,
                    show_suppressed,
                    ..Style::default()
                };
                let mut whole = Report {
                    errors: errors(),
                    style,
                    ..Report::default()
                };
                let mut parts = Prerendered::new(format, style);
                parts.errors = errors();
                for (name, mut results, lines) in files() {
                    whole.results.extend(results.clone());
                    whole.sources.insert(name.clone(), lines.clone());
                    let file = RenderedFile::render(name, &mut results, &lines, format, &style);
                    parts.files.push(file);
                }
                whole.finish();
                parts.finish();
                assert_eq!(whole.counts(), parts.counts());
                let output_format = match format {
                    PerFileFormat::Stdout => OutputFormat::Stdout,
                    PerFileFormat::Json => OutputFormat::Json,
                };
                let text = written(|out| parts.write(out));
                let expected = written(|out| {
                    crate::report::write(output_format, &whole, &BTreeMap::new(), out)
                });
                assert_eq!(expected, text, "{format:?}");
                assert!(text.contains("b/Dockerfile") && !text.contains("ghp_0123"));
            }
        }
    }

    #[test]
    fn an_empty_run_is_rendered_as_the_whole_report_renders_it() {
        for format in [OutputFormat::Stdout, OutputFormat::Json] {
            let per_file = PerFileFormat::of(format).expect("renders per file");
            let whole = Report::default();
            let parts = Prerendered::new(per_file, Style::default());
            assert_eq!(
                written(|out| crate::report::write(format, &whole, &BTreeMap::new(), out)),
                written(|out| parts.write(out))
            );
        }
    }

    #[test]
    fn only_text_and_json_render_per_file() {
        let per_file: Vec<OutputFormat> = OutputFormat::ALL
            .iter()
            .copied()
            .filter(|f| PerFileFormat::of(*f).is_some())
            .collect();
        assert_eq!(per_file, [OutputFormat::Stdout, OutputFormat::Json]);
    }
}
