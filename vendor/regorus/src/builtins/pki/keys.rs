// Public and private keys as OPA's builtins read them (PEM, DER, JWK) and show them (Go's
// JSON of rsa/ecdsa/ed25519 keys, or a JWK), with the signature checks and signing that
// io.jwt.* and certificate chains need.
use super::go_json::{big_unsigned, bytes, GoStruct};
use crate::value::Value;

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use anyhow::{anyhow, bail, Result};
use der::asn1::ObjectIdentifier;
use der::Decode;
use ecdsa::signature::hazmat::PrehashVerifier;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use sha2::Digest;
use spki::SubjectPublicKeyInfoRef;

pub const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");

/// An ECDSA signature in the curve's fixed-size form. Go splits a JWS signature in halves
/// and reads each as a number, so a half may be shorter than the field: each is padded.
fn fixed_ecdsa_signature(
    encoding: EcdsaEncoding,
    signature: &[u8],
    size: usize,
) -> Option<Vec<u8>> {
    match encoding {
        EcdsaEncoding::Der => {
            let (r, s) = der_ecdsa_integers(signature)?;
            let mut fixed = alloc::vec![0u8; 2 * size];
            if r.len() > size || s.len() > size {
                return None;
            }
            fixed[size - r.len()..size].copy_from_slice(r);
            fixed[2 * size - s.len()..].copy_from_slice(s);
            Some(fixed)
        }
        EcdsaEncoding::Concatenated => {
            let half = signature.len() / 2;
            if signature.is_empty() || signature.len() % 2 != 0 || half > size {
                return None;
            }
            let mut fixed = alloc::vec![0u8; 2 * size];
            fixed[size - half..size].copy_from_slice(&signature[..half]);
            fixed[2 * size - half..].copy_from_slice(&signature[half..]);
            Some(fixed)
        }
    }
}

/// The two INTEGERs of a DER `ECDSA-Sig-Value`, without leading zeros.
fn der_ecdsa_integers(signature: &[u8]) -> Option<(&[u8], &[u8])> {
    #[derive(der::Sequence)]
    struct EcdsaSig<'a> {
        r: der::asn1::UintRef<'a>,
        s: der::asn1::UintRef<'a>,
    }
    let sig = EcdsaSig::from_der(signature).ok()?;
    Some((sig.r.as_bytes(), sig.s.as_bytes()))
}

macro_rules! ecdsa_verifies {
    ($curve:ident, $key:expr, $hash:expr, $encoding:expr, $message:expr, $signature:expr) => {{
        let size = $key.to_encoded_point(false).as_bytes().len() / 2;
        match fixed_ecdsa_signature($encoding, $signature, size)
            .and_then(|fixed| $curve::ecdsa::Signature::from_slice(&fixed).ok())
        {
            Some(sig) => $curve::ecdsa::VerifyingKey::from_sec1_bytes(
                $key.to_encoded_point(false).as_bytes(),
            )
            .map(|key| key.verify_prehash(&$hash.digest($message), &sig).is_ok())
            .unwrap_or(false),
            None => false,
        }
    }};
}

macro_rules! ecdsa_sign {
    ($curve:ident, $key:expr, $hash:expr, $message:expr, $rng:expr) => {{
        use ecdsa::signature::hazmat::RandomizedPrehashSigner;
        let key = $curve::ecdsa::SigningKey::from_slice(&$key.to_bytes())?;
        let sig: $curve::ecdsa::Signature =
            key.sign_prehash_with_rng($rng, &$hash.digest($message))?;
        sig.to_bytes().to_vec()
    }};
}

#[derive(Clone)]
pub enum PublicKey {
    Rsa(rsa::RsaPublicKey),
    P256(p256::PublicKey),
    P384(p384::PublicKey),
    P521(p521::PublicKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

pub enum PrivateKey {
    Rsa(rsa::RsaPrivateKey),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    P521(p521::SecretKey),
    Ed25519(ed25519_dalek::SigningKey),
}

/// The hash a signature is made over.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    fn pkcs1v15(self) -> rsa::Pkcs1v15Sign {
        match self {
            Hash::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            Hash::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
            Hash::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
        }
    }

    fn pss(self) -> rsa::Pss {
        match self {
            Hash::Sha256 => rsa::Pss::new::<sha2::Sha256>(),
            Hash::Sha384 => rsa::Pss::new::<sha2::Sha384>(),
            Hash::Sha512 => rsa::Pss::new::<sha2::Sha512>(),
        }
    }
}

/// How an ECDSA signature is written: JWS's fixed-size `r || s` or X.509's DER SEQUENCE.
#[derive(Clone, Copy)]
pub enum EcdsaEncoding {
    Concatenated,
    Der,
}

/// A signature scheme over a message.
#[derive(Clone, Copy)]
pub enum Scheme {
    Pkcs1v15(Hash),
    /// RSASSA-PSS; `any_salt` reads the salt's length from the signature (as Go does for
    /// JWTs), else it must be the hash's (as Go requires of certificates).
    Pss {
        hash: Hash,
        any_salt: bool,
    },
    Ecdsa(Hash, EcdsaEncoding),
    Ed25519,
}

impl PublicKey {
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey> {
        let spki = SubjectPublicKeyInfoRef::from_der(der)?;
        let key_bytes = spki.subject_public_key.raw_bytes();
        let oid = spki.algorithm.oid;
        if oid == OID_RSA {
            use rsa::pkcs1::DecodeRsaPublicKey;
            return Ok(PublicKey::Rsa(rsa::RsaPublicKey::from_pkcs1_der(
                key_bytes,
            )?));
        }
        if oid == OID_ED25519 {
            let key: [u8; 32] = key_bytes
                .try_into()
                .map_err(|_| anyhow!("x509: malformed ed25519 public key"))?;
            return Ok(PublicKey::Ed25519(ed25519_dalek::VerifyingKey::from_bytes(
                &key,
            )?));
        }
        if oid == OID_EC {
            let curve: ObjectIdentifier = spki
                .algorithm
                .parameters
                .ok_or_else(|| anyhow!("x509: missing elliptic curve parameters"))?
                .decode_as()?;
            return if curve == OID_P256 {
                Ok(PublicKey::P256(p256::PublicKey::from_sec1_bytes(
                    key_bytes,
                )?))
            } else if curve == OID_P384 {
                Ok(PublicKey::P384(p384::PublicKey::from_sec1_bytes(
                    key_bytes,
                )?))
            } else if curve == OID_P521 {
                Ok(PublicKey::P521(p521::PublicKey::from_sec1_bytes(
                    key_bytes,
                )?))
            } else {
                bail!("x509: unsupported elliptic curve")
            };
        }
        bail!("x509: unknown public key algorithm")
    }

    /// Go's `x509.PublicKeyAlgorithm` number.
    pub fn go_algorithm(&self) -> u8 {
        match self {
            PublicKey::Rsa(_) => 1,
            PublicKey::P256(_) | PublicKey::P384(_) | PublicKey::P521(_) => 3,
            PublicKey::Ed25519(_) => 4,
        }
    }

    /// The key as Go's JSON shows an `*rsa.PublicKey`, `*ecdsa.PublicKey` or
    /// `ed25519.PublicKey`.
    pub fn go_json(&self) -> Value {
        match self {
            PublicKey::Rsa(k) => rsa_public_go_json(k),
            PublicKey::P256(k) => ec_point_go_json(k.to_encoded_point(false).as_bytes()),
            PublicKey::P384(k) => ec_point_go_json(k.to_encoded_point(false).as_bytes()),
            PublicKey::P521(k) => ec_point_go_json(k.to_encoded_point(false).as_bytes()),
            PublicKey::Ed25519(k) => bytes(k.as_bytes()),
        }
    }

    /// Whether `signature` is this key's signature of `message` under `scheme`. A scheme
    /// that does not fit the key's type does not verify.
    pub fn verifies(&self, scheme: Scheme, message: &[u8], signature: &[u8]) -> bool {
        match (self, scheme) {
            (PublicKey::Rsa(k), Scheme::Pkcs1v15(h)) => k
                .verify(h.pkcs1v15(), &h.digest(message), signature)
                .is_ok(),
            (
                PublicKey::Rsa(k),
                Scheme::Pss {
                    hash,
                    any_salt: true,
                },
            ) => super::pss::verifies_with_any_salt(k, hash, &hash.digest(message), signature),
            (
                PublicKey::Rsa(k),
                Scheme::Pss {
                    hash: h,
                    any_salt: false,
                },
            ) => k.verify(h.pss(), &h.digest(message), signature).is_ok(),
            (PublicKey::P256(k), Scheme::Ecdsa(h, enc)) => {
                ecdsa_verifies!(p256, k, h, enc, message, signature)
            }
            (PublicKey::P384(k), Scheme::Ecdsa(h, enc)) => {
                ecdsa_verifies!(p384, k, h, enc, message, signature)
            }
            (PublicKey::P521(k), Scheme::Ecdsa(h, enc)) => {
                ecdsa_verifies!(p521, k, h, enc, message, signature)
            }
            (PublicKey::Ed25519(k), Scheme::Ed25519) => {
                let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else {
                    return false;
                };
                k.verify_strict(message, &sig).is_ok()
            }
            _ => false,
        }
    }

    pub fn equals(&self, other: &PublicKey) -> bool {
        match (self, other) {
            (PublicKey::Rsa(a), PublicKey::Rsa(b)) => a == b,
            (PublicKey::P256(a), PublicKey::P256(b)) => a == b,
            (PublicKey::P384(a), PublicKey::P384(b)) => a == b,
            (PublicKey::P521(a), PublicKey::P521(b)) => a == b,
            (PublicKey::Ed25519(a), PublicKey::Ed25519(b)) => a == b,
            _ => false,
        }
    }
}

fn rsa_public_go_json(key: &rsa::RsaPublicKey) -> Value {
    GoStruct::new()
        .field("N", big_unsigned(&key.n().to_bytes_be()))
        .field("E", big_unsigned(&key.e().to_bytes_be()))
        .build()
}

fn ec_point_go_json(point: &[u8]) -> Value {
    // An uncompressed SEC1 point: 0x04, X, Y.
    let coordinates = &point[1..];
    let (x, y) = coordinates.split_at(coordinates.len() / 2);
    GoStruct::new()
        .field("Curve", Value::new_object())
        .field("X", big_unsigned(x))
        .field("Y", big_unsigned(y))
        .build()
}

impl PrivateKey {
    /// A `RSA PRIVATE KEY` (PKCS #1) block.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<PrivateKey> {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        Ok(PrivateKey::Rsa(rsa::RsaPrivateKey::from_pkcs1_der(der)?))
    }

    /// A `PRIVATE KEY` (PKCS #8) block.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey> {
        let info = pkcs8::PrivateKeyInfo::from_der(der)?;
        let oid = info.algorithm.oid;
        if oid == OID_RSA {
            return Self::from_pkcs1_der(info.private_key);
        }
        if oid == OID_ED25519 {
            use pkcs8::DecodePrivateKey;
            return Ok(PrivateKey::Ed25519(
                ed25519_dalek::SigningKey::from_pkcs8_der(der)?,
            ));
        }
        if oid == OID_EC {
            use pkcs8::DecodePrivateKey;
            if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
                return Ok(PrivateKey::P256(k));
            }
            if let Ok(k) = p384::SecretKey::from_pkcs8_der(der) {
                return Ok(PrivateKey::P384(k));
            }
            return Ok(PrivateKey::P521(p521::SecretKey::from_pkcs8_der(der)?));
        }
        bail!("x509: PKCS#8 wrapping contained private key with unknown algorithm: {oid}")
    }

    /// An `EC PRIVATE KEY` (SEC 1) block.
    pub fn from_sec1_der(der: &[u8]) -> Result<PrivateKey> {
        use p256::elliptic_curve::SecretKey;
        if let Ok(k) = SecretKey::<p256::NistP256>::from_sec1_der(der) {
            return Ok(PrivateKey::P256(k));
        }
        if let Ok(k) = SecretKey::<p384::NistP384>::from_sec1_der(der) {
            return Ok(PrivateKey::P384(k));
        }
        if let Ok(k) = SecretKey::<p521::NistP521>::from_sec1_der(der) {
            return Ok(PrivateKey::P521(k));
        }
        bail!("x509: failed to parse EC private key")
    }

    pub fn public_key(&self) -> PublicKey {
        match self {
            PrivateKey::Rsa(k) => PublicKey::Rsa(k.to_public_key()),
            PrivateKey::P256(k) => PublicKey::P256(k.public_key()),
            PrivateKey::P384(k) => PublicKey::P384(k.public_key()),
            PrivateKey::P521(k) => PublicKey::P521(k.public_key()),
            PrivateKey::Ed25519(k) => PublicKey::Ed25519(k.verifying_key()),
        }
    }

    /// The key as Go's JSON shows an `*rsa.PrivateKey`, `*ecdsa.PrivateKey` or
    /// `ed25519.PrivateKey`.
    pub fn go_json(&self) -> Value {
        match self {
            PrivateKey::Rsa(k) => rsa_private_go_json(k),
            PrivateKey::P256(k) => ec_private_go_json(
                ec_point_go_json(k.public_key().to_encoded_point(false).as_bytes()),
                &k.to_bytes(),
            ),
            PrivateKey::P384(k) => ec_private_go_json(
                ec_point_go_json(k.public_key().to_encoded_point(false).as_bytes()),
                &k.to_bytes(),
            ),
            PrivateKey::P521(k) => ec_private_go_json(
                ec_point_go_json(k.public_key().to_encoded_point(false).as_bytes()),
                &k.to_bytes(),
            ),
            PrivateKey::Ed25519(k) => bytes(&k.to_keypair_bytes()),
        }
    }

    /// The key as a JWK, as `crypto.x509.parse_rsa_private_key` returns it.
    pub fn jwk(&self) -> Value {
        let b64 = |data: &[u8]| Value::from(data_encoding::BASE64URL_NOPAD.encode(data));
        let mut jwk = GoStruct::new();
        match self {
            PrivateKey::Rsa(k) => {
                jwk.set("kty", Value::from("RSA"));
                jwk.set("n", b64(&k.n().to_bytes_be()));
                jwk.set("e", b64(&k.e().to_bytes_be()));
                jwk.set("d", b64(&k.d().to_bytes_be()));
                let primes = k.primes();
                if primes.len() >= 2 {
                    jwk.set("p", b64(&primes[0].to_bytes_be()));
                    jwk.set("q", b64(&primes[1].to_bytes_be()));
                }
                if let (Some(dp), Some(dq), Some(qinv)) = (k.dp(), k.dq(), k.qinv()) {
                    jwk.set("dp", b64(&dp.to_bytes_be()));
                    jwk.set("dq", b64(&dq.to_bytes_be()));
                    jwk.set("qi", b64(&qinv.to_bytes_be().1));
                }
            }
            PrivateKey::P256(k) => ec_jwk(
                &mut jwk,
                "P-256",
                &k.public_key().to_encoded_point(false).as_bytes()[1..],
                &k.to_bytes(),
            ),
            PrivateKey::P384(k) => ec_jwk(
                &mut jwk,
                "P-384",
                &k.public_key().to_encoded_point(false).as_bytes()[1..],
                &k.to_bytes(),
            ),
            PrivateKey::P521(k) => ec_jwk(
                &mut jwk,
                "P-521",
                &k.public_key().to_encoded_point(false).as_bytes()[1..],
                &k.to_bytes(),
            ),
            PrivateKey::Ed25519(k) => {
                jwk.set("kty", Value::from("OKP"));
                jwk.set("crv", Value::from("Ed25519"));
                jwk.set("x", b64(k.verifying_key().as_bytes()));
                jwk.set("d", b64(&k.to_bytes()));
            }
        }
        jwk.build()
    }

    /// This key's signature of `message` under the JWS algorithm `alg`.
    pub fn sign(&self, alg: &str, message: &[u8]) -> Result<Vec<u8>> {
        let mut rng = rand_core::OsRng;
        let mismatch = || anyhow!("failed to sign payload: key does not fit algorithm {alg}");
        match (self, jws_scheme(alg).ok_or_else(mismatch)?) {
            (PrivateKey::Rsa(k), Scheme::Pkcs1v15(h)) => {
                Ok(k.sign(h.pkcs1v15(), &h.digest(message))?)
            }
            (PrivateKey::Rsa(k), Scheme::Pss { hash: h, .. }) => {
                let scheme = match h {
                    Hash::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(32),
                    Hash::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(48),
                    Hash::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(64),
                };
                Ok(k.sign_with_rng(&mut rng, scheme, &h.digest(message))?)
            }
            (PrivateKey::P256(k), Scheme::Ecdsa(h, _)) => {
                Ok(ecdsa_sign!(p256, k, h, message, &mut rng))
            }
            (PrivateKey::P384(k), Scheme::Ecdsa(h, _)) => {
                Ok(ecdsa_sign!(p384, k, h, message, &mut rng))
            }
            (PrivateKey::P521(k), Scheme::Ecdsa(h, _)) => {
                Ok(ecdsa_sign!(p521, k, h, message, &mut rng))
            }
            (PrivateKey::Ed25519(k), Scheme::Ed25519) => {
                use ed25519_dalek::Signer;
                Ok(k.sign(message).to_bytes().to_vec())
            }
            _ => Err(mismatch()),
        }
    }
}

fn ec_jwk(jwk: &mut GoStruct, curve: &str, coordinates: &[u8], d: &[u8]) {
    let b64 = |data: &[u8]| Value::from(data_encoding::BASE64URL_NOPAD.encode(data));
    let (x, y) = coordinates.split_at(coordinates.len() / 2);
    jwk.set("kty", Value::from("EC"));
    jwk.set("crv", Value::from(curve));
    jwk.set("x", b64(x));
    jwk.set("y", b64(y));
    jwk.set("d", b64(d));
}

fn rsa_private_go_json(key: &rsa::RsaPrivateKey) -> Value {
    let big = |n: &rsa::BigUint| big_unsigned(&n.to_bytes_be());
    let mut precomputed = GoStruct::new().field("CRTValues", Value::new_array());
    if let (Some(dp), Some(dq), Some(qinv)) = (key.dp(), key.dq(), key.qinv()) {
        precomputed.set("Dp", big(dp));
        precomputed.set("Dq", big(dq));
        // The inverse is reduced modulo p, so it is never negative.
        precomputed.set("Qinv", big_unsigned(&qinv.to_bytes_be().1));
    }
    GoStruct::new()
        .field("N", big(key.n()))
        .field("E", big(key.e()))
        .field("D", big(key.d()))
        .field(
            "Primes",
            Value::from(key.primes().iter().map(big).collect::<Vec<_>>()),
        )
        .field("Precomputed", precomputed.build())
        .build()
}

fn ec_private_go_json(public: Value, d: &[u8]) -> Value {
    let mut value = public;
    if let Ok(fields) = value.as_object_mut() {
        fields.insert(Value::from("D"), big_unsigned(d));
    }
    value
}

/// The signature scheme of a JWS `alg`.
pub fn jws_scheme(alg: &str) -> Option<Scheme> {
    let concatenated = EcdsaEncoding::Concatenated;
    Some(match alg {
        "RS256" => Scheme::Pkcs1v15(Hash::Sha256),
        "RS384" => Scheme::Pkcs1v15(Hash::Sha384),
        "RS512" => Scheme::Pkcs1v15(Hash::Sha512),
        "PS256" => Scheme::Pss {
            hash: Hash::Sha256,
            any_salt: true,
        },
        "PS384" => Scheme::Pss {
            hash: Hash::Sha384,
            any_salt: true,
        },
        "PS512" => Scheme::Pss {
            hash: Hash::Sha512,
            any_salt: true,
        },
        "ES256" => Scheme::Ecdsa(Hash::Sha256, concatenated),
        "ES384" => Scheme::Ecdsa(Hash::Sha384, concatenated),
        "ES512" => Scheme::Ecdsa(Hash::Sha512, concatenated),
        "EdDSA" => Scheme::Ed25519,
        _ => return None,
    })
}

/// The private keys in PEM text, as OPA reads them: the whole input may be base64 of the
/// PEM; `RSA PRIVATE KEY`, `PRIVATE KEY` and `EC PRIVATE KEY` blocks are keys, other blocks
/// are skipped, and a key block that does not parse is an error.
pub fn private_keys_from_pem(text: &str) -> Result<Vec<PrivateKey>> {
    let decoded = data_encoding::BASE64.decode(text.as_bytes()).ok();
    let data: &[u8] = decoded.as_deref().unwrap_or(text.as_bytes());
    let mut keys = Vec::new();
    for (label, der) in super::input::pem_blocks(data) {
        match label.as_str() {
            "RSA PRIVATE KEY" => keys.push(PrivateKey::from_pkcs1_der(&der)?),
            "PRIVATE KEY" => keys.push(PrivateKey::from_pkcs8_der(&der)?),
            "EC PRIVATE KEY" => keys.push(PrivateKey::from_sec1_der(&der)?),
            _ => {}
        }
    }
    Ok(keys)
}

/// A key given as a JWK: its public part, and its private part when it has one.
pub struct Jwk {
    pub public: Option<PublicKey>,
    pub private: Option<PrivateKey>,
    /// An `oct` key's bytes.
    pub secret: Option<Vec<u8>>,
    pub alg: String,
    pub kid: String,
}

fn jwk_bytes(jwk: &JwkFields, name: &str) -> Result<Vec<u8>> {
    let text = jwk
        .get(name)
        .and_then(|v| v.as_str())
        .ok_or_else(|| anyhow!("failed to parse JWK: missing \"{name}\""))?;
    data_encoding::BASE64URL_NOPAD
        .decode(text.trim_end_matches('=').as_bytes())
        .map_err(|e| anyhow!("failed to parse JWK: {e}"))
}

fn rsa_uint(data: &[u8]) -> rsa::BigUint {
    rsa::BigUint::from_bytes_be(data)
}

type JwkFields = serde_json::Map<String, serde_json::Value>;

fn jwk_text(jwk: &JwkFields, name: &str) -> String {
    jwk.get(name)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

/// An RSA JWK: the public key, and the private key when it has `d`.
fn rsa_jwk(jwk: &JwkFields) -> Result<(PublicKey, Option<PrivateKey>)> {
    let n = rsa_uint(&jwk_bytes(jwk, "n")?);
    let e = rsa_uint(&jwk_bytes(jwk, "e")?);
    if !jwk.contains_key("d") {
        return Ok((PublicKey::Rsa(rsa::RsaPublicKey::new(n, e)?), None));
    }
    let d = rsa_uint(&jwk_bytes(jwk, "d")?);
    let primes = if jwk.contains_key("p") && jwk.contains_key("q") {
        alloc::vec![
            rsa_uint(&jwk_bytes(jwk, "p")?),
            rsa_uint(&jwk_bytes(jwk, "q")?)
        ]
    } else {
        Vec::new()
    };
    let private = rsa::RsaPrivateKey::from_components(n, e, d, primes)?;
    Ok((
        PublicKey::Rsa(private.to_public_key()),
        Some(PrivateKey::Rsa(private)),
    ))
}

/// An EC JWK on P-256, P-384 or P-521.
fn ec_jwk_key(jwk: &JwkFields) -> Result<(PublicKey, Option<PrivateKey>)> {
    let curve = jwk_text(jwk, "crv");
    let mut point = alloc::vec![4u8];
    point.extend(jwk_bytes(jwk, "x")?);
    point.extend(jwk_bytes(jwk, "y")?);
    let public = match curve.as_str() {
        "P-256" => PublicKey::P256(p256::PublicKey::from_sec1_bytes(&point)?),
        "P-384" => PublicKey::P384(p384::PublicKey::from_sec1_bytes(&point)?),
        "P-521" => PublicKey::P521(p521::PublicKey::from_sec1_bytes(&point)?),
        other => bail!("failed to parse JWK: unsupported curve {other}"),
    };
    if !jwk.contains_key("d") {
        return Ok((public, None));
    }
    let d = jwk_bytes(jwk, "d")?;
    let private = match curve.as_str() {
        "P-256" => PrivateKey::P256(p256::SecretKey::from_slice(&d)?),
        "P-384" => PrivateKey::P384(p384::SecretKey::from_slice(&d)?),
        _ => PrivateKey::P521(p521::SecretKey::from_slice(&d)?),
    };
    Ok((public, Some(private)))
}

/// An OKP JWK, which OPA reads only on Ed25519.
fn okp_jwk(jwk: &JwkFields) -> Result<(PublicKey, Option<PrivateKey>)> {
    let curve = jwk_text(jwk, "crv");
    if curve != "Ed25519" {
        bail!("failed to parse JWK: unsupported curve {curve}");
    }
    let bytes32 = |name: &str| -> Result<[u8; 32]> {
        jwk_bytes(jwk, name)?
            .try_into()
            .map_err(|_| anyhow!("failed to parse JWK: invalid Ed25519 key"))
    };
    let public = PublicKey::Ed25519(ed25519_dalek::VerifyingKey::from_bytes(&bytes32("x")?)?);
    let private = if jwk.contains_key("d") {
        Some(PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(
            &bytes32("d")?,
        )))
    } else {
        None
    };
    Ok((public, private))
}

impl Jwk {
    pub fn parse(jwk: &JwkFields) -> Result<Jwk> {
        let mut key = Jwk {
            public: None,
            private: None,
            secret: None,
            alg: jwk_text(jwk, "alg"),
            kid: jwk_text(jwk, "kid"),
        };
        let (public, private) = match jwk_text(jwk, "kty").as_str() {
            "oct" => {
                key.secret = Some(jwk_bytes(jwk, "k")?);
                return Ok(key);
            }
            "RSA" => rsa_jwk(jwk)?,
            "EC" => ec_jwk_key(jwk)?,
            "OKP" => okp_jwk(jwk)?,
            other => bail!("failed to parse JWK: unsupported key type {other:?}"),
        };
        key.public = Some(public);
        key.private = private;
        Ok(key)
    }

    /// A JWK or a JWK set (`{"keys": [...]}`) in JSON text.
    pub fn parse_set(text: &str) -> Result<Vec<Jwk>> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| anyhow!("failed to parse a JWK key (set): {e}"))?;
        let object = value
            .as_object()
            .ok_or_else(|| anyhow!("failed to parse a JWK key (set): not an object"))?;
        match object.get("keys") {
            Some(serde_json::Value::Array(keys)) => keys
                .iter()
                .map(|k| {
                    k.as_object()
                        .ok_or_else(|| anyhow!("failed to parse a JWK key (set): not an object"))
                        .and_then(Jwk::parse)
                })
                .collect(),
            _ => Ok(alloc::vec![Jwk::parse(object)?]),
        }
    }
}
