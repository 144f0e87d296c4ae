// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! `sprintf` as OPA computes it: Go's `fmt.Sprintf` over the four kinds of operand OPA
//! passes it. OPA hands Go a number as `int64` when it is an integer that fits, as
//! `*big.Int` when it is a larger integer, as `float64` otherwise, a string as `string`, and
//! any other value (boolean, null, array, set, object) as the string of its Rego syntax.
//! This follows the documented behaviour of Go's fmt package for those types: verbs, the
//! `+ - # 0 space` flags, width and precision (`*` included), explicit argument indexes
//! (`%[2]d`), and the in-band error strings (`%!d(string=x)`, `%!v(MISSING)`,
//! `%!(EXTRA int64=1)`, `%!(NOVERB)`, `%!(BADWIDTH)`, `%!(BADPREC)`, `%!d(BADINDEX)`).
//! The `#` flag on a float verb and the `b`, `x`, `X` float verbs are refused with an error
//! rather than approximated.

use super::go_is_print;
use crate::number::BigInt;
use alloc::format;
use alloc::string::{String, ToString as _};
use alloc::vec::Vec;
use num_traits::Signed as _;

/// One operand as Go's fmt sees it.
pub enum GoArg {
    Int(i64),
    Big(BigInt),
    Float(f64),
    Str(String),
}

impl GoArg {
    const fn type_name(&self) -> &'static str {
        match *self {
            Self::Int(_) => "int64",
            Self::Big(_) => "*big.Int",
            Self::Float(_) => "float64",
            Self::Str(_) => "string",
        }
    }
}

/// Go's limit on a width or precision written in the format (or given with `*`).
const TOO_LARGE: usize = 1_000_000;

#[derive(Clone, Default)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

struct Printer {
    out: String,
    flags: Flags,
}

/// `format` applied to `args`; `Err` names a verb and flag combination that is not
/// supported here.
pub fn sprintf(format: &str, args: &[GoArg]) -> Result<String, String> {
    let mut p = Printer {
        out: String::new(),
        flags: Flags::default(),
    };
    let bytes = format.as_bytes();
    let end = bytes.len();
    let mut arg_num = 0usize;
    let mut reordered = false;
    let mut i = 0usize;
    while i < end {
        let text_start = i;
        while i < end && bytes[i] != b'%' {
            i += 1;
        }
        p.out.push_str(&format[text_start..i]);
        if i >= end {
            break;
        }
        i += 1; // the '%'

        p.flags = Flags::default();
        while i < end {
            match bytes[i] {
                b'#' => p.flags.sharp = true,
                b'0' => p.flags.zero = true,
                b'+' => p.flags.plus = true,
                b'-' => p.flags.minus = true,
                b' ' => p.flags.space = true,
                _ => break,
            }
            i += 1;
        }

        let mut good_arg_num = true;
        let mut after_index;
        (arg_num, i, after_index) = arg_number(
            format,
            i,
            arg_num,
            args.len(),
            &mut good_arg_num,
            &mut reordered,
        );

        // Width.
        if i < end && bytes[i] == b'*' {
            i += 1;
            let (wid, ok, next) = int_from_arg(args, arg_num);
            arg_num = next;
            if !ok {
                p.out.push_str("%!(BADWIDTH)");
            }
            match wid {
                Some(w) if w < 0 => {
                    p.flags.wid = Some(w.unsigned_abs() as usize);
                    p.flags.minus = true;
                    p.flags.zero = false;
                }
                Some(w) => p.flags.wid = Some(w as usize),
                None => {}
            }
            after_index = false;
        } else {
            let (wid, next) = parse_num(bytes, i, end);
            p.flags.wid = wid;
            i = next;
            if after_index && wid.is_some() {
                good_arg_num = false;
            }
        }

        // Precision.
        if i + 1 < end && bytes[i] == b'.' {
            i += 1;
            if after_index {
                good_arg_num = false;
            }
            (arg_num, i, after_index) = arg_number(
                format,
                i,
                arg_num,
                args.len(),
                &mut good_arg_num,
                &mut reordered,
            );
            if i < end && bytes[i] == b'*' {
                i += 1;
                let (prec, ok, next) = int_from_arg(args, arg_num);
                arg_num = next;
                p.flags.prec = prec.filter(|p| *p >= 0).map(|p| p as usize);
                if !ok {
                    p.out.push_str("%!(BADPREC)");
                }
                after_index = false;
            } else {
                let (prec, next) = parse_num(bytes, i, end);
                p.flags.prec = Some(prec.unwrap_or(0));
                i = next;
            }
        }

        if !after_index {
            (arg_num, i, _) = arg_number(
                format,
                i,
                arg_num,
                args.len(),
                &mut good_arg_num,
                &mut reordered,
            );
        }

        if i >= end {
            p.out.push_str("%!(NOVERB)");
            break;
        }

        let verb = format[i..].chars().next().unwrap_or('%');
        i += verb.len_utf8();

        if verb == '%' {
            p.out.push('%');
        } else if !good_arg_num {
            p.out.push_str("%!");
            p.out.push(verb);
            p.out.push_str("(BADINDEX)");
        } else if arg_num >= args.len() {
            p.out.push_str("%!");
            p.out.push(verb);
            p.out.push_str("(MISSING)");
        } else {
            if verb == 'v' || verb == 'w' {
                p.flags.sharp_v = p.flags.sharp;
                p.flags.sharp = false;
                p.flags.plus_v = p.flags.plus;
                p.flags.plus = false;
            }
            p.print_arg(&args[arg_num], verb)?;
            arg_num += 1;
        }
    }

    if !reordered && arg_num < args.len() {
        p.flags = Flags::default();
        p.out.push_str("%!(EXTRA ");
        for (n, arg) in args[arg_num..].iter().enumerate() {
            if n > 0 {
                p.out.push_str(", ");
            }
            p.out.push_str(arg.type_name());
            p.out.push('=');
            p.print_arg(arg, 'v')?;
        }
        p.out.push(')');
    }
    Ok(p.out)
}

/// A number written in the format from `i` to at most `end`: its value (if there is one)
/// and where it ends.
fn parse_num(bytes: &[u8], mut i: usize, end: usize) -> (Option<usize>, usize) {
    let mut num = 0usize;
    let mut present = false;
    while i < end && bytes[i].is_ascii_digit() {
        if num > TOO_LARGE {
            return (None, end);
        }
        num = num * 10 + usize::from(bytes[i] - b'0');
        present = true;
        i += 1;
    }
    (present.then_some(num), i)
}

/// An explicit argument index (`[n]`, one-based) at `i`: the argument it selects, where
/// the format goes on, and whether there was a well-formed one.
fn arg_number(
    format: &str,
    i: usize,
    arg_num: usize,
    num_args: usize,
    good_arg_num: &mut bool,
    reordered: &mut bool,
) -> (usize, usize, bool) {
    let bytes = format.as_bytes();
    if i >= bytes.len() || bytes[i] != b'[' {
        return (arg_num, i, false);
    }
    *reordered = true;
    let rest = &bytes[i..];
    // (index, bytes taken, well-formed): "[n]" needs three bytes and a closing bracket.
    let (index, width, ok) = match rest.iter().position(|&b| b == b']') {
        Some(close) if rest.len() >= 3 => match parse_num(rest, 1, close) {
            (Some(n), next) if next == close => (n.checked_sub(1), close + 1, true),
            _ => (None, close + 1, false),
        },
        _ => (None, 1, false),
    };
    match index {
        Some(index) if ok && index < num_args => (index, i + width, true),
        _ => {
            *good_arg_num = false;
            (arg_num, i + width, ok)
        }
    }
}

/// A `*` width or precision: the argument's value when it is an int, whether it was, and
/// the next argument.
fn int_from_arg(args: &[GoArg], arg_num: usize) -> (Option<i64>, bool, usize) {
    match args.get(arg_num) {
        Some(GoArg::Int(n)) if n.unsigned_abs() <= TOO_LARGE as u64 => {
            (Some(*n), true, arg_num + 1)
        }
        Some(_) => (None, false, arg_num + 1),
        None => (None, false, arg_num),
    }
}

impl Printer {
    fn print_arg(&mut self, arg: &GoArg, verb: char) -> Result<(), String> {
        match (verb, arg) {
            ('T', _) => {
                let name = self.truncate(arg.type_name());
                self.pad(name);
                return Ok(());
            }
            ('p', GoArg::Big(_)) => {
                return Err("sprintf: %p of a big integer (an address) is not supported".into());
            }
            ('p', _) => return self.bad_verb(arg, verb),
            _ => {}
        }
        match arg {
            GoArg::Int(n) => self.fmt_int(*n, verb),
            GoArg::Big(n) => self.fmt_big(n, verb),
            GoArg::Float(f) => self.fmt_float(*f, verb),
            GoArg::Str(s) => self.fmt_string(s, verb),
        }
    }

    fn bad_verb(&mut self, arg: &GoArg, verb: char) -> Result<(), String> {
        self.out.push_str("%!");
        self.out.push(verb);
        self.out.push('(');
        self.out.push_str(arg.type_name());
        self.out.push('=');
        self.print_arg(arg, 'v')?;
        self.out.push(')');
        Ok(())
    }

    /// `s` padded to the width with spaces (or zeros with the `0` flag), on the left, or
    /// on the right with the `-` flag.
    fn pad(&mut self, s: &str) {
        let Some(wid) = self.flags.wid.filter(|w| *w > 0) else {
            self.out.push_str(s);
            return;
        };
        let padding = wid.saturating_sub(s.chars().count());
        if self.flags.minus {
            self.out.push_str(s);
            self.push_padding(padding);
        } else {
            self.push_padding(padding);
            self.out.push_str(s);
        }
    }

    fn push_padding(&mut self, n: usize) {
        let c = if self.flags.zero && !self.flags.minus {
            '0'
        } else {
            ' '
        };
        self.out.extend(core::iter::repeat_n(c, n));
    }

    fn pad_spaces(&mut self, s: &str) {
        let zero = core::mem::replace(&mut self.flags.zero, false);
        self.pad(s);
        self.flags.zero = zero;
    }

    fn fmt_int(&mut self, n: i64, verb: char) -> Result<(), String> {
        let magnitude = n.unsigned_abs();
        match verb {
            'v' | 'd' => self.fmt_integer(n < 0, &magnitude.to_string(), 10, verb),
            'b' => self.fmt_integer(n < 0, &format!("{magnitude:b}"), 2, verb),
            'o' | 'O' => self.fmt_integer(n < 0, &format!("{magnitude:o}"), 8, verb),
            'x' => self.fmt_integer(n < 0, &format!("{magnitude:x}"), 16, verb),
            'X' => self.fmt_integer(n < 0, &format!("{magnitude:X}"), 16, verb),
            'c' => {
                let c = u32::try_from(n)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                self.pad_spaces(c.encode_utf8(&mut [0; 4]));
            }
            'q' => {
                let c = u32::try_from(n)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                let quoted = go_quote_rune(c);
                self.pad_spaces(&quoted);
            }
            'U' => {
                let min_digits = self.flags.prec.filter(|p| *p > 4).unwrap_or(4);
                let mut s = format!("U+{:0min_digits$X}", n as u64);
                if self.flags.sharp {
                    if let Some(c) = u32::try_from(n).ok().and_then(char::from_u32) {
                        if go_is_print::is_print(c) {
                            s.push_str(" '");
                            s.push(c);
                            s.push('\'');
                        }
                    }
                }
                self.pad_spaces(&s);
            }
            _ => self.bad_verb(&GoArg::Int(n), verb)?,
        }
        Ok(())
    }

    /// Go's integer formatting: `digits` is the magnitude in `base`.
    fn fmt_integer(&mut self, negative: bool, digits: &str, base: u32, verb: char) {
        let f = self.flags.clone();
        let mut prec = 0usize;
        if let Some(p) = f.prec {
            prec = p;
            if p == 0 && digits == "0" {
                let zero = core::mem::replace(&mut self.flags.zero, false);
                self.push_padding(f.wid.unwrap_or(0));
                self.flags.zero = zero;
                return;
            }
        } else if f.zero && !f.minus && f.wid.is_some() {
            prec = f.wid.unwrap_or(0);
            if negative || f.plus || f.space {
                prec = prec.saturating_sub(1);
            }
        }
        let mut body = String::new();
        for _ in digits.len()..prec {
            body.push('0');
        }
        body.push_str(digits);
        let mut prefix = String::new();
        if f.sharp {
            match base {
                2 => prefix.push_str("0b"),
                8 if !body.starts_with('0') => prefix.push('0'),
                16 if verb == 'X' => prefix.push_str("0X"),
                16 => prefix.push_str("0x"),
                _ => {}
            }
        }
        if verb == 'O' {
            prefix.push_str("0o");
        }
        let sign = if negative {
            "-"
        } else if f.plus {
            "+"
        } else if f.space {
            " "
        } else {
            ""
        };
        let s = format!("{sign}{prefix}{body}");
        self.pad_spaces(&s);
    }

    /// `*big.Int` formats itself (math/big's `Int.Format`).
    fn fmt_big(&mut self, n: &BigInt, verb: char) -> Result<(), String> {
        let (base, upper) = match verb {
            'b' => (2, false),
            'o' | 'O' => (8, false),
            'd' | 's' | 'v' => (10, false),
            'x' => (16, false),
            'X' => (16, true),
            _ => {
                self.out.push_str(&format!("%!{verb}(big.Int={n})"));
                return Ok(());
            }
        };
        let f = self.flags.clone();
        let sign = if n.is_negative() {
            "-"
        } else if f.plus || f.plus_v {
            "+"
        } else if f.space {
            " "
        } else {
            ""
        };
        let mut prefix = "";
        if f.sharp || f.sharp_v {
            prefix = match verb {
                'b' => "0b",
                'o' => "0",
                'x' => "0x",
                'X' => "0X",
                _ => "",
            };
        }
        if verb == 'O' {
            prefix = "0o";
        }
        let mut digits = n.abs().to_str_radix(base);
        if upper {
            digits = digits.to_uppercase();
        }
        let mut zeros = 0;
        if let Some(p) = f.prec {
            if digits.len() < p {
                zeros = p - digits.len();
            } else if digits == "0" && p == 0 {
                return Ok(());
            }
        }
        let length = sign.len() + prefix.len() + zeros + digits.len();
        let (mut left, mut right) = (0, 0);
        if let Some(wid) = f.wid.filter(|w| length < *w) {
            let d = wid - length;
            if f.minus {
                right = d;
            } else if f.zero && f.prec.is_none() {
                zeros = d;
            } else {
                left = d;
            }
        }
        self.out.extend(core::iter::repeat_n(' ', left));
        self.out.push_str(sign);
        self.out.push_str(prefix);
        self.out.extend(core::iter::repeat_n('0', zeros));
        self.out.push_str(&digits);
        self.out.extend(core::iter::repeat_n(' ', right));
        Ok(())
    }

    fn fmt_float(&mut self, v: f64, verb: char) -> Result<(), String> {
        let (kind, default_prec) = match verb {
            'v' => ('g', None),
            'g' | 'G' => (verb, None),
            'e' | 'E' | 'f' => (verb, Some(6)),
            'F' => ('f', Some(6)),
            'b' | 'x' | 'X' => {
                return Err(format!("sprintf: %{verb} of a float is not supported"));
            }
            _ => return self.bad_verb(&GoArg::Float(v), verb),
        };
        if self.flags.sharp || self.flags.sharp_v {
            return Err(format!(
                "sprintf: the # flag with %{verb} of a float is not supported"
            ));
        }
        let prec = self.flags.prec.or(default_prec);
        let unsigned = format_float(v.abs(), kind, prec);
        let sign = if v.is_sign_negative() && v != 0.0 {
            '-'
        } else if self.flags.plus {
            '+'
        } else if self.flags.space {
            ' '
        } else {
            '\0'
        };
        if sign == '\0' {
            self.pad(&unsigned);
            return Ok(());
        }
        let mut num = String::with_capacity(unsigned.len() + 1);
        num.push(sign);
        num.push_str(&unsigned);
        match self.flags.wid {
            Some(wid) if self.flags.zero && !self.flags.minus && wid > num.len() => {
                self.out.push(sign);
                self.push_padding(wid - num.len());
                self.out.push_str(&unsigned);
            }
            _ => self.pad(&num),
        }
        Ok(())
    }

    fn fmt_string(&mut self, s: &str, verb: char) -> Result<(), String> {
        match verb {
            'v' if self.flags.sharp_v => self.fmt_q(s),
            'v' | 's' => {
                let s = self.truncate(s);
                self.pad(s);
            }
            'x' | 'X' => self.fmt_sx(s, verb == 'X'),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(&GoArg::Str(s.to_string()), verb)?,
        }
        Ok(())
    }

    fn truncate<'s>(&self, s: &'s str) -> &'s str {
        match self.flags.prec {
            Some(p) => s.char_indices().nth(p).map_or(s, |(at, _)| &s[..at]),
            None => s,
        }
    }

    fn fmt_q(&mut self, s: &str) {
        let s = self.truncate(s);
        if self.flags.sharp && can_backquote(s) {
            let quoted = format!("`{s}`");
            self.pad(&quoted);
        } else {
            let quoted = go_quote(s, self.flags.plus);
            self.pad(&quoted);
        }
    }

    fn fmt_sx(&mut self, s: &str, upper: bool) {
        let f = self.flags.clone();
        let bytes = s.as_bytes();
        let length = f.prec.map_or(bytes.len(), |p| p.min(bytes.len()));
        if length == 0 {
            if let Some(wid) = f.wid {
                self.push_padding(wid);
            }
            return;
        }
        let mut width = 2 * length;
        if f.space {
            if f.sharp {
                width *= 2;
            }
            width += length - 1;
        } else if f.sharp {
            width += 2;
        }
        let padding = f.wid.map_or(0, |w| w.saturating_sub(width));
        if !f.minus {
            self.push_padding(padding);
        }
        let x = if upper { "0X" } else { "0x" };
        if f.sharp {
            self.out.push_str(x);
        }
        for (i, b) in bytes[..length].iter().enumerate() {
            if f.space && i > 0 {
                self.out.push(' ');
                if f.sharp {
                    self.out.push_str(x);
                }
            }
            if upper {
                self.out.push_str(&format!("{b:02X}"));
            } else {
                self.out.push_str(&format!("{b:02x}"));
            }
        }
        if f.minus {
            self.push_padding(padding);
        }
    }
}

/// The decimal digits of `v` (positive) and the position of the decimal point: `v` is
/// `0.DIGITS × 10^point`. Zero has no digits. With `significant`, rounded to that many
/// digits (trailing zeros dropped); otherwise the shortest digits that read back as `v`.
fn decimal_digits(v: f64, significant: Option<usize>) -> (String, i32) {
    if v == 0.0 {
        return (String::new(), 0);
    }
    let scientific = match significant {
        Some(n) => format!("{:.*e}", n.max(1) - 1, v),
        None => format!("{v:e}"),
    };
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    (digits, exponent + 1)
}

/// `%e`: d.ddde±dd with `prec` decimals.
fn fmt_e(digits: &str, point: i32, prec: usize, e: char) -> String {
    let mut s = String::new();
    let mut chars = digits.chars();
    s.push(chars.next().unwrap_or('0'));
    if prec > 0 {
        s.push('.');
        let rest: Vec<char> = chars.collect();
        for i in 0..prec {
            s.push(rest.get(i).copied().unwrap_or('0'));
        }
    }
    let exponent = if digits.is_empty() { 0 } else { point - 1 };
    s.push(e);
    s.push(if exponent < 0 { '-' } else { '+' });
    let magnitude = exponent.unsigned_abs();
    if magnitude < 10 {
        s.push('0');
    }
    s.push_str(&magnitude.to_string());
    s
}

/// `%f` with `prec` decimals, from digits that already hold the needed precision.
fn fmt_f(digits: &str, point: i32, prec: usize) -> String {
    let digit = |i: i32| -> char {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.as_bytes().get(i))
            .map_or('0', |b| char::from(*b))
    };
    let mut s = String::new();
    if point > 0 {
        for i in 0..point {
            s.push(digit(i));
        }
    } else {
        s.push('0');
    }
    if prec > 0 {
        s.push('.');
        for i in 0..prec {
            s.push(digit(point + i as i32));
        }
    }
    s
}

/// Go's `strconv.FormatFloat(v, kind, prec, 64)` for a positive `v`; `prec` `None` is the
/// shortest representation.
fn format_float(v: f64, kind: char, prec: Option<usize>) -> String {
    match (kind, prec) {
        ('e' | 'E', Some(p)) => {
            let (digits, point) = decimal_digits(v, Some(p + 1));
            fmt_e(&digits, point, p, kind)
        }
        ('e' | 'E', None) => {
            let (digits, point) = decimal_digits(v, None);
            fmt_e(&digits, point, digits.len().saturating_sub(1), kind)
        }
        ('f', Some(p)) => format!("{v:.p$}"),
        ('f', None) => {
            let (digits, point) = decimal_digits(v, None);
            fmt_f(
                &digits,
                point,
                (digits.len() as i32 - point).max(0) as usize,
            )
        }
        (_, prec) => {
            // %g: %e for large and small exponents, %f otherwise, trailing zeros dropped.
            let e = if kind == 'G' { 'E' } else { 'e' };
            let shortest = prec.is_none();
            let (digits, point) = decimal_digits(v, prec.map(|p| p.max(1)));
            let nd = digits.len() as i32;
            let mut p = prec.map_or(nd, |p| p.max(1) as i32);
            let mut eprec = p;
            if eprec > nd && nd >= point {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exponent = point - 1;
            if exponent < -4 || exponent >= eprec {
                if p > nd {
                    p = nd;
                }
                return fmt_e(&digits, point, (p - 1).max(0) as usize, e);
            }
            if p > point {
                p = nd;
            }
            fmt_f(&digits, point, (p - point).max(0) as usize)
        }
    }
}

/// Go's `strconv.CanBackquote`.
fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !c.is_control()))
}

/// Go's `strconv.Quote`.
pub fn quote(s: &str) -> String {
    go_quote(s, false)
}

/// Go's `strconv.Quote` (`ascii_only`: `QuoteToASCII`).
fn go_quote(s: &str, ascii_only: bool) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        push_escaped(&mut out, c, '"', ascii_only);
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteRune`.
fn go_quote_rune(c: char) -> String {
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'', false);
    out.push('\'');
    out
}

fn push_escaped(out: &mut String, c: char, quote: char, ascii_only: bool) {
    match c {
        c if c == quote || c == '\\' => {
            out.push('\\');
            out.push(c);
        }
        '\u{0007}' => out.push_str("\\a"),
        '\u{0008}' => out.push_str("\\b"),
        '\u{000C}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{000B}' => out.push_str("\\v"),
        c if (!ascii_only || c.is_ascii()) && go_is_print::is_print(c) => out.push(c),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}
