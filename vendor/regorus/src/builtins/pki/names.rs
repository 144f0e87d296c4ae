// Names in certificates as Go shows them: a `pkix.Name` (the distinguished name with its
// common attributes pulled out) and the subject alternative names (with each URI as a Go
// `url.URL`).
use super::go_json::{strings_or_null, values_or_null, GoStruct};
use crate::value::Value;

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use anyhow::{anyhow, bail, Result};
use der::{Decode, Tag, Tagged};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;

/// Go's `pkix.Name` of a distinguished name.
pub fn go_name(name: &Name) -> Value {
    let mut lists: [(&str, &str, Vec<String>); 7] = [
        ("2.5.4.6", "Country", Vec::new()),
        ("2.5.4.10", "Organization", Vec::new()),
        ("2.5.4.11", "OrganizationalUnit", Vec::new()),
        ("2.5.4.7", "Locality", Vec::new()),
        ("2.5.4.8", "Province", Vec::new()),
        ("2.5.4.9", "StreetAddress", Vec::new()),
        ("2.5.4.17", "PostalCode", Vec::new()),
    ];
    let mut common_name = String::new();
    let mut serial_number = String::new();
    let mut names = Vec::new();
    for rdn in name.0.iter() {
        for atv in rdn.0.iter() {
            let Some(text) = attribute_string(&atv.value) else {
                continue;
            };
            let oid = atv.oid.to_string();
            match oid.as_str() {
                "2.5.4.3" => common_name = text.clone(),
                "2.5.4.5" => serial_number = text.clone(),
                _ => {
                    if let Some(list) = lists.iter_mut().find(|(o, _, _)| *o == oid) {
                        list.2.push(text.clone());
                    }
                }
            }
            names.push(
                GoStruct::new()
                    .field("Type", super::go_json::oid_arcs(&atv.oid))
                    .field("Value", Value::from(text))
                    .build(),
            );
        }
    }
    let mut out = GoStruct::new()
        .field("CommonName", Value::from(common_name))
        .field("SerialNumber", Value::from(serial_number))
        .field("Names", values_or_null(names))
        .field("ExtraNames", Value::Null);
    for (_, field, values) in lists {
        out.set(field, strings_or_null(values));
    }
    out.build()
}

/// An attribute's value as Go's `parseASN1String` reads it.
fn attribute_string(value: &der::Any) -> Option<String> {
    let data = value.value();
    match value.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::TeletexString => Some(String::from_utf8_lossy(data).into_owned()),
        Tag::BmpString => {
            let units: Vec<u16> = data
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

/// The subject alternative names Go keeps, by kind.
#[derive(Default)]
pub struct Sans {
    pub dns: Vec<String>,
    pub emails: Vec<String>,
    pub ips: Vec<String>,
    pub uris: Vec<String>,
}

pub fn san_values(value: &[u8]) -> Result<Sans> {
    let names = x509_cert::ext::pkix::SubjectAltName::from_der(value)
        .map_err(|e| anyhow!("x509: invalid subject alternative names: {e}"))?;
    let mut sans = Sans::default();
    for name in names.0 {
        match name {
            GeneralName::DnsName(n) => sans.dns.push(n.to_string()),
            GeneralName::Rfc822Name(n) => sans.emails.push(n.to_string()),
            GeneralName::UniformResourceIdentifier(n) => sans.uris.push(n.to_string()),
            GeneralName::IpAddress(ip) => {
                let data = ip.as_bytes();
                if data.len() != 4 && data.len() != 16 {
                    bail!("x509: cannot parse IP address of length {}", data.len());
                }
                sans.ips.push(go_ip(data));
            }
            _ => {}
        }
    }
    Ok(sans)
}

impl Sans {
    pub fn add_to(&self, out: &mut GoStruct, uri_strings: bool) {
        out.set("DNSNames", strings_or_null(self.dns.clone()));
        out.set("EmailAddresses", strings_or_null(self.emails.clone()));
        out.set("IPAddresses", strings_or_null(self.ips.clone()));
        out.set(
            "URIs",
            values_or_null(self.uris.iter().map(|u| go_url(u)).collect()),
        );
        if uri_strings {
            out.set("URIStrings", strings_or_null(self.uris.clone()));
        }
    }
}

/// An IP address as Go's `net.IP` prints it (an IPv4-mapped IPv6 address as IPv4).
pub fn go_ip(data: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(data) {
        return core::net::Ipv4Addr::from(v4).to_string();
    }
    if let Ok(v6) = <[u8; 16]>::try_from(data) {
        let addr = core::net::Ipv6Addr::from(v6);
        return match addr.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => addr.to_string(),
        };
    }
    let hex: String = data.iter().map(|b| alloc::format!("{b:02x}")).collect();
    alloc::format!("?{hex}")
}

/// A URI as Go's `url.URL` struct: scheme, authority, path, query and fragment split apart.
fn go_url(uri: &str) -> Value {
    let (scheme, rest) = match uri.split_once(':') {
        Some((s, r))
            if !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            (s.to_ascii_lowercase(), r)
        }
        _ => (String::new(), uri),
    };
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let force_query = rest.ends_with('?');
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (mut host, mut path, mut opaque, mut user) =
        (String::new(), String::new(), String::new(), Value::Null);
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find('/').unwrap_or(after.len());
        let authority = &after[..end];
        let authority = match authority.rsplit_once('@') {
            Some((_, h)) => {
                user = Value::new_object();
                h
            }
            None => authority,
        };
        host = authority.to_string();
        path = percent_decode(&after[end..]);
    } else if !scheme.is_empty() && !rest.starts_with('/') {
        opaque = rest.to_string();
    } else {
        path = percent_decode(rest);
    }
    GoStruct::new()
        .field("Scheme", Value::from(scheme))
        .field("Opaque", Value::from(opaque))
        .field("User", user)
        .field("Host", Value::from(host))
        .field("Path", Value::from(path))
        .field("RawPath", Value::from(""))
        .field("OmitHost", Value::from(false))
        .field("ForceQuery", Value::from(force_query))
        .field("RawQuery", Value::from(query))
        .field("Fragment", Value::from(percent_decode(fragment)))
        .field("RawFragment", Value::from(""))
        .build()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
