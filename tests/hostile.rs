//! Hostile inputs and policies: each gets a documented outcome (exit code and message, the
//! README's "Security model" table) and never a crash, a hang, or harm to other inputs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

mod support;
use support::*;

/// Runs `test -o json` and returns the report, stderr and exit code.
fn run(args: &[&str], paths: &[&Path]) -> (Value, String, i32) {
    let out = dockpolicy()
        .args(["test", "-o", "json"])
        .args(args)
        .args(paths)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// `dir/policy/<file>` holding `source`; returns the `policy` directory.
fn policy_dir(dir: &Path, file: &str, source: &str) -> PathBuf {
    let policies = dir.join("policy");
    std::fs::create_dir_all(&policies).unwrap();
    std::fs::write(policies.join(file), source).unwrap();
    policies
}

/// Runs `test -p <policy path>` on a good Dockerfile, expects the tool-error exit code, and
/// returns stderr (where load errors are reported).
fn refused(policy: &Path, good: &Path) -> String {
    let out = dockpolicy()
        .args(["test", "-p"])
        .arg(policy)
        .arg(good)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(TOOL_ERROR));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn binary_non_utf8_and_empty_files_are_errors_and_the_others_still_run() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_dockerfile(dir.path());
    let binary = dir.path().join("bin.Dockerfile");
    std::fs::write(&binary, b"FROM x\n\0\x01\x02").unwrap();
    let latin1 = dir.path().join("latin1.Dockerfile");
    std::fs::write(&latin1, b"FROM x\nLABEL a=\xe9t\xe9\n").unwrap();
    let empty = dir.path().join("empty.Dockerfile");
    std::fs::write(&empty, b"").unwrap();
    let empty_json = dir.path().join("empty.json");
    std::fs::write(&empty_json, b"").unwrap();
    let (report, _, code) = run(&[], &[&good, &binary, &latin1, &empty, &empty_json]);
    assert_eq!(code, TOOL_ERROR);
    assert!(checked(&report, &good));
    let msg = |p: &Path| error_for(&report, p).unwrap_or_default();
    assert!(msg(&binary).contains("binary file"), "{}", msg(&binary));
    assert!(
        msg(&latin1).contains("not valid UTF-8 text at line 2"),
        "{}",
        msg(&latin1)
    );
    assert!(msg(&empty).contains("no instructions"), "{}", msg(&empty));
    assert!(
        msg(&empty_json).contains("invalid JSON"),
        "{}",
        msg(&empty_json)
    );
}

#[test]
fn a_100_mb_dockerfile_is_refused_without_reading_it_all() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_dockerfile(dir.path());
    let huge = dir.path().join("huge.Dockerfile");
    let mut f = std::fs::File::create(&huge).unwrap();
    let line = b"RUN echo 0123456789012345678901234567890123456789012345678901234567890123\n";
    for _ in 0..(100 * 1024 * 1024 / line.len()) {
        f.write_all(line).unwrap();
    }
    drop(f);
    let start = Instant::now();
    let (report, _, code) = run(&[], &[&huge, &good]);
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(code, TOOL_ERROR);
    let msg = error_for(&report, &huge).unwrap();
    assert!(
        msg.contains("file is 99 MiB, over the 16 MiB limit for this format"),
        "{msg}"
    );
    assert!(checked(&report, &good));
}

#[test]
fn json_and_yaml_nested_100000_deep_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let json_file = dir.path().join("deep.json");
    std::fs::write(&json_file, "[".repeat(100_000) + &"]".repeat(100_000)).unwrap();
    let yaml_file = dir.path().join("deep.yaml");
    std::fs::write(&yaml_file, "[".repeat(100_000) + &"]".repeat(100_000)).unwrap();
    let (report, _, code) = run(&[], &[&json_file, &yaml_file]);
    assert_eq!(code, TOOL_ERROR);
    assert!(
        error_for(&report, &json_file)
            .unwrap()
            .contains("recursion limit")
    );
    assert!(
        error_for(&report, &yaml_file)
            .unwrap()
            .contains("invalid YAML")
    );
}

#[test]
fn yaml_alias_bombs_duplicate_keys_and_tags() {
    let dir = tempfile::tempdir().unwrap();
    // "Billion laughs": nine levels of nine aliases would expand to 387 million strings.
    let mut bomb = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10u8 {
        let (prev, cur) = ((b'a' + level - 1) as char, (b'a' + level) as char);
        bomb.push_str(&format!(
            "{cur}: &{cur} [{}]\n",
            vec![format!("*{prev}"); 9].join(", ")
        ));
    }
    let bomb_file = dir.path().join("bomb.yaml");
    std::fs::write(&bomb_file, bomb).unwrap();
    let dup = dir.path().join("dup.yaml");
    std::fs::write(&dup, "apiVersion: v1\nkind: Pod\nkind: Service\n").unwrap();
    let tagged = dir.path().join("tagged.yaml");
    std::fs::write(
        &tagged,
        "apiVersion: v1\nkind: Pod\nmetadata: !custom {name: x}\nspec: {containers: [{name: a, image: !Ref 'nginx:latest'}]}\n",
    )
    .unwrap();
    let start = Instant::now();
    let (report, _, code) = run(&[], &[&bomb_file, &dup, &tagged]);
    assert!(start.elapsed() < Duration::from_secs(20), "no expansion");
    assert_eq!(code, TOOL_ERROR);
    assert!(
        error_for(&report, &bomb_file)
            .unwrap()
            .contains("repetition limit exceeded")
    );
    assert!(
        error_for(&report, &dup)
            .unwrap()
            .contains("duplicate entry with key \"kind\"")
    );
    // Tags are ignored: the tagged values are read as plain YAML and checked.
    let text = report.to_string();
    assert!(
        text.contains("container \\\"a\\\" image \\\"nginx:latest\\\" uses the latest tag"),
        "{text}"
    );
}

// ---- archives -------------------------------------------------------------------------

/// A docker save archive around one layer.
fn docker_save(layer: &[u8]) -> Vec<u8> {
    let config = json!({"config": {"User": "1000"}, "rootfs": {"type": "layers"}, "history": []});
    let manifest = json!([{"Config": "config.json", "RepoTags": ["x:1"], "Layers": ["layer.tar"]}]);
    let mut out = Vec::new();
    raw_entry(
        &mut out,
        "manifest.json",
        tar::EntryType::Regular,
        manifest.to_string().as_bytes(),
        "",
    );
    raw_entry(
        &mut out,
        "config.json",
        tar::EntryType::Regular,
        config.to_string().as_bytes(),
        "",
    );
    raw_entry(&mut out, "layer.tar", tar::EntryType::Regular, layer, "");
    finish_tar(out)
}

#[test]
fn archive_paths_and_links_are_recorded_never_followed_or_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut layer = Vec::new();
    raw_entry(
        &mut layer,
        "../../escape.txt",
        tar::EntryType::Regular,
        b"x",
        "",
    );
    raw_entry(
        &mut layer,
        "/abs/path.txt",
        tar::EntryType::Regular,
        b"y",
        "",
    );
    raw_entry(
        &mut layer,
        "etc/shadow-link",
        tar::EntryType::Symlink,
        b"",
        "/etc/shadow",
    );
    raw_entry(
        &mut layer,
        "etc/hard",
        tar::EntryType::Link,
        b"",
        "../../../../etc/passwd",
    );
    let archive = dir.path().join("evil.tar");
    std::fs::write(&archive, docker_save(&finish_tar(layer))).unwrap();
    let out = dockpolicy()
        .current_dir(dir.path())
        .args(["parse"])
        .arg(&archive)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    // (`parse` prints one file's document as it is, several files keyed by name.)
    let files = doc["ImageArchive"]["files"].as_array().unwrap().clone();
    let paths: Vec<(&str, &str)> = files
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["type"].as_str().unwrap()))
        .collect();
    assert!(paths.contains(&("/abs/path.txt", "file")), "{paths:?}");
    assert!(
        paths.contains(&("/etc/shadow-link", "symlink")),
        "{paths:?}"
    );
    assert!(paths.contains(&("/etc/hard", "hardlink")), "{paths:?}");
    assert!(paths.iter().all(|(p, _)| p.starts_with('/')), "{paths:?}");
    // Nothing was extracted anywhere.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    assert!(!dir.path().parent().unwrap().join("escape.txt").exists());
}

#[test]
fn truncated_oversized_and_incomplete_archives_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_dockerfile(dir.path());
    // A layer whose entry claims 2 GiB (octal 17777777777) but holds 10 bytes.
    let mut liar = Vec::new();
    raw_entry(
        &mut liar,
        "big.bin",
        tar::EntryType::Regular,
        b"0123456789",
        "",
    );
    let size_field = 124..136;
    liar[size_field].copy_from_slice(b"17777777777\0");
    let mut header = tar::Header::new_ustar();
    header.as_mut_bytes().copy_from_slice(&liar[..512]);
    header.set_cksum();
    liar[..512].copy_from_slice(header.as_bytes());
    let oversized = dir.path().join("oversized.tar");
    std::fs::write(&oversized, docker_save(&liar)).unwrap();
    let full = docker_save(&finish_tar(Vec::new()));
    let truncated = dir.path().join("truncated.tar");
    std::fs::write(&truncated, &full[..full.len() / 2 + 100]).unwrap();
    let mut missing = Vec::new();
    let manifest = json!([{"Config": "config.json", "Layers": ["nowhere.tar"]}]);
    raw_entry(
        &mut missing,
        "manifest.json",
        tar::EntryType::Regular,
        manifest.to_string().as_bytes(),
        "",
    );
    raw_entry(
        &mut missing,
        "config.json",
        tar::EntryType::Regular,
        b"{}",
        "",
    );
    let missing_blob = dir.path().join("missing.tar");
    std::fs::write(&missing_blob, finish_tar(missing)).unwrap();
    let (report, _, code) = run(&[], &[&oversized, &truncated, &missing_blob, &good]);
    assert_eq!(code, TOOL_ERROR);
    assert!(checked(&report, &good));
    for (path, want) in [
        (&oversized, "invalid image archive"),
        (&truncated, "invalid image archive"),
        (
            &missing_blob,
            "the manifest names nowhere.tar, which the archive does not contain",
        ),
    ] {
        let msg = error_for(&report, path).unwrap_or_default();
        assert!(msg.contains(want), "{}: {msg}", path.display());
    }
}

#[test]
fn a_gzip_bomb_layer_is_refused_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    // 1.5 GiB of zeros in one file, gzip-compressed to about 1.5 MiB.
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    let mut header = tar::Header::new_ustar();
    header.as_old_mut().name[..8].copy_from_slice(b"zero.bin");
    let size: u64 = 1536 * 1024 * 1024;
    header.set_size(size);
    header.set_mode(0o644);
    header.set_cksum();
    enc.write_all(header.as_bytes()).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..(size >> 20) {
        enc.write_all(&zeros).unwrap();
    }
    enc.write_all(&[0u8; 1024]).unwrap();
    let layer = enc.finish().unwrap();
    let bomb = dir.path().join("bomb.tar");
    std::fs::write(&bomb, docker_save(&layer)).unwrap();
    let out = dockpolicy()
        .args(["test", "-o", "json"])
        .arg(&bomb)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(TOOL_ERROR));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let msg = error_for(&report, &bomb).unwrap();
    assert!(msg.contains("decompression bomb"), "{msg}");
}

#[test]
fn oci_layouts_cannot_point_outside_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.json");
    std::fs::write(&secret, r#"{"config": {"User": "root"}}"#).unwrap();
    let layout = dir.path().join("layout");
    std::fs::create_dir_all(layout.join("blobs/sha256")).unwrap();
    std::fs::write(
        layout.join("oci-layout"),
        r#"{"imageLayoutVersion": "1.0.0"}"#,
    )
    .unwrap();
    // The index names a digest that climbs out of the layout.
    std::fs::write(
        layout.join("index.json"),
        json!({"manifests": [{"digest": "sha256:../../../secret.json"}]}).to_string(),
    )
    .unwrap();
    let (report, _, code) = run(&[], &[&layout]);
    assert_eq!(code, TOOL_ERROR);
    let msg = error_for(&report, &layout).unwrap();
    assert!(msg.contains("invalid digest"), "{msg}");
    // A blob that is a symlink is not followed either.
    std::os::unix::fs::symlink(&secret, layout.join("blobs/sha256/abc")).unwrap();
    std::fs::write(
        layout.join("index.json"),
        json!({"manifests": [{"digest": "sha256:abc"}]}).to_string(),
    )
    .unwrap();
    let (report, _, _) = run(&[], &[&layout]);
    let msg = error_for(&report, &layout).unwrap();
    assert!(msg.contains("does not contain"), "{msg}");
    // An index that names itself is a cycle, not an endless loop.
    let index = json!({"manifests": [{"digest": "sha256:idx"}]});
    std::fs::write(layout.join("blobs/sha256/idx"), index.to_string()).unwrap();
    std::fs::write(layout.join("index.json"), index.to_string()).unwrap();
    let (report, _, _) = run(&[], &[&layout]);
    let msg = error_for(&report, &layout).unwrap();
    assert!(msg.contains("nested image indexes"), "{msg}");
}

// ---- policies ---------------------------------------------------------------------------

#[test]
fn policy_directories_with_symlink_loops_and_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let policies = policy_dir(
        dir.path(),
        "main.rego",
        "package main\n\ndeny contains \"always\" if true\n",
    );
    std::os::unix::fs::symlink(&policies, policies.join("loop")).unwrap();
    let good = good_dockerfile(dir.path());
    let start = Instant::now();
    let (report, _, code) = run(&["-p", policies.to_str().unwrap()], &[&good]);
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(code, 1, "{report}");
    // Non-UTF-8 Rego: an error naming the file.
    std::fs::write(policies.join("latin1.rego"), b"package x\n# \xe9\n").unwrap();
    let stderr = refused(&policies, &good);
    assert!(
        stderr.contains("latin1.rego") && stderr.contains("not valid UTF-8"),
        "{stderr}"
    );
}

#[test]
fn deeply_nested_policies_are_refused_quickly_with_file_and_line() {
    // Found by fuzzing: regorus's parser is exponential in bracket depth.
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("deep.rego");
    std::fs::write(
        &policy,
        format!("package main\n\nx := y{}1\n", "[".repeat(48)),
    )
    .unwrap();
    let good = good_dockerfile(dir.path());
    let start = Instant::now();
    let stderr = refused(&policy, &good);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(
        stderr.contains("deep.rego") && stderr.contains("line 3: brackets nest more than 16 deep"),
        "{stderr}"
    );
}

#[test]
fn network_builtins_are_an_explicit_error() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("net.rego");
    std::fs::write(
        &policy,
        "package main\n\ndeny contains \"up\" if {\n\tr := http.send({\"method\": \"get\", \"url\": \"http://169.254.169.254/\"})\n\tr.status_code == 200\n}\n",
    )
    .unwrap();
    let good = good_dockerfile(dir.path());
    let stderr = refused(&policy, &good);
    assert!(
        stderr.contains("net.rego") && stderr.contains("line 4: http.send is not available"),
        "{stderr}"
    );
}

#[test]
fn a_policy_error_parse_error_and_timeout_leave_the_other_results_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    // Fails on one input only, loops on another, and reports on every input.
    let policies = policy_dir(
        dir.path(),
        "main.rego",
        "package main\n\nimport rego.v1\n\n\
         deny contains msg if {\n\tsome i in input\n\ti.Cmd == \"from\"\n\tmsg := sprintf(\"base %s\", [i.Value[0]])\n}\n\n\
         deny contains \"boom\" if {\n\tsome i in input\n\ti.Value[0] == \"boom:1\"\n\tto_number(\"x\")\n}\n\n\
         deny contains \"slow\" if {\n\tsome i in input\n\ti.Value[0] == \"slow:1\"\n\tcount([x | some x in numbers.range(1, 100000000)]) < 0\n}\n",
    );
    let mut inputs = Vec::new();
    for name in ["a", "b", "c"] {
        let p = dir.path().join(format!("{name}.Dockerfile"));
        std::fs::write(&p, format!("FROM {name}:1\n")).unwrap();
        inputs.push(p);
    }
    let policy_arg = policies.to_str().unwrap().to_owned();
    // `to_number("x")` is an error only when asked for (OPA leaves it undefined).
    let args = [
        "-p",
        policy_arg.as_str(),
        "--timeout",
        "1s",
        "--bundled",
        "--show-builtin-errors",
    ];
    let refs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let (alone, _, alone_code) = run(&args, &refs);
    assert_eq!(alone_code, 1);
    let broken = dir.path().join("broken.Dockerfile");
    std::fs::write(&broken, "FROM\n").unwrap();
    let boom = dir.path().join("boom.Dockerfile");
    std::fs::write(&boom, "FROM boom:1\n").unwrap();
    let slow = dir.path().join("slow.Dockerfile");
    std::fs::write(&slow, "FROM slow:1\n").unwrap();
    let mut all = refs.clone();
    all.extend([broken.as_path(), boom.as_path(), slow.as_path()]);
    let (together, _, code) = run(&args, &all);
    assert_eq!(code, TOOL_ERROR);
    assert!(error_for(&together, &broken).is_some());
    assert!(
        error_for(&together, &boom)
            .unwrap()
            .contains("could not parse string as number")
    );
    assert!(error_for(&together, &slow).unwrap().contains("time limit"));
    let only = |report: &Value, path: &Path| -> Vec<Value> {
        report
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["filename"] == path.display().to_string().as_str())
            .cloned()
            .collect()
    };
    for p in &refs {
        assert_eq!(only(&alone, p), only(&together, p), "{}", p.display());
    }
}

#[test]
fn unreadable_policy_and_input_files_are_errors_naming_them() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let policies = policy_dir(dir.path(), "locked.rego", "package main\n");
    let locked = policies.join("locked.rego");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&locked).is_ok() {
        eprintln!("SKIPPED: running as root, permissions do not stop reads; nothing checked");
        return;
    }
    let good = good_dockerfile(dir.path());
    assert!(refused(&policies, &good).contains("locked.rego"));
    let hidden = dir.path().join("hidden.Dockerfile");
    std::fs::write(&hidden, "FROM x:1\n").unwrap();
    std::fs::set_permissions(&hidden, std::fs::Permissions::from_mode(0o000)).unwrap();
    let (report, _, code) = run(&[], &[&hidden, &good]);
    assert_eq!(code, TOOL_ERROR);
    assert!(
        error_for(&report, &hidden)
            .unwrap()
            .contains("cannot read file")
    );
    assert!(checked(&report, &good));
}

#[test]
fn the_bundled_rules_alone_get_the_memory_limit_as_each_evaluations_budget() {
    // Only the bundled practices, all on the VM (from one input up, with the program
    // compiled into the binary): --memory-limit becomes each evaluation's budget. One
    // smaller than any evaluation needs stops every file's evaluation, worded as the
    // process-wide limit is, and the run still completes.
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = (0..4)
        .map(|i| {
            let p = dir.path().join(format!("{i}.Dockerfile"));
            std::fs::write(
                &p,
                "FROM alpine:3.20\nRUN apk add --no-cache curl\nUSER 1000\n",
            )
            .unwrap();
            p
        })
        .collect();
    for count in [1, 4] {
        let paths: Vec<&Path> = files[..count].iter().map(PathBuf::as_path).collect();
        let (report, _, code) = run(&["--memory-limit", "100"], &paths);
        assert_eq!(code, TOOL_ERROR, "{report}");
        for file in &files[..count] {
            let msg = error_for(&report, file).expect("an error for every file");
            assert!(msg.contains("execution exceeded memory limit"), "{msg}");
        }
        let (report, _, code) = run(&[], &paths);
        assert_ne!(code, TOOL_ERROR, "{report}");
        assert!(
            files[..count].iter().all(|file| checked(&report, file)),
            "{report}"
        );
    }
}

#[test]
fn a_policy_asking_for_impossible_memory_is_an_error_not_an_abort() {
    // numbers.range over two billion numbers asks for 48 GB in one allocation. With the
    // system allocator Rust aborts the process; regorus's allocator grants the address
    // space lazily and the memory limit stops the evaluation at its next check.
    let dir = tempfile::tempdir().unwrap();
    let policies = policy_dir(
        dir.path(),
        "huge.rego",
        "package main\n\ndeny contains \"huge\" if {\n\tinput[0].Value[0] == \"huge:1\"\n\tcount(numbers.range(1, 2000000000)) > 0\n}\n\ndeny contains \"seen\" if true\n",
    );
    let huge = dir.path().join("huge.Dockerfile");
    std::fs::write(&huge, "FROM huge:1\n").unwrap();
    let good = good_dockerfile(dir.path());
    let policy = policies.to_str().unwrap().to_owned();
    for limit in ["4GiB", "256MiB"] {
        let start = Instant::now();
        let (report, _, code) = run(&["-p", &policy, "--memory-limit", limit], &[&huge, &good]);
        assert!(start.elapsed() < Duration::from_secs(30));
        assert_eq!(code, TOOL_ERROR, "{report}");
        let msg = error_for(&report, &huge).unwrap();
        assert!(msg.contains("execution exceeded memory limit"), "{msg}");
        assert!(
            report.to_string().contains("seen"),
            "the other input still ran"
        );
    }
}
