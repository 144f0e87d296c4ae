//! Compose files: any YAML gives the build Dockerfiles it names, and every one of them lies
//! under the compose file's directory or is named by the file itself; never a panic.
#![no_main]

use std::path::Path;

use dockpolicy::input::{self, Format, compose, dockerfile::Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = input::text_of(data, Format::Yaml) else {
        return;
    };
    let Ok(parsed) = input::parse(text, Format::Yaml, &Options::default()) else {
        return;
    };
    for document in &parsed.documents {
        let document = document.to_json();
        let _ = compose::build_dockerfiles(Path::new("project/compose.yaml"), &document);
    }
});
