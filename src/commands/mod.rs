//! One module per subcommand, plus the input reading they share.

pub mod doc;
mod doc_template;
pub mod gatekeeper;
pub mod parse;
pub mod test;
pub mod verify;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cli::InputArgs;
use crate::findings::FileError;
use crate::input::{self, Format, InputError, Parsed, dockerfile, walk};

/// One input file read and parsed (or the reason it could not be).
pub struct Loaded {
    pub filename: String,
    pub text: Option<Arc<str>>,
    pub parsed: Result<Parsed, InputError>,
}

/// What the inputs are collected for. `test` also checks the Dockerfiles that Compose
/// files build, and skips an empty file name, as conftest's `test` does; `parse` shows
/// only what was named, and an empty name is an error there, as in conftest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Test,
    Parse,
}

/// The files named on the command line, ready to be read, plus the path errors.
pub struct Inputs {
    pub targets: Vec<walk::Target>,
    pub errors: Vec<FileError>,
    stdin: Option<Vec<u8>>,
    /// `--stdin-filename`: the name standard input is reported under.
    stdin_name: Option<String>,
    options: dockerfile::Options,
}

impl Inputs {
    pub fn collect(args: &InputArgs, purpose: Purpose) -> anyhow::Result<Inputs> {
        let ignore = walk::ignore_pattern(args.ignore.as_deref())?;
        let mut paths = args.paths.clone();
        if purpose == Purpose::Test {
            // conftest's `test` skips an empty file name (a shell variable left unset).
            paths.retain(|path| !path.as_os_str().is_empty());
            if paths.is_empty() {
                anyhow::bail!("no files found: every file name given is empty");
            }
        }
        let (mut targets, walk_errors) = walk::collect(&paths, ignore.as_ref(), args.parser);
        let mut errors: Vec<FileError> = walk_errors
            .into_iter()
            .map(|(filename, e)| FileError {
                filename,
                line: None,
                message: e.to_string(),
            })
            .collect();
        if purpose == Purpose::Test {
            errors.extend(add_compose_builds(&mut targets, &paths));
        }
        let stdin = if targets.iter().any(|t| t.path.as_os_str() == "-") {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf)?;
            Some(buf)
        } else {
            None
        };
        Ok(Inputs {
            targets,
            errors,
            stdin,
            stdin_name: args.stdin_filename.clone(),
            options: dockerfile::Options {
                build_args: args.build_args.iter().cloned().collect(),
            },
        })
    }

    /// Reads and parses one target. Never fails: problems are in `parsed`.
    pub fn load(&self, target: &walk::Target) -> Loaded {
        let filename = match &self.stdin_name {
            Some(name) if target.path.as_os_str() == "-" => name.clone(),
            _ => display(&target.path),
        };
        if target.format == Some(Format::Archive) && target.path.as_os_str() != "-" {
            // Streamed from disk: an archive is never read into memory whole.
            return Loaded {
                filename,
                text: None,
                parsed: input::archive::read(&target.path)
                    .map(|doc| Parsed {
                        documents: vec![input::Document::Json(doc)],
                        multi: false,
                        ranges: vec![(1, 1)],
                        tree_roots: None,
                    })
                    .map_err(InputError::from),
            };
        }
        let (bytes, format) = match self.read(target) {
            Ok(read) => read,
            Err(e) => {
                return Loaded {
                    filename,
                    text: None,
                    parsed: Err(e),
                };
            }
        };
        match input::text_of(&bytes, format) {
            Ok(text) => Loaded {
                filename,
                text: Some(Arc::from(text)),
                parsed: input::parse(text, format, &self.options),
            },
            Err(e) => Loaded {
                filename,
                text: None,
                parsed: Err(e),
            },
        }
    }

    /// The bytes of a target that is read whole (a file, or standard input), and the
    /// format they are parsed as.
    fn read(&self, target: &walk::Target) -> Result<(Vec<u8>, Format), InputError> {
        let stdin = target.path.as_os_str() == "-";
        let bytes = if stdin {
            self.stdin.clone().unwrap_or_default()
        } else {
            read_bounded(
                &target.path,
                target.format.map_or(input::MAX_DOCUMENT, Format::max_size),
            )?
        };
        let format = match target.format {
            Some(f) => f,
            None if stdin => {
                Format::sniff(&String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]))
            }
            None => return Err(InputError::UnknownFormat),
        };
        if format == Format::Archive {
            return Err(InputError::Archive(
                input::archive::ArchiveError::NotAnImage(
                    "image archives are read from a file or directory, not standard input".into(),
                ),
            ));
        }
        Ok((bytes, format))
    }
}

/// Adds the Dockerfiles that Compose files build, unless they are already checked (each
/// Dockerfile's findings are reported once, under its own name). Returns the builds that
/// cannot be read: one that resolves outside the tree is an error on the Compose file.
fn add_compose_builds(targets: &mut Vec<walk::Target>, named: &[PathBuf]) -> Vec<FileError> {
    let (extra, errors) = compose_dockerfiles(targets, named);
    targets.extend(extra);
    targets.sort_by(|a, b| a.path.cmp(&b.path));
    errors
}

/// The Dockerfiles that the Compose files among `targets` build and `targets` lacks, and
/// the builds refused. A Compose file's builds must stay in the tree of the path it was
/// found under (`named`): the checkout, or the directory the user named.
fn compose_dockerfiles(
    targets: &[walk::Target],
    named: &[PathBuf],
) -> (Vec<walk::Target>, Vec<FileError>) {
    let composes: Vec<&walk::Target> = targets
        .iter()
        .filter(|t| t.format == Some(Format::Yaml) && input::compose::is_compose_file(&t.path))
        .collect();
    let mut extra = Vec::new();
    let mut errors = Vec::new();
    if composes.is_empty() {
        // Resolving every target's real path costs system calls per target, all wasted
        // start-up when no Compose file asks for a build.
        return (extra, errors);
    }
    let canonical =
        |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut known: std::collections::HashSet<std::path::PathBuf> =
        targets.iter().map(|t| canonical(&t.path)).collect();
    for t in composes {
        // The walk yields paths below the named path they were found under.
        let root = named
            .iter()
            .filter(|n| t.path.starts_with(n))
            .max_by_key(|n| n.as_os_str().len())
            .unwrap_or(&t.path);
        let Ok(tree) = input::confine::Tree::for_named(root) else {
            continue;
        };
        let Some(docs) = compose_documents(&t.path) else {
            continue;
        };
        for doc in &docs {
            for (service, dockerfile) in input::compose::build_dockerfiles(&t.path, doc) {
                let real = match tree.resolve(&dockerfile) {
                    Ok(real) => real,
                    Err(e) => {
                        errors.push(FileError {
                            filename: display(&t.path),
                            line: None,
                            message: format!(
                                "service {service:?} builds {}, which {}",
                                dockerfile.display(),
                                e.reason()
                            ),
                        });
                        continue;
                    }
                };
                if known.insert(real) {
                    extra.push(walk::Target {
                        path: dockerfile,
                        format: Some(Format::Dockerfile),
                    });
                }
            }
        }
    }
    (extra, errors)
}

/// The documents of a Compose file, already confined by the walk and bounded like any
/// YAML input; `None` when it cannot be read or parsed (it is reported when it is
/// checked itself).
fn compose_documents(path: &Path) -> Option<Vec<serde_json::Value>> {
    let bytes = read_bounded(path, input::MAX_DOCUMENT).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    input::yaml::parse(text).ok()
}

fn display(path: &std::path::Path) -> String {
    path.display().to_string()
}

/// The files a run reads besides its inputs, which no report may overwrite.
pub struct Protected {
    /// Policy and data paths (files or directories).
    roots: Vec<PathBuf>,
    config: Option<PathBuf>,
}

impl Protected {
    pub fn of(options: &crate::policy::Options, config: Option<&Path>) -> Protected {
        Protected {
            roots: options
                .policy_paths
                .iter()
                .chain(&options.data_paths)
                .cloned()
                .collect(),
            config: config
                .map(Path::to_path_buf)
                .or_else(|| Some(PathBuf::from(crate::config::DEFAULT_FILE))),
        }
    }

    /// Refuses an output file that is one of the run's own files: `--output-file
    /// Dockerfile` silently replaced the input, and a report written into a policy or data
    /// directory would be loaded as one by the next run. Costs nothing unless an output
    /// file already exists.
    pub fn check_outputs(
        &self,
        outputs: &[crate::cli::OutputSpec],
        output_file: Option<&Path>,
        inputs: &[walk::Target],
    ) -> anyhow::Result<()> {
        let paths = outputs
            .iter()
            .filter_map(|o| o.path.as_deref())
            .chain(output_file);
        for path in paths {
            let Ok(out) = std::fs::canonicalize(path) else {
                continue;
            };
            let refuse = |what: &str, name: &Path| {
                anyhow::anyhow!(
                    "cannot write {}: it is {what} {}; not overwritten",
                    path.display(),
                    name.display()
                )
            };
            for t in inputs.iter().filter(|t| t.path.as_os_str() != "-") {
                if same_file(&out, &t.path) {
                    return Err(refuse("the input", &t.path));
                }
            }
            for root in &self.roots {
                if let Ok(real) = std::fs::canonicalize(root)
                    && out.starts_with(&real)
                {
                    return Err(refuse("in the policy or data path", root));
                }
            }
            if let Some(config) = &self.config
                && same_file(&out, config)
            {
                return Err(refuse("the config file", config));
            }
        }
        Ok(())
    }
}

/// Whether `b` is the file at canonical path `a` (hard links included, on Unix).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        std::fs::canonicalize(b).is_ok_and(|b| a == b)
    }
}

/// The policy paths given, or `./policy` when none are and it exists (conftest's default).
/// A `policy` symlink counts even when it leads nowhere or out of the tree: the policy
/// load then refuses it with an error, rather than the run silently falling back to the
/// bundled library.
pub fn policy_paths_or_default(given: &[PathBuf]) -> Vec<PathBuf> {
    let linked = std::fs::symlink_metadata("policy").is_ok_and(|m| m.file_type().is_symlink());
    if given.is_empty() && (linked || Path::new("policy").is_dir()) {
        vec![PathBuf::from("policy")]
    } else {
        given.to_vec()
    }
}

/// Prints errors on standard error, `error: file:line: message`, one line each: the name
/// and message are quoted from an untrusted tree, so their secrets are hidden and control
/// characters escaped (a line break in a file name would otherwise start a GitHub
/// workflow command in the CI log, whatever the report's format).
pub fn eprint_errors(errors: &[FileError]) {
    use crate::redact;
    for e in errors {
        let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
        eprintln!(
            "error: {}{at}: {}",
            redact::message(&e.filename),
            redact::error_lines(&e.message)
        );
    }
}

/// Reads a text input (see `confine::read_capped_at`), saying how large one over `limit` is.
fn read_bounded(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, InputError> {
    use input::confine::{ConfineError, read_capped_at};
    read_capped_at(path, limit).map_err(|e| match e {
        ConfineError::TooLarge { .. } => InputError::TooLarge {
            size: std::fs::metadata(path).map_or(limit + 1, |m| m.len()),
            limit,
        },
        ConfineError::Io { source, .. } => InputError::Read(source),
        other => InputError::Read(std::io::Error::other(other.to_string())),
    })
}

/// Leaves `value` to the operating system, which reclaims a process's memory at once
/// when it exits: a command calls this on what it holds until its end (the compiled
/// policies, the report, the workers' VMs and engines, the input list), where dropping
/// them value by value would be a noticeable share of a short run's time. Only for
/// values that live until the process exits; nothing they hold needs a destructor to
/// run (files are closed and output flushed before).
pub fn leave_to_exit<T>(value: T) {
    std::mem::forget(value);
}

/// A rayon pool with `threads` workers (default: one per core).
pub fn pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n.max(1));
    }
    Ok(builder.build()?)
}

/// Turns an input error into the report's error entry.
pub fn input_error(filename: &str, e: &InputError) -> FileError {
    FileError {
        filename: filename.to_owned(),
        line: e.line(),
        message: e.to_string(),
    }
}

/// conftest's `--github-hide-passed` and `--junit-hide-message`, for the report.
pub fn format_options(flags: &crate::cli::FormatFlags) -> crate::report::FormatOptions {
    crate::report::FormatOptions {
        junit_hide_message: flags.junit_hide_message,
        github_hide_passed: flags.github_hide_passed,
    }
}
