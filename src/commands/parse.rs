//! `dockpolicy parse`: prints exactly the JSON that policies will see.

use rayon::prelude::*;
use serde_json::{Map, Value, json};

use super::{Inputs, Loaded, Purpose, input_error, pool};
use crate::cli::ParseArgs;
use crate::input::InputError;
use crate::report::exit;

pub fn run(args: &ParseArgs) -> anyhow::Result<i32> {
    let inputs = Inputs::collect(&args.input, Purpose::Parse)?;
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
    // Valid JSON either way; invisible and bidi characters as `\uXXXX` so a terminal
    // shows what the input holds (see `report::json`), `<`, `>` and `&` too, as Go's
    // encoder escapes them. Object keys are sorted, as Go prints a map; conftest indents
    // a combined array with tabs and ends it with an empty line.
    if !errors.is_empty() && values.is_empty() && combined.is_empty() {
        // Nothing parsed: only the errors, as conftest prints nothing on standard output.
    } else if args.input.combine {
        // Each entry is a Go struct there: `path` before `contents`, whatever the order.
        combined.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
        for entry in &mut combined {
            if let Some(contents) = entry.get_mut("contents") {
                sort_keys(contents);
            }
        }
        let out = Value::Array(combined);
        println!(
            "{}\n",
            crate::report::json::to_string_pretty_tabs_safe(&out)
        );
    } else {
        let mut out = if values.len() == 1 && errors.is_empty() {
            values.remove(0).1
        } else {
            Value::Object(values.into_iter().collect::<Map<_, _>>())
        };
        sort_keys(&mut out);
        println!("{}", crate::report::json::to_string_pretty_go(&out));
    }
    super::eprint_errors(&errors);
    Ok(if errors.is_empty() {
        exit::CLEAN
    } else {
        exit::TOOL_ERROR
    })
}

/// Sorts the keys of every object in `value`. (Parsed documents nest at most as deep as
/// the parsers allow, so the recursion is bounded.)
fn sort_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.sort_keys();
            map.values_mut().for_each(sort_keys);
        }
        Value::Array(items) => items.iter_mut().for_each(sort_keys),
        _ => {}
    }
}
