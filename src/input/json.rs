//! JSON files. serde_json's recursion limit turns absurdly deep documents into an error
//! naming the line and column instead of a stack overflow.

use serde_json::Value;

use super::InputError;

/// Parses one JSON document.
pub fn parse(text: &str) -> Result<Value, InputError> {
    serde_json::from_str(text).map_err(|e| InputError::Json {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })
}

/// serde_json appends " at line L column C"; we report the position separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_line_and_column() {
        let err = parse("{\n  \"a\": 1,\n  oops\n}").unwrap_err();
        assert_eq!(err.line(), Some(3));
        assert!(err.to_string().contains("column 3"), "{err}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(matches!(parse(&deep), Err(InputError::Json { .. })));
    }
}
