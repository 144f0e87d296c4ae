// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! `regex.globs_match(glob1, glob2)`: whether two glob-style regular expressions match a
//! common non-empty string. OPA decides it with the glob-intersection library's procedure,
//! which is not an exact automaton intersection; the same procedure is followed here so
//! that every pair of globs gets OPA's answer:
//!
//! * a glob is a sequence of tokens (a character, `.` for any character, or a `[...]`
//!   class with `a-z` ranges), each optionally followed by `+` or `*`; `\` escapes; two
//!   neighbouring repeated tokens that are equal become one (`+` if either was);
//! * the leading and trailing unrepeated tokens of both globs are compared pairwise and
//!   trimmed (keeping one on each side), then the rests are walked in step: unrepeated
//!   tokens must match, and at the first repeated token the `+`/`*` rules below decide.

use crate::ast::{Expr, Ref};
use crate::builtins;
use crate::builtins::utils::{ensure_args_count, ensure_string};
use crate::lexer::Span;
use crate::value::Value;
use crate::*;

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use anyhow::{bail, Result};

pub fn register(m: &mut builtins::BuiltinsMap<&'static str, builtins::BuiltinFcn>) {
    m.insert("regex.globs_match", (globs_match, 2));
}

#[derive(Clone, PartialEq)]
enum Symbol {
    Character(char),
    Any,
    Class(BTreeSet<char>),
}

#[derive(Clone, Copy, PartialEq)]
enum Repeat {
    Once,
    OneOrMore,
    ZeroOrMore,
}

#[derive(Clone)]
struct Token {
    symbol: Symbol,
    repeat: Repeat,
}

/// Whether two symbols can match one same character.
fn symbols_meet(a: &Symbol, b: &Symbol) -> bool {
    match (a, b) {
        (Symbol::Any, _) | (_, Symbol::Any) => true,
        (Symbol::Character(x), Symbol::Character(y)) => x == y,
        (Symbol::Character(c), Symbol::Class(set)) | (Symbol::Class(set), Symbol::Character(c)) => {
            set.contains(c)
        }
        (Symbol::Class(x), Symbol::Class(y)) => x.iter().any(|c| y.contains(c)),
    }
}

fn meet(a: &Token, b: &Token) -> bool {
    symbols_meet(&a.symbol, &b.symbol)
}

/// The next character and whether it was escaped with `\`.
fn next_char(chars: &[char], at: usize) -> Result<Option<(char, bool, usize)>> {
    match chars.get(at) {
        None => Ok(None),
        Some('\\') => match chars.get(at + 1) {
            Some(&c) => Ok(Some((c, true, at + 2))),
            None => bail!("input ends with a \\ (escape) character"),
        },
        Some(&c) => Ok(Some((c, false, at + 1))),
    }
}

/// A `[...]` class whose `[` was just read; returns it and the index after its `]`.
fn class(chars: &[char], mut at: usize) -> Result<(Symbol, usize)> {
    let mut members = BTreeSet::new();
    let mut previous: Option<char> = None;
    while let Some((c, escaped, next)) = next_char(chars, at)? {
        at = next;
        match c {
            ']' if !escaped => return Ok((Symbol::Class(members), at)),
            '-' if !escaped => {
                let Some(low) = previous else {
                    bail!("range character '-' must be preceded by a Unicode character");
                };
                if at >= chars.len() {
                    bail!("range character '-' must be followed by a Unicode character");
                }
                let Some((high, high_escaped, next)) = next_char(chars, at)? else {
                    bail!("range character '-' must be followed by a Unicode character");
                };
                at = next;
                if !high_escaped && matches!(high, ']' | '-') {
                    bail!("range character '-' cannot be followed by a special symbol");
                }
                if high < low {
                    bail!("range is out of order: '{high}' comes before '{low}' in Unicode");
                }
                members.extend(low..=high);
                previous = None;
            }
            _ => {
                members.insert(c);
                previous = Some(c);
            }
        }
    }
    bail!("found [ without matching ]")
}

fn tokenize(glob: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = glob.chars().collect();
    let mut tokens: Vec<Token> = Vec::new();
    let mut at = 0;
    while let Some((c, escaped, next)) = next_char(&chars, at)? {
        at = next;
        let symbol = match c {
            _ if escaped => Symbol::Character(c),
            '.' => Symbol::Any,
            '[' => {
                let (symbol, next) = class(&chars, at)?;
                at = next;
                symbol
            }
            ']' => bail!("set-close ']' with no preceding '['"),
            '+' | '*' => bail!("flag '{c}' must be preceded by a non-flag"),
            _ => Symbol::Character(c),
        };
        let repeat = match chars.get(at) {
            Some('+') => Repeat::OneOrMore,
            Some('*') => Repeat::ZeroOrMore,
            _ => Repeat::Once,
        };
        if repeat != Repeat::Once {
            at += 1;
        }
        let token = Token { symbol, repeat };
        // Neighbouring repeats of one symbol merge (`a*a+` is `a+`).
        match tokens.last_mut() {
            Some(last)
                if token.repeat != Repeat::Once
                    && last.repeat != Repeat::Once
                    && last.symbol == token.symbol =>
            {
                if token.repeat == Repeat::OneOrMore {
                    last.repeat = Repeat::OneOrMore;
                }
            }
            _ => tokens.push(token),
        }
    }
    Ok(tokens)
}

/// Walks both globs in step over unrepeated tokens; the first repeated token hands over.
fn intersect_normal(g1: &[Token], g2: &[Token]) -> bool {
    let mut i = 0;
    while i < g1.len() && i < g2.len() {
        if g1[i].repeat == Repeat::Once && g2[i].repeat == Repeat::Once {
            if !meet(&g1[i], &g2[i]) {
                return false;
            }
        } else {
            return intersect_special(&g1[i..], &g2[i..]);
        }
        i += 1;
    }
    i == g1.len() && i == g2.len()
}

fn intersect_special(g1: &[Token], g2: &[Token]) -> bool {
    let (repeated, other) = if g1[0].repeat != Repeat::Once {
        (g1, g2)
    } else {
        (g2, g1)
    };
    match repeated[0].repeat {
        Repeat::OneOrMore => intersect_plus(repeated, other),
        Repeat::ZeroOrMore => intersect_star(repeated, other),
        Repeat::Once => false,
    }
}

/// `x+` first: it meets the other's first token, then continues as `x*` against the rest,
/// or, when that token repeats too, the rest of this glob against all of the other.
fn intersect_plus(plussed: &[Token], other: &[Token]) -> bool {
    let Some(first) = other.first() else {
        return false;
    };
    if !meet(&plussed[0], first) {
        return false;
    }
    intersect_star(plussed, &other[1..])
        || (first.repeat != Repeat::Once && intersect_normal(&plussed[1..], other))
}

/// `x*` first: the other's tokens are consumed by `x` until one meets the token after `x*`
/// and the rests intersect; a token neither can take ends the search.
fn intersect_star(starred: &[Token], other: &[Token]) -> bool {
    let star = &starred[0];
    let after = starred.get(1);
    for (i, token) in other.iter().enumerate() {
        if after.is_some_and(|after| meet(token, after))
            && intersect_normal(&starred[1..], &other[i..])
        {
            return true;
        }
        if !meet(token, star) {
            return false;
        }
    }
    after.is_none()
}

fn globs_intersect(glob1: &str, glob2: &str) -> Result<bool> {
    let g1 = tokenize(glob1)?;
    let g2 = tokenize(glob2)?;
    // Trim the unrepeated tokens both globs start with, keeping the last of them.
    let mut left = 0;
    while left < g1.len()
        && left < g2.len()
        && g1[left].repeat == Repeat::Once
        && g2[left].repeat == Repeat::Once
    {
        if !meet(&g1[left], &g2[left]) {
            return Ok(false);
        }
        left += 1;
    }
    left = left.saturating_sub(1);
    // And those they end with, keeping the first of them.
    let (mut end1, mut end2) = (g1.len(), g2.len());
    let mut trimmed_right = false;
    while end1 > left
        && end2 > left
        && g1[end1 - 1].repeat == Repeat::Once
        && g2[end2 - 1].repeat == Repeat::Once
    {
        if !meet(&g1[end1 - 1], &g2[end2 - 1]) {
            return Ok(false);
        }
        end1 -= 1;
        end2 -= 1;
        trimmed_right = true;
    }
    if trimmed_right {
        end1 += 1;
        end2 += 1;
    }
    let rest1 = g1.get(left..end1).unwrap_or_default();
    let rest2 = g2.get(left..end2).unwrap_or_default();
    Ok(intersect_normal(rest1, rest2))
}

fn globs_match(span: &Span, params: &[Ref<Expr>], args: &[Value], strict: bool) -> Result<Value> {
    let name = "regex.globs_match";
    ensure_args_count(span, name, params, args, 2)?;
    let glob1 = ensure_string(name, &params[0], &args[0])?;
    let glob2 = ensure_string(name, &params[1], &args[1])?;
    match globs_intersect(&glob1, &glob2) {
        Ok(answer) => Ok(Value::from(answer)),
        Err(e) if strict => bail!(span.error(&format!("{name}: {e}"))),
        Err(_) => Ok(Value::Undefined),
    }
}
