//! Hostile image archives and OCI layouts (issue 19, part "archive"): each gets a
//! documented outcome — a tool error (exit 3) naming the file, the other files still
//! checked — and never a read outside the layout, a quoted blob byte, an abort or
//! unbounded memory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

mod support;
use support::*;

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

// ---- item 9: archives have a total memory budget ---------------------------------------

/// A docker save archive around `layers` (each listed once, in order), its config
/// `config` and further entries `extra` (name, bytes) before the manifest.
fn docker_save(layers: &[&[u8]], config: &[u8], extra: &[(&str, &[u8])]) -> Vec<u8> {
    let names: Vec<String> = (0..layers.len()).map(|i| format!("l{i}.tar")).collect();
    let manifest = json!([{"Config": "config.json", "RepoTags": ["x:1"], "Layers": names}]);
    let mut out = Vec::new();
    for (name, bytes) in extra {
        raw_entry(&mut out, name, tar::EntryType::Regular, bytes, "");
    }
    raw_entry(&mut out, "config.json", tar::EntryType::Regular, config, "");
    for (name, layer) in names.iter().zip(layers) {
        raw_entry(&mut out, name, tar::EntryType::Regular, layer, "");
    }
    raw_entry(
        &mut out,
        "manifest.json",
        tar::EntryType::Regular,
        manifest.to_string().as_bytes(),
        "",
    );
    finish_tar(out)
}

const CONFIG: &[u8] = br#"{"config": {"User": "1000"}, "rootfs": {"type": "layers"}}"#;

fn gzip(bytes: &[u8], level: Compression) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), level);
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// `[{},{},...]` of about `bytes` bytes: JSON that parses into some 20 times its size.
fn empty_objects(bytes: usize) -> Vec<u8> {
    let mut out = b"[{}".to_vec();
    while out.len() + 4 < bytes {
        out.extend_from_slice(b",{}");
    }
    out.push(b']');
    out
}

/// Runs `test -o json` on `paths` with the address space capped (so a build without the
/// budgets aborts instead of taking the machine's memory), expecting a tool error for
/// `bad` whose message contains `want`, and `good` still checked.
fn refused_in_bounded_memory(bad: &Path, good: &Path, want: &str) {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 3000000 && exec \"$@\"")
        .arg("sh")
        .arg(assert_cmd::cargo::cargo_bin("dockpolicy"))
        .args(["test", "-o", "json"])
        .arg(bad)
        .arg(good)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(TOOL_ERROR), "{report} {stderr}");
    assert!(checked(&report, good), "{report}");
    let msg = error_for(&report, bad).unwrap_or_default();
    assert!(msg.contains(want), "{}: {msg}", bad.display());
}

#[test]
fn json_entries_have_a_total_budget() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_dockerfile(dir.path());
    // Five 15 MiB JSON entries, each under the 16 MiB cap of one entry: a few hundred KB
    // gzip-compressed, gigabytes once parsed.
    let blob = empty_objects(15 << 20);
    let names: Vec<String> = (0..5).map(|i| format!("junk{i}.json")).collect();
    let extra: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &blob[..])).collect();
    let archive = dir.path().join("json.tar.gz");
    let empty = finish_tar(Vec::new());
    let tar = docker_save(&[&empty], CONFIG, &extra);
    std::fs::write(&archive, gzip(&tar, Compression::fast())).unwrap();
    refused_in_bounded_memory(&archive, &good, "exceed 64 MiB in total");
}

#[test]
fn a_config_that_parses_into_millions_of_values_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_dockerfile(dir.path());
    let config = empty_objects(15 << 20);
    let empty = finish_tar(Vec::new());
    let archive = dir.path().join("nodes.tar.gz");
    std::fs::write(
        &archive,
        gzip(&docker_save(&[&empty], &config, &[]), Compression::fast()),
    )
    .unwrap();
    refused_in_bounded_memory(&archive, &good, "values in total");
}

/// A GNU long-name entry (`././@LongLink`, type `L`) naming the entry after it.
fn long_name_entry(out: &mut Vec<u8>, name_len: usize) {
    let name = vec![b'a'; name_len];
    raw_entry(out, "././@LongLink", tar::EntryType::GNULongName, &name, "");
    raw_entry(out, "short", tar::EntryType::Regular, b"x", "");
}

#[test]
fn gnu_long_names_are_capped_in_layers_and_in_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_dockerfile(dir.path());
    // 64 MiB of name from a small gzip layer: the reader stops after its 1 MiB cap.
    let mut huge = Vec::new();
    long_name_entry(&mut huge, 64 << 20);
    let huge_layer = gzip(&finish_tar(huge), Compression::best());
    assert!(huge_layer.len() < 1 << 20);
    let huge = dir.path().join("huge-name.tar");
    std::fs::write(&huge, docker_save(&[&huge_layer], CONFIG, &[])).unwrap();
    refused_in_bounded_memory(&huge, &good, "exceeds 1024 KiB");
    // A name past 4096 bytes (within the 1 MiB the reader may buffer) in a layer...
    let mut long = Vec::new();
    long_name_entry(&mut long, 5000);
    let long_layer = finish_tar(long);
    let long = dir.path().join("long-name.tar");
    std::fs::write(&long, docker_save(&[&long_layer], CONFIG, &[])).unwrap();
    refused_in_bounded_memory(&long, &good, "longer than 4096 bytes");
    // ... and in the outer archive.
    let mut outer = Vec::new();
    long_name_entry(&mut outer, 64 << 20);
    let outer_tar = finish_tar(outer);
    let outer = dir.path().join("outer-name.tar.gz");
    std::fs::write(&outer, gzip(&outer_tar, Compression::best())).unwrap();
    refused_in_bounded_memory(&outer, &good, "exceeds 1024 KiB");
}

#[test]
fn an_outer_gzip_bomb_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_dockerfile(dir.path());
    // A .tar.gz whose tar holds 1.5 GiB of zeros in one entry: about 1.5 MiB compressed.
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    let mut header = tar::Header::new_gnu();
    header.as_old_mut().name[..8].copy_from_slice(b"zero.bin");
    let size: u64 = 1536 << 20;
    header.set_size(size);
    header.set_mode(0o644);
    header.set_cksum();
    enc.write_all(header.as_bytes()).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..(size >> 20) {
        enc.write_all(&zeros).unwrap();
    }
    enc.write_all(&[0u8; 1024]).unwrap();
    let bomb = dir.path().join("bomb.tar.gz");
    std::fs::write(&bomb, enc.finish().unwrap()).unwrap();
    refused_in_bounded_memory(&bomb, &good, "decompression bomb");
}

// ---- item 10: a layer is read once however often it is listed --------------------------

/// Bytes this thread has read with read(2) so far (Linux: /proc/thread-self/io), which
/// counts the layer's bytes however fast or slow the machine is.
fn bytes_read_by_this_thread() -> u64 {
    let io = std::fs::read_to_string("/proc/thread-self/io").unwrap();
    io.lines()
        .find_map(|l| l.strip_prefix("rchar:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// A plain layer with one 1 MiB file.
fn one_mib_layer() -> Vec<u8> {
    let mut layer = Vec::new();
    let data: Vec<u8> = (0..1u32 << 20).map(|i| (i * 7 % 251) as u8).collect();
    raw_entry(&mut layer, "data.bin", tar::EntryType::Regular, &data, "");
    finish_tar(layer)
}

#[test]
fn an_oci_layout_reads_a_layer_listed_400_times_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = image_layout(dir.path());
    let layer = one_mib_layer();
    std::fs::write(root.join("blobs/sha256/l0"), &layer).unwrap();
    let layers: Vec<Value> = (0..400).map(|_| json!({"digest": "sha256:l0"})).collect();
    let manifest = json!({"config": {"digest": "sha256:c0"}, "layers": layers});
    std::fs::write(root.join("blobs/sha256/m0"), manifest.to_string()).unwrap();
    let before = bytes_read_by_this_thread();
    let doc = dockpolicy::input::archive::read(&root).unwrap();
    let read = bytes_read_by_this_thread() - before;
    assert_eq!(doc["ImageArchive"]["layers"].as_array().unwrap().len(), 400);
    assert_eq!(doc["ImageArchive"]["files"][0]["path"], "/data.bin");
    // Once: about 1 MiB (the JSON blobs are small); 400 reads would be 400 MiB.
    assert!(read < 4 * layer.len() as u64, "read {read} bytes");
}

#[test]
fn a_docker_save_archive_may_list_one_layer_twice() {
    let dir = tempfile::tempdir().unwrap();
    let layer = one_mib_layer();
    let tar = docker_save(&[&layer], CONFIG, &[]);
    // The same layer listed twice (two identical steps of a build): a second
    // manifest.json, after the first, replaces it.
    let mut manifest = Vec::new();
    let listed = json!([{"Config": "config.json", "Layers": ["l0.tar", "l0.tar"]}]);
    raw_entry(
        &mut manifest,
        "manifest.json",
        tar::EntryType::Regular,
        listed.to_string().as_bytes(),
        "",
    );
    let mut bytes = tar[..tar.len() - 1024].to_vec();
    bytes.extend_from_slice(&manifest);
    let archive = dir.path().join("twice.tar");
    std::fs::write(&archive, finish_tar(bytes)).unwrap();
    let (stdout, stderr, code) = output(&["parse"], &[&archive]);
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["ImageArchive"]["layers"].as_array().unwrap().len(), 2);
}

// ---- item 15: links named like credentials ---------------------------------------------

#[test]
fn hard_links_and_symlinks_named_like_credentials_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let key = b"-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\n-----END RSA PRIVATE KEY-----\n";
    let cert =
        b"-----BEGIN CERTIFICATE-----\nMIIBOgIBAAJBAKj34GkxFhD9\n-----END CERTIFICATE-----\n";
    let mut layer = Vec::new();
    let entries: [(&str, tar::EntryType, &[u8], &str); 7] = [
        ("tmp/blob", tar::EntryType::Regular, key, ""),
        ("tmp/cert", tar::EntryType::Regular, cert, ""),
        ("root/.ssh/id_rsa", tar::EntryType::Link, b"", "tmp/blob"),
        (
            "etc/ssl/private/server.key",
            tar::EntryType::Link,
            b"",
            "tmp/blob",
        ),
        ("app/.env", tar::EntryType::Symlink, b"", "../tmp/blob"),
        // Neither a symlink to a path the image lacks nor a link to a certificate holds
        // a secret.
        (
            "app/.npmrc",
            tar::EntryType::Symlink,
            b"",
            "/run/secrets/npmrc",
        ),
        ("etc/ssl/ca.key", tar::EntryType::Symlink, b"", "/tmp/cert"),
    ];
    for (name, kind, data, link) in entries {
        raw_entry(&mut layer, name, kind, data, link);
    }
    let archive = dir.path().join("links.tar");
    std::fs::write(&archive, docker_save(&[&finish_tar(layer)], CONFIG, &[])).unwrap();
    let (report, stderr, _) = run(&[&archive]);
    let mut found: Vec<String> = report
        .as_array()
        .unwrap_or_else(|| panic!("{stderr}"))
        .iter()
        .flat_map(|e| e["failures"].as_array().cloned().unwrap_or_default())
        .filter(|f| f["metadata"]["id"] == "DP006")
        .map(|f| f["msg"].as_str().unwrap_or_default().to_owned())
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "the image contains the credential file /app/.env (a symlink to /tmp/blob)",
            "the image contains the credential file /etc/ssl/private/server.key (a hard link to /tmp/blob)",
            "the image contains the credential file /root/.ssh/id_rsa (a hard link to /tmp/blob)",
        ]
    );
}

#[test]
fn an_empty_layer_of_zero_blocks_is_a_layer() {
    let dir = tempfile::tempdir().unwrap();
    // GNU tar writes an empty archive as 10240 zero bytes; it used to be "missing".
    let empty = vec![0u8; 10240];
    let archive = dir.path().join("empty-layer.tar");
    std::fs::write(&archive, docker_save(&[&empty], CONFIG, &[])).unwrap();
    let (stdout, stderr, code) = output(&["parse"], &[&archive]);
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["ImageArchive"]["layers"][0]["files"], 0);
}

#[test]
fn a_corrupt_outer_tar_is_an_error_that_quotes_none_of_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_dockerfile(dir.path());
    // A header whose size field is text: the tar reader's message quotes that field.
    let mut header = tar::Header::new_ustar();
    header.as_old_mut().name[..4].copy_from_slice(b"x.gz");
    header.as_mut_bytes()[124..136].copy_from_slice(b"SECRETBYTES!");
    header.set_cksum();
    let archive = dir.path().join("corrupt.tar");
    std::fs::write(&archive, finish_tar(header.as_bytes().to_vec())).unwrap();
    let (report, stderr, code) = run(&[&archive, &good]);
    assert_eq!(code, TOOL_ERROR);
    assert!(checked(&report, &good));
    let msg = error_for(&report, &archive).unwrap_or_default();
    assert!(msg.contains("cannot read the archive"), "{msg}");
    assert!(
        !msg.contains("SECRETBYTES") && !stderr.contains("SECRETBYTES"),
        "{msg}"
    );
}

#[test]
fn dot_dot_components_in_layer_paths_are_resolved_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let key = b"-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\n-----END RSA PRIVATE KEY-----\n";
    let mut layer = Vec::new();
    raw_entry(&mut layer, "app/..", tar::EntryType::Directory, b"", "");
    raw_entry(
        &mut layer,
        "./tmp/../root/./.ssh/id_rsa",
        tar::EntryType::Regular,
        key,
        "",
    );
    raw_entry(
        &mut layer,
        "app/../../../etc/motd",
        tar::EntryType::Regular,
        b"hi\n",
        "",
    );
    let archive = dir.path().join("dotdot.tar");
    std::fs::write(&archive, docker_save(&[&finish_tar(layer)], CONFIG, &[])).unwrap();
    let (stdout, stderr, code) = output(&["parse"], &[&archive]);
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let paths: Vec<&str> = doc["ImageArchive"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    // The final filesystem never names `..`; a path climbing past the root stays at it.
    assert_eq!(paths, ["/etc/motd", "/root/.ssh/id_rsa"]);
    let (report, _, _) = run(&[&archive]);
    assert!(
        report
            .to_string()
            .contains("credential file /root/.ssh/id_rsa")
    );
}
