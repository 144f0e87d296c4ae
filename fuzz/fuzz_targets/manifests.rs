//! JSON and YAML inputs (Kubernetes manifests, docker inspect output, image configs): any
//! bytes parse or give an error; YAML document ranges always lie inside the file.
#![no_main]

use dockpolicy::input::{self, Format, dockerfile::Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = Options::default();
    for format in [Format::Json, Format::Yaml] {
        let Ok(text) = input::text_of(data, format) else {
            return;
        };
        if let Ok(parsed) = input::parse(text, format, &options) {
            let lines = text.lines().count().max(1);
            assert_eq!(parsed.ranges.len(), parsed.documents.len());
            for (start, end) in &parsed.ranges {
                assert!(
                    1 <= *start && start <= end && *end <= lines + 1,
                    "{start}..{end} of {lines}"
                );
            }
        }
    }
});
