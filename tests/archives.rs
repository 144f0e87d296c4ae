//! Image archives built by the tests themselves (no Docker, no network): `docker save`
//! tarballs and OCI layouts, gzip and plain layers, whiteouts; and the practices on them.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

/// A file in a layer: (path, content, mode). A path whose name starts with `.wh.` is a
/// whiteout.
type File<'a> = (&'a str, &'a [u8], u32);

fn layer_tar(files: &[File]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content, mode) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(*mode);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append_data(&mut header, path, *content).unwrap();
    }
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn append(builder: &mut tar::Builder<std::fs::File>, path: &str, bytes: &[u8]) {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append_data(&mut header, path, bytes).unwrap();
}

fn config(user: &str, history: &[&str]) -> Value {
    json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {"User": user, "Env": ["PATH=/usr/bin", "API_TOKEN=tok_live_0123456789"], "Labels": {"maintainer": "team"}},
        "rootfs": {"type": "layers", "diff_ids": []},
        "history": history.iter().map(|h| json!({"created_by": h})).collect::<Vec<_>>(),
    })
}

const PRIVATE_KEY: &[u8] =
    b"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n";
const CERT: &[u8] = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

/// Two layers: a base with a shell, apt lists, gcc and a credential file that the second
/// layer deletes with a whiteout; the second adds a private key and an opaque directory.
fn layers() -> (Vec<u8>, Vec<u8>) {
    let base = layer_tar(&[
        ("bin/sh", b"#!", 0o755),
        ("usr/bin/gcc", b"ELF", 0o755),
        ("var/lib/apt/lists/deb.example_dists_main", b"x", 0o644),
        ("root/.npmrc", b"//registry/:_authToken=abc", 0o600),
        ("etc/ssl/certs/ca.pem", CERT, 0o644),
        ("opt/old/a.txt", b"a", 0o644),
    ]);
    let top = layer_tar(&[
        ("root/.wh..npmrc", b"", 0o644),
        ("app/server.key", PRIVATE_KEY, 0o600),
        ("opt/old/.wh..wh..opq", b"", 0o644),
        ("opt/old/b.txt", b"b", 0o644),
    ]);
    (base, top)
}

fn docker_save(dir: &Path, gzip_layers: bool) -> PathBuf {
    let (base, top) = layers();
    let (base, top) = if gzip_layers {
        (gzip(&base), gzip(&top))
    } else {
        (base, top)
    };
    let path = dir.join("image.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&path).unwrap());
    // Layers come first and the manifest last, as `docker save` writes them: the reader
    // must not need the manifest before the layers.
    append(&mut builder, "aaa/layer.tar", &base);
    append(&mut builder, "bbb/layer.tar", &top);
    append(&mut builder, "aaa/VERSION", b"1.0");
    let cfg = config("", &["ADD rootfs.tar /", "RUN apt-get install -y gcc"]);
    append(&mut builder, "cfg.json", cfg.to_string().as_bytes());
    let manifest = json!([{"Config": "cfg.json", "RepoTags": ["registry.example.com/app:latest"], "Layers": ["aaa/layer.tar", "bbb/layer.tar"]}]);
    append(
        &mut builder,
        "manifest.json",
        manifest.to_string().as_bytes(),
    );
    builder.finish().unwrap();
    path
}

fn oci_layout(dir: &Path) -> PathBuf {
    let root = dir.join("layout");
    let blobs = root.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let (base, top) = layers();
    let hex = |n: u8| format!("{:064x}", n);
    std::fs::write(blobs.join(hex(1)), gzip(&base)).unwrap();
    std::fs::write(blobs.join(hex(2)), &top).unwrap();
    std::fs::write(
        blobs.join(hex(3)),
        config("1000", &["ADD rootfs.tar /", "COPY key /app"]).to_string(),
    )
    .unwrap();
    let manifest = json!({
        "schemaVersion": 2,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": format!("sha256:{}", hex(3))},
        "layers": [
            {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": format!("sha256:{}", hex(1))},
            {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": format!("sha256:{}", hex(2))},
        ],
    });
    std::fs::write(blobs.join(hex(4)), manifest.to_string()).unwrap();
    let index = json!({"schemaVersion": 2, "manifests": [{"digest": format!("sha256:{}", hex(4)), "annotations": {"org.opencontainers.image.ref.name": "registry.example.com/app:1.2"}}]});
    std::fs::write(root.join("index.json"), index.to_string()).unwrap();
    std::fs::write(
        root.join("oci-layout"),
        r#"{"imageLayoutVersion": "1.0.0"}"#,
    )
    .unwrap();
    root
}

fn parse(path: &Path) -> Value {
    let out = Command::cargo_bin("dockpolicy")
        .unwrap()
        .arg("parse")
        .arg(path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn files(doc: &Value) -> Vec<String> {
    doc["ImageArchive"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect()
}

fn ids(path: &Path, extra: &[&str]) -> Vec<String> {
    let out = Command::cargo_bin("dockpolicy")
        .unwrap()
        .args(["test", "-o", "json"])
        .args(extra)
        .arg(path)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ids: Vec<String> = report
        .as_array()
        .unwrap()
        .iter()
        .flat_map(common::failures_and_warnings)
        .map(|f| f["metadata"]["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

const FINAL_FILES: [&str; 7] = [
    "/app/server.key",
    "/bin/sh",
    "/etc/ssl/certs/ca.pem",
    "/opt/old/b.txt",
    "/usr/bin/gcc",
    "/var/lib/apt/lists/deb.example_dists_main",
    "/root",
];

fn expected_files() -> Vec<String> {
    let mut v: Vec<String> = FINAL_FILES
        .iter()
        .filter(|p| **p != "/root")
        .map(|p| p.to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn docker_save_tarball_applies_whiteouts_and_reads_plain_and_gzip_layers() {
    for gz in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let doc = parse(&docker_save(dir.path(), gz));
        let archive = &doc["ImageArchive"];
        assert_eq!(archive["format"], "docker-save");
        assert_eq!(archive["tags"], json!(["registry.example.com/app:latest"]));
        assert_eq!(
            files(&doc),
            expected_files(),
            "whiteout removed .npmrc, opaque dir dropped a.txt"
        );
        assert_eq!(archive["layers"].as_array().unwrap().len(), 2);
        assert_eq!(
            archive["layers"][1]["created_by"],
            "RUN apt-get install -y gcc"
        );
        let key = archive["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == "/app/server.key")
            .unwrap();
        assert_eq!(key["private_key"], true);
        assert_eq!(key["mode"], 0o600);
        let total: u64 = archive["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["size"].as_u64().unwrap())
            .sum();
        assert_eq!(archive["size"], total);
    }
}

#[test]
fn oci_layout_directory_and_tar_read_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let layout = oci_layout(dir.path());
    let doc = parse(&layout);
    assert_eq!(doc["ImageArchive"]["format"], "oci-layout");
    assert_eq!(
        doc["ImageArchive"]["tags"],
        json!(["registry.example.com/app:1.2"])
    );
    assert_eq!(files(&doc), expected_files());
    // The same layout as a tar.
    let tarred = dir.path().join("layout.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&tarred).unwrap());
    builder.append_dir_all(".", &layout).unwrap();
    builder.finish().unwrap();
    let from_tar = parse(&tarred);
    assert_eq!(
        from_tar["ImageArchive"]["files"],
        doc["ImageArchive"]["files"]
    );
    // A directory walk finds the layout as one input and does not descend into it.
    let out = Command::cargo_bin("dockpolicy")
        .unwrap()
        .args(["test", "-o", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: std::collections::BTreeSet<String> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["filename"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn practices_fire_on_archives() {
    let dir = tempfile::tempdir().unwrap();
    let got = ids(&docker_save(dir.path(), true), &[]);
    // latest tag + no digest (DP001, DP002), root user (DP005), the private key and the
    // API token in Env (DP006 twice), a shell (DP007), gcc (DP008), apt lists (DP011).
    assert_eq!(
        got,
        vec![
            "DP001", "DP002", "DP005", "DP006", "DP006", "DP007", "DP008", "DP011"
        ]
    );
    // The OCI image runs as uid 1000 and is tagged 1.2: no DP001/DP005.
    let got = ids(&oci_layout(dir.path()), &[]);
    assert_eq!(
        got,
        vec!["DP002", "DP006", "DP006", "DP007", "DP008", "DP011"]
    );
}

#[test]
fn image_size_uses_the_configured_limit() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    std::fs::write(&cfg, "max_image_size: 10\n").unwrap();
    let image = docker_save(dir.path(), false);
    assert!(!ids(&image, &[]).contains(&"DP012".to_owned()));
    assert!(ids(&image, &["--config", cfg.to_str().unwrap()]).contains(&"DP012".to_owned()));
}

#[test]
fn broken_archives_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let not_image = dir.path().join("empty.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&not_image).unwrap());
    append(&mut builder, "hello.txt", b"hi");
    builder.finish().unwrap();
    let missing = dir.path().join("missing.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&missing).unwrap());
    append(
        &mut builder,
        "cfg.json",
        config("", &[]).to_string().as_bytes(),
    );
    append(
        &mut builder,
        "manifest.json",
        json!([{"Config": "cfg.json", "Layers": ["gone/layer.tar"]}])
            .to_string()
            .as_bytes(),
    );
    builder.finish().unwrap();
    let truncated = dir.path().join("truncated.tar");
    let bytes = std::fs::read(docker_save(dir.path(), false)).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let out = Command::cargo_bin("dockpolicy")
        .unwrap()
        .args(["test"])
        .args([&not_image, &missing, &truncated])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("empty.tar - invalid image archive: not an image archive"),
        "{stdout}"
    );
    assert!(
        stdout.contains("missing.tar - invalid image archive: the manifest names gone/layer.tar"),
        "{stdout}"
    );
    assert!(
        stdout.contains("truncated.tar - invalid image archive"),
        "{stdout}"
    );
}
