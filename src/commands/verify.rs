//! `dockpolicy verify`: runs a policy bundle's Rego unit tests, optionally with coverage.

use crate::cli::{VerifyArgs, VerifyOutput};
use crate::policy::{self, testing};
use crate::report::exit;
use crate::report::verify::{VerifyReport, render_json, render_text};

pub fn run(args: &VerifyArgs) -> anyhow::Result<i32> {
    let filter = match &args.run {
        Some(pattern) => Some(
            regex::Regex::new(pattern)
                .map_err(|e| anyhow::anyhow!("invalid --run pattern: {e}"))?,
        ),
        None => None,
    };
    let timeout = args.limits.timeout();
    let policy_paths = super::policy_paths_or_default(&args.policy);
    let set = policy::load(&policy::Options {
        bundled: args.bundled || policy_paths.is_empty(),
        policy_paths,
        data_paths: args.data.clone(),
        rego_version: args.rego_version,
        include_tests: true,
        timeout,
        ..Default::default()
    })?;
    // The interpreter runs every test (no VM): regorus's process-wide ceiling, and each
    // builtin call's share of it, as for `test`.
    policy::set_memory_limit(args.limits.memory_limit());
    let mut engine = set.engine;
    let want_coverage = args.coverage || args.threshold.is_some();
    engine.set_enable_coverage(want_coverage);
    let tests = testing::run(&mut engine, filter.as_ref(), timeout);
    let coverage = if want_coverage {
        Some(testing::coverage(&mut engine).map_err(|e| anyhow::anyhow!("coverage: {e}"))?)
    } else {
        None
    };
    let report = VerifyReport { tests, coverage };
    let rendered = match args.output {
        VerifyOutput::Stdout => render_text(&report),
        VerifyOutput::Json => render_json(&report),
        VerifyOutput::Junit => crate::report::junit::render_verify(&report),
    };
    print!("{rendered}");
    Ok(exit_code(args, &report))
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
