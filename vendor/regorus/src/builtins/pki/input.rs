// Certificates and keys reach OPA's builtins as PEM text, as base64 of PEM, or as base64 of
// DER; this reads them the way OPA does (Go's encoding/pem and encoding/base64).
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use anyhow::{anyhow, bail, Result};

/// The PEM blocks in `data`, in order, as (type, decoded bytes). Text around and between
/// blocks is skipped, and so is a block whose body is not base64, as Go's `pem.Decode` does.
pub fn pem_blocks(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let text = String::from_utf8_lossy(data);
    let mut blocks = Vec::new();
    let mut rest: &str = &text;
    while let Some(begin) = rest.find("-----BEGIN ") {
        let after_begin = &rest[begin + "-----BEGIN ".len()..];
        let Some(label_end) = after_begin.find("-----") else {
            break;
        };
        let label = after_begin[..label_end].to_string();
        let body_start = &after_begin[label_end + "-----".len()..];
        let end_marker = alloc::format!("-----END {label}-----");
        let Some(body_end) = body_start.find(&end_marker) else {
            rest = body_start;
            continue;
        };
        let body: String = body_start[..body_end]
            .lines()
            .filter(|line| !line.contains(':'))
            .flat_map(|line| line.chars())
            .filter(|c| !c.is_whitespace())
            .collect();
        if let Ok(der) = data_encoding::BASE64.decode(body.as_bytes()) {
            blocks.push((label, der));
        }
        rest = &body_start[body_end + end_marker.len()..];
    }
    blocks
}

/// Standard base64 as Go decodes it: padding required, line breaks ignored.
pub fn base64_std(text: &str) -> Result<Vec<u8>> {
    let cleaned: String = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    data_encoding::BASE64
        .decode(cleaned.as_bytes())
        .map_err(|e| {
            anyhow!(
                "illegal base64 data at input byte {}",
                match e.kind {
                    data_encoding::DecodeKind::Length => cleaned.len() / 4 * 4,
                    _ => e.position,
                }
            )
        })
}

/// The DER of each certificate in `input`: PEM, base64 of PEM, or base64 of DER (one or
/// more certificates back to back).
pub fn certificate_ders(input: &str) -> Result<Vec<u8>> {
    if input.starts_with("-----BEGIN") {
        return certificate_ders_from_pem(input.as_bytes());
    }
    let decoded = base64_std(input)?;
    if decoded.starts_with(b"-----BEGIN") {
        return certificate_ders_from_pem(&decoded);
    }
    Ok(decoded)
}

fn certificate_ders_from_pem(data: &[u8]) -> Result<Vec<u8>> {
    let mut ders = Vec::new();
    for (label, der) in pem_blocks(data) {
        if label != "CERTIFICATE" {
            bail!("PEM block type is '{label}', expected CERTIFICATE");
        }
        ders.extend(der);
    }
    Ok(ders)
}

/// The first PEM block in `text` and the text after its end line, as Go's `pem.Decode`.
pub fn first_pem_block(text: &str) -> Option<(String, Vec<u8>, &str)> {
    let begin = text.find("-----BEGIN ")?;
    let after_begin = &text[begin + "-----BEGIN ".len()..];
    let label_end = after_begin.find("-----")?;
    let label = &after_begin[..label_end];
    let end_marker = alloc::format!("-----END {label}-----");
    let body_end = after_begin.find(&end_marker)?;
    let after_end = &after_begin[body_end + end_marker.len()..];
    let rest = match after_end.find('\n') {
        Some(newline) => &after_end[newline + 1..],
        None => "",
    };
    let (label, der) = pem_blocks(text[begin..text.len() - rest.len()].as_bytes())
        .into_iter()
        .next()?;
    Some((label, der, rest))
}
