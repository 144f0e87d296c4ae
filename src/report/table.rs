//! A bordered table (RESULT | FILE | NAMESPACE | MESSAGE), as conftest's `-o table`.
//! Every cell is one line: control characters (line breaks too) are escaped, secrets
//! hidden (see `redact`).

use super::Report;
use super::redact;

pub fn render(report: &Report) -> String {
    draw(&rows(report))
}

/// One row per finding, success and error, each cell already made safe to print.
fn rows(report: &Report) -> Vec<[String; 4]> {
    let mut rows: Vec<[String; 4]> = Vec::new();
    for r in &report.results {
        for (label, findings) in [
            ("failure", &r.failures),
            ("warning", &r.warnings),
            ("exception", &r.exceptions),
        ] {
            for f in findings {
                let msg = redact::message(&f.msg);
                let msg = match f.line {
                    Some(l) => format!("{msg} (line {l})"),
                    None => msg,
                };
                rows.push([
                    label.into(),
                    redact::message(&r.filename),
                    redact::message(&r.namespace),
                    msg,
                ]);
            }
        }
        for _ in 0..r.successes {
            rows.push([
                "success".into(),
                redact::message(&r.filename),
                redact::message(&r.namespace),
                String::new(),
            ]);
        }
    }
    for e in &report.errors {
        rows.push([
            "error".into(),
            redact::message(&e.filename),
            String::new(),
            // A multi-line error reads on one line; other control characters are escaped.
            redact::error_text(&e.message.replace('\n', " ")),
        ]);
    }
    rows
}

/// The rows under a header, each column as wide as its widest cell, bordered.
fn draw(rows: &[[String; 4]]) -> String {
    let header = ["RESULT", "FILE", "NAMESPACE", "MESSAGE"].map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let border: String = widths
        .iter()
        .map(|w| format!("+{}", "-".repeat(w + 2)))
        .collect::<String>()
        + "+\n";
    let line = |row: &[String; 4]| -> String {
        row.iter()
            .zip(widths)
            .map(|(cell, w)| format!("| {cell}{} ", " ".repeat(w - cell.chars().count())))
            .collect::<String>()
            + "|\n"
    };
    let mut out = border.clone();
    out.push_str(&line(&header));
    out.push_str(&border);
    for row in rows {
        out.push_str(&line(row));
    }
    out.push_str(&border);
    out
}
