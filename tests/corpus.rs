//! Real-world Dockerfiles: every file of the corpus parses, or is refused with the error
//! Docker itself gives. The corpus lives outside the repository; point
//! `DOCKPOLICY_CORPUS` at it (`.ci/run` sets it to `../shared/corpus`). Without it these
//! tests say so on stderr and check nothing.

use std::path::PathBuf;

use dockpolicy::input::{self, Format, dockerfile::Options};

fn corpus() -> Option<PathBuf> {
    match std::env::var_os("DOCKPOLICY_CORPUS").map(PathBuf::from) {
        Some(dir) if dir.is_dir() => Some(dir),
        Some(dir) => {
            eprintln!(
                "SKIPPED: DOCKPOLICY_CORPUS={} is not a directory; the corpus tests checked nothing",
                dir.display()
            );
            None
        }
        None => {
            eprintln!("SKIPPED: DOCKPOLICY_CORPUS is not set; the corpus tests checked nothing");
            None
        }
    }
}

#[test]
fn every_corpus_dockerfile_parses_or_fails_as_docker_would() {
    let Some(root) = corpus() else { return };
    let dir = root.join("dockerfiles");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus dockerfiles/ is readable")
        .map(|e| e.expect("dir entry").path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 1700,
        "expected the full corpus, found {} files",
        files.len()
    );
    let mut refused = Vec::new();
    let mut parsed = 0;
    for file in &files {
        let bytes = std::fs::read(file).expect("readable");
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let result = input::text_of(&bytes, Format::Dockerfile)
            .and_then(|t| input::parse(t, Format::Dockerfile, &Options::default()));
        match result {
            Ok(p) => {
                assert_eq!(p.documents.len(), 1);
                // Policies see the typed instructions converted directly; that must be
                // the value regorus makes of the JSON document `parse` prints.
                assert_eq!(
                    dockpolicy::policy::document::to_regorus(&p.documents[0]),
                    regorus::Value::from(p.documents[0].to_json()),
                    "{name}"
                );
                parsed += 1;
            }
            Err(e) => refused.push(format!("{name}:{}: {e}", e.line().unwrap_or(0))),
        }
    }
    // Each refusal below was checked by hand: deliberately broken test fixtures of other
    // tools, a real file with a missing line continuation, and parser test files without
    // a FROM. Every message is the one Docker gives.
    insta::assert_snapshot!("corpus_refusals", refused.join("\n"));
    assert_eq!(parsed + refused.len(), files.len());
}

#[test]
fn bundled_practices_run_over_the_corpus_without_errors() {
    use std::collections::BTreeMap;

    use dockpolicy::policy::{self, eval};

    let Some(root) = corpus() else { return };
    // As `test` runs them: on the bytecode VM (tests/engines.rs holds it to the interpreter).
    let set = policy::load(&policy::Options {
        bundled: true,
        engine: policy::EngineChoice::Auto,
        ..Default::default()
    })
    .expect("bundled policies compile");
    assert!(
        set.compiled.is_some(),
        "the bundled library compiles to the VM"
    );
    let mut evaluator = eval::Evaluator::new(&set);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut files_with: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join("dockerfiles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        let Ok(parsed) = input::text_of(&bytes, Format::Dockerfile)
            .and_then(|t| input::parse(t, Format::Dockerfile, &Options::default()))
        else {
            continue;
        };
        let (results, errs) =
            eval::evaluate(&mut evaluator, &set.namespaces, "f", &parsed.documents[0]);
        errors.extend(errs.into_iter().map(|e| format!("{}: {e}", path.display())));
        let mut seen = std::collections::BTreeSet::new();
        for r in results {
            for f in r.failures.iter().chain(&r.warnings) {
                let id = f.metadata["id"].as_str().unwrap().to_owned();
                *counts.entry(id.clone()).or_default() += 1;
                seen.insert(id);
            }
        }
        for id in seen {
            *files_with.entry(id).or_default() += 1;
        }
    }
    assert!(errors.is_empty(), "{errors:#?}");
    // Findings per rule on the corpus, and the number of files each fires in. A change
    // here is a change in what users see: review it like code.
    let table: Vec<String> = counts
        .iter()
        .map(|(id, n)| format!("{id}: {n} findings in {} files", files_with[id]))
        .collect();
    insta::assert_snapshot!("corpus_findings_per_rule", table.join("\n"));
}
