//! Differential: the bundled practices give the same results on regorus's bytecode VM
//! (what `test` uses) and on its interpreter, for any Dockerfile, and for any manifest,
//! Compose file or image config (text that does not look like a Dockerfile is read as
//! YAML, which JSON is too).
#![no_main]

use std::sync::{Mutex, OnceLock};

use dockpolicy::input::{self, Format, dockerfile::Options};
use dockpolicy::policy::{self, PolicySet, eval};
use libfuzzer_sys::fuzz_target;

struct Engines {
    vm: PolicySet,
    interpreter: PolicySet,
    on_vm: eval::Evaluator,
    on_interpreter: eval::Evaluator,
}

fn engines() -> &'static Mutex<Engines> {
    static ENGINES: OnceLock<Mutex<Engines>> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let load = |engine| {
            policy::load(&policy::Options {
                bundled: true,
                engine,
                timeout: Some(std::time::Duration::from_secs(5)),
                ..Default::default()
            })
            .expect("bundled policies compile")
        };
        let vm = load(policy::EngineChoice::Auto);
        let interpreter = load(policy::EngineChoice::Interpreter);
        assert!(vm.compiled.is_some());
        Mutex::new(Engines {
            on_vm: eval::Evaluator::new(&vm),
            on_interpreter: eval::Evaluator::new(&interpreter),
            vm,
            interpreter,
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let format = match Format::sniff(text) {
        Format::Dockerfile => Format::Dockerfile,
        _ => Format::Yaml,
    };
    let Ok(text) = input::text_of(data, format) else {
        return;
    };
    let Ok(parsed) = input::parse(text, format, &Options::default()) else {
        return;
    };
    let mut guard = engines().lock().unwrap();
    let e = &mut *guard;
    for document in parsed.documents.iter().take(4) {
        let (fast, fast_errors) = eval::evaluate(&mut e.on_vm, &e.vm.namespaces, "f", document);
        let (slow, slow_errors) = eval::evaluate(
            &mut e.on_interpreter,
            &e.interpreter.namespaces,
            "f",
            document,
        );
        assert_eq!(
            format!("{fast:?}"),
            format!("{slow:?}"),
            "results differ for:\n{text}"
        );
        let messages =
            |errors: &[eval::EvalError]| errors.iter().map(|e| e.to_string()).collect::<Vec<_>>();
        assert_eq!(
            messages(&fast_errors),
            messages(&slow_errors),
            "errors differ for:\n{text}"
        );
    }
});
