//! SPDX identifiers and the small structured values of tag-value lines, checked as
//! tools-golang checks them. Identifiers are kept without their `SPDXRef-` and
//! `DocumentRef-` prefixes, and written back with them, as its JSON does.

use serde_json::Value;

const ELEMENT_PREFIX: &str = "SPDXRef-";
const DOCUMENT_PREFIX: &str = "DocumentRef-";

/// `SPDXRef-x` → `x`.
pub fn element_id(value: &str) -> Result<String, String> {
    let Some(id) = value.strip_prefix(ELEMENT_PREFIX) else {
        return Err("missing SPDXRef- prefix for element identifier".to_owned());
    };
    if value.contains(':') {
        return Err("invalid colon in element identifier".to_owned());
    }
    if id.is_empty() {
        return Err("element identifier has nothing after prefix".to_owned());
    }
    Ok(id.to_owned())
}

/// An element of this or another document (`DocumentRef-d:SPDXRef-x`), or a special value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElementRef {
    Element {
        document: Option<String>,
        id: String,
    },
    /// `NONE` or `NOASSERTION`.
    Special(String),
}

impl ElementRef {
    /// `SPDXRef-x` or `DocumentRef-d:SPDXRef-x`.
    pub fn parse(value: &str) -> Result<ElementRef, String> {
        let mut id = value;
        let mut document = None;
        if value.starts_with(DOCUMENT_PREFIX) {
            let parts: Vec<&str> = value.split(':').collect();
            match parts.len() {
                1 => return Err("no colon found although DocumentRef- prefix present".to_owned()),
                2 => {}
                _ => return Err("more than one colon found".to_owned()),
            }
            let name = &parts[0][DOCUMENT_PREFIX.len()..];
            if name.is_empty() {
                return Err("document identifier has nothing after prefix".to_owned());
            }
            document = Some(name.to_owned());
            id = parts[1];
        }
        let Some(element) = id.strip_prefix(ELEMENT_PREFIX) else {
            return Err("missing SPDXRef- prefix for element identifier".to_owned());
        };
        if id.contains(':') {
            return Err("invalid colon in element identifier".to_owned());
        }
        if element.is_empty() {
            return Err("element identifier has nothing after prefix".to_owned());
        }
        Ok(ElementRef::Element {
            document,
            id: element.to_owned(),
        })
    }

    /// As `parse`, or one of the `special` words.
    pub fn parse_or_special(value: &str, special: &[&str]) -> Result<ElementRef, String> {
        if special.contains(&value) {
            return Ok(ElementRef::Special(value.to_owned()));
        }
        ElementRef::parse(value)
    }

    pub fn to_json(&self) -> Value {
        match self {
            ElementRef::Element {
                document: Some(document),
                id,
            } => Value::String(format!(
                "{}:{}",
                with_prefix(DOCUMENT_PREFIX, document),
                with_prefix(ELEMENT_PREFIX, id)
            )),
            ElementRef::Element { document: None, id } => element_json(id),
            ElementRef::Special(word) => Value::String(word.clone()),
        }
    }
}

/// An element identifier as JSON: tools-golang adds the prefix unless the identifier
/// already starts with it (so `SPDXRef-SPDXRef-x` is written `SPDXRef-x`).
pub fn element_json(id: &str) -> Value {
    Value::String(with_prefix(ELEMENT_PREFIX, id))
}

/// A document identifier as JSON, by the same rule.
pub fn document_json(id: &str) -> Value {
    Value::String(with_prefix(DOCUMENT_PREFIX, id))
}

fn with_prefix(prefix: &str, id: &str) -> String {
    if id.starts_with(prefix) {
        id.to_owned()
    } else {
        format!("{prefix}{id}")
    }
}

/// `Kind: rest` → `(Kind, rest)`, both trimmed.
pub fn kind_and_rest(value: &str) -> Result<(&str, &str), String> {
    value
        .split_once(':')
        .map(|(kind, rest)| (kind.trim(), rest.trim()))
        .ok_or_else(|| format!("invalid subvalue format for {value} (no colon found)"))
}

/// The words of a value separated by spaces (tabs stay inside words, as there).
pub fn words(value: &str) -> Vec<&str> {
    value
        .split(' ')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect()
}

/// `DocumentRef-d URI ALG: checksum` (or `ALG:checksum`) → `(d, URI, ALG, checksum)`.
pub fn external_document(value: &str) -> Result<[String; 4], String> {
    let words = words(value);
    let (id, uri, algorithm, checksum) = match words.as_slice() {
        [id, uri, algorithm, checksum] => {
            let Some(algorithm) = algorithm.strip_suffix(':') else {
                return Err("algorithm does not end with colon".to_owned());
            };
            (*id, *uri, algorithm, *checksum)
        }
        [id, uri, both] => {
            let Some((algorithm, checksum)) = both.split_once(':') else {
                return Err("missing colon separator between algorithm and checksum".to_owned());
            };
            (*id, *uri, algorithm, checksum)
        }
        other => return Err(format!("expected 4 elements, got {}", other.len())),
    };
    let Some(name) = id.strip_prefix(DOCUMENT_PREFIX) else {
        return Err("expected first element to have DocumentRef- prefix".to_owned());
    };
    if name.is_empty() {
        return Err("document identifier has nothing after prefix".to_owned());
    }
    Ok([name, uri, algorithm, checksum].map(str::to_owned))
}

/// A decimal integer as Go's `strconv.Atoi` reads it, with its error messages.
pub fn go_atoi(text: &str) -> Result<i64, String> {
    use std::num::IntErrorKind;
    text.parse::<i64>().map_err(|e| {
        let why = match e.kind() {
            IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => "value out of range",
            _ => "invalid syntax",
        };
        format!("strconv.Atoi: parsing {text:?}: {why}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_identifiers_need_their_prefix_and_no_colon() {
        assert_eq!(element_id("SPDXRef-a").unwrap(), "a");
        assert!(element_id("a").unwrap_err().contains("missing SPDXRef-"));
        assert!(
            element_id("SPDXRef-")
                .unwrap_err()
                .contains("nothing after")
        );
        assert!(element_id("SPDXRef-a:b").unwrap_err().contains("colon"));
        assert_eq!(element_json("SPDXRef-x"), "SPDXRef-x");
        assert_eq!(element_json(""), "SPDXRef-");
    }

    #[test]
    fn references_to_other_documents() {
        let r = ElementRef::parse("DocumentRef-d:SPDXRef-x").unwrap();
        assert_eq!(r.to_json(), "DocumentRef-d:SPDXRef-x");
        assert!(ElementRef::parse("DocumentRef-d").is_err());
        assert!(ElementRef::parse("DocumentRef-d:a:b").is_err());
        assert!(ElementRef::parse("DocumentRef-:SPDXRef-x").is_err());
        assert!(ElementRef::parse("NONE").is_err());
        let special = ElementRef::parse_or_special("NONE", &["NONE", "NOASSERTION"]).unwrap();
        assert_eq!(special.to_json(), "NONE");
    }

    #[test]
    fn external_documents_take_both_checksum_spellings() {
        let [id, _, alg, sum] = external_document("DocumentRef-a http://x SHA1: abc").unwrap();
        assert_eq!(
            (id.as_str(), alg.as_str(), sum.as_str()),
            ("a", "SHA1", "abc")
        );
        let [_, _, alg, sum] = external_document("DocumentRef-a  http://x MD5:def").unwrap();
        assert_eq!((alg.as_str(), sum.as_str()), ("MD5", "def"));
        assert!(external_document("DocumentRef-a http://x SHA1 abc").is_err());
        assert!(external_document("a http://x SHA1: abc").is_err());
        assert!(external_document("a").unwrap_err().contains("got 1"));
    }

    #[test]
    fn integers_as_go_reads_them() {
        assert_eq!(go_atoi("+7"), Ok(7));
        assert_eq!(go_atoi("-7"), Ok(-7));
        assert!(go_atoi("a").unwrap_err().ends_with("invalid syntax"));
        assert!(go_atoi("").unwrap_err().ends_with("invalid syntax"));
        assert!(
            go_atoi("99999999999999999999")
                .unwrap_err()
                .ends_with("out of range")
        );
    }
}
