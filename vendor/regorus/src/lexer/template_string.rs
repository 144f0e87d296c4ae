// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! Template strings (`$"Hello {input.name}!"`, raw `` $`...` ``). The lexer reads the text
//! between the embedded expressions; the parser reads each expression from the ordinary
//! tokens and, at its closing `}`, asks for the text that follows.

use super::*;

impl Lexer<'_> {
    /// At `$`, which OPA accepts only directly before a template string's opening quote.
    pub(super) fn read_template_string_start(&mut self) -> Result<Token> {
        let raw = match self.peekahead(1).1 {
            '"' => false,
            '`' => true,
            _ => return Err(self.source.error(self.line, self.col, "illegal $ character")),
        };
        self.bump()?;
        self.bump()?;
        self.read_template_part(raw)
    }

    /// The text from here (just after the opening quote or an embedded expression's `}`)
    /// to the next embedded expression's `{` or to the closing quote, which are consumed.
    /// Escapes are checked as OPA's scanner checks them, and left in the text: `\{` is a
    /// literal `{` in both kinds; a raw template string knows no other escape, and a plain
    /// one takes JSON's and ends at a line break.
    pub fn read_template_part(&mut self, raw: bool) -> Result<Token> {
        let (line, col) = (self.line, self.col);
        let start = self.peek().0;
        let closed = loop {
            let (_, ch) = self.peek();
            match ch {
                '\x00' => return Err(self.source.error(line, col, "non-terminated string")),
                '\n' if !raw => return Err(self.source.error(line, col, "non-terminated string")),
                '"' if !raw => break true,
                '`' if raw => break true,
                '{' => break false,
                '\\' => {
                    self.bump()?;
                    let escaped = self.peek().1;
                    match escaped {
                        '{' => self.bump()?,
                        _ if raw => (),
                        '\\' | '"' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u' => self.bump()?,
                        _ => {
                            return Err(self.source.error(
                                self.line,
                                self.col,
                                "illegal escape sequence",
                            ))
                        }
                    }
                }
                '\n' => {
                    self.iter.next();
                    self.advance_line(1)?;
                    self.col = 1;
                }
                _ if !raw && ch < ' ' => {
                    return Err(self.source.error(
                        self.line,
                        self.col,
                        "invalid character in string",
                    ))
                }
                _ => self.bump()?,
            }
        };
        let end = self.peek().0;
        self.bump()?;
        check_memory_limit()?;
        Ok(Token(
            TokenKind::TemplateString { raw, closed },
            Span {
                source: self.source.clone(),
                line,
                col,
                start: usize_to_u32(start)?,
                end: usize_to_u32(end)?,
            },
        ))
    }

    /// Consumes one character that does not end a line.
    fn bump(&mut self) -> Result<()> {
        self.iter.next();
        self.advance_col(1)
    }
}
