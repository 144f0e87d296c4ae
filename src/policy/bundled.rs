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

/// Every bundled rule, as its package-level METADATA declares it: (package, annotations),
/// by id. Modules without an id (the helpers under `lib/`) are not rules.
pub fn rules() -> Vec<(String, super::metadata::Annotations)> {
    let mut rules: Vec<(String, super::metadata::Annotations)> = policies()
        .filter_map(|(_, source)| super::metadata::extract(source).ok().flatten())
        .filter(|(_, meta)| meta.custom.id.is_some())
        .collect();
    rules.sort_by(|(_, a), (_, b)| a.custom.id.cmp(&b.custom.id));
    rules
}

/// The bundled rules that `gatekeeper export` exports (`custom.gatekeeper: true` in their
/// METADATA), as (id, slug), by id.
pub fn gatekeeper_rules() -> Vec<(String, String)> {
    rules()
        .into_iter()
        .filter(|(_, meta)| meta.custom.gatekeeper)
        .filter_map(|(_, meta)| Some((meta.custom.id?, meta.custom.slug?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `rules()` skips a module whose METADATA does not parse; none may be like that.
    #[test]
    fn every_bundled_metadata_block_parses() {
        for (path, source) in policies() {
            if let Err(e) = super::super::metadata::extract(source) {
                panic!("{path}: {e}");
            }
        }
        assert!(rules().len() >= 12, "bundled rules: {}", rules().len());
    }
}
