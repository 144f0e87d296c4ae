//! A memory limit for one builtin call.
//!
//! regorus checks `--memory-limit` between evaluation steps, never inside a builtin, and
//! values share their parts: an array of a million references to one 1 MiB string costs
//! a few MB, yet `concat("", that)` asks for 1 TB in one go. With a policy from the
//! scanned repository, `replace(s, "a", s)` on a 1 MiB input grew to 4.2 GB before an
//! allocation failed and the process aborted (exit 134), losing every other file's
//! results. Rust cannot turn a failed allocation into an error, and regorus's allocator
//! (our global allocator) only counts what was granted.
//!
//! So the builtins whose result can be far larger than their arguments are wrapped: the
//! interpreter looks up extensions before builtins, and each wrapper bounds the result's
//! size from its arguments (cheaply, without building it) and refuses the call when the
//! bound is over the per-call limit; otherwise it runs regorus's own builtin, so results
//! are unchanged. A refusal is an error of that evaluation only: the file is reported as
//! a policy error and the other files go on. The bytecode VM has no extensions; it runs
//! only the bundled library (see `load`, which keeps user modules off it).

use std::sync::atomic::{AtomicU64, Ordering};

use regorus::Value;
use regorus::unstable::{BUILTINS, Expr, Ref, Source, Span};

/// Bytes one guarded builtin call may produce (`u64::MAX`: no limit): a quarter of
/// `--memory-limit`, so one call can never take the process past the limit by itself.
static CALL_LIMIT: AtomicU64 = AtomicU64::new(super::DEFAULT_MEMORY_LIMIT / 4);

/// Sets the per-call limit from `--memory-limit` (`None`: no limit).
pub fn set_limit(memory_limit: Option<u64>) {
    let per_call = memory_limit.map_or(u64::MAX, |limit| (limit / 4).max(1));
    CALL_LIMIT.store(per_call, Ordering::Relaxed);
}

fn limit() -> u64 {
    CALL_LIMIT.load(Ordering::Relaxed)
}

/// An upper bound of the bytes a call's result takes, given its arguments; stops counting
/// (returns something over `cap`) as soon as it knows the bound is over `cap`.
type Bound = fn(&[Value], u64) -> u64;

/// The guarded builtins, their argument counts and bounds.
const GUARDED: &[(&str, u8, Bound)] = &[
    ("replace", 3, replace),
    ("strings.replace_n", 2, replace_n),
    ("regex.replace", 3, regex_replace),
    ("concat", 2, concat),
    ("sprintf", 2, sprintf),
    ("split", 2, split),
    ("indexof_n", 2, indexof_n),
    ("json.marshal", 1, json_marshal),
    ("json.marshal_with_options", 2, json_marshal_with_options),
    ("yaml.marshal", 1, yaml_marshal),
    ("array.concat", 2, array_concat),
    ("numbers.range", 2, numbers_range),
    ("numbers.range_step", 3, numbers_range),
    ("walk", 1, walk),
    ("object.union", 2, object_union),
    ("object.union_n", 1, object_union),
    ("base64.encode", 1, encoded),
    ("base64url.encode", 1, encoded),
    ("base64url.encode_no_pad", 1, encoded),
    ("hex.encode", 1, encoded),
    ("urlquery.encode", 1, encoded),
];

/// Registers the guards on `engine`, for every guarded builtin this regorus has.
pub fn register(engine: &mut regorus::Engine) -> Result<(), String> {
    for &(name, nargs, bound) in GUARDED {
        let Some(&(builtin, _)) = BUILTINS.get(name) else {
            continue;
        };
        // regorus's builtins take the call's argument expressions, for their error
        // messages; the real ones are not given to extensions, so placeholders stand in.
        let source =
            Source::from_contents("<builtin>".into(), name.into()).map_err(|e| e.to_string())?;
        let span = Span {
            source,
            line: 1,
            col: 1,
            start: 0,
            end: u32::try_from(name.len()).unwrap_or(0),
        };
        let params: Vec<Ref<Expr>> = (0..nargs)
            .map(|_| {
                Ref::new(Expr::Null {
                    span: span.clone(),
                    value: Value::Null,
                    eidx: 0,
                })
            })
            .collect();
        let call = move |args: Vec<Value>| -> anyhow::Result<Value> {
            let cap = limit();
            if cap != u64::MAX {
                let size = bound(&args, cap);
                if size > cap {
                    anyhow::bail!(
                        "execution exceeded memory limit: {name} would build a result of over \
                         {cap} bytes (the limit for one builtin call is a quarter of --memory-limit)"
                    );
                }
            }
            // Errors pass through as they are: a builtin given the wrong types fails the
            // evaluation, as it does unguarded (and as OPA's type checker refuses it), and
            // one that returns undefined in non-strict mode still does.
            builtin(&span, &params, &args, false)
        };
        engine
            .add_extension(name.into(), nargs, Box::new(call))
            .map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

/// Refuses a rule's value that would be too large to turn into the report's JSON: a
/// value can share its parts (60 nested pairs of one string are 2^60 strings printed),
/// and the conversion, like a builtin, cannot stop half-way.
pub fn check_result(value: &Value) -> Result<(), String> {
    let cap = limit();
    if cap != u64::MAX && printed(value, cap, &no_extra) > cap {
        return Err(format!(
            "execution exceeded memory limit: the rule's value would take over {cap} bytes \
             in the report (the limit for one value is a quarter of --memory-limit)"
        ));
    }
    Ok(())
}

/// Bytes of one value slot (an array element, an object entry's key or value).
const SLOT: u64 = std::mem::size_of::<Value>() as u64;
/// Bytes a scalar takes printed: numbers, `null`, `true` and separators.
const SCALAR: u64 = 32;

fn str_len(v: &Value) -> u64 {
    match v {
        Value::String(s) => s.len() as u64,
        _ => 0,
    }
}

/// The bytes `value` takes printed flat (JSON or YAML, strings escaped at worst 6 bytes
/// per byte), counting a shared part once per appearance, plus `per_node(depth)` for each
/// value. Iterative (a 100,000-deep value must not overflow the stack) and stops as soon
/// as the count passes `cap`.
fn printed(value: &Value, cap: u64, per_node: &dyn Fn(u64) -> u64) -> u64 {
    let mut total: u64 = 0;
    let mut stack: Vec<(&Value, u64)> = vec![(value, 0)];
    while let Some((v, depth)) = stack.pop() {
        total = total.saturating_add(per_node(depth)).saturating_add(SCALAR);
        match v {
            Value::String(s) => total = total.saturating_add((s.len() as u64).saturating_mul(6)),
            Value::Array(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
            Value::Set(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
            Value::Object(fields) => {
                for (k, v) in fields.iter() {
                    stack.push((k, depth + 1));
                    stack.push((v, depth + 1));
                }
            }
            _ => {}
        }
        if total > cap {
            return total;
        }
    }
    total
}

fn no_extra(_: u64) -> u64 {
    0
}

fn replace(args: &[Value], _cap: u64) -> u64 {
    let (Value::String(s), Value::String(old), Value::String(new)) = (&args[0], &args[1], &args[2])
    else {
        return 0;
    };
    // An empty pattern matches at every character boundary.
    let matches = if old.is_empty() {
        s.chars().count() as u64 + 1
    } else {
        s.matches(old.as_ref()).count() as u64
    };
    (s.len() as u64).saturating_add(matches.saturating_mul(new.len() as u64))
}

fn replace_n(args: &[Value], cap: u64) -> u64 {
    let (Value::Object(patterns), Value::String(s)) = (&args[0], &args[1]) else {
        return 0;
    };
    // The patterns apply one after the other, each to the previous one's result, which
    // is not built here: each may at most multiply the length by its replacement's
    // length over its pattern's.
    let mut size = s.len() as u64;
    for (old, new) in patterns.iter() {
        let (old, new) = (str_len(old), str_len(new));
        // An empty pattern matches at every boundary.
        let matches = size.checked_div(old).unwrap_or(size.saturating_add(1));
        size = size.saturating_add(matches.saturating_mul(new));
        if size > cap {
            break;
        }
    }
    size
}

fn regex_replace(args: &[Value], _cap: u64) -> u64 {
    let (Value::String(s), Value::String(pattern), Value::String(with)) =
        (&args[0], &args[1], &args[2])
    else {
        return 0;
    };
    let Ok(re) = regex::Regex::new(pattern) else {
        return 0;
    };
    let (mut matches, mut longest) = (0u64, 0u64);
    for m in re.find_iter(s) {
        matches += 1;
        longest = longest.max(m.len() as u64);
    }
    // Each `$` in the replacement may bring back (a group of) the match.
    let references = with.matches('$').count() as u64;
    let each = (with.len() as u64).saturating_add(references.saturating_mul(longest));
    (s.len() as u64).saturating_add(matches.saturating_mul(each))
}

fn concat(args: &[Value], cap: u64) -> u64 {
    let delimiter = str_len(&args[0]);
    let mut total: u64 = 0;
    let mut add = |item: &Value| {
        total = total
            .saturating_add(str_len(item))
            .saturating_add(delimiter);
        total > cap
    };
    match &args[1] {
        Value::Array(items) => {
            for i in items.iter() {
                if add(i) {
                    break;
                }
            }
        }
        Value::Set(items) => {
            for i in items.iter() {
                if add(i) {
                    break;
                }
            }
        }
        _ => {}
    }
    total
}

fn sprintf(args: &[Value], cap: u64) -> u64 {
    let Value::String(format) = &args[0] else {
        return 0;
    };
    let verbs = format.matches('%').count() as u64;
    // The widest width or precision: `%999999999d` pads to that many bytes; one given by
    // an argument (`%*d`) is at most Go's limit of a million.
    let star = if format.contains('*') { 1_000_000 } else { 0 };
    let widest = format
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|digits| {
            digits
                .parse::<u64>()
                .ok()
                .or((!digits.is_empty()).then_some(u64::MAX))
        })
        .max()
        .unwrap_or(0)
        .max(star);
    // An argument may be printed by every verb (`%[1]v%[1]v...`), and those no verb
    // printed are printed once more after the text (Go's `%!(EXTRA int64=1, ...)`).
    let (largest, all) = match &args[1] {
        Value::Array(items) => items.iter().fold((0u64, 0u64), |(largest, all), i| {
            let size = printed(i, cap, &no_extra).saturating_add(16);
            (largest.max(size), all.saturating_add(size))
        }),
        _ => (0, 0),
    };
    (format.len() as u64)
        .saturating_add(verbs.saturating_mul(widest.saturating_add(largest)))
        .saturating_add(all)
}

fn split(args: &[Value], _cap: u64) -> u64 {
    let (Value::String(s), Value::String(by)) = (&args[0], &args[1]) else {
        return 0;
    };
    let parts = if by.is_empty() {
        s.chars().count() as u64
    } else {
        s.matches(by.as_ref()).count() as u64 + 1
    };
    // Each part is a string of its own: a slot and an allocation header besides its text.
    (s.len() as u64).saturating_add(parts.saturating_mul(SLOT + 32))
}

fn indexof_n(args: &[Value], _cap: u64) -> u64 {
    let (Value::String(s), Value::String(needle)) = (&args[0], &args[1]) else {
        return 0;
    };
    let found = if needle.is_empty() {
        s.chars().count() as u64 + 1
    } else {
        s.matches(needle.as_ref()).count() as u64
    };
    found.saturating_mul(SLOT)
}

fn json_marshal(args: &[Value], cap: u64) -> u64 {
    printed(&args[0], cap, &no_extra)
}

fn json_marshal_with_options(args: &[Value], cap: u64) -> u64 {
    let option = |key: &str| match &args[1] {
        Value::Object(fields) => fields
            .iter()
            .find(|(k, _)| matches!(k, Value::String(s) if s.as_ref() == key))
            .map_or(0, |(_, v)| str_len(v)),
        _ => 0,
    };
    let (prefix, indent) = (option("prefix"), option("indent"));
    // Pretty-printed, each value starts a line: the prefix, then the indent per level.
    let per_line = |depth: u64| {
        prefix
            .saturating_add(indent.saturating_mul(depth))
            .saturating_add(1)
    };
    printed(&args[0], cap, &per_line)
}

fn yaml_marshal(args: &[Value], cap: u64) -> u64 {
    printed(&args[0], cap, &|depth| {
        depth.saturating_mul(2).saturating_add(4)
    })
}

fn array_concat(args: &[Value], _cap: u64) -> u64 {
    let len = |v: &Value| match v {
        Value::Array(items) => items.len() as u64,
        _ => 0,
    };
    len(&args[0])
        .saturating_add(len(&args[1]))
        .saturating_mul(SLOT)
}

fn numbers_range(args: &[Value], _cap: u64) -> u64 {
    let number = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        _ => None,
    };
    let (Some(from), Some(to)) = (number(&args[0]), number(&args[1])) else {
        return 0;
    };
    let step = args
        .get(2)
        .and_then(number)
        .filter(|s| *s > 0.0)
        .unwrap_or(1.0);
    // As a float: the bounds may be far beyond what an integer holds.
    let bytes = (((to - from).abs() / step).floor() + 1.0) * SLOT as f64;
    // A range holds only numbers, and policies have long looped over large ones, which
    // the time limit then stops: it may take the whole memory limit rather than a
    // quarter (`numbers.range(1, 2000000000)`, 32 GB filled at once, may not).
    let share = bytes / 4.0;
    if share.is_finite() && share < u64::MAX as f64 {
        share as u64
    } else {
        u64::MAX
    }
}

fn walk(args: &[Value], cap: u64) -> u64 {
    // One `[path, value]` pair per value, its path as long as the value is deep.
    printed(&args[0], cap, &|depth| {
        depth.saturating_add(3).saturating_mul(SLOT)
    })
}

fn object_union(args: &[Value], cap: u64) -> u64 {
    // A deep merge copies every object it reaches (each shared one once per appearance).
    let mut total: u64 = 0;
    for a in args {
        total = total.saturating_add(printed(a, cap, &|_| SLOT));
        if total > cap {
            break;
        }
    }
    total
}

fn encoded(args: &[Value], _cap: u64) -> u64 {
    str_len(&args[0]).saturating_mul(3).saturating_add(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::from(text)
    }

    #[test]
    fn bounds_follow_the_arguments_not_their_memory() {
        let mib = "a".repeat(1 << 20);
        // Every `a` of a 1 MiB string becomes that string: 1 TiB.
        assert!(replace(&[s(&mib), s("a"), s(&mib)], 1 << 30) > 1 << 40);
        assert_eq!(replace(&[s("abc"), s("b"), s("xy")], 100), 5);
        // A million references to one string.
        let many = Value::from(vec![s(&mib); 1 << 20]);
        assert!(concat(&[s(""), many.clone()], 1 << 30) > 1 << 30);
        assert!(numbers_range(&[Value::from(1), Value::from(2_000_000_000)], 1 << 30) > 1 << 30);
        assert!(numbers_range(&[Value::from(1), Value::from(100_000_000)], 1 << 30) < 1 << 30);
        assert!(array_concat(&[many.clone(), many], 1 << 30) < 1 << 30);
        assert!(
            sprintf(
                &[s("%999999999999d"), Value::from(vec![Value::from(1)])],
                1 << 30
            ) > 1 << 30
        );
        // Arguments no verb prints are printed after the text (`%!(EXTRA ...)`).
        let extra = Value::from(vec![s(&mib); 4]);
        assert!(sprintf(&[s(""), extra], 1 << 30) > 4 << 20);
        // `*` takes the width from an argument, up to Go's limit of a million.
        assert!(sprintf(&[s("%*d"), Value::from(vec![Value::from(1)])], 1 << 30) > 1_000_000);
    }

    #[test]
    fn shared_values_are_counted_per_appearance_and_the_walk_stops_early() {
        // 2^60 leaves from 60 small arrays.
        let mut v = s("x");
        for _ in 0..60 {
            v = Value::from(vec![v.clone(), v]);
        }
        let started = std::time::Instant::now();
        assert!(json_marshal(&[v], 1 << 20) > 1 << 20);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
