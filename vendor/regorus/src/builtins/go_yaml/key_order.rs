// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! go-yaml's order of string keys: character by character, but a run of digits compares as
//! a number (`a2` < `a10`), and letters come after other characters except right after a
//! digit (`a1b` < `a1-`, `a-` < `ab`).

use alloc::vec::Vec;
use unicode_general_category::{get_general_category, GeneralCategory};

/// Sorts `entries` by key. A merge sort calling only `key_less`: go-yaml's order is not a
/// strict weak order for every set of keys, and std's sorts may panic on such an order.
pub fn sort_naturally<T>(entries: &mut Vec<(alloc::string::String, T)>) {
    let keyed: Vec<(Vec<char>, (alloc::string::String, T))> = entries
        .drain(..)
        .map(|entry| (entry.0.chars().collect(), entry))
        .collect();
    let sorted = merge_sort(keyed);
    entries.extend(sorted.into_iter().map(|(_, entry)| entry));
}

fn merge_sort<T>(mut items: Vec<(Vec<char>, T)>) -> Vec<(Vec<char>, T)> {
    if items.len() < 2 {
        return items;
    }
    let right = merge_sort(items.split_off(items.len() / 2));
    let left = merge_sort(items);
    let mut merged = Vec::with_capacity(left.len() + right.len());
    let mut right = right.into_iter().peekable();
    for item in left {
        while let Some(next) = right.next_if(|next| key_less(&next.0, &item.0)) {
            merged.push(next);
        }
        merged.push(item);
    }
    merged.extend(right);
    merged
}

/// Whether key `a` sorts before key `b`.
fn key_less(a: &[char], b: &[char]) -> bool {
    let mut after_digit = false;
    for (i, (&ca, &cb)) in a.iter().zip(b.iter()).enumerate() {
        if ca == cb {
            after_digit = is_digit(ca);
            continue;
        }
        let (a_letter, b_letter) = (is_letter(ca), is_letter(cb));
        if a_letter && b_letter {
            return ca < cb;
        }
        if a_letter || b_letter {
            return if after_digit { a_letter } else { b_letter };
        }
        return digit_runs_less(a, b, i);
    }
    a.len() < b.len()
}

/// `a` and `b` differ first at `i`, in characters that are not letters: the numbers the
/// digit runs from `i` spell decide, then the runs' lengths, then the characters.
fn digit_runs_less(a: &[char], b: &[char], i: usize) -> bool {
    // A zero continuing a number that has a non-zero digit before `i` still counts.
    let continues_number = (a[i] == '0' || b[i] == '0')
        && a[..i]
            .iter()
            .rev()
            .take_while(|&&c| is_digit(c))
            .any(|&c| c != '0');
    let start = i64::from(continues_number);
    let (a_number, a_end) = digit_run(a, i, start);
    let (b_number, b_end) = digit_run(b, i, start);
    if a_number != b_number {
        return a_number < b_number;
    }
    if a_end != b_end {
        return a_end < b_end;
    }
    a[i] < b[i]
}

/// The number the digits of `chars` from `start` spell after `initial` (Go's int64
/// arithmetic, wrapping; a non-ASCII digit counts as its distance from `'0'`), and where
/// they end.
fn digit_run(chars: &[char], start: usize, initial: i64) -> (i64, usize) {
    let mut number = initial;
    let mut end = start;
    while end < chars.len() && is_digit(chars[end]) {
        let digit = i64::from(u32::from(chars[end])) - i64::from(u32::from('0'));
        number = number.wrapping_mul(10).wrapping_add(digit);
        end += 1;
    }
    (number, end)
}

/// Go's `unicode.IsDigit`: a decimal digit (Nd).
fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    get_general_category(c) == GeneralCategory::DecimalNumber
}

/// Go's `unicode.IsLetter`: any letter category (L).
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    matches!(
        get_general_category(c),
        GeneralCategory::UppercaseLetter
            | GeneralCategory::LowercaseLetter
            | GeneralCategory::TitlecaseLetter
            | GeneralCategory::ModifierLetter
            | GeneralCategory::OtherLetter
    )
}
