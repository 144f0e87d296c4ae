// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! How go-yaml writes a scalar. Its encoder asks for a style (literal for text with a
//! newline, plain when the text reads back as the same string, else double-quoted); its
//! emitter then looks at the characters and falls back to single quotes where plain text
//! would be misread (`a: b`, `- x`, ` lead`, `#x`) and to double quotes where single quotes
//! or a literal block cannot hold the text (tabs, control characters, characters outside
//! the Basic Multilingual Plane, spaces next to line breaks).

use super::plain_scalar::reads_back_as_string;

use alloc::vec::Vec;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// What the characters of a scalar allow.
pub struct Analysis {
    pub multiline: bool,
    plain_allowed: bool,
    single_quoted_allowed: bool,
    literal_allowed: bool,
}

/// The style go-yaml's encoder asks for a string.
pub fn requested_style(s: &str) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if reads_back_as_string(s) {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

/// The style the emitter writes: `requested` where the characters allow it. A simple key
/// (before `: `, on one line) takes neither a literal block nor an empty plain scalar.
pub fn select_style(requested: Style, value: &str, analysis: &Analysis, simple_key: bool) -> Style {
    let mut style = requested;
    if simple_key && analysis.multiline {
        style = Style::DoubleQuoted;
    }
    if style == Style::Plain && (!analysis.plain_allowed || (value.is_empty() && simple_key)) {
        style = Style::SingleQuoted;
    }
    if style == Style::SingleQuoted && !analysis.single_quoted_allowed {
        style = Style::DoubleQuoted;
    }
    if style == Style::Literal && (!analysis.literal_allowed || simple_key) {
        style = Style::DoubleQuoted;
    }
    style
}

/// The emitter's look at a scalar's characters (block context).
pub fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            plain_allowed: true,
            single_quoted_allowed: true,
            literal_allowed: false,
        };
    }
    let chars: Vec<char> = value.chars().collect();
    let last = chars.len() - 1;
    let mut indicators = value.starts_with("---") || value.starts_with("...");
    let mut seen = Seen::default();
    let mut after_blank = true;
    let mut previous = Previous::Other;
    for (i, &c) in chars.iter().enumerate() {
        let before_blank = chars.get(i + 1).is_none_or(|&next| next == ' ' || next == '\t');
        indicators |= if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => true,
                '?' | ':' | '-' => before_blank,
                _ => false,
            }
        } else {
            (c == ':' && before_blank) || (c == '#' && after_blank)
        };
        if c == '\t' {
            seen.tab = true;
        } else if !is_printable(c) {
            seen.special = true;
        }
        previous = if c == ' ' {
            seen.leading_space |= i == 0;
            seen.trailing_space |= i == last;
            seen.break_then_space |= previous == Previous::Break;
            Previous::Space
        } else if is_break(c) {
            seen.line_break = true;
            seen.leading_break |= i == 0;
            seen.trailing_break |= i == last;
            seen.space_then_break |= previous == Previous::Space;
            Previous::Break
        } else {
            Previous::Other
        };
        after_blank = matches!(c, ' ' | '\t' | '\0') || is_break(c);
    }
    seen.into_analysis(indicators)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Previous {
    Space,
    Break,
    Other,
}

#[derive(Default)]
struct Seen {
    tab: bool,
    special: bool,
    line_break: bool,
    leading_space: bool,
    leading_break: bool,
    trailing_space: bool,
    trailing_break: bool,
    break_then_space: bool,
    space_then_break: bool,
}

impl Seen {
    fn into_analysis(self, indicators: bool) -> Analysis {
        let awkward_blanks = self.leading_space
            || self.leading_break
            || self.trailing_space
            || self.trailing_break;
        let unquotable = self.break_then_space || self.space_then_break || self.tab || self.special;
        Analysis {
            multiline: self.line_break,
            plain_allowed: !(awkward_blanks || unquotable || self.line_break || indicators),
            single_quoted_allowed: !unquotable,
            literal_allowed: !(self.trailing_space || self.space_then_break || self.special),
        }
    }
}

/// Characters YAML prints as they are (in the emitter's view): no C0 or C1 control but
/// the newline, nothing outside the Basic Multilingual Plane, no BOM, U+FFFE or U+FFFF.
pub fn is_printable(c: char) -> bool {
    matches!(c, '\n' | ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        && c != '\u{feff}'
}

/// YAML's line breaks.
pub fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}
