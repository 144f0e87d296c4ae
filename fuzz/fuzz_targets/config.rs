//! The config file: any bytes parse into settings or give an error naming the file.
#![no_main]

use dockpolicy::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::parse(text, ".dockpolicy.yaml") {
        Ok(config) => {
            let _ = config.to_data();
        }
        Err(e) => assert!(e.to_string().contains(".dockpolicy.yaml"), "{e}"),
    }
});
