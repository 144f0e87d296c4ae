// OPA's hashing builtins (`crypto.md5`, `crypto.sha1`, `crypto.sha256`, `crypto.hmac.*`):
// each takes a string's UTF-8 bytes and returns the digest as lowercase hex, as OPA does.
use crate::ast::{Expr, Ref};
use crate::builtins;
use crate::builtins::utils::{ensure_args_count, ensure_string};
use crate::lexer::Span;
use crate::value::Value;

use anyhow::Result;
use hmac::{Hmac, Mac};
use sha2::Digest;

pub fn register(m: &mut builtins::BuiltinsMap<&'static str, builtins::BuiltinFcn>) {
    m.insert("crypto.md5", (md5, 1));
    m.insert("crypto.sha1", (sha1, 1));
    m.insert("crypto.sha256", (sha256, 1));
    m.insert("crypto.hmac.md5", (hmac_md5, 2));
    m.insert("crypto.hmac.sha1", (hmac_sha1, 2));
    m.insert("crypto.hmac.sha256", (hmac_sha256, 2));
    m.insert("crypto.hmac.sha512", (hmac_sha512, 2));
    m.insert("crypto.hmac.equal", (hmac_equal, 2));
}

fn hex(bytes: &[u8]) -> Value {
    Value::String(data_encoding::HEXLOWER.encode(bytes).into())
}

fn digest<D: Digest>(
    name: &'static str,
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
) -> Result<Value> {
    ensure_args_count(span, name, params, args, 1)?;
    let x = ensure_string(name, &params[0], &args[0])?;
    Ok(hex(&D::digest(x.as_bytes())))
}

fn md5(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    digest::<md5::Md5>("crypto.md5", span, params, args)
}

fn sha1(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    digest::<sha1::Sha1>("crypto.sha1", span, params, args)
}

fn sha256(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    digest::<sha2::Sha256>("crypto.sha256", span, params, args)
}

/// `crypto.hmac.<hash>(x, key)`: the HMAC of `x` under `key`.
fn mac<M: Mac + hmac::digest::KeyInit>(
    name: &'static str,
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
) -> Result<Value> {
    ensure_args_count(span, name, params, args, 2)?;
    let x = ensure_string(name, &params[0], &args[0])?;
    let key = ensure_string(name, &params[1], &args[1])?;
    // HMAC takes a key of any length (longer ones are hashed first), so this cannot fail.
    let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key.as_bytes())
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    mac.update(x.as_bytes());
    Ok(hex(&mac.finalize().into_bytes()))
}

fn hmac_md5(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    mac::<Hmac<md5::Md5>>("crypto.hmac.md5", span, params, args)
}

fn hmac_sha1(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    mac::<Hmac<sha1::Sha1>>("crypto.hmac.sha1", span, params, args)
}

fn hmac_sha256(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    mac::<Hmac<sha2::Sha256>>("crypto.hmac.sha256", span, params, args)
}

fn hmac_sha512(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    mac::<Hmac<sha2::Sha512>>("crypto.hmac.sha512", span, params, args)
}

/// Whether two MACs are equal, compared in constant time as OPA does (`hmac.Equal`).
fn hmac_equal(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    let name = "crypto.hmac.equal";
    ensure_args_count(span, name, params, args, 2)?;
    let a = ensure_string(name, &params[0], &args[0])?;
    let b = ensure_string(name, &params[1], &args[1])?;
    let differing = a.len() != b.len()
        || a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            != 0;
    Ok(Value::Bool(!differing))
}
