//! Hostile ARG expansion in Dockerfiles (issue 19, items 6-8): each reproduction finishes in
//! seconds, within a memory limit, with a documented outcome, and the other files of the
//! run are still checked. The caps are in `src/input/dockerfile/expand.rs`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

const TOOL_ERROR: i32 = 3;

/// Address space the run may use: a normal run needs well under 256 MiB; before the caps,
/// the doubling ARGs took 1.7 GB and the 50,000-deep defaults 10 GB.
const MEMORY_LIMIT_KB: u64 = 1 << 20;

/// Runs `test -o json` on `paths` under `ulimit -v`; returns the report and exit code, and
/// fails if the run took more than 20 seconds (each took milliseconds once fixed).
fn run(paths: &[&Path]) -> (Value, i32) {
    let start = Instant::now();
    let out = assert_cmd::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KB} && exec \"$0\" test -o json \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_dockpolicy"))
        .args(paths)
        .env("NO_COLOR", "1")
        // glibc reserves 64 MiB of address space per malloc arena: keep that from depending
        // on the number of cores of the machine running the test.
        .env("MALLOC_ARENA_MAX", "2")
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "no JSON report (exit {:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, out.status.code().unwrap_or(-1))
}

/// The error reported for `path` as (message, line), if any.
fn error_for(report: &Value, path: &Path) -> Option<(String, u64)> {
    let name = path.display().to_string();
    report.as_array()?.iter().find_map(|e| {
        if e["filename"] != name.as_str() {
            return None;
        }
        let error = e.get("error")?;
        Some((
            error["message"].as_str()?.to_owned(),
            error["line"].as_u64()?,
        ))
    })
}

/// Whether `path` was evaluated (has results, not an error).
fn checked(report: &Value, path: &Path) -> bool {
    let name = path.display().to_string();
    report.as_array().is_some_and(|a| {
        a.iter()
            .any(|e| e["filename"] == name.as_str() && e.get("error").is_none())
    })
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn good_dockerfile(dir: &Path) -> PathBuf {
    write(dir, "good.Dockerfile", "FROM alpine:3.20\nUSER 1000\n")
}

/// `ARG A0=x` then `ARG Ak=${Ak-1}${Ak-1}` up to `last`: `Ak` is 2^k bytes long.
fn doubling(last: usize) -> String {
    let mut text = String::from("ARG A0=x\n");
    for k in 1..=last {
        text.push_str(&format!("ARG A{k}=${{A{}}}${{A{}}}\n", k - 1, k - 1));
    }
    text
}

#[test]
fn nested_defaults_10000_and_50000_deep_are_errors_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_dockerfile(dir.path());
    let nested = |n: usize| {
        format!(
            "# a comment\nARG A={}{}\nFROM alpine:3.20\n",
            "${a:-".repeat(n),
            "}".repeat(n)
        )
    };
    let deep = write(dir.path(), "deep.Dockerfile", &nested(10_000));
    let deeper = write(dir.path(), "deeper.Dockerfile", &nested(50_000));
    // Up to the cap it is an ordinary file.
    let at_cap = write(dir.path(), "at-cap.Dockerfile", &nested(64));
    let (report, code) = run(&[&deep, &good, &deeper, &at_cap]);
    assert_eq!(code, TOOL_ERROR);
    for path in [&deep, &deeper] {
        let (message, line) = error_for(&report, path).unwrap();
        assert_eq!(line, 2);
        assert!(
            message.contains("variable references are nested more than 64 deep"),
            "{message}"
        );
    }
    assert!(checked(&report, &good));
    assert!(checked(&report, &at_cap));
}

#[test]
fn doubling_args_stop_at_the_one_mib_value_cap() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_dockerfile(dir.path());
    // 26 doublings would be 64 MiB for A26 and took 1.7 GB; A21 is the first value more
    // than 1 MiB longer than written, on line 22.
    let args = write(
        dir.path(),
        "args.Dockerfile",
        &(doubling(26) + "FROM alpine:3.20\n"),
    );
    // The same through FROM: A20 is exactly 1 MiB, FROM asks for two of it.
    let from = write(
        dir.path(),
        "from.Dockerfile",
        &(doubling(20) + "FROM ${A20}${A20}\n"),
    );
    let (report, code) = run(&[&args, &from, &good]);
    assert_eq!(code, TOOL_ERROR);
    let value_cap = "makes this value more than 1 MiB longer than written";
    let (message, line) = error_for(&report, &args).unwrap();
    assert_eq!(line, 22, "{message}");
    assert!(message.contains(value_cap), "{message}");
    let (message, line) = error_for(&report, &from).unwrap();
    assert_eq!(line, 22, "{message}");
    assert!(message.contains(value_cap), "{message}");
    assert!(checked(&report, &good));
}

#[test]
fn many_one_mib_values_stop_at_the_16_mib_file_cap() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_dockerfile(dir.path());
    // A0..A20 (lines 1-21) add about 2 MiB; each `ARG Bn=$A20` adds 1 MiB less 4 bytes,
    // so the 15th (line 36) is the first the remaining 14 MiB cannot hold.
    let mut text = doubling(20);
    for n in 1..=40 {
        text.push_str(&format!("ARG B{n}=$A20\n"));
    }
    text.push_str("FROM alpine:3.20\n");
    let many = write(dir.path(), "many.Dockerfile", &text);
    let (report, code) = run(&[&many, &good]);
    assert_eq!(code, TOOL_ERROR);
    let (message, line) = error_for(&report, &many).unwrap();
    assert_eq!(line, 36, "{message}");
    assert!(
        message.contains("makes this file's values more than 16 MiB longer than written"),
        "{message}"
    );
    assert!(checked(&report, &good));
}

#[test]
fn unclosed_braces_are_read_in_linear_time_and_kept_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_dockerfile(dir.path());
    // 480 KB of `${` took 23 s (each `$` looked for its `}` to the end of the word); an
    // unclosed `${` is literal text, so this is an ordinary file, as it is to Docker.
    let unclosed = write(
        dir.path(),
        "unclosed.Dockerfile",
        &format!(
            "ARG A={}\nARG B=${{A}}x\nFROM alpine:3.20\nUSER 1000\n",
            "${".repeat(240_000)
        ),
    );
    // The same in FROM itself, where the value reaches the policies as `Image`.
    let from = write(
        dir.path(),
        "from.Dockerfile",
        &format!("FROM alpine{}\nUSER 1000\n", "${".repeat(240_000)),
    );
    let (report, _) = run(&[&unclosed, &from, &good]);
    assert!(
        checked(&report, &unclosed),
        "{:?}",
        error_for(&report, &unclosed)
    );
    assert!(checked(&report, &from), "{:?}", error_for(&report, &from));
    assert!(checked(&report, &good));
}

#[test]
fn ten_thousand_stages_parse_in_linear_time_and_more_instructions_are_refused() {
    // Each FROM looked its image up among all earlier stage names: 60,000 one-line stages
    // (1.3 MB) took 46 s to parse. Found by the dockerfile fuzz target. 10,000
    // instructions is now the most a Dockerfile may have.
    let dir = tempfile::tempdir().unwrap();
    let stages = |n: usize| {
        let mut text = String::from("FROM alpine:3.20 AS s0\n");
        for i in 1..n {
            text.push_str(&format!("FROM s{} AS s{i}\n", i - 1));
        }
        text
    };
    let parse = |path: &Path| {
        let start = Instant::now();
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_dockpolicy"))
            .arg("parse")
            .arg(path)
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap();
        let elapsed = start.elapsed();
        assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
        out
    };
    let most = write(dir.path(), "most.Dockerfile", &stages(10_000));
    let out = parse(&most);
    assert!(out.status.success());
    // `parse` prints a Dockerfile as conftest does: its instruction array inside an array.
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let last = doc[0]
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["BaseStage"], 9_998, "{last}");
    let over = write(dir.path(), "over.Dockerfile", &stages(60_000));
    let out = parse(&over);
    assert_eq!(out.status.code(), Some(TOOL_ERROR));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(":10001: invalid Dockerfile: more than 10000 instructions"),
        "{stderr}"
    );
}
