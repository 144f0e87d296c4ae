//! A bordered table (RESULT | FILE | NAMESPACE | MESSAGE), drawn as conftest's `-o table`
//! draws it (its table library's defaults): box-drawing borders, headings upper-cased and
//! centred, cells left-aligned and padded to their column's display width (a wide
//! character counts two columns, a combining mark none), and per file and namespace a row
//! for each success, then exceptions, warnings and failures. A multi-line message is
//! several lines of its cell, trimmed as conftest trims them (blank lines dropped, a tab
//! drawn as eight spaces). Everything quoted is redacted and its control characters other
//! than line breaks escaped (see `redact`). Files that could not be checked are `error`
//! rows after the results; a run with no rows prints nothing, as conftest's.

use unicode_width::UnicodeWidthStr;

use super::Report;
use super::redact;

pub fn render(report: &Report) -> String {
    let rows = rows(report);
    if rows.is_empty() {
        return String::new();
    }
    draw(&rows)
}

/// A cell: its lines, each already safe to print.
type Cell = Vec<String>;

/// One row per success, finding and error, in conftest's order.
fn rows(report: &Report) -> Vec<[Cell; 4]> {
    let mut rows: Vec<[Cell; 4]> = Vec::new();
    for r in &report.results {
        let file = cell(&r.filename);
        let namespace = cell(&r.namespace);
        let mut row = |label: &str, message: Cell| {
            rows.push([
                vec![label.to_owned()],
                file.clone(),
                namespace.clone(),
                message,
            ]);
        };
        for f in &r.skipped {
            row("skipped", cell(&f.msg));
        }
        for _ in 0..r.successes {
            row("success", vec!["SUCCESS".to_owned()]);
        }
        for (label, findings) in [
            ("exception", &r.exceptions),
            ("warning", &r.warnings),
            ("failure", &r.failures),
        ] {
            for f in findings {
                row(label, cell(&f.msg));
            }
        }
    }
    for e in &report.errors {
        rows.push([
            vec!["error".to_owned()],
            cell(&e.filename),
            Vec::new(),
            // A multi-line error reads on one line; other control characters are escaped.
            vec![redact::error_text(e.message.trim()).replace('\n', " ")],
        ]);
    }
    rows
}

/// `text` as the lines of a cell: trimmed, each line's trailing white space and the blank
/// lines left out, tabs drawn as eight spaces (conftest's table does all of this), each
/// line redacted and escaped.
fn cell(text: &str) -> Cell {
    text.trim()
        .split('\n')
        .map(str::trim_end)
        .filter(|line| !line.is_empty())
        .map(|line| redact::message(line).replace('\t', "        "))
        .collect()
}

fn width(line: &str) -> usize {
    UnicodeWidthStr::width(line)
}

/// The rows under a header, each column as wide as its widest line, bordered.
fn draw(rows: &[[Cell; 4]]) -> String {
    const HEADINGS: [&str; 4] = ["RESULT", "FILE", "NAMESPACE", "MESSAGE"];
    let mut widths = HEADINGS.map(width);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = cell.iter().map(|l| width(l)).fold(*w, usize::max);
        }
    }
    let border = |left: &str, middle: &str, right: &str| -> String {
        let parts: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
        format!("{left}{}{right}\n", parts.join(middle))
    };
    let mut out = border("┌", "┬", "┐");
    let headings: Vec<String> = HEADINGS
        .iter()
        .zip(widths)
        .map(|(h, w)| {
            let gap = w - width(h);
            format!(" {}{h}{} ", " ".repeat(gap / 2), " ".repeat(gap - gap / 2))
        })
        .collect();
    out.push_str(&format!("│{}│\n", headings.join("│")));
    out.push_str(&border("├", "┼", "┤"));
    for row in rows {
        let height = row.iter().map(Vec::len).max().unwrap_or(0).max(1);
        for i in 0..height {
            let cells: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, w)| {
                    let line = cell.get(i).map_or("", String::as_str);
                    format!(" {line}{} ", " ".repeat(w - width(line)))
                })
                .collect();
            out.push_str(&format!("│{}│\n", cells.join("│")));
        }
    }
    out.push_str(&border("└", "┴", "┘"));
    out
}
