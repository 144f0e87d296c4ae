//! conftest's JSON output: an array of `{filename, namespace, successes, warnings,
//! failures, exceptions}` with results `{msg, metadata}`. We add `loc: {file, line}` to
//! results whose location is known, and an entry with an `error` object for each file that
//! could not be checked, so machine readers see errors too. With `--show-suppressed`,
//! findings hidden by pragmas are listed under `suppressed`.

use serde_json::{Map, Value, json};

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
    // Entries are sorted by file first and built one at a time while serialising, so the
    // output never exists twice in memory (as a JSON tree and as text).
    enum Entry<'a> {
        Result(&'a super::CheckResult),
        Error(&'a super::FileError),
    }
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
    let values = entries.iter().map(|(_, entry)| match entry {
        Entry::Result(r) => result(report, r),
        Entry::Error(e) => error(e),
    });
    // conftest indents with tabs.
    let mut ser = serde_json::Serializer::with_formatter(
        &mut *out,
        serde_json::ser::PrettyFormatter::with_indent(b"\t"),
    );
    serde::Serializer::collect_seq(&mut ser, values).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

fn result(report: &Report, r: &super::CheckResult) -> Value {
    let mut obj = Map::new();
    // conftest reports standard input with an empty filename.
    let filename = if r.filename == "-" {
        ""
    } else {
        r.filename.as_str()
    };
    obj.insert("filename".into(), json!(filename));
    obj.insert("namespace".into(), json!(r.namespace));
    obj.insert("successes".into(), json!(r.successes));
    for (key, list) in [
        ("warnings", &r.warnings),
        ("failures", &r.failures),
        ("exceptions", &r.exceptions),
    ] {
        if !list.is_empty() {
            obj.insert(
                key.into(),
                list.iter().map(|f| finding(&r.filename, f)).collect(),
            );
        }
    }
    if report.show_suppressed && !r.suppressed.is_empty() {
        let list = r
            .suppressed
            .iter()
            .map(|f| finding(&r.filename, f))
            .collect();
        obj.insert("suppressed".into(), list);
    }
    Value::Object(obj)
}

fn error(e: &super::FileError) -> Value {
    let mut error = Map::new();
    error.insert("message".into(), json!(e.message));
    if let Some(line) = e.line {
        error.insert("line".into(), json!(line));
    }
    json!({"filename": e.filename, "namespace": "", "successes": 0, "error": error})
}

fn finding(filename: &str, f: &Finding) -> Value {
    let mut obj = Map::new();
    obj.insert("msg".into(), json!(f.msg));
    if !f.metadata.is_empty() {
        obj.insert("metadata".into(), Value::Object(f.metadata.clone()));
    }
    if let Some(line) = f.line {
        let file = f.file.as_deref().unwrap_or(filename);
        obj.insert("loc".into(), json!({"file": file, "line": line}));
    }
    Value::Object(obj)
}
