//! Thin entry point: parse arguments, dispatch, map errors to exit codes.

use dockpolicy::cli::{self, Cli, Command};
use dockpolicy::commands;
use dockpolicy::report::exit;

/// Restores the default action of SIGPIPE (end the process quietly), which Rust's
/// start-up sets to "ignore": every write to a closed pipe (`dockpolicy parse | head`)
/// then failed, and `println!` panicked on it. Every subcommand and output format writes
/// to standard output, so this is settled once here, as other command-line tools do.
#[cfg(unix)]
fn quiet_on_closed_pipe() {
    unsafe extern "C" {
        fn signal(signum: i32, handler: usize) -> usize;
    }
    const SIGPIPE: i32 = 13;
    const SIG_DFL: usize = 0;
    // SAFETY: first thing in main, before any other thread exists; `signal` with SIG_DFL
    // installs no handler code of ours.
    unsafe {
        signal(SIGPIPE, SIG_DFL);
    }
}

#[cfg(not(unix))]
fn quiet_on_closed_pipe() {}

fn main() {
    quiet_on_closed_pipe();
    // regorus reports errors with anyhow, which records a stack trace for each one when
    // RUST_BACKTRACE is set (as it often is in CI). We only ever print the messages, and
    // capturing traces is a large part of a small run; panics still get theirs.
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // SAFETY: first thing in main, before any other thread exists.
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    }
    // Policies never abort the process by asking for impossible memory (see
    // `set_memory_limit`); `test --memory-limit` changes the limit.
    dockpolicy::policy::set_memory_limit(Some(dockpolicy::policy::DEFAULT_MEMORY_LIMIT));
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(cli::ParseError::Settings(message)) => {
            eprintln!("error: {}", dockpolicy::redact::lines(&message));
            std::process::exit(exit::TOOL_ERROR);
        }
        Err(cli::ParseError::Usage(e)) => {
            // Help and version are not errors; usage errors get the tool-error code, never
            // a code that could be mistaken for a policy outcome.
            let code = if e.use_stderr() {
                exit::TOOL_ERROR
            } else {
                exit::CLEAN
            };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let result = match &cli.command {
        Command::Test(args) => commands::test::run(args),
        Command::Parse(args) => commands::parse::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Doc(args) => commands::doc::run(args),
        Command::Gatekeeper(args) => commands::gatekeeper::run(args),
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "dockpolicy",
                &mut std::io::stdout(),
            );
            Ok(exit::CLEAN)
        }
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // The error may quote the scanned tree (a policy's name, a config file's line):
            // secrets hidden, control characters escaped, as in every report.
            eprintln!("error: {}", dockpolicy::redact::lines(&format!("{e:#}")));
            std::process::exit(exit::TOOL_ERROR);
        }
    }
}
