// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! `uri.parse` and `uri.is_valid`, which OPA implements with Go's `net/url.Parse`: the
//! parsing rules below are that function's (RFC 3986 with Go's leniencies), so the same
//! strings are accepted and split into the same parts.

use crate::ast::{Expr, Ref};
use crate::builtins;
use crate::builtins::utils::{ensure_args_count, ensure_string};
use crate::lexer::Span;
use crate::value::Value;
use crate::*;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use anyhow::{anyhow, bail, Result};

pub fn register(m: &mut builtins::BuiltinsMap<&'static str, builtins::BuiltinFcn>) {
    m.insert("uri.parse", (parse, 1));
    m.insert("uri.is_valid", (is_valid, 1));
}

/// The parts of a URL as Go's `url.URL` holds them (those OPA reports).
#[derive(Default)]
struct Url {
    scheme: String,
    host: String,
    path: String,
    raw_path: String,
    raw_query: String,
    fragment: String,
}

/// Which part a string is escaped for: Go's `encoding` modes that parsing uses.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    Path,
    Host,
    UserPassword,
    Fragment,
}

fn should_escape(c: u8, part: Part) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if part == Part::Host
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => {
            return match part {
                Part::Path => c == b'?',
                Part::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
                Part::Fragment => false,
                Part::Host => true,
            };
        }
        _ => {}
    }
    !(part == Part::Fragment && matches!(c, b'!' | b'(' | b')' | b'*'))
}

fn hex_value(c: u8) -> Option<u8> {
    char::from(c).to_digit(16).map(|d| d as u8)
}

/// Go's `unescape`: `%XX` sequences decoded; a malformed one, a `%` escape of an ASCII byte
/// in a host (other than `%25`), or a host byte that must be escaped is an error.
fn unescape(s: &str, part: Part) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let (Some(high), Some(low)) = (
                    bytes.get(i + 1).copied().and_then(hex_value),
                    bytes.get(i + 2).copied().and_then(hex_value),
                ) else {
                    let end = (i + 3).min(bytes.len());
                    bail!(
                        "invalid URL escape {:?}",
                        String::from_utf8_lossy(&bytes[i..end])
                    );
                };
                if part == Part::Host && high < 8 && &s[i..i + 3] != "%25" {
                    bail!("invalid URL escape {:?}", &s[i..i + 3]);
                }
                out.push(high << 4 | low);
                i += 3;
            }
            c => {
                if part == Part::Host && c < 0x80 && should_escape(c, part) {
                    bail!("invalid character {:?} in host name", char::from(c));
                }
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `escape` for a path: how `url.URL` would write `path` itself.
fn escape_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &c in path.as_bytes() {
        if should_escape(c, Part::Path) {
            out.push_str(&format!("%{c:02X}"));
        } else {
            out.push(char::from(c));
        }
    }
    out
}

/// Go's `getScheme`: the letters, digits, `+`, `-` and `.` before the first `:`, starting
/// with a letter; none when another character comes first.
fn split_scheme(raw: &str) -> Result<(&str, &str)> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => bail!("missing protocol scheme"),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn valid_optional_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Go's `parseHost`: a bracketed IPv6 literal (with an optional zone) or a name, each with an
/// optional `:port`.
fn parse_host(host: &str) -> Result<String> {
    if host.starts_with('[') {
        let close = host
            .rfind(']')
            .ok_or_else(|| anyhow!("missing ']' in host"))?;
        let port = &host[close + 1..];
        if !valid_optional_port(port) {
            bail!("invalid port {port:?} after host");
        }
        // A zone (`%25eth0`) may hold escapes of any byte; the address before it may not.
        if let Some(zone) = host[..close].find("%25") {
            let address = unescape(&host[..zone], Part::Host)?;
            let zone_part = unescape(&host[zone..close], Part::Path)?;
            return Ok(address + &zone_part + &host[close..]);
        }
    } else if let Some(colon) = host.rfind(':') {
        let port = &host[colon..];
        if !valid_optional_port(port) {
            bail!("invalid port {port:?} after host");
        }
    }
    unescape(host, Part::Host)
}

fn valid_userinfo(userinfo: &str) -> bool {
    userinfo.bytes().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.'
                    | b'_'
                    | b':'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'%'
                    | b'@'
            )
    })
}

fn parse_authority(authority: &str) -> Result<String> {
    let Some(at) = authority.rfind('@') else {
        return parse_host(authority);
    };
    let userinfo = &authority[..at];
    if !valid_userinfo(userinfo) {
        bail!("net/url: invalid userinfo");
    }
    // The user name and password must unescape; they are not reported.
    unescape(userinfo, Part::UserPassword)?;
    parse_host(&authority[at + 1..])
}

/// Go's `url.Parse`.
fn parse_url(raw: &str) -> Result<Url> {
    let (rest, fragment) = match raw.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (raw, None),
    };
    let mut url = parse_without_fragment(rest)?;
    if let Some(fragment) = fragment {
        url.fragment = unescape(fragment, Part::Fragment)?;
    }
    Ok(url)
}

fn parse_without_fragment(raw: &str) -> Result<Url> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        bail!("net/url: invalid control character in URL");
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = "*".to_string();
        url.raw_path = url.path.clone();
        return Ok(url);
    }
    let (scheme, rest) = split_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    let mut rest = rest;
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        rest = &rest[..rest.len() - 1];
    } else if let Some((before, query)) = rest.split_once('?') {
        url.raw_query = query.to_string();
        rest = before;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            // An opaque URL (`mailto:x@y`): no path.
            return Ok(url);
        }
        let first_segment = rest.split('/').next().unwrap_or_default();
        if first_segment.contains(':') {
            bail!("first path segment in URL cannot contain colon");
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, path) = match after.find('/') {
            Some(slash) => (&after[..slash], &after[slash..]),
            None => (after, ""),
        };
        url.host = parse_authority(authority)?;
        rest = path;
    }
    url.path = unescape(rest, Part::Path)?;
    url.raw_path = if escape_path(&url.path) == rest {
        url.path.clone()
    } else {
        rest.to_string()
    };
    Ok(url)
}

/// Go's `URL.Hostname` and `URL.Port`: the host without brackets, and the digits after
/// the last `:` outside them.
fn host_and_port(host: &str) -> (&str, &str) {
    let (name, port) = match host.rfind(':') {
        Some(colon) if !host[colon..].contains(']') => (&host[..colon], &host[colon + 1..]),
        _ => (host, ""),
    };
    let name = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    let port = if port.bytes().all(|b| b.is_ascii_digit()) {
        port
    } else {
        ""
    };
    (name, port)
}

/// `uri.parse(uri)`: the non-empty parts of `uri` among `scheme`, `hostname`, `port`, `path`
/// (unescaped) with `raw_path` (as written when that differs from `path` escaped, else
/// `path`), `raw_query` and `fragment`. A string Go does not parse is an error (undefined
/// unless strict).
fn parse(span: &Span, params: &[Ref<Expr>], args: &[Value], strict: bool) -> Result<Value> {
    let name = "uri.parse";
    ensure_args_count(span, name, params, args, 1)?;
    let raw = ensure_string(name, &params[0], &args[0])?;
    let url = match parse_url(&raw) {
        Ok(url) => url,
        Err(e) if strict => bail!(span.error(&format!("{name}: {e}"))),
        Err(_) => return Ok(Value::Undefined),
    };
    let (hostname, port) = host_and_port(&url.host);
    let mut parts = BTreeMap::new();
    for (key, value) in [
        ("scheme", url.scheme.as_str()),
        ("hostname", hostname),
        ("port", port),
        ("path", url.path.as_str()),
        ("raw_path", url.raw_path.as_str()),
        ("raw_query", url.raw_query.as_str()),
        ("fragment", url.fragment.as_str()),
    ] {
        if !value.is_empty() {
            parts.insert(Value::from(key), Value::from(value));
        }
    }
    Ok(Value::from_map(parts))
}

/// `uri.is_valid(uri)`: whether `uri` is a non-empty string Go's `url.Parse` accepts.
fn is_valid(span: &Span, params: &[Ref<Expr>], args: &[Value], _strict: bool) -> Result<Value> {
    ensure_args_count(span, "uri.is_valid", params, args, 1)?;
    Ok(Value::from(match &args[0] {
        Value::String(raw) => !raw.is_empty() && parse_url(raw).is_ok(),
        _ => false,
    }))
}
