//! The scanned repository is untrusted (issue 19, part "paths"): every path dockpolicy
//! reads stays inside the checkout, nothing is written through a symlink, and the walk
//! checks what conftest checks. Each hostile layout gets a documented outcome: a tool
//! error (exit 3) naming the path, the other files still checked, and never a byte of a
//! file outside the tree in any output or on standard error.

use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use proptest::prelude::*;
use serde_json::{Value, json};

const TOOL_ERROR: i32 = 3;

/// In every file outside the tree; lowercased output is searched for `MARK`, so a message
/// that upper-cases what it quotes (`unknown instruction: S3NTINEL_KEY:`) is caught too.
const SENTINEL: &str = "s3ntinel_key: \"S3NTINEL-9c41e7 ghp_s3ntinel\"\n";
const MARK: &str = "s3ntinel";

fn dockpolicy(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("dockpolicy").unwrap();
    cmd.env("NO_COLOR", "1").current_dir(cwd);
    cmd
}

/// Runs dockpolicy in `cwd`: stdout, stderr, exit code.
fn run_in(cwd: &Path, args: &[&str]) -> (String, String, i32) {
    let out = dockpolicy(cwd)
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// `test -o json` in `cwd`: the report (by file name: the error message, or "checked"),
/// stderr and the exit code.
fn report_in(cwd: &Path, args: &[&str]) -> (BTreeMap<String, String>, String, i32) {
    let mut all = vec!["test", "-o", "json"];
    all.extend_from_slice(args);
    let (stdout, stderr, code) = run_in(cwd, &all);
    let report: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    let mut files = BTreeMap::new();
    for entry in report.as_array().into_iter().flatten() {
        let name = entry["filename"].as_str().unwrap_or("").to_owned();
        let what = entry["error"]["message"]
            .as_str()
            .map_or_else(|| "checked".to_owned(), str::to_owned);
        files.insert(name, what);
    }
    (files, stderr, code)
}

/// A checkout `repo/` holding a good Dockerfile, beside `outside/` holding the secret.
struct Layout {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    outside: PathBuf,
    secret: PathBuf,
}

fn layout() -> Layout {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    let secret = outside.join("secret");
    std::fs::write(&secret, SENTINEL).unwrap();
    std::fs::write(repo.join("Dockerfile"), "FROM alpine:3.20\nUSER 1000\n").unwrap();
    Layout {
        _dir: dir,
        repo,
        outside,
        secret,
    }
}

fn assert_no_leak(what: &str, text: &str) {
    assert!(
        !text.to_lowercase().contains(MARK),
        "{what} quotes a file outside the tree:\n{text}"
    );
}

// ---- item 1: policy, data and config symlinks ------------------------------------------

#[test]
fn a_policy_symlink_to_the_environment_is_refused_without_printing_it() {
    let l = layout();
    std::fs::create_dir(l.repo.join("policy")).unwrap();
    symlink("/proc/self/environ", l.repo.join("policy/x.rego")).unwrap();
    for args in [&["test", "."][..], &["verify"], &["doc", "-p", "policy"]] {
        let out = dockpolicy(&l.repo)
            .args(args)
            .env("GITHUB_TOKEN", "ghp_s3ntinelTOKEN")
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(TOOL_ERROR), "{args:?}: {stderr}");
        assert!(
            stderr.contains("policy/x.rego") && stderr.contains("resolves outside"),
            "{args:?}: {stderr}"
        );
        assert_no_leak("stderr", &stderr);
        assert_no_leak("stdout", &stdout);
    }
}

#[test]
fn a_dangling_or_outside_default_policy_link_is_an_error_not_the_bundled_library() {
    let l = layout();
    symlink("nowhere", l.repo.join("policy")).unwrap();
    let (_, stderr, code) = run_in(&l.repo, &["test", "Dockerfile"]);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    assert!(stderr.contains("policy"), "{stderr}");
    std::fs::remove_file(l.repo.join("policy")).unwrap();
    std::fs::write(l.outside.join("x.rego"), SENTINEL).unwrap();
    symlink(&l.outside, l.repo.join("policy")).unwrap();
    let (_, stderr, code) = run_in(&l.repo, &["test", "Dockerfile"]);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    assert!(stderr.contains("policy: resolves outside"), "{stderr}");
    assert_no_leak("stderr", &stderr);
}

#[test]
fn config_and_data_symlinks_out_of_the_tree_are_refused() {
    let l = layout();
    symlink(&l.secret, l.repo.join(".dockpolicy.yaml")).unwrap();
    let (stdout, stderr, code) = run_in(&l.repo, &["test", "Dockerfile"]);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    assert!(
        stderr.contains("config file .dockpolicy.yaml: resolves outside"),
        "{stderr}"
    );
    assert_no_leak("stderr", &stderr);
    assert_no_leak("stdout", &stdout);
    std::fs::remove_file(l.repo.join(".dockpolicy.yaml")).unwrap();
    // --config naming a link out of the checkout, and a dangling default config.
    symlink(&l.secret, l.repo.join("conf.yaml")).unwrap();
    let (_, stderr, code) = run_in(&l.repo, &["test", "--config", "conf.yaml", "Dockerfile"]);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    assert_no_leak("stderr", &stderr);
    symlink("nowhere.yaml", l.repo.join(".dockpolicy.yaml")).unwrap();
    let (_, stderr, code) = run_in(&l.repo, &["test", "Dockerfile"]);
    assert_eq!(
        code, TOOL_ERROR,
        "a dangling config is not silently no config: {stderr}"
    );
    std::fs::remove_file(l.repo.join(".dockpolicy.yaml")).unwrap();
    // Data: a file link and a directory link out of the tree.
    std::fs::create_dir(l.repo.join("data")).unwrap();
    std::fs::write(l.repo.join("data/ok.yaml"), "a: 1\n").unwrap();
    symlink(&l.secret, l.repo.join("data/leak.yaml")).unwrap();
    let (stdout, stderr, code) = run_in(&l.repo, &["test", "-d", "data", "Dockerfile"]);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    assert!(stderr.contains("data/leak.yaml"), "{stderr}");
    assert_no_leak("stderr", &stderr);
    assert_no_leak("stdout", &stdout);
    std::fs::remove_file(l.repo.join("data/leak.yaml")).unwrap();
    symlink(&l.outside, l.repo.join("data/more")).unwrap();
    std::fs::write(l.outside.join("d.yaml"), SENTINEL).unwrap();
    let (_, stderr, code) = run_in(&l.repo, &["verify", "-d", "data"]);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    assert!(stderr.contains("data/more: resolves outside"), "{stderr}");
    assert_no_leak("stderr", &stderr);
}

#[test]
fn symlinks_that_stay_inside_the_tree_keep_working() {
    let l = layout();
    std::fs::create_dir_all(l.repo.join("rules")).unwrap();
    std::fs::write(
        l.repo.join("rules/main.rego"),
        "package main\n\ndeny contains \"always\" if true\n",
    )
    .unwrap();
    symlink("rules", l.repo.join("policy")).unwrap();
    std::fs::write(l.repo.join("settings.yaml"), "disabled_rules: [DP001]\n").unwrap();
    symlink("settings.yaml", l.repo.join(".dockpolicy.yaml")).unwrap();
    symlink("Dockerfile", l.repo.join("linked.Dockerfile")).unwrap();
    let (files, stderr, code) = report_in(&l.repo, &["."]);
    assert_eq!(code, 1, "{files:?} {stderr}");
    assert_eq!(
        files.get("./Dockerfile").map(String::as_str),
        Some("checked")
    );
    assert_eq!(
        files.get("./linked.Dockerfile").map(String::as_str),
        Some("checked")
    );
}

// ---- item 3: Compose builds ------------------------------------------------------------

#[test]
fn a_compose_build_outside_the_tree_is_an_error_on_the_compose_file() {
    let l = layout();
    std::fs::write(l.outside.join("Dockerfile"), SENTINEL).unwrap();
    symlink(&l.outside, l.repo.join("linked")).unwrap();
    std::fs::write(
        l.repo.join("compose.yaml"),
        "services:\n  \
         etc:\n    build: {context: /etc, dockerfile: passwd}\n  \
         abs:\n    build: {context: ../outside}\n  \
         link:\n    build: ./linked\n  \
         ok:\n    build: .\n",
    )
    .unwrap();
    let (files, stderr, code) = report_in(&l.repo, &["compose.yaml"]);
    assert_eq!(code, TOOL_ERROR, "{files:?}");
    let msg = &files["compose.yaml"];
    assert!(msg.contains(", which resolves outside"), "{msg}");
    for service in [
        "\"abs\" builds ../outside/Dockerfile, which resolves outside",
        "\"etc\" builds /etc/passwd, which resolves outside",
        "\"link\" builds linked/Dockerfile, which resolves outside",
    ] {
        assert!(stderr.contains(service), "{service}: {stderr}");
    }
    // The build that stays in the tree is still checked.
    assert_eq!(files.get("Dockerfile").map(String::as_str), Some("checked"));
    assert!(!stderr.contains("root:"), "{stderr}");
    assert_no_leak("stderr", &stderr);
    assert_no_leak("report", &format!("{files:?}"));
}

// ---- item 5: reports never written through a symlink -----------------------------------

#[test]
fn reports_are_not_written_through_symlinks_or_over_inputs() {
    let l = layout();
    let victim = l.outside.join("victim");
    std::fs::write(&victim, "untouched").unwrap();
    symlink(&victim, l.repo.join("out.sarif")).unwrap();
    let (_, stderr, code) = run_in(&l.repo, &["test", "-o", "sarif=out.sarif", "Dockerfile"]);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    assert!(
        stderr.contains("cannot write out.sarif: is a symlink"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    // A directory link out of the tree.
    symlink(&l.outside, l.repo.join("reports")).unwrap();
    let (_, stderr, code) = run_in(&l.repo, &["test", "-o", "json=reports/r.json", "."]);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    assert!(stderr.contains("resolves outside"), "{stderr}");
    assert!(!l.outside.join("r.json").exists());
    // --output-file onto an input, or into the policy directory.
    let (_, stderr, code) = run_in(&l.repo, &["test", "--output-file", "Dockerfile", "."]);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    assert!(stderr.contains("it is the input"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(l.repo.join("Dockerfile")).unwrap(),
        "FROM alpine:3.20\nUSER 1000\n"
    );
    // A plain file is written (replaced, not written into: a hard link keeps its bytes).
    std::fs::write(l.repo.join("r.json"), "old").unwrap();
    std::fs::hard_link(l.repo.join("r.json"), l.outside.join("hard")).unwrap();
    let (_, stderr, code) = run_in(&l.repo, &["test", "-o", "json=r.json", "Dockerfile"]);
    assert!(code == 0 || code == 1, "{stderr}");
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(l.repo.join("r.json")).unwrap()).unwrap();
    assert!(written.is_array());
    assert_eq!(
        std::fs::read_to_string(l.outside.join("hard")).unwrap(),
        "old"
    );
    // No temporary file left behind.
    let names: Vec<_> = std::fs::read_dir(&l.repo)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
    // A link committed in the tree to a device is refused like any other link...
    symlink("/dev/null", l.repo.join("null.json")).unwrap();
    let (_, stderr, code) = run_in(&l.repo, &["test", "-o", "json=null.json", "Dockerfile"]);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    // ...while `/dev/stdout`, named by the user outside any checkout, is the stream.
    let (stdout, stderr, code) = run_in(&l.repo, &["test", "-o", "json=/dev/stdout", "Dockerfile"]);
    assert!(code == 0 || code == 1, "{stderr}");
    assert!(
        serde_json::from_str::<Value>(&stdout).is_ok_and(|v| v.is_array()),
        "{stdout}"
    );
}

#[test]
fn gatekeeper_export_does_not_write_through_symlinks() {
    let l = layout();
    std::fs::create_dir_all(l.repo.join("gk")).unwrap();
    symlink(&l.outside, l.repo.join("gk/templates")).unwrap();
    let (stdout, stderr, code) = run_in(&l.repo, &["gatekeeper", "export", "-o", "gk"]);
    assert_eq!(code, TOOL_ERROR, "{stdout}{stderr}");
    assert!(stderr.contains("gk/templates"), "{stderr}");
    let outside: Vec<_> = std::fs::read_dir(&l.outside).unwrap().collect();
    assert_eq!(outside.len(), 1, "only the secret is outside");
    // A fresh directory is written as before.
    let (_, stderr, code) = run_in(&l.repo, &["gatekeeper", "export", "-o", "fresh"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(l.repo.join("fresh/templates").is_dir());
}

// ---- item 12 and the inputs themselves: the walk ---------------------------------------

#[test]
fn the_walk_checks_hidden_ignored_and_non_utf8_files() {
    use std::os::unix::ffi::OsStrExt as _;
    let l = layout();
    for d in [".devcontainer", ".github/docker", "gen"] {
        std::fs::create_dir_all(l.repo.join(d)).unwrap();
    }
    let df = "FROM alpine:3.20\nUSER 1000\n";
    std::fs::write(l.repo.join(".devcontainer/Dockerfile"), df).unwrap();
    std::fs::write(l.repo.join(".github/docker/Dockerfile"), df).unwrap();
    std::fs::write(l.repo.join("gen/Dockerfile"), df).unwrap();
    std::fs::write(l.repo.join(".gitignore"), "gen/\n").unwrap();
    std::fs::write(l.repo.join(".ignore"), "Dockerfile\n").unwrap();
    let odd = std::ffi::OsStr::from_bytes(b"odd\xff.Dockerfile");
    std::fs::write(l.repo.join(odd), df).unwrap();
    let (files, stderr, code) = report_in(&l.repo, &["."]);
    assert!(code == 0 || code == 1, "{files:?} {stderr}");
    for name in [
        "./.devcontainer/Dockerfile",
        "./.github/docker/Dockerfile",
        "./gen/Dockerfile",
        "./Dockerfile",
        "./odd\u{fffd}.Dockerfile",
    ] {
        assert_eq!(
            files.get(name).map(String::as_str),
            Some("checked"),
            "{name}: {files:?}"
        );
    }
    // `--ignore` is the way to skip.
    let (files, _, _) = report_in(&l.repo, &["--ignore", r"\.devcontainer/", "."]);
    assert!(
        !files.contains_key("./.devcontainer/Dockerfile"),
        "{files:?}"
    );
}

#[test]
fn input_symlinks_out_of_the_tree_are_errors_and_the_rest_is_checked() {
    let l = layout();
    symlink("/proc/self/environ", l.repo.join("env.Dockerfile")).unwrap();
    symlink(&l.secret, l.repo.join("image.tar")).unwrap();
    symlink(&l.outside, l.repo.join("vendored")).unwrap();
    std::fs::write(l.outside.join("Dockerfile"), SENTINEL).unwrap();
    // Walked.
    let (files, stderr, code) = report_in(&l.repo, &["."]);
    assert_eq!(code, TOOL_ERROR, "{files:?}");
    for name in ["./env.Dockerfile", "./image.tar", "./vendored"] {
        let msg = files
            .get(name)
            .unwrap_or_else(|| panic!("{name}: {files:?}"));
        assert!(msg.contains("resolves outside"), "{name}: {msg}");
    }
    assert_eq!(
        files.get("./Dockerfile").map(String::as_str),
        Some("checked")
    );
    assert_no_leak("stderr", &stderr);
    // Named explicitly, as a file and as the root of the walk.
    let (files, _, code) = report_in(&l.repo, &["env.Dockerfile", "vendored", "Dockerfile"]);
    assert_eq!(code, TOOL_ERROR);
    assert!(
        files["env.Dockerfile"].contains("resolves outside"),
        "{files:?}"
    );
    assert!(files["vendored"].contains("resolves outside"), "{files:?}");
    assert_eq!(files.get("Dockerfile").map(String::as_str), Some("checked"));
    // `parse` refuses them the same way.
    let (stdout, stderr, code) = run_in(&l.repo, &["parse", "env.Dockerfile", "vendored"]);
    assert_eq!(code, TOOL_ERROR, "{stdout}{stderr}");
    assert_no_leak("parse", &format!("{stdout}{stderr}"));
}

// ---- the property: no byte of the outside in any output, no write outside ---------------

/// Where a generated tree puts a symlink out of it.
#[derive(Debug, Clone, Copy)]
enum Place {
    PolicyFile,
    PolicyDir,
    DataFile,
    DataDir,
    Config,
    ComposeAbsolute,
    ComposeLinked,
    OciLayout,
    Archive,
    InputFile,
    InputDir,
    Output,
}

const PLACES: [Place; 12] = [
    Place::PolicyFile,
    Place::PolicyDir,
    Place::DataFile,
    Place::DataDir,
    Place::Config,
    Place::ComposeAbsolute,
    Place::ComposeLinked,
    Place::OciLayout,
    Place::Archive,
    Place::InputFile,
    Place::InputDir,
    Place::Output,
];

const FORMATS: [&str; 7] = ["stdout", "json", "sarif", "junit", "tap", "table", "github"];

#[derive(Debug, Clone)]
struct Case {
    places: Vec<Place>,
    /// Link targets spelled absolute, or relative (`../outside/...`).
    absolute: bool,
    format: &'static str,
    /// 0: test on `.`; 1: test on the named paths; 2: parse; 3: verify; 4: gatekeeper export.
    command: u8,
}

fn case() -> impl Strategy<Value = Case> {
    (
        proptest::sample::subsequence(PLACES.to_vec(), 1..=PLACES.len()),
        any::<bool>(),
        proptest::sample::select(FORMATS.to_vec()),
        0u8..5,
    )
        .prop_map(|(places, absolute, format, command)| Case {
            places,
            absolute,
            format,
            command,
        })
}

/// Every file under `dir` (symlinks listed, not followed) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path);
            } else if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(path, target.as_os_str().as_encoded_bytes().to_vec());
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// Builds the tree for `case`; returns the arguments of the run and the output file.
fn build(l: &Layout, case: &Case) -> (Vec<String>, Option<PathBuf>) {
    let repo = &l.repo;
    let link = |target: &str, at: &str| {
        let target = if case.absolute {
            l.outside.join(target)
        } else {
            // `at` is below `repo`, which is beside `outside`.
            let depth = at.matches('/').count() + 1;
            PathBuf::from("../".repeat(depth))
                .join("outside")
                .join(target)
        };
        let at = repo.join(at);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        symlink(target, at).unwrap();
    };
    // A policy that prints its whole input and data: any byte that reached either shows.
    std::fs::create_dir_all(repo.join("policy")).unwrap();
    std::fs::write(
        repo.join("policy/main.rego"),
        "package main\n\ndeny contains msg if {\n  msg := sprintf(\"input %v data %v\", [input, data])\n}\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("policy/main_test.rego"),
        "package main_test\n\ntest_ok if true\n",
    )
    .unwrap();
    // Outside: every kind of file a link could reach, all marked.
    for name in ["x.rego", "d.yaml", "Dockerfile"] {
        std::fs::write(l.outside.join(name), SENTINEL).unwrap();
    }
    let blobs = l.outside.join("blobs");
    std::fs::create_dir_all(&blobs).unwrap();
    let (m, c) = ("a".repeat(64), "b".repeat(64));
    std::fs::write(
        blobs.join(&m),
        json!({"config": {"digest": format!("sha256:{c}")}, "layers": []}).to_string(),
    )
    .unwrap();
    std::fs::write(
        blobs.join(&c),
        json!({"config": {"User": "S3NTINEL-user"}, "rootfs": {"type": "layers"}}).to_string(),
    )
    .unwrap();
    std::fs::write(l.outside.join("victim"), "untouched").unwrap();
    let mut named: Vec<String> = vec!["Dockerfile".into()];
    let mut data = false;
    let mut output = None;
    for place in &case.places {
        match place {
            Place::PolicyFile => link("secret", "policy/leak.rego"),
            Place::PolicyDir => link(".", "policy/more"),
            Place::DataFile => {
                link("secret", "data/leak.yaml");
                data = true;
            }
            Place::DataDir => {
                link(".", "data/more");
                data = true;
            }
            Place::Config => link("secret", ".dockpolicy.yaml"),
            Place::ComposeAbsolute | Place::ComposeLinked => {
                let build = if matches!(place, Place::ComposeLinked) {
                    link(".", "linked");
                    "./linked".to_owned()
                } else {
                    l.outside.display().to_string()
                };
                let name = if matches!(place, Place::ComposeLinked) {
                    "docker-compose.yml"
                } else {
                    "compose.yaml"
                };
                std::fs::write(
                    repo.join(name),
                    format!("services:\n  app:\n    build: {{context: {build:?}}}\n"),
                )
                .unwrap();
                named.push(name.into());
            }
            Place::OciLayout => {
                let root = repo.join("layout");
                std::fs::create_dir_all(root.join("blobs")).unwrap();
                std::fs::write(
                    root.join("oci-layout"),
                    r#"{"imageLayoutVersion": "1.0.0"}"#,
                )
                .unwrap();
                std::fs::write(
                    root.join("index.json"),
                    json!({"manifests": [{"digest": format!("sha256:{m}")}]}).to_string(),
                )
                .unwrap();
                link("blobs", "layout/blobs/sha256");
                named.push("layout".into());
            }
            Place::Archive => {
                link("secret", "image.tar");
                named.push("image.tar".into());
            }
            Place::InputFile => {
                link("secret", "app.Dockerfile");
                named.push("app.Dockerfile".into());
            }
            Place::InputDir => {
                link(".", "svc");
                named.push("svc".into());
            }
            Place::Output => {
                link("victim", "report.out");
                output = Some(repo.join("report.out"));
            }
        }
    }
    let mut args: Vec<String> = Vec::new();
    let data_args = |args: &mut Vec<String>| {
        if data {
            args.extend(["-d".into(), "data".into()]);
        }
    };
    let output_arg = |args: &mut Vec<String>| match &output {
        Some(_) => args.extend(["-o".into(), format!("{}=report.out", case.format)]),
        None => args.extend(["-o".into(), case.format.into()]),
    };
    match case.command {
        0 | 1 => {
            args.push("test".into());
            output_arg(&mut args);
            data_args(&mut args);
            if case.command == 0 {
                args.push(".".into());
            } else {
                args.extend(named);
            }
        }
        2 => {
            args.push("parse".into());
            args.extend(named);
        }
        3 => {
            args.extend(["verify".into(), "-p".into(), "policy".into()]);
            data_args(&mut args);
        }
        _ => {
            args.extend(
                [
                    "gatekeeper",
                    "export",
                    "--rego-version",
                    "v1",
                    "-p",
                    "policy",
                ]
                .map(String::from),
            );
            args.extend(["-o".into(), "gk".into()]);
        }
    }
    (args, output)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn nothing_outside_the_tree_is_read_or_written(case in case()) {
        let l = layout();
        let (args, output) = build(&l, &case);
        let outside_before = snapshot(&l.outside);
        let repo_before = snapshot(&l.repo);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (stdout, stderr, code) = run_in(&l.repo, &args);
        prop_assert!((0..=3).contains(&code), "{args:?} crashed ({code}): {stderr}");
        prop_assert!(!stdout.to_lowercase().contains(MARK), "{args:?} stdout: {stdout}");
        prop_assert!(!stderr.to_lowercase().contains(MARK), "{args:?} stderr: {stderr}");
        if case.command <= 1 {
            // Every place is a refusal, reported as a tool error.
            prop_assert_eq!(code, TOOL_ERROR, "{:?}: {}", args, stderr);
        }
        prop_assert_eq!(snapshot(&l.outside), outside_before, "written outside: {:?}", args);
        // In the tree, only the outputs may change: the report file (never one that is a
        // symlink) and the export directory.
        let after = snapshot(&l.repo);
        for (path, bytes) in &after {
            let allowed = path.starts_with(l.repo.join("gk"));
            if !allowed {
                prop_assert_eq!(repo_before.get(path), Some(bytes), "{:?} wrote {:?}", args, path);
            }
            prop_assert!(!String::from_utf8_lossy(bytes).to_lowercase().contains(MARK), "{:?} in {:?}", args, path);
        }
        if let Some(out) = output {
            prop_assert!(std::fs::symlink_metadata(out).unwrap().file_type().is_symlink());
        }
    }
}

#[test]
fn a_git_checkout_is_its_own_tree_wherever_the_run_starts() {
    let l = layout();
    std::fs::create_dir(l.repo.join(".git")).unwrap();
    symlink(&l.secret, l.repo.join("leak.yaml")).unwrap();
    symlink("../outside/secret", l.repo.join("direct.json")).unwrap();
    // Run from far above the checkout (CI jobs that start in `$HOME` or `/`): the
    // working directory contains the outside file, the checkout does not.
    let repo = l.repo.display().to_string();
    for cwd in [Path::new("/"), l.repo.parent().unwrap()] {
        let (files, stderr, code) = report_in(cwd, &[&repo]);
        assert_eq!(code, TOOL_ERROR, "{stderr}");
        assert_no_leak("stderr", &stderr);
        for name in ["leak.yaml", "direct.json"] {
            let error = &files[&format!("{repo}/{name}")];
            assert!(error.contains("resolves outside"), "{name}: {error}");
        }
        assert_eq!(files[&format!("{repo}/Dockerfile")], "checked");
    }
}

#[test]
fn directories_nested_past_the_walk_depth_are_an_error_not_a_crash() {
    let l = layout();
    let deep: PathBuf = std::iter::repeat_n("d", 900).collect();
    std::fs::create_dir_all(l.repo.join(&deep)).unwrap();
    std::fs::write(l.repo.join("d/Dockerfile"), "FROM alpine:3.20\nUSER 1000\n").unwrap();
    let (files, stderr, code) = report_in(&l.repo, &["."]);
    assert_eq!(code, TOOL_ERROR, "{stderr}");
    assert_eq!(files["./Dockerfile"], "checked");
    assert_eq!(files["./d/Dockerfile"], "checked");
    assert!(
        files
            .values()
            .any(|e| e.contains("nest more than 256 deep")),
        "{files:?}"
    );
}
