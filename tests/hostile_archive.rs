//! Hostile image archives and OCI layouts (issue 19, part "archive"): each gets a
//! documented outcome — a tool error (exit 3) naming the file, the other files still
//! checked — and never a read outside the layout, a quoted blob byte, an abort or
//! unbounded memory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::{Value, json};

const TOOL_ERROR: i32 = 3;

fn dockpolicy() -> Command {
    let mut cmd = Command::cargo_bin("dockpolicy").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Runs `dockpolicy <args> <paths>` and returns stdout, stderr and the exit code.
fn output(args: &[&str], paths: &[&Path]) -> (String, String, i32) {
    let out = dockpolicy()
        .args(args)
        .args(paths)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// Runs `test -o json` and returns the report, stderr and exit code.
fn run(paths: &[&Path]) -> (Value, String, i32) {
    let (stdout, stderr, code) = output(&["test", "-o", "json"], paths);
    (
        serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stderr,
        code,
    )
}

/// The error message reported for `path`, if any.
fn error_for(report: &Value, path: &Path) -> Option<String> {
    let name = path.display().to_string();
    report.as_array()?.iter().find_map(|e| {
        (e["filename"] == name.as_str())
            .then(|| e["error"]["message"].as_str().map(str::to_owned))
            .flatten()
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

fn good_dockerfile(dir: &Path) -> PathBuf {
    let p = dir.join("good.Dockerfile");
    std::fs::write(&p, "FROM alpine:3.20\nUSER 1000\n").unwrap();
    p
}

/// An empty OCI layout directory (`oci-layout`, `blobs/`) whose `index.json` is `index`.
fn layout(dir: &Path, index: &Value) -> PathBuf {
    let root = dir.join("layout");
    std::fs::create_dir_all(root.join("blobs")).unwrap();
    std::fs::write(
        root.join("oci-layout"),
        r#"{"imageLayoutVersion": "1.0.0"}"#,
    )
    .unwrap();
    std::fs::write(root.join("index.json"), index.to_string()).unwrap();
    root
}

/// A readable OCI layout: index -> manifest `sha256:m0` -> config `sha256:c0` and one
/// empty layer `sha256:l0`.
fn image_layout(dir: &Path) -> PathBuf {
    let root = layout(dir, &json!({"manifests": [{"digest": "sha256:m0"}]}));
    let blobs = root.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let manifest = json!({"config": {"digest": "sha256:c0"}, "layers": [{"digest": "sha256:l0"}]});
    std::fs::write(blobs.join("m0"), manifest.to_string()).unwrap();
    std::fs::write(blobs.join("c0"), r#"{"config": {"User": "1000"}}"#).unwrap();
    std::fs::write(blobs.join("l0"), [0u8; 1024]).unwrap();
    root
}

const MARKER: &str = "OUTSIDE-THE-LAYOUT-7f3a";

// ---- item 2: OCI layouts stay inside themselves ----------------------------------------

#[test]
fn a_symlinked_blobs_directory_is_not_followed_out_of_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    // A directory outside the layout with a JSON file and a non-tar file, both marked.
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let config = json!({"config": {"User": MARKER}, "rootfs": {"type": "layers"}});
    std::fs::write(outside.join("c0"), config.to_string()).unwrap();
    std::fs::write(outside.join("l0"), format!("{MARKER} not a tar at all")).unwrap();
    // The manifest is a real blob; its config and layer go through `blobs/sha256`, which
    // links out of the layout.
    let manifest = json!({"schemaVersion": 2, "config": {"digest": "sha256:c0"},
        "layers": [{"digest": "sha256:l0"}]});
    let root = layout(dir.path(), &json!({"manifests": [{"digest": "sha512:m0"}]}));
    std::fs::create_dir(root.join("blobs/sha512")).unwrap();
    std::fs::write(root.join("blobs/sha512/m0"), manifest.to_string()).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("blobs/sha256")).unwrap();
    let good = good_dockerfile(dir.path());

    let (stdout, stderr, code) = output(&["parse"], &[&root]);
    assert_eq!(code, TOOL_ERROR, "{stdout}{stderr}");
    assert!(
        !stdout.contains(MARKER) && !stderr.contains(MARKER),
        "{stdout}{stderr}"
    );
    assert!(stderr.contains("outside"), "{stderr}");

    let (report, stderr, code) = run(&[&root, &good]);
    assert_eq!(code, TOOL_ERROR);
    assert!(checked(&report, &good), "{report}");
    let msg = error_for(&report, &root).unwrap_or_default();
    assert!(msg.contains("resolves outside"), "{msg}");
    assert!(!report.to_string().contains(MARKER) && !stderr.contains(MARKER));
}

#[test]
fn an_index_json_linking_out_of_the_layout_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = image_layout(dir.path());
    // The index that would be used lives outside the layout, and tags the image.
    let outside = dir.path().join("elsewhere.json");
    let index = json!({"manifests": [{"digest": "sha256:m0",
        "annotations": {"org.opencontainers.image.ref.name": MARKER}}]});
    std::fs::write(&outside, index.to_string()).unwrap();
    std::fs::remove_file(root.join("index.json")).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("index.json")).unwrap();
    let (stdout, stderr, code) = output(&["parse"], &[&root]);
    assert_eq!(code, TOOL_ERROR, "{stdout}");
    assert!(stderr.contains("resolves outside"), "{stderr}");
    assert!(
        !stdout.contains(MARKER) && !stderr.contains(MARKER),
        "{stdout}{stderr}"
    );
}

#[test]
fn digests_that_are_not_alg_colon_hex_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // `blobs/self -> /proc/self` and a digest `self:environ` read the environment before.
    let root = layout(
        dir.path(),
        &json!({"manifests": [{"digest": "self:environ"}]}),
    );
    std::os::unix::fs::symlink("/proc/self", root.join("blobs/self")).unwrap();
    for digest in [
        "self:environ",
        "sha256:a/b",
        "sha256:..",
        "sha256",
        "sha256:",
        "sha256:a\\b",
        "../sha256:abc",
    ] {
        std::fs::write(
            root.join("index.json"),
            json!({"manifests": [{"digest": digest}]}).to_string(),
        )
        .unwrap();
        let (stdout, stderr, code) = output(&["parse"], &[&root]);
        assert_eq!(code, TOOL_ERROR, "{digest}: {stdout}");
        assert!(stderr.contains("invalid digest"), "{digest}: {stderr}");
        assert!(!stderr.contains("PATH="), "{digest}: {stderr}");
    }
}

#[test]
fn a_layer_that_is_not_a_tar_is_an_error_that_quotes_none_of_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = json!({"config": {"digest": "sha256:c0"}, "layers": [{"digest": "sha256:l0"}]});
    let root = layout(dir.path(), &json!({"manifests": [{"digest": "sha256:m0"}]}));
    std::fs::create_dir(root.join("blobs/sha256")).unwrap();
    std::fs::write(root.join("blobs/sha256/m0"), manifest.to_string()).unwrap();
    std::fs::write(root.join("blobs/sha256/c0"), r#"{"config": {}}"#).unwrap();
    // A 512-byte "tar header" full of text: the tar reader's own messages quote header
    // fields (a size that is not a number, a bad checksum).
    let mut header = MARKER.repeat(40).into_bytes();
    header.truncate(512);
    header[257..262].copy_from_slice(b"ustar");
    std::fs::write(root.join("blobs/sha256/l0"), &header).unwrap();
    let (report, stderr, code) = run(&[&root]);
    assert_eq!(code, TOOL_ERROR);
    let msg = error_for(&report, &root).unwrap_or_default();
    assert!(msg.contains("layer blobs/sha256/l0"), "{msg}");
    assert!(
        !msg.contains("OUTSIDE") && !stderr.contains("OUTSIDE"),
        "{msg}"
    );
}
