//! conftest's JSON output: an array of `{filename, namespace, successes, skipped, warnings,
//! failures, exceptions}` with results `{msg, loc, metadata}`, written as Go's
//! encoding/json writes it (keys of metadata objects sorted, `<`, `>` and `&` escaped,
//! tabs for indentation), so a conftest reader sees the same bytes. `loc` is conftest's
//! `_loc` (`file` only when the policy named one); where dockpolicy found the line itself
//! (a `line` key, a `_loc` anchor) it fills `loc.line` too. Besides, an entry with an
//! `error` object for each file that could not be checked, so machine readers see errors
//! too; with `--show-suppressed`, findings hidden by pragmas are listed under
//! `suppressed`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Finding, Report};

pub fn render(report: &Report) -> String {
    let mut buf = Vec::new();
    if write(report, &mut buf).is_err() {
        return "[]\n".into();
    }
    String::from_utf8(buf).unwrap_or_else(|_| "[]\n".into())
}

/// Writes the report to `out` as it is built (a 100k-file report is hundreds of MB of
/// text that need never be held in memory).
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let entries = sorted_entries(report);
    if entries.is_empty() {
        return out.write_all(EMPTY);
    }
    // The entries are serialised in parallel (see `write_in_parallel`). Each entry is
    // pretty-printed on its own and then indented one level, which gives exactly the text
    // of the whole array pretty-printed at once: JSON strings hold no raw newline, so
    // every newline in an entry's text is a line break.
    out.write_all(OPEN)?;
    super::write_in_parallel(
        &entries,
        |chunk| write_chunk(chunk, report.style.show_suppressed),
        SEPARATOR,
        out,
    )?;
    out.write_all(CLOSE)
}

/// The array's text around and between its entries (each entry starts on a new line).
const OPEN: &[u8] = b"[";
const SEPARATOR: &[u8] = b",";
const CLOSE: &[u8] = b"\n]\n";
const EMPTY: &[u8] = b"[]\n";

/// One entry of the output array. Entries are sorted by file first and built one at a
/// time while serialising, so the output never exists twice in memory (as a JSON tree and
/// as text).
enum Entry<'a> {
    Result(&'a super::CheckResult),
    Error(&'a super::FileError),
}

/// The report's results and errors, each under its file name, in file order.
fn sorted_entries(report: &Report) -> Vec<(&str, Entry<'_>)> {
    let mut entries: Vec<(&str, Entry)> = report
        .results
        .iter()
        .map(|r| (r.filename.as_str(), Entry::Result(r)))
        .chain(
            report
                .errors
                .iter()
                .map(|e| (e.filename.as_str(), Entry::Error(e))),
        )
        .collect();
    // Stable sort: errors stay after a file's results.
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// A run of entries as `write` prints them, separated by commas.
fn write_chunk(chunk: &[(&str, Entry)], show_suppressed: bool) -> std::io::Result<Vec<u8>> {
    let mut part = Vec::new();
    let mut entry = Vec::new();
    for (_, e) in chunk {
        match e {
            Entry::Result(r) => {
                let value = JsonEntry::Result(result(show_suppressed, r));
                push_entry(&mut part, &mut entry, &value)?;
            }
            Entry::Error(e) => push_entry(&mut part, &mut entry, &JsonEntry::Error(error(e)))?,
        }
    }
    Ok(part)
}

/// One file's results as `write` prints them (entries separated by commas, without the
/// array's brackets), made by the worker that checked the file.
pub fn render_file(results: &[super::CheckResult], show_suppressed: bool) -> Vec<u8> {
    let mut part = Vec::new();
    let mut entry = Vec::new();
    for r in results {
        let value = JsonEntry::Result(result(show_suppressed, r));
        // Serialising borrowed strings and numbers into a Vec cannot fail.
        if push_entry(&mut part, &mut entry, &value).is_err() {
            part.clear();
            break;
        }
    }
    part
}

/// Writes the array from parts rendered already (`render_file`'s, or one error's), in
/// the order given: what `write` prints for the same entries.
pub struct ArrayWriter<'o> {
    out: &'o mut dyn std::io::Write,
    opened: bool,
}

impl<'o> ArrayWriter<'o> {
    pub fn new(out: &'o mut dyn std::io::Write) -> ArrayWriter<'o> {
        ArrayWriter { out, opened: false }
    }

    /// Adds the entries of `part`; a part with none (a file with no results) adds nothing.
    pub fn part(&mut self, part: &[u8]) -> std::io::Result<()> {
        if part.is_empty() {
            return Ok(());
        }
        self.out
            .write_all(if self.opened { SEPARATOR } else { OPEN })?;
        self.opened = true;
        self.out.write_all(part)
    }

    /// Adds `e`'s entry.
    pub fn error(&mut self, e: &super::FileError) -> std::io::Result<()> {
        let mut part = Vec::new();
        push_entry(&mut part, &mut Vec::new(), &JsonEntry::Error(error(e)))?;
        self.part(&part)
    }

    /// Closes the array (an empty one if no entry was added).
    pub fn end(self) -> std::io::Result<()> {
        self.out.write_all(if self.opened { CLOSE } else { EMPTY })
    }
}

/// A serde_json formatter that writes as `F` does, but with DEL, C1 controls and the
/// invisible and bidirectional marks in strings as `\uXXXX` escapes (see
/// `redact::json_escaped`): serde_json writes them raw, and a report on a terminal or in a
/// CI log would then carry a file name's `\u{9b}` (a terminal's CSI) or `\u{202e}` (which
/// makes the text display reversed). The document means the same: JSON readers decode
/// the escapes back.
pub struct SafeFormatter<F> {
    inner: F,
    /// Also escape `<`, `>` and `&`, as Go's encoding/json does (conftest's formats).
    like_go: bool,
}

impl<F> SafeFormatter<F> {
    pub fn new(inner: F) -> Self {
        SafeFormatter {
            inner,
            like_go: false,
        }
    }

    /// Escaping as Go's encoding/json escapes (`\u003c`, `\u003e`, `\u0026`, and the
    /// line and paragraph separators among the marks), for the formats conftest writes
    /// with it: their readers compare bytes.
    pub fn like_go(inner: F) -> Self {
        SafeFormatter {
            inner,
            like_go: true,
        }
    }

    fn escaped(&self, c: char) -> bool {
        super::redact::json_escaped(c) || (self.like_go && matches!(c, '<' | '>' | '&'))
    }
}

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for SafeFormatter<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut from = 0;
        for (at, c) in fragment.char_indices() {
            if self.escaped(c) {
                writer.write_all(&fragment.as_bytes()[from..at])?;
                // Every such character is in the Basic Multilingual Plane: one escape.
                write!(writer, "\\u{:04x}", c as u32)?;
                from = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[from..])
    }

    // What `PrettyFormatter` changes, passed on (the rest are the trait's defaults).
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.inner.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.inner.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.end_object_value(w)
    }
}

/// `value` pretty-printed (two spaces), its strings escaped as `SafeFormatter` does.
pub fn to_string_pretty_safe<T: Serialize + ?Sized>(value: &T) -> String {
    pretty(
        value,
        SafeFormatter::new(serde_json::ser::PrettyFormatter::new()),
    )
}

/// `value` as Go's `json.MarshalIndent` writes it with two spaces (conftest's `parse` of
/// separate files): pretty-printed, strings escaped as `SafeFormatter::like_go`.
pub fn to_string_pretty_go<T: Serialize + ?Sized>(value: &T) -> String {
    pretty(
        value,
        SafeFormatter::like_go(serde_json::ser::PrettyFormatter::new()),
    )
}

/// `value` as Go's `json.Marshal` writes it: compact, strings escaped as
/// `SafeFormatter::like_go`.
pub fn to_string_compact_go<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        SafeFormatter::like_go(serde_json::ser::CompactFormatter),
    );
    if value.serialize(&mut ser).is_err() {
        return String::new();
    }
    String::from_utf8(out).unwrap_or_default()
}

fn pretty<T: Serialize + ?Sized>(
    value: &T,
    formatter: SafeFormatter<serde_json::ser::PrettyFormatter>,
) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    if value.serialize(&mut ser).is_err() {
        return String::new();
    }
    // Only whole strings of valid UTF-8 and ASCII escapes were written.
    String::from_utf8(out).unwrap_or_default()
}

/// `value` pretty-printed with tabs and escaped as Go's `json.MarshalIndent` writes it
/// (conftest's `parse`), its strings made safe as `SafeFormatter::like_go` does.
pub fn to_string_pretty_tabs_safe<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        SafeFormatter::like_go(serde_json::ser::PrettyFormatter::with_indent(b"\t")),
    );
    if value.serialize(&mut ser).is_err() {
        return String::new();
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Appends `value` to `part` as one entry of the array: a comma after an earlier entry,
/// then the entry pretty-printed and indented one level (`entry` is scratch space).
fn push_entry(part: &mut Vec<u8>, entry: &mut Vec<u8>, value: &JsonEntry) -> std::io::Result<()> {
    entry.clear();
    // conftest indents with tabs.
    let mut ser = serde_json::Serializer::with_formatter(
        &mut *entry,
        SafeFormatter::like_go(serde_json::ser::PrettyFormatter::with_indent(b"\t")),
    );
    value.serialize(&mut ser).map_err(std::io::Error::other)?;
    if !part.is_empty() {
        part.push(b',');
    }
    part.extend_from_slice(b"\n\t");
    for (i, line) in entry.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            part.extend_from_slice(b"\n\t");
        }
        part.extend_from_slice(line);
    }
    Ok(())
}

// The entries are serialised from borrowed structs, in conftest's key order: a
// `serde_json::Value` per entry would clone each finding's metadata into it, serial work
// at the end of the run that grows with the report.

#[derive(Serialize)]
#[serde(untagged)]
enum JsonEntry<'a> {
    Result(ResultEntry<'a>),
    Error(ErrorEntry<'a>),
}

#[derive(Serialize)]
struct ResultEntry<'a> {
    filename: &'a str,
    namespace: &'a str,
    successes: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<Findings<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warnings: Option<Findings<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failures: Option<Findings<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exceptions: Option<Findings<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<Findings<'a>>,
}

/// A list of findings, serialised one by one.
struct Findings<'a> {
    list: &'a [Finding],
}

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Messages may quote input: their secrets are hidden here as in every format (JSON
        // escapes control characters itself).
        serializer.collect_seq(self.list.iter().map(|f| JsonFinding {
            msg: super::redact::redact_message(&f.msg),
            loc: (f.file.is_some() || f.line.is_some()).then_some(Loc {
                file: f.file.as_deref(),
                line: f.line,
            }),
            metadata: (!f.metadata.is_empty()).then_some(SortedKeys::Object(&f.metadata)),
        }))
    }
}

/// A result in conftest's key order (Go's `output.Result`).
#[derive(Serialize)]
struct JsonFinding<'a> {
    msg: std::borrow::Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    loc: Option<Loc<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<SortedKeys<'a>>,
}

#[derive(Serialize)]
struct Loc<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
}

/// A JSON value whose objects are written with their keys sorted, as Go writes a map
/// (a policy's metadata keeps the order the policy gave it).
enum SortedKeys<'a> {
    Object(&'a Map<String, Value>),
    Value(&'a Value),
}

impl Serialize for SortedKeys<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SortedKeys::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_unstable_by_key(|(k, _)| *k);
                serializer.collect_map(entries.into_iter().map(|(k, v)| (k, SortedKeys::Value(v))))
            }
            SortedKeys::Value(Value::Object(map)) => SortedKeys::Object(map).serialize(serializer),
            SortedKeys::Value(Value::Array(items)) => {
                serializer.collect_seq(items.iter().map(SortedKeys::Value))
            }
            SortedKeys::Value(scalar) => scalar.serialize(serializer),
        }
    }
}

#[derive(Serialize)]
struct ErrorEntry<'a> {
    filename: &'a str,
    namespace: &'a str,
    successes: usize,
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    message: std::borrow::Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
}

fn result<'a>(show_suppressed: bool, r: &'a super::CheckResult) -> ResultEntry<'a> {
    let findings = |list: &'a [Finding]| (!list.is_empty()).then_some(Findings { list });
    ResultEntry {
        // conftest reports standard input with an empty filename.
        filename: if r.filename == "-" { "" } else { &r.filename },
        namespace: &r.namespace,
        successes: r.successes,
        skipped: findings(&r.skipped),
        warnings: findings(&r.warnings),
        failures: findings(&r.failures),
        exceptions: findings(&r.exceptions),
        suppressed: if show_suppressed {
            findings(&r.suppressed)
        } else {
            None
        },
    }
}

fn error(e: &super::FileError) -> ErrorEntry<'_> {
    ErrorEntry {
        filename: &e.filename,
        namespace: "",
        successes: 0,
        error: ErrorDetail {
            message: super::redact::redact_error(&e.message),
            line: e.line,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{CheckResult, FileError};

    /// The whole array pretty-printed at once: what `write` must produce, chunk by chunk.
    fn in_one_go(report: &Report) -> Vec<u8> {
        let mut entries: Vec<JsonEntry> = report
            .results
            .iter()
            .map(|r| JsonEntry::Result(result(report.style.show_suppressed, r)))
            .chain(report.errors.iter().map(|e| JsonEntry::Error(error(e))))
            .collect();
        // Every result file here sorts before every error file, as `write` orders them.
        entries.sort_by_key(|e| match e {
            JsonEntry::Result(r) => r.filename.to_owned(),
            JsonEntry::Error(e) => e.filename.to_owned(),
        });
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(
            &mut out,
            SafeFormatter::like_go(serde_json::ser::PrettyFormatter::with_indent(b"\t")),
        );
        serde::Serializer::collect_seq(&mut ser, entries).expect("serialises");
        out.push(b'\n');
        out
    }

    #[test]
    fn chunked_output_is_the_array_pretty_printed_in_one_go() {
        let mut report = Report::default();
        // More than one batch of jobs, the last job and batch partly filled.
        let (per_job, per_batch) = (crate::report::ITEMS_PER_JOB, crate::report::JOBS_PER_BATCH);
        for i in 0..(per_job * per_batch + per_job * 2 + 7) {
            let mut r = CheckResult::new(&format!("a/{i:05}.Dockerfile"), "dockpolicy.x");
            r.successes = i % 3;
            if i % 2 == 0 {
                let mut metadata = Map::new();
                metadata.insert("id".into(), Value::String("DP001".into()));
                metadata.insert("nested".into(), serde_json::json!({"k": ["a\nb", 1]}));
                let mut f = Finding::with_metadata(format!("line\nbreak {i}"), metadata);
                f.line = Some(i + 1);
                r.failures.push(f);
            }
            report.results.push(r);
        }
        report.errors.push(FileError {
            filename: "z/broken.yaml".into(),
            line: Some(3),
            message: "bad".into(),
        });
        let mut out = Vec::new();
        write(&report, &mut out).expect("writes");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            String::from_utf8(in_one_go(&report)).expect("utf-8")
        );
        let mut empty = Vec::new();
        write(&Report::default(), &mut empty).expect("writes");
        assert_eq!(empty, in_one_go(&Report::default()));
    }

    #[test]
    fn strings_carry_no_raw_c1_control_or_invisible_mark() {
        let name = "a\u{202e}\u{85}\u{9b}\u{2028}\u{feff}\u{7f}b\té.Dockerfile";
        let text = to_string_pretty_safe(&serde_json::json!({ name: [name, 1] }));
        assert!(
            !text
                .chars()
                .any(|c| c == '\u{7f}' || (!c.is_ascii() && c != 'é')),
            "{text}"
        );
        assert!(
            text.contains(r"a\u202e\u0085\u009b\u2028\ufeff\u007fb\té"),
            "{text}"
        );
        // The same document to a reader.
        let back: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back, serde_json::json!({ name: [name, 1] }));
        // And the same text as serde_json's own where there is nothing to escape.
        let plain = serde_json::json!({"a": ["b", {"c": null}], "d": []});
        assert_eq!(
            to_string_pretty_safe(&plain),
            serde_json::to_string_pretty(&plain).expect("serialises")
        );
    }
}
