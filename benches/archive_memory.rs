//! Peak memory while reading a large image archive: the archive is streamed, so peak RSS
//! must stay near the baseline however large the layers are.
//!
//! Run: `cargo bench --bench archive_memory` (default 512 MiB of layer data) or
//! `cargo bench --bench archive_memory -- 2048` for a 2 GiB archive. The archive is
//! generated on the fly in a temporary directory (one plain and one gzip layer of many
//! files, as `docker save` writes them) and removed afterwards.
//!
//! `cargo bench --bench archive_memory -- json` instead reads a hostile `.tar.gz` of eight
//! 16 MiB JSON entries (about 600 KB on disk, gigabytes once parsed without a budget) and
//! shows that the archive's budget refuses it at a peak RSS near the 64 MiB of JSON text.

use std::io::Write;
use std::time::Instant;

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Eight `[{},{},...]` entries of 16 MiB each beside a minimal image, gzip-compressed.
fn json_bomb(path: &std::path::Path) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut outer = tar::Builder::new(gz);
    let mut blob = b"[{}".to_vec();
    while blob.len() + 4 < 16 << 20 {
        blob.extend_from_slice(b",{}");
    }
    blob.push(b']');
    let empty_layer = [0u8; 1024];
    let manifest = br#"[{"Config": "config.json", "Layers": ["layer.tar"]}]"#;
    let mut entries: Vec<(String, &[u8])> = (0..8)
        .map(|i| (format!("junk{i}.json"), &blob[..]))
        .collect();
    entries.push(("config.json".into(), br#"{"config": {}}"#));
    entries.push(("layer.tar".into(), &empty_layer[..]));
    entries.push(("manifest.json".into(), &manifest[..]));
    for (name, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        outer.append_data(&mut header, name, data).expect("append");
    }
    outer
        .into_inner()
        .expect("tar")
        .finish()
        .expect("gzip")
        .flush()
        .expect("flush");
}

fn main() {
    if std::env::args().any(|a| a == "json") {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("json.tar.gz");
        json_bomb(&path);
        let on_disk = std::fs::metadata(&path).map_or(0, |m| m.len());
        let before = peak_rss_kib();
        let result = dockpolicy::input::archive::read(&path);
        let after = peak_rss_kib();
        println!(
            "{} KB archive: {}",
            on_disk >> 10,
            result
                .err()
                .map_or("read (no limit hit?)".into(), |e| e.to_string())
        );
        println!(
            "peak RSS: {} MiB before reading, {} MiB after (+{} MiB)",
            before >> 10,
            after >> 10,
            (after.saturating_sub(before)) >> 10
        );
        return;
    }
    let mib: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(512);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("large.tar");
    let start = Instant::now();
    {
        let file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        let mut outer = tar::Builder::new(file);
        // Pseudo-random bytes, so the gzip layer is as large as real layers are.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let chunk: Vec<u8> = (0..1 << 20)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        // One plain and one gzip layer, each written to a temp file, then into the outer tar.
        for (name, gz) in [("plain/layer.tar", false), ("gzip/layer.tar", true)] {
            let layer_path = dir.path().join(name.replace('/', "_"));
            {
                let f = std::io::BufWriter::new(std::fs::File::create(&layer_path).unwrap());
                let sink: Box<dyn Write> = if gz {
                    Box::new(flate2::write::GzEncoder::new(
                        f,
                        flate2::Compression::fast(),
                    ))
                } else {
                    Box::new(f)
                };
                let mut layer = tar::Builder::new(sink);
                for i in 0..(mib / 2) {
                    let mut header = tar::Header::new_gnu();
                    header.set_size(chunk.len() as u64);
                    header.set_mode(0o644);
                    header.set_cksum();
                    layer
                        .append_data(&mut header, format!("data/{name}/{i}.bin"), &chunk[..])
                        .unwrap();
                }
                layer.into_inner().unwrap().flush().unwrap();
            }
            outer.append_path_with_name(&layer_path, name).unwrap();
            std::fs::remove_file(&layer_path).unwrap();
        }
        let config = br#"{"config": {"User": "1000"}, "rootfs": {"type": "layers"}, "history": [{"created_by": "a"}, {"created_by": "b"}]}"#;
        let mut header = tar::Header::new_gnu();
        header.set_size(config.len() as u64);
        header.set_cksum();
        outer
            .append_data(&mut header, "cfg.json", &config[..])
            .unwrap();
        let manifest = br#"[{"Config": "cfg.json", "RepoTags": ["big:1"], "Layers": ["plain/layer.tar", "gzip/layer.tar"]}]"#;
        let mut header = tar::Header::new_gnu();
        header.set_size(manifest.len() as u64);
        header.set_cksum();
        outer
            .append_data(&mut header, "manifest.json", &manifest[..])
            .unwrap();
        outer.finish().unwrap();
    }
    let on_disk = std::fs::metadata(&path).unwrap().len();
    println!(
        "generated {} MiB of layer data ({} MiB on disk) in {:.1}s",
        mib,
        on_disk >> 20,
        start.elapsed().as_secs_f64()
    );
    let before = peak_rss_kib();
    let start = Instant::now();
    let doc = dockpolicy::input::archive::read(&path).expect("archive reads");
    let elapsed = start.elapsed();
    let after = peak_rss_kib();
    let size = doc["ImageArchive"]["size"].as_u64().unwrap_or(0);
    let files = doc["ImageArchive"]["files"].as_array().map_or(0, Vec::len);
    println!(
        "read {} MiB uncompressed, {files} files, in {:.2}s",
        size >> 20,
        elapsed.as_secs_f64()
    );
    println!(
        "peak RSS: {} MiB before reading, {} MiB after (+{} MiB)",
        before >> 10,
        after >> 10,
        (after.saturating_sub(before)) >> 10
    );
}
