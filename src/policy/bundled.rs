//! The bundled practice library, compiled into the binary by `build.rs`.

include!(concat!(env!("OUT_DIR"), "/bundled_policies.rs"));

/// The bundled policy modules (tests excluded), as (virtual path, source).
pub fn policies() -> impl Iterator<Item = (String, &'static str)> {
    FILES
        .iter()
        .filter(|(path, _)| !path.ends_with("_test.rego"))
        .map(|(path, src)| (format!("<bundled>/policies/{path}"), *src))
}

/// The bundled test modules, for `verify`.
pub fn tests() -> impl Iterator<Item = (String, &'static str)> {
    FILES
        .iter()
        .filter(|(path, _)| path.ends_with("_test.rego"))
        .map(|(path, src)| (format!("<bundled>/policies/{path}"), *src))
}

/// The bundled rules that `gatekeeper export` exports (`custom.gatekeeper: true` in their
/// METADATA), as (id, slug), by id.
pub fn gatekeeper_rules() -> Vec<(String, String)> {
    let mut rules: Vec<(String, String)> = policies()
        .filter_map(|(_, source)| super::metadata::extract(source).ok().flatten())
        .filter(|(_, meta)| meta.custom.gatekeeper)
        .filter_map(|(_, meta)| Some((meta.custom.id?, meta.custom.slug?)))
        .collect();
    rules.sort();
    rules
}
