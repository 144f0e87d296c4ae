// OPA hands policies Go values (x509.Certificate, rsa.PrivateKey, tls.Certificate, ...) as
// Go's encoding/json writes them. These helpers build the same shapes as regorus values:
// a struct is an object of its exported fields, a byte slice is standard base64, a nil
// slice or pointer is null, and a big.Int is a number with all its digits.
use crate::number::{BigInt, Number};
use crate::value::Value;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use der::asn1::ObjectIdentifier;
use num_bigint::Sign;

/// A Go struct being marshalled: its fields by name.
#[derive(Default)]
pub struct GoStruct(BTreeMap<Value, Value>);

impl GoStruct {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn field(mut self, name: &str, value: Value) -> Self {
        self.0.insert(Value::from(name), value);
        self
    }

    pub fn set(&mut self, name: &str, value: Value) {
        self.0.insert(Value::from(name), value);
    }

    pub fn build(self) -> Value {
        Value::from(self.0)
    }
}

/// A `[]byte`: standard base64 with padding.
pub fn bytes(data: &[u8]) -> Value {
    Value::from(data_encoding::BASE64.encode(data))
}

/// A `[]byte` that may be nil.
pub fn optional_bytes(data: Option<&[u8]>) -> Value {
    data.map_or(Value::Null, bytes)
}

/// A non-negative `*big.Int` from its big-endian magnitude.
pub fn big_unsigned(magnitude: &[u8]) -> Value {
    Value::from(Number::from(BigInt::from_bytes_be(Sign::Plus, magnitude)))
}

/// A `*big.Int` from its two's complement big-endian bytes (as DER INTEGERs are written).
pub fn big_signed(twos_complement: &[u8]) -> Value {
    Value::from(Number::from(BigInt::from_signed_bytes_be(twos_complement)))
}

/// An `asn1.ObjectIdentifier`: the arcs as an array of numbers.
pub fn oid_arcs(oid: &ObjectIdentifier) -> Value {
    Value::from(oid.arcs().map(Value::from).collect::<Vec<_>>())
}

/// A slice of strings; nil (null) when there are none, as Go leaves such fields.
pub fn strings_or_null(items: Vec<String>) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        Value::from(items.into_iter().map(Value::from).collect::<Vec<_>>())
    }
}

/// A slice of values; nil (null) when there are none.
pub fn values_or_null(items: Vec<Value>) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        Value::from(items)
    }
}

/// A `time.Time` in UTC: RFC 3339 with a `Z`, fractional seconds only when there are some.
pub fn time(unix_seconds: i64) -> Value {
    match chrono::DateTime::from_timestamp(unix_seconds, 0) {
        Some(t) => Value::from(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        None => Value::Null,
    }
}
