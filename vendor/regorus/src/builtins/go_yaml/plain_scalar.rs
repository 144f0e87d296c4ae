// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! Whether go-yaml writes a string without quotes: only when the text, read back as a plain
//! scalar, is a string again. Not `null`/`~`/`true`/`.inf`/`<<`, not a number in any of the
//! forms go-yaml reads (`1_000`, `0x1F`, `0o17`, `0b101`, `017`, `.5`, `1e3`), not a
//! timestamp (`2001-12-14`), nor YAML 1.1's booleans (`yes`, `off`, `y`) and base-60
//! numbers (`1:30`), which older readers would take for those.

use super::timestamp::is_timestamp;

use alloc::string::String;
use alloc::vec::Vec;

/// Whether `s` may be written plain (the YAML layout rules aside).
pub fn reads_back_as_string(s: &str) -> bool {
    !(is_reserved_word(s) || reads_as_number_or_time(s) || is_yaml11_bool(s) || is_base60(s))
}

fn is_reserved_word(s: &str) -> bool {
    matches!(
        s,
        "" | "~"
            | "null"
            | "Null"
            | "NULL"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | ".nan"
            | ".NaN"
            | ".NAN"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
            | "<<"
    )
}

fn is_yaml11_bool(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// go-yaml tries numbers only for text starting with a digit, a sign or a dot.
fn reads_as_number_or_time(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b'.') => go_parses_float(s),
        Some(b'0'..=b'9' | b'+' | b'-') => {
            is_timestamp(s) || reads_as_number(s)
        }
        _ => false,
    }
}

/// The forms go-yaml tries for text starting with a digit or a sign, underscores dropped.
fn reads_as_number(s: &str) -> bool {
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if go_parses_integer(&plain, None) {
        return true;
    }
    if is_yaml_float(&plain) && go_parses_float(&plain) {
        return true;
    }
    let unsigned = plain.strip_prefix('-');
    let (negative, body) = (unsigned.is_some(), unsigned.unwrap_or(&plain));
    [("0b", 2), ("0o", 8)].iter().any(|&(prefix, radix)| {
        body.strip_prefix(prefix).is_some_and(|digits| {
            // Without its minus the prefix is cut from the text as it is, so a sign may
            // follow it (`0b-1`); with it, the digits must be bare.
            if negative {
                !digits.starts_with(['+', '-']) && go_parses_integer(digits, Some(radix))
            } else {
                go_parses_integer(digits, Some(radix))
            }
        })
    })
}

/// Go's `strconv.ParseInt` or `strconv.ParseUint` (64 bits) accepting `s` in `radix`, or with
/// `None` the radix its prefix names (`0x`, `0o`, `0b`, a leading `0` for octal).
fn go_parses_integer(s: &str, radix: Option<u32>) -> bool {
    let (negative, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = match radix {
        Some(radix) => (radix, unsigned),
        None => prefixed_radix(unsigned),
    };
    // from_str_radix would take a sign of its own.
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let Ok(magnitude) = u64::from_str_radix(digits, radix) else {
        return false;
    };
    // ParseInt takes -2^63..2^63-1; ParseUint (no sign at all) up to 2^64-1.
    if negative {
        magnitude <= 1 << 63
    } else {
        magnitude < 1 << 63 || !s.starts_with('+')
    }
}

fn prefixed_radix(s: &str) -> (u32, &str) {
    let bytes = s.as_bytes();
    if bytes.len() >= 2 && bytes[0] == b'0' {
        match bytes[1] {
            b'x' | b'X' => return (16, &s[2..]),
            b'o' | b'O' => return (8, &s[2..]),
            b'b' | b'B' => return (2, &s[2..]),
            _ => return (8, &s[1..]),
        }
    }
    (10, s)
}

/// go-yaml's own float syntax: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_yaml_float(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    };
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => !fraction.is_empty() && all_digits(fraction),
        Some((integer, fraction)) => all_digits(integer) && all_digits(fraction),
        None => !mantissa.is_empty() && all_digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
        !digits.is_empty() && all_digits(digits)
    });
    mantissa_ok && exponent_ok
}

/// Go's `strconv.ParseFloat(s, 64)` succeeding on text of go-yaml's float syntax once
/// underscores are dropped: each underscore between two digits, and a finite result (an
/// overflow is an error).
fn go_parses_float(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let underscores_ok = chars.iter().enumerate().all(|(i, &c)| {
        c != '_'
            || (i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(char::is_ascii_digit))
    });
    let digits: String = chars.iter().filter(|&&c| c != '_').collect();
    underscores_ok && is_yaml_float(&digits) && digits.parse::<f64>().is_ok_and(f64::is_finite)
}

/// `1:30`, `-1:30:00.5`: sexagesimal numbers of YAML 1.1.
fn is_base60(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (whole, fraction) = match s.find('.') {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    };
    let mut parts = whole.split(':');
    let head = parts.next().unwrap_or("");
    let head_ok = head.starts_with(|c: char| c.is_ascii_digit())
        && head.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let mut sexagesimal = 0;
    let parts_ok = parts.all(|part| {
        sexagesimal += 1;
        match part.as_bytes() {
            [d] => d.is_ascii_digit(),
            [tens, d] => (b'0'..=b'5').contains(tens) && d.is_ascii_digit(),
            _ => false,
        }
    });
    let fraction_ok =
        fraction.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit() || b == b'_'));
    head_ok && sexagesimal > 0 && parts_ok && fraction_ok
}
