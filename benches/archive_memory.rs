//! Peak memory while reading a large image archive: the archive is streamed, so peak RSS
//! must stay near the baseline however large the layers are.
//!
//! Run: `cargo bench --bench archive_memory` (default 512 MiB of layer data) or
//! `cargo bench --bench archive_memory -- 2048` for a 2 GiB archive. The archive is
//! generated on the fly in a temporary directory (one plain and one gzip layer of many
//! files, as `docker save` writes them) and removed afterwards.

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

fn main() {
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
