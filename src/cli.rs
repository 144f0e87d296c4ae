//! Command-line definitions (clap). All help text lives here, and clap is used nowhere
//! else: the library's plain enums become clap values below, under their own names.

use std::path::PathBuf;

use clap::builder::{PossibleValue, TypedValueParser as _};
use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::config::EnforcementAction;
use crate::config::conftest::{Kind, Setting, Settings};
use crate::input::Format;
use crate::policy::{EngineChoice, RegoVersion};
use crate::report::OutputFormat;

#[derive(Debug, Parser)]
#[command(
    name = "dockpolicy",
    version,
    about = "Policy-as-code for container images: check Dockerfiles, manifests and images with Rego",
    after_help = "Exit codes: 0 clean; 1 failures (or warnings with --fail-on-warn); \
                  2 failures with --fail-on-warn; 3 tool error (unreadable or invalid input, \
                  policy that does not compile or fails, no policies, bad usage)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check files against policies (conftest-compatible).
    Test(Box<TestArgs>),
    /// Print the JSON document(s) that policies see for each file.
    Parse(ParseArgs),
    /// Run the Rego unit tests (`test_*` rules) of a policy bundle.
    Verify(VerifyArgs),
    /// Print the rule reference generated from the policies' METADATA.
    Doc(DocArgs),
    /// Export the practices as Gatekeeper ConstraintTemplates, and test Gatekeeper policies.
    Gatekeeper(GatekeeperArgs),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Why the command line could not be read.
#[derive(Debug)]
pub enum ParseError {
    /// clap's own: a usage error, or `--help` and `--version`.
    Usage(clap::Error),
    /// conftest's settings (its configuration file, `CONFTEST_*` variables) for `test`,
    /// `verify` or `parse` are unusable; the message never quotes a value.
    Settings(String),
}

/// The `test` flags conftest reads from its configuration file and environment (see
/// `config::conftest`), by long name, with what each takes.
const TEST_SETTINGS: &[(&str, Kind)] = &[
    ("all-namespaces", Kind::Switch),
    ("capabilities", Kind::One),
    ("combine", Kind::Switch),
    ("data", Kind::Many),
    ("fail-on-warn", Kind::Switch),
    ("github-hide-passed", Kind::Switch),
    ("ignore", Kind::One),
    ("junit-hide-message", Kind::Switch),
    ("namespace", Kind::Many),
    ("no-color", Kind::Switch),
    ("no-fail", Kind::Switch),
    ("output", Kind::One),
    ("parser", Kind::One),
    ("policy", Kind::Many),
    ("proto-file-dirs", Kind::Many),
    ("quiet", Kind::Switch),
    ("rego-version", Kind::One),
    ("show-builtin-errors", Kind::Switch),
    ("stdin-filename", Kind::One),
    ("strict", Kind::Switch),
    ("suppress-exceptions", Kind::Switch),
    ("trace", Kind::Switch),
];

/// The `verify` flags conftest reads from its configuration file and environment.
const VERIFY_SETTINGS: &[(&str, Kind)] = &[
    ("capabilities", Kind::One),
    ("data", Kind::Many),
    ("github-hide-passed", Kind::Switch),
    ("junit-hide-message", Kind::Switch),
    ("namespace", Kind::Many),
    ("no-color", Kind::Switch),
    ("output", Kind::One),
    ("policy", Kind::Many),
    ("proto-file-dirs", Kind::Many),
    ("quiet", Kind::Switch),
    ("rego-version", Kind::One),
    ("report", Kind::One),
    ("show-builtin-errors", Kind::Switch),
    ("strict", Kind::Switch),
    ("trace", Kind::Switch),
    ("var-values", Kind::Switch),
];

/// The `parse` flags conftest reads from its configuration file and environment.
const PARSE_SETTINGS: &[(&str, Kind)] = &[("combine", Kind::Switch), ("parser", Kind::One)];

/// Reads the process's command line. For `test`, `verify` and `parse`, the flags it leaves unset are then
/// taken from `CONFTEST_*` environment variables and conftest's configuration file, in
/// that order, as conftest does; they are read as if given on the command line (before
/// the user's own arguments), so they are checked as those are.
pub fn parse() -> Result<Cli, ParseError> {
    let argv = config_file_after_command(std::env::args_os().collect());
    let parse_from = |argv: &[std::ffi::OsString]| {
        Cli::command()
            .try_get_matches_from(argv)
            .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)))
    };
    let (cli, matches) = parse_from(&argv).map_err(ParseError::Usage)?;
    let (keys, config_file) = match &cli.command {
        Command::Test(args) => (TEST_SETTINGS, &args.config_file),
        Command::Verify(args) => (VERIFY_SETTINGS, &args.config_file),
        Command::Parse(args) => (PARSE_SETTINGS, &args.config_file),
        _ => return Ok(cli),
    };
    let Some((command, given)) = matches.subcommand() else {
        return Ok(cli);
    };
    let explicit = config_file
        .clone()
        .or_else(|| std::env::var_os("CONFTEST_CONFIG_FILE").map(PathBuf::from));
    let settings =
        Settings::read(explicit.as_deref()).map_err(|e| ParseError::Settings(e.to_string()))?;
    let mut extra: Vec<std::ffi::OsString> = Vec::new();
    let mut origins = Vec::new();
    for (key, kind) in keys {
        if given.value_source(&key.replace('-', "_")) == Some(ValueSource::CommandLine) {
            continue;
        }
        let Some((setting, origin)) = settings.get(key, *kind).map_err(ParseError::Settings)?
        else {
            continue;
        };
        match setting {
            Setting::Switch(true) => extra.push(format!("--{key}").into()),
            Setting::Switch(false) => continue,
            Setting::Values(values) => {
                for value in values {
                    extra.push(format!("--{key}").into());
                    extra.push(value.into());
                }
            }
        }
        origins.push(format!("{origin} (--{key})"));
    }
    if extra.is_empty() {
        return Ok(cli);
    }
    // No option comes before the subcommand, so `test` is the first argument.
    let mut with_settings = argv[..2].to_vec();
    with_settings.extend(extra);
    with_settings.extend_from_slice(&argv[2..]);
    parse_from(&with_settings).map(|(cli, _)| cli).map_err(|e| {
        // clap's message would quote the value.
        ParseError::Settings(format!(
            "conftest settings not valid for `{command}` ({}): one of {}",
            e.kind(),
            origins.join(", ")
        ))
    })
}

/// conftest's `-c`/`--config-file` is a flag of the root command, so `conftest -c
/// FILE test ...` is valid: the flag (with its value) moves after the subcommand, where
/// `test`, `verify` and `parse` define it.
fn config_file_after_command(mut argv: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let Some(first) = argv.get(1).and_then(|a| a.to_str()) else {
        return argv;
    };
    let flag_len = if first == "-c" || first == "--config-file" {
        2
    } else if first.starts_with("--config-file=") || (first.starts_with("-c") && first.len() > 2) {
        1
    } else {
        return argv;
    };
    let command_at = 1 + flag_len;
    let moves = argv
        .get(command_at)
        .and_then(|c| c.to_str())
        .is_some_and(|c| ["test", "verify", "parse"].contains(&c));
    if moves {
        let flag: Vec<_> = argv.drain(1..command_at).collect();
        argv.splice(2..2, flag);
    }
    argv
}

#[derive(Debug, Args)]
pub struct GatekeeperArgs {
    #[command(subcommand)]
    pub command: GatekeeperCommand,
}

#[derive(Debug, Subcommand)]
pub enum GatekeeperCommand {
    /// Write a ConstraintTemplate and a Constraint for every rule marked for Gatekeeper.
    Export {
        /// Also export your own rules (their METADATA needs `custom.gatekeeper: true`).
        #[arg(short, long = "policy", value_name = "PATH")]
        policy: Vec<PathBuf>,
        /// Leave the bundled practices out.
        #[arg(long)]
        no_bundled: bool,
        /// Directory to write templates/ and constraints/ into.
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
        /// Config file whose settings become Constraint parameters.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// v0: `rego:` + `libs:` with `future.keywords` imports (checked on Gatekeeper 3.17
        /// and 3.23); v1: `code:` with `source.version: v1` (Gatekeeper 3.19+; 3.23 checked).
        #[arg(long, value_enum, default_value = "v0", value_name = "VERSION")]
        rego_version: RegoVersion,
        /// The strongest enforcementAction of any Constraint (overrides the config's
        /// `gatekeeper.enforcement_action`): deny lets each rule's severity decide, warn
        /// only warns, dryrun only audits.
        #[arg(long, value_enum, value_name = "ACTION")]
        enforcement_action: Option<EnforcementAction>,
    },
    /// Evaluate ConstraintTemplates and Constraints against manifests or AdmissionReviews,
    /// the way `gator test` does.
    ///
    /// The objects given are the inventory: `data.inventory` for referential templates,
    /// and the Namespaces a namespaceSelector looks at (a namespaced object whose
    /// Namespace is not given, but `default`, is rejected as Gatekeeper rejects it).
    /// ExpansionTemplates among them expand the other objects. An AdmissionReview is
    /// its request, selected when its object or old object matches; a List is its items.
    /// Unlike gator test, a cluster-scoped object has no Namespace (as in Gatekeeper's
    /// webhook and audit). Violations of a deny constraint (or a scoped one with deny at
    /// gator's enforcement point) are failures, others warnings; JSON findings name
    /// their constraint and object.
    Test {
        /// ConstraintTemplate files or directories (repeatable).
        #[arg(short, long = "templates", value_name = "PATH", required = true)]
        templates: Vec<PathBuf>,
        /// Constraint files or directories (repeatable).
        #[arg(short, long = "constraints", value_name = "PATH", required = true)]
        constraints: Vec<PathBuf>,
        /// Manifests (YAML/JSON, multi-document) or AdmissionReview objects.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(short, long, value_enum, default_value = "stdout")]
        output: OutputFormat,
        #[command(flatten)]
        limits: EvalLimits,
    },
    /// Run Gatekeeper test suites (`kind: Suite`, test.gatekeeper.sh/v1alpha1) the way
    /// `gator verify` does.
    ///
    /// Exit status: 0 when every case passes (skipped ones allowed); 1 when an assertion
    /// does not hold or an `invalid: true` constraint is accepted; 3 when a case or test
    /// could not run (a missing file, a template that does not compile, a malformed
    /// case). gator exits 1 for both of the last two.
    Verify {
        /// Suite files or directories containing them (searched recursively).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format: a line per case, or every suite, test and case as JSON.
        #[arg(short, long, value_enum, default_value = "stdout")]
        output: SuiteOutput,
        /// Run only the tests and cases this selects, as gator's `--run`: `REGEX` matches a
        /// case's or its test's name, `TEST//CASE` both; the others are reported skipped.
        #[arg(short, long, value_name = "REGEX")]
        run: Option<String>,
        #[command(flatten)]
        limits: EvalLimits,
    },
}

/// `--timeout` and `--memory-limit` for the commands that evaluate policies other than
/// `test` (`verify`, `gatekeeper test`, `gatekeeper verify`): the same flags, defaults and
/// meaning as `test`'s, the unit of work being one test or one object's review. The
/// policies (and templates, and suites) come from the scanned tree, and a loop in one of
/// them must not hang the CI job.
#[derive(Debug, Clone, Copy, Args)]
pub struct EvalLimits {
    /// Stop a policy evaluation (one Rego test in `verify`; one object against one
    /// constraint in `gatekeeper`) that runs longer than this, e.g. `10s`, `500ms`; `0`
    /// disables the limit. It is reported as an error of that test or object; the others
    /// go on.
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,

    /// Stop policy evaluations once the process holds more than this much memory, e.g.
    /// `4GiB`, `512MiB`; `0` disables the limit. The evaluation that crosses it is reported
    /// as an error; the others go on. One builtin call (`replace`, `concat`, `sprintf`,
    /// `json.marshal`...) may build at most a quarter of it.
    #[arg(long, default_value = "4GiB", value_parser = parse_size, value_name = "SIZE")]
    pub memory_limit: u64,
}

impl EvalLimits {
    /// The timeout, `None` for none.
    pub fn timeout(&self) -> Option<std::time::Duration> {
        (!self.timeout.is_zero()).then_some(self.timeout)
    }

    /// The memory limit, `None` for none.
    pub fn memory_limit(&self) -> Option<u64> {
        (self.memory_limit > 0).then_some(self.memory_limit)
    }
}

#[derive(Debug, Args)]
pub struct DocArgs {
    /// Policy directories to document as `conftest doc` does (one `<name>.md` each in
    /// `--outDir`, from every METADATA block); or one rule id or slug to show that bundled
    /// rule in full; nothing for the table of every rule.
    #[arg(value_name = "DIR|RULE")]
    pub targets: Vec<String>,

    /// For the rule table and a rule: these policies (repeatable) instead of the bundled
    /// library.
    #[arg(short, long = "policy", value_name = "PATH")]
    pub policy: Vec<PathBuf>,

    /// Where the documents of policy directories are written.
    #[arg(short = 'o', long = "outDir", value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,

    /// A Go template (`text/template`) for the documents instead of conftest's default;
    /// it is executed on conftest's list of sections.
    #[arg(short, long, value_name = "FILE")]
    pub template: Option<PathBuf>,
}

/// How inputs are read; shared by `test` and `parse`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files or directories to check; `-` reads standard input.
    // An empty argument is allowed here: `test` skips it, as conftest does.
    #[arg(
        required = true,
        value_name = "PATH",
        value_parser = clap::builder::OsStringValueParser::new().map(PathBuf::from)
    )]
    pub paths: Vec<PathBuf>,

    /// Parse every input as this format instead of detecting it from the file name.
    #[arg(long, value_enum, visible_alias = "input", value_name = "NAME")]
    pub parser: Option<Format>,

    /// Skip files whose path matches this regular expression, as conftest's `--ignore`
    /// (e.g. `--ignore '^vendor/'`); given twice, the last one counts.
    #[arg(long, value_name = "REGEX", overrides_with = "ignore")]
    pub ignore: Option<String>,

    /// The name standard input's document is reported under (`-`, by default).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// Dockerfile build argument, as for `docker build` (repeatable); used when a FROM
    /// takes its image from an ARG.
    #[arg(long = "build-arg", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub build_args: Vec<(String, String)>,

    /// Evaluate all inputs as one document: an array of `{path, contents}`.
    #[arg(long)]
    pub combine: bool,

    /// Worker threads (default: one per core). Capped at the number of cores and of
    /// inputs: more would only add memory (each worker holds its own evaluator).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
}

/// `gatekeeper verify -o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SuiteOutput {
    /// PASS/FAIL/ERROR/SKIP lines and a summary
    Stdout,
    /// suites, tests, cases and the summary as one JSON document
    Json,
}

impl ValueEnum for OutputFormat {
    fn value_variants<'a>() -> &'a [Self] {
        OutputFormat::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()).help(self.description()))
    }
}

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        Format::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let value = PossibleValue::new(self.name());
        Some(match self {
            Format::Archive => value.help(
                "An image archive: `docker save` tarball or OCI image layout (directory or tar)",
            ),
            _ => value,
        })
    }
}

impl ValueEnum for RegoVersion {
    fn value_variants<'a>() -> &'a [Self] {
        &[RegoVersion::V0, RegoVersion::V1]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

impl ValueEnum for EngineChoice {
    fn value_variants<'a>() -> &'a [Self] {
        &[EngineChoice::Auto, EngineChoice::Interpreter]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

impl ValueEnum for EnforcementAction {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            EnforcementAction::Dryrun,
            EnforcementAction::Warn,
            EnforcementAction::Deny,
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            EnforcementAction::Dryrun => {
                "Audit only: violations are recorded, no request is refused or warned about"
            }
            EnforcementAction::Warn => "The request is admitted with a warning",
            EnforcementAction::Deny => "The request is refused",
        };
        Some(PossibleValue::new(self.as_str()).help(help))
    }
}

/// `test -o`'s help, listing every format.
fn output_help() -> String {
    let names: Vec<&str> = OutputFormat::ALL.iter().map(|f| f.name()).collect();
    format!(
        "Output format (repeatable): {}; `FORMAT=PATH` writes it to a file, e.g. \
         `-o stdout -o sarif=results.sarif`",
        names.join(", ")
    )
}

/// `-o FORMAT` or `-o FORMAT=PATH` (write that format to a file).
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSpec {
    pub format: OutputFormat,
    pub path: Option<PathBuf>,
}

fn parse_output_spec(s: &str) -> Result<OutputSpec, String> {
    let (name, path) = match s.split_once('=') {
        Some((n, p)) if !p.is_empty() => (n, Some(PathBuf::from(p))),
        Some(_) => return Err(format!("expected FORMAT=PATH, got {s:?}")),
        None => (s, None),
    };
    let format = OutputFormat::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = OutputFormat::ALL.iter().map(|f| f.name()).collect();
        format!(
            "unknown output format {name:?}; one of {}",
            names.join(", ")
        )
    })?;
    Ok(OutputSpec { format, path })
}

#[derive(Debug, Args)]
pub struct TestArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Policy file or directory (repeatable). Default: `./policy` when it exists,
    /// otherwise the bundled library.
    #[arg(short, long = "policy", value_name = "PATH")]
    pub policy: Vec<PathBuf>,

    /// Data file or directory (JSON/YAML) merged into `data` (repeatable).
    #[arg(short, long = "data", value_name = "PATH")]
    pub data: Vec<PathBuf>,

    /// Namespace (Rego package) whose rules are evaluated (repeatable). A pattern with
    /// `*`, `?` or `[...]` selects every package it matches (`*` crosses dots too:
    /// `'k8s.*'` matches `k8s.a.b`).
    #[arg(short, long = "namespace", default_value = "main", value_name = "NAME")]
    pub namespace: Vec<String>,

    /// Evaluate the rules of every package that declares some.
    #[arg(long)]
    pub all_namespaces: bool,

    /// Also evaluate the bundled practice library next to your own policies.
    #[arg(long, conflicts_with = "no_bundled")]
    pub bundled: bool,

    /// Never evaluate the bundled practice library.
    #[arg(long)]
    pub no_bundled: bool,

    /// Rego syntax of your policies.
    #[arg(long, value_enum, default_value = "v1", value_name = "VERSION")]
    pub rego_version: RegoVersion,

    #[arg(short, long, value_parser = parse_output_spec, default_value = "stdout", value_name = "FORMAT[=PATH]", help = output_help())]
    pub output: Vec<OutputSpec>,

    /// Write the last `-o` format to this file (same as `-o FORMAT=PATH`).
    #[arg(long, value_name = "PATH")]
    pub output_file: Option<PathBuf>,

    /// No colours in text output (also: the NO_COLOR environment variable, or not a terminal).
    #[arg(long)]
    pub no_color: bool,

    /// Exit 1 on warnings, and 2 on failures.
    #[arg(long)]
    pub fail_on_warn: bool,

    /// Exit 0 even when policies fail (tool errors still exit 3).
    #[arg(long)]
    pub no_fail: bool,

    /// Config file for the bundled practices (default: ./.dockpolicy.yaml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// conftest's configuration file, whose keys are these flags' names (default:
    /// ./conftest.toml, .yaml, .yml or .json when present). A flag given on the command
    /// line wins over a `CONFTEST_<FLAG>` environment variable, which wins over the file.
    #[arg(short = 'c', long, value_name = "FILE")]
    pub config_file: Option<PathBuf>,

    /// Print no report when the run passes (exit 0).
    #[arg(long)]
    pub quiet: bool,

    /// Leave exceptions out of the text report (they still count in the summary).
    #[arg(long)]
    pub suppress_exceptions: bool,

    /// Show how each query was evaluated: a `file: ... | query: ...` line per query and
    /// the policy's `trace()` notes, on standard error (and instead of the report in the
    /// `stdout` format, as conftest).
    #[arg(long)]
    pub trace: bool,

    /// OPA's strict mode: unused local variables, function arguments and imports,
    /// duplicate imports and deprecated builtins are compile errors.
    #[arg(long)]
    pub strict: bool,

    /// An OPA capabilities JSON file: a policy calling a builtin it does not list is
    /// refused at load.
    #[arg(long, value_name = "FILE")]
    pub capabilities: Option<PathBuf>,

    /// A builtin that fails (`to_number("x")`) is an error of the run; by default, as in
    /// OPA, it leaves its expression undefined.
    #[arg(long)]
    pub show_builtin_errors: bool,

    #[command(flatten)]
    pub format_options: FormatFlags,

    /// Accepted for conftest's command lines: it serves conftest's textproto parser,
    /// which dockpolicy does not have.
    #[arg(long, value_name = "DIR", value_delimiter = ',')]
    pub proto_file_dirs: Vec<PathBuf>,

    /// Also list findings hidden by `# dockpolicy ignore=` pragmas.
    #[arg(long)]
    pub show_suppressed: bool,

    /// Stop a policy evaluation (one input) that runs longer than this, e.g. `10s`,
    /// `500ms`; `0` disables the limit.
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,

    /// Stop policy evaluations once the process holds more than this much memory, e.g.
    /// `4GiB`, `512MiB`; `0` disables the limit. The evaluation that crosses it is reported
    /// as an error; the other inputs go on. One builtin call (`replace`, `concat`,
    /// `sprintf`, `json.marshal`...) may build at most a quarter of it.
    #[arg(long, default_value = "4GiB", value_parser = parse_size, value_name = "SIZE")]
    pub memory_limit: u64,

    /// Which regorus engine evaluates the policies: `auto` runs the bundled practices on
    /// the bytecode VM (held to the interpreter's results in CI) and your own policies on
    /// the interpreter; `interpreter` never uses the VM.
    #[arg(long, value_enum, default_value_t = EngineChoice::Auto)]
    pub engine: EngineChoice,
}

/// `"512MiB"` → `("512", "MiB")`: the leading digits and the unit after them (`""` if none).
fn number_and_unit(s: &str) -> (&str, &str) {
    s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()))
}

fn parse_size(s: &str) -> Result<u64, String> {
    let (number, unit) = number_and_unit(s);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("expected a size like 4GiB or 512MiB, got {s:?}"))?;
    let scale: u64 = match unit {
        "" | "B" => 1,
        "KiB" | "K" => 1 << 10,
        "MiB" | "M" => 1 << 20,
        "GiB" | "G" => 1 << 30,
        _ => return Err(format!("expected a size like 4GiB or 512MiB, got {s:?}")),
    };
    n.checked_mul(scale)
        .ok_or_else(|| format!("{s:?} is too large"))
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = number_and_unit(s);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("expected a duration like 10s or 500ms, got {s:?}"))?;
    match unit {
        "ms" => Ok(std::time::Duration::from_millis(n)),
        "" | "s" => Ok(std::time::Duration::from_secs(n)),
        "m" => Ok(std::time::Duration::from_secs(n * 60)),
        _ => Err(format!("expected a duration like 10s or 500ms, got {s:?}")),
    }
}

/// conftest's switches for two report formats, shared by `test` and `verify`.
#[derive(Debug, Args)]
pub struct FormatFlags {
    /// In the GitHub output, skip input files whose checks all passed.
    #[arg(long)]
    pub github_hide_passed: bool,

    /// Do not include the violation message in the JUnit test name.
    #[arg(long)]
    pub junit_hide_message: bool,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// conftest's configuration file (default: ./conftest.toml, .yaml, .yml or .json when
    /// present); `parse` reads its `parser` and `combine` keys.
    #[arg(short = 'c', long, value_name = "FILE")]
    pub config_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Accepted and ignored, as conftest does: the tests come from the policies (`-p`).
    #[arg(value_name = "PATH", hide = true)]
    pub paths: Vec<PathBuf>,

    /// Policy file or directory (repeatable), tests included. Default: `./policy` when it
    /// exists, otherwise the bundled library.
    #[arg(short, long = "policy", value_name = "PATH")]
    pub policy: Vec<PathBuf>,

    /// Data file or directory (JSON/YAML) merged into `data` (repeatable).
    #[arg(short, long = "data", value_name = "PATH")]
    pub data: Vec<PathBuf>,

    /// Only report the tests of these packages (repeatable or comma-separated); `*`, `?`
    /// and `[...]` are wildcards, `*` matching dots too (`main.*`).
    #[arg(short, long = "namespace", value_name = "GLOB", value_delimiter = ',')]
    pub namespace: Vec<String>,

    /// Also load the bundled library (its helpers and tests) next to your policies.
    #[arg(long)]
    pub bundled: bool,

    /// Only run tests whose `package.test_name` matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub run: Option<String>,

    /// Report which policy lines the tests exercised.
    #[arg(long)]
    pub coverage: bool,

    /// Fail when total coverage is below this percentage (implies --coverage).
    #[arg(long, value_name = "PERCENT")]
    pub threshold: Option<f64>,

    /// Rego syntax of your policies.
    #[arg(long, value_enum, default_value = "v1", value_name = "VERSION")]
    pub rego_version: RegoVersion,

    /// Output format: conftest's results, one per test.
    #[arg(
        short,
        long,
        value_enum,
        default_value = "stdout",
        value_name = "FORMAT"
    )]
    pub output: OutputFormat,

    /// Print each test's name as conftest's trace does (on standard output in the
    /// stdout format, and on standard error); regorus records no evaluation steps.
    #[arg(long)]
    pub trace: bool,

    /// OPA's test report instead of the results: `full`, `notes` or `fails` (stdout
    /// format only; any other value is ignored, as by conftest).
    #[arg(long, value_name = "KIND")]
    pub report: Option<String>,

    /// As conftest: `--report fails` unless another kind is asked for (the variables'
    /// values, which OPA shows from its trace, are missing).
    #[arg(long)]
    pub var_values: bool,

    /// Print nothing when every test passes.
    #[arg(long)]
    pub quiet: bool,

    /// OPA's strict mode, as for `test`: unused local variables, function arguments and
    /// imports, duplicate imports and deprecated builtins are compile errors.
    #[arg(long)]
    pub strict: bool,

    /// A builtin's error (`to_number("x")`) stops the run instead of making the test fail.
    #[arg(long)]
    pub show_builtin_errors: bool,

    /// No colours in text output (also: the NO_COLOR environment variable, or not a terminal).
    #[arg(long)]
    pub no_color: bool,

    /// Accepted and ignored, as by conftest's `verify`, which parses no input.
    #[arg(long, value_name = "DIR", value_delimiter = ',')]
    pub proto_file_dirs: Vec<PathBuf>,

    /// An OPA capabilities JSON file: a policy calling a builtin it does not list is
    /// refused at load.
    #[arg(long, value_name = "FILE")]
    pub capabilities: Option<PathBuf>,

    /// conftest's configuration file (default: ./conftest.toml, .yaml, .yml or .json when
    /// present), read for the flags `verify` shares with `test`.
    #[arg(short = 'c', long, value_name = "FILE")]
    pub config_file: Option<PathBuf>,

    #[command(flatten)]
    pub format_options: FormatFlags,

    #[command(flatten)]
    pub limits: EvalLimits,
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{config_file_after_command, parse_duration, parse_size};

    #[test]
    fn config_file_before_the_command_moves_after_it() {
        let args = |list: &[&str]| -> Vec<std::ffi::OsString> {
            list.iter().map(std::ffi::OsString::from).collect()
        };
        assert_eq!(
            config_file_after_command(args(&["dp", "-c", "f.toml", "test", "x.yaml"])),
            args(&["dp", "test", "-c", "f.toml", "x.yaml"])
        );
        assert_eq!(
            config_file_after_command(args(&["dp", "--config-file=f.toml", "verify"])),
            args(&["dp", "verify", "--config-file=f.toml"])
        );
        for unchanged in [
            &["dp", "test", "-c", "f.toml", "x.yaml"][..],
            &["dp", "-c", "f.toml", "doc"],
            &["dp", "-c"],
        ] {
            assert_eq!(config_file_after_command(args(unchanged)), args(unchanged));
        }
    }

    #[test]
    fn durations_take_ms_s_m_and_default_to_seconds() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        for bad in ["", "s", "soon", "1h", "-1s", "1.5s"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sizes_take_binary_units_and_default_to_bytes() {
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("100B"), Ok(100));
        assert_eq!(parse_size("4KiB"), Ok(4 << 10));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        for bad in ["", "MiB", "4GB", "1.5GiB", "-1", "99999999999GiB"] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
    }
}
