// RSASSA-PSS verification that reads the salt's length from the signature, as Go's
// `rsa.VerifyPSS` does when OPA checks a JWT (`PSSSaltLengthAuto`). The rsa crate checks
// one given length only; JWS asks signers for a salt as long as the hash (RFC 7518), but
// OPA also accepts tokens from signers that use another length, so this does too.
use super::keys::Hash;

use alloc::vec::Vec;
use rsa::traits::PublicKeyParts;

/// Whether `signature` is a PSS signature of `digest` (made with `hash`, MGF1 with the same
/// hash, any salt length) under `key` (RFC 8017, EMSA-PSS-VERIFY).
pub fn verifies_with_any_salt(
    key: &rsa::RsaPublicKey,
    hash: Hash,
    digest: &[u8],
    signature: &[u8],
) -> bool {
    if signature.len() != key.size() {
        return false;
    }
    let s = rsa::BigUint::from_bytes_be(signature);
    if &s >= key.n() {
        return false;
    }
    let em_bits = key.n().bits() - 1;
    let em_len = em_bits.div_ceil(8);
    let message = s.modpow(key.e(), key.n()).to_bytes_be();
    if message.len() > em_len {
        return false;
    }
    let mut em = alloc::vec![0u8; em_len - message.len()];
    em.extend(message);
    let h_len = digest.len();
    if em_len < h_len + 2 || em[em_len - 1] != 0xbc {
        return false;
    }
    let (masked_db, rest) = em.split_at(em_len - h_len - 1);
    let h = &rest[..h_len];
    let unused_bits = 8 * em_len - em_bits;
    let top_mask = 0xffu8 >> unused_bits;
    if masked_db[0] & !top_mask != 0 {
        return false;
    }
    let mut db: Vec<u8> = masked_db
        .iter()
        .zip(mgf1(hash, h, masked_db.len()))
        .map(|(a, b)| a ^ b)
        .collect();
    db[0] &= top_mask;
    // The padding is zeros up to a 0x01; the salt is what follows.
    let Some(separator) = db.iter().position(|&b| b != 0) else {
        return false;
    };
    if db[separator] != 0x01 {
        return false;
    }
    let mut m_prime = alloc::vec![0u8; 8];
    m_prime.extend_from_slice(digest);
    m_prime.extend_from_slice(&db[separator + 1..]);
    hash.digest(&m_prime) == h
}

/// MGF1 with `hash`: the hashes of the seed and a counter, concatenated to `len` bytes.
fn mgf1(hash: Hash, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut counter: u32 = 0;
    while out.len() < len {
        let mut block = seed.to_vec();
        block.extend_from_slice(&counter.to_be_bytes());
        out.extend(hash.digest(&block));
        counter += 1;
    }
    out.truncate(len);
    out
}
