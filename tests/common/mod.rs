//! Helpers shared by the integration tests (each test file is its own crate and includes
//! this module with `mod common;`).

use serde_json::Value;

/// The failures and warnings of one entry of a `test -o json` report.
pub fn failures_and_warnings(entry: &Value) -> impl Iterator<Item = Value> {
    let list = |key: &str| entry[key].as_array().cloned().unwrap_or_default();
    list("failures").into_iter().chain(list("warnings"))
}
