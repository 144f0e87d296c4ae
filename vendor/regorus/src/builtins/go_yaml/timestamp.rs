// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! Text go-yaml reads as a timestamp, so quotes when it is a string: Go's `time.Parse` of one
//! of the layouts `2006-1-2T15:4:5.999999999Z07:00` (also with `t`), `2006-1-2
//! 15:4:5.999999999` and `2006-1-2`, for text starting with four digits and `-`.

/// Whether `s` parses as one of go-yaml's timestamp layouts.
pub fn is_timestamp(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() < 5 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return false;
    }
    let year = bytes[..4]
        .iter()
        .fold(0, |year, digit| year * 10 + u32::from(digit - b'0'));
    let mut text = Cursor { rest: &bytes[5..] };
    let Some(month) = text.number_in(1..=12) else {
        return false;
    };
    let day = match (text.literal(b'-'), text.number_in(1..=31)) {
        (true, Some(day)) => day,
        _ => return false,
    };
    if day > days_in_month(month, year) {
        return false;
    }
    match text.rest.first() {
        None => true,
        Some(b'T' | b't') => {
            text.rest = &text.rest[1..];
            text.clock() && text.zone() && text.rest.is_empty()
        }
        Some(b' ') => {
            text.skip_spaces();
            text.clock() && text.rest.is_empty()
        }
        Some(_) => false,
    }
}

struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    fn literal(&mut self, expected: u8) -> bool {
        match self.rest.split_first() {
            Some((&first, rest)) if first == expected => {
                self.rest = rest;
                true
            }
            _ => false,
        }
    }

    /// One or two digits (Go's layout fields `1`, `2`, `15`, `4`, `5`) within `range`.
    fn number_in(&mut self, range: core::ops::RangeInclusive<u32>) -> Option<u32> {
        let width = self
            .rest
            .iter()
            .take(2)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if width == 0 {
            return None;
        }
        let number = self.rest[..width]
            .iter()
            .fold(0, |n, digit| n * 10 + u32::from(digit - b'0'));
        self.rest = &self.rest[width..];
        range.contains(&number).then_some(number)
    }

    fn skip_spaces(&mut self) {
        let spaces = self.rest.iter().take_while(|&&b| b == b' ').count();
        self.rest = &self.rest[spaces..];
    }

    /// `15:4:5` and an optional fraction of a second (`.` or `,`, then any digits).
    fn clock(&mut self) -> bool {
        let clock = self.number_in(0..=23).is_some()
            && self.literal(b':')
            && self.number_in(0..=59).is_some()
            && self.literal(b':')
            && self.number_in(0..=59).is_some();
        if clock
            && matches!(self.rest, [b'.' | b',', digit, ..] if digit.is_ascii_digit())
        {
            let digits = self.rest[1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            self.rest = &self.rest[1 + digits..];
        }
        clock
    }

    /// `Z`, or `±hh:mm` with at most 24 hours and 60 minutes.
    fn zone(&mut self) -> bool {
        if self.literal(b'Z') {
            return true;
        }
        let [sign, h1, h2, b':', m1, m2, rest @ ..] = self.rest else {
            return false;
        };
        let two_digits = |a: &u8, b: &u8| {
            (a.is_ascii_digit() && b.is_ascii_digit())
                .then(|| u32::from(a - b'0') * 10 + u32::from(b - b'0'))
        };
        let offset_ok = matches!(
            (two_digits(h1, h2), two_digits(m1, m2)),
            (Some(hours), Some(minutes)) if hours <= 24 && minutes <= 60
        );
        self.rest = rest;
        offset_ok && matches!(sign, b'+' | b'-')
    }
}

fn days_in_month(month: u32, year: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}
