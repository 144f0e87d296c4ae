// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! A `float64` as Go's `strconv.FormatFloat(f, 'g', -1, 64)` writes it, which go-yaml uses:
//! the shortest digits that read back as `f`, in exponent form (`1e+06`, `1.5e-07`) when the
//! decimal exponent is below -4 or at least 6, else as a decimal (`123456`, `0.0001`).

use alloc::format;
use alloc::string::{String, ToString};

/// Go's `%e` takes over from `%f` at this decimal exponent (shortest precision).
const EXPONENT_FORM_FROM: i32 = 6;
const EXPONENT_FORM_BELOW: i32 = -4;

pub fn format_g(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_string();
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0");
    }
    // Rust's `{:e}` gives the same shortest digits: `d.ddde<exponent>`.
    let scientific = format!("{:e}", f.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(EXPONENT_FORM_BELOW..EXPONENT_FORM_FROM).contains(&exponent) {
        format!("{sign}{}", exponent_form(&digits, exponent))
    } else {
        format!("{sign}{}", decimal_form(&digits, exponent))
    }
}

/// `d.ddde±XX`, the exponent with at least two digits.
fn exponent_form(digits: &str, exponent: i32) -> String {
    let (first, rest) = digits.split_at(1);
    let point = if rest.is_empty() { "" } else { "." };
    let exponent_sign = if exponent < 0 { '-' } else { '+' };
    format!(
        "{first}{point}{rest}e{exponent_sign}{:02}",
        exponent.unsigned_abs()
    )
}

/// The digits with the decimal point placed by `exponent` (from -4 to 5).
fn decimal_form(digits: &str, exponent: i32) -> String {
    if exponent < 0 {
        let zeros = "0".repeat(exponent.unsigned_abs() as usize - 1);
        return format!("0.{zeros}{digits}");
    }
    let integer_digits = exponent as usize + 1;
    if digits.len() <= integer_digits {
        let zeros = "0".repeat(integer_digits - digits.len());
        format!("{digits}{zeros}")
    } else {
        let (integer, fraction) = digits.split_at(integer_digits);
        format!("{integer}.{fraction}")
    }
}
