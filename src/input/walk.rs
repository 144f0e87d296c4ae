//! Turns the paths on the command line into the list of files to check, and walks the
//! directories of policies, data and Gatekeeper files.
//!
//! A directory is walked as conftest walks it: every file under it, hidden directories
//! (`.devcontainer/`, `.github/`) included, whatever `.gitignore` or `.ignore` say; only
//! `.git` is skipped. Ignoring files is the user's explicit choice, with `--ignore`. Files
//! whose name tells a format we parse are kept (a name that is not UTF-8 is judged by its
//! lossy spelling, never dropped); files named explicitly are always kept, so a typo
//! surfaces as an error rather than a silent skip. The result is sorted so output never
//! depends on directory order.
//!
//! The checkout is untrusted (see `confine`). Every path is read only when it resolves
//! inside its tree: a named path is resolved once; a regular file found by the walk is
//! inside by construction (its directories were entered without following a symlink out),
//! so only symlink entries pay for resolving. A symlink that leaves the tree is an error
//! naming it, when it would have been checked (its name tells a format, or it points at a
//! directory); a symlinked directory inside the tree is walked once (no loops, no file
//! twice under two names).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use regex::Regex;

use super::Format;
use super::confine::{ConfineError, Tree};

/// One file to check, with the format it will be parsed as (`None`: unknown, an error).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub path: PathBuf,
    pub format: Option<Format>,
}

/// Errors in the walk itself: a missing path, a bad glob, an unreadable directory, a
/// path that leaves its tree. The path is reported beside the message.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("no such file or directory")]
    Missing,
    #[error("invalid --ignore regular expression: {0}")]
    Pattern(#[from] regex::Error),
    #[error("cannot read: {0}")]
    Io(std::io::Error),
    #[error("{}", .0.reason())]
    Confine(#[from] ConfineError),
    #[error("not a regular file (a device, pipe or socket); not read")]
    NotRegular,
    #[error("directories nest more than {MAX_DEPTH} deep here; not walked further")]
    TooDeep,
}

/// Builds the `--ignore` matcher: a regular expression, as conftest's (Go's RE2 syntax,
/// which the regex crate shares), searched for anywhere in a file's path.
pub fn ignore_pattern(pattern: Option<&str>) -> Result<Option<Regex>, WalkError> {
    Ok(pattern.map(Regex::new).transpose()?)
}

/// Whether `--ignore` skips the file at `path`, spelled as conftest's walk spells it: the
/// walked directory joined with the names below it, without `./` parts.
fn ignored(pattern: Option<&Regex>, path: &Path) -> bool {
    let Some(pattern) = pattern else {
        return false;
    };
    let clean: PathBuf = path
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    pattern.is_match(&clean.to_string_lossy())
}

/// The format a file name tells. A name that is not UTF-8 is judged by its lossy spelling:
/// `Dockerfile.\xff` is still a Dockerfile, and is checked rather than silently dropped.
pub fn detect(path: &Path) -> Option<Format> {
    match path.file_name() {
        Some(name) if name.to_str().is_none() => {
            Format::detect(&path.with_file_name(name.to_string_lossy().as_ref()))
        }
        _ => Format::detect(path),
    }
}

/// What a confined walk finds.
pub enum Found {
    /// A directory (entered only when the visitor returns `true`).
    Dir(PathBuf),
    /// A regular file, or a symlink to one inside the tree.
    File(PathBuf),
    /// An entry that cannot be used, with the reason.
    Error(PathBuf, WalkError),
}

/// How a directory is walked.
pub struct Rules<'a> {
    /// Also skip names starting with `.` (policy, data and Gatekeeper directories, as
    /// before; the input walk skips only `.git`).
    pub skip_hidden: bool,
    /// `--ignore`, matched against the path of every entry but a directory.
    pub ignore: Option<&'a Regex>,
    /// Whether a file of this name would be used: a symlink that leaves the tree or is
    /// broken is an error only then (or when it points at a directory).
    pub wanted: &'a dyn Fn(&Path) -> bool,
}

/// Walks `dir` (which must already resolve inside `tree`) in name order. `walked` holds
/// the canonical directories walked so far (`dir`'s included): a symlinked directory
/// inside or around one of them is skipped, which stops loops and files listed twice.
pub fn walk(
    tree: &Tree,
    dir: &Path,
    rules: &Rules,
    walked: &mut Vec<PathBuf>,
    visit: &mut dyn FnMut(Found) -> bool,
) {
    walk_at(tree, dir, rules, walked, visit, 0);
}

/// Directories nested deeper than this below a walked path are reported, not walked: the
/// walk recurses, and a committed tree some 850 directories deep (1.7 KB of path) would
/// overflow its stack. Real repositories nest a few dozen deep.
pub const MAX_DEPTH: usize = 256;

fn walk_at(
    tree: &Tree,
    dir: &Path,
    rules: &Rules,
    walked: &mut Vec<PathBuf>,
    visit: &mut dyn FnMut(Found) -> bool,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        visit(Found::Error(dir.to_path_buf(), WalkError::TooDeep));
        return;
    }
    let Some(listed) = list_sorted(dir, visit) else {
        return;
    };
    for (name, kind) in listed {
        if name == ".git" || (rules.skip_hidden && name.as_encoded_bytes().starts_with(b".")) {
            continue;
        }
        let path = dir.join(&name);
        let kind = match kind {
            Some(kind) => kind,
            None => match std::fs::symlink_metadata(&path) {
                Ok(m) => m.file_type(),
                Err(e) => {
                    visit(Found::Error(path, WalkError::Io(e)));
                    continue;
                }
            },
        };
        if !kind.is_dir() && ignored(rules.ignore, &path) {
            continue;
        }
        if kind.is_dir() {
            if visit(Found::Dir(path.clone())) {
                walk_at(tree, &path, rules, walked, visit, depth + 1);
            }
        } else if kind.is_file() {
            visit(Found::File(path));
        } else if kind.is_symlink() {
            link(tree, path, rules, walked, visit, depth);
        } else if (rules.wanted)(&path) {
            visit(Found::Error(path, WalkError::NotRegular));
        }
    }
}

/// `dir`'s entries in name order, each with its type when the listing gave it; entries
/// that cannot be read are reported and left out, and `None` when `dir` cannot be listed.
fn list_sorted(
    dir: &Path,
    visit: &mut dyn FnMut(Found) -> bool,
) -> Option<Vec<(OsString, Option<std::fs::FileType>)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            visit(Found::Error(dir.to_path_buf(), WalkError::Io(e)));
            return None;
        }
    };
    let mut listed: Vec<(OsString, Option<std::fs::FileType>)> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => listed.push((entry.file_name(), entry.file_type().ok())),
            Err(e) => {
                visit(Found::Error(dir.to_path_buf(), WalkError::Io(e)));
            }
        }
    }
    listed.sort_by(|a, b| a.0.cmp(&b.0));
    Some(listed)
}

/// A symlink met by the walk: resolved, and used only when it stays in the tree.
fn link(
    tree: &Tree,
    path: PathBuf,
    rules: &Rules,
    walked: &mut Vec<PathBuf>,
    visit: &mut dyn FnMut(Found) -> bool,
    depth: usize,
) {
    match tree.resolve(&path) {
        Ok(real) => match std::fs::metadata(&real) {
            Ok(m) if m.is_dir() => {
                if walked
                    .iter()
                    .any(|w| real.starts_with(w) || w.starts_with(&real))
                {
                    // Inside a directory walked already (its files would be listed twice),
                    // or around one (a loop).
                    return;
                }
                if visit(Found::Dir(path.clone())) {
                    walked.push(real);
                    walk_at(tree, &path, rules, walked, visit, depth + 1);
                }
            }
            Ok(m) if m.is_file() => {
                visit(Found::File(path));
            }
            Ok(_) if (rules.wanted)(&path) => {
                visit(Found::Error(path, WalkError::NotRegular));
            }
            Ok(_) => {}
            Err(e) if (rules.wanted)(&path) => {
                visit(Found::Error(path, WalkError::Io(e)));
            }
            Err(_) => {}
        },
        Err(e @ ConfineError::Outside { .. }) => {
            // Only the link's own kind is looked at (a stat, no byte read), to report a
            // directory that would have been walked.
            if (rules.wanted)(&path) || std::fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
                visit(Found::Error(path, e.into()));
            }
        }
        Err(e) if (rules.wanted)(&path) => {
            visit(Found::Error(path, e.into()));
        }
        Err(_) => {}
    }
}

/// Resolves a path named by the user inside its tree (see `Tree::for_named`): the tree
/// and the canonical path, or why it cannot be used.
pub fn resolve_named(path: &Path) -> Result<(Tree, PathBuf), WalkError> {
    if std::fs::symlink_metadata(path).is_err() {
        return Err(WalkError::Missing);
    }
    let tree = Tree::for_named(path)?;
    let real = tree.resolve(path)?;
    Ok((tree, real))
}

/// Expands `paths` into sorted targets. `forced` (from `--parser`) overrides detection.
/// Errors for individual paths are returned alongside the targets that were found, so one
/// bad path never hides the others.
pub fn collect(
    paths: &[PathBuf],
    ignore: Option<&Regex>,
    forced: Option<Format>,
) -> (Vec<Target>, Vec<(String, WalkError)>) {
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    let mut walked = Vec::new();
    let wanted = |p: &Path| forced.is_some() || detect(p).is_some();
    for root in paths {
        if root.as_os_str() == "-" {
            targets.push(Target {
                path: root.clone(),
                format: forced,
            });
            continue;
        }
        let (tree, real) = match resolve_named(root) {
            Ok(found) => found,
            Err(e) => {
                errors.push((root.display().to_string(), e));
                continue;
            }
        };
        if super::archive::is_oci_layout_dir(root) {
            targets.push(Target {
                path: root.clone(),
                format: forced.or(Some(Format::Archive)),
            });
            continue;
        }
        if !real.is_dir() {
            // A named file is matched as it was named, as conftest does.
            if !ignore.is_some_and(|re| re.is_match(&root.to_string_lossy())) {
                targets.push(Target {
                    path: root.clone(),
                    format: forced.or_else(|| detect(root)),
                });
            }
            continue;
        }
        walked.push(real);
        let rules = Rules {
            skip_hidden: false,
            ignore,
            wanted: &wanted,
        };
        walk(
            &tree,
            root,
            &rules,
            &mut walked,
            &mut keep_found(forced, &mut targets, &mut errors),
        );
    }
    targets.sort_by(|a, b| a.path.cmp(&b.path));
    targets.dedup_by(|a, b| a.path == b.path);
    (targets, errors)
}

/// A walk's visitor that keeps what it finds: files of a format dockpolicy reads (or any
/// file, with `forced`) and OCI layout directories as targets, failures as errors.
fn keep_found<'a>(
    forced: Option<Format>,
    targets: &'a mut Vec<Target>,
    errors: &'a mut Vec<(String, WalkError)>,
) -> impl FnMut(Found) -> bool + 'a {
    move |found| match found {
        // OCI layout directories are one input each; nothing inside them is walked.
        Found::Dir(dir) if super::archive::is_oci_layout_dir(&dir) => {
            targets.push(Target {
                path: dir,
                format: Some(Format::Archive),
            });
            false
        }
        Found::Dir(_) => true,
        Found::File(path) => {
            let format = forced.or_else(|| detect(&path));
            if format.is_some() {
                targets.push(Target { path, format });
            }
            true
        }
        Found::Error(path, e) => {
            errors.push((path.display().to_string(), e));
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn names(targets: &[Target], root: &Path) -> Vec<String> {
        targets
            .iter()
            .map(|t| {
                t.path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn walks_what_conftest_walks_and_ignores_only_what_is_asked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in [
            "svc/a",
            ".devcontainer",
            ".github/docker",
            "vendor",
            ".git/x",
        ] {
            fs::create_dir_all(root.join(d)).unwrap();
        }
        fs::write(root.join("svc/a/Dockerfile"), "FROM a").unwrap();
        fs::write(root.join("svc/deploy.yaml"), "a: 1").unwrap();
        fs::write(root.join("svc/notes.txt"), "x").unwrap();
        fs::write(root.join(".devcontainer/Dockerfile"), "FROM a").unwrap();
        fs::write(root.join(".github/docker/Dockerfile"), "FROM a").unwrap();
        fs::write(root.join(".git/x/Dockerfile"), "FROM a").unwrap();
        fs::write(root.join("vendor/x.json"), "{}").unwrap();
        fs::write(root.join("build.json"), "{}").unwrap();
        // Committed ignore files hide nothing: ignoring is `--ignore`'s job. They are
        // inputs themselves (conftest's `ignore` parser), as every file whose name tells
        // a format.
        fs::write(root.join(".gitignore"), "build.json\n*.yaml\n").unwrap();
        fs::write(root.join(".ignore"), "svc\n").unwrap();
        let pattern = ignore_pattern(Some("/vendor/")).unwrap();
        let (targets, errors) = collect(&[root.to_path_buf()], pattern.as_ref(), None);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            names(&targets, root),
            vec![
                ".devcontainer/Dockerfile",
                ".github/docker/Dockerfile",
                ".gitignore",
                ".ignore",
                "build.json",
                "svc/a/Dockerfile",
                "svc/deploy.yaml"
            ]
        );
    }

    #[test]
    fn a_name_that_is_not_utf8_is_checked_not_dropped() {
        use std::os::unix::ffi::OsStrExt as _;
        let dir = tempfile::tempdir().unwrap();
        let name = std::ffi::OsStr::from_bytes(b"api\xff.Dockerfile");
        fs::write(dir.path().join(name), "FROM a").unwrap();
        let (targets, errors) = collect(&[dir.path().to_path_buf()], None, None);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(targets.len(), 1);
        assert_eq!(targets[0].format, Some(Format::Dockerfile));
    }

    #[test]
    fn symlinks_inside_are_followed_once_and_outside_are_errors() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret"), "TOKEN").unwrap();
        fs::write(outside.path().join("Dockerfile"), "FROM a").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("svc/shared")).unwrap();
        fs::create_dir_all(root.join("common")).unwrap();
        fs::write(root.join("svc/shared/Dockerfile"), "FROM a").unwrap();
        fs::write(root.join("common/base.Dockerfile"), "FROM a").unwrap();
        // Inside: a file link is checked; a directory link to a walked directory (or an
        // ancestor: a loop) is not walked twice; one outside the walked path is walked.
        symlink("shared/Dockerfile", root.join("svc/api.Dockerfile")).unwrap();
        symlink("shared", root.join("svc/again")).unwrap();
        symlink("..", root.join("svc/loop")).unwrap();
        symlink("../common", root.join("svc/common")).unwrap();
        // Outside: errors naming the link, when the link would have been checked.
        symlink(outside.path().join("secret"), root.join("svc/Dockerfile")).unwrap();
        symlink(outside.path(), root.join("svc/elsewhere")).unwrap();
        symlink(outside.path().join("secret"), root.join("svc/notes.txt")).unwrap();
        symlink(root.join("nope"), root.join("svc/broken.Dockerfile")).unwrap();
        // The tree is `root` (as the working directory is for `dockpolicy test svc`).
        let tree = Tree::at(root).unwrap();
        let svc = root.join("svc");
        let (mut targets, mut errors) = (Vec::new(), Vec::new());
        let wanted = |p: &Path| detect(p).is_some();
        let rules = Rules {
            skip_hidden: false,
            ignore: None,
            wanted: &wanted,
        };
        let mut walked = vec![tree.resolve(&svc).unwrap()];
        walk(&tree, &svc, &rules, &mut walked, &mut |found| {
            match found {
                Found::File(path) if wanted(&path) => targets.push(Target { path, format: None }),
                Found::Error(path, e) => errors.push((path.display().to_string(), e)),
                _ => {}
            }
            true
        });
        assert_eq!(
            names(&targets, &svc),
            vec![
                "api.Dockerfile",
                "common/base.Dockerfile",
                "shared/Dockerfile"
            ]
        );
        let mut failed: Vec<(String, String)> = errors
            .iter()
            .map(|(p, e)| (p.replace(&svc.display().to_string(), "svc"), e.to_string()))
            .collect();
        failed.sort();
        assert_eq!(failed.len(), 3, "{failed:?}");
        assert_eq!(failed[0].0, "svc/Dockerfile");
        assert!(failed[0].1.starts_with("resolves outside"), "{failed:?}");
        assert_eq!(failed[1].0, "svc/broken.Dockerfile");
        assert_eq!(failed[2].0, "svc/elsewhere");
        assert!(failed[2].1.starts_with("resolves outside"), "{failed:?}");
        assert!(!format!("{failed:?}").contains("TOKEN"));
    }

    #[test]
    fn missing_paths_are_errors_and_do_not_stop_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Dockerfile");
        fs::write(&file, "FROM a").unwrap();
        let (targets, errors) = collect(&[dir.path().join("nope"), file], None, None);
        assert_eq!(targets.len(), 1);
        assert_eq!(errors.len(), 1);
    }
}
