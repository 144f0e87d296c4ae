//! OCI image layouts on disk: `oci-layout`, `index.json` and `blobs/<alg>/<encoded>`.
//!
//! The layout is untrusted (a pull request can commit one): every file read, `index.json`
//! included, is resolved with all its symlinks beneath the layout's own root, so a
//! symlinked `blobs/<alg>` directory cannot lead the reader to `/proc/self` or any file
//! of the machine.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use serde_json::Value;

use super::stream::{Budget, describe, read_layer};
use super::{ArchiveError, MAX_JSON, assemble, descriptors, parse_json};
use crate::input::confine::Tree;

/// Reads an OCI layout directory: JSON blobs along the index chain, then each layer the
/// manifest names, once however often it is named.
pub(super) fn read_layout_dir(dir: &Path) -> Result<Value, ArchiveError> {
    let tree = Tree::at(dir)?;
    let budget = Budget::default();
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
        budget.take_json(text.len() as u64)?;
        parse_json(rel, &text, &budget)
    };
    let mut json: HashMap<String, Value> = HashMap::new();
    json.insert("index.json".into(), read_json("index.json")?);
    // Manifests and configs are small; load every JSON blob the index chain needs.
    let mut pending: Vec<String> = descriptors(&json["index.json"]);
    // (A layer listed 400 times is looked at once here too.)
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    while let Some(blob) = pending.pop() {
        if !seen.insert(blob.clone()) {
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
        read_layer(file, &budget).map_err(|e| match budget.tripped() {
            Some(limit) => limit,
            None => ArchiveError::NotAnImage(format!("layer {blob}: {}", describe(&e))),
        })
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
