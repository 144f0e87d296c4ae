//! Policy loading and evaluation: any text as a user policy either fails to compile with an
//! error naming the file, or evaluates against a Dockerfile within the time limit; never a
//! panic or a hang.
#![no_main]

use std::sync::OnceLock;

use dockpolicy::input::{self, Format, dockerfile::Options};
use dockpolicy::policy::{self, eval};
use libfuzzer_sys::fuzz_target;

fn workdir() -> &'static std::path::Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("dockpolicy-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    // As the CLI: a policy that builds a huge value gets an error, not the fuzzer's OOM.
    policy::set_memory_limit(Some(512 << 20));
    let file = workdir().join("policy.rego");
    std::fs::write(&file, data).unwrap();
    let loaded = policy::load(&policy::Options {
        policy_paths: vec![file.clone()],
        all_namespaces: true,
        timeout: Some(std::time::Duration::from_millis(200)),
        ..Default::default()
    });
    let set = match loaded {
        Ok(set) => set,
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.contains("policy.rego")
                    || message.contains("compile")
                    || message.contains("no policies"),
                "{message}"
            );
            return;
        }
    };
    let dockerfile = "FROM alpine:3.20 AS build\nRUN apk add --no-cache gcc\nFROM scratch\nCOPY --from=build /x /x\nUSER 1000\n";
    let parsed = input::parse(dockerfile, Format::Dockerfile, &Options::default()).unwrap();
    let mut evaluator = eval::Evaluator::new(&set);
    let _ = eval::evaluate(
        &mut evaluator,
        &set.namespaces,
        "Dockerfile",
        &parsed.documents[0],
    );
});
