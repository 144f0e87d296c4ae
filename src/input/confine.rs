//! Keeping reads inside the scanned tree.
//!
//! dockpolicy runs on pull requests, whose author controls every file of the checkout,
//! symlinks included. A committed `policy/x.rego -> /proc/self/environ` or
//! `Dockerfile -> ~/.docker/config.json` must not make the tool read (and quote in an
//! error) a file outside the checkout. So every path that dockpolicy reads is resolved,
//! symlinks and `..` included, and must land beneath its tree's root:
//!
//! * a path named on the command line inside a git checkout belongs to that checkout (the
//!   nearest directory above it holding `.git`), wherever dockpolicy runs from;
//! * else, a path inside the working directory belongs to the working directory's tree;
//! * else, it belongs to its own tree: the directory itself, or a file's directory. The
//!   user chose that place; what the files there link to must stay there.
//!
//! A path that leaves its tree is an error that names the path and the tree, never the
//! link's target or any byte of it.

use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};

/// A directory whose contents may be read, and nothing outside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// Canonical: absolute, no symlinks, no `.` or `..`.
    root: PathBuf,
}

/// Why a path may not be read (or written).
#[derive(Debug)]
pub enum ConfineError {
    /// The path resolves outside the tree.
    Outside {
        path: String,
        root: String,
    },
    /// The path is bigger than what is read of its kind.
    TooLarge {
        path: String,
        limit: u64,
    },
    /// A file dockpolicy writes would replace a symlink, or a file it must not replace.
    Refused {
        path: String,
        reason: String,
    },
    Io {
        path: String,
        source: io::Error,
    },
}

impl ConfineError {
    fn io(path: &Path, source: io::Error) -> ConfineError {
        ConfineError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// The message without the path, for reports that name the file in their own field.
    pub fn reason(&self) -> String {
        match self {
            ConfineError::Outside { root, .. } => format!(
                "resolves outside {root} (a symlink or `..` leaving the scanned tree); not read"
            ),
            ConfineError::TooLarge { limit, .. } => {
                format!(
                    "file is over the {} MiB limit; not read",
                    limit / (1024 * 1024)
                )
            }
            ConfineError::Refused { reason, .. } => reason.clone(),
            ConfineError::Io { source, .. } => source.to_string(),
        }
    }

    /// The path the error is about, as given.
    pub fn path(&self) -> &str {
        match self {
            ConfineError::Outside { path, .. }
            | ConfineError::TooLarge { path, .. }
            | ConfineError::Refused { path, .. }
            | ConfineError::Io { path, .. } => path,
        }
    }
}

impl std::fmt::Display for ConfineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path(), self.reason())
    }
}

impl std::error::Error for ConfineError {}

impl Tree {
    /// The tree rooted at `dir` (which must exist).
    pub fn at(dir: &Path) -> Result<Tree, ConfineError> {
        let root = std::fs::canonicalize(dir).map_err(|e| ConfineError::io(dir, e))?;
        Ok(Tree { root })
    }

    /// The tree a path named by the user belongs to: the working directory when the path
    /// lies inside it as written, else the path's own directory (see the module docs).
    pub fn for_named(path: &Path) -> Result<Tree, ConfineError> {
        let cwd = std::env::current_dir().map_err(|e| ConfineError::io(Path::new("."), e))?;
        let written = lexical_normal(&cwd.join(path));
        if let Some(repository) = enclosing_checkout(&written) {
            return Tree::at(repository);
        }
        if written.starts_with(&cwd) {
            return Tree::at(&cwd);
        }
        // Outside the working directory: the named directory, or the named file's
        // directory, is the tree. Only the last component may be a symlink that leaves it.
        let own = if written.is_dir() && !is_symlink(&written) {
            written.clone()
        } else {
            written.parent().map_or(written.clone(), Path::to_path_buf)
        };
        Tree::at(&own)
    }

    /// The tree a file dockpolicy writes belongs to: the working directory's when the path
    /// lies inside it as written, else the nearest directory of the path that exists.
    fn for_output(path: &Path) -> Result<Tree, ConfineError> {
        let cwd = std::env::current_dir().map_err(|e| ConfineError::io(Path::new("."), e))?;
        let written = lexical_normal(&cwd.join(path));
        if written.starts_with(&cwd) {
            return Tree::at(&cwd);
        }
        let mut dir = written.parent().unwrap_or(&written);
        while !dir.is_dir() {
            match dir.parent() {
                Some(p) => dir = p,
                None => break,
            }
        }
        Tree::at(dir)
    }

    /// The tree's canonical root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether `path` (already canonical) is the root or beneath it.
    pub fn contains(&self, canonical: &Path) -> bool {
        canonical.starts_with(&self.root)
    }

    /// `path` with every symlink resolved, if that stays inside the tree.
    pub fn resolve(&self, path: &Path) -> Result<PathBuf, ConfineError> {
        let real = std::fs::canonicalize(path).map_err(|e| ConfineError::io(path, e))?;
        if self.contains(&real) {
            Ok(real)
        } else {
            Err(ConfineError::Outside {
                path: path.display().to_string(),
                root: self.root.display().to_string(),
            })
        }
    }

    /// Opens `path` for reading, if it resolves inside the tree.
    pub fn open(&self, path: &Path) -> Result<File, ConfineError> {
        let real = self.resolve(path)?;
        File::open(&real).map_err(|e| ConfineError::io(path, e))
    }

    /// Reads `path` whole, if it resolves inside the tree.
    pub fn read(&self, path: &Path) -> Result<Vec<u8>, ConfineError> {
        let real = self.resolve(path)?;
        std::fs::read(&real).map_err(|e| ConfineError::io(path, e))
    }

    /// Reads `path` if it resolves inside the tree and holds at most `limit` bytes.
    pub fn read_capped(&self, path: &Path, limit: u64) -> Result<Vec<u8>, ConfineError> {
        let real = self.resolve(path)?;
        read_capped_at(&real, limit).map_err(|e| relabel(e, path))
    }
}

fn relabel(e: ConfineError, path: &Path) -> ConfineError {
    let path = path.display().to_string();
    match e {
        ConfineError::TooLarge { limit, .. } => ConfineError::TooLarge { path, limit },
        ConfineError::Io { source, .. } => ConfineError::Io { path, source },
        other => other,
    }
}

/// Reads a file already known to be inside its tree (found by `walk`), refusing one over
/// `limit` bytes without reading it whole: a repository may hold a file of any size, and
/// every input, policy, data or config file is parsed whole in memory.
pub fn read_capped_at(path: &Path, limit: u64) -> Result<Vec<u8>, ConfineError> {
    use std::io::Read as _;
    let file = File::open(path).map_err(|e| ConfineError::io(path, e))?;
    // `Take` hides the file's size from `read_to_end`, which then reads in small, growing
    // chunks (several reads for a typical Dockerfile); with the size known it takes one
    // read and one to see the end. (A file that grows while being read is cut off at the limit
    // and refused too.)
    let expected = file
        .metadata()
        .map_or(0, |m| m.len())
        .min(limit.saturating_add(1));
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0) + 1);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ConfineError::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(ConfineError::TooLarge {
            path: path.display().to_string(),
            limit,
        });
    }
    Ok(bytes)
}

/// Writes a file dockpolicy produces (a report, an exported template), never through a
/// symlink: the checkout may hold `out.sarif -> ~/.bashrc` or `reports -> /etc`, and CI
/// then asks for `-o sarif=out.sarif`. So
///
/// * a symlink at `path` is refused (not replaced, not followed);
/// * the directory, symlinks resolved, must stay in the tree `path` belongs to (see
///   `Tree::for_named`; for a path outside the working directory, its nearest existing
///   directory: the user chose that place);
/// * the bytes go to a new file in that directory, created exclusively, then renamed over
///   `path`, so an existing file is replaced, never written into (a hard link to another
///   file stays untouched).
///
/// An existing character device or pipe (`/dev/null`) is written directly: it is where the
/// user sent the output, and no symlink is involved.
pub fn write_file(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
) -> Result<(), ConfineError> {
    let name = path
        .file_name()
        .ok_or_else(|| refused(path, "not a file name; not written"))?;
    if let Some(written) = write_in_place(path, write) {
        return written;
    }
    let dir = output_dir(path)?;
    replace_file(path, &dir, name, write)
}

fn refused(path: &Path, reason: &str) -> ConfineError {
    ConfineError::Refused {
        path: path.display().to_string(),
        reason: reason.to_owned(),
    }
}

/// What `write_file` does with something already at `path` that is not a regular file:
/// a stream, device or pipe is written directly, a symlink or directory refused. `None`
/// when there is nothing there or a regular file, which is then replaced.
fn write_in_place(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
) -> Option<Result<(), ConfineError>> {
    match std::fs::symlink_metadata(path) {
        // `/dev/stdout` and `/dev/fd/N` are links the user names on purpose, outside any
        // checkout, to the process's own streams: written like the stream itself (even
        // when the shell sent that stream to a file). A link committed in the tree never
        // is, whatever it points at.
        Ok(m)
            if m.file_type().is_symlink()
                && !is_under_cwd(path)
                && (path.starts_with("/dev") || is_stream(path)) =>
        {
            Some(write_opened(
                path,
                std::fs::OpenOptions::new().write(true).truncate(true),
                write,
            ))
        }
        Ok(m) if m.file_type().is_symlink() => {
            Some(Err(refused(path, "is a symlink; not written through")))
        }
        Ok(m) if m.is_dir() => Some(Err(refused(path, "is a directory; not written"))),
        Ok(m) if !m.is_file() => {
            // Checked just above not to be a symlink; nothing in the checkout runs
            // between the check and the open to swap one in.
            Some(write_opened(
                path,
                std::fs::OpenOptions::new().write(true),
                write,
            ))
        }
        _ => None,
    }
}

fn write_opened(
    path: &Path,
    options: &std::fs::OpenOptions,
    write: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
) -> Result<(), ConfineError> {
    let mut file = options.open(path).map_err(|e| ConfineError::io(path, e))?;
    write(&mut file).map_err(|e| ConfineError::io(path, e))
}

/// The directory `path` is written in, symlinks resolved, refused when it leaves the
/// tree `path` belongs to.
fn output_dir(path: &Path) -> Result<PathBuf, ConfineError> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tree = Tree::for_output(path)?;
    tree.resolve(parent).map_err(|e| match e {
        ConfineError::Outside { root, .. } => refused(
            path,
            &format!(
                "its directory resolves outside {root} (a symlink leaving the tree); not written"
            ),
        ),
        other => other,
    })
}

/// Writes a new file next to `name` in `dir`, created exclusively, and renames it over
/// `name`: an existing file is replaced, never written into.
fn replace_file(
    path: &Path,
    dir: &Path,
    name: &std::ffi::OsStr,
    write: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
) -> Result<(), ConfineError> {
    let target = dir.join(name);
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temp = dir.join(format!(
        ".{}.dockpolicy-{}-{n}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    // `create_new` is O_CREAT|O_EXCL: it fails on any existing entry, a symlink included.
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|file| {
            let mut out = io::BufWriter::new(file);
            write(&mut out)?;
            io::Write::flush(&mut out)
        })
        .and_then(|()| std::fs::rename(&temp, &target));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(ConfineError::io(path, e));
    }
    Ok(())
}

/// Creates `dir` and its missing parents for files dockpolicy writes, refusing when the
/// deepest directory that already exists resolves outside the tree `dir` belongs to (a
/// committed `out -> /etc` must not make `create_dir_all` create directories there).
pub fn create_dirs(dir: &Path) -> Result<(), ConfineError> {
    let tree = Tree::for_output(&dir.join("x"))?;
    let mut existing = dir;
    while std::fs::symlink_metadata(existing).is_err() {
        match existing.parent() {
            Some(p) if !p.as_os_str().is_empty() => existing = p,
            _ => {
                existing = Path::new(".");
                break;
            }
        }
    }
    tree.resolve(existing).map_err(|e| match e {
        ConfineError::Outside { root, .. } => ConfineError::Refused {
            path: dir.display().to_string(),
            reason: format!("resolves outside {root} (a symlink leaving the tree); not created"),
        },
        other => other,
    })?;
    std::fs::create_dir_all(dir).map_err(|e| ConfineError::io(dir, e))
}

/// The nearest directory at or above `path` (as written) holding `.git`: the repository
/// being scanned. Git cannot commit a `.git` entry, so a pull request cannot move this
/// root; a submodule's `.git` file only narrows it.
fn enclosing_checkout(path: &Path) -> Option<&Path> {
    path.ancestors()
        .find(|dir| std::fs::symlink_metadata(dir.join(".git")).is_ok())
}

/// Whether `path`, as written, lies in the working directory.
fn is_under_cwd(path: &Path) -> bool {
    std::env::current_dir().is_ok_and(|cwd| lexical_normal(&cwd.join(path)).starts_with(&cwd))
}

/// Whether `path` leads to a character device, pipe or socket (not a file or directory).
fn is_stream(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// `path` with `.` and `..` removed by spelling alone (no file system access).
fn lexical_normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_inside_the_tree_resolve_and_links_outside_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "TOKEN").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/real.rego"), "package a").unwrap();
        std::os::unix::fs::symlink("sub/real.rego", root.join("inside.rego")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), root.join("file")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("dir")).unwrap();
        let tree = Tree::at(root).unwrap();
        assert_eq!(tree.read(&root.join("inside.rego")).unwrap(), b"package a");
        for escape in [
            root.join("file"),
            root.join("dir/secret"),
            root.join("sub/../dir/secret"),
        ] {
            let err = tree.read(&escape).unwrap_err();
            assert!(matches!(err, ConfineError::Outside { .. }), "{escape:?}");
            assert!(!err.to_string().contains("TOKEN"), "{err}");
        }
    }

    #[test]
    fn lexical_normal_drops_dots() {
        assert_eq!(
            lexical_normal(Path::new("/a/./b/../c")),
            PathBuf::from("/a/c")
        );
    }
}
