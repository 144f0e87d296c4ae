// Certificate chain verification as OPA asks Go's `x509.Certificate.Verify` for it: the
// first certificate is the only root, the last is the leaf, the others are intermediates.
// A chain holds when each certificate is signed by the next (with an algorithm Go still
// trusts), every certificate is within its validity period at the current time, every
// issuer is a CA allowed to sign certificates and within its path length, the leaf has no
// critical extension Go does not understand, the extended key usages allow the requested
// ones, and the leaf carries the requested DNS name.
use super::certificate::{go_signature_algorithm, ParsedCertificate};
use super::keys::{EcdsaEncoding, Hash, Scheme};
use crate::value::{Object, Value};

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use anyhow::{bail, Result};
use der::Encode;

/// Go's `x509.ExtKeyUsage` numbers for the names OPA accepts in `KeyUsages`.
const KEY_USAGE_NAMES: [(&str, u8); 14] = [
    ("KeyUsageAny", 0),
    ("KeyUsageServerAuth", 1),
    ("KeyUsageClientAuth", 2),
    ("KeyUsageCodeSigning", 3),
    ("KeyUsageEmailProtection", 4),
    ("KeyUsageIPSECEndSystem", 5),
    ("KeyUsageIPSECTunnel", 6),
    ("KeyUsageIPSECUser", 7),
    ("KeyUsageTimeStamping", 8),
    ("KeyUsageOCSPSigning", 9),
    ("KeyUsageMicrosoftServerGatedCrypto", 10),
    ("KeyUsageNetscapeServerGatedCrypto", 11),
    ("KeyUsageMicrosoftCommercialCodeSigning", 12),
    ("KeyUsageMicrosoftKernelCodeSigning", 13),
];
const EXT_KEY_USAGE_ANY: u8 = 0;
const EXT_KEY_USAGE_SERVER_AUTH: u8 = 1;
const KEY_USAGE_CERT_SIGN: u16 = 1 << 5;

#[derive(Default)]
pub struct VerifyOptions {
    dns_name: String,
    /// Nanoseconds since the epoch; the wall clock when absent.
    current_time: Option<i64>,
    key_usages: Vec<u8>,
}

impl VerifyOptions {
    /// The options object of `parse_and_verify_certificates_with_options`, checked as OPA
    /// checks it.
    pub fn from_rego(options: &Object) -> Result<Self> {
        let mut parsed = VerifyOptions::default();
        for (key, value) in options.iter() {
            let Value::String(key) = key else {
                continue;
            };
            match key.as_ref() {
                "DNSName" => match value {
                    Value::String(s) => parsed.dns_name = s.trim_matches('"').to_string(),
                    _ => bail!("'DNSName' should be a string"),
                },
                "CurrentTime" => match value {
                    Value::Number(n) => match n.as_i64() {
                        Some(ns) => parsed.current_time = Some(ns),
                        None => bail!("'CurrentTime' should be a valid int64 number"),
                    },
                    _ => bail!("'CurrentTime' should be a number"),
                },
                "MaxConstraintComparisons" => match value {
                    Value::Number(n) if n.as_i64().is_some() => {}
                    Value::Number(_) => {
                        bail!("'MaxConstraintComparisons' should be a valid number")
                    }
                    _ => bail!("'MaxConstraintComparisons' should be a number"),
                },
                "KeyUsages" => {
                    let names: Vec<&Value> = match value {
                        Value::Array(a) => a.iter().collect(),
                        Value::Set(s) => s.iter().collect(),
                        _ => bail!("'KeyUsages' should be an Array or Set"),
                    };
                    let mut invalid = Vec::new();
                    for name in names {
                        if let Value::String(name) = name {
                            let name = name.trim_matches('"');
                            match KEY_USAGE_NAMES.iter().find(|(n, _)| *n == name) {
                                Some((_, usage)) => parsed.key_usages.push(*usage),
                                None => invalid.push(name.to_string()),
                            }
                        }
                    }
                    if !invalid.is_empty() {
                        bail!(
                            "invalid entries for 'KeyUsages' found: [{}]",
                            invalid.join(" ")
                        );
                    }
                }
                _ => bail!("invalid key option"),
            }
        }
        Ok(parsed)
    }

    fn now_seconds(&self) -> i64 {
        match self.current_time {
            Some(ns) => ns.div_euclid(1_000_000_000),
            None => chrono::Utc::now().timestamp(),
        }
    }
}

/// The verified chain, leaf first, as indexes into `certs`; `None` when it does not verify.
pub fn verify(certs: &[ParsedCertificate], options: &VerifyOptions) -> Option<Vec<usize>> {
    if certs.len() < 2 {
        return None;
    }
    let leaf = certs.len() - 1;
    let now = options.now_seconds();
    if !within_validity(&certs[leaf], now) || !certs[leaf].facts.unhandled_critical.is_empty() {
        return None;
    }
    if !options.dns_name.is_empty() && !matches_host(&certs[leaf], &options.dns_name) {
        return None;
    }
    let chain = if certs[leaf].raw == certs[0].raw {
        alloc::vec![leaf]
    } else {
        extend_chain(certs, alloc::vec![leaf], now)?
    };
    let mut usages = options.key_usages.clone();
    if usages.is_empty() {
        usages.push(EXT_KEY_USAGE_SERVER_AUTH);
    }
    if usages.contains(&EXT_KEY_USAGE_ANY) || key_usages_allowed(certs, &chain, usages) {
        Some(chain)
    } else {
        None
    }
}

/// Depth first, as Go: the root if it issued the chain's last certificate, else each
/// intermediate that did and is not in the chain yet.
fn extend_chain(certs: &[ParsedCertificate], chain: Vec<usize>, now: i64) -> Option<Vec<usize>> {
    let child = &certs[*chain.last()?];
    let intermediates = 1..certs.len() - 1;
    for parent in core::iter::once(0).chain(intermediates) {
        if chain.contains(&parent) || !issued(&certs[parent], child) {
            continue;
        }
        let candidate = &certs[parent];
        let is_root = parent == 0;
        if !within_validity(candidate, now) {
            continue;
        }
        if !is_root && !(candidate.facts.basic_constraints_valid && candidate.facts.is_ca) {
            continue;
        }
        let intermediates_below = i64::try_from(chain.len()).ok()? - 1;
        if candidate.facts.basic_constraints_valid
            && candidate.facts.max_path_len >= 0
            && intermediates_below > candidate.facts.max_path_len
        {
            continue;
        }
        let mut longer = chain.clone();
        longer.push(parent);
        if is_root {
            return Some(longer);
        }
        if let Some(found) = extend_chain(certs, longer, now) {
            return Some(found);
        }
    }
    None
}

/// Whether `parent` signed `child`: names match, the parent may sign certificates, and the
/// signature verifies (Go refuses MD5 and SHA-1 signatures).
fn issued(parent: &ParsedCertificate, child: &ParsedCertificate) -> bool {
    if parent.subject_der() != child.issuer_der() {
        return false;
    }
    let facts = &parent.facts;
    let version = parent.cert.tbs_certificate.version as u8 + 1;
    if (version == 3 && !facts.basic_constraints_valid)
        || (facts.basic_constraints_valid && !facts.is_ca)
    {
        return false;
    }
    if facts.key_usage != 0 && facts.key_usage & KEY_USAGE_CERT_SIGN == 0 {
        return false;
    }
    let Some(key) = &parent.public_key else {
        return false;
    };
    let der = EcdsaEncoding::Der;
    let scheme = match go_signature_algorithm(&child.cert.signature_algorithm) {
        4 => Scheme::Pkcs1v15(Hash::Sha256),
        5 => Scheme::Pkcs1v15(Hash::Sha384),
        6 => Scheme::Pkcs1v15(Hash::Sha512),
        10 => Scheme::Ecdsa(Hash::Sha256, der),
        11 => Scheme::Ecdsa(Hash::Sha384, der),
        12 => Scheme::Ecdsa(Hash::Sha512, der),
        13 => Scheme::Pss {
            hash: Hash::Sha256,
            any_salt: false,
        },
        14 => Scheme::Pss {
            hash: Hash::Sha384,
            any_salt: false,
        },
        15 => Scheme::Pss {
            hash: Hash::Sha512,
            any_salt: false,
        },
        16 => Scheme::Ed25519,
        _ => return false,
    };
    let Ok(tbs) = child.cert.tbs_certificate.to_der() else {
        return false;
    };
    key.verifies(scheme, &tbs, child.cert.signature.raw_bytes())
}

fn within_validity(cert: &ParsedCertificate, now: i64) -> bool {
    let validity = &cert.cert.tbs_certificate.validity;
    let seconds = |t: &x509_cert::time::Time| t.to_unix_duration().as_secs() as i64;
    seconds(&validity.not_before) <= now && now <= seconds(&validity.not_after)
}

/// Go's `checkChainForKeyUsage`: each certificate that restricts its extended key usages
/// narrows the requested ones; the chain holds while one is left.
fn key_usages_allowed(certs: &[ParsedCertificate], chain: &[usize], mut usages: Vec<u8>) -> bool {
    for &index in chain.iter().rev() {
        let facts = &certs[index].facts;
        if facts.ext_key_usage.is_empty() && facts.unknown_ext_key_usage.is_empty() {
            continue;
        }
        if facts.ext_key_usage.contains(&EXT_KEY_USAGE_ANY) {
            continue;
        }
        usages.retain(|usage| facts.ext_key_usage.contains(usage));
        if usages.is_empty() {
            return false;
        }
    }
    true
}

/// Go's `VerifyHostname` against the subject alternative names (the common name is not
/// consulted).
fn matches_host(cert: &ParsedCertificate, host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<core::net::IpAddr>() {
        return cert.facts.sans.ips.iter().any(|san| {
            san.parse::<core::net::IpAddr>()
                .is_ok_and(|candidate| candidate == ip)
        });
    }
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    cert.facts.sans.dns.iter().any(|pattern| {
        let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
        match pattern.strip_prefix("*.") {
            Some(suffix) => host
                .split_once('.')
                .is_some_and(|(first, rest)| !first.is_empty() && rest == suffix),
            None => pattern == host,
        }
    })
}
