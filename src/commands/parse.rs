//! `dockpolicy parse`: prints exactly the JSON that policies will see.

use rayon::prelude::*;
use serde_json::{Map, Value, json};

use super::{Inputs, Loaded, input_error, pool};
use crate::cli::ParseArgs;
use crate::report::exit;

pub fn run(args: &ParseArgs) -> anyhow::Result<i32> {
    let inputs = Inputs::collect(&args.input, false)?;
    let loaded: Vec<Loaded> = pool(args.input.threads)?
        .install(|| inputs.targets.par_iter().map(|t| inputs.load(t)).collect());
    let mut errors = inputs.errors.clone();
    let mut values: Vec<(String, Value)> = Vec::new();
    let mut combined: Vec<Value> = Vec::new();
    for l in loaded {
        match l.parsed {
            Ok(parsed) => {
                combined.extend(
                    parsed
                        .documents
                        .iter()
                        .map(|d| json!({"path": l.filename, "contents": d.to_json()})),
                );
                values.push((l.filename, parsed.whole()));
            }
            Err(e) => errors.push(input_error(&l.filename, &e)),
        }
    }
    let out = if args.input.combine {
        Value::Array(combined)
    } else if values.len() == 1 && errors.is_empty() {
        values.remove(0).1
    } else {
        Value::Object(values.into_iter().collect::<Map<_, _>>())
    };
    println!("{}", serde_json::to_string_pretty(&out)?);
    super::eprint_errors(&errors);
    Ok(if errors.is_empty() {
        exit::CLEAN
    } else {
        exit::TOOL_ERROR
    })
}
