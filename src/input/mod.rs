//! Input files → the JSON documents that policies evaluate.
//!
//! One module per format. Each turns raw bytes into documents (`Document`): JSON values,
//! or a Dockerfile's typed instructions, which stand for their JSON array; the caller
//! keeps the text for source lines in reports. A file whose top level is an array (a JSON
//! array, a YAML list, several YAML documents) is evaluated element by element, as
//! conftest does; a Dockerfile is one document, its instruction array.

pub mod archive;
pub mod compose;
pub mod confine;
pub mod dockerfile;
pub mod image_reference;
pub mod json;
pub mod walk;
pub mod yaml;

use std::fmt;
use std::path::Path;

use serde_json::Value;

/// The input formats we can parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Dockerfile,
    Json,
    Yaml,
    /// An image archive: `docker save` tarball or OCI image layout (directory or tar).
    Archive,
}

impl Format {
    /// The name `--parser` takes and messages use.
    pub fn name(self) -> &'static str {
        match self {
            Format::Dockerfile => "dockerfile",
            Format::Json => "json",
            Format::Yaml => "yaml",
            Format::Archive => "archive",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Extensions that mark `Dockerfile.<ext>` as some other kind of file.
const NOT_DOCKERFILE_EXTENSIONS: &[&str] = &[
    "rego",
    "json",
    "yaml",
    "yml",
    "md",
    "txt",
    "dockerignore",
    "sh",
    "bash",
    "ps1",
    "py",
    "go",
    "rs",
    "js",
    "ts",
    "toml",
    "lock",
    "patch",
    "diff",
    "orig",
    "bak",
    "swp",
    "tmpl",
    "tpl",
    "j2",
    "jinja",
    "erb",
    "in",
];

impl Format {
    /// Detects the format from a file name; `None` when the name says nothing we parse.
    pub fn detect(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        let extension = lower.rsplit_once('.').map(|(_, e)| e);
        // `Dockerfile.prod` is a Dockerfile; `dockerfile.rego` (a policy about
        // Dockerfiles), `Dockerfile.dockerignore` or `Dockerfile.md` are not.
        let other_kind = extension.is_some_and(|e| NOT_DOCKERFILE_EXTENSIONS.contains(&e));
        let named_dockerfile = lower == "dockerfile"
            || lower == "containerfile"
            || lower.ends_with(".dockerfile")
            || lower.ends_with(".containerfile")
            || ((lower.starts_with("dockerfile.") || lower.starts_with("containerfile."))
                && !other_kind);
        if named_dockerfile {
            return Some(Format::Dockerfile);
        }
        if archive::is_archive_name(path) || archive::is_oci_layout_dir(path) {
            return Some(Format::Archive);
        }
        match extension? {
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }

    /// Guesses the format of text with no name (standard input).
    pub fn sniff(text: &str) -> Format {
        // (Archives are binary: they are never read from standard input.)
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap_or("");
        if first.starts_with('{') || first.starts_with('[') {
            return Format::Json;
        }
        let word = first
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if matches!(word.as_str(), "from" | "arg") {
            Format::Dockerfile
        } else {
            Format::Yaml
        }
    }
}

/// Largest Dockerfile read. Real ones are kilobytes; a 100 MB Dockerfile would become
/// gigabytes of JSON for the policies, so it is refused before being read whole.
pub const MAX_DOCKERFILE: u64 = 16 * 1024 * 1024;
/// Largest JSON or YAML input read: `kubectl get -o json` of a large cluster is tens of
/// MB, so the bound is higher. (Image archives are streamed and have their own bounds.)
pub const MAX_DOCUMENT: u64 = 128 * 1024 * 1024;

impl Format {
    /// The largest input of this format that is read.
    pub fn max_size(self) -> u64 {
        match self {
            Format::Dockerfile => MAX_DOCKERFILE,
            _ => MAX_DOCUMENT,
        }
    }
}

/// Why a file could not be turned into documents. Each carries the line where known.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read file: {0}")]
    Read(#[from] std::io::Error),
    #[error(
        "file is {} MiB, over the {} MiB limit for this format",
        .size / (1024 * 1024),
        .limit / (1024 * 1024)
    )]
    TooLarge { size: u64, limit: u64 },
    #[error("binary file (contains NUL bytes); not a {0}")]
    Binary(Format),
    #[error("not valid UTF-8 text at line {line}")]
    NotUtf8 { line: usize },
    #[error("invalid Dockerfile: {}", .0.message)]
    Dockerfile(#[from] dockerfile::DockerfileError),
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("invalid YAML{}: {message}", line.map(|l| format!(" at line {l}")).unwrap_or_default())]
    Yaml {
        line: Option<usize>,
        message: String,
    },
    #[error(
        "cannot tell the file's format from its name; pass --parser dockerfile|json|yaml|archive"
    )]
    UnknownFormat,
    #[error("invalid image archive: {0}")]
    Archive(#[from] archive::ArchiveError),
}

impl InputError {
    /// The 1-based line the error points at, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            InputError::NotUtf8 { line } => Some(*line),
            InputError::Dockerfile(e) => Some(e.line),
            InputError::Json { line, .. } => Some(*line),
            InputError::Yaml { line, .. } => *line,
            _ => None,
        }
    }

    /// The error with the secret values of `text` (the input it is about) hidden from
    /// its message, as the Dockerfile parser does for its own: a JSON or YAML parser's
    /// message may quote the input, and every report prints it.
    fn hiding_secrets_of(self, text: &str) -> Self {
        use crate::redact::Secrets;
        match self {
            InputError::Json {
                line,
                column,
                message,
            } => InputError::Json {
                line,
                column,
                message: Secrets::in_text(text, Some(line)).hide(&message),
            },
            InputError::Yaml { line, message } => InputError::Yaml {
                line,
                message: Secrets::in_text(text, line).hide(&message),
            },
            other => other,
        }
    }
}

/// A parsed file: its documents, whether the file held several (so `parse` can print
/// the array rather than its only element), and each document's line range (for
/// locating findings; the whole file when a document's own range is not known).
#[derive(Debug, Clone)]
pub struct Parsed {
    pub documents: Vec<Document>,
    pub multi: bool,
    pub ranges: Vec<(usize, usize)>,
}

impl Parsed {
    /// The whole file as one JSON value (what `parse` prints and a data file holds).
    pub fn into_whole(self) -> Value {
        let mut documents = self.documents.into_iter().map(Document::into_json);
        if self.multi {
            Value::Array(documents.collect())
        } else {
            documents.next().unwrap_or(Value::Null)
        }
    }
}

/// One document of a file, as policies see it (`to_json`).
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// JSON, YAML (manifests, Compose files) and image documents.
    Json(Value),
    /// A Dockerfile, kept typed: evaluation converts it to regorus values without a JSON
    /// document in between (see `dockerfile::Instruction`).
    Dockerfile(Vec<dockerfile::Instruction>),
}

impl Document {
    /// The document as JSON: what policies see, `parse` prints and data files hold.
    pub fn to_json(&self) -> Value {
        match self {
            Document::Json(value) => value.clone(),
            Document::Dockerfile(instructions) => dockerfile::to_json(instructions),
        }
    }

    /// `to_json`, without a copy of a JSON document.
    pub fn into_json(self) -> Value {
        match self {
            Document::Json(value) => value,
            Document::Dockerfile(instructions) => dockerfile::to_json(&instructions),
        }
    }
}

/// The strings of a JSON array (other elements, or a non-array, give nothing).
pub fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// Checks that the bytes are text and returns them as `&str`.
pub fn text_of(bytes: &[u8], format: Format) -> Result<&str, InputError> {
    if bytes.contains(&0) {
        return Err(InputError::Binary(format));
    }
    std::str::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
    })
}

/// Parses `text` as `format` into documents.
pub fn parse(
    text: &str,
    format: Format,
    options: &dockerfile::Options,
) -> Result<Parsed, InputError> {
    let whole = (1, text.lines().count().max(1));
    let (documents, multi, ranges) = match format {
        Format::Dockerfile => {
            let instructions = dockerfile::parse(text, options)?;
            (vec![Document::Dockerfile(instructions)], false, None)
        }
        Format::Json => {
            let doc = json::parse(text).map_err(|e| e.hiding_secrets_of(text))?;
            let (docs, multi) = split_top_array(doc);
            (docs, multi, None)
        }
        Format::Archive => return Err(InputError::UnknownFormat),
        Format::Yaml => {
            let mut docs = yaml::parse(text).map_err(|e| e.hiding_secrets_of(text))?;
            if docs.len() == 1 {
                let (docs, multi) = split_top_array(docs.remove(0));
                (docs, multi, None)
            } else {
                let ranges = yaml::document_ranges(text, docs.len());
                (docs.into_iter().map(Document::Json).collect(), true, ranges)
            }
        }
    };
    let ranges = ranges.unwrap_or_else(|| vec![whole; documents.len()]);
    Ok(Parsed {
        documents,
        multi,
        ranges,
    })
}

fn split_top_array(value: Value) -> (Vec<Document>, bool) {
    match value {
        Value::Array(items) => (items.into_iter().map(Document::Json).collect(), true),
        other => (vec![Document::Json(other)], false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats_by_name() {
        for (name, want) in [
            ("Dockerfile", Some(Format::Dockerfile)),
            ("Containerfile", Some(Format::Dockerfile)),
            ("Dockerfile.prod", Some(Format::Dockerfile)),
            ("api.Dockerfile", Some(Format::Dockerfile)),
            ("api.dockerfile", Some(Format::Dockerfile)),
            ("Containerfile.dev", Some(Format::Dockerfile)),
            ("dockerfile.rego", None),
            ("Dockerfile.dockerignore", None),
            ("Dockerfile.json", Some(Format::Json)),
            ("Dockerfile.tmpl", None),
            ("deploy.yml", Some(Format::Yaml)),
            ("image.json", Some(Format::Json)),
            ("README.md", None),
        ] {
            assert_eq!(Format::detect(Path::new(name)), want, "{name}");
        }
    }

    #[test]
    fn non_utf8_names_the_line() {
        let err = text_of(b"FROM a\nRUN \xff\n", Format::Dockerfile).unwrap_err();
        assert_eq!(err.line(), Some(2));
    }
}
