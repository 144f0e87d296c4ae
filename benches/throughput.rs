//! Throughput over a directory of Dockerfiles (default: `$DOCKPOLICY_CORPUS/dockerfiles`):
//! files/second for `parse` alone, for `test` with the 10 rules in
//! `benches/policies/typical.rego`, and for `test` with the whole bundled library
//! (DP001-DP012) on the bytecode VM (as `test` runs it) and on the interpreter, on 1 thread
//! and on all cores.
//!
//! Run: `DOCKPOLICY_CORPUS=../shared/corpus cargo bench --bench throughput`
//! (or pass a directory: `cargo bench --bench throughput -- path/to/dockerfiles`).
//! Files are read into memory first, so the figures measure parsing and evaluation, not
//! the disk. Each figure is the median of several runs.

use std::path::PathBuf;
use std::time::Duration;

use dockpolicy::input::{self, Format, dockerfile::Options};
use dockpolicy::policy::{self, eval};
use rayon::prelude::*;

mod common;

const RUNS: usize = 7;

fn main() {
    let (dir, paths) = common::corpus_files();
    let files: Vec<Vec<u8>> = paths
        .iter()
        .map(|p| std::fs::read(p).expect("readable file"))
        .collect();
    let bytes: usize = files.iter().map(Vec::len).sum();
    println!(
        "{} files, {:.1} MiB, from {}",
        files.len(),
        bytes as f64 / 1048576.0,
        dir.display()
    );

    let policies = policy::load(&policy::Options {
        policy_paths: vec![PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/policies"
        ))],
        namespaces: vec!["main".into()],
        ..Default::default()
    })
    .expect("bench policies compile");
    let rules: usize = policies.namespaces.values().map(|n| n.rules.len()).sum();
    let bundled_on = |engine| {
        policy::load(&policy::Options {
            bundled: true,
            engine,
            ..Default::default()
        })
        .expect("bundled policies compile")
    };
    let bundled_interpreter = bundled_on(policy::EngineChoice::Interpreter);
    let bundled = bundled_on(policy::EngineChoice::Auto);

    let options = Options::default();
    let parse_one = |bytes: &Vec<u8>| {
        input::text_of(bytes, Format::Dockerfile)
            .and_then(|t| input::parse(t, Format::Dockerfile, &options))
            .ok()
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "{:<34} {:>8} {:>12} {:>10}",
        "workload", "threads", "files/s", "median"
    );
    for threads in [1, cores] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let parse = common::median(RUNS, || {
            pool.install(|| files.par_iter().filter_map(parse_one).count());
        });
        report("parse", threads, files.len(), parse);
        let evaluate = |set: &policy::PolicySet| {
            pool.install(|| {
                files
                    .par_iter()
                    .map_init(
                        || eval::Evaluator::new(set),
                        |evaluator, bytes| {
                            let Some(parsed) = parse_one(bytes) else {
                                return 0;
                            };
                            parsed
                                .documents
                                .iter()
                                .map(|d| eval::evaluate(evaluator, &set.namespaces, "f", d).0.len())
                                .sum::<usize>()
                        },
                    )
                    .sum::<usize>()
            })
        };
        let test = common::median(RUNS, || {
            evaluate(&policies);
        });
        report(&format!("test ({rules} rules)"), threads, files.len(), test);
        let full = common::median(RUNS, || {
            evaluate(&bundled);
        });
        report("test (bundled, VM)", threads, files.len(), full);
        let full = common::median(RUNS, || {
            evaluate(&bundled_interpreter);
        });
        report("test (bundled, interpreter)", threads, files.len(), full);
    }
}

fn report(name: &str, threads: usize, files: usize, time: Duration) {
    println!(
        "{name:<34} {threads:>8} {:>12.0} {:>8.1}ms",
        files as f64 / time.as_secs_f64(),
        time.as_secs_f64() * 1000.0
    );
}
