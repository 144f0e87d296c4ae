//! `dockpolicy verify`: runs a policy bundle's Rego unit tests and reports them as
//! conftest does, optionally with coverage (ours).

use std::collections::BTreeMap;

use crate::cli::VerifyArgs;
use crate::policy::{self, namespace_pattern, testing};
use crate::report::verify::{self as render, VerifyReport};
use crate::report::{OutputFormat, Report, Style, exit};

/// conftest's `--report` kinds; any other value leaves the results as they are.
const REPORT_KINDS: &[&str] = &["full", "notes", "fails"];

pub fn run(args: &VerifyArgs) -> anyhow::Result<i32> {
    let filter = match &args.run {
        Some(pattern) => Some(
            regex::Regex::new(pattern)
                .map_err(|e| anyhow::anyhow!("invalid --run pattern: {e}"))?,
        ),
        None => None,
    };
    let namespaces = NamespaceFilter::new(&args.namespace)?;
    let timeout = args.limits.timeout();
    let policy_paths = super::policy_paths_or_default(&args.policy);
    let set = policy::load(&policy::Options {
        bundled: args.bundled || policy_paths.is_empty(),
        policy_paths,
        data_paths: args.data.clone(),
        rego_version: args.rego_version,
        include_tests: true,
        strict: args.strict,
        timeout,
        capabilities: args.capabilities.clone(),
        ..Default::default()
    })?;
    // The interpreter runs every test (no VM): regorus's process-wide ceiling, and each
    // builtin call's share of it, as for `test`.
    policy::set_memory_limit(args.limits.memory_limit());
    let mut engine = set.engine;
    // OPA makes a failing builtin call undefined (the test fails) unless asked to raise.
    engine.set_strict_builtin_errors(args.show_builtin_errors);
    let want_coverage = args.coverage || args.threshold.is_some();
    engine.set_enable_coverage(want_coverage);
    let traced = args.trace || report_kind(args).is_some();
    let mut tests = testing::run(&mut engine, filter.as_ref(), timeout, traced);
    tests.retain(|t| namespaces.selects(&t.package));
    stop_at_errors(&tests)?;
    let coverage = if want_coverage {
        Some(testing::coverage(&mut engine).map_err(|e| anyhow::anyhow!("coverage: {e}"))?)
    } else {
        None
    };
    let report = VerifyReport { tests, coverage };
    let code = exit_code(args, &report);
    if !(args.quiet && code == exit::CLEAN) {
        print!("{}", rendered(args, &report)?);
    }
    Ok(code)
}

/// conftest stops at a test that raises an error, before it reports anything: so does
/// this, naming every such test (on standard error, through `main`; a tool error).
fn stop_at_errors(tests: &[testing::TestCase]) -> anyhow::Result<()> {
    let errors: Vec<String> = tests
        .iter()
        .filter(|t| t.status == testing::Status::Error)
        .map(|t| {
            format!(
                "{}:{}: {}: {}",
                t.file,
                t.line,
                t.query(),
                t.message.as_deref().unwrap_or_default()
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("running verification: {}", errors.join("\n"))
    }
}

/// What standard output shows: OPA's report with `--report`, the tests' names with
/// `--trace` (also on standard error), otherwise the results in the `-o` format.
fn rendered(args: &VerifyArgs, report: &VerifyReport) -> anyhow::Result<String> {
    let color = !args.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::IsTerminal::is_terminal(&std::io::stdout());
    if let Some(kind) = report_kind(args) {
        if args.output != OutputFormat::Stdout {
            anyhow::bail!("report flag is supported with stdout only ({kind})");
        }
        return Ok(render::render_report(&report.tests, kind));
    }
    for t in &report.tests {
        // What a test printed, on standard error (conftest shows it only in `--report`).
        let mut prints = policy::eval::PrintLog::new(&t.id());
        prints.add(t.output.clone(), None);
        prints.emit();
    }
    if args.trace {
        eprint!("{}", render::render_trace(&report.tests, false));
        if args.output == OutputFormat::Stdout {
            return Ok(render::render_trace(&report.tests, color));
        }
    }
    let results = render::results(&report.tests);
    Ok(match args.output {
        OutputFormat::Stdout => render::render_text(&results, report.coverage.as_deref(), color),
        OutputFormat::Json if report.coverage.is_some() => render::render_json(report),
        format => {
            let mut whole = Report {
                results,
                style: Style {
                    color,
                    show_suppressed: false,
                    suppress_exceptions: false,
                },
                options: super::format_options(&args.format_options),
                ..Report::default()
            };
            whole.finish();
            crate::report::render(format, &whole, &BTreeMap::new())
        }
    })
}

/// OPA's report `--report` asks for (`--var-values` alone: `fails`), if any.
fn report_kind(args: &VerifyArgs) -> Option<&str> {
    args.report
        .as_deref()
        .filter(|k| REPORT_KINDS.contains(k))
        .or(args.var_values.then_some("fails"))
}

/// `--namespace`: the packages whose tests are reported, by conftest's globs (`*`, `?`
/// and `[...]`, with `*` matching dots too). None given: every package.
struct NamespaceFilter(Vec<String>);

impl NamespaceFilter {
    /// Refuses a malformed pattern before any test runs.
    fn new(patterns: &[String]) -> anyhow::Result<NamespaceFilter> {
        for pattern in patterns {
            namespace_pattern::matches(pattern, "")
                .map_err(|e| anyhow::anyhow!("filter namespaces: {pattern}: {e}"))?;
        }
        Ok(NamespaceFilter(patterns.to_vec()))
    }

    fn selects(&self, package: &str) -> bool {
        self.0.is_empty()
            || self
                .0
                .iter()
                .any(|pattern| namespace_pattern::matches(pattern, package) == Ok(true))
    }
}

/// The exit code the tests and coverage call for, with a line on standard error for a
/// coverage below `--threshold` and for a run that found no test.
fn exit_code(args: &VerifyArgs, report: &VerifyReport) -> i32 {
    let counts = report.counts();
    let mut code = if counts.failed + counts.errors > 0 {
        exit::FAILURES
    } else {
        exit::CLEAN
    };
    if let (Some(threshold), Some(files)) = (args.threshold, &report.coverage) {
        let total = testing::total_percent(files);
        if total < threshold {
            eprintln!("coverage {total:.2}% is below the threshold of {threshold}%");
            code = exit::FAILURES;
        }
    }
    if counts.tests == 0 {
        eprintln!(
            "no tests found{}",
            if args.run.is_some() {
                " matching --run"
            } else {
                ""
            }
        );
    }
    code
}

#[cfg(test)]
mod tests {
    use super::NamespaceFilter;

    #[test]
    fn namespace_globs_match_as_conftests_do() {
        let filter = |p: &[&str]| {
            NamespaceFilter::new(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
        };
        assert!(filter(&[]).selects("anything"));
        assert!(filter(&["*"]).selects("main.gke"));
        assert!(filter(&["main.*"]).selects("main.gke"));
        assert!(!filter(&["main.*"]).selects("main"));
        assert!(filter(&["ma?n", "other"]).selects("main"));
        assert!(filter(&["[a-m]ain"]).selects("main"));
        assert!(!filter(&["main"]).selects("main2"));
    }
}
