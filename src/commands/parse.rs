//! `dockpolicy parse`: prints exactly the JSON that policies will see.

use rayon::prelude::*;
use serde_json::{Map, Value, json};

use super::{Inputs, Loaded, input_error, pool};
use crate::cli::ParseArgs;
use crate::input::InputError;
use crate::report::exit;

pub fn run(args: &ParseArgs) -> anyhow::Result<i32> {
    let inputs = Inputs::collect(&args.input, false)?;
    // Each file becomes JSON on the worker that parsed it: with `--combine` its entries
    // (one per document), otherwise the whole file.
    let loaded: Vec<(String, Result<Value, InputError>)> = pool(Some(super::test::worker_count(
        args.input.threads,
        inputs.targets.len(),
    )))?
    .install(|| {
        inputs
            .targets
            .par_iter()
            .map(|t| {
                let Loaded {
                    filename, parsed, ..
                } = inputs.load(t);
                let json = parsed.map(|p| {
                    if args.input.combine {
                        let entries = p
                            .documents
                            .into_iter()
                            .map(|d| json!({"path": filename, "contents": d.into_json()}));
                        Value::Array(entries.collect())
                    } else {
                        p.into_whole()
                    }
                });
                (filename, json)
            })
            .collect()
    });
    let mut errors = inputs.errors.clone();
    let mut values: Vec<(String, Value)> = Vec::new();
    let mut combined: Vec<Value> = Vec::new();
    for (filename, json) in loaded {
        match json {
            Ok(Value::Array(entries)) if args.input.combine => combined.extend(entries),
            Ok(whole) => values.push((filename, whole)),
            Err(e) => errors.push(input_error(&filename, &e)),
        }
    }
    let out = if args.input.combine {
        Value::Array(combined)
    } else if values.len() == 1 && errors.is_empty() {
        values.remove(0).1
    } else {
        Value::Object(values.into_iter().collect::<Map<_, _>>())
    };
    // Valid JSON either way; invisible and bidi characters as `\uXXXX` so a terminal
    // shows what the input holds (see `report::json`).
    println!("{}", crate::report::json::to_string_pretty_safe(&out));
    super::eprint_errors(&errors);
    Ok(if errors.is_empty() {
        exit::CLEAN
    } else {
        exit::TOOL_ERROR
    })
}
