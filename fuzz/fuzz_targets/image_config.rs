//! Image configs and docker inspect documents through the whole bundled library: any JSON
//! value evaluates to results or to per-policy errors, never a panic.
#![no_main]

use std::sync::{Mutex, OnceLock};

use dockpolicy::input::{self, Format, dockerfile::Options};
use dockpolicy::policy::{self, PolicySet, eval};
use libfuzzer_sys::fuzz_target;

fn policies() -> &'static Mutex<(PolicySet, eval::Evaluator)> {
    static SET: OnceLock<Mutex<(PolicySet, eval::Evaluator)>> = OnceLock::new();
    SET.get_or_init(|| {
        let set = policy::load(&policy::Options {
            bundled: true,
            engine: policy::EngineChoice::Auto,
            timeout: Some(std::time::Duration::from_secs(2)),
            ..Default::default()
        })
        .expect("bundled policies compile");
        let evaluator = eval::Evaluator::new(&set);
        Mutex::new((set, evaluator))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = input::text_of(data, Format::Json) else {
        return;
    };
    let Ok(parsed) = input::parse(text, Format::Json, &Options::default()) else {
        return;
    };
    let mut guard = policies().lock().unwrap();
    let (set, evaluator) = &mut *guard;
    for document in parsed.documents.iter().take(4) {
        let document = document.to_json();
        // A document wrapped as docker inspect and as an OCI config exercises both readers.
        for doc in [
            document.clone(),
            serde_json::json!({"Config": document, "RootFS": {"Type": "layers"}}),
            serde_json::json!({"config": document, "rootfs": {"type": "layers"}}),
        ] {
            let _ = eval::evaluate(evaluator, &set.namespaces, "f", &input::Document::Json(doc));
        }
    }
});
