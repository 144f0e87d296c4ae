// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! OPA's CIDR set builtins: `net.cidr_intersects`, `net.cidr_overlap` (OPA's deprecated
//! name for `net.cidr_contains`), `net.cidr_contains_matches` and `net.cidr_merge`.
//!
//! Addresses are handled as 128-bit numbers with IPv4 mapped into `::ffff:0:0/96`, as Go's
//! `net` package stores them, so IPv4 and IPv6 ranges sort and merge in one order.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::ast::{Expr, Ref};
use crate::builtins;
use crate::builtins::utils::{enforce_limit, ensure_args_count, ensure_string};
use crate::lexer::Span;
use crate::value::Value;
use crate::*;

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

use anyhow::{anyhow, bail, Result};

pub fn register(m: &mut builtins::BuiltinsMap<&'static str, builtins::BuiltinFcn>) {
    m.insert("net.cidr_intersects", (cidr_intersects, 2));
    m.insert("net.cidr_overlap", (cidr_overlap, 2));
    m.insert("net.cidr_contains_matches", (cidr_contains_matches, 2));
    m.insert("net.cidr_merge", (cidr_merge, 1));
}

/// A network as Go's `net.ParseCIDR` gives it: its first address and prefix length, both
/// in the 128-bit space (an IPv4 `/8` is a `/104` there).
#[derive(Clone, Copy)]
struct Network {
    first: u128,
    prefix: u32,
}

const V4_MAPPED: u128 = 0xffff_0000_0000;

impl Network {
    fn last(self) -> u128 {
        self.first | host_mask(self.prefix)
    }
}

fn host_mask(prefix: u32) -> u128 {
    u128::MAX.checked_shr(prefix).unwrap_or(0)
}

fn to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => V4_MAPPED | u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn is_v4_mapped(address: u128) -> bool {
    address >> 32 == V4_MAPPED >> 32
}

/// Go's `net.ParseCIDR`: an address, `/`, a prefix length within the family's bits; the
/// network is masked.
fn parse_cidr(text: &str) -> Option<Network> {
    let (address, prefix) = text.split_once('/')?;
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) || prefix.len() > 3 {
        return None;
    }
    let prefix: u32 = prefix.parse().ok()?;
    let (address, prefix) = match address.parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) if prefix <= 32 => (to_u128(IpAddr::V4(v4)), prefix + 96),
        IpAddr::V6(v6) if prefix <= 128 => (u128::from(v6), prefix),
        _ => return None,
    };
    Some(Network {
        first: address & !host_mask(prefix),
        prefix,
    })
}

/// Go's `net.ParseIP`: an IPv4 or IPv6 address, IPv4-mapped ones counting as IPv4.
fn parse_ip(text: &str) -> Option<u128> {
    text.parse::<IpAddr>().ok().map(to_u128)
}

/// A network written as Go's `IPNet.String` does: an IPv4-mapped network with at least 96
/// prefix bits as IPv4.
fn network_text(address: u128, prefix: u32) -> String {
    if is_v4_mapped(address) && prefix >= 96 {
        // The low 32 bits are the IPv4 address.
        let v4 = Ipv4Addr::from((address & u128::from(u32::MAX)) as u32);
        format!("{v4}/{}", prefix - 96)
    } else {
        format!("{}/{prefix}", Ipv6Addr::from(address))
    }
}

fn cidr_argument(name: &str, param: &Ref<Expr>, arg: &Value) -> Result<Network> {
    let text = ensure_string(name, param, arg)?;
    parse_cidr(&text).ok_or_else(|| anyhow!(param.span().error(&format!("invalid CIDR: {text}"))))
}

/// An error of a builtin that OPA reports only in strict mode; otherwise the call is
/// undefined.
fn undefined_unless_strict(strict: bool, error: anyhow::Error) -> Result<Value> {
    if strict {
        Err(error)
    } else {
        Ok(Value::Undefined)
    }
}

/// `net.cidr_intersects(cidr1, cidr2)`: whether either network contains the other's first
/// address (networks of different families never intersect).
fn cidr_intersects(
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
    strict: bool,
) -> Result<Value> {
    let name = "net.cidr_intersects";
    ensure_args_count(span, name, params, args, 2)?;
    let networks = cidr_argument(name, &params[0], &args[0])
        .and_then(|a| Ok((a, cidr_argument(name, &params[1], &args[1])?)));
    let (a, b) = match networks {
        Ok(networks) => networks,
        Err(e) => return undefined_unless_strict(strict, e),
    };
    let contains = |outer: Network, address: u128| {
        is_v4_mapped(outer.first) == is_v4_mapped(address)
            && outer.first <= address
            && address <= outer.last()
    };
    Ok(Value::from(contains(a, b.first) || contains(b, a.first)))
}

/// `net.cidr_overlap(cidr, cidr_or_ip)`: OPA's deprecated name for `net.cidr_contains`.
fn cidr_overlap(span: &Span, params: &[Ref<Expr>], args: &[Value], strict: bool) -> Result<Value> {
    super::net::cidr_contains(span, params, args, strict)
}

/// The (CIDR, index) pairs of one `net.cidr_contains_matches` operand: a string is its own
/// index; an array's elements are indexed by position, a set's by themselves, an object's
/// by key; an element is a string or an array whose first item is the CIDR.
fn match_operand(operand: usize, value: &Value) -> Result<Vec<(Value, Value)>> {
    let cidr_of = |element: &Value| -> Result<Value> {
        match element {
            Value::String(_) => Ok(element.clone()),
            Value::Array(items) if !items.is_empty() => Ok(items[0].clone()),
            _ => bail!("operand {operand}: element must be string or non-empty array"),
        }
    };
    let mut pairs = Vec::new();
    match value {
        Value::String(_) => pairs.push((value.clone(), value.clone())),
        Value::Array(items) => {
            for (index, element) in items.iter().enumerate() {
                pairs.push((cidr_of(element)?, Value::from(index)));
            }
        }
        Value::Set(items) => {
            for element in items.iter() {
                pairs.push((cidr_of(element)?, element.clone()));
            }
        }
        Value::Object(fields) => {
            for (key, element) in fields.iter() {
                pairs.push((cidr_of(element)?, key.clone()));
            }
        }
        _ => bail!("operand {operand} must be a string, array, set or object"),
    }
    Ok(pairs)
}

/// `net.cidr_contains_matches(cidrs, cidrs_or_ips)`: the set of `[index1, index2]` pairs
/// for which the first operand's CIDR contains the second's CIDR or address.
fn cidr_contains_matches(
    span: &Span,
    params: &[Ref<Expr>],
    args: &[Value],
    strict: bool,
) -> Result<Value> {
    let name = "net.cidr_contains_matches";
    ensure_args_count(span, name, params, args, 2)?;
    let operands = match_operand(1, &args[0]).and_then(|a| Ok((a, match_operand(2, &args[1])?)));
    let (cidrs, candidates) = match operands {
        Ok(operands) => operands,
        Err(e) => return undefined_unless_strict(strict, anyhow!(span.error(&e.to_string()))),
    };
    let mut matches = BTreeSet::new();
    for (cidr, index1) in &cidrs {
        for (candidate, index2) in &candidates {
            let pair = [cidr.clone(), candidate.clone()];
            match super::net::cidr_contains(span, params, &pair, true) {
                Ok(Value::Bool(true)) => {
                    matches.insert(Value::from_array(vec![index1.clone(), index2.clone()]));
                    enforce_limit()?;
                }
                Ok(_) => {}
                Err(e) => return undefined_unless_strict(strict, e),
            }
        }
    }
    Ok(Value::from_set(matches))
}

/// One element of `net.cidr_merge`'s operand: a CIDR, or an IPv4 address standing for its
/// classful network (Go's `DefaultMask`), written with the address unmasked.
fn merge_element(text: &str) -> Result<(Network, String)> {
    if let Some(address) = parse_ip(text) {
        if !is_v4_mapped(address) {
            bail!("IPv6 invalid: needs prefix length");
        }
        let first_octet = (address >> 24) & 0xff;
        let class_bits = match first_octet {
            0..=127 => 8,
            128..=191 => 16,
            _ => 24,
        };
        let network = Network {
            first: address & !host_mask(96 + class_bits),
            prefix: 96 + class_bits,
        };
        let v4 = Ipv4Addr::from((address & u128::from(u32::MAX)) as u32);
        return Ok((network, format!("{v4}/{class_bits}")));
    }
    let network = parse_cidr(text).ok_or_else(|| anyhow!("invalid CIDR address: {text}"))?;
    Ok((network, network_text(network.first, network.prefix)))
}

/// The fewest CIDR blocks covering exactly `first..=last`.
fn range_to_cidrs(mut first: u128, last: u128, out: &mut BTreeSet<Value>) -> Result<()> {
    loop {
        // The largest block that starts at `first` (aligned) and ends by `last`.
        let mut prefix = if first == 0 {
            0
        } else {
            128 - first.trailing_zeros()
        };
        while first | host_mask(prefix) > last {
            prefix += 1;
        }
        out.insert(Value::String(network_text(first, prefix).into()));
        enforce_limit()?;
        let end = first | host_mask(prefix);
        if end >= last {
            return Ok(());
        }
        first = end + 1;
    }
}

/// `net.cidr_merge(addrs)`: the smallest set of CIDRs covering the given CIDRs and IPv4
/// addresses. As in OPA, a network merged with no other keeps its written form.
fn cidr_merge(span: &Span, params: &[Ref<Expr>], args: &[Value], strict: bool) -> Result<Value> {
    let name = "net.cidr_merge";
    ensure_args_count(span, name, params, args, 1)?;
    let elements: Vec<&Value> = match &args[0] {
        Value::Array(items) => items.iter().collect(),
        Value::Set(items) => items.iter().collect(),
        other => bail!(params[0].span().error(&format!(
            "`{name}` expects an array or set of strings. Got `{other}`"
        ))),
    };
    let mut ranges = Vec::with_capacity(elements.len());
    for element in elements {
        let Value::String(text) = element else {
            bail!(params[0].span().error("element must be string"));
        };
        match merge_element(text) {
            Ok((network, written)) => ranges.push((network.first, network.last(), Some(written))),
            Err(e) => return undefined_unless_strict(strict, anyhow!(span.error(&e.to_string()))),
        }
    }
    // Sorted by last address, then first; a range that starts at or before the address
    // after its predecessor's end joins it (and loses its written form).
    ranges.sort_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)));
    let mut merged: Vec<(u128, u128, Option<String>)> = Vec::with_capacity(ranges.len());
    for range in ranges.into_iter().rev() {
        match merged.last_mut() {
            Some(next) if next.0.saturating_sub(1) <= range.1 => {
                next.0 = next.0.min(range.0);
                next.2 = None;
            }
            _ => merged.push(range),
        }
    }
    let mut result = BTreeSet::new();
    for (first, last, written) in merged {
        match written {
            Some(text) => {
                result.insert(Value::String(text.into()));
            }
            None => range_to_cidrs(first, last, &mut result)?,
        }
    }
    Ok(Value::from_set(result))
}
