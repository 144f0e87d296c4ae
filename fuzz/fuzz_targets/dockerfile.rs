//! The Dockerfile reader: any bytes either parse into the instruction array or give an
//! error with a line inside the file; never a panic, never a hang, never a memory blow-up.
//!
//! ARG expansion's worst cases need large inputs (10,000 nested `${a:-`, 240,000 unclosed
//! `${`, 26 doubling ARGs), far past the few KiB libFuzzer mutates well. So an input that
//! starts with byte 1 is a recipe instead of a file: `\x01`, a 16-bit count n, then up to
//! five parts separated by `\x01` (prefix, open, middle, close, suffix); the file is
//! prefix + open × n + middle + close × n + suffix. `fuzz/seed.sh` writes such recipes and
//! `fuzz/dockerfile.dict` has the expansion tokens.
#![no_main]

use std::collections::HashMap;

use dockpolicy::input::dockerfile::{self, ExpandError, MAX_VALUE_GROWTH};
use dockpolicy::input::{self, Format, dockerfile::Options};
use libfuzzer_sys::fuzz_target;

/// The largest file a recipe may build: past every reproduction (the largest is 480 KB),
/// and large enough that anything quadratic in it takes minutes, so libFuzzer's -timeout
/// catches it; larger would only slow every execution down.
const MAX_BUILT: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((1, recipe)) => {
            if let Some(text) = build(recipe) {
                check(&text);
            }
        }
        _ => {
            if let Ok(text) = input::text_of(data, Format::Dockerfile) {
                check(text);
            }
        }
    }
});

/// prefix + open × n + middle + close × n + suffix, from `[n_hi, n_lo, parts...]`.
fn build(recipe: &[u8]) -> Option<String> {
    let (&[hi, lo], rest) = recipe.split_first_chunk::<2>()?;
    let n = usize::from(u16::from_be_bytes([hi, lo]));
    let mut parts = rest.splitn(5, |&b| b == 1);
    let mut part = || std::str::from_utf8(parts.next().unwrap_or_default()).ok();
    let (prefix, open, middle, close, suffix) = (part()?, part()?, part()?, part()?, part()?);
    let fixed = prefix.len() + middle.len() + suffix.len();
    let n = n.min((MAX_BUILT - fixed.min(MAX_BUILT)) / (open.len() + close.len()).max(1));
    Some([prefix, &open.repeat(n), middle, &close.repeat(n), suffix].concat())
}

fn check(text: &str) {
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
    // The whole text as one word, with values long enough that a few references reach the
    // per-value cap: the result is never more than the cap longer than the word.
    let long = "L".repeat(64 << 10);
    let vars: HashMap<String, String> = [("A", "a"), ("E", ""), ("N", "${A}"), ("L", &long)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    for escape in ['\\', '`'] {
        match dockerfile::expand(text, &vars, escape) {
            Ok(e) => assert!(e.value.len() <= text.len() + MAX_VALUE_GROWTH),
            Err(ExpandError::TooDeep | ExpandError::ValueTooLong) => {}
            Err(e) => panic!("one value alone cannot reach the file's cap: {e}"),
        }
    }
}
