//! Input files → the JSON documents that policies evaluate.
//!
//! One module per format. Each turns raw bytes into documents (`Document`): JSON values,
//! or a Dockerfile's typed instructions, which stand for their JSON array; the caller
//! keeps the text for source lines in reports. A file whose top level is an array (a JSON
//! array, a YAML list, several YAML documents) is evaluated element by element, as
//! conftest does; a Dockerfile is one document, its instruction array.

pub mod archive;
pub mod codeowners;
pub mod compose;
pub mod confine;
pub mod dockerfile;
pub mod dotenv;
pub mod hcl2;
pub mod ignore;
pub mod image_reference;
pub mod ini;
pub mod json;
pub mod properties;
pub mod sbom;
mod sbom_schema;
mod sbom_xml;
pub mod spdx;
pub mod toml;
pub mod walk;
pub mod xml;
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
    Toml,
    Ini,
    /// HCL2 native syntax: `docker-bake.hcl`, Terraform.
    Hcl2,
    /// `.env` files.
    Dotenv,
    /// `.dockerignore` and `.gitignore`.
    Ignore,
    Xml,
    /// Java `.properties` files.
    Properties,
    /// CycloneDX SBOMs (JSON or XML).
    CycloneDx,
    /// GitHub `CODEOWNERS` files.
    Codeowners,
    /// SPDX documents in tag-value form.
    Spdx,
}

impl Format {
    /// Every format, in the order `--parser`'s help lists them.
    pub const ALL: &[Format] = &[
        Format::Dockerfile,
        Format::Json,
        Format::Yaml,
        Format::Archive,
        Format::Codeowners,
        Format::CycloneDx,
        Format::Dotenv,
        Format::Hcl2,
        Format::Ignore,
        Format::Ini,
        Format::Properties,
        Format::Spdx,
        Format::Toml,
        Format::Xml,
    ];

    /// The name `--parser` takes and messages use (conftest's name for the parser).
    pub fn name(self) -> &'static str {
        match self {
            Format::Dockerfile => "dockerfile",
            Format::Json => "json",
            Format::Yaml => "yaml",
            Format::Archive => "archive",
            Format::Toml => "toml",
            Format::Ini => "ini",
            Format::Hcl2 => "hcl2",
            Format::Dotenv => "dotenv",
            Format::Ignore => "ignore",
            Format::Xml => "xml",
            Format::Properties => "properties",
            Format::CycloneDx => "cyclonedx",
            Format::Codeowners => "codeowners",
            Format::Spdx => "spdx",
        }
    }

    /// The format `--parser NAME` or `parse_config(NAME, ...)` names.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// The names of every format, for messages: `dockerfile, json, ...`.
    pub fn names() -> String {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        names.join(", ")
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
        // conftest's rules, in its order: some names and extensions, then an extension
        // that is a parser's name (`x.toml`, `x.ini`, `bom.cyclonedx`).
        if lower == "codeowners" {
            return Some(Format::Codeowners);
        }
        if lower == ".env" || lower.starts_with(".env.") || extension == Some("env") {
            return Some(Format::Dotenv);
        }
        match extension? {
            "yaml" | "yml" => Some(Format::Yaml),
            "hcl" | "tf" | "tfvars" => Some(Format::Hcl2),
            "gitignore" | "dockerignore" => Some(Format::Ignore),
            "archive" => None,
            other => Format::from_name(other),
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
/// (Configuration files of the other text formats share this bound: they are written by
/// hand, like Dockerfiles.)
/// Largest JSON or YAML input read: `kubectl get -o json` of a large cluster is tens of
/// MB, so the bound is higher. (Image archives are streamed and have their own bounds.)
pub const MAX_DOCUMENT: u64 = 128 * 1024 * 1024;

impl Format {
    /// The largest input of this format that is read.
    pub fn max_size(self) -> u64 {
        match self {
            Format::Dockerfile
            | Format::Toml
            | Format::Ini
            | Format::Hcl2
            | Format::Dotenv
            | Format::Ignore
            | Format::Properties
            | Format::Codeowners => MAX_DOCKERFILE,
            Format::Json
            | Format::Yaml
            | Format::Archive
            | Format::Xml
            | Format::CycloneDx
            | Format::Spdx => MAX_DOCUMENT,
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
    #[error("invalid {format}{}: {message}", line.map(|l| format!(" at line {l}")).unwrap_or_default())]
    Syntax {
        format: Format,
        line: Option<usize>,
        message: String,
    },
    #[error(
        "cannot tell the file's format from its name; pass --parser with one of {}",
        Format::names()
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
            InputError::Syntax { line, .. } => *line,
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
            InputError::Syntax {
                format,
                line,
                message,
            } => InputError::Syntax {
                format,
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
    /// For YAML and JSON files, where each document's root is in the YAML document of its
    /// range: `None` for the root itself, `Some(i)` for item i of a top-level array split
    /// into documents. Findings name nodes by their path from there. `None` for other
    /// formats, and when the documents' ranges are not known.
    pub tree_roots: Option<Vec<Option<usize>>>,
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
    let mut tree_roots = None;
    let (documents, multi, ranges) = match format {
        Format::Dockerfile => {
            // conftest's Dockerfile parser returns an array holding the instruction array:
            // `parse` prints both levels, policies see the inner one.
            let instructions = dockerfile::parse(text, options)?;
            (vec![Document::Dockerfile(instructions)], true, None)
        }
        Format::Json => {
            let doc = json::parse(text).map_err(|e| e.hiding_secrets_of(text))?;
            let (docs, multi) = split_top_array(doc);
            tree_roots = Some(split_roots(docs.len(), multi));
            (docs, multi, None)
        }
        Format::Archive => return Err(InputError::UnknownFormat),
        Format::Toml
        | Format::Ini
        | Format::Hcl2
        | Format::Dotenv
        | Format::Ignore
        | Format::Xml
        | Format::Properties
        | Format::CycloneDx
        | Format::Codeowners
        | Format::Spdx => {
            let doc = parse_configuration(text, format).map_err(|e| e.hiding_secrets_of(text))?;
            let (docs, multi) = split_top_array(doc);
            (docs, multi, None)
        }
        Format::Yaml => {
            let mut docs = yaml::conftest_documents(text).map_err(|e| e.hiding_secrets_of(text))?;
            if docs.len() == 1 {
                let (docs, multi) = split_top_array(docs.remove(0));
                tree_roots = Some(split_roots(docs.len(), multi));
                (docs, multi, None)
            } else {
                let ranges = content_ranges(text, &docs, whole);
                if ranges.is_some() {
                    tree_roots = Some(vec![None; docs.len()]);
                }
                (docs.into_iter().map(Document::Json).collect(), true, ranges)
            }
        }
    };
    let ranges = ranges.unwrap_or_else(|| vec![whole; documents.len()]);
    Ok(Parsed {
        documents,
        multi,
        ranges,
        tree_roots,
    })
}

/// Each document's line range in a YAML stream: the documents with content take the
/// ranges `yaml::document_ranges` finds, in order; an empty document (`null`, as a trailing
/// `---` gives) holds nothing to locate and takes the whole file.
fn content_ranges(
    text: &str,
    docs: &[Value],
    whole: (usize, usize),
) -> Option<Vec<(usize, usize)>> {
    let with_content = docs.iter().filter(|d| !d.is_null()).count();
    let mut found = yaml::document_ranges(text, with_content)?.into_iter();
    docs.iter()
        .map(|d| {
            if d.is_null() {
                Some(whole)
            } else {
                found.next()
            }
        })
        .collect()
}

/// The tree roots of the documents of one YAML or JSON document, split when it was a
/// top-level array.
fn split_roots(documents: usize, split: bool) -> Vec<Option<usize>> {
    if split {
        (0..documents).map(Some).collect()
    } else {
        vec![None; documents]
    }
}

/// One of the configuration formats that become a single JSON value.
fn parse_configuration(text: &str, format: Format) -> Result<Value, InputError> {
    let syntax = |(line, message): (Option<usize>, String)| InputError::Syntax {
        format,
        line,
        message,
    };
    match format {
        Format::Toml => toml::parse(text).map_err(syntax),
        Format::Ini => ini::parse(text).map_err(syntax),
        Format::Hcl2 => hcl2::parse(text).map_err(syntax),
        Format::Dotenv => dotenv::parse(text).map_err(syntax),
        Format::Ignore => Ok(ignore::parse(text)),
        Format::Xml => xml::parse(text).map_err(syntax),
        Format::Properties => properties::parse(text).map_err(syntax),
        Format::CycloneDx => sbom::parse_cyclonedx(text).map_err(syntax),
        Format::Codeowners => codeowners::parse(text).map_err(syntax),
        Format::Spdx => spdx::parse(text).map_err(syntax),
        Format::Dockerfile | Format::Json | Format::Yaml | Format::Archive => {
            Err(InputError::UnknownFormat)
        }
    }
}

/// A number as conftest's parsers give it: Go decodes every JSON number as a float64, so an
/// integral value prints without a fraction (`1000`, not `1000.0`) and a non-finite one
/// does not exist.
pub fn go_number(n: f64) -> Option<Value> {
    // 2^63: below it, an integral float is exactly an i64.
    const I64_BOUND: f64 = 9_223_372_036_854_775_808.0;
    if n.fract() == 0.0 && n.abs() < I64_BOUND {
        return Some(Value::from(n as i64));
    }
    serde_json::Number::from_f64(n).map(Value::Number)
}

/// How deep the configuration parsers nest values, as serde_json's recursion limit does
/// for JSON: deeper input is an error, never a stack overflow in a later recursive walk.
pub const MAX_NESTING: usize = 128;

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
    fn yaml_and_json_documents_know_where_their_tree_starts() {
        let options = dockerfile::Options::default();
        let parsed = parse("a: 1\n---\nb: 2\n---\n", Format::Yaml, &options).unwrap();
        assert_eq!(parsed.ranges, vec![(1, 1), (2, 3), (1, 4)]);
        assert_eq!(parsed.tree_roots, Some(vec![None, None, None]));
        let parsed = parse("[{\"a\": 1}, {\"b\": 2}]", Format::Json, &options).unwrap();
        assert_eq!(parsed.tree_roots, Some(vec![Some(0), Some(1)]));
        let parsed = parse("- a\n- b\n", Format::Yaml, &options).unwrap();
        assert_eq!(parsed.tree_roots, Some(vec![Some(0), Some(1)]));
        let parsed = parse("a = 1\n", Format::Toml, &options).unwrap();
        assert_eq!(parsed.tree_roots, None);
    }

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
            ("Dockerfile.dockerignore", Some(Format::Ignore)),
            (".dockerignore", Some(Format::Ignore)),
            (".gitignore", Some(Format::Ignore)),
            ("docker-bake.hcl", Some(Format::Hcl2)),
            ("main.tf", Some(Format::Hcl2)),
            ("prod.tfvars", Some(Format::Hcl2)),
            (".env", Some(Format::Dotenv)),
            (".env.prod", Some(Format::Dotenv)),
            ("prod.env", Some(Format::Dotenv)),
            ("pyproject.toml", Some(Format::Toml)),
            ("setup.ini", Some(Format::Ini)),
            ("pom.xml", Some(Format::Xml)),
            ("app.properties", Some(Format::Properties)),
            ("bom.cyclonedx", Some(Format::CycloneDx)),
            ("sbom.spdx", Some(Format::Spdx)),
            ("sbom.spdx.json", Some(Format::Json)),
            ("bom.archive", None),
            ("notes.env.txt", None),
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
