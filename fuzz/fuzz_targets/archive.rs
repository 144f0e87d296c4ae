//! docker save / OCI archives: any bytes (tar, gzip, nested layers) give a document or an
//! error, within bounded memory, and nothing is written anywhere.
#![no_main]

use dockpolicy::input::archive;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = archive::read_from(data) {
        // Every path in the final filesystem is absolute and free of `..` components.
        if let Some(files) = doc
            .pointer("/ImageArchive/files")
            .and_then(|f| f.as_array())
        {
            for f in files {
                let path = f["path"].as_str().unwrap_or("/");
                assert!(path.starts_with('/'), "{path}");
                assert!(!path.split('/').any(|c| c == ".."), "{path}");
            }
        }
    }
});
