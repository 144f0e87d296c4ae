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
