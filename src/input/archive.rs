//! Image archives: a `docker save` tarball, or an OCI image layout (a directory, or a tar
//! of one), read without extracting anything to disk.
//!
//! The archive is streamed once. Small JSON entries (manifests, configs) are kept; every
//! layer is read through (gzip or plain) and only its file list is kept — path, size,
//! mode, type — so memory grows with the number of files, never with their bytes. The
//! layers are then applied in manifest order, whiteouts included, giving the final
//! filesystem. Policies see one document:
//!
//! ```json
//! {"ImageArchive": {"format": "docker-save", "tags": [...], "config": {...},
//!   "layers": [{"blob": ..., "size": ..., "files": ..., "created_by": ...}],
//!   "size": 123, "files": [{"path": "/etc/passwd", "size": 1, "mode": 420, "type": "file"}]}}
//! ```

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::input::confine::{ConfineError, Tree};
use crate::input::strings;
use flate2::read::GzDecoder;
use serde_json::{Value, json};

/// Largest JSON entry (manifest, index, config) read into memory.
const MAX_JSON: u64 = 16 * 1024 * 1024;
/// Largest file whose first bytes are read to tell a private key from a certificate.
const MAX_KEY_PEEK: u64 = 64 * 1024;
/// Most files (entries of all layers) an archive may list: memory grows with the file
/// list, so an archive claiming more is refused. The largest real images list a few
/// hundred thousand.
const MAX_ENTRIES: usize = 2_000_000;
/// A gzip layer that expands more than this many times, past `BOMB_FLOOR` bytes, is a
/// decompression bomb, not an image layer (real layers expand 2-10x).
const BOMB_RATIO: u64 = 1000;
const BOMB_FLOOR: u64 = 1024 * 1024 * 1024;
/// How many nested OCI indexes are followed to reach an image manifest.
const MAX_INDEX_DEPTH: usize = 4;

/// Why an archive could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot read the archive: {0}")]
    Io(#[from] std::io::Error),
    #[error("not an image archive: {0}")]
    NotAnImage(String),
    #[error("invalid JSON in {entry}: {message}")]
    Json { entry: String, message: String },
    #[error("the manifest names {0}, which the archive does not contain")]
    MissingBlob(String),
    #[error("{0}")]
    Limit(String),
    #[error("{0}")]
    Outside(#[from] ConfineError),
}

/// Whether a file name says "image archive" (`*.tar`, `*.tar.gz`, `*.tgz`).
pub fn is_archive_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    name.ends_with(".tar") || name.ends_with(".tar.gz") || name.ends_with(".tgz")
}

/// Whether a directory is an OCI image layout.
pub fn is_oci_layout_dir(path: &Path) -> bool {
    path.is_dir() && path.join("oci-layout").is_file() && path.join("index.json").is_file()
}

/// One layer's file list, as read from its tar.
#[derive(Debug, Default, Clone)]
struct Layer {
    entries: Vec<Entry>,
    size: u64,
}

#[derive(Debug, Clone)]
struct Entry {
    path: String,
    size: u64,
    mode: u32,
    kind: &'static str,
    private_key: bool,
}

/// Reads an archive file (tar, optionally gzip-compressed) or an OCI layout directory.
pub fn read(path: &Path) -> Result<Value, ArchiveError> {
    if path.is_dir() {
        return read_layout_dir(path);
    }
    read_from(std::fs::File::open(path)?)
}

/// Reads an archive (tar, optionally gzip-compressed) from any reader, streamed once.
pub fn read_from(reader: impl Read) -> Result<Value, ArchiveError> {
    let mut reader = BufReader::new(reader);
    let gzip = reader.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    if gzip {
        read_tar(BufReader::new(GzDecoder::new(reader)))
    } else {
        read_tar(reader)
    }
}

/// Streams the outer tar once, keeping JSON entries and layer file lists.
fn read_tar(reader: impl Read) -> Result<Value, ArchiveError> {
    let mut archive = tar::Archive::new(reader);
    let mut json: HashMap<String, Value> = HashMap::new();
    // A layer that fails to read is an error only if the manifest needs it (legacy
    // `docker save` archives carry small non-layer files such as `VERSION`).
    let mut layers: HashMap<String, Result<Layer, String>> = HashMap::new();
    let mut entries = 0usize;
    for entry in archive.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = normalise(&entry.path()?.to_string_lossy());
        let size = entry.header().size()?;
        let mut reader = BufReader::new(&mut entry);
        let head = reader.fill_buf()?;
        if head.first() == Some(&b'{') || head.first() == Some(&b'[') {
            if size > MAX_JSON {
                continue;
            }
            let mut text = String::new();
            reader.read_to_string(&mut text)?;
            let value: Value = serde_json::from_str(&text).map_err(|e| ArchiveError::Json {
                entry: name.clone(),
                message: e.to_string(),
            })?;
            json.insert(name, value);
        } else if looks_like_layer(head) {
            let layer = read_layer(reader);
            if let Ok(l) = &layer {
                entries += l.entries.len();
                if entries > MAX_ENTRIES {
                    return Err(too_many_entries());
                }
            }
            layers.insert(name, layer.map_err(|e| describe(&e)));
        }
    }
    assemble(&json, &mut |blob| match layers.remove(blob) {
        Some(Ok(layer)) => Ok(layer),
        Some(Err(message)) => Err(ArchiveError::NotAnImage(format!("layer {blob}: {message}"))),
        None => Err(ArchiveError::MissingBlob(blob.to_owned())),
    })
}

/// An OCI layout directory: blobs are read on demand.
///
/// The layout is untrusted (a pull request can commit one): every file read, `index.json`
/// included, is resolved with all its symlinks beneath the layout's own root, so a
/// symlinked `blobs/<alg>` directory cannot lead the reader to `/proc/self` or any file
/// of the machine.
fn read_layout_dir(dir: &Path) -> Result<Value, ArchiveError> {
    let tree = Tree::at(dir)?;
    let mut json: HashMap<String, Value> = HashMap::new();
    let read_json = |rel: &str| -> Result<Value, ArchiveError> {
        let mut text = Vec::new();
        open_blob(&tree, dir, rel)?
            .take(MAX_JSON + 1)
            .read_to_end(&mut text)?;
        if text.len() as u64 > MAX_JSON {
            return Err(ArchiveError::Limit(format!(
                "{rel} is larger than {} MiB; refused",
                MAX_JSON >> 20
            )));
        }
        serde_json::from_slice(&text).map_err(|e| ArchiveError::Json {
            entry: rel.to_owned(),
            message: e.to_string(),
        })
    };
    json.insert("index.json".into(), read_json("index.json")?);
    // Manifests and configs are small; load every JSON blob the index chain needs.
    let mut pending: Vec<String> = descriptors(&json["index.json"]);
    while let Some(blob) = pending.pop() {
        if json.contains_key(&blob) {
            continue;
        }
        let mut head = [0u8; 1];
        let mut file = open_blob(&tree, dir, &blob)?;
        if file.metadata()?.len() <= MAX_JSON && file.read(&mut head)? == 1 && head[0] == b'{' {
            let value = read_json(&blob)?;
            pending.extend(descriptors(&value));
            json.insert(blob, value);
        }
    }
    assemble(&json, &mut |blob: &str| {
        let file = open_blob(&tree, dir, blob)?;
        read_layer(file).map_err(|e| layer_error(blob, &e))
    })
}

/// Opens a layout file: a regular file, not itself a symlink (a layout's blobs are
/// content-addressed files), and with every directory on its way resolved inside the
/// layout.
fn open_blob(tree: &Tree, dir: &Path, rel: &str) -> Result<std::fs::File, ArchiveError> {
    let path = dir.join(rel);
    // (`index.json` is no blob: any link it is stays confined, and the error says so.)
    if rel != "index.json"
        && !std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file())
    {
        return Err(ArchiveError::MissingBlob(rel.to_owned()));
    }
    Ok(tree.open(&path)?)
}

/// A layer that could not be read, described without quoting any of its bytes: the tar
/// reader's messages can contain header fields, and a blob's bytes are never shown.
fn layer_error(blob: &str, error: &ArchiveError) -> ArchiveError {
    ArchiveError::NotAnImage(format!("layer {blob}: {}", describe(error)))
}

/// What went wrong, in words of our own: the limits' messages as they are, an I/O error
/// by its kind only.
fn describe(error: &ArchiveError) -> String {
    match error {
        ArchiveError::Io(e) => match e.kind() {
            std::io::ErrorKind::UnexpectedEof => "truncated".to_owned(),
            std::io::ErrorKind::Other if e.to_string().contains("decompression bomb") => {
                e.to_string()
            }
            _ => "not a readable tar (or gzip-compressed tar) layer".to_owned(),
        },
        other => other.to_string(),
    }
}

/// Blob paths (`blobs/sha256/<hex>`) that a manifest or index refers to.
fn descriptors(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["manifests", "layers"] {
        for d in value
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.extend(
                d.get("digest")
                    .and_then(Value::as_str)
                    .and_then(|d| blob_path(d).ok()),
            );
        }
    }
    out.extend(
        value
            .get("config")
            .and_then(|c| c.get("digest"))
            .and_then(Value::as_str)
            .and_then(|d| blob_path(d).ok()),
    );
    out
}

/// Where a digest's blob lives in an OCI layout. Only digests of a registered algorithm
/// and the OCI grammar are accepted (`sha256:<encoded>`, the encoded part letters, digits
/// and `=_-`), so a digest never holds `/`, `..` or any other path separator and can never
/// name a path outside `blobs/<alg>/` (`sha256:../../etc/passwd`, `self:environ`).
fn blob_path(digest: &str) -> Result<String, ArchiveError> {
    let parsed = digest.split_once(':').filter(|(alg, encoded)| {
        ["sha256", "sha384", "sha512", "blake3"].contains(alg)
            && !encoded.is_empty()
            && encoded
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "=_-".contains(c))
    });
    match parsed {
        Some((alg, encoded)) => Ok(format!("blobs/{alg}/{encoded}")),
        None => Err(ArchiveError::NotAnImage(format!(
            "invalid digest {:?} (expected sha256:<hex>, sha512:<hex>, ...)",
            shorten(digest)
        ))),
    }
}

/// At most 80 characters of an untrusted string, for a message.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

fn too_many_entries() -> ArchiveError {
    ArchiveError::Limit(format!(
        "the archive lists more than {MAX_ENTRIES} files; refused"
    ))
}

fn normalise(path: &str) -> String {
    path.trim_start_matches("./")
        .trim_start_matches('/')
        .to_owned()
}

fn looks_like_layer(head: &[u8]) -> bool {
    // gzip, or a tar header ("ustar" at offset 257), or an empty/short tar.
    head.starts_with(&[0x1f, 0x8b]) || head.get(257..262) == Some(b"ustar") || head.len() < 512
}

/// Reads one layer tar (gzip or plain), keeping only its file list.
fn read_layer(reader: impl Read) -> Result<Layer, ArchiveError> {
    let compressed = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let mut reader = BufReader::new(Counted {
        inner: reader,
        count: compressed.clone(),
        limit: None,
    });
    let gzip = reader.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    if gzip {
        let expanded = Counted {
            inner: GzDecoder::new(reader),
            count: std::rc::Rc::new(std::cell::Cell::new(0)),
            limit: Some(compressed),
        };
        return read_layer_tar(expanded);
    }
    read_layer_tar(reader)
}

/// A reader that counts its bytes; with `limit` (the bytes read so far on the compressed
/// side), it fails once the output outgrows the input by `BOMB_RATIO`.
struct Counted<R> {
    inner: R,
    count: std::rc::Rc<std::cell::Cell<u64>>,
    limit: Option<std::rc::Rc<std::cell::Cell<u64>>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.count.get().saturating_add(n as u64);
        self.count.set(total);
        if let Some(input) = &self.limit
            && total > BOMB_FLOOR
            && total / BOMB_RATIO > input.get()
        {
            return Err(std::io::Error::other(format!(
                "a gzip layer expands more than {BOMB_RATIO}x past {} GiB (a decompression bomb)",
                BOMB_FLOOR >> 30
            )));
        }
        Ok(n)
    }
}

fn read_layer_tar(reader: impl Read) -> Result<Layer, ArchiveError> {
    let mut layer = Layer::default();
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let header = entry.header();
        let size = header.size().unwrap_or(0);
        let mode = header.mode().unwrap_or(0);
        let kind = match header.entry_type() {
            tar::EntryType::Directory => "dir",
            tar::EntryType::Symlink => "symlink",
            tar::EntryType::Link => "hardlink",
            t if t.is_file() => "file",
            _ => "other",
        };
        let path = format!(
            "/{}",
            normalise(&entry.path()?.to_string_lossy()).trim_end_matches('/')
        );
        let lower = path.to_ascii_lowercase();
        let mut private_key = false;
        if kind == "file"
            && size <= MAX_KEY_PEEK
            && (lower.ends_with(".pem") || lower.ends_with(".key"))
        {
            let mut text = String::new();
            let _ = (&mut entry).take(MAX_KEY_PEEK).read_to_string(&mut text);
            private_key = text.contains("PRIVATE KEY-----");
        }
        layer.size = layer.size.saturating_add(size);
        if layer.entries.len() >= MAX_ENTRIES {
            return Err(too_many_entries());
        }
        layer.entries.push(Entry {
            path,
            size,
            mode,
            kind,
            private_key,
        });
    }
    Ok(layer)
}

/// Builds the document from the archive's JSON entries and layers (fetched by blob path).
fn assemble(
    json: &HashMap<String, Value>,
    layer_of: &mut dyn FnMut(&str) -> Result<Layer, ArchiveError>,
) -> Result<Value, ArchiveError> {
    let (format, config_blob, layer_blobs, tags) = if let Some(manifest) = json.get("manifest.json")
    {
        // docker save: [{Config, RepoTags, Layers}]
        let first = manifest
            .get(0)
            .ok_or_else(|| ArchiveError::NotAnImage("manifest.json lists no image".into()))?;
        let config = first
            .get("Config")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let layers = strings(first.get("Layers"));
        (
            "docker-save",
            config,
            layers,
            strings(first.get("RepoTags")),
        )
    } else if let Some(index) = json.get("index.json") {
        let manifest = oci_manifest(index, json, 0)?;
        let config = manifest
            .get("config")
            .and_then(|c| c.get("digest"))
            .and_then(Value::as_str)
            .map(blob_path)
            .transpose()?
            .unwrap_or_default();
        let layers =
            descriptors(&json!({"layers": manifest.get("layers").cloned().unwrap_or_default()}));
        let tags = index
            .get("manifests")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| {
                m.pointer("/annotations/org.opencontainers.image.ref.name")
                    .and_then(Value::as_str)
            })
            .map(str::to_owned)
            .collect();
        ("oci-layout", config, layers, tags)
    } else {
        return Err(ArchiveError::NotAnImage(
            "no manifest.json (docker save) or index.json (OCI layout)".into(),
        ));
    };
    let config = json
        .get(&config_blob)
        .cloned()
        .ok_or_else(|| ArchiveError::MissingBlob(config_blob.clone()))?;
    let history: Vec<String> = config
        .get("history")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|h| {
            !h.get("empty_layer")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        })
        .map(|h| {
            h.get("created_by")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let mut files: BTreeMap<String, Entry> = BTreeMap::new();
    let mut layer_docs = Vec::new();
    let mut total = 0u64;
    for (i, blob) in layer_blobs.iter().enumerate() {
        let layer = layer_of(blob)?;
        total = total.saturating_add(layer.size);
        layer_docs.push(json!({
            "blob": blob,
            "size": layer.size,
            "files": layer.entries.len(),
            "created_by": history.get(i).cloned().unwrap_or_default(),
        }));
        apply(&mut files, layer);
    }
    let files: Vec<Value> = files
        .into_values()
        .map(|e| {
            let mut f = json!({"path": e.path, "size": e.size, "mode": e.mode, "type": e.kind});
            if e.private_key {
                f["private_key"] = json!(true);
            }
            f
        })
        .collect();
    Ok(json!({"ImageArchive": {
        "format": format,
        "tags": tags,
        "config": config,
        "layers": layer_docs,
        "size": total,
        "files": files,
    }}))
}

/// Applies a layer on top of the files so far: `.wh.name` deletes `name` (and what is
/// under it), `.wh..wh..opq` empties its directory of lower-layer content.
fn apply(files: &mut BTreeMap<String, Entry>, layer: Layer) {
    let mut added: Vec<Entry> = Vec::new();
    for entry in layer.entries {
        let (dir, base) = entry
            .path
            .rsplit_once('/')
            .unwrap_or(("", entry.path.as_str()));
        if base == ".wh..wh..opq" {
            remove_under(files, &format!("{dir}/"));
        } else if let Some(hidden) = base.strip_prefix(".wh.") {
            let target = format!("{dir}/{hidden}");
            files.remove(&target);
            remove_under(files, &format!("{target}/"));
        } else {
            added.push(entry);
        }
    }
    for entry in added {
        files.insert(entry.path.clone(), entry);
    }
}

/// Removes every path that starts with `prefix`: a range of the sorted map, so a layer of
/// many whiteouts costs what it removes, not a pass over all files each.
fn remove_under(files: &mut BTreeMap<String, Entry>, prefix: &str) {
    let doomed: Vec<String> = files
        .range(prefix.to_owned()..)
        .take_while(|(p, _)| p.starts_with(prefix))
        .map(|(p, _)| p.clone())
        .collect();
    for p in doomed {
        files.remove(&p);
    }
}

/// The image manifest an OCI index points at (following one nested index; preferring
/// linux/amd64 when the index lists platforms).
fn oci_manifest<'a>(
    index: &'a Value,
    json: &'a HashMap<String, Value>,
    depth: usize,
) -> Result<&'a Value, ArchiveError> {
    if depth > MAX_INDEX_DEPTH {
        return Err(ArchiveError::NotAnImage(format!(
            "more than {MAX_INDEX_DEPTH} nested image indexes (a cycle?)"
        )));
    }
    let manifests = index
        .get("manifests")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let pick = manifests
        .iter()
        .find(|m| m.pointer("/platform/architecture").and_then(Value::as_str) == Some("amd64"))
        .or_else(|| manifests.first())
        .ok_or_else(|| ArchiveError::NotAnImage("index.json lists no manifest".into()))?;
    let blob = blob_path(
        pick.get("digest")
            .and_then(Value::as_str)
            .unwrap_or_default(),
    )?;
    let value = json
        .get(&blob)
        .ok_or_else(|| ArchiveError::MissingBlob(blob.clone()))?;
    if value.get("manifests").is_some() {
        return oci_manifest(value, json, depth + 1);
    }
    Ok(value)
}
