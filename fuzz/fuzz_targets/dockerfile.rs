//! The Dockerfile reader: any bytes either parse into the instruction array or give an
//! error with a line inside the file; never a panic, never a hang.
#![no_main]

use dockpolicy::input::{self, Format, dockerfile::Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = input::text_of(data, Format::Dockerfile) else {
        return;
    };
    let lines = text.lines().count().max(1);
    let mut options = Options::default();
    for round in 0..2 {
        match input::parse(text, Format::Dockerfile, &options) {
            Ok(parsed) => assert_eq!(parsed.documents.len(), 1),
            Err(e) => {
                if let Some(line) = e.line() {
                    assert!(
                        line >= 1 && line <= lines + 1,
                        "line {line} of {lines}: {e}"
                    );
                }
            }
        }
        // Again with a build argument, which changes how FROM lines resolve.
        if round == 0 {
            options
                .build_args
                .insert("BASE".into(), "registry.example.com/x:1".into());
        }
    }
});
