//! Generated blocks inside hand-written files, between a start and an end marker line.

use anyhow::{Context as _, bail};

/// `text` with the lines between the line `start` and the line `end` replaced by `block`
/// (whole lines, ending with a newline); the marker lines stay.
pub fn replace_between(text: &str, start: &str, end: &str, block: &str) -> anyhow::Result<String> {
    let line_at = |marker: &str| {
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            if line.trim_end() == marker {
                return Some((offset, offset + line.len()));
            }
            offset += line.len();
        }
        None
    };
    let (_, after_start) = line_at(start).with_context(|| format!("no line {start:?}"))?;
    let (before_end, _) = line_at(end).with_context(|| format!("no line {end:?}"))?;
    if before_end < after_start {
        bail!("{end:?} comes before {start:?}");
    }
    Ok(format!(
        "{}{block}{}",
        &text[..after_start],
        &text[before_end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_lines_between_the_markers_change() {
        let text = "a\n# s\nold\nlines\n# e\nb\n";
        assert_eq!(
            replace_between(text, "# s", "# e", "new\n").unwrap(),
            "a\n# s\nnew\n# e\nb\n"
        );
        assert_eq!(
            replace_between("# s\n# e\n", "# s", "# e", "x\n").unwrap(),
            "# s\nx\n# e\n"
        );
        assert!(replace_between("# e\n# s\n", "# s", "# e", "").is_err());
        assert!(replace_between("# s\n", "# s", "# e", "").is_err());
    }
}
