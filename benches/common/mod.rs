//! What the corpus benchmarks share: which Dockerfiles to read, and the median of runs.

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The Dockerfiles a benchmark reads, sorted: the first non-flag argument, else
/// `$DOCKPOLICY_CORPUS/dockerfiles`; exits with a hint when there is neither.
pub fn corpus_files() -> (PathBuf, Vec<PathBuf>) {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("DOCKPOLICY_CORPUS").map(|c| PathBuf::from(c).join("dockerfiles"))
        });
    let Some(dir) = dir else {
        eprintln!("set DOCKPOLICY_CORPUS or pass a directory of Dockerfiles");
        std::process::exit(2);
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable dir")
        .map(|e| e.expect("readable entry").path())
        .collect();
    paths.sort();
    (dir, paths)
}

/// The median wall time of `runs` runs of `run`.
pub fn median(runs: usize, mut run: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}
