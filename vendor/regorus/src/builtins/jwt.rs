// OPA's JSON Web Token builtins (`io.jwt.*`): decoding, signature checks with a secret, a
// PEM certificate or public key, or a JWK (set), full verification with constraints, and
// signing. Errors and results follow OPA: a malformed token or key is an error, a
// signature that does not verify is `false` (or `[false, {}, {}]`).
#![allow(
    clippy::as_conversions,
    clippy::pattern_type_mismatch,
    clippy::unused_trait_names,
    clippy::string_slice,
    clippy::float_arithmetic,
    clippy::cast_precision_loss
)]

use crate::ast::{Expr, Ref};
use crate::builtins;
use crate::builtins::pki::keys::{jws_scheme, Hash, Jwk, PrivateKey, PublicKey, Scheme};
use crate::builtins::utils::{ensure_args_count, ensure_object, ensure_string};
use crate::lexer::Span;
use crate::number::Number;
use crate::value::Value;

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use anyhow::{anyhow, bail, Result};
use hmac::{Hmac, Mac};

pub fn register(m: &mut builtins::BuiltinsMap<&'static str, builtins::BuiltinFcn>) {
    m.insert("io.jwt.decode", (decode, 1));
    m.insert("io.jwt.decode_verify", (decode_verify, 2));
    m.insert("io.jwt.encode_sign", (encode_sign, 3));
    m.insert("io.jwt.encode_sign_raw", (encode_sign_raw, 3));
    m.insert("io.jwt.verify_hs256", (verify_hs256, 2));
    m.insert("io.jwt.verify_hs384", (verify_hs384, 2));
    m.insert("io.jwt.verify_hs512", (verify_hs512, 2));
    m.insert("io.jwt.verify_rs256", (verify_rs256, 2));
    m.insert("io.jwt.verify_rs384", (verify_rs384, 2));
    m.insert("io.jwt.verify_rs512", (verify_rs512, 2));
    m.insert("io.jwt.verify_ps256", (verify_ps256, 2));
    m.insert("io.jwt.verify_ps384", (verify_ps384, 2));
    m.insert("io.jwt.verify_ps512", (verify_ps512, 2));
    m.insert("io.jwt.verify_es256", (verify_es256, 2));
    m.insert("io.jwt.verify_es384", (verify_es384, 2));
    m.insert("io.jwt.verify_es512", (verify_es512, 2));
    m.insert("io.jwt.verify_eddsa", (verify_eddsa, 2));
}

/// A token's three base64url sections, as written.
struct Token {
    header: String,
    payload: String,
    signature: String,
}

impl Token {
    fn split(text: &str) -> Result<Token> {
        if !text.contains('.') {
            bail!("encoded JWT had no period separators");
        }
        let parts: Vec<&str> = text.split('.').collect();
        if parts.len() != 3 {
            bail!("encoded JWT must have 3 sections, found {}", parts.len());
        }
        Ok(Token {
            header: parts[0].to_string(),
            payload: parts[1].to_string(),
            signature: parts[2].to_string(),
        })
    }

    fn signing_input(&self) -> String {
        alloc::format!("{}.{}", self.header, self.payload)
    }

    fn decoded_header(&self) -> Result<Value> {
        let text = base64url_text(&self.header)
            .map_err(|e| anyhow!("JWT header had invalid encoding: {e}"))?;
        let header = json_object(&text).map_err(|e| anyhow!("bad JWT header: {e}"))?;
        if header.as_object()?.contains_key(&Value::from("enc")) {
            bail!("JWT is a JWE object, which is not supported");
        }
        Ok(header)
    }

    fn decoded_payload(&self) -> Result<String> {
        base64url_text(&self.payload).map_err(|e| anyhow!("JWT payload had invalid encoding: {e}"))
    }

    fn decoded_signature(&self) -> Result<Vec<u8>> {
        base64url(&self.signature)
    }
}

/// base64url as OPA's `base64url.decode` reads it: padding optional, trailing bits ignored.
fn base64url(text: &str) -> Result<Vec<u8>> {
    let mut padded = text.to_string();
    while padded.len() % 4 != 0 {
        padded.push('=');
    }
    let mut spec = data_encoding::BASE64URL.specification();
    spec.check_trailing_bits = false;
    let encoding = spec.encoding().map_err(|e| anyhow!("{e}"))?;
    encoding
        .decode(padded.as_bytes())
        .map_err(|e| anyhow!("illegal base64 data at input byte {}", e.position))
}

fn base64url_text(text: &str) -> Result<String> {
    Ok(String::from_utf8_lossy(&base64url(text)?).into_owned())
}

fn base64url_encode(data: &[u8]) -> String {
    data_encoding::BASE64URL_NOPAD.encode(data)
}

fn json_object(text: &str) -> Result<Value> {
    let value = Value::from_json_str(text).map_err(|e| anyhow!("invalid JSON: {e}"))?;
    if value.as_object().is_err() {
        bail!("decoded JSON type was not an Object");
    }
    Ok(value)
}

fn field<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object.as_object().ok()?.get(&Value::from(name))
}

fn string_field(object: &Value, name: &str) -> Option<String> {
    match field(object, name) {
        Some(Value::String(s)) => Some(s.to_string()),
        _ => None,
    }
}

fn decode(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    let name = "io.jwt.decode";
    ensure_args_count(span, name, params, args, 1)?;
    let text = ensure_string(name, &params[0], &args[0])?;
    decode_token(&text)
}

fn decode_token(text: &str) -> Result<Value> {
    let token = Token::split(text)?;
    let header = token.decoded_header()?;
    let payload = token.decoded_payload()?;
    if string_field(&header, "cty").as_deref() == Some("JWT") {
        // A nested token, which jwt.io quotes.
        return decode_token(payload.trim_matches(|c| c == '"' || c == '\''));
    }
    let payload = json_object(&payload)?;
    let signature = base64url(&token.signature)
        .map_err(|e| anyhow!("JWT signature had invalid encoding: {e}"))?;
    Ok(Value::from(alloc::vec![
        header,
        payload,
        Value::from(data_encoding::HEXLOWER.encode(&signature)),
    ]))
}

/// The header fields OPA reads, checked as OPA checks them.
struct Header {
    alg: String,
    kid: String,
    cty: String,
    valid: bool,
}

impl Header {
    fn parse(header: &Value) -> Result<Header> {
        let mut parsed = Header {
            alg: String::new(),
            kid: String::new(),
            cty: String::new(),
            valid: true,
        };
        let mut critical: Vec<String> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        for (key, value) in header.as_object()?.iter() {
            let Value::String(key) = key else {
                continue;
            };
            let text = || match value {
                Value::String(s) => Ok(s.to_string()),
                _ => Err(anyhow!("{key}: must be a string")),
            };
            match key.as_ref() {
                "alg" => parsed.alg = text()?,
                "kid" => parsed.kid = text()?,
                "typ" => {
                    text()?;
                }
                "cty" => parsed.cty = text()?,
                "crit" => {
                    let Value::Array(items) = value else {
                        bail!("crit: must be a list");
                    };
                    critical = items
                        .iter()
                        .filter_map(|item| match item {
                            Value::String(s) => Some(s.to_string()),
                            _ => None,
                        })
                        .collect();
                    if critical.is_empty() {
                        bail!("crit: must be a nonempty list");
                    }
                }
                other => unknown.push(other.to_string()),
            }
        }
        parsed.valid = !parsed.alg.is_empty() && !unknown.iter().any(|u| critical.contains(u));
        Ok(parsed)
    }
}

/// A key to check signatures with, with the `alg` and `kid` a JWK gave it.
struct VerificationKey {
    key: Option<PublicKey>,
    secret: Option<Vec<u8>>,
    alg: String,
    kid: String,
}

/// The keys in a PEM certificate, a PEM public key, or a JWK (set), as OPA reads them.
fn verification_keys(text: &str) -> Result<Vec<VerificationKey>> {
    let plain = |key: Option<PublicKey>| VerificationKey {
        key,
        secret: None,
        alg: String::new(),
        kid: String::new(),
    };
    if let Some((label, der, rest)) = crate::builtins::pki::first_pem_block(text) {
        if !rest.is_empty() {
            bail!("extra data after a PEM certificate block");
        }
        return match label.as_str() {
            "CERTIFICATE" => {
                let cert = crate::builtins::pki::parse_certificates(&der)
                    .ok()
                    .and_then(|c| c.into_iter().next())
                    .ok_or_else(|| anyhow!("failed to parse a PEM certificate"))?;
                Ok(alloc::vec![plain(cert.public_key)])
            }
            "PUBLIC KEY" => {
                let key = PublicKey::from_spki_der(&der)
                    .map_err(|e| anyhow!("failed to parse a PEM public key: {e}"))?;
                Ok(alloc::vec![plain(Some(key))])
            }
            _ => bail!("failed to extract a Key from the PEM certificate"),
        };
    }
    let keys = Jwk::parse_set(text)?;
    Ok(keys
        .into_iter()
        .filter(|k| k.alg.is_empty() || is_known_algorithm(&k.alg))
        .map(|k| VerificationKey {
            key: k.public,
            secret: k.secret,
            alg: k.alg,
            kid: k.kid,
        })
        .collect())
}

fn is_known_algorithm(alg: &str) -> bool {
    hmac_hash(alg).is_some() || jws_scheme(alg).is_some()
}

fn hmac_hash(alg: &str) -> Option<Hash> {
    match alg {
        "HS256" => Some(Hash::Sha256),
        "HS384" => Some(Hash::Sha384),
        "HS512" => Some(Hash::Sha512),
        _ => None,
    }
}

fn hmac(hash: Hash, secret: &[u8], message: &[u8]) -> Vec<u8> {
    fn mac<M: Mac + hmac::digest::KeyInit>(secret: &[u8], message: &[u8]) -> Vec<u8> {
        // HMAC takes a key of any length, so this cannot fail.
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }
    match hash {
        Hash::Sha256 => mac::<Hmac<sha2::Sha256>>(secret, message),
        Hash::Sha384 => mac::<Hmac<sha2::Sha384>>(secret, message),
        Hash::Sha512 => mac::<Hmac<sha2::Sha512>>(secret, message),
    }
}

fn constant_time_equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether `key` made `signature` over `message` with the JWS algorithm `alg`, as
/// `io.jwt.decode_verify` checks it: unlike `io.jwt.verify_ps*`, OPA's JWS library wants a
/// PSS salt as long as the hash.
fn key_verifies(key: &VerificationKey, alg: &str, message: &[u8], signature: &[u8]) -> bool {
    if let Some(hash) = hmac_hash(alg) {
        return key
            .secret
            .as_ref()
            .is_some_and(|secret| constant_time_equal(&hmac(hash, secret, message), signature));
    }
    let scheme = match jws_scheme(alg) {
        Some(Scheme::Pss { hash, .. }) => Some(Scheme::Pss {
            hash,
            any_salt: false,
        }),
        other => other,
    };
    match (&key.key, scheme) {
        (Some(public), Some(scheme)) => public.verifies(scheme, message, signature),
        _ => false,
    }
}

fn verify_hs(
    name: &'static str,
    hash: Hash,
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
) -> Result<Value> {
    ensure_args_count(span, name, params, args, 2)?;
    let text = ensure_string(name, &params[0], &args[0])?;
    let secret = ensure_string(name, &params[1], &args[1])?;
    let token = Token::split(&text)?;
    let expected = hmac(hash, secret.as_bytes(), token.signing_input().as_bytes());
    let signature = token.decoded_signature()?;
    Ok(Value::from(constant_time_equal(&signature, &expected)))
}

/// `io.jwt.verify_<alg>` with a certificate, public key or JWK (set): the key with the
/// token's `kid` if there is one, else any key whose `alg` (when it has one) is the token's.
fn verify_with_keys(
    name: &'static str,
    alg: &str,
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
) -> Result<Value> {
    ensure_args_count(span, name, params, args, 2)?;
    let text = ensure_string(name, &params[0], &args[0])?;
    let token = Token::split(&text)?;
    let key_text = ensure_string(name, &params[1], &args[1])?;
    let keys = verification_keys(&key_text)?;
    let signature = token.decoded_signature()?;
    let header = Header::parse(&token.decoded_header()?)?;
    let message = token.signing_input();
    // The builtin's algorithm, not the header's, decides how the signature is checked.
    let verifies = |key: &VerificationKey| match (&key.key, jws_scheme(alg)) {
        (Some(public), Some(scheme)) => public.verifies(scheme, message.as_bytes(), &signature),
        _ => false,
    };
    if !header.kid.is_empty() {
        if let Some(key) = keys.iter().find(|k| k.kid == header.kid) {
            return Ok(Value::from(verifies(key)));
        }
    }
    let valid = keys
        .iter()
        .filter(|k| k.alg.is_empty() || k.alg == header.alg)
        .any(verifies);
    Ok(Value::from(valid))
}

macro_rules! verify_builtin {
    ($fn_name:ident, $builtin:literal, hs, $hash:expr) => {
        fn $fn_name(
            span: &Span,
            params: &[Ref<Expr>],
            args: &[Value],
            _strict: bool,
        ) -> Result<Value> {
            verify_hs($builtin, $hash, span, params, args)
        }
    };
    ($fn_name:ident, $builtin:literal, $alg:literal) => {
        fn $fn_name(
            span: &Span,
            params: &[Ref<Expr>],
            args: &[Value],
            _strict: bool,
        ) -> Result<Value> {
            verify_with_keys($builtin, $alg, span, params, args)
        }
    };
}

verify_builtin!(verify_hs256, "io.jwt.verify_hs256", hs, Hash::Sha256);
verify_builtin!(verify_hs384, "io.jwt.verify_hs384", hs, Hash::Sha384);
verify_builtin!(verify_hs512, "io.jwt.verify_hs512", hs, Hash::Sha512);
verify_builtin!(verify_rs256, "io.jwt.verify_rs256", "RS256");
verify_builtin!(verify_rs384, "io.jwt.verify_rs384", "RS384");
verify_builtin!(verify_rs512, "io.jwt.verify_rs512", "RS512");
verify_builtin!(verify_ps256, "io.jwt.verify_ps256", "PS256");
verify_builtin!(verify_ps384, "io.jwt.verify_ps384", "PS384");
verify_builtin!(verify_ps512, "io.jwt.verify_ps512", "PS512");
verify_builtin!(verify_es256, "io.jwt.verify_es256", "ES256");
verify_builtin!(verify_es384, "io.jwt.verify_es384", "ES384");
verify_builtin!(verify_es512, "io.jwt.verify_es512", "ES512");
verify_builtin!(verify_eddsa, "io.jwt.verify_eddsa", "EdDSA");

/// The constraints object of `io.jwt.decode_verify`.
struct Constraints {
    keys: Option<Vec<VerificationKey>>,
    secret: String,
    alg: String,
    iss: String,
    aud: String,
    /// Nanoseconds since the epoch.
    time: f64,
}

impl Constraints {
    fn parse(object: &crate::value::Object) -> Result<Constraints> {
        let mut constraints = Constraints {
            keys: None,
            secret: String::new(),
            alg: String::new(),
            iss: String::new(),
            aud: String::new(),
            time: -1.0,
        };
        for (key, value) in object.iter() {
            let key = match key {
                Value::String(k) => k.to_string(),
                other => other.to_string(),
            };
            let text = |name: &str| match value {
                Value::String(s) => Ok(s.to_string()),
                _ => Err(anyhow!("{name} constraint: must be a string")),
            };
            match key.as_str() {
                "cert" => {
                    let Value::String(s) = value else {
                        bail!("cert constraint: must be a string");
                    };
                    constraints.keys = Some(verification_keys(s)?);
                }
                "secret" => constraints.secret = text("secret")?,
                "alg" => constraints.alg = text("alg")?,
                "iss" => constraints.iss = text("iss")?,
                "aud" => constraints.aud = text("aud")?,
                "time" => constraints.time = time_constraint(value)?,
                other => bail!("unknown token validation constraint: {other}"),
            }
        }
        if constraints.time < 0.0 {
            constraints.time = wall_clock_nanos();
        }
        let key_constraints =
            usize::from(constraints.keys.is_some()) + usize::from(!constraints.secret.is_empty());
        if key_constraints > 1 {
            bail!("duplicate key constraints");
        }
        if key_constraints < 1 {
            bail!("no key constraint");
        }
        Ok(constraints)
    }

    fn signature_verifies(&self, header: &Header, message: &[u8], signature: &[u8]) -> bool {
        if let Some(keys) = &self.keys {
            if !header.kid.is_empty() {
                if let Some(key) = keys.iter().find(|k| k.kid == header.kid) {
                    return key_verifies(key, &header.alg, message, signature);
                }
            }
            return keys
                .iter()
                .filter(|k| k.alg.is_empty() || k.alg == header.alg)
                .any(|k| key_verifies(k, &header.alg, message, signature));
        }
        let secret = VerificationKey {
            key: None,
            secret: Some(self.secret.as_bytes().to_vec()),
            alg: String::new(),
            kid: String::new(),
        };
        key_verifies(&secret, &header.alg, message, signature)
    }

    fn audience_matches(&self, aud: &Value) -> bool {
        match aud {
            Value::String(s) => s.as_ref() == self.aud,
            Value::Array(items) => items
                .iter()
                .any(|item| matches!(item, Value::String(s) if s.as_ref() == self.aud)),
            _ => false,
        }
    }
}

fn time_constraint(value: &Value) -> Result<f64> {
    let Value::Number(n) = value else {
        bail!("token time constraint: must be a number");
    };
    // Nanoseconds are beyond a float's exact integers; like Go's `Float64`, round.
    let t = n
        .as_f64()
        .or_else(|| n.as_i64().map(|i| i as f64))
        .or_else(|| n.as_u64().map(|u| u as f64))
        .ok_or_else(|| anyhow!("token time constraint: unvalid float64"))?;
    if t < 0.0 {
        bail!("token time constraint: must not be negative");
    }
    Ok(t)
}

fn wall_clock_nanos() -> f64 {
    let now = chrono::Utc::now();
    now.timestamp() as f64 * 1e9 + f64::from(now.timestamp_subsec_nanos())
}

fn decode_verify(
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
    _strict: bool,
) -> Result<Value> {
    let name = "io.jwt.decode_verify";
    ensure_args_count(span, name, params, args, 2)?;
    let constraints_object = ensure_object(name, &params[1], args[1].clone())?;
    let unverified = || {
        Value::from(alloc::vec![
            Value::from(false),
            Value::new_object(),
            Value::new_object()
        ])
    };
    let constraints = Constraints::parse(&constraints_object)?;
    let text = ensure_string(name, &params[0], &args[0])?;
    let Some((header, payload)) = verified_token(&text, &constraints)? else {
        return Ok(unverified());
    };
    if !constraints.claims_hold(&payload)? {
        return Ok(unverified());
    }
    Ok(Value::from(alloc::vec![Value::from(true), header, payload]))
}

/// The header and payload of a token whose signature verifies under the constraints,
/// following nested tokens (`cty: JWT`) down to the innermost; `None` when a header is
/// invalid, the algorithm is not the one required, or a signature does not verify.
fn verified_token(text: &str, constraints: &Constraints) -> Result<Option<(Value, Value)>> {
    let mut text = text.to_string();
    loop {
        let token = Token::split(&text)?;
        let header_value = token.decoded_header()?;
        let header = Header::parse(&header_value)?;
        if !header.valid || (!constraints.alg.is_empty() && constraints.alg != header.alg) {
            return Ok(None);
        }
        let signature = token.decoded_signature()?;
        if !constraints.signature_verifies(&header, token.signing_input().as_bytes(), &signature) {
            return Ok(None);
        }
        let payload = token.decoded_payload()?;
        if header.cty.eq_ignore_ascii_case("JWT") {
            text = payload;
            continue;
        }
        return Ok(Some((header_value, json_object(&payload)?)));
    }
}

impl Constraints {
    /// Whether the registered claims meet the constraints: the issuer, the audience (a
    /// token naming one must be checked for it), and the time against `exp` and `nbf`.
    fn claims_hold(&self, payload: &Value) -> Result<bool> {
        if !self.iss.is_empty() {
            match field(payload, "iss") {
                Some(Value::String(iss)) if iss.as_ref() == self.iss => {}
                _ => return Ok(false),
            }
        }
        match field(payload, "aud") {
            Some(aud) if !self.audience_matches(aud) => return Ok(false),
            None if !self.aud.is_empty() => return Ok(false),
            _ => {}
        }
        let now = Number::from(self.time / 1e9);
        if let Some(exp) = field(payload, "exp") {
            let Value::Number(exp) = exp else {
                bail!("exp value must be a number");
            };
            if now >= *exp {
                return Ok(false);
            }
        }
        if let Some(nbf) = field(payload, "nbf") {
            let Value::Number(nbf) = nbf else {
                bail!("nbf value must be a number");
            };
            if now < *nbf {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Go's `json.Marshal` of a Rego value: keys sorted, sets as arrays, and `<`, `>`, `&`,
/// U+2028 and U+2029 escaped.
fn go_json_marshal(value: &Value, out: &mut String) -> Result<()> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(_) => out.push_str(&serde_json::to_string(value)?),
        Value::String(s) => go_json_string(s, out),
        Value::Array(items) => go_json_list(items.iter(), out)?,
        Value::Set(items) => go_json_list(items.iter(), out)?,
        Value::Object(fields) => {
            let mut sorted: Vec<(String, &Value)> = fields
                .iter()
                .map(|(k, v)| match k {
                    Value::String(s) => (s.to_string(), v),
                    other => (other.to_string(), v),
                })
                .collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (key, item)) in sorted.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json_string(key, out);
                out.push(':');
                go_json_marshal(item, out)?;
            }
            out.push('}');
        }
        Value::Undefined => bail!("undefined value"),
    }
    Ok(())
}

fn go_json_list<'a>(items: impl Iterator<Item = &'a Value>, out: &mut String) -> Result<()> {
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        go_json_marshal(item, out)?;
    }
    out.push(']');
    Ok(())
}

fn go_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&alloc::format!("\\u{:04x}", u32::from(c)))
            }
            c if u32::from(c) < 0x20 => out.push_str(&alloc::format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn encode_sign(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    let name = "io.jwt.encode_sign";
    ensure_args_count(span, name, params, args, 3)?;
    let mut parts = Vec::new();
    for value in args {
        let mut text = String::new();
        go_json_marshal(value, &mut text)?;
        parts.push(text);
    }
    sign_token(&parts[0], &parts[1], &parts[2])
}

fn encode_sign_raw(
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
    _strict: bool,
) -> Result<Value> {
    let name = "io.jwt.encode_sign_raw";
    ensure_args_count(span, name, params, args, 3)?;
    let key = ensure_string(name, &params[2], &args[2])?;
    let header = ensure_string(name, &params[0], &args[0])?;
    let payload = ensure_string(name, &params[1], &args[1])?;
    sign_token(&header, &payload, &key)
}

/// The compact JWS of `payload` under `header`, signed with the first key of the JWK (set).
fn sign_token(header: &str, payload: &str, jwk: &str) -> Result<Value> {
    let key = Jwk::parse_set(jwk)?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("no keys found in JWK set"))?;
    let header_value: serde_json::Value = serde_json::from_str(header).unwrap_or_default();
    let alg = header_value
        .get("alg")
        .and_then(|a| a.as_str())
        .ok_or_else(|| anyhow!("missing or invalid 'alg' header"))?
        .to_string();
    if !is_known_algorithm(&alg) {
        bail!("unknown JWS algorithm: {alg}");
    }
    let typ = header_value.get("typ").and_then(|t| t.as_str());
    if (typ.is_none() || typ == Some("JWT"))
        && serde_json::from_str::<serde_json::Value>(payload).is_err()
    {
        bail!("type is JWT but payload is not JSON");
    }
    let input = alloc::format!(
        "{}.{}",
        base64url_encode(header.as_bytes()),
        base64url_encode(payload.as_bytes())
    );
    let signature = match hmac_hash(&alg) {
        Some(hash) => {
            let secret = key.secret.ok_or_else(|| {
                anyhow!("failed to sign payload: key does not fit algorithm {alg}")
            })?;
            hmac(hash, &secret, input.as_bytes())
        }
        None => key
            .private
            .as_ref()
            .ok_or_else(|| anyhow!("failed to sign payload: key does not fit algorithm {alg}"))
            .and_then(|k: &PrivateKey| k.sign(&alg, input.as_bytes()))?,
    };
    Ok(Value::from(alloc::format!(
        "{input}.{}",
        base64url_encode(&signature)
    )))
}
