//! `--capabilities FILE`: an OPA capabilities document (`opa capabilities` prints one)
//! restricts the builtins a user's policies may call; a call of one it does not list is
//! refused at load, as OPA's compiler refuses it (`undefined function`).

use std::collections::BTreeSet;
use std::path::Path;

use regorus::unstable::{Rule, RuleHead};

use super::LoadError;
use super::load::code_only;
use crate::input::confine;

/// Largest capabilities file read (OPA's own lists every builtin in about 200 KB).
const MAX_SIZE: u64 = 16 * 1024 * 1024;

/// The builtin names the capabilities file at `path` allows.
fn allowed_builtins(path: &Path) -> Result<BTreeSet<String>, LoadError> {
    let error = |message: String| LoadError::Capabilities {
        path: path.display().to_string(),
        message,
    };
    let bytes = confine::read_capped_at(path, MAX_SIZE).map_err(|e| error(e.reason()))?;
    let document: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| error(format!("not valid JSON: {e}")))?;
    let builtins = match document.get("builtins") {
        None | Some(serde_json::Value::Null) => return Ok(BTreeSet::new()),
        Some(serde_json::Value::Array(list)) => list,
        Some(_) => return Err(error("`builtins` must be a list".into())),
    };
    builtins
        .iter()
        .map(|b| {
            b.get("name")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| error("every builtin needs a string `name`".into()))
        })
        .collect()
}

/// Refuses the first call, in the user's policies (`sources`: name and text), of a builtin
/// that the capabilities file at `path` does not list. Functions the policies define
/// themselves are not builtins, whatever their name.
pub fn check(
    path: &Path,
    engine: &mut regorus::Engine,
    sources: &[(String, String)],
) -> Result<(), LoadError> {
    let allowed = allowed_builtins(path)?;
    let defined = defined_functions(engine);
    for (file, source) in sources {
        for (name, line) in super::syntax::calls(&code_only(source)) {
            let builtin = regorus::unstable::BUILTINS.contains_key(name.as_str())
                || matches!(name.as_str(), "print" | "trace");
            if builtin && !defined.contains(&name) && !allowed.contains(&name) {
                return Err(LoadError::Policy {
                    path: file.clone(),
                    message: format!("line {line}: undefined function {name}"),
                });
            }
        }
    }
    Ok(())
}

/// The names of the functions the loaded policies define (the last part of each head).
fn defined_functions(engine: &mut regorus::Engine) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for module in engine.get_modules() {
        for rule in &module.policy {
            if let Rule::Spec {
                head: RuleHead::Func { refr, .. },
                ..
            } = rule.as_ref()
                && let Ok(path) = regorus::utils::get_path_string(refr, None)
                && let Some(last) = path.rsplit('.').next()
            {
                names.insert(last.to_owned());
            }
        }
    }
    names
}
