//! Turns the paths on the command line into the list of files to check.
//!
//! Directories are walked recursively with the `ignore` crate: `.gitignore` is honoured
//! (inside or outside a git checkout), hidden files and directories are skipped, and only
//! files whose name tells a format we parse are kept. Files named explicitly are always
//! kept, so a typo surfaces as an error rather than a silent skip. The result is sorted so
//! output never depends on directory order.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::Format;

/// One file to check, with the format it will be parsed as (`None`: unknown, an error).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub path: PathBuf,
    pub format: Option<Format>,
}

/// Errors in the walk itself: a missing path, a bad glob, an unreadable directory.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("{0}: no such file or directory")]
    Missing(String),
    #[error("invalid --ignore glob {glob:?}: {source}")]
    Glob {
        glob: String,
        source: globset::Error,
    },
    #[error("{0}")]
    Walk(#[from] ignore::Error),
}

/// Builds the `--ignore` matcher.
pub fn ignore_set(globs: &[String]) -> Result<GlobSet, WalkError> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(Glob::new(glob).map_err(|source| WalkError::Glob {
            glob: glob.clone(),
            source,
        })?);
    }
    builder.build().map_err(|source| WalkError::Glob {
        glob: globs.join(","),
        source,
    })
}

fn ignored(set: &GlobSet, path: &Path, root: &Path) -> bool {
    if set.is_empty() {
        return false;
    }
    let relative = path.strip_prefix(root).unwrap_or(path);
    set.is_match(path)
        || set.is_match(relative)
        || path.file_name().is_some_and(|name| set.is_match(name))
}

/// Expands `paths` into sorted targets. `forced` (from `--parser`) overrides detection.
/// Errors for individual paths are returned alongside the targets that were found, so one
/// bad path never hides the others.
pub fn collect(
    paths: &[PathBuf],
    ignore: &GlobSet,
    forced: Option<Format>,
) -> (Vec<Target>, Vec<(String, WalkError)>) {
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        if root.as_os_str() == "-" {
            targets.push(Target {
                path: root.clone(),
                format: forced,
            });
            continue;
        }
        if !root.exists() {
            errors.push((
                root.display().to_string(),
                WalkError::Missing(root.display().to_string()),
            ));
            continue;
        }
        if super::archive::is_oci_layout_dir(root) {
            targets.push(Target {
                path: root.clone(),
                format: forced.or(Some(Format::Archive)),
            });
            continue;
        }
        if root.is_file() {
            if !ignored(ignore, root, root.parent().unwrap_or(root)) {
                targets.push(Target {
                    path: root.clone(),
                    format: forced.or_else(|| Format::detect(root)),
                });
            }
            continue;
        }
        let walker = {
            let set = ignore.clone();
            let base = root.clone();
            ignore::WalkBuilder::new(root)
                .hidden(true)
                .git_ignore(true)
                .require_git(false)
                .sort_by_file_name(|a, b| a.cmp(b))
                .filter_entry(move |entry| !ignored(&set, entry.path(), &base))
                .build()
        };
        // OCI layout directories are one input each; nothing inside them is walked.
        let mut layouts: Vec<PathBuf> = Vec::new();
        for entry in walker {
            match entry {
                Ok(entry) if layouts.iter().any(|l| entry.path().starts_with(l)) => {}
                Ok(entry)
                    if entry.file_type().is_some_and(|t| t.is_dir())
                        && super::archive::is_oci_layout_dir(entry.path()) =>
                {
                    layouts.push(entry.path().to_path_buf());
                    targets.push(Target {
                        path: entry.into_path(),
                        format: Some(Format::Archive),
                    });
                }
                Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                    let format = forced.or_else(|| Format::detect(entry.path()));
                    if format.is_some() {
                        targets.push(Target {
                            path: entry.into_path(),
                            format,
                        });
                    }
                }
                Ok(_) => {}
                Err(e) => errors.push((root.display().to_string(), WalkError::Walk(e))),
            }
        }
    }
    targets.sort_by(|a, b| a.path.cmp(&b.path));
    targets.dedup_by(|a, b| a.path == b.path);
    (targets, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn walks_recursively_honouring_gitignore_hidden_and_globs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("svc/a")).unwrap();
        fs::create_dir_all(root.join(".hidden")).unwrap();
        fs::create_dir_all(root.join("vendor")).unwrap();
        fs::write(root.join("svc/a/Dockerfile"), "FROM a").unwrap();
        fs::write(root.join("svc/deploy.yaml"), "a: 1").unwrap();
        fs::write(root.join("svc/notes.txt"), "x").unwrap();
        fs::write(root.join(".hidden/Dockerfile"), "FROM a").unwrap();
        fs::write(root.join("vendor/x.json"), "{}").unwrap();
        fs::write(root.join("build.json"), "{}").unwrap();
        fs::write(root.join(".gitignore"), "build.json\n").unwrap();
        let set = ignore_set(&["vendor".to_string()]).unwrap();
        let (targets, errors) = collect(&[root.to_path_buf()], &set, None);
        assert!(errors.is_empty());
        let names: Vec<_> = targets
            .iter()
            .map(|t| {
                t.path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, vec!["svc/a/Dockerfile", "svc/deploy.yaml"]);
    }

    #[test]
    fn missing_paths_are_errors_and_do_not_stop_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Dockerfile");
        fs::write(&file, "FROM a").unwrap();
        let (targets, errors) = collect(&[dir.path().join("nope"), file], &GlobSet::empty(), None);
        assert_eq!(targets.len(), 1);
        assert_eq!(errors.len(), 1);
    }
}
