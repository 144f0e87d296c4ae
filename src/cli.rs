//! Command-line definitions (clap). All help text lives here, and clap is used nowhere
//! else: the library's plain enums become clap values below, under their own names.

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::EnforcementAction;
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
    Test(TestArgs),
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
    /// Show one rule in full (by id or slug); without it, the table of all rules.
    #[arg(value_name = "RULE")]
    pub rule: Option<String>,

    /// Document these policies (repeatable) instead of the bundled library.
    #[arg(short, long = "policy", value_name = "PATH")]
    pub policy: Vec<PathBuf>,
}

/// How inputs are read; shared by `test` and `parse`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files or directories to check; `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Parse every input as this format instead of detecting it from the file name.
    #[arg(long, value_enum, visible_alias = "input", value_name = "NAME")]
    pub parser: Option<Format>,

    /// Skip paths matching this glob (repeatable), e.g. `--ignore 'vendor/**'`.
    #[arg(long, value_name = "GLOB")]
    pub ignore: Vec<String>,

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

    /// Namespace (Rego package) whose rules are evaluated (repeatable).
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

#[derive(Debug, Args)]
pub struct ParseArgs {
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyOutput {
    /// one line per test, coverage table, summary
    Stdout,
    /// tests, summary and coverage as one JSON document
    Json,
    /// JUnit XML: one suite per package
    Junit,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Policy file or directory (repeatable), tests included. Default: `./policy` when it
    /// exists, otherwise the bundled library.
    #[arg(short, long = "policy", value_name = "PATH")]
    pub policy: Vec<PathBuf>,

    /// Data file or directory (JSON/YAML) merged into `data` (repeatable).
    #[arg(short, long = "data", value_name = "PATH")]
    pub data: Vec<PathBuf>,

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

    /// Output format.
    #[arg(short, long, value_enum, default_value = "stdout")]
    pub output: VerifyOutput,

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

    use super::{parse_duration, parse_size};

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
