// OPA's certificate and key builtins (`crypto.x509.*`, `crypto.parse_private_keys`): each
// reads PEM, base64 or DER as OPA does and returns what OPA returns, Go's JSON of the parsed
// value.
#![allow(
    clippy::as_conversions,
    clippy::pattern_type_mismatch,
    clippy::unused_trait_names,
    clippy::string_slice,
    clippy::cast_possible_wrap
)]

mod certificate;
mod chain;
mod go_json;
mod input;
pub mod keys;
mod names;
mod pss;

use crate::ast::{Expr, Ref};
use crate::builtins;
use crate::builtins::utils::{ensure_args_count, ensure_object, ensure_string};
use crate::lexer::Span;
use crate::value::Value;

use alloc::vec::Vec;
use anyhow::{anyhow, bail, Result};

pub use certificate::{parse_certificates, ParsedCertificate};
pub use input::first_pem_block;

pub fn register(m: &mut builtins::BuiltinsMap<&'static str, builtins::BuiltinFcn>) {
    m.insert(
        "crypto.x509.parse_certificates",
        (parse_certificates_builtin, 1),
    );
    m.insert(
        "crypto.x509.parse_and_verify_certificates",
        (parse_and_verify_certificates, 1),
    );
    m.insert(
        "crypto.x509.parse_and_verify_certificates_with_options",
        (parse_and_verify_certificates_with_options, 2),
    );
    m.insert(
        "crypto.x509.parse_certificate_request",
        (parse_certificate_request, 1),
    );
    m.insert("crypto.x509.parse_keypair", (parse_keypair, 2));
    m.insert(
        "crypto.x509.parse_rsa_private_key",
        (parse_rsa_private_key, 1),
    );
    m.insert("crypto.parse_private_keys", (parse_private_keys, 1));
}

fn certificates_json(certs: &[ParsedCertificate], uri_strings: bool) -> Value {
    Value::from(
        certs
            .iter()
            .map(|c| c.go_json(uri_strings))
            .collect::<Vec<_>>(),
    )
}

fn parse_certificates_builtin(
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
    _strict: bool,
) -> Result<Value> {
    let name = "crypto.x509.parse_certificates";
    ensure_args_count(span, name, params, args, 1)?;
    let text = ensure_string(name, &params[0], &args[0])?;
    let certs = parse_certificates(&input::certificate_ders(&text)?)?;
    Ok(certificates_json(&certs, true))
}

/// `[false, []]`: what the verifying builtins return for a chain that does not verify.
fn unverified() -> Value {
    Value::from(alloc::vec![Value::from(false), Value::new_array()])
}

fn parse_and_verify_certificates(
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
    _strict: bool,
) -> Result<Value> {
    let name = "crypto.x509.parse_and_verify_certificates";
    ensure_args_count(span, name, params, args, 1)?;
    let text = ensure_string(name, &params[0], &args[0])?;
    verify_chain(&text, &chain::VerifyOptions::default(), true)
}

fn parse_and_verify_certificates_with_options(
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
    _strict: bool,
) -> Result<Value> {
    let name = "crypto.x509.parse_and_verify_certificates_with_options";
    ensure_args_count(span, name, params, args, 2)?;
    let text = ensure_string(name, &params[0], &args[0])?;
    let options = ensure_object(name, &params[1], args[1].clone())?;
    // OPA reads the certificates before the options: input that is not certificates is
    // unverified even when the options are wrong.
    if input::certificate_ders(&text)
        .and_then(|der| parse_certificates(&der))
        .is_err()
    {
        return Ok(unverified());
    }
    let options = chain::VerifyOptions::from_rego(&options)?;
    // OPA returns Go's plain certificates here, without the `URIStrings` it adds elsewhere.
    verify_chain(&text, &options, false)
}

fn verify_chain(text: &str, options: &chain::VerifyOptions, uri_strings: bool) -> Result<Value> {
    let Ok(certs) = input::certificate_ders(text).and_then(|der| parse_certificates(&der)) else {
        return Ok(unverified());
    };
    match chain::verify(&certs, options) {
        Some(verified) => {
            let chain: Vec<Value> = verified
                .iter()
                .map(|&i| certs[i].go_json(uri_strings))
                .collect();
            Ok(Value::from(alloc::vec![
                Value::from(true),
                Value::from(chain)
            ]))
        }
        None => Ok(unverified()),
    }
}

fn parse_certificate_request(
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
    _strict: bool,
) -> Result<Value> {
    let name = "crypto.x509.parse_certificate_request";
    ensure_args_count(span, name, params, args, 1)?;
    let text = ensure_string(name, &params[0], &args[0])?;
    let data = if text.starts_with("-----BEGIN CERTIFICATE REQUEST-----") {
        text.as_bytes().to_vec()
    } else {
        input::base64_std(&text)?
    };
    let der = match input::pem_blocks(&data).into_iter().next() {
        Some((label, _)) if label != "CERTIFICATE REQUEST" => {
            bail!("invalid PEM-encoded certificate signing request")
        }
        Some((_, der)) => der,
        None => data,
    };
    certificate::certificate_request_go_json(&der)
}

fn parse_keypair(
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
    _strict: bool,
) -> Result<Value> {
    let name = "crypto.x509.parse_keypair";
    ensure_args_count(span, name, params, args, 2)?;
    let cert_text = ensure_string(name, &params[0], &args[0])?;
    let key_text = ensure_string(name, &params[1], &args[1])?;
    let pem_or_der = |text: &str, label: &str| -> Result<Vec<(alloc::string::String, Vec<u8>)>> {
        let data = if text.starts_with("-----BEGIN ") {
            text.as_bytes().to_vec()
        } else {
            input::base64_std(text)?
        };
        if data.starts_with(b"-----BEGIN ") {
            Ok(input::pem_blocks(&data))
        } else {
            Ok(alloc::vec![(label.into(), data)])
        }
    };
    let cert_blocks: Vec<Vec<u8>> = pem_or_der(&cert_text, "CERTIFICATE")?
        .into_iter()
        .filter(|(label, _)| label == "CERTIFICATE")
        .map(|(_, der)| der)
        .collect();
    if cert_blocks.is_empty() {
        bail!("tls: failed to find any PEM data in certificate input");
    }
    let key_der = pem_or_der(&key_text, "PRIVATE KEY")?
        .into_iter()
        .find(|(label, _)| label == "PRIVATE KEY" || label.ends_with(" PRIVATE KEY"))
        .map(|(_, der)| der)
        .ok_or_else(|| anyhow!("tls: failed to find any PEM data in key input"))?;
    let key = keys::PrivateKey::from_pkcs1_der(&key_der)
        .or_else(|_| keys::PrivateKey::from_pkcs8_der(&key_der))
        .or_else(|_| keys::PrivateKey::from_sec1_der(&key_der))
        .map_err(|_| anyhow!("tls: failed to parse private key"))?;
    let leaf = parse_certificates(&cert_blocks[0])?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("x509: malformed certificate"))?;
    match &leaf.public_key {
        Some(public) if public.equals(&key.public_key()) => {}
        Some(_) => bail!("tls: private key does not match public key"),
        None => bail!("tls: unknown public key algorithm"),
    }
    let mut out = go_json::GoStruct::new()
        .field(
            "Certificate",
            Value::from(
                cert_blocks
                    .iter()
                    .map(|der| go_json::bytes(der))
                    .collect::<Vec<_>>(),
            ),
        )
        .field("PrivateKey", key.go_json())
        .field("Leaf", leaf.go_json(false));
    for absent in [
        "OCSPStaple",
        "SignedCertificateTimestamps",
        "SupportedSignatureAlgorithms",
    ] {
        out.set(absent, Value::Null);
    }
    Ok(out.build())
}

fn parse_rsa_private_key(
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
    _strict: bool,
) -> Result<Value> {
    let name = "crypto.x509.parse_rsa_private_key";
    ensure_args_count(span, name, params, args, 1)?;
    let text = ensure_string(name, &params[0], &args[0])?;
    if text.is_empty() {
        bail!("input PEM data was empty");
    }
    let pem = if text.starts_with("-----BEGIN") {
        text.to_string()
    } else {
        alloc::string::String::from_utf8_lossy(&input::base64_std(&text)?).into_owned()
    };
    Ok(match keys::private_keys_from_pem(&pem)?.first() {
        Some(key) => key.jwk(),
        None => Value::Null,
    })
}

fn parse_private_keys(
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
    _strict: bool,
) -> Result<Value> {
    let name = "crypto.parse_private_keys";
    ensure_args_count(span, name, params, args, 1)?;
    let text = ensure_string(name, &params[0], &args[0])?;
    if text.is_empty() {
        return Ok(Value::Null);
    }
    let keys = keys::private_keys_from_pem(&text)?;
    Ok(Value::from(
        keys.iter()
            .map(keys::PrivateKey::go_json)
            .collect::<Vec<_>>(),
    ))
}

use alloc::string::ToString;
