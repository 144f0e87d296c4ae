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

//!
//! Links keep their target: `"link"` is the path a symlink or hard link resolves to inside
//! the image (lexically, following symlinks up to `MAX_LINK_HOPS`), so that a link named
//! like a credential is seen under its own name and type.
//!
//! # Limits
//!
//! An archive is untrusted input. What it makes dockpolicy hold is budgeted per archive
//! (see the constants); past a limit the archive is refused with a message naming it.

mod layout;
mod stream;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;
use std::rc::Rc;

use crate::input::confine::ConfineError;
use crate::input::strings;
use serde_json::{Value, json};

use stream::Budget;

/// Largest JSON entry (manifest, index, config) read into memory.
const MAX_JSON: u64 = 16 * 1024 * 1024;
/// Most JSON text (all entries together) one archive may make dockpolicy keep.
const MAX_JSON_TEXT: u64 = 64 * 1024 * 1024;
/// Most JSON values (all parsed entries together), counted from the text before parsing:
/// each costs tens of bytes once parsed, so this bounds parsed JSON near 200 MB.
const MAX_JSON_NODES: u64 = 2_000_000;
/// Longest path name (or link target) of one entry, as Linux's PATH_MAX.
const MAX_NAME: usize = 4096;
/// Most bytes of path names and link targets kept for one archive, all layers together.
const MAX_NAMES: u64 = 128 * 1024 * 1024;
/// Most bytes the tar reader may read between two entries (headers, a GNU long name, PAX
/// extensions), all of which it buffers whole.
const MAX_META: u64 = 1024 * 1024;
/// Largest file whose first bytes are read to tell a private key from a certificate.
const MAX_KEY_PEEK: u64 = 64 * 1024;
/// Most files (entries of all layers, each counted as often as the manifest lists its
/// layer) an archive may list: memory grows with the file list (about 2 KB a file from
/// reading to evaluation: 500,000 files peak near 1 GB), so an archive claiming more is
/// refused. The largest real images list a few hundred thousand.
const MAX_ENTRIES: usize = 1_000_000;
/// Most layer references in a manifest (Docker allows 127 layers).
const MAX_LAYERS: usize = 10_000;
/// A gzip stream (a layer, or the whole archive) that expands more than this many times,
/// past `BOMB_FLOOR` bytes, is a decompression bomb, not an image (real layers expand
/// 2-10x).
const BOMB_RATIO: u64 = 1000;
const BOMB_FLOOR: u64 = 1024 * 1024 * 1024;
/// How many nested OCI indexes are followed to reach an image manifest.
const MAX_INDEX_DEPTH: usize = 4;
/// How many symlinks in a row are followed to find what a link points at.
const MAX_LINK_HOPS: usize = 16;

/// Why an archive could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot read the archive: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot read the archive: {0}")]
    Corrupt(String),
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
    /// A small file whose text is a PEM private key.
    key_content: bool,
    /// A link's target as the tar holds it; once assembled, the path it resolves to.
    link: Option<String>,
}

/// Reads an archive file (tar, optionally gzip-compressed) or an OCI layout directory.
pub fn read(path: &Path) -> Result<Value, ArchiveError> {
    if path.is_dir() {
        return layout::read_layout_dir(path);
    }
    read_from(std::fs::File::open(path)?)
}

/// Reads an archive (tar, optionally gzip-compressed) from any reader, streamed once.
pub fn read_from(reader: impl Read) -> Result<Value, ArchiveError> {
    let budget = Budget::default();
    let mut contents = stream::read_outer(reader, &budget)?;
    let json = parse_needed(&contents.json, &budget)?;
    assemble(&json, &mut |blob| match contents.layers.remove(blob) {
        Some(Ok(layer)) => Ok(layer),
        Some(Err(message)) => Err(ArchiveError::NotAnImage(format!("layer {blob}: {message}"))),
        None => Err(ArchiveError::MissingBlob(blob.to_owned())),
    })
}

/// Parses the JSON entries the image needs, and no others (an archive may carry large
/// attestations or other images' configs): `manifest.json` and its first image's config
/// (`docker save`), or `index.json` and the blobs its chain names (an OCI layout).
fn parse_needed(
    texts: &HashMap<String, Vec<u8>>,
    budget: &Budget,
) -> Result<HashMap<String, Value>, ArchiveError> {
    let mut json = HashMap::new();
    let mut pending: Vec<String> = Vec::new();
    if let Some(text) = texts.get("manifest.json") {
        let manifest = parse_json("manifest.json", text, budget)?;
        pending.extend(
            manifest
                .pointer("/0/Config")
                .and_then(Value::as_str)
                .map(str::to_owned),
        );
        json.insert("manifest.json".to_owned(), manifest);
    } else if let Some(text) = texts.get("index.json") {
        let index = parse_json("index.json", text, budget)?;
        pending.extend(descriptors(&index));
        json.insert("index.json".to_owned(), index);
    }
    while let Some(name) = pending.pop() {
        if json.contains_key(&name) {
            continue;
        }
        if let Some(text) = texts.get(&name) {
            let value = parse_json(&name, text, budget)?;
            if json.contains_key("index.json") {
                pending.extend(descriptors(&value));
            }
            json.insert(name, value);
        }
    }
    Ok(json)
}

/// Parses one JSON entry, once the values it can hold fit the archive's budget.
fn parse_json(name: &str, text: &[u8], budget: &Budget) -> Result<Value, ArchiveError> {
    // Every value but the first follows a `,` or opens after `[`/`{` or `:`; counting
    // those bytes (in strings too) bounds the values from above without parsing.
    let nodes = text
        .iter()
        .filter(|b| matches!(b, b',' | b'[' | b'{' | b':'))
        .count() as u64
        + 1;
    budget.take_json_nodes(nodes)?;
    serde_json::from_slice(text).map_err(|e| ArchiveError::Json {
        entry: name.to_owned(),
        message: e.to_string(),
    })
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

fn normalise(path: &str) -> String {
    path.trim_start_matches("./")
        .trim_start_matches('/')
        .to_owned()
}

/// Whether a path's name says "key or certificate": such a file is a credential only
/// when its text is a private key.
fn key_name(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".pem") || lower.ends_with(".key")
}

/// Builds the document from the archive's JSON entries and layers (fetched by blob path).
fn assemble(
    json: &HashMap<String, Value>,
    layer_of: &mut dyn FnMut(&str) -> Result<Layer, ArchiveError>,
) -> Result<Value, ArchiveError> {
    let refs = image_refs(json)?;
    let config = json
        .get(&refs.config_blob)
        .cloned()
        .ok_or_else(|| ArchiveError::MissingBlob(refs.config_blob.clone()))?;
    let history = layer_history(&config);
    if refs.layer_blobs.len() > MAX_LAYERS {
        return Err(ArchiveError::Limit(format!(
            "the manifest lists more than {MAX_LAYERS} layers; refused"
        )));
    }
    let filesystem = apply_layers(&refs.layer_blobs, &history, layer_of)?;
    Ok(json!({"ImageArchive": {
        "format": refs.format,
        "tags": refs.tags,
        "config": config,
        "layers": filesystem.layer_docs,
        "size": filesystem.total,
        "files": file_docs(filesystem.files),
    }}))
}

/// What the archive's manifest (or index) names: its format, the config blob, the layer
/// blobs in order, and the image's tags.
struct ImageRefs {
    format: &'static str,
    config_blob: String,
    layer_blobs: Vec<String>,
    tags: Vec<String>,
}

/// Finds the image's references in a `docker save` manifest or an OCI layout's index.
fn image_refs(json: &HashMap<String, Value>) -> Result<ImageRefs, ArchiveError> {
    if let Some(manifest) = json.get("manifest.json") {
        docker_save_refs(manifest)
    } else if let Some(index) = json.get("index.json") {
        oci_layout_refs(index, json)
    } else {
        Err(ArchiveError::NotAnImage(
            "no manifest.json (docker save) or index.json (OCI layout)".into(),
        ))
    }
}

/// `docker save`'s manifest: `[{Config, RepoTags, Layers}]`, of which the first image.
fn docker_save_refs(manifest: &Value) -> Result<ImageRefs, ArchiveError> {
    let first = manifest
        .get(0)
        .ok_or_else(|| ArchiveError::NotAnImage("manifest.json lists no image".into()))?;
    let config = first
        .get("Config")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let layers = strings(first.get("Layers"));
    Ok(ImageRefs {
        format: "docker-save",
        config_blob: config,
        layer_blobs: layers,
        tags: strings(first.get("RepoTags")),
    })
}

/// An OCI layout: the image manifest the index leads to, and the index's ref names.
fn oci_layout_refs(
    index: &Value,
    json: &HashMap<String, Value>,
) -> Result<ImageRefs, ArchiveError> {
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
    Ok(ImageRefs {
        format: "oci-layout",
        config_blob: config,
        layer_blobs: layers,
        tags,
    })
}

/// The `created_by` of each history step that made a layer, in layer order.
fn layer_history(config: &Value) -> Vec<String> {
    config
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
        .collect()
}

/// The final filesystem after every layer, with one document per listed layer and their
/// total size.
struct Filesystem {
    files: BTreeMap<String, Entry>,
    layer_docs: Vec<Value>,
    total: u64,
}

/// Applies the layers in manifest order, within the archive's file budget.
fn apply_layers(
    layer_blobs: &[String],
    history: &[String],
    layer_of: &mut dyn FnMut(&str) -> Result<Layer, ArchiveError>,
) -> Result<Filesystem, ArchiveError> {
    let mut files: BTreeMap<String, Entry> = BTreeMap::new();
    let mut layer_docs = Vec::new();
    let mut total = 0u64;
    // Each layer is read once, however often the manifest lists it.
    let mut read: HashMap<&str, Rc<Layer>> = HashMap::new();
    let mut applied = 0usize;
    for (i, blob) in layer_blobs.iter().enumerate() {
        let layer = match read.get(blob.as_str()) {
            Some(layer) => layer.clone(),
            None => {
                let layer = Rc::new(layer_of(blob)?);
                read.insert(blob, layer.clone());
                layer
            }
        };
        // Applying costs what the layer lists, each time it is listed.
        applied = applied.saturating_add(layer.entries.len());
        if applied > MAX_ENTRIES {
            return Err(ArchiveError::Limit(format!(
                "the archive lists more than {MAX_ENTRIES} files; refused"
            )));
        }
        total = total.saturating_add(layer.size);
        layer_docs.push(json!({
            "blob": blob,
            "size": layer.size,
            "files": layer.entries.len(),
            "created_by": history.get(i).cloned().unwrap_or_default(),
        }));
        apply(&mut files, &layer);
    }
    resolve_links(&mut files);
    Ok(Filesystem {
        files,
        layer_docs,
        total,
    })
}

/// One document per file of the final filesystem, in path order.
fn file_docs(files: BTreeMap<String, Entry>) -> Vec<Value> {
    files
        .into_values()
        .map(|e| {
            let mut f = json!({"path": e.path, "size": e.size, "mode": e.mode, "type": e.kind});
            if let Some(link) = &e.link {
                f["link"] = json!(link);
            }
            // (Only a name that says "key" makes a private key a finding: see DP006.)
            if e.key_content && key_name(&e.path) {
                f["private_key"] = json!(true);
            }
            f
        })
        .collect()
}

/// Applies a layer on top of the files so far: `.wh.name` deletes `name` (and what is
/// under it), `.wh..wh..opq` empties its directory of lower-layer content.
fn apply(files: &mut BTreeMap<String, Entry>, layer: &Layer) {
    let mut added: Vec<&Entry> = Vec::new();
    for entry in &layer.entries {
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
        files.insert(entry.path.clone(), entry.clone());
    }
}

/// Gives each link of the final filesystem the path it resolves to, and a link to a
/// private key the key's content flag: a hard link `/root/.ssh/id_rsa` to `/tmp/x` holds
/// the very bytes of `/tmp/x`, under a credential's name.
fn resolve_links(files: &mut BTreeMap<String, Entry>) {
    let mut resolved: Vec<(String, String, bool)> = Vec::new();
    for entry in files.values() {
        let Some(link) = &entry.link else { continue };
        let mut target = if entry.kind == "hardlink" {
            // A hard link names its target from the archive's root.
            lexical(&format!("/{}", normalise(link)))
        } else {
            link_target(&entry.path, link)
        };
        for _ in 0..MAX_LINK_HOPS {
            match files.get(&target) {
                Some(next) if next.kind == "symlink" => {
                    let Some(link) = &next.link else { break };
                    target = link_target(&next.path, link);
                }
                _ => break,
            }
        }
        let key = files.get(&target).is_some_and(|t| t.key_content);
        resolved.push((entry.path.clone(), target, key));
    }
    for (path, target, key) in resolved {
        if let Some(entry) = files.get_mut(&path) {
            entry.link = Some(target);
            entry.key_content = key;
        }
    }
}

/// Where a symlink at `path` with target `link` points: absolute, or from its directory.
fn link_target(path: &str, link: &str) -> String {
    if link.starts_with('/') {
        lexical(link)
    } else {
        let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        lexical(&format!("{dir}/{link}"))
    }
}

/// An absolute path with `.`, `..` and repeated `/` removed by spelling alone (`..`
/// stops at the root, as in a real filesystem).
fn lexical(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_name_a_blob_beneath_blobs_or_nothing() {
        assert_eq!(blob_path("sha256:ab12").unwrap(), "blobs/sha256/ab12");
        assert_eq!(blob_path("sha512:AB=_-").unwrap(), "blobs/sha512/AB=_-");
        for bad in [
            "self:environ",
            "sha256:../x",
            "sha256:a/b",
            "sha256:.",
            "sha256",
            "sha256:",
            ":abc",
            "sha256:a\0b",
        ] {
            assert!(blob_path(bad).is_err(), "{bad:?}");
        }
        let long = format!("x:{}", "a".repeat(10_000));
        let msg = blob_path(&long).unwrap_err().to_string();
        assert!(msg.len() < 200, "{msg}");
    }

    #[test]
    fn links_resolve_by_spelling_and_never_above_the_root() {
        assert_eq!(link_target("/app/.env", "../tmp/blob"), "/tmp/blob");
        assert_eq!(link_target("/a/b/c", "/x/./y//z"), "/x/y/z");
        assert_eq!(link_target("/a", "../../../../etc/passwd"), "/etc/passwd");
        assert_eq!(lexical("/"), "/");
    }

    #[test]
    fn symlink_chains_and_loops_end() {
        let entry = |path: &str, kind: &'static str, link: Option<&str>, key: bool| Entry {
            path: path.to_owned(),
            size: 0,
            mode: 0o644,
            kind,
            key_content: key,
            link: link.map(str::to_owned),
        };
        let mut files = BTreeMap::new();
        for e in [
            entry("/k", "file", None, true),
            entry("/a.key", "symlink", Some("b"), false),
            entry("/b", "symlink", Some("/k"), false),
            entry("/loop1", "symlink", Some("loop2"), false),
            entry("/loop2", "symlink", Some("loop1"), false),
            entry("/h.pem", "hardlink", Some("k"), false),
        ] {
            files.insert(e.path.clone(), e);
        }
        resolve_links(&mut files);
        assert_eq!(files["/a.key"].link.as_deref(), Some("/k"));
        assert!(files["/a.key"].key_content);
        assert!(files["/h.pem"].key_content);
        assert!(!files["/loop1"].key_content);
    }
}
