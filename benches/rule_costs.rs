//! What each bundled practice costs: microseconds per Dockerfile for each rule evaluated
//! alone (every other rule disabled, as `disabled_rules` in the config does), and for the
//! whole set, on one thread, on the bytecode VM as `test` runs it. Parsing is excluded
//! (documents are parsed once, before timing). The rules share helpers (final stage,
//! parsed images), so the "alone" figures add up to more than the whole set costs.
//!
//! This is where to start before touching a policy for speed: it showed, for instance,
//! that each regorus regex call costs about 10 us (a fresh lazy DFA per call) and that a
//! helper rule reached through a package import evaluated the whole package.
//!
//! Run: `DOCKPOLICY_CORPUS=../shared/corpus cargo bench --bench rule_costs`
//! (or pass a directory: `cargo bench --bench rule_costs -- path/to/dockerfiles`).

use dockpolicy::config::Config;
use dockpolicy::input::{self, Format, dockerfile::Options};
use dockpolicy::policy::{self, eval};

mod common;

const RUNS: usize = 5;

fn main() {
    let (dir, paths) = common::corpus_files();
    let options = Options::default();
    let documents: Vec<input::Document> = paths
        .iter()
        .filter_map(|p| {
            let bytes = std::fs::read(p).ok()?;
            let text = input::text_of(&bytes, Format::Dockerfile).ok()?;
            input::parse(text, Format::Dockerfile, &options)
                .ok()
                .and_then(|parsed| parsed.documents.into_iter().next())
        })
        .collect();
    println!(
        "{} Dockerfiles parsed from {}; median of {RUNS} runs, one thread",
        documents.len(),
        dir.display()
    );

    let load = |disabled: Vec<String>| {
        policy::load(&policy::Options {
            bundled: true,
            engine: policy::EngineChoice::Auto,
            config: Some(Config {
                disabled_rules: disabled,
                ..Config::default()
            }),
            ..Default::default()
        })
        .expect("bundled policies compile")
    };
    let all = load(Vec::new());
    let mut ids: Vec<(String, String)> = all
        .namespaces
        .iter()
        .filter_map(|(name, ns)| ns.id().map(|id| (id.to_owned(), name.clone())))
        .collect();
    ids.sort();

    let cost = |set: &policy::PolicySet| {
        let mut evaluator = eval::Evaluator::new(set);
        let time = common::median(RUNS, || {
            for document in &documents {
                let (results, errors) =
                    eval::evaluate(&mut evaluator, &set.namespaces, "f", document);
                assert!(errors.is_empty(), "policy error: {errors:?}");
                std::hint::black_box(results);
            }
        });
        time.as_secs_f64() * 1e6 / documents.len() as f64
    };
    println!("{:<8} {:<36} {:>10}", "rule", "namespace", "us/file");
    for (id, name) in &ids {
        let others = ids
            .iter()
            .filter(|(other, _)| other != id)
            .map(|(other, _)| other.clone())
            .collect();
        println!("{id:<8} {name:<36} {:>10.1}", cost(&load(others)));
    }
    println!(
        "{:<8} {:<36} {:>10.1}",
        "all",
        "(the whole set)",
        cost(&all)
    );
}
