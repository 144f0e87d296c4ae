//! Software bills of materials, as conftest's `cyclonedx` parser reads them: a CycloneDX
//! BOM in JSON is checked to be a BOM (a JSON object) and given to policies as it is; text
//! that is not JSON is read as a BOM in XML, given as conftest makes it JSON (`sbom_xml`).
//! conftest selects this parser by name only (`--parser cyclonedx`, or a file ending in
//! `.cyclonedx`); a `bom.json` is plain JSON there, and a `bom.xml` plain XML, and here.

use serde_json::Value;

/// Parses a CycloneDX BOM in JSON or XML.
pub fn parse_cyclonedx(text: &str) -> Result<Value, (Option<usize>, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(_) => return super::sbom_xml::parse(text),
    };
    if !value.is_object() {
        return Err((None, "decode CycloneDX BOM: not a JSON object".to_owned()));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_bom_is_given_as_it_is() {
        let bom = r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}"#;
        assert_eq!(parse_cyclonedx(bom).unwrap()["bomFormat"], "CycloneDX");
        assert!(parse_cyclonedx("[1]").is_err());
        assert_eq!(
            parse_cyclonedx("<bom/>").unwrap()["specVersion"],
            "SpecVersion(0)"
        );
        assert!(parse_cyclonedx("{").is_err());
    }
}
