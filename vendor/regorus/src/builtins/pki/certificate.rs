// X.509 certificates and requests as OPA shows them: Go's `x509.Certificate` and
// `x509.CertificateRequest` marshalled to JSON, field for field.
use super::go_json::{
    big_signed, bytes, oid_arcs, optional_bytes, strings_or_null, time, values_or_null, GoStruct,
};
use super::keys::PublicKey;
use super::names::{go_name, san_values, Sans};
use crate::value::Value;

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use anyhow::{anyhow, Result};
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Reader, SliceReader};
use x509_cert::ext::pkix;
use x509_cert::ext::Extension;

pub struct ParsedCertificate {
    pub raw: Vec<u8>,
    pub cert: x509_cert::Certificate,
    pub public_key: Option<PublicKey>,
    pub facts: CertificateFacts,
}

/// What Go reads out of the extensions, for the JSON and for chain verification.
#[derive(Default)]
pub struct CertificateFacts {
    pub basic_constraints_valid: bool,
    pub is_ca: bool,
    pub max_path_len: i64,
    pub key_usage: u16,
    pub ext_key_usage: Vec<u8>,
    pub unknown_ext_key_usage: Vec<ObjectIdentifier>,
    pub unhandled_critical: Vec<ObjectIdentifier>,
    pub sans: Sans,
}

/// Every certificate in back-to-back DER, as Go's `x509.ParseCertificates`.
pub fn parse_certificates(der: &[u8]) -> Result<Vec<ParsedCertificate>> {
    let mut reader = SliceReader::new(der)?;
    let mut certs = Vec::new();
    while !reader.is_finished() {
        let start = usize::try_from(reader.position())?;
        let cert = x509_cert::Certificate::decode(&mut reader)
            .map_err(|e| anyhow!("x509: malformed certificate: {e}"))?;
        let end = usize::try_from(reader.position())?;
        certs.push(ParsedCertificate::new(der[start..end].to_vec(), cert)?);
    }
    Ok(certs)
}

impl ParsedCertificate {
    fn new(raw: Vec<u8>, cert: x509_cert::Certificate) -> Result<Self> {
        let spki = cert.tbs_certificate.subject_public_key_info.to_der()?;
        let public_key = PublicKey::from_spki_der(&spki).ok();
        let facts =
            CertificateFacts::read(cert.tbs_certificate.extensions.as_deref().unwrap_or(&[]))?;
        Ok(Self {
            raw,
            cert,
            public_key,
            facts,
        })
    }

    pub fn subject_der(&self) -> Vec<u8> {
        self.cert
            .tbs_certificate
            .subject
            .to_der()
            .unwrap_or_default()
    }

    pub fn issuer_der(&self) -> Vec<u8> {
        self.cert
            .tbs_certificate
            .issuer
            .to_der()
            .unwrap_or_default()
    }

    /// Go's `x509.Certificate`, and with `uri_strings` the `URIStrings` field OPA adds.
    pub fn go_json(&self, uri_strings: bool) -> Value {
        let mut out = self.identity_fields();
        self.facts.add_to(&mut out);
        self.facts.sans.add_to(&mut out, uri_strings);
        self.add_extension_fields(&mut out);
        out.build()
    }

    /// The fields straight from the certificate's body: raw parts, algorithms, key, serial,
    /// names and validity.
    fn identity_fields(&self) -> GoStruct {
        let tbs = &self.cert.tbs_certificate;
        let seconds = |t: &x509_cert::time::Time| t.to_unix_duration().as_secs() as i64;
        GoStruct::new()
            .field("Raw", bytes(&self.raw))
            .field(
                "RawTBSCertificate",
                bytes(&tbs.to_der().unwrap_or_default()),
            )
            .field(
                "RawSubjectPublicKeyInfo",
                bytes(&tbs.subject_public_key_info.to_der().unwrap_or_default()),
            )
            .field("RawSubject", bytes(&self.subject_der()))
            .field("RawIssuer", bytes(&self.issuer_der()))
            .field("Signature", bytes(self.cert.signature.raw_bytes()))
            .field(
                "SignatureAlgorithm",
                Value::from(u32::from(go_signature_algorithm(
                    &self.cert.signature_algorithm,
                ))),
            )
            .field(
                "PublicKeyAlgorithm",
                Value::from(u32::from(
                    self.public_key.as_ref().map_or(0, PublicKey::go_algorithm),
                )),
            )
            .field(
                "PublicKey",
                self.public_key
                    .as_ref()
                    .map_or(Value::Null, PublicKey::go_json),
            )
            .field("Version", Value::from(tbs.version as u32 + 1))
            .field("SerialNumber", big_signed(tbs.serial_number.as_bytes()))
            .field("Issuer", go_name(&tbs.issuer))
            .field("Subject", go_name(&tbs.subject))
            .field("NotBefore", time(seconds(&tbs.validity.not_before)))
            .field("NotAfter", time(seconds(&tbs.validity.not_after)))
    }

    /// The fields Go fills from extensions that chain building does not need: key
    /// identifiers, where to find the issuer and revocation, name constraints, policies.
    fn add_extension_fields(&self, out: &mut GoStruct) {
        let extensions = self
            .cert
            .tbs_certificate
            .extensions
            .as_deref()
            .unwrap_or(&[]);
        let find = |oid: ObjectIdentifier| {
            extensions
                .iter()
                .find(|e| e.extn_id == oid)
                .map(|e| e.extn_value.as_bytes())
        };
        out.set("Extensions", go_extensions(extensions));
        out.set("ExtraExtensions", Value::Null);
        let subject_key_id =
            find(ID_SUBJECT_KEY_ID).and_then(|v| pkix::SubjectKeyIdentifier::from_der(v).ok());
        out.set(
            "SubjectKeyId",
            optional_bytes(subject_key_id.as_ref().map(|k| k.0.as_bytes())),
        );
        let authority_key_id = find(ID_AUTHORITY_KEY_ID)
            .and_then(|v| pkix::AuthorityKeyIdentifier::from_der(v).ok())
            .and_then(|k| k.key_identifier);
        out.set(
            "AuthorityKeyId",
            optional_bytes(authority_key_id.as_ref().map(|k| k.as_bytes())),
        );
        let (ocsp, issuers) = find(ID_AUTHORITY_INFO_ACCESS)
            .map(authority_info_access)
            .unwrap_or_default();
        out.set("OCSPServer", strings_or_null(ocsp));
        out.set("IssuingCertificateURL", strings_or_null(issuers));
        let name_constraints = extensions.iter().find(|e| e.extn_id == ID_NAME_CONSTRAINTS);
        add_name_constraints(out, name_constraints);
        out.set(
            "CRLDistributionPoints",
            strings_or_null(
                find(ID_CRL_DISTRIBUTION_POINTS)
                    .map(crl_distribution_points)
                    .unwrap_or_default(),
            ),
        );
        add_policies(out, find(ID_CERTIFICATE_POLICIES));
    }
}

/// The certificate policies, and the policy mapping and constraint fields, which Go reads
/// only for chain building and which keep their zero values here.
fn add_policies(out: &mut GoStruct, extension: Option<&[u8]>) {
    let policies: Vec<ObjectIdentifier> = extension
        .and_then(|v| pkix::CertificatePolicies::from_der(v).ok())
        .map(|p| p.0.iter().map(|info| info.policy_identifier).collect())
        .unwrap_or_default();
    out.set(
        "PolicyIdentifiers",
        values_or_null(policies.iter().map(oid_arcs).collect()),
    );
    out.set(
        "Policies",
        strings_or_null(policies.iter().map(|p| p.to_string()).collect()),
    );
    out.set("PolicyMappings", Value::Null);
    for name in [
        "InhibitAnyPolicy",
        "InhibitPolicyMapping",
        "RequireExplicitPolicy",
    ] {
        out.set(name, Value::from(0u32));
        out.set(&alloc::format!("{name}Zero"), Value::from(false));
    }
}

const ID_SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
const ID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const ID_SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const ID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const ID_NAME_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.30");
const ID_CRL_DISTRIBUTION_POINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.31");
const ID_CERTIFICATE_POLICIES: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32");
const ID_POLICY_MAPPINGS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.33");
const ID_AUTHORITY_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
const ID_POLICY_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.36");
const ID_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const ID_INHIBIT_ANY_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.54");
const ID_AUTHORITY_INFO_ACCESS: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");

/// Go's `x509.ExtKeyUsage` numbers, by OID.
const EXT_KEY_USAGES: [(&str, u8); 14] = [
    ("2.5.29.37.0", 0),
    ("1.3.6.1.5.5.7.3.1", 1),
    ("1.3.6.1.5.5.7.3.2", 2),
    ("1.3.6.1.5.5.7.3.3", 3),
    ("1.3.6.1.5.5.7.3.4", 4),
    ("1.3.6.1.5.5.7.3.5", 5),
    ("1.3.6.1.5.5.7.3.6", 6),
    ("1.3.6.1.5.5.7.3.7", 7),
    ("1.3.6.1.5.5.7.3.8", 8),
    ("1.3.6.1.5.5.7.3.9", 9),
    ("1.3.6.1.4.1.311.10.3.3", 10),
    ("2.16.840.1.113730.4.1", 11),
    ("1.3.6.1.4.1.311.2.1.22", 12),
    ("1.3.6.1.4.1.311.61.1.1", 13),
];

impl CertificateFacts {
    /// The fields Go derives from key usage, basic constraints and extended key usage.
    fn add_to(&self, out: &mut GoStruct) {
        out.set("KeyUsage", Value::from(u32::from(self.key_usage)));
        out.set(
            "UnhandledCriticalExtensions",
            values_or_null(self.unhandled_critical.iter().map(oid_arcs).collect()),
        );
        out.set(
            "ExtKeyUsage",
            values_or_null(
                self.ext_key_usage
                    .iter()
                    .map(|u| Value::from(u32::from(*u)))
                    .collect(),
            ),
        );
        out.set(
            "UnknownExtKeyUsage",
            values_or_null(self.unknown_ext_key_usage.iter().map(oid_arcs).collect()),
        );
        out.set(
            "BasicConstraintsValid",
            Value::from(self.basic_constraints_valid),
        );
        out.set("IsCA", Value::from(self.is_ca));
        out.set("MaxPathLen", Value::from(self.max_path_len));
        out.set(
            "MaxPathLenZero",
            Value::from(self.basic_constraints_valid && self.max_path_len == 0),
        );
    }

    fn read(extensions: &[Extension]) -> Result<Self> {
        let mut facts = CertificateFacts::default();
        for ext in extensions {
            let value = ext.extn_value.as_bytes();
            let handled = match ext.extn_id {
                ID_KEY_USAGE => {
                    let usage = pkix::KeyUsage::from_der(value)
                        .map_err(|e| anyhow!("x509: invalid key usage: {e}"))?;
                    facts.key_usage = usage.0.bits();
                    true
                }
                ID_BASIC_CONSTRAINTS => {
                    let bc = pkix::BasicConstraints::from_der(value)
                        .map_err(|e| anyhow!("x509: invalid basic constraints: {e}"))?;
                    facts.basic_constraints_valid = true;
                    facts.is_ca = bc.ca;
                    facts.max_path_len = bc.path_len_constraint.map_or(-1, i64::from);
                    true
                }
                ID_SUBJECT_ALT_NAME => {
                    facts.sans = san_values(value)?;
                    true
                }
                ID_EXT_KEY_USAGE => {
                    facts.read_ext_key_usage(value)?;
                    true
                }
                ID_NAME_CONSTRAINTS
                | ID_CRL_DISTRIBUTION_POINTS
                | ID_AUTHORITY_KEY_ID
                | ID_SUBJECT_KEY_ID
                | ID_CERTIFICATE_POLICIES
                | ID_POLICY_MAPPINGS
                | ID_POLICY_CONSTRAINTS
                | ID_INHIBIT_ANY_POLICY => true,
                _ => false,
            };
            if ext.critical && !handled {
                facts.unhandled_critical.push(ext.extn_id);
            }
        }
        Ok(facts)
    }
}

impl CertificateFacts {
    /// Extended key usages: Go's number for each it knows, the OID of each other.
    fn read_ext_key_usage(&mut self, value: &[u8]) -> Result<()> {
        let eku = pkix::ExtendedKeyUsage::from_der(value)
            .map_err(|e| anyhow!("x509: invalid extended key usages: {e}"))?;
        for oid in eku.0 {
            let text = oid.to_string();
            match EXT_KEY_USAGES.iter().find(|(o, _)| *o == text) {
                Some((_, usage)) => self.ext_key_usage.push(*usage),
                None => self.unknown_ext_key_usage.push(oid),
            }
        }
        Ok(())
    }
}

pub fn go_extensions(extensions: &[Extension]) -> Value {
    values_or_null(
        extensions
            .iter()
            .map(|e| {
                GoStruct::new()
                    .field("Id", oid_arcs(&e.extn_id))
                    .field("Critical", Value::from(e.critical))
                    .field("Value", bytes(e.extn_value.as_bytes()))
                    .build()
            })
            .collect(),
    )
}

/// The URIs of the OCSP responders and of the issuer's certificate.
fn authority_info_access(value: &[u8]) -> (Vec<String>, Vec<String>) {
    const OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
    const CA_ISSUERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");
    let mut ocsp = Vec::new();
    let mut issuers = Vec::new();
    if let Ok(aia) = pkix::AuthorityInfoAccessSyntax::from_der(value) {
        for access in aia.0 {
            if let x509_cert::ext::pkix::name::GeneralName::UniformResourceIdentifier(uri) =
                &access.access_location
            {
                match access.access_method {
                    OCSP => ocsp.push(uri.to_string()),
                    CA_ISSUERS => issuers.push(uri.to_string()),
                    _ => {}
                }
            }
        }
    }
    (ocsp, issuers)
}

fn crl_distribution_points(value: &[u8]) -> Vec<String> {
    use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
    let mut uris = Vec::new();
    if let Ok(points) = pkix::CrlDistributionPoints::from_der(value) {
        for point in points.0 {
            if let Some(DistributionPointName::FullName(names)) = point.distribution_point {
                for name in names {
                    if let GeneralName::UniformResourceIdentifier(uri) = name {
                        uris.push(uri.to_string());
                    }
                }
            }
        }
    }
    uris
}

fn add_name_constraints(out: &mut GoStruct, ext: Option<&Extension>) {
    use x509_cert::ext::pkix::name::GeneralName;
    let constraints =
        ext.and_then(|e| pkix::NameConstraints::from_der(e.extn_value.as_bytes()).ok());
    out.set(
        "PermittedDNSDomainsCritical",
        Value::from(ext.is_some_and(|e| e.critical)),
    );
    let subtrees = |which: Option<&pkix::constraints::name::GeneralSubtrees>| {
        let (mut dns, mut ips, mut emails, mut uris) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for subtree in which.map(|s| s.as_slice()).unwrap_or(&[]) {
            match &subtree.base {
                GeneralName::DnsName(name) => dns.push(name.to_string()),
                GeneralName::Rfc822Name(name) => emails.push(name.to_string()),
                GeneralName::UniformResourceIdentifier(name) => uris.push(name.to_string()),
                GeneralName::IpAddress(range) => {
                    let data = range.as_bytes();
                    let (ip, mask) = data.split_at(data.len() / 2);
                    ips.push(
                        GoStruct::new()
                            .field("IP", Value::from(super::names::go_ip(ip)))
                            .field("Mask", bytes(mask))
                            .build(),
                    );
                }
                _ => {}
            }
        }
        (dns, ips, emails, uris)
    };
    let permitted = subtrees(
        constraints
            .as_ref()
            .and_then(|c| c.permitted_subtrees.as_ref()),
    );
    let excluded = subtrees(
        constraints
            .as_ref()
            .and_then(|c| c.excluded_subtrees.as_ref()),
    );
    for (prefix, (dns, ips, emails, uris)) in [("Permitted", permitted), ("Excluded", excluded)] {
        out.set(&alloc::format!("{prefix}DNSDomains"), strings_or_null(dns));
        out.set(&alloc::format!("{prefix}IPRanges"), values_or_null(ips));
        out.set(
            &alloc::format!("{prefix}EmailAddresses"),
            strings_or_null(emails),
        );
        out.set(&alloc::format!("{prefix}URIDomains"), strings_or_null(uris));
    }
}

/// Go's `x509.SignatureAlgorithm` number.
pub fn go_signature_algorithm(alg: &spki::AlgorithmIdentifierOwned) -> u8 {
    match alg.oid.to_string().as_str() {
        "1.2.840.113549.1.1.2" => 1,
        "1.2.840.113549.1.1.4" => 2,
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => 3,
        "1.2.840.113549.1.1.11" => 4,
        "1.2.840.113549.1.1.12" => 5,
        "1.2.840.113549.1.1.13" => 6,
        "1.2.840.10040.4.3" => 7,
        "2.16.840.1.101.3.4.3.2" => 8,
        "1.2.840.10045.4.1" => 9,
        "1.2.840.10045.4.3.2" => 10,
        "1.2.840.10045.4.3.3" => 11,
        "1.2.840.10045.4.3.4" => 12,
        "1.2.840.113549.1.1.10" => match pss_hash(alg).as_deref() {
            Some("2.16.840.1.101.3.4.2.1") => 13,
            Some("2.16.840.1.101.3.4.2.2") => 14,
            Some("2.16.840.1.101.3.4.2.3") => 15,
            _ => 0,
        },
        "1.3.101.112" => 16,
        _ => 0,
    }
}

/// The hash OID in RSASSA-PSS parameters.
fn pss_hash(alg: &spki::AlgorithmIdentifierOwned) -> Option<String> {
    let params = alg.parameters.as_ref()?.to_der().ok()?;
    let params = rsa::pkcs1::RsaPssParams::from_der(&params).ok()?;
    Some(params.hash.oid.to_string())
}

/// Go's `x509.CertificateRequest` for a PKCS #10 request in DER.
pub fn certificate_request_go_json(der: &[u8]) -> Result<Value> {
    let csr = x509_cert::request::CertReq::from_der(der)
        .map_err(|e| anyhow!("asn1: structure error: {e}"))?;
    let info = &csr.info;
    let spki = info.public_key.to_der()?;
    let public_key = PublicKey::from_spki_der(&spki).ok();
    let mut attributes = Vec::new();
    let mut extensions: Vec<Extension> = Vec::new();
    const EXTENSION_REQUEST: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.14");
    for attribute in info.attributes.iter() {
        if attribute.oid != EXTENSION_REQUEST {
            continue;
        }
        let mut sets = Vec::new();
        for value in attribute.values.iter() {
            let requested: Vec<Extension> = value.decode_as().unwrap_or_default();
            sets.push(Value::from(
                requested
                    .iter()
                    .map(|e| {
                        GoStruct::new()
                            .field("Type", oid_arcs(&e.extn_id))
                            .field("Value", bytes(e.extn_value.as_bytes()))
                            .build()
                    })
                    .collect::<Vec<_>>(),
            ));
            extensions.extend(requested);
        }
        attributes.push(
            GoStruct::new()
                .field("Type", oid_arcs(&attribute.oid))
                .field("Value", Value::from(sets))
                .build(),
        );
    }
    let facts = CertificateFacts::read(&extensions)?;
    let mut out = GoStruct::new()
        .field("Raw", bytes(der))
        .field("RawTBSCertificateRequest", bytes(&info.to_der()?))
        .field("RawSubjectPublicKeyInfo", bytes(&spki))
        .field("RawSubject", bytes(&info.subject.to_der()?))
        .field("Version", Value::from(info.version as u32))
        .field("Signature", bytes(csr.signature.raw_bytes()))
        .field(
            "SignatureAlgorithm",
            Value::from(u32::from(go_signature_algorithm(&csr.algorithm))),
        )
        .field(
            "PublicKeyAlgorithm",
            Value::from(u32::from(
                public_key.as_ref().map_or(0, PublicKey::go_algorithm),
            )),
        )
        .field(
            "PublicKey",
            public_key.as_ref().map_or(Value::Null, PublicKey::go_json),
        )
        .field("Subject", go_name(&info.subject))
        .field("Attributes", values_or_null(attributes))
        .field("Extensions", go_extensions(&extensions))
        .field("ExtraExtensions", Value::Null);
    facts.sans.add_to(&mut out, false);
    Ok(out.build())
}
