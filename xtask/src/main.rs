//! `cargo xtask generate`: writes every committed file that is derived from dockpolicy's
//! sources, so that adding a bundled rule or a setting is one command, not a list of files
//! to remember. `cargo xtask generate --check` writes nothing and fails, naming each stale
//! file, when one is not what the sources give (CI runs it).
//!
//! The derived files:
//! * `policies/lib/dockpolicy/config.rego`, the settings block: from `RULE_SETTINGS` in
//!   src/config.rs ([`settings`]);
//! * `README.md`, the rule table: from the bundled rules' METADATA ([`rules_table`]); and
//!   the settings table: from `RULE_SETTINGS` ([`settings_table`]);
//! * `examples/gatekeeper/templates/` and `constraints/`: the Gatekeeper export
//!   ([`gatekeeper_examples`]);
//! * `src/policy/bundled.rvm`: the bundled library compiled for the VM ([`program`]).

mod gatekeeper_examples;
mod markers;
mod program;
mod rules_table;
mod settings;
mod settings_table;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

/// One derived file: its path under the repository root and the content the sources give
/// (`None`: the file must not exist, e.g. the export of a rule that is gone).
pub struct Derived {
    pub path: PathBuf,
    pub content: Option<Vec<u8>>,
}

impl Derived {
    pub fn text(path: impl Into<PathBuf>, text: String) -> Derived {
        Derived {
            path: path.into(),
            content: Some(text.into_bytes()),
        }
    }

    /// Whether the file on disk differs from what the sources give.
    fn is_stale(&self, root: &Path) -> bool {
        let on_disk = std::fs::read(root.join(&self.path)).ok();
        on_disk != self.content
    }

    fn write(&self, root: &Path) -> anyhow::Result<()> {
        let path = root.join(&self.path);
        match &self.content {
            Some(content) => {
                std::fs::write(&path, content).with_context(|| format!("write {}", path.display()))
            }
            None => {
                std::fs::remove_file(&path).with_context(|| format!("remove {}", path.display()))
            }
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["generate"] => false,
        ["generate", "--check"] => true,
        _ => {
            eprintln!("usage: cargo xtask generate [--check]");
            return ExitCode::from(2);
        }
    };
    match if check { run_check() } else { run_generate() } {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ is inside the repository")
        .to_path_buf()
}

/// The derived text files, each computed from the sources as this build of dockpolicy
/// has them.
fn text_files(root: &Path) -> anyhow::Result<Vec<Derived>> {
    let mut files = vec![settings::derive(root)?, readme(root)?];
    files.extend(gatekeeper_examples::derive(root)?);
    Ok(files)
}

/// `README.md` with its generated tables (rules, settings) brought up to date.
fn readme(root: &Path) -> anyhow::Result<Derived> {
    const PATH: &str = "README.md";
    let text = std::fs::read_to_string(root.join(PATH)).with_context(|| format!("read {PATH}"))?;
    let text = settings_table::derive(&rules_table::derive(&text)?)?;
    Ok(Derived::text(PATH, text))
}

fn run_check() -> anyhow::Result<ExitCode> {
    let root = root();
    let mut files = text_files(&root)?;
    files.push(program::derive()?);
    let stale: Vec<&Derived> = files.iter().filter(|f| f.is_stale(&root)).collect();
    if stale.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for file in stale {
        let why = if file.content.is_some() {
            "stale"
        } else {
            "should not exist"
        };
        eprintln!("{}: {why}", file.path.display());
    }
    eprintln!("run `cargo xtask generate`");
    Ok(ExitCode::FAILURE)
}

fn run_generate() -> anyhow::Result<ExitCode> {
    let root = root();
    let mut policies_changed = false;
    for file in text_files(&root)? {
        if file.is_stale(&root) {
            file.write(&root)?;
            println!("wrote {}", file.path.display());
            policies_changed |= file.path.starts_with("policies");
        }
    }
    // The program is compiled from the policies built into this binary: after writing a
    // policy, it comes from a build that has the new text.
    if policies_changed {
        return rerun_with_new_policies();
    }
    let program = program::derive()?;
    if program.is_stale(&root) {
        program.write(&root)?;
        println!("wrote {}", program.path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn rerun_with_new_policies() -> anyhow::Result<ExitCode> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["run", "-q", "-p", "xtask", "--", "generate"])
        .current_dir(root())
        .status()
        .context("run cargo")?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
