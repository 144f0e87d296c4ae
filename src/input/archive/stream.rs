//! Reading tar streams (the outer archive and each layer) within the archive's budget.
//!
//! Everything an archive makes dockpolicy hold is counted against one [`Budget`]: the
//! JSON text kept, the path names kept, the number of files. Bytes that are only read
//! through (file contents, layer data) cost time, not memory; a gzip stream that expands
//! like a decompression bomb is stopped. The tar reader itself buffers GNU long names and
//! PAX headers whole before it hands out an entry, so the bytes it reads between two
//! entries are capped too ([`Guard`]).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

use flate2::read::GzDecoder;

use super::{
    ArchiveError, BOMB_FLOOR, BOMB_RATIO, Entry, Layer, MAX_ENTRIES, MAX_JSON, MAX_JSON_NODES,
    MAX_JSON_TEXT, MAX_KEY_PEEK, MAX_META, MAX_NAME, MAX_NAMES, normalise,
};

/// What one archive may make dockpolicy hold, summed over all its entries and layers.
#[derive(Debug, Default)]
pub(super) struct Budget {
    json_text: Cell<u64>,
    json_nodes: Cell<u64>,
    names: Cell<u64>,
    entries: Cell<usize>,
    /// The first limit that was exceeded: once set, the archive is refused with it, even
    /// when the tar or gzip reader wrapped or replaced the error on its way up.
    tripped: RefCell<Option<String>>,
}

impl Budget {
    /// Records that a limit was exceeded and returns the I/O error that stops the reader.
    pub(super) fn trip(&self, message: String) -> std::io::Error {
        let mut tripped = self.tripped.borrow_mut();
        if tripped.is_none() {
            *tripped = Some(message.clone());
        }
        std::io::Error::other(message)
    }

    /// The limit that was exceeded, if any.
    pub(super) fn tripped(&self) -> Option<ArchiveError> {
        self.tripped.borrow().clone().map(ArchiveError::Limit)
    }

    /// `error`, unless a limit was exceeded: then the limit, which is what happened.
    pub(super) fn explain(&self, error: ArchiveError) -> ArchiveError {
        self.tripped().unwrap_or(error)
    }

    /// Takes `bytes` of JSON text out of the budget.
    pub(super) fn take_json(&self, bytes: u64) -> Result<(), ArchiveError> {
        let total = self.json_text.get().saturating_add(bytes);
        self.json_text.set(total);
        if total > MAX_JSON_TEXT {
            return Err(ArchiveError::Limit(self.trip(format!(
                "the archive's JSON entries (manifests, configs) exceed {} MiB in total; refused",
                MAX_JSON_TEXT >> 20
            )).to_string()));
        }
        Ok(())
    }

    /// Takes the values a JSON text may parse into (counted from its text, before it is
    /// parsed) out of the budget: `[{},{},...]` parses into some 20 times its text's size.
    pub(super) fn take_json_nodes(&self, nodes: u64) -> Result<(), ArchiveError> {
        let total = self.json_nodes.get().saturating_add(nodes);
        self.json_nodes.set(total);
        if total > MAX_JSON_NODES {
            return Err(ArchiveError::Limit(self.trip(format!(
                "the archive's JSON entries hold more than {MAX_JSON_NODES} values in total; refused"
            )).to_string()));
        }
        Ok(())
    }

    /// Takes one kept file (and its names) out of the budget.
    fn take_entry(&self, names: u64) -> std::io::Result<()> {
        let entries = self.entries.get() + 1;
        self.entries.set(entries);
        if entries > MAX_ENTRIES {
            return Err(self.trip(format!(
                "the archive lists more than {MAX_ENTRIES} files; refused"
            )));
        }
        let total = self.names.get().saturating_add(names);
        self.names.set(total);
        if total > MAX_NAMES {
            return Err(self.trip(format!(
                "the archive's path names exceed {} MiB in total; refused",
                MAX_NAMES >> 20
            )));
        }
        Ok(())
    }
}

/// The bytes a tar reader reads between handing out two entries: when armed, more than
/// `MAX_META` of them (a 1 GiB GNU long name, an endless PAX header) stop the reader.
#[derive(Debug, Default)]
struct Meta {
    armed: Cell<bool>,
    read: Cell<u64>,
}

struct Guard<'a, R> {
    inner: R,
    meta: &'a Meta,
    budget: &'a Budget,
}

impl<R: Read> Read for Guard<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.meta.armed.get() {
            let read = self.meta.read.get().saturating_add(n as u64);
            self.meta.read.set(read);
            if read > MAX_META {
                return Err(self.budget.trip(format!(
                    "a tar entry's header, long name or PAX extension exceeds {} KiB; refused",
                    MAX_META >> 10
                )));
            }
        }
        Ok(n)
    }
}

/// An entry of a tar stream read through a [`Guard`].
type GuardedEntry<'a, 'b, R> = tar::Entry<'a, Guard<'b, R>>;

/// Walks a tar stream, handing each entry to `visit`. Each entry is read to its end
/// before the next header is read, so that what the tar reader reads in between is only
/// headers and extensions, which the guard caps.
fn each_entry<R: Read>(
    reader: R,
    budget: &Budget,
    visit: &mut dyn FnMut(&mut GuardedEntry<'_, '_, R>) -> Result<(), ArchiveError>,
) -> Result<(), ArchiveError> {
    let meta = Meta::default();
    let mut archive = tar::Archive::new(Guard {
        inner: reader,
        meta: &meta,
        budget,
    });
    let start = |meta: &Meta| {
        meta.read.set(0);
        meta.armed.set(true);
    };
    start(&meta);
    for entry in archive.entries()? {
        meta.armed.set(false);
        let mut entry = entry?;
        visit(&mut entry)?;
        std::io::copy(&mut entry, &mut std::io::sink())?;
        start(&meta);
    }
    Ok(())
}

/// A JSON entry's text, or a layer's file list, as the outer tar of a `docker save`
/// archive (or an OCI layout in a tar) holds them.
#[derive(Default)]
pub(super) struct Contents {
    /// JSON entries' text, parsed later only when the manifest chain needs them.
    pub(super) json: HashMap<String, Vec<u8>>,
    /// A layer that fails to read is an error only if the manifest needs it (legacy
    /// `docker save` archives carry small non-layer files such as `VERSION`).
    pub(super) layers: HashMap<String, Result<Layer, String>>,
}

/// Streams the outer tar (plain or gzip) once, keeping JSON text and layer file lists.
pub(super) fn read_outer(reader: impl Read, budget: &Budget) -> Result<Contents, ArchiveError> {
    let mut reader = BufReader::new(reader);
    let gzip = reader.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let result = if gzip {
        // The outer gzip gets the same bomb check as a layer's.
        read_outer_tar(BufReader::new(gunzip(reader, budget)), budget)
    } else {
        read_outer_tar(reader, budget)
    };
    result.map_err(|e| match budget.explain(e) {
        // (The tar reader's own messages quote header bytes: say what happened instead.)
        ArchiveError::Io(e) => ArchiveError::Corrupt(describe(&ArchiveError::Io(e))),
        other => other,
    })
}

fn read_outer_tar(reader: impl Read, budget: &Budget) -> Result<Contents, ArchiveError> {
    let mut contents = Contents::default();
    each_entry(reader, budget, &mut |entry| {
        if !entry.header().entry_type().is_file() {
            return Ok(());
        }
        let name = normalise(&entry.path()?.to_string_lossy());
        if name.len() > MAX_NAME {
            return Err(ArchiveError::Limit(budget.trip(long_name()).to_string()));
        }
        let size = entry.header().size()?;
        let mut reader = BufReader::new(entry);
        let head = reader.fill_buf()?;
        if head.first() == Some(&b'{') || head.first() == Some(&b'[') {
            // (An oversized JSON entry is left out; the manifest then misses it by name.)
            if size <= MAX_JSON {
                budget.take_json(size)?;
                let mut text = Vec::new();
                reader.take(MAX_JSON).read_to_end(&mut text)?;
                contents.json.insert(name, text);
            }
        } else if looks_like_layer(head) {
            let layer = read_layer(reader, budget);
            if let Some(limit) = budget.tripped() {
                return Err(limit);
            }
            contents
                .layers
                .insert(name, layer.map_err(|e| describe(&e)));
        }
        Ok(())
    })?;
    Ok(contents)
}

fn long_name() -> String {
    format!("a path name in the archive is longer than {MAX_NAME} bytes; refused")
}

fn looks_like_layer(head: &[u8]) -> bool {
    // gzip, or a tar header ("ustar" at offset 257), or an empty/short tar (an empty
    // layer is a tar of zero blocks only: 1024 bytes from Docker, 10240 from GNU tar).
    head.starts_with(&[0x1f, 0x8b])
        || head.get(257..262) == Some(b"ustar")
        || head.len() < 512
        || head.iter().all(|&b| b == 0)
}

/// A gzip stream whose output is counted against its input: past `BOMB_FLOOR` bytes,
/// expanding more than `BOMB_RATIO` times is a decompression bomb.
fn gunzip<'a>(reader: impl BufRead + 'a, budget: &'a Budget) -> impl Read + 'a {
    let compressed = std::rc::Rc::new(Cell::new(0u64));
    Counted {
        inner: GzDecoder::new(Counted {
            inner: reader,
            count: compressed.clone(),
            limit: None,
        }),
        count: std::rc::Rc::new(Cell::new(0)),
        limit: Some((compressed, budget)),
    }
}

/// A reader that counts its bytes; with `limit` (the bytes read so far on the compressed
/// side), it fails once the output outgrows the input by `BOMB_RATIO`.
struct Counted<'a, R> {
    inner: R,
    count: std::rc::Rc<Cell<u64>>,
    limit: Option<(std::rc::Rc<Cell<u64>>, &'a Budget)>,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.count.get().saturating_add(n as u64);
        self.count.set(total);
        if let Some((input, budget)) = &self.limit
            && total > BOMB_FLOOR
            && total / BOMB_RATIO > input.get()
        {
            return Err(budget.trip(format!(
                "a gzip stream expands more than {BOMB_RATIO}x past {} GiB (a decompression bomb); refused",
                BOMB_FLOOR >> 30
            )));
        }
        Ok(n)
    }
}

/// Reads one layer tar (gzip or plain), keeping only its file list.
pub(super) fn read_layer(reader: impl Read, budget: &Budget) -> Result<Layer, ArchiveError> {
    let mut reader = BufReader::new(reader);
    let gzip = reader.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let layer = if gzip {
        read_layer_tar(gunzip(reader, budget), budget)
    } else {
        read_layer_tar(reader, budget)
    };
    layer.map_err(|e| budget.explain(e))
}

fn read_layer_tar(reader: impl Read, budget: &Budget) -> Result<Layer, ArchiveError> {
    let mut layer = Layer::default();
    each_entry(reader, budget, &mut |entry| {
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
        // `.` and `..` components are resolved the way a runtime's extraction cleans a
        // layer path, so `app/..` is `/` and never a file named `..` under `/app`; the
        // root itself is no file of the image.
        let path = super::lexical(&format!("/{}", normalise(&entry.path()?.to_string_lossy())));
        if path == "/" {
            return Ok(());
        }
        // A link keeps its target, so that the policies see what a link named like a
        // credential points at.
        let link = match kind {
            "symlink" | "hardlink" => entry.link_name()?.map(|l| l.to_string_lossy().into_owned()),
            _ => None,
        };
        let names = path.len() + link.as_ref().map_or(0, String::len);
        if path.len() > MAX_NAME || link.as_ref().is_some_and(|l| l.len() > MAX_NAME) {
            return Err(ArchiveError::Limit(budget.trip(long_name()).to_string()));
        }
        budget.take_entry(names as u64)?;
        let key_content = kind == "file"
            && size <= MAX_KEY_PEEK
            && holds_private_key(entry, super::key_name(&path));
        layer.size = layer.size.saturating_add(size);
        layer.entries.push(Entry {
            path,
            size,
            mode,
            kind,
            key_content,
            link,
        });
        Ok(())
    })?;
    Ok(layer)
}

/// Whether a small file's text is a PEM private key. Every small file that starts like
/// PEM is looked at (its bytes are read through anyway): a link named `id.key` may point
/// at a file named anything. A `.pem`/`.key` file may start with other text (`Bag
/// Attributes`), so it is searched whatever its first bytes.
fn holds_private_key(entry: &mut impl Read, key_name: bool) -> bool {
    let mut head = Vec::new();
    if entry.by_ref().take(64).read_to_end(&mut head).is_err()
        || !(key_name || head.starts_with(b"-----BEGIN"))
    {
        return false;
    }
    let mut rest = Vec::new();
    let _ = entry.by_ref().take(MAX_KEY_PEEK).read_to_end(&mut rest);
    head.extend_from_slice(&rest);
    head.windows(16).any(|w| w == b"PRIVATE KEY-----")
}

/// What went wrong, in words of our own: the limits' messages as they are, an I/O error
/// by its kind only (the tar reader's messages quote header bytes, and a blob's bytes are
/// never shown).
pub(super) fn describe(error: &ArchiveError) -> String {
    match error {
        ArchiveError::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            "truncated".to_owned()
        }
        ArchiveError::Io(_) => "not a readable tar (or gzip-compressed tar) stream".to_owned(),
        other => other.to_string(),
    }
}
